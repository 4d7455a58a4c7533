"""The checks every custody command shares: who holds the exhibit, its seal, its time order.

The rules (each refused with its own :class:`~casefile.errors.DomainError`):

* a command names an exhibit the case holds (:class:`UnknownReferenceError`),
  and a new exhibit a reference not yet used (:class:`DuplicateExhibitError`);
* on a closed case, only what ends an exhibit's life or watches over it in
  store (retention review, fixity check, loss, damage, return, destruction)
  is recorded without a reopening (:class:`CaseClosedError`);
* nothing follows a return or destruction but a correction
  (:class:`ExhibitDisposedError`);
* only the current custodian handles an exhibit or hands it on
  (:class:`NotCustodianError`);
* a seal quoted must be the seal on record (:class:`SealMismatchError`), and a
  seal number is used once;
* a copy names its source's SHA-256 on record (:class:`ExhibitHashError`);
* an exhibit's events happen in order, and not after they are recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from casefile._time import ns_to_rfc3339
from casefile.errors import (
    CaseClosedError,
    DuplicateExhibitError,
    ExhibitDisposedError,
    InvalidCommandError,
    NotCustodianError,
    SealMismatchError,
    UnknownReferenceError,
)
from casefile.events._custody_event_base import CustodyEvent
from casefile.events._custody_values import (
    Custodian,
    ExhibitStatus,
    check_custody_reference,
)
from casefile.events._recording import NO_PERSONAL, RecordingBase
from casefile.events._state import ExhibitCustody
from casefile.events._values import MAX_LONG_TEXT, check_text, check_time

__all__ = ["CustodyAct", "CustodyRecording"]


@dataclass(frozen=True, slots=True)
class CustodyAct:
    """The checked common part of one custody command."""

    ref: str
    by: Custodian
    when: int
    effective: int
    common: Mapping[str, Any]

    @property
    def time_field(self) -> str:
        return "at" if self.common["occurred_at"] is None else "occurred_at"


class CustodyRecording(RecordingBase):
    """Shared checks and recording for the custody commands."""

    def _begin(
        self,
        exhibit: object,
        by: object,
        place: object,
        occurred_at: object,
        notes: object,
        at: object,
        *,
        after_closure: bool = False,
    ) -> CustodyAct:
        """Check the arguments every custody command shares.

        ``after_closure`` marks the work that outlives a closed case: exhibits
        wait in store to be returned or destroyed, reviewed and checked
        meanwhile, and a loss or damage found there is a fact to record.
        """
        if not after_closure and self.is_closed:
            raise CaseClosedError(
                f"case {self._id} is closed: until it is reopened, its exhibits may only be "
                "reviewed for retention, checked for fixity, reported lost or damaged, "
                "returned or destroyed"
            )
        ref = check_custody_reference(exhibit)
        who, acting = self._acting(by)
        when = check_time(self._context.clock() if at is None else at, "at")
        occurred = None if occurred_at is None else check_time(occurred_at, "occurred_at")
        if occurred is not None and occurred > when:
            raise InvalidCommandError(
                "occurred_at",
                f"{ns_to_rfc3339(occurred)} is later than the record's time {ns_to_rfc3339(when)}",
            )
        common = {
            "exhibit": ref,
            **acting,
            "place": check_text(place, "place"),
            "occurred_at": occurred,
            "notes": check_text(notes, "notes", max_length=MAX_LONG_TEXT, allow_empty=True),
        }
        return CustodyAct(ref, who, when, when if occurred is None else occurred, common)

    def _existing(self, act: CustodyAct, *, handles: str | None = None) -> ExhibitCustody:
        """The exhibit's state if it may take this event; ``handles`` names custodial work."""
        state = self._custody_state(act.ref)
        if state is None:
            raise UnknownReferenceError(f"no exhibit {act.ref} in case {self._id}", field="exhibit")
        self._check_not_disposed(act, state)
        self._check_order(act, state)
        if handles is not None:
            self._check_custodian(act, state, handles)
        return state

    def _check_not_disposed(self, act: CustodyAct, state: ExhibitCustody) -> None:
        if state.is_disposed:
            raise ExhibitDisposedError(
                f"exhibit {act.ref} was {state.status} (record {state.last_seq}): nothing may "
                "be recorded about it but a correction"
            )

    def _check_order(self, act: CustodyAct, state: ExhibitCustody) -> None:
        if act.effective < state.last_ns:
            raise InvalidCommandError(
                act.time_field,
                f"{ns_to_rfc3339(act.effective)} is earlier than exhibit {act.ref}'s last custody "
                f"event (record {state.last_seq} at {ns_to_rfc3339(state.last_ns)})",
            )

    def _check_custodian(self, act: CustodyAct, state: ExhibitCustody, verb: str) -> None:
        held = state.custodian
        if held is None:
            why = {
                ExhibitStatus.LOST: "it is recorded lost",
                ExhibitStatus.ACTIVE: "it was never seized or received",
            }.get(ExhibitStatus(state.status), state.status)
            raise NotCustodianError(
                f"nobody holds exhibit {act.ref} on record ({why}): {act.by.describe()} "
                f"cannot {verb} it before it is seized or received"
            )
        if not held.same_person(act.by):
            raise NotCustodianError(
                f"exhibit {act.ref} is held by {held.describe()}, not {act.by.describe()}: "
                f"only its custodian can {verb} it"
            )

    def _check_quoted_seal(self, act: CustodyAct, state: ExhibitCustody, seal: str) -> None:
        if not state.sealed:
            opened = f" (seal {state.seal} is open)" if state.seal is not None else ""
            raise InvalidCommandError("seal", f"exhibit {act.ref} is not sealed on record{opened}")
        if seal != state.seal:
            raise SealMismatchError(
                f"seal {seal!r} quoted for exhibit {act.ref}, but the seal on record is "
                f"{state.seal!r} (record {self._seals.get(state.seal or '', state.seq)})"
            )

    def _check_new_seal(self, seal: object, field: str) -> str:
        checked = check_text(seal, field, max_length=64)
        if checked in self._seals:
            raise InvalidCommandError(
                field,
                f"seal {checked} was used in record {self._seals[checked]}: seals are single-use",
            )
        return checked

    def _check_new_reference(self, value: object, field: str) -> str:
        ref = check_custody_reference(value, field)
        earlier = self._exhibit_seq(ref)
        if earlier is not None:
            raise DuplicateExhibitError(
                f"{field}: exhibit {ref} already exists in case {self._id} (record {earlier})"
            )
        return ref

    def _append(
        self,
        cls: type[CustodyEvent],
        act: CustodyAct,
        fields: Mapping[str, Any],
        personal: Mapping[str, Any] = NO_PERSONAL,
    ) -> int:
        return self._record(cls, act.when, {**act.common, **fields}, personal)
