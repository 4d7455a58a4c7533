"""Events of a case's life: opening, reports, notes, status, corrections, handovers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, cast

from eventsourcing.domain import TAggregate

from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events._base import CaseEvent
from casefile.events._correction_checks import (
    CorrectionCheck,
    check_long,
    check_optional_time,
    check_person_ref,
    check_short,
    choice_of,
)
from casefile.events._custody_values import Custodian
from casefile.events._registry import register
from casefile.events._values import CaseKind, ReportingChannel, check_not_before

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "CaseOpened",
    "CaseOpenedV1",
    "CaseOpening",
    "CrimeReportRecorded",
    "HandedOver",
    "HandedOverV1",
    "HandingOver",
    "NoteAdded",
    "RecordConfirmed",
    "RecordCorrected",
    "StatusChanged",
    "check_person_of",
]


def check_person_of(aggregate: Any, fields: Mapping[str, Any], name: str) -> None:
    """Refuse a corrected ``name`` (a person id in record form) naming nobody of the case."""
    value = fields.get(name)
    if value is not None and uuid.UUID(bytes=value) not in aggregate.people:
        raise UnknownReferenceError(
            f"no person {uuid.UUID(bytes=value)} in case {aggregate.id}", field=f"fields.{name}"
        )


class CaseOpening(CaseEvent):
    """What both schemas of ``case.opened`` share: the one event that creates the aggregate."""

    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"reference"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "offence": check_short,
        "channel": choice_of(ReportingChannel),
    }

    reference: str
    offence: str | None
    channel: str

    def mutate(self, aggregate: TAggregate | None) -> TAggregate | None:
        """Begin the case: the one event that creates the aggregate."""
        if aggregate is not None:
            raise TypeError("a case is opened only once")
        # Imported here: the aggregate module imports this one.
        from casefile.events._investigation import Investigation

        return cast("TAggregate", Investigation._start(self))

    @property
    def case_kind(self) -> str:
        """The :class:`CaseKind` value of the case this record opens."""
        return CaseKind.CRIME.value

    def apply(self, aggregate: Investigation) -> None:
        aggregate._reference = self.reference
        aggregate._kind = self.case_kind
        aggregate._offence = self.offence
        aggregate._channel = self.channel
        aggregate._opened_ns = self.time_ns

    @classmethod
    def apply_correction(
        cls, aggregate: Investigation, seq: int, fields: Mapping[str, Any]
    ) -> None:
        if "offence" in fields:
            aggregate._offence = fields["offence"]
        if "channel" in fields:
            aggregate._channel = fields["channel"]


@register
class CaseOpenedV1(CaseOpening):
    """The first record of a case written before case kinds: always a crime, with its offence.

    Still read: a case opened with it is a crime case. New cases write :class:`CaseOpened`.
    """

    TYPE = "case.opened"
    SCHEMA = 1


@register
class CaseOpened(CaseOpening):
    """The first record of every case: its reference, kind, offence and how it was reported.

    A crime case names its offence; a missing-person case names none (``offence`` is None).
    """

    TYPE = "case.opened"
    SCHEMA = 2
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"reference", "kind"})

    kind: str

    @property
    def case_kind(self) -> str:
        return self.kind

    @classmethod
    def check_correction_of(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        # A missing-person case has no offence to correct; a crime keeps one (check_short).
        if "offence" in fields and aggregate.kind != CaseKind.CRIME:
            raise InvalidCommandError("fields.offence", f"a {aggregate.kind} case names no offence")


@register
class CrimeReportRecorded(CaseEvent):
    """A crime report: what happened, where, when, and who reported it (a person id)."""

    TYPE = "crime_report.recorded"
    ORDERED_FIELDS = (("occurred_from", "occurred_to"),)
    UUID_FIELDS = ("reported_by",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"summary", "location"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "offence": check_short,
        "summary": check_long,
        "location": check_short,
        "occurred_from": check_optional_time,
        "occurred_to": check_optional_time,
        "reported_by": check_person_ref,
    }

    offence: str
    summary: str
    location: str
    occurred_from: int | None
    occurred_to: int | None
    reported_by: uuid.UUID | None

    def apply(self, aggregate: Investigation) -> None:
        aggregate._reports.append(self.originator_version)

    @classmethod
    def check_correction_of(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        check_person_of(aggregate, fields, "reported_by")


@register
class NoteAdded(CaseEvent):
    """A free-text note in the case log."""

    TYPE = "note.added"
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"text"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {"text": check_long}

    text: str

    def apply(self, aggregate: Investigation) -> None:
        pass


@register
class StatusChanged(CaseEvent):
    """A change of the case's status, with the reason for it."""

    TYPE = "case.status_changed"
    # A status is changed by a further status record, never corrected.
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"status"})
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"reason"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {"reason": check_long}

    status: str
    reason: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._status = self.status


