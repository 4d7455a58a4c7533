"""Unused material (Criminal Procedure and Investigations Act 1996): items, schedules, decisions.

The disclosure officer records each item of material the prosecution will not
use; the command numbers it (1, 2, … in the case). Schedules are certified as
records: each revision of the MG6C (non-sensitive items) or MG6D (sensitive
items) lists exactly the items of its kind as they stand, numbered one more
than the last revision of that schedule. A revision with no item is a nil
schedule: the disclosure officer certifies that there is no material of that
kind, which the prosecutor must see stated, not inferred from silence. The
prosecutor decides each item (disclose, clearly not disclosable, inspect); a
later decision replaces an earlier one. Sensitive detail never reaches
``data``: descriptions, locations and reasons are redactable texts.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events._base import CaseEvent
from casefile.events._correction_checks import (
    CorrectionCheck,
    check_bool,
    check_long,
    check_long_maybe_empty,
    check_short,
)
from casefile.events._custody_values import Custodian
from casefile.events._recording import RecordingBase
from casefile.events._registry import register
from casefile.events._values import MAX_LONG_TEXT, Instant, check_choice, check_int, check_text

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "Schedule",
    "ScheduleRevision",
    "UnusedDecided",
    "UnusedDecision",
    "UnusedItem",
    "UnusedItemRecorded",
    "UnusedMaterialCommands",
    "UnusedScheduled",
]


class Schedule(StrEnum):
    """The schedules of unused material: MG6C lists the non-sensitive items, MG6D the sensitive."""

    MG6C = "mg6c"
    MG6D = "mg6d"


class UnusedDecision(StrEnum):
    """The prosecutor's decision on an item of unused material."""

    DISCLOSE = "disclose"
    CLEARLY_NOT_DISCLOSABLE = "clearly_not_disclosable"
    INSPECT = "inspect"


@dataclass(frozen=True, slots=True)
class UnusedItem:
    """An item of unused material as it stands: record ``seq`` numbered it ``item``.

    ``sensitive`` and ``undermines_or_assists`` are as last corrected;
    ``decision`` is the prosecutor's latest decision (record ``decision_seq``), or None.
    """

    item: int
    seq: int
    sensitive: bool
    undermines_or_assists: bool
    decision: str | None = None
    decision_seq: int | None = None


@dataclass(frozen=True, slots=True)
class ScheduleRevision:
    """The latest certified revision of a schedule: its number, its record and its items."""

    schedule: str
    revision: int
    seq: int
    items: tuple[int, ...]


#: Each flag of an item and the text that gives its reason.
_REASONS = (("sensitive", "sensitivity_reason"), ("undermines_or_assists", "assessment"))


def _scheduled_items(aggregate: Any, schedule: str) -> tuple[int, ...]:
    """The items a revision of ``schedule`` lists now: those of its sensitivity, ascending."""
    sensitive = schedule == Schedule.MG6D
    return tuple(n for n, item in sorted(aggregate._unused.items()) if item.sensitive == sensitive)


@register
class UnusedItemRecorded(CaseEvent):
    """An item of unused material, numbered by the case, described without sensitive detail."""

    TYPE = "unused.item_recorded"
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"description", "location", "sensitivity_reason", "assessment"}
    )
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"item", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "sensitive": check_bool,
        "undermines_or_assists": check_bool,
        "description": check_long,
        "location": check_short,
        "sensitivity_reason": check_long_maybe_empty,
        "assessment": check_long_maybe_empty,
    }

    item: int
    sensitive: bool
    undermines_or_assists: bool
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    description: str
    location: str
    sensitivity_reason: str
    assessment: str

    def apply(self, aggregate: Investigation) -> None:
        if self.item != len(aggregate._unused) + 1:
            # Commands number items; an authentic record that does not is refused on load.
            raise ValueError(f"unused item {self.item} is not number {len(aggregate._unused) + 1}")
        aggregate._unused[self.item] = UnusedItem(
            self.item, self.originator_version, self.sensitive, self.undermines_or_assists
        )

    @classmethod
    def check_correction_of(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        item = next(i for i in aggregate._unused.values() if i.seq == seq)
        # A flag turned on brings its reason in the same correction; a flag that stays on
        # keeps a reason.
        for flag, text in _REASONS:
            now = fields.get(flag, getattr(item, flag))
            turned_on = now and not getattr(item, flag)
            if now and (fields.get(text) == "" or (turned_on and text not in fields)):
                raise InvalidCommandError(f"fields.{text}", f"required while {flag} is true")

    @classmethod
    def apply_correction(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        changes = {k: fields[k] for k in ("sensitive", "undermines_or_assists") if k in fields}
        for number, item in aggregate._unused.items():
            if item.seq == seq and changes:
                aggregate._unused[number] = dataclasses.replace(item, **changes)


@register
class UnusedScheduled(CaseEvent):
    """A certified revision of the MG6C or MG6D: exactly the items of its kind as they stand."""

    TYPE = "unused.scheduled"
    LIST_FIELDS = ("items",)
    # A schedule is revised by a further revision, never corrected.
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"schedule", "revision", "items", "by", "recorded_by"}
    )

    schedule: str
    revision: int
    items: tuple[int, ...]
    by: dict[str, str]
    recorded_by: dict[str, str] | None

    def apply(self, aggregate: Investigation) -> None:
        last = aggregate._schedules.get(self.schedule)
        expected = 1 if last is None else last.revision + 1
        if self.revision != expected:
            raise ValueError(f"{self.schedule} revision {self.revision} is not {expected}")
        if self.items != _scheduled_items(aggregate, self.schedule):
            raise ValueError(f"{self.schedule} revision {self.revision} lists the wrong items")
        aggregate._schedules[self.schedule] = ScheduleRevision(
            self.schedule, self.revision, self.originator_version, self.items
        )


