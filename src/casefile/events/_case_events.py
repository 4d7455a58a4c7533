"""Events of a case's life: opening, reports, notes, status, corrections, handovers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, cast

from eventsourcing.domain import TAggregate

from casefile.events._base import CaseEvent
from casefile.events._registry import register
from casefile.events._values import ReportingChannel, check_choice, check_text

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "CaseOpened",
    "CrimeReportRecorded",
    "HandedOver",
    "MissingPersonReportRecorded",
    "NoteAdded",
    "RecordCorrected",
    "StatusChanged",
]


@register
class CaseOpened(CaseEvent):
    """The first record of every case: its reference, offence and how it was reported."""

    TYPE = "case.opened"
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"reference"})

    reference: str
    offence: str
    channel: str

    def mutate(self, aggregate: TAggregate | None) -> TAggregate | None:
        """Begin the case: the one event that creates the aggregate."""
        if aggregate is not None:
            raise TypeError("a case is opened only once")
        # Imported here: the aggregate module imports this one.
        from casefile.events._investigation import Investigation

        return cast("TAggregate", Investigation._start(self))

    def apply(self, aggregate: Investigation) -> None:
        aggregate._reference = self.reference
        aggregate._offence = self.offence
        aggregate._channel = self.channel
        aggregate._opened_ns = self.time_ns

    @classmethod
    def check_correction(cls, fields: Mapping[str, Any]) -> None:
        if "offence" in fields:
            check_text(fields["offence"], "fields.offence")
        if "channel" in fields:
            check_choice(ReportingChannel, fields["channel"], "fields.channel")

    @classmethod
    def apply_correction(
        cls, aggregate: Investigation, seq: int, fields: Mapping[str, Any]
    ) -> None:
        if "offence" in fields:
            aggregate._offence = fields["offence"]
        if "channel" in fields:
            aggregate._channel = fields["channel"]


@register
class CrimeReportRecorded(CaseEvent):
    """A crime report: what happened, where, when, and who reported it (a person id)."""

    TYPE = "crime_report.recorded"
    UUID_FIELDS = ("reported_by",)

    offence: str
    summary: str
    location: str
    occurred_from: int | None
    occurred_to: int | None
    reported_by: uuid.UUID | None

    def apply(self, aggregate: Investigation) -> None:
        aggregate._reports.append(self.originator_version)


@register
class MissingPersonReportRecorded(CaseEvent):
    """A missing-person report about a person of the case, with its risk grading."""

    TYPE = "missing_person_report.recorded"
    UUID_FIELDS = ("person_id",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id"})

    person_id: uuid.UUID
    risk: str
    last_seen_at: int
    last_seen_place: str
    circumstances: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._reports.append(self.originator_version)


@register
class NoteAdded(CaseEvent):
    """A free-text note in the case log."""

    TYPE = "note.added"

    text: str

    def apply(self, aggregate: Investigation) -> None:
        pass


@register
class StatusChanged(CaseEvent):
    """A change of the case's status, with the reason for it."""

    TYPE = "case.status_changed"
    # A status is changed by a further status record, never corrected.
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"status"})

    status: str
    reason: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._status = self.status


@register
class RecordCorrected(CaseEvent):
    """An append-only correction of an earlier record of the case.

    ``corrects`` is the sequence number corrected; ``fields`` holds corrected
    payload fields in record form, and ``personal`` corrected personal fields
    (committed like any other personal data).
    """

    TYPE = "record.corrected"
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"corrects", "reason", "fields"})

    corrects: int
    reason: str
    fields: dict[str, Any]

    def apply(self, aggregate: Investigation) -> None:
        aggregate._corrections.setdefault(self.corrects, []).append(self.originator_version)
        target = aggregate.record_type(self.corrects)
        target.apply_correction(aggregate, self.corrects, self.fields)


@register
class HandedOver(CaseEvent):
    """The case handed to a recipient, with the signed checkpoint note given to them."""

    TYPE = "case.handed_over"

    recipient: str
    checkpoint: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._handovers.append(self.originator_version)
