"""Missing persons: the report, risk reviews, sightings, lines of enquiry, and the finding.

A person is missing from their latest missing-person report until a
``missing.found`` record follows it; reviews, sightings and enquiries name a
person with a report. The risk grading is that of the latest report or review
(as last corrected). Every record but the report names who acted (``by``).
"""

from __future__ import annotations

import dataclasses
import types
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events._base import CaseEvent
from casefile.events._correction_checks import (
    CorrectionCheck,
    check_long,
    check_long_maybe_empty,
    check_optional_time,
    check_short,
    choice_of,
)
from casefile.events._custody_values import Custodian
from casefile.events._recording import RecordingBase
from casefile.events._registry import register
from casefile.events._values import (
    EnquiryStatus,
    Instant,
    MissingOutcome,
    RiskGrading,
    check_choice,
    check_not_before,
    check_text,
    check_time,
)

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "MissingEnquiryRecorded",
    "MissingFound",
    "MissingPerson",
    "MissingPersonCommands",
    "MissingPersonReportRecorded",
    "MissingRiskReviewed",
    "MissingSightingRecorded",
]


@dataclass(frozen=True, slots=True)
class MissingPerson:
    """A person reported missing, as the records tell it.

    ``report_seq`` is their latest missing-person report; ``risk`` the grading
    of record ``risk_seq`` (that report or a later review, as last corrected),
    with the ``next_review`` it set (ns, or None); ``found_seq`` the
    ``missing.found`` record that ended the latest report, or None while missing.
    """

    person_id: uuid.UUID
    report_seq: int
    risk: str
    risk_seq: int
    next_review: int | None
    found_seq: int | None

    @property
    def is_missing(self) -> bool:
        """True from the latest report until they are found."""
        return self.found_seq is None


def _graded(aggregate: Investigation, seq: int, fields: Mapping[str, Any]) -> None:
    """Reflect a corrected risk (or next review) of record ``seq`` if it sets the grading."""
    for person_id, state in aggregate._missing.items():
        if state.risk_seq == seq:
            changes = {k: fields[k] for k in ("risk", "next_review") if k in fields}
            aggregate._missing[person_id] = dataclasses.replace(state, **changes)


def _tracked(aggregate: Investigation, person_id: uuid.UUID, what: str) -> MissingPerson:
    state = aggregate._missing.get(person_id)
    if state is None:
        # Commands refuse this; an authentic record that does so is refused on load.
        raise ValueError(f"{what} names {person_id}, who was never reported missing")
    return state


