"""The Investigation aggregate: one case, its rules, and the commands officers issue.

Each command checks its arguments and the case's invariants, then records one
event; nothing is stored until the application seals the pending events with
the acting officer's key. The invariants:

* nothing is recorded on a closed case but a reopening (:class:`CaseClosedError`);
* a signed statement never changes: only a correction or a further statement
  (:class:`StatementSignedError`);
* exhibit references are well formed and unique in the case
  (:class:`DuplicateExhibitError`);
* commands name only people, statements and earlier records that exist
  (:class:`UnknownReferenceError`).

Time and randomness come from the bound :class:`CommandContext`; every
command also takes ``at`` (ns since the epoch, UTC) to assert its own time.
Commands return the sequence number of their record, or the id they created.
"""

from __future__ import annotations

import os
import time
import types
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from eventsourcing.domain import Aggregate, OriginatorIDError, OriginatorVersionError

from casefile.errors import (
    CaseClosedError,
    DuplicateExhibitError,
    InvalidCommandError,
    StatementSignedError,
    UnknownReferenceError,
)
from casefile.events._base import CaseEvent
from casefile.events._case_events import (
    CaseOpened,
    CrimeReportRecorded,
    HandedOver,
    MissingPersonReportRecorded,
    NoteAdded,
    RecordCorrected,
    StatusChanged,
)
from casefile.events._corrections import correction_fields
from casefile.events._evidence_events import EvidenceCaptured
from casefile.events._people_events import PersonAdded, StatementRecorded, StatementSigned
from casefile.events._state import CaseState
from casefile.events._values import (
    MAX_LONG_TEXT,
    CaseStatus,
    EvidenceKind,
    PersonRole,
    ReportingChannel,
    RiskGrading,
    Signatory,
    check_choice,
    check_date,
    check_exhibit_reference,
    check_int,
    check_media_type,
    check_optional_text,
    check_sha256,
    check_text,
    check_time,
    check_uuid,
)

__all__ = ["DEFAULT_CONTEXT", "CommandContext", "Investigation"]

_NO_PERSONAL: Final[Mapping[str, Any]] = types.MappingProxyType({})


@dataclass(frozen=True, slots=True)
class CommandContext:
    """Where commands get the time (``clock``: ns since the epoch) and randomness (ids)."""

    clock: Callable[[], int] = time.time_ns
    random_bytes: Callable[[int], bytes] = os.urandom

    def new_id(self) -> uuid.UUID:
        """A random (version 4) UUID from :attr:`random_bytes`."""
        return uuid.UUID(bytes=self.random_bytes(16), version=4)


#: The system clock and the operating system's randomness.
DEFAULT_CONTEXT: Final = CommandContext()


