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
  ``confirms`` names an earlier record of the case that is either on-behalf
  with a ``by`` of the same identity, or a transfer or booking whose ``to``
  has that identity (a receipt confirmation: the receiver signs nothing
  else), and that this identity has not confirmed before.
* ``receipt.recorded`` is always on-behalf (the sender records the recipient's
  receipt), and is confirmed by the recipient's cosignature inside it, which
  B15 checks: it never awaits a ``record.confirmed``.

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
from casefile.verifier._redaction_codes import DECISION_TYPE, ERASURE_TYPE, WITHDRAWAL_TYPE

__all__ = [
    "ACTOR_TYPES",
    "CONFIRMATION_TYPE",
    "COSIGNED_RECEIPT_TYPE",
    "RECEIPT_TYPES",
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
#: The record type of a recipient's receipt, confirmed by its own cosignature (B15).
COSIGNED_RECEIPT_TYPE: Final = "receipt.recorded"
#: Record types that hand an exhibit to ``to``, who may confirm the receipt.
RECEIPT_TYPES: Final = frozenset({"exhibit.transferred", "exhibit.booked"})
#: The finding kind of an on-behalf record that its actor has not confirmed.
UNCONFIRMED_KIND: Final = "acted_on_behalf_unconfirmed"

_CUSTODY_KINDS: Final = (
    "located", "seized", "produced", "packaged", "booked", "transferred", "seal_opened",
    "resealed", "examined", "imaged", "derived", "accessed", "fixity_checked", "disclosed",
    "produced_in_court", "retention_reviewed", "returned", "destroyed", "lost", "damaged",
)  # fmt: skip

# The prosecution case file (FORMAT.md §10.4): suspects, offences, charging, court, unused
# material, the case summary, victims and missing persons. Each names who acted.
_PROSECUTION_TYPES: Final = (
    "suspect.identified", "suspect.arrested", "suspect.attended_voluntarily",
    "interview.recorded", "offence.alleged", "offence.charged", "charging.requested",
    "charging.decided", "bail.recorded", "hearing.listed", "unused.item_recorded",
    "unused.scheduled", "unused.decided", "case_summary.written", "vps.recorded",
    "witness_care.assessed", "missing.risk_reviewed", "missing.sighting_recorded",
    "missing.enquiry_recorded", "missing.found",
)  # fmt: skip

#: Record types whose payload names an actor (``by``, ``recorded_by``), with their schemas.
ACTOR_TYPES: Final[Mapping[str, frozenset[int]]] = {
    **{f"exhibit.{kind}": frozenset({1}) for kind in _CUSTODY_KINDS},
    "evidence.captured": frozenset({1}),
    "statement.recorded": frozenset({1}),
    "case.handed_over": frozenset({1, 2}),
    "record.corrected": frozenset({1}),
    DECISION_TYPE: frozenset({1}),
    WITHDRAWAL_TYPE: frozenset({1}),
    ERASURE_TYPE: frozenset({1}),
    CONFIRMATION_TYPE: frozenset({1}),
    COSIGNED_RECEIPT_TYPE: frozenset({1}),
    **{name: frozenset({1}) for name in _PROSECUTION_TYPES},
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
    """V15 over one case's records in order: the actor rule and the confirmations.

    :meth:`check` judges a record and holds what it adds; :meth:`keep` adds it
    once the record has passed every step (FORMAT.md §8, V15: a confirmation
    names only a record that passed every step, V14 included).
    """

    #: On-behalf records not yet confirmed: seq -> (actor, recorder).
    pending: dict[int, tuple[Identity, Identity]] = field(default_factory=dict)
    #: Transfers and bookings whose receiver has not confirmed them: seq -> receiver.
    receipts: dict[int, Identity] = field(default_factory=dict)
    #: Confirmations: (confirmed seq, identity that confirmed) -> seq of the confirmation.
    confirmed: dict[tuple[int, Identity], int] = field(default_factory=dict)
    #: What the last checked record adds, until :meth:`keep`.
    _held: tuple[int, Identity, Identity | None, Identity | None, int | None] | None = None

    def check(
        self, seq: int, event_type: str, data: Mapping[str, Any] | None, holder: Holder
    ) -> str | None:
        """Why record ``seq`` breaks V15, or None; holds what it adds until :meth:`keep`."""
        self._held = None
        if data is None:
            return "the payload was not read"
        problem = actor_problem(event_type, data, holder)
        if problem is not None:
            return problem
        by = person_identity(data["by"])
        if by is None:  # actor_problem refused it already
            return "by is not a person map"
        if event_type == CONFIRMATION_TYPE:
            problem = self._confirmable(seq, by, data.get("confirms"))
            if problem is None:
                self._held = (seq, by, None, None, data["confirms"])
            return problem
        keyed = person_identity(data["recorded_by"])
        if event_type == COSIGNED_RECEIPT_TYPE:
            if keyed is None:
                return "a receipt is recorded by the sender for the recipient, never by them"
            keyed = None  # confirmed by its cosignature (B15), never by record.confirmed
        to = person_identity(data.get("to")) if event_type in RECEIPT_TYPES else None
        self._held = (seq, by, keyed, to, None)
        return None

    def keep(self, seq: int) -> None:
        """Add what record ``seq``, checked last, says: it passed every step."""
        held, self._held = self._held, None
        if held is None or held[0] != seq:
            return
        seq, by, keyed, to, target = held
        if target is not None:
            self._confirm(seq, by, target)
            return
        if keyed is not None:
            self.pending[seq] = (by, keyed)
        if to is not None:
            self.receipts[seq] = to

    def _confirmable(self, seq: int, by: Identity, target: object) -> str | None:
        if type(target) is not int or not 1 <= target < seq:
            return f"confirms {target!r}, which is not an earlier record of the case"
        done = self.confirmed.get((target, by))
        if done is not None:
            return f"confirms record {target}, already confirmed by record {done} ({_shown(by)})"
        acted, receiver = self.pending.get(target), self.receipts.get(target)
        if (acted is not None and acted[0] == by) or receiver == by:
            return None
        if acted is None and receiver is None:
            return (
                f"confirms record {target}, which was not recorded on anyone's behalf "
                "and is no transfer or booking awaiting its receiver's confirmation"
            )
        who = [_shown(i) for i in (None if acted is None else acted[0], receiver) if i is not None]
        return (
            f"confirms record {target}, which only {' or '.join(who)} may confirm, "
            f"but is signed by {_shown(by)}"
        )

    def _confirm(self, seq: int, by: Identity, target: int) -> None:
        # One confirmation answers for both parts a person has in the record
        # (an on-behalf transfer to its own actor): (record, identity) is the unit.
        acted = self.pending.get(target)
        if acted is not None and acted[0] == by:
            del self.pending[target]
        if self.receipts.get(target) == by:
            del self.receipts[target]
        self.confirmed[(target, by)] = seq

    def findings(self) -> Iterator[Finding]:
        """``acted_on_behalf_unconfirmed`` for each on-behalf record left unconfirmed."""
        for seq, (by, keyed) in sorted(self.pending.items()):
            yield Finding(
                UNCONFIRMED_KIND,
                f"record {seq} was made on behalf of {_shown(by)} by {_shown(keyed)}, "
                f"and {_shown(by)} has not confirmed it",
                seq,
            )