@register
class MissingPersonReportRecorded(CaseEvent):
    """A missing-person report about a person of the case, with its risk grading."""

    TYPE = "missing_person_report.recorded"
    UUID_FIELDS = ("person_id",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"circumstances", "last_seen_place"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "risk": choice_of(RiskGrading),
        "last_seen_at": check_time,
        "last_seen_place": check_short,
        "circumstances": check_long_maybe_empty,
    }

    person_id: uuid.UUID
    risk: str
    last_seen_at: int
    last_seen_place: str
    circumstances: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._reports.append(self.originator_version)
        seq = self.originator_version
        aggregate._missing[self.person_id] = MissingPerson(
            self.person_id, seq, self.risk, seq, None, None
        )

    @classmethod
    def apply_correction(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        _graded(aggregate, seq, fields)


@register
class MissingRiskReviewed(CaseEvent):
    """A supervisor's review of a missing person's risk grading, and when to review it next."""

    TYPE = "missing.risk_reviewed"
    UUID_FIELDS = ("person_id",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"reasons"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "risk": choice_of(RiskGrading),
        "next_review": check_optional_time,
        "reasons": check_long,
    }

    person_id: uuid.UUID
    risk: str
    next_review: int | None
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    reasons: str

    def apply(self, aggregate: Investigation) -> None:
        state = _tracked(aggregate, self.person_id, self.TYPE)
        aggregate._missing[self.person_id] = dataclasses.replace(
            state, risk=self.risk, risk_seq=self.originator_version, next_review=self.next_review
        )

    @classmethod
    def apply_correction(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        _graded(aggregate, seq, fields)


@register
class MissingSightingRecorded(CaseEvent):
    """A reported sighting of a missing person: when, where, and what was seen."""

    TYPE = "missing.sighting_recorded"
    UUID_FIELDS = ("person_id",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"place", "details"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "seen_at": check_time,
        "place": check_short,
        "details": check_long,
    }

    person_id: uuid.UUID
    seen_at: int
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    place: str
    details: str

    def apply(self, aggregate: Investigation) -> None:
        _tracked(aggregate, self.person_id, self.TYPE)


@register
class MissingEnquiryRecorded(CaseEvent):
    """A line of enquiry in the search for a missing person, open or completed with its result."""

    TYPE = "missing.enquiry_recorded"
    UUID_FIELDS = ("person_id",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"enquiry", "result"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "status": choice_of(EnquiryStatus),
        "enquiry": check_long,
        "result": check_long_maybe_empty,
    }

    person_id: uuid.UUID
    status: str
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    enquiry: str
    result: str

    def apply(self, aggregate: Investigation) -> None:
        _tracked(aggregate, self.person_id, self.TYPE)


@register
class MissingFound(CaseEvent):
    """A missing person found (or returned): when, where, by whom, and the safe-and-well check."""

    TYPE = "missing.found"
    ORDERED_FIELDS = (("found_at", "safe_and_well_at"),)
    UUID_FIELDS = ("person_id",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"place", "found_by", "safe_and_well"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "found_at": check_time,
        "outcome": choice_of(MissingOutcome),
        "safe_and_well_at": check_optional_time,
        "place": check_short,
        "found_by": check_short,
        "safe_and_well": check_long_maybe_empty,
    }

    person_id: uuid.UUID
    found_at: int
    outcome: str
    safe_and_well_at: int | None
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    place: str
    found_by: str
    safe_and_well: str

    def apply(self, aggregate: Investigation) -> None:
        state = _tracked(aggregate, self.person_id, self.TYPE)
        if not state.is_missing:
            raise ValueError(f"{self.person_id} was found in record {state.found_seq} already")
        aggregate._missing[self.person_id] = dataclasses.replace(
            state, found_seq=self.originator_version
        )


class MissingPersonCommands(RecordingBase):
    """Reporting a person missing, reviewing the risk, sightings, enquiries and finding them."""

    def _init_state(self) -> None:
        super()._init_state()
        self._missing: dict[uuid.UUID, MissingPerson] = {}

    @property
    def missing(self) -> Mapping[uuid.UUID, MissingPerson]:
        """Every person reported missing, by id, and whether they are still missing."""
        return types.MappingProxyType(self._missing)

    def _require_reported(self, person_id: object) -> uuid.UUID:
        checked = self._require_person(person_id, "person_id")
        if checked not in self._missing:
            raise UnknownReferenceError(
                f"{checked} has no missing-person report in case {self._id}", field="person_id"
            )
        return checked

    def record_missing_person_report(
        self,
        *,
        person_id: uuid.UUID,
        risk: RiskGrading | str,
        last_seen_at: Instant,
        last_seen_place: str,
        circumstances: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record that a person of the case is missing, with the risk grading."""
        self._require_open()
        fields = {
            "person_id": self._require_person(person_id, "person_id"),
            "risk": check_choice(RiskGrading, risk, "risk"),
            "last_seen_at": check_time(last_seen_at, "last_seen_at"),
            "last_seen_place": check_text(last_seen_place, "last_seen_place"),
            "circumstances": check_long_maybe_empty(circumstances, "circumstances"),
        }
        return self._record(MissingPersonReportRecorded, at, fields)

    def review_missing_risk(
        self,
        *,
        person_id: uuid.UUID,
        risk: RiskGrading | str,
        reasons: str,
        next_review: Instant | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record a supervisor's (``by``) review of a missing person's risk grading."""
        self._require_open()
        fields = {
            "person_id": self._require_reported(person_id),
            "risk": check_choice(RiskGrading, risk, "risk"),
            "next_review": check_optional_time(next_review, "next_review"),
            "reasons": check_long(reasons, "reasons"),
        }
        fields.update(self._acting(by)[1])
        return self._record(MissingRiskReviewed, at, fields)

    def record_sighting(
        self,
        *,
        person_id: uuid.UUID,
        seen_at: Instant,
        place: str,
        details: str,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record a sighting of a person reported missing."""
        self._require_open()
        fields = {
            "person_id": self._require_reported(person_id),
            "seen_at": check_time(seen_at, "seen_at"),
            "place": check_text(place, "place"),
            "details": check_long(details, "details"),
        }
        fields.update(self._acting(by)[1])
        return self._record(MissingSightingRecorded, at, fields)

    def record_enquiry(
        self,
        *,
        person_id: uuid.UUID,
        enquiry: str,
        status: EnquiryStatus | str = EnquiryStatus.OPEN,
        result: str = "",
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record a line of enquiry for a person reported missing; a completed one gives its
        ``result``."""
        self._require_open()
        fields = {
            "person_id": self._require_reported(person_id),
            "status": check_choice(EnquiryStatus, status, "status"),
            "enquiry": check_long(enquiry, "enquiry"),
            "result": check_long_maybe_empty(result, "result"),
        }
        fields.update(self._acting(by)[1])
        return self._record(MissingEnquiryRecorded, at, fields)

    def record_found(
        self,
        *,
        person_id: uuid.UUID,
        found_at: Instant,
        outcome: MissingOutcome | str,
        place: str,
        found_by: str,
        safe_and_well_at: Instant | None = None,
        safe_and_well: str = "",
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record that a person still missing was found or returned.

        ``found_by`` says in words who found them; ``safe_and_well_at`` is
        when the safe-and-well check was made (not before ``found_at``), None
        if not yet.
        """
        self._require_open()
        checked = self._require_reported(person_id)
        state = self._missing[checked]
        if not state.is_missing:
            raise InvalidCommandError(
                "person_id",
                f"{checked} was found in record {state.found_seq} and not reported missing since",
            )
        found = check_time(found_at, "found_at")
        checked_at = check_optional_time(safe_and_well_at, "safe_and_well_at")
        check_not_before(found, checked_at, "found_at", "safe_and_well_at")
        fields = {
            "person_id": checked,
            "found_at": found,
            "outcome": check_choice(MissingOutcome, outcome, "outcome"),
            "safe_and_well_at": checked_at,
            "place": check_text(place, "place"),
            "found_by": check_text(found_by, "found_by"),
            "safe_and_well": check_long_maybe_empty(safe_and_well, "safe_and_well"),
        }
        fields.update(self._acting(by)[1])
        return self._record(MissingFound, at, fields)