@register
class RecordCorrected(CaseEvent):
    """An append-only correction of an earlier record of the case.

    ``corrects`` is the sequence number corrected; ``fields`` holds corrected
    payload fields in record form, ``personal`` corrected personal fields
    (committed like any other personal data), and ``texts`` corrected text
    fields (committed as text under the corrected field's name). Its own
    reason is the text ``correction_reason``. A loaded correction holds no
    texts: its committed names, text or personal, are all in ``personal``.
    """

    TYPE = "record.corrected"
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"corrects", "fields", "by", "recorded_by"})
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"correction_reason"})
    NOT_DATA: ClassVar[frozenset[str]] = frozenset({"texts"})

    by: dict[str, str]
    recorded_by: dict[str, str] | None
    corrects: int
    correction_reason: str
    fields: dict[str, Any]
    texts: dict[str, str]

    def text_values(self) -> dict[str, str]:
        # A corrected text is committed even when empty: its absence would say
        # the field was not corrected.
        return {**self.texts, **super().text_values()}

    @classmethod
    def loaded_texts(cls, committed: frozenset[str] | tuple[str, ...]) -> dict[str, Any]:
        return {**super().loaded_texts(committed), "texts": {}}

    def apply(self, aggregate: Investigation) -> None:
        target = aggregate.record_type(self.corrects)
        span = aggregate._spans.get(self.corrects)
        if span is not None:
            # Checked here, before anything changes, so that a command and a load
            # refuse alike an end corrected to before its start (or a start after its end).
            span = {**span, **{k: v for k, v in self.fields.items() if k in span}}
            for start, end in target.ORDERED_FIELDS:
                check_not_before(span[start], span[end], start, f"fields.{end}")
            aggregate._spans[self.corrects] = span
        aggregate._corrections.setdefault(self.corrects, []).append(self.originator_version)
        target.apply_correction(aggregate, self.corrects, self.fields)


class HandingOver(CaseEvent):
    """What both schemas of ``case.handed_over`` share: the case given to a recipient."""

    # The note handed over was checked against the case when it was recorded.
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"checkpoint", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {"recipient": check_short}

    by: dict[str, str]
    recorded_by: dict[str, str] | None
    recipient: str
    checkpoint: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._handovers.append(self.originator_version)


@register
class HandedOverV1(HandingOver):
    """A handover recorded before handovers named their audience: a signed checkpoint note
    of some earlier state of the case, given to ``recipient``. Still read; new handovers
    write :class:`HandedOver`."""

    TYPE = "case.handed_over"
    SCHEMA = 1


@register
class HandedOver(HandingOver):
    """The case handed to ``recipient`` for ``audience`` (None: no audience's redactions).

    ``checkpoint`` is the signed checkpoint note over exactly the records before
    this one; the bundle handed over ends with this record (docs/FORMAT.md B13).
    """

    TYPE = "case.handed_over"
    SCHEMA = 2
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"checkpoint", "by", "recorded_by", "audience"}
    )
    # Later handovers to the same recipient are linked by its name (B14): a
    # correction of it would unlink them, so a handover's recipient stays as signed.
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {}

    audience: str | None


@register
class RecordConfirmed(CaseEvent):
    """``by`` confirms, with their own key, record ``confirms``: an act recorded on their behalf,
    or a transfer or booking of an exhibit to them (a receipt).

    ``recorded_by`` is always nil: a confirmation is never made for someone else.
    """

    TYPE = "record.confirmed"
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"by", "confirms", "recorded_by"})

    by: dict[str, str]
    confirms: int
    recorded_by: None

    def apply(self, aggregate: Investigation) -> None:
        # The same person may have two parts in one record (an on-behalf
        # transfer to its own actor): one confirmation answers for both.
        me, seq = Custodian.from_data(self.by).identity, self.confirms
        if aggregate._on_behalf.get(seq) == me:
            aggregate._confirmations[seq] = self.originator_version
        if aggregate._receipts.get(seq) == me:
            aggregate._receipt_confirmations[seq] = self.originator_version
