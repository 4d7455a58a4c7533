"""V15: the person a record says acted is the person whose key signed it.

Records of the types in :data:`ACTOR_TYPES` name who acted in the payload
field ``by`` (a person map) and who keyed the record in ``recorded_by`` (nil,
or a person map). A person map's identity is ``(name, number, organisation)``;
it matches a trust entry when it equals the holder's ``(name, number, force)``,
compared as exact strings (docs/FORMAT.md §8, V15). Rank and role are not part
of it, and a key rotation keeps it.

* ``recorded_by`` nil: ``by`` matches the signer's holder.
* ``recorded_by`` given: it matches the signer's holder, and ``by`` is another
  identity: the record is made for ``by`` by ``recorded_by``. Such a record
  is the finding ``acted_on_behalf_unconfirmed`` until a ``record.confirmed``
  signed by ``by``'s own key names it.
* ``record.confirmed``: ``recorded_by`` is nil (so ``by`` is the signer), and
  ``confirms`` names an earlier on-behalf record of the case whose ``by`` has
  the same identity and that no earlier confirmation named.

The table lives here, with no domain import, so that an auditor's verifier
knows which records name an actor; the domain checks its own records with
:func:`actor_problem` before signing them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from casefile.findings import Finding
from casefile.signing._trust import Holder

__all__ = [
    "ACTOR_TYPES",
    "CONFIRMATION_TYPE",
    "UNCONFIRMED_KIND",
    "ActorCheck",
    "Identity",
    "actor_problem",
    "holder_identity",
    "person_identity",
]

#: A person as records name them: (name, number, organisation or force).
Identity = tuple[str, str, str]

#: The record type by which a person confirms an act recorded on their behalf.
CONFIRMATION_TYPE: Final = "record.confirmed"
#: The finding kind of an on-behalf record that its actor has not confirmed.
UNCONFIRMED_KIND: Final = "acted_on_behalf_unconfirmed"

_CUSTODY_KINDS: Final = (
    "located", "seized", "produced", "packaged", "booked", "transferred", "seal_opened",
    "resealed", "examined", "imaged", "derived", "accessed", "fixity_checked", "disclosed",
    "produced_in_court", "retention_reviewed", "returned", "destroyed", "lost", "damaged",
)  # fmt: skip

#: Record types whose payload names an actor (``by``, ``recorded_by``), with their schemas.
ACTOR_TYPES: Final[Mapping[str, frozenset[int]]] = {
    **{f"exhibit.{kind}": frozenset({1}) for kind in _CUSTODY_KINDS},
    "evidence.captured": frozenset({1}),
    "statement.recorded": frozenset({1}),
    "case.handed_over": frozenset({1}),
    "record.corrected": frozenset({1}),
    CONFIRMATION_TYPE: frozenset({1}),
}

_PERSON_KEYS: Final = ("name", "number", "organisation", "rank", "role")


def person_identity(value: object) -> Identity | None:
    """The ``(name, number, organisation)`` of a person map, or None if it is not one."""
    if type(value) is not dict or tuple(sorted(value)) != _PERSON_KEYS:
        return None
    if any(type(v) is not str for v in value.values()):
        return None
    identity = (value["name"], value["number"], value["organisation"])
    return identity if all(identity) else None


def holder_identity(holder: Holder) -> Identity:
    """The identity a person map must have to name ``holder``: ``(name, number, force)``."""
    return (holder.name, holder.number, holder.force)


def _shown(identity: Identity) -> str:
    """``Jane Smith (1234, Test Police)``, for messages."""
    # Payload strings come from the input: a report holds up to a thousand
    # messages, so each part is quoted only in part.
    name, number, organisation = (p if len(p) <= 80 else p[:80] + "…" for p in identity)
    return f"{name} ({number}, {organisation})"


def actor_problem(event_type: str, data: Mapping[str, Any], holder: Holder) -> str | None:
    """Why a record of ``event_type`` with ``data`` may not be signed by ``holder``, or None.

    Covers the actor rule only; a confirmation's reference to an earlier
    record is checked by :class:`ActorCheck` (or the aggregate) against the case.
    """
    signer = holder_identity(holder)
    by = person_identity(data.get("by"))
    if by is None:
        return "by is not a person map of name, number, organisation, rank and role"
    recorded = data.get("recorded_by", ...)
    if recorded is ...:
        return "the payload has no recorded_by"
    if recorded is None:
        if by != signer:
            return f"names {_shown(by)} as the actor, but the key is held by {_shown(signer)}"
        return None
    if event_type == CONFIRMATION_TYPE:
        return "a confirmation is made by the actor, never recorded on their behalf"
    keyed = person_identity(recorded)
    if keyed is None:
        return "recorded_by is neither nil nor a person map"
    if keyed != signer:
        return f"says it was recorded by {_shown(keyed)}, but the key is held by {_shown(signer)}"
    if by == signer:
        return f"is recorded on behalf of {_shown(by)} by the same person"
    return None


@dataclass(slots=True)
class ActorCheck:
    """V15 over one case's records in order: the actor rule and the confirmations."""

    #: On-behalf records not yet confirmed: seq -> (actor, recorder).
    pending: dict[int, tuple[Identity, Identity]] = field(default_factory=dict)
    #: On-behalf records confirmed: seq -> seq of the confirmation.
    confirmed: dict[int, int] = field(default_factory=dict)

    def check(
        self, seq: int, event_type: str, data: Mapping[str, Any] | None, holder: Holder
    ) -> str | None:
        """Why record ``seq`` breaks V15, or None; remembers on-behalf records and confirmations."""
        if data is None:
            return "the payload was not read"
        problem = actor_problem(event_type, data, holder)
        if problem is not None:
            return problem
        by = person_identity(data["by"])
        if by is None:  # actor_problem refused it already
            return "by is not a person map"
        if event_type == CONFIRMATION_TYPE:
            return self._confirm(seq, by, data.get("confirms"))
        keyed = person_identity(data["recorded_by"])
        if keyed is not None:
            self.pending[seq] = (by, keyed)
        return None

    def _confirm(self, seq: int, by: Identity, target: object) -> str | None:
        if type(target) is not int or not 1 <= target < seq:
            return f"confirms {target!r}, which is not an earlier record of the case"
        if target in self.confirmed:
            return f"confirms record {target}, already confirmed by record {self.confirmed[target]}"
        acted = self.pending.get(target)
        if acted is None:
            return f"confirms record {target}, which was not recorded on anyone's behalf"
        if acted[0] != by:
            return (
                f"confirms record {target}, made on behalf of {_shown(acted[0])}, "
                f"but is signed by {_shown(by)}"
            )
        del self.pending[target]
        self.confirmed[target] = seq
        return None

    def findings(self) -> Iterator[Finding]:
        """``acted_on_behalf_unconfirmed`` for each on-behalf record left unconfirmed."""
        for seq, (by, keyed) in sorted(self.pending.items()):
            yield Finding(
                UNCONFIRMED_KIND,
                f"record {seq} was made on behalf of {_shown(by)} by {_shown(keyed)}, "
                f"and {_shown(by)} has not confirmed it",
                seq,
            )
