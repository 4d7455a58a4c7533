"""Suspects: who is suspected, their arrest or voluntary attendance, and interviews under caution.

A person of the case becomes a suspect by a ``suspect.identified`` record, with
the grounds in words; only an identified suspect is arrested, attends
voluntarily, is interviewed, has an offence alleged against them, is bailed or
is listed for a hearing. An interview under caution may name the exhibit of
its recording with that recording's SHA-256, which must be the exhibit's on
record (:class:`~casefile.errors.ExhibitHashError`).
"""

from __future__ import annotations

import types
import uuid
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from casefile.errors import ExhibitHashError, InvalidCommandError, UnknownReferenceError
from casefile.events._base import CaseEvent
from casefile.events._correction_checks import (
    CorrectionCheck,
    check_bool,
    check_long,
    check_long_maybe_empty,
    check_short,
)
from casefile.events._custody_values import Custodian, check_custodian
from casefile.events._recording import RecordingBase
from casefile.events._registry import register
from casefile.events._values import (
    MAX_LONG_TEXT,
    Instant,
    check_choice,
    check_exhibit_reference,
    check_not_before,
    check_sha256,
    check_text,
    check_time,
)

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "InterviewRecorded",
    "SpecialWarning",
    "SuspectArrested",
    "SuspectAttendedVoluntarily",
    "SuspectCommands",
    "SuspectIdentified",
]


class SpecialWarning(StrEnum):
    """A special warning given in interview (Criminal Justice and Public Order Act 1994)."""

    S36 = "s36"
    S37 = "s37"


def _check_warnings(value: Any, field: str) -> Any:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidCommandError(field, "expected a list of special warnings (s36, s37)")
    warnings = [check_choice(SpecialWarning, w, field) for w in value]
    if len(set(warnings)) != len(warnings):
        raise InvalidCommandError(field, "a special warning is named twice")
    return sorted(warnings)


@register
class SuspectIdentified(CaseEvent):
    """``by`` identified person ``person_id`` as a suspect, on ``grounds`` (text)."""

    TYPE = "suspect.identified"
    UUID_FIELDS = ("person_id",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"grounds"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {"grounds": check_long}

    person_id: uuid.UUID
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    grounds: str

    def apply(self, aggregate: Investigation) -> None:
        earlier = aggregate._suspects.get(self.person_id)
        if earlier is not None:
            # Commands refuse this; an authentic record that does so is refused on load.
            raise ValueError(f"{self.person_id} was identified as a suspect in record {earlier}")
        aggregate._suspects[self.person_id] = self.originator_version


@register
class SuspectArrested(CaseEvent):
    """``by`` arrested suspect ``person_id`` at ``arrested_at`` under ``power``.

    ``place`` and ``grounds`` (the grounds and the necessity of the arrest) are texts.
    """

    TYPE = "suspect.arrested"
    UUID_FIELDS = ("person_id",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"place", "grounds"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "arrested_at": check_time,
        "power": check_short,
        "place": check_short,
        "grounds": check_long,
    }

    person_id: uuid.UUID
    arrested_at: int
    power: str
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    place: str
    grounds: str

    def apply(self, aggregate: Investigation) -> None:
        # Checked again so that an authentic record of a non-suspect is refused on load.
        aggregate._require_suspect(self.person_id, "person_id")


@register
class SuspectAttendedVoluntarily(CaseEvent):
    """Suspect ``person_id`` attended voluntarily at ``attended_at``; ``place`` is a text."""

    TYPE = "suspect.attended_voluntarily"
    UUID_FIELDS = ("person_id",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"place"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "attended_at": check_time,
        "place": check_short,
    }

    person_id: uuid.UUID
    attended_at: int
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    place: str

    def apply(self, aggregate: Investigation) -> None:
        # Checked again so that an authentic record of a non-suspect is refused on load.
        aggregate._require_suspect(self.person_id, "person_id")


@register
class InterviewRecorded(CaseEvent):
    """An interview under caution of suspect ``person_id``.

    ``recording`` and ``recording_sha256`` name the exhibit of its recording
    (both or neither). ``place``, ``summary``, ``admissions``, ``denials`` and
    ``defences`` are texts; the last three may be empty.
    """

    TYPE = "interview.recorded"
    ORDERED_FIELDS = (("started_at", "ended_at"),)
    UUID_FIELDS = ("person_id",)
    LIST_FIELDS = ("interviewers", "special_warnings")
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"place", "summary", "admissions", "denials", "defences"}
    )
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"person_id", "by", "recorded_by", "interviewers", "recording", "recording_sha256"}
    )
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "started_at": check_time,
        "ended_at": check_time,
        "legal_representative": check_bool,
        "no_comment": check_bool,
        "special_warnings": _check_warnings,
        "place": check_short,
        "summary": check_long,
        "admissions": check_long_maybe_empty,
        "denials": check_long_maybe_empty,
        "defences": check_long_maybe_empty,
    }

    person_id: uuid.UUID
    started_at: int
    ended_at: int
    interviewers: tuple[dict[str, str], ...]
    legal_representative: bool
    recording: str | None
    recording_sha256: bytes | None
    no_comment: bool
    special_warnings: tuple[str, ...]
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    place: str
    summary: str
    admissions: str
    denials: str
    defences: str

    def apply(self, aggregate: Investigation) -> None:
        # Checked again so that an authentic record of a non-suspect is refused on load.
        aggregate._require_suspect(self.person_id, "person_id")


