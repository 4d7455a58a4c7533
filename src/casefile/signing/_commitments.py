"""Committing a record's personal fields, values and texts together (FORMAT.md §4, §4.1).

The value commitment lives in ``_value`` and the text commitment in ``_text``;
this module makes both kinds for one record at once, so that a repeated salt
or seed is caught across the two before anything is sealed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final, overload

from casefile.errors import RepeatedSaltError
from casefile.signing._text import AnyDisclosure, TextDisclosure, commit_text, parse_disclosure
from casefile.signing._value import (
    FIELD_NAME_RULE,
    MAX_DISCLOSURE_SIZE,
    MAX_SALT_SIZE,
    MIN_SALT_SIZE,
    Disclosure,
    commit,
    is_field_name,
)

__all__ = [
    "FIELD_NAME_RULE",
    "MAX_DISCLOSURE_SIZE",
    "MAX_SALT_SIZE",
    "MIN_SALT_SIZE",
    "AnyDisclosure",
    "Disclosure",
    "TextDisclosure",
    "commit",
    "commit_fields",
    "is_field_name",
    "parse_disclosure",
]

_NO_TEXTS: Final[Mapping[str, str]] = MappingProxyType({})


@overload
def commit_fields(
    case_id: uuid.UUID,
    seq: int,
    fields: Mapping[str, object],
    *,
    random_bytes: Callable[[int], bytes] = ...,
    used: set[bytes] | None = ...,
) -> tuple[dict[str, bytes], tuple[Disclosure, ...]]: ...
@overload
def commit_fields(
    case_id: uuid.UUID,
    seq: int,
    fields: Mapping[str, object],
    *,
    texts: Mapping[str, str],
    random_bytes: Callable[[int], bytes] = ...,
    used: set[bytes] | None = ...,
) -> tuple[dict[str, bytes], tuple[Disclosure | TextDisclosure, ...]]: ...
def commit_fields(
    case_id: uuid.UUID,
    seq: int,
    fields: Mapping[str, object],
    *,
    texts: Mapping[str, str] = _NO_TEXTS,
    random_bytes: Callable[[int], bytes] = os.urandom,
    used: set[bytes] | None = None,
) -> tuple[dict[str, bytes], tuple[Disclosure | TextDisclosure, ...]]:
    """Commit the personal fields and texts of record ``seq``: (commitments, disclosures).

    ``fields`` are committed as values (§4), ``texts`` as redactable texts
    (§4.1); their names must be disjoint. The disclosures come sorted by name.
    ``random_bytes`` supplies the salts and root seeds; inject a deterministic
    one only in tests. Every commitment of a case must differ from every other
    (FORMAT.md §4, V14): a salt or seed drawn twice raises
    :class:`~casefile.errors.RepeatedSaltError` before anything is sealed, as
    does a commitment already in ``used`` (the commitments the caller has made
    for the case so far), to which the new ones are then added.
    """
    both = fields.keys() & texts.keys()
    if both:
        raise ValueError(f"fields {sorted(both)} are given both as a value and as a text")
    commitments: dict[str, bytes] = {}
    disclosures: list[Disclosure | TextDisclosure] = []
    drawn: set[bytes] = set()
    for name in sorted([*fields, *texts]):
        if not is_field_name(name):
            raise ValueError(f"personal field name {name!r} is not {FIELD_NAME_RULE}")
        disclosure: Disclosure | TextDisclosure
        if name in texts:
            commitment, disclosure = commit_text(
                case_id, seq, name, texts[name], random_bytes=random_bytes
            )
            secret = disclosure.seeds[0]
        else:
            secret = random_bytes(MIN_SALT_SIZE)
            if type(secret) is not bytes or len(secret) != MIN_SALT_SIZE:
                raise ValueError(f"random_bytes must return {MIN_SALT_SIZE} bytes")
            value = fields[name]
            commitment = commit(name, secret, value)
            disclosure = Disclosure(case_id, seq, name, secret, value)
        if secret in drawn or (used is not None and commitment in used):
            raise RepeatedSaltError(
                f"random_bytes repeated a salt (field {name!r} of record {seq}): "
                "a repeated commitment would show that two withheld values are equal"
            )
        drawn.add(secret)
        commitments[name] = commitment
        disclosures.append(disclosure)
    if used is not None:
        used.update(commitments.values())
    return commitments, tuple(disclosures)
