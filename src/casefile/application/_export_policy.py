"""The disclosure policy a bundle for an audience is written under."""

from __future__ import annotations

import functools

from casefile.bundle import DISCLOSE_ALL, DISCLOSE_NONE, DisclosurePolicy
from casefile.events import EVENT_TYPES

__all__ = ["audience_policy"]


@functools.cache
def _text_field_names() -> frozenset[str]:
    """The name of every text field of every registered record type."""
    return frozenset().union(*(event.TEXT_FIELDS for event in EVENT_TYPES))


def audience_policy(given: DisclosurePolicy | None, audience: str | None) -> DisclosurePolicy:
    """The policy a bundle is written under: for an audience, every text is allowed.

    A bundle for an audience is judged by B11: a text it leaves out that no
    decision or erasure withholds is a finding. So the policy, which a person
    gives to choose personal values (none, or a list of them), never withholds
    a text from an audience; its decisions do.
    """
    if audience is None:
        return given or DISCLOSE_NONE
    if given is None or given.mode == "all":
        return DISCLOSE_ALL
    return DisclosurePolicy.only({*given.fields, *_text_field_names()})
