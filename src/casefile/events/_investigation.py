"""The Investigation aggregate: one case, its rules, and the commands officers issue.

Each command checks its arguments and the case's invariants, then records one
event; nothing is stored until the application seals the pending events with
the acting officer's key. The invariants:

* nothing is recorded on a closed case but a reopening, what its
  exhibits still need in store (retention reviews, fixity checks, losses,
  damage, returns and destructions) and what decides its disclosure
  (redaction decisions, their withdrawal, erasures) (:class:`CaseClosedError`);
* a redaction or erasure names an earlier record, a field it commits, and
  runs inside that field's text; a withdrawal names an active decision;
* a signed statement never changes: only a correction or a further statement
  (:class:`StatementSignedError`);
* a crime case names its offence, a missing-person case none; unused
  items, schedule revisions and case summary versions are numbered by the
  commands, one more than the last; a missing person is found only once per
  report;
* exhibit references are well formed and unique in the case
  (:class:`DuplicateExhibitError`);
* commands name only people, statements and earlier records that exist
  (:class:`UnknownReferenceError`);
* an exhibit's custody is continuous: only its custodian handles it or hands
  it on (:class:`NotCustodianError`), a quoted seal is the one on record
  (:class:`SealMismatchError`), copies name their source's hash
  (:class:`ExhibitHashError`), and nothing follows its return or destruction
  but a correction (:class:`ExhibitDisposedError`);
* a suspect is identified once, and only an identified suspect is
  arrested, attends, is interviewed, is bailed or has an offence alleged;
  an offence is charged once, on a decision to charge that includes it or
  by the police; a request for a charging decision is decided once, and an
  offence awaits one request at a time; only a charged suspect is listed for
  a hearing; a point to prove cites earlier records of evidence;
* a record that names who acted names the holder of the key that signs it,
  or says it was keyed in on that person's behalf, to be confirmed only by
  them (:class:`ActorMismatchError`, raised when sealing or confirming).

Time and randomness come from the bound :class:`CommandContext`; every
command also takes ``at`` (ns since the epoch, UTC) to assert its own time.
Commands return the sequence number of their record, or the id they created.
The commands live in one mixin per subject; a new subject (exhibit custody,
say) is one more mixin here.
"""

from __future__ import annotations

import uuid

from eventsourcing.domain import Aggregate

from casefile.errors import InvalidCommandError
from casefile.events._capture import CaptureCommands, open_capture_event
from casefile.events._case_commands import CaseLogCommands
from casefile.events._case_events import CaseOpened, CaseOpening
from casefile.events._charging import ChargingCommands
from casefile.events._court import CourtCommands
from casefile.events._custody_commands import CustodyCommands
from casefile.events._evidence_commands import EvidenceCommands
from casefile.events._missing import MissingPersonCommands
from casefile.events._people_commands import PeopleCommands
from casefile.events._receipts import ReceiptCommands
from casefile.events._recording import DEFAULT_CONTEXT, NO_PERSONAL, CommandContext
from casefile.events._redaction import RedactionCommands
from casefile.events._summary import CaseSummaryCommands
from casefile.events._unused import UnusedMaterialCommands
from casefile.events._values import (
    CaseKind,
    Instant,
    ReportingChannel,
    check_choice,
    check_text,
    check_time,
    check_uuid,
)
from casefile.events._victims import VictimCommands

__all__ = ["Investigation"]


class Investigation(
    CaseLogCommands,
    PeopleCommands,
    EvidenceCommands,
    CustodyCommands,
    RedactionCommands,
    CourtCommands,
    ChargingCommands,
    UnusedMaterialCommands,
    CaseSummaryCommands,
    VictimCommands,
    MissingPersonCommands,
    ReceiptCommands,
    CaptureCommands,
    Aggregate,
):
    """One investigation: an append-only, signed event stream and the state it implies.

    Create one with :meth:`open`; load one through the application.
    """

    @classmethod
    def open(
        cls,
        *,
        reference: str,
        channel: ReportingChannel | str,
        kind: CaseKind | str = CaseKind.CRIME,
        offence: str | None = None,
        at: Instant | None = None,
        case_id: uuid.UUID | None = None,
        context: CommandContext = DEFAULT_CONTEXT,
    ) -> Investigation:
        """Open a new case; its first record is pending until saved.

        A crime case (``kind="crime"``) names its ``offence``; a missing-person
        case names none.
        """
        case_kind = check_choice(CaseKind, kind, "kind")
        if case_kind == CaseKind.CRIME:
            if offence is None:
                raise InvalidCommandError("offence", "a crime case names its offence")
            checked: str | None = check_text(offence, "offence")
        elif offence is not None:
            raise InvalidCommandError("offence", f"a {case_kind} case names no offence")
        else:
            checked = None
        fields = {
            "reference": check_text(reference, "reference", max_length=64),
            "kind": case_kind,
            "offence": checked,
            "channel": check_choice(ReportingChannel, channel, "channel"),
        }
        when = check_time(context.clock() if at is None else at, "at")
        case = check_uuid(case_id, "case_id") if case_id is not None else context.new_id()
        event = CaseOpened.new(case, 1, when, NO_PERSONAL, fields)
        aggregate = cls._start(event)
        aggregate._context = context
        aggregate._pending_events.append(event)
        return aggregate

    @classmethod
    def open_capture(
        cls,
        *,
        reference: str,
        device: str,
        kind: CaseKind | str = CaseKind.CRIME,
        target: uuid.UUID | None = None,
        at: Instant | None = None,
        stream_id: uuid.UUID | None = None,
        context: CommandContext = DEFAULT_CONTEXT,
    ) -> Investigation:
        """Open a capture stream for case ``target`` (None: a case whose reference is
        issued later; ``reference`` is then provisional), recorded on ``device``.

        The stream takes the same commands as a case; its first record is pending.
        """
        event = open_capture_event(
            reference=reference,
            device=device,
            kind=kind,
            target=target,
            at=at,
            stream_id=stream_id,
            context=context,
        )
        aggregate = cls._start(event)
        aggregate._context = context
        aggregate._pending_events.append(event)
        return aggregate

    @classmethod
    def _start(cls, event: CaseOpening) -> Investigation:
        aggregate = cls.__new__(cls)
        aggregate.__base_init__(event.originator_id, event.originator_version, event.timestamp)
        aggregate._init_state()
        aggregate._context = DEFAULT_CONTEXT
        aggregate._modified_ns = event.time_ns
        event.apply(aggregate)
        aggregate._classes.append(type(event))
        return aggregate