@register
class UnusedDecided(CaseEvent):
    """The prosecutor's decision on an item of unused material; a later one replaces it."""

    TYPE = "unused.decided"
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"reason"})
    # A decision is changed by a further decision of the prosecutor, never corrected: a
    # correction is a recorder's record, and the decision is the prosecutor's alone.
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"item", "decision", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {}

    item: int
    decision: str
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    reason: str

    def apply(self, aggregate: Investigation) -> None:
        item = aggregate._unused.get(self.item)
        if item is None:
            raise ValueError(f"unused.decided names item {self.item}, which was never recorded")
        aggregate._unused[self.item] = dataclasses.replace(
            item, decision=self.decision, decision_seq=self.originator_version
        )


class UnusedMaterialCommands(RecordingBase):
    """Recording, scheduling and deciding unused material."""

    def _init_state(self) -> None:
        super()._init_state()
        self._unused: dict[int, UnusedItem] = {}
        self._schedules: dict[str, ScheduleRevision] = {}

    @property
    def unused_items(self) -> Mapping[int, UnusedItem]:
        """Every item of unused material by number, with the prosecutor's latest decision."""
        return types.MappingProxyType(self._unused)

    @property
    def schedules(self) -> Mapping[str, ScheduleRevision]:
        """The latest revision of each schedule certified (``mg6c``, ``mg6d``)."""
        return types.MappingProxyType(self._schedules)

    def record_unused_item(
        self,
        *,
        description: str,
        location: str,
        sensitive: bool = False,
        sensitivity_reason: str = "",
        undermines_or_assists: bool = False,
        assessment: str = "",
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record an item of unused material; returns its item number (not its record's).

        ``by`` is the disclosure officer. A sensitive item gives its
        ``sensitivity_reason``, an item that might reasonably undermine the
        prosecution or assist the defence the ``assessment`` of why, and no
        other item gives either.
        """
        self._require_case_only("unused material")
        fields: dict[str, Any] = {
            "item": len(self._unused) + 1,
            "sensitive": _flag(sensitive, "sensitive"),
            "undermines_or_assists": _flag(undermines_or_assists, "undermines_or_assists"),
            "description": check_text(description, "description", max_length=MAX_LONG_TEXT),
            "location": check_text(location, "location"),
            "sensitivity_reason": _reason(
                sensitivity_reason, "sensitivity_reason", sensitive, "sensitive"
            ),
            "assessment": _reason(
                assessment, "assessment", undermines_or_assists, "undermines_or_assists"
            ),
        }
        fields.update(self._acting(by)[1])
        self._record(UnusedItemRecorded, at, fields)
        return int(fields["item"])

    def schedule_unused(
        self,
        *,
        schedule: Schedule | str,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Certify the next revision of ``schedule``: every item of its kind as it stands now.

        The MG6C lists the non-sensitive items, the MG6D the sensitive ones.
        With no item of its kind the revision lists none: a nil schedule, the
        officer's certificate that there is no such material.
        """
        self._require_case_only("unused material")
        kind = check_choice(Schedule, schedule, "schedule")
        items = _scheduled_items(self, kind)
        last = self._schedules.get(kind)
        fields: dict[str, Any] = {
            "schedule": kind,
            "revision": 1 if last is None else last.revision + 1,
            "items": items,
        }
        fields.update(self._acting(by)[1])
        return self._record(UnusedScheduled, at, fields)

    def decide_unused(
        self,
        *,
        item: int,
        decision: UnusedDecision | str,
        reason: str = "",
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record the prosecutor's (``by``) decision on an item; it replaces any earlier one.

        Only a key with the role ``prosecutor`` signs it under the default policy.
        """
        self._require_case_only("unused material")
        number = check_int(item, "item", minimum=1)
        if number not in self._unused:
            raise UnknownReferenceError(
                f"no unused item {number} in case {self._id} ({len(self._unused)} recorded)",
                field="item",
            )
        fields: dict[str, Any] = {
            "item": number,
            "decision": check_choice(UnusedDecision, decision, "decision"),
            "reason": check_text(reason, "reason", max_length=MAX_LONG_TEXT, allow_empty=True),
        }
        fields.update(self._acting(by)[1])
        return self._record(UnusedDecided, at, fields)


def _flag(value: object, field: str) -> bool:
    if type(value) is not bool:
        raise InvalidCommandError(field, "expected True or False")
    return value


def _reason(value: object, field: str, flag: bool, flag_name: str) -> str:
    """A text given exactly when ``flag`` is true."""
    text = check_text(value, field, max_length=MAX_LONG_TEXT, allow_empty=True)
    if flag and not text:
        raise InvalidCommandError(field, f"required when {flag_name} is true")
    if not flag and text:
        raise InvalidCommandError(field, f"given only when {flag_name} is true")
    return text
