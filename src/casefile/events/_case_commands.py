"""Commands of the case log: reports, notes, status, corrections, handovers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from casefile.errors import (
    ActorMismatchError,
    InvalidCommandError,
    NoteError,
    UnknownReferenceError,
)
from casefile.events._case_events import (
    CrimeReportRecorded,
    HandedOver,
    NoteAdded,
    RecordConfirmed,
    RecordCorrected,
    StatusChanged,
)
from casefile.events._corrections import correction_fields
from casefile.events._custody_values import Custodian
from casefile.events._recording import RecordingBase
from casefile.events._values import (
    MAX_LONG_TEXT,
    CaseStatus,
    Instant,
    check_choice,
    check_not_before,
    check_text,
    check_time,
)
from casefile.signing._checkpoint import parse_checkpoint_body
from casefile.verifier._redaction_codes import Audience

__all__ = ["CaseLogCommands"]


class CaseLogCommands(RecordingBase):
    """Crime reports, notes, status changes, corrections and handovers."""

    def record_crime_report(
        self,
        *,
        offence: str,
        summary: str,
        location: str,
        occurred_from: Instant | None = None,
        occurred_to: Instant | None = None,
        reported_by: uuid.UUID | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record a crime report; ``reported_by`` names a person already in the case."""
        self._require_open()
        start = None if occurred_from is None else check_time(occurred_from, "occurred_from")
        end = None if occurred_to is None else check_time(occurred_to, "occurred_to")
        check_not_before(start, end, "occurred_from", "occurred_to")
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

    def add_note(self, *, text: str, at: Instant | None = None) -> int:
        """Add a free-text note to the case log."""
        self._require_open()
        return self._record(
            NoteAdded, at, {"text": check_text(text, "text", max_length=MAX_LONG_TEXT)}
        )

    def change_status(
        self, *, status: CaseStatus | str, reason: str, at: Instant | None = None
    ) -> int:
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
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Correct record ``seq``, append-only: corrected payload and/or personal fields.

        Key fields (ids, references, hashes) cannot be corrected; corrections
        are not corrected themselves (correct the original record again); a
        corrected value passes the checks of the command that wrote the field;
        what a witness signed is never corrected (:class:`StatementSignedError`:
        record a further statement). ``by`` corrects it: by default the bound signer.
        """
        self._require_open()
        if type(seq) is not int or not 1 <= seq <= self._version:
            raise UnknownReferenceError(
                f"record {seq!r} does not exist (case {self._id} has {self._version})", field="seq"
            )
        target = self._classes[seq - 1]
        data, people, texts = correction_fields(target, fields or {}, personal or {})
        target.check_correction_of(self, seq, {**data, **texts})
        checked_reason = check_text(reason, "reason", max_length=MAX_LONG_TEXT)
        _, acting = self._acting(by)
        fields = {
            **acting,
            "corrects": seq,
            "correction_reason": checked_reason,
            "fields": data,
            "texts": texts,
        }
        return self._record(RecordCorrected, at, fields, people)

    def confirm(self, *, seq: int, at: Instant | None = None) -> int:
        """Confirm, as the bound signer, record ``seq``: an act recorded on their behalf,
        or a transfer or booking of an exhibit to them (the receipt).

        Only the person the act names, or the receiver the transfer or booking
        names, may confirm it, with their own key, and only once each; until
        then it is not told in their words in continuity statements. Allowed
        on a closed case: a confirmation adds no new fact.
        """
        if type(seq) is not int or not 1 <= seq <= self._version:
            raise UnknownReferenceError(
                f"record {seq!r} does not exist (case {self._id} has {self._version})", field="seq"
            )
        me = self._actor
        if me is None:
            raise InvalidCommandError(
                "seq", "a confirmation is made by the actor's own key: bind the signer first"
            )
        actor, receiver = self._on_behalf.get(seq), self._receipts.get(seq)
        if actor is None and receiver is None:
            raise InvalidCommandError(
                "seq",
                f"record {seq} was not recorded on anyone's behalf and hands no exhibit to anyone",
            )
        parts = {
            who: done
            for who, done in (
                (actor, self._confirmations.get(seq)),
                (receiver, self._receipt_confirmations.get(seq)),
            )
            if who is not None
        }
        if me.identity not in parts:
            what = "recorded on behalf of" if receiver is None else "to be confirmed by"
            raise ActorMismatchError(
                f"record {seq} was {what} {' or '.join(', '.join(p) for p in parts)}: only they "
                f"may confirm it, not {me.describe()}"
            )
        done = parts[me.identity]
        if done is not None:
            raise InvalidCommandError("seq", f"record {seq} was already confirmed by record {done}")
        fields = {"by": me.to_data(), "confirms": seq, "recorded_by": None}
        return self._record(RecordConfirmed, at, fields)

    def record_handover(
        self,
        *,
        recipient: str,
        checkpoint: str,
        audience: Audience | str | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record that the case is handed to ``recipient`` for ``audience`` (None: for no
        audience), with ``checkpoint``, the signed note over exactly the records before this one.

        ``by`` handed it over: by default the bound signer (see ``bind_actor``).
        The note's signature is the caller's to check (the application checks it
        against its trust store); its size must be the number of records so far.
        """
        self._require_open()
        note = check_text(checkpoint, "checkpoint", max_length=16 * 1024)
        try:
            size = parse_checkpoint_body(note.split("\n\n", 1)[0] + "\n").size
        except NoteError as exc:
            raise InvalidCommandError("checkpoint", f"not a checkpoint note: {exc}") from None
        if size != self._version:
            raise InvalidCommandError(
                "checkpoint",
                f"covers {size} records; a handover names the {self._version} records before it",
            )
        chosen = None if audience is None else check_choice(Audience, audience, "audience")
        _, acting = self._acting(by)
        fields = {
            **acting,
            "recipient": check_text(recipient, "recipient"),
            "audience": chosen,
            "checkpoint": note,
        }
        return self._record(HandedOver, at, fields)
