"""Court: a suspect's bail or remand status, and the hearings a charged suspect is listed for."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from casefile.errors import InvalidCommandError
from casefile.events._base import CaseEvent
from casefile.events._correction_checks import (
    CorrectionCheck,
    check_bool,
    check_long_maybe_empty,
    check_optional_time,
    check_short,
    choice_of,
)
from casefile.events._custody_values import Custodian
from casefile.events._offences import OffenceCommands
from casefile.events._registry import register
from casefile.events._values import (
    MAX_LONG_TEXT,
    Instant,
    check_choice,
    check_not_before,
    check_text,
    check_time,
)

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = ["BailRecorded", "BailStatus", "CourtCommands", "HearingListed"]


class BailStatus(StrEnum):
    """A suspect's or defendant's status between arrest, charge and trial."""

    RELEASED_UNDER_INVESTIGATION = "released_under_investigation"
    POLICE_BAIL = "police_bail"
    COURT_BAIL = "court_bail"
    REMANDED_IN_CUSTODY = "remanded_in_custody"
    UNCONDITIONAL_BAIL = "unconditional_bail"


@register
class BailRecorded(CaseEvent):
    """Suspect ``person_id``'s ``status`` from ``starts_at`` to ``ends_at`` (the answer date).

    ``conditions`` is a text, empty when there are none.
    """

    TYPE = "bail.recorded"
    ORDERED_FIELDS = (("starts_at", "ends_at"),)
    UUID_FIELDS = ("person_id",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"conditions"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "status": choice_of(BailStatus),
        "starts_at": check_time,
        "ends_at": check_optional_time,
        "conditions": check_long_maybe_empty,
    }

    person_id: uuid.UUID
    status: str
    starts_at: int
    ends_at: int | None
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    conditions: str

    def apply(self, aggregate: Investigation) -> None:
        # Checked again so that an authentic record of a non-suspect is refused on load.
        aggregate._require_suspect(self.person_id, "person_id")


@register
class HearingListed(CaseEvent):
    """Defendant ``person_id`` is listed before ``court`` at ``hearing_at``."""

    TYPE = "hearing.listed"
    UUID_FIELDS = ("person_id",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "court": check_short,
        "hearing_at": check_time,
        "first": check_bool,
    }

    person_id: uuid.UUID
    court: str
    hearing_at: int
    first: bool
    by: dict[str, str]
    recorded_by: dict[str, str] | None

    def apply(self, aggregate: Investigation) -> None:
        # Checked again so that an authentic record of a non-defendant is refused on load.
        aggregate._require_defendant(self.person_id)


class CourtCommands(OffenceCommands):
    """Recording bail and remand, and listing hearings."""

    def _require_defendant(self, person_id: object) -> uuid.UUID:
        """``person_id`` if it names a suspect with a charged offence (commands and loading)."""
        person = self._require_suspect(person_id, "person_id")
        if not any(
            o.person_id == person and o.charged is not None for o in self._offences.values()
        ):
            raise InvalidCommandError(
                "person_id", f"{person} has no charged offence: only a defendant is listed"
            )
        return person

    def record_bail(
        self,
        *,
        person_id: uuid.UUID,
        status: BailStatus | str,
        starts_at: Instant,
        ends_at: Instant | None = None,
        conditions: str = "",
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record suspect ``person_id``'s bail or remand status; returns the seq."""
        self._require_open()
        start = check_time(starts_at, "starts_at")
        end = check_optional_time(ends_at, "ends_at")
        check_not_before(start, end, "starts_at", "ends_at")
        fields = {
            "person_id": self._require_suspect(person_id, "person_id"),
            "status": check_choice(BailStatus, status, "status"),
            "starts_at": start,
            "ends_at": end,
            "conditions": check_text(
                conditions, "conditions", max_length=MAX_LONG_TEXT, allow_empty=True
            ),
            **self._acting(by)[1],
        }
        return self._record(BailRecorded, at, fields)

    def list_hearing(
        self,
        *,
        person_id: uuid.UUID,
        court: str,
        hearing_at: Instant,
        first: bool = True,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """List charged suspect ``person_id`` for a hearing before ``court``; returns the seq."""
        self._require_open()
        fields = {
            "person_id": self._require_defendant(person_id),
            "court": check_text(court, "court"),
            "hearing_at": check_time(hearing_at, "hearing_at"),
            "first": check_bool(first, "first"),
            **self._acting(by)[1],
        }
        return self._record(HearingListed, at, fields)
