"""Victims and witnesses: the victim personal statement and the witness care assessment.

A victim is offered a victim personal statement (VPS): they decline it, defer
it, or make it, and a VPS made is a statement of theirs (MG11) cited by its
record's sequence number. A witness care assessment states a victim's or
witness's needs as personal values: like the MG11's back page they are
committed, never written in clear, and never disclosed to the defence
(``RESTRICTED_FIELDS``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Final

from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events._base import CaseEvent
from casefile.events._correction_checks import CorrectionCheck
from casefile.events._custody_values import Custodian
from casefile.events._recording import RecordingBase
from casefile.events._registry import register
from casefile.events._values import (
    Instant,
    PersonRole,
    check_choice,
    check_int,
    check_optional_text,
    check_time,
)

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "CARE_DETAILS",
    "VictimCommands",
    "VpsOutcome",
    "VpsRecorded",
    "WitnessCareAssessed",
]

#: The personal values of a witness care assessment; all are restricted fields.
CARE_DETAILS: Final = frozenset({"care_needs", "interpreter", "special_measures", "dates_to_avoid"})


class VpsOutcome(StrEnum):
    """What a victim did when offered a victim personal statement."""

    DECLINED = "declined"
    DEFERRED = "deferred"
    MADE = "made"


@register
class VpsRecorded(CaseEvent):
    """A victim personal statement offered to a victim, and what they did."""

    TYPE = "vps.recorded"
    UUID_FIELDS = ("person_id",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"person_id", "outcome", "statement", "by", "recorded_by"}
    )
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {"offered_at": check_time}

    person_id: uuid.UUID
    outcome: str
    statement: int | None
    offered_at: int
    by: dict[str, str]
    recorded_by: dict[str, str] | None

    def apply(self, aggregate: Investigation) -> None:
        # Checked again so that an authentic record breaking the rules is refused on load.
        aggregate._require_role(self.person_id, (PersonRole.VICTIM,))
        if self.statement is not None:
            aggregate._require_statement_of(self.person_id, self.statement)


@register
class WitnessCareAssessed(CaseEvent):
    """A victim's or witness's care needs: personal values, restricted from the defence."""

    TYPE = "witness_care.assessed"
    UUID_FIELDS = ("person_id",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    PERSONAL_FIELDS: ClassVar[frozenset[str]] = CARE_DETAILS

    person_id: uuid.UUID
    by: dict[str, str]
    recorded_by: dict[str, str] | None

    def apply(self, aggregate: Investigation) -> None:
        # Checked again so that an authentic record breaking the rule is refused on load.
        aggregate._require_role(self.person_id, (PersonRole.VICTIM, PersonRole.WITNESS))


class VictimCommands(RecordingBase):
    """Victim personal statements and witness care assessments."""

    def _require_role(self, person_id: object, roles: tuple[PersonRole, ...]) -> uuid.UUID:
        checked = self._require_person(person_id, "person_id")
        role = self._people[checked].role
        if role not in roles:
            wanted = " or ".join(r.value for r in roles)
            raise InvalidCommandError("person_id", f"{checked} is a {role}, not a {wanted}")
        return checked

    def _require_statement_of(self, person: uuid.UUID, seq: int) -> None:
        if not any(s.seq == seq and s.witness_id == person for s in self._statements.values()):
            raise UnknownReferenceError(
                f"record {seq} of case {self._id} is no statement of {person}", field="statement"
            )

    def record_vps(
        self,
        *,
        person_id: uuid.UUID,
        outcome: VpsOutcome | str,
        offered_at: Instant,
        statement: int | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record that a victim was offered a VPS (``offered_at``) and declined, deferred or
        made it; a VPS made is ``statement``, the record of a statement of theirs."""
        self._require_open()
        victim = self._require_role(person_id, (PersonRole.VICTIM,))
        result = check_choice(VpsOutcome, outcome, "outcome")
        if result != VpsOutcome.MADE:
            if statement is not None:
                raise InvalidCommandError("statement", f"a VPS {result} cites no statement")
        else:
            if statement is None:
                raise InvalidCommandError("statement", "a VPS made cites its statement record")
            self._require_statement_of(victim, check_int(statement, "statement", minimum=1))
        fields: dict[str, Any] = {
            "person_id": victim,
            "outcome": result,
            "statement": statement,
            "offered_at": check_time(offered_at, "offered_at"),
        }
        fields.update(self._acting(by)[1])
        return self._record(VpsRecorded, at, fields)

    def assess_witness_care(
        self,
        *,
        person_id: uuid.UUID,
        care_needs: str | None = None,
        interpreter: str | None = None,
        special_measures: str | None = None,
        dates_to_avoid: str | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record a victim's or witness's care needs; at least one is given.

        Each is committed as a personal value, never written in clear, and is a
        restricted field: never in a bundle for the defence.
        """
        self._require_open()
        person = self._require_role(person_id, (PersonRole.VICTIM, PersonRole.WITNESS))
        given = {
            "care_needs": check_optional_text(care_needs, "care_needs"),
            "interpreter": check_optional_text(interpreter, "interpreter"),
            "special_measures": check_optional_text(special_measures, "special_measures"),
            "dates_to_avoid": check_optional_text(dates_to_avoid, "dates_to_avoid"),
        }
        personal = {k: v for k, v in given.items() if v is not None}
        if not personal:
            raise InvalidCommandError(
                "care_needs",
                "give at least one of care_needs, interpreter, special_measures, dates_to_avoid",
            )
        fields: dict[str, Any] = {"person_id": person}
        fields.update(self._acting(by)[1])
        return self._record(WitnessCareAssessed, at, fields, personal)