class SuspectCommands(RecordingBase):
    """Identifying suspects, recording their arrest or attendance, and interviews."""

    #: Identified suspects: person id -> the seq of their ``suspect.identified``.
    _suspects: dict[uuid.UUID, int]

    def _init_state(self) -> None:
        super()._init_state()
        self._suspects = {}

    @property
    def suspects(self) -> Mapping[uuid.UUID, int]:
        """The identified suspects: person id -> the seq of the record that identified them."""
        return types.MappingProxyType(self._suspects)

    def identify_suspect(
        self,
        *,
        person_id: uuid.UUID,
        grounds: str,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Identify ``person_id``, a person of the case, as a suspect; returns the seq."""
        self._require_open()
        person = self._require_person(person_id, "person_id")
        earlier = self._suspects.get(person)
        if earlier is not None:
            raise InvalidCommandError(
                "person_id", f"{person} was identified as a suspect already (record {earlier})"
            )
        fields = {
            "person_id": person,
            "grounds": check_text(grounds, "grounds", max_length=MAX_LONG_TEXT),
            **self._acting(by)[1],
        }
        return self._record(SuspectIdentified, at, fields)

    def record_arrest(
        self,
        *,
        person_id: uuid.UUID,
        arrested_at: Instant,
        place: str,
        power: str,
        grounds: str,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record the arrest of suspect ``person_id`` by ``by`` (the arresting officer)."""
        self._require_open()
        fields = {
            "person_id": self._require_suspect(person_id, "person_id"),
            "arrested_at": check_time(arrested_at, "arrested_at"),
            "place": check_text(place, "place"),
            "power": check_text(power, "power"),
            "grounds": check_text(grounds, "grounds", max_length=MAX_LONG_TEXT),
            **self._acting(by)[1],
        }
        return self._record(SuspectArrested, at, fields)

    def record_voluntary_attendance(
        self,
        *,
        person_id: uuid.UUID,
        attended_at: Instant,
        place: str,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record that suspect ``person_id`` attended voluntarily (not under arrest)."""
        self._require_open()
        fields = {
            "person_id": self._require_suspect(person_id, "person_id"),
            "attended_at": check_time(attended_at, "attended_at"),
            "place": check_text(place, "place"),
            **self._acting(by)[1],
        }
        return self._record(SuspectAttendedVoluntarily, at, fields)

    def record_interview(
        self,
        *,
        person_id: uuid.UUID,
        started_at: Instant,
        ended_at: Instant,
        place: str,
        interviewers: Iterable[Custodian],
        legal_representative: bool,
        summary: str,
        admissions: str = "",
        denials: str = "",
        defences: str = "",
        no_comment: bool = False,
        special_warnings: Iterable[SpecialWarning | str] = (),
        recording: str | None = None,
        recording_sha256: bytes | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record an interview under caution of suspect ``person_id``; returns its seq.

        ``recording`` (an exhibit reference) and ``recording_sha256`` are given
        together or not at all; an exhibit of the case with a SHA-256 on
        record must have that one (:class:`~casefile.errors.ExhibitHashError`).
        """
        self._require_open()
        start, end = check_time(started_at, "started_at"), check_time(ended_at, "ended_at")
        check_not_before(start, end, "started_at", "ended_at")
        for name, value in (
            ("legal_representative", legal_representative),
            ("no_comment", no_comment),
        ):
            check_bool(value, name)
        fields = {
            "person_id": self._require_suspect(person_id, "person_id"),
            "started_at": start,
            "ended_at": end,
            "interviewers": self._interviewers(interviewers),
            "legal_representative": legal_representative,
            "no_comment": no_comment,
            "special_warnings": tuple(_check_warnings(special_warnings, "special_warnings")),
            **self._recording(recording, recording_sha256),
            "place": check_text(place, "place"),
            "summary": check_text(summary, "summary", max_length=MAX_LONG_TEXT),
            **{
                name: check_text(text, name, max_length=MAX_LONG_TEXT, allow_empty=True)
                for name, text in (
                    ("admissions", admissions),
                    ("denials", denials),
                    ("defences", defences),
                )
            },
            **self._acting(by)[1],
        }
        return self._record(InterviewRecorded, at, fields)

    # --- checks ------------------------------------------------------------------------

    def _require_suspect(self, person_id: object, field: str) -> uuid.UUID:
        """``person_id`` if it names an identified suspect of the case."""
        person = self._require_person(person_id, field)
        if person not in self._suspects:
            raise InvalidCommandError(
                field, f"{person} has not been identified as a suspect (identify_suspect)"
            )
        return person

    @staticmethod
    def _interviewers(interviewers: Iterable[Custodian]) -> tuple[dict[str, str], ...]:
        if not isinstance(interviewers, Iterable):
            raise InvalidCommandError("interviewers", "expected a list of officers")
        people = [check_custodian(who, "interviewers") for who in interviewers]
        if not people:
            raise InvalidCommandError("interviewers", "name at least one interviewer")
        if len({who.identity for who in people}) != len(people):
            raise InvalidCommandError("interviewers", "an interviewer is named twice")
        return tuple(who.to_data() for who in people)

    def _recording(self, recording: object, sha256: object) -> dict[str, Any]:
        if recording is None and sha256 is None:
            return {"recording": None, "recording_sha256": None}
        if recording is None or sha256 is None:
            missing = "recording" if recording is None else "recording_sha256"
            raise InvalidCommandError(
                missing, "give the recording's exhibit and its SHA-256 together, or neither"
            )
        ref = check_exhibit_reference(recording, "recording")
        digest = check_sha256(sha256, "recording_sha256")
        state = self._custody_state(ref)
        if state is None:
            raise UnknownReferenceError(
                f"no exhibit {ref} in case {self._id}: seize or capture the recording first",
                field="recording",
            )
        if state.sha256 is not None and state.sha256 != digest:
            raise ExhibitHashError(
                f"recording_sha256 differs from exhibit {ref}'s SHA-256 on record {state.seq}"
            )
        return {"recording": ref, "recording_sha256": digest}