class Investigation(CaseState, Aggregate):
    """One investigation: an append-only, signed event stream and the state it implies.

    Create one with :meth:`open`; load one through the application.
    """

    # --- life cycle -------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        reference: str,
        offence: str,
        channel: ReportingChannel | str,
        at: int | None = None,
        case_id: uuid.UUID | None = None,
        context: CommandContext = DEFAULT_CONTEXT,
    ) -> Investigation:
        """Open a new case; its first record is pending until saved."""
        fields = {
            "reference": check_text(reference, "reference", max_length=64),
            "offence": check_text(offence, "offence"),
            "channel": check_choice(ReportingChannel, channel, "channel"),
        }
        when = check_time(context.clock() if at is None else at, "at")
        case = check_uuid(case_id, "case_id") if case_id is not None else context.new_id()
        event = CaseOpened.new(case, 1, when, _NO_PERSONAL, fields)
        aggregate = cls._start(event)
        aggregate._context = context
        aggregate._pending_events.append(event)
        return aggregate

    @classmethod
    def _start(cls, event: CaseOpened) -> Investigation:
        aggregate = cls.__new__(cls)
        aggregate.__base_init__(event.originator_id, event.originator_version, event.timestamp)
        aggregate._init_state()
        aggregate._context = DEFAULT_CONTEXT
        event.apply(aggregate)
        aggregate._classes.append(CaseOpened)
        return aggregate

    def _evolve(self, event: CaseEvent) -> None:
        if event.originator_id != self._id:
            raise OriginatorIDError(event.originator_id, self._id)
        if event.originator_version != self._version + 1:
            raise OriginatorVersionError(event.originator_version, self._version + 1)
        event.apply(self)
        self._version = event.originator_version
        self._modified_on = event.timestamp
        self._classes.append(type(event))

    def bind_context(self, context: CommandContext) -> None:
        """Use ``context`` for the time and ids of later commands."""
        self._context = context

    def mark_sealed(self, version: int, head: bytes) -> None:
        """Record that events up to ``version`` are stored, the last with hash ``head``."""
        self._sealed_version = version
        self._head = head

    def _record(
        self,
        cls: type[CaseEvent],
        at: int | None,
        fields: Mapping[str, Any],
        personal: Mapping[str, Any] = _NO_PERSONAL,
    ) -> int:
        version = self._version + 1
        when = check_time(self._context.clock() if at is None else at, "at")
        event = cls.new(self._id, version, when, personal, fields)
        self._evolve(event)
        self._pending_events.append(event)
        return version

    def _require_open(self) -> None:
        if self._status == CaseStatus.CLOSED:
            raise CaseClosedError(
                f"case {self._id} is closed: nothing may be recorded but a reopening"
            )

    def _require_person(self, person_id: object, field: str) -> uuid.UUID:
        checked = check_uuid(person_id, field)
        if checked not in self._people:
            raise UnknownReferenceError(f"{field}: no person {checked} in case {self._id}")
        return checked

    # --- commands -----------------------------------------------------------

    def record_crime_report(
        self,
        *,
        offence: str,
        summary: str,
        location: str,
        occurred_from: int | None = None,
        occurred_to: int | None = None,
        reported_by: uuid.UUID | None = None,
        at: int | None = None,
    ) -> int:
        """Record a crime report; ``reported_by`` names a person already in the case."""
        self._require_open()
        start = None if occurred_from is None else check_time(occurred_from, "occurred_from")
        end = None if occurred_to is None else check_time(occurred_to, "occurred_to")
        if start is not None and end is not None and end < start:
            raise InvalidCommandError("occurred_to", "earlier than occurred_from")
        fields = {
            "offence": check_text(offence, "offence"),
            "summary": check_text(summary, "summary", max_length=MAX_LONG_TEXT),
            "location": check_text(location, "location"),
            "occurred_from": start,
            "occurred_to": end,
            "reported_by": None
            if reported_by is None
            else self._require_person(reported_by, "reported_by"),
        }
        return self._record(CrimeReportRecorded, at, fields)

    def record_missing_person_report(
        self,
        *,
        person_id: uuid.UUID,
        risk: RiskGrading | str,
        last_seen_at: int,
        last_seen_place: str,
        circumstances: str = "",
        at: int | None = None,
    ) -> int:
        """Record that a person of the case is missing, with the risk grading."""
        self._require_open()
        fields = {
            "person_id": self._require_person(person_id, "person_id"),
            "risk": check_choice(RiskGrading, risk, "risk"),
            "last_seen_at": check_time(last_seen_at, "last_seen_at"),
            "last_seen_place": check_text(last_seen_place, "last_seen_place"),
            "circumstances": check_text(
                circumstances, "circumstances", max_length=MAX_LONG_TEXT, allow_empty=True
            ),
        }
        return self._record(MissingPersonReportRecorded, at, fields)

    def add_person(
        self,
        *,
        role: PersonRole | str,
        name: str,
        date_of_birth: str | None = None,
        address: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        person_id: uuid.UUID | None = None,
        at: int | None = None,
    ) -> uuid.UUID:
        """Add a person in a role; every detail given is committed, never stored in clear."""
        self._require_open()
        new_id = self._context.new_id() if person_id is None else check_uuid(person_id, "person_id")
        if new_id in self._people:
            raise InvalidCommandError("person_id", f"{new_id} is already in the case")
        details = {
            "name": check_text(name, "name"),
            "date_of_birth": None if date_of_birth is None else check_date(date_of_birth),
            "address": check_optional_text(address, "address"),
            "phone": check_optional_text(phone, "phone", max_length=64),
            "email": check_optional_text(email, "email", max_length=320),
        }
        personal = {k: v for k, v in details.items() if v is not None}
        role_value = check_choice(PersonRole, role, "role")
        self._record(PersonAdded, at, {"person_id": new_id, "role": role_value}, personal)
        return new_id

    def record_statement(
        self,
        *,
        witness_id: uuid.UUID,
        declaration: str,
        body: str,
        taken_by: str,
        place: str,
        started_at: int,
        ended_at: int,
        over_18: bool = True,
        age: int | None = None,
        exhibits: Iterable[str] = (),
        statement_id: uuid.UUID | None = None,
        at: int | None = None,
    ) -> uuid.UUID:
        """Record a witness statement (MG11); give ``statement_id`` to redo an unsigned one."""
        self._require_open()
        if statement_id is None:
            new_id = self._context.new_id()
        else:
            new_id = check_uuid(statement_id, "statement_id")
            earlier = self._statements.get(new_id)
            if earlier is not None and earlier.is_signed:
                raise StatementSignedError(
                    f"statement {new_id} is signed and never changes: record a correction "
                    "or a further statement"
                )
            if earlier is not None and earlier.witness_id != witness_id:
                raise InvalidCommandError("witness_id", "differs from the statement's witness")
        if type(over_18) is not bool:
            raise InvalidCommandError("over_18", "expected True or False")
        if over_18 and age is not None:
            raise InvalidCommandError("age", "give the age only for a witness under 18")
        if not over_18 and (type(age) is not int or not 0 <= age < 18):
            raise InvalidCommandError("age", "a witness under 18 needs an age from 0 to 17")
        start, end = check_time(started_at, "started_at"), check_time(ended_at, "ended_at")
        if end < start:
            raise InvalidCommandError("ended_at", "earlier than started_at")
        refs = tuple(check_exhibit_reference(ref, "exhibits") for ref in exhibits)
        if len(set(refs)) != len(refs):
            raise InvalidCommandError("exhibits", "an exhibit is listed twice")
        fields = {
            "statement_id": new_id,
            "witness_id": self._require_person(witness_id, "witness_id"),
            "declaration": check_text(declaration, "declaration", max_length=MAX_LONG_TEXT),
            "over_18": over_18,
            "age": age,
            "taken_by": check_text(taken_by, "taken_by"),
            "place": check_text(place, "place"),
            "started_at": start,
            "ended_at": end,
            "body": check_text(body, "body", max_length=MAX_LONG_TEXT),
            "exhibits": refs,
        }
        self._record(StatementRecorded, at, fields)
        return new_id

    def sign_statement(
        self,
        *,
        statement_id: uuid.UUID,
        signatory: Signatory | str = Signatory.WITNESS,
        reader_name: str | None = None,
        reader_declaration: str | None = None,
        signature_sha256: bytes | None = None,
        at: int | None = None,
    ) -> int:
        """Record that the witness, or a reader on their behalf, signed the statement."""
        self._require_open()
        statement = self._statements.get(check_uuid(statement_id, "statement_id"))
        if statement is None:
            raise UnknownReferenceError(f"statement_id: no statement {statement_id} in the case")
        if statement.is_signed:
            raise StatementSignedError(
                f"statement {statement_id} was signed in record {statement.signed_seq}"
            )
        who = check_choice(Signatory, signatory, "signatory")
        personal: dict[str, Any] = {}
        if who == Signatory.READER:
            personal["reader_name"] = check_text(reader_name, "reader_name")
            declaration: str | None = check_text(
                reader_declaration, "reader_declaration", max_length=MAX_LONG_TEXT
            )
        elif reader_name is not None or reader_declaration is not None:
            raise InvalidCommandError("reader_name", "only a reader's signature names a reader")
        else:
            declaration = None
        fields = {
            "statement_id": statement.statement_id,
            "signatory": who,
            "reader_declaration": declaration,
            "signature_sha256": None
            if signature_sha256 is None
            else check_sha256(signature_sha256, "signature_sha256"),
        }
        return self._record(StatementSigned, at, fields, personal)

    def capture_evidence(
        self,
        *,
        exhibit: str,
        kind: EvidenceKind | str,
        sha256: bytes,
        size: int,
        media_type: str,
        device: str,
        location: str,
        captured_at: int,
        description: str = "",
        produced_by: uuid.UUID | None = None,
        at: int | None = None,
    ) -> int:
        """Record a captured evidence item under a new exhibit reference such as ``JS/1``."""
        self._require_open()
        ref = check_exhibit_reference(exhibit)
        if ref in self._exhibits:
            raise DuplicateExhibitError(
                f"exhibit {ref} already exists in case {self._id} (record "
                f"{self._exhibits[ref].seq})"
            )
        fields = {
            "exhibit": ref,
            "kind": check_choice(EvidenceKind, kind, "kind"),
            "sha256": check_sha256(sha256, "sha256"),
            "size": check_int(size, "size", minimum=0),
            "media_type": check_media_type(media_type),
            "device": check_text(device, "device"),
            "location": check_text(location, "location"),
            "captured_at": check_time(captured_at, "captured_at"),
            "description": check_text(
                description, "description", max_length=MAX_LONG_TEXT, allow_empty=True
            ),
            "produced_by": None
            if produced_by is None
            else self._require_person(produced_by, "produced_by"),
        }
        return self._record(EvidenceCaptured, at, fields)

    def add_note(self, *, text: str, at: int | None = None) -> int:
        """Add a free-text note to the case log."""
        self._require_open()
        return self._record(
            NoteAdded, at, {"text": check_text(text, "text", max_length=MAX_LONG_TEXT)}
        )

    def change_status(self, *, status: CaseStatus | str, reason: str, at: int | None = None) -> int:
        """Move the case to ``status``; a closed case can only be reopened."""
        new = check_choice(CaseStatus, status, "status")
        if new == CaseStatus.REOPENED:
            if self._status != CaseStatus.CLOSED:
                raise InvalidCommandError("status", "only a closed case can be reopened")
        else:
            self._require_open()
            if new == self._status:
                raise InvalidCommandError("status", f"the case is already {new}")
        fields = {"status": new, "reason": check_text(reason, "reason", max_length=MAX_LONG_TEXT)}
        return self._record(StatusChanged, at, fields)

    def correct(
        self,
        *,
        seq: int,
        reason: str,
        fields: Mapping[str, Any] | None = None,
        personal: Mapping[str, Any] | None = None,
        at: int | None = None,
    ) -> int:
        """Correct record ``seq``, append-only: corrected payload and/or personal fields.

        Key fields (ids, references, hashes) cannot be corrected; corrections
        are not corrected themselves (correct the original record again).
        """
        self._require_open()
        if type(seq) is not int or not 1 <= seq <= self._version:
            raise UnknownReferenceError(
                f"seq: record {seq!r} does not exist (case {self._id} has {self._version})"
            )
        data, people = correction_fields(self._classes[seq - 1], fields or {}, personal or {})
        checked_reason = check_text(reason, "reason", max_length=MAX_LONG_TEXT)
        return self._record(
            RecordCorrected, at, {"corrects": seq, "reason": checked_reason, "fields": data}, people
        )

    def record_handover(self, *, recipient: str, checkpoint: str, at: int | None = None) -> int:
        """Record that the case was handed to ``recipient`` with the signed ``checkpoint`` note."""
        self._require_open()
        fields = {
            "recipient": check_text(recipient, "recipient"),
            "checkpoint": check_text(checkpoint, "checkpoint", max_length=16 * 1024),
        }
        return self._record(HandedOver, at, fields)
