"""The base of every custody event, and which of its fields a correction may change.

Every custody record names the exhibit (``exhibit``), who acted (``by``: a
:class:`~casefile.events.Custodian` as a map, the holder of the signing key
unless ``recorded_by`` names that holder as keying it in on ``by``'s
behalf), where (``place``), when it
happened if not when recorded (``occurred_at``), and ``notes``. The record's
own time and signature say when it was written and by whose key. The custody
rules are checked by the commands; ``apply`` only moves the state, so that
loading depends on nothing but the records. Corrections may change only the
descriptive fields each type names; the others identify or decide custody.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeVar

from casefile.events._base import CaseEvent
from casefile.events._correction_checks import (
    CorrectionCheck,
    check_long,
    check_long_maybe_empty,
    check_maybe_empty,
    check_optional_media,
    check_optional_time,
    check_short,
)
from casefile.events._custody_values import Custodian, ExhibitStatus
from casefile.events._state import ExhibitCustody

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "CorrectionCheck",
    "CustodyEvent",
    "check_long",
    "check_long_maybe_empty",
    "check_maybe_empty",
    "check_optional_media",
    "check_optional_time",
    "check_short",
    "correctable",
]

_BASE_FIELDS: Final = frozenset(f.name for f in dataclasses.fields(CaseEvent))
_C = TypeVar("_C", bound=type["CustodyEvent"])


def correctable(**checks: CorrectionCheck) -> Callable[[_C], _C]:
    """Name the fields a correction may change (with their checks); all others are keys."""

    def decorate(cls: _C) -> _C:
        names = {f.name for f in dataclasses.fields(cls)} - _BASE_FIELDS
        cls.CORRECTABLE = {"place": check_short, "notes": check_long_maybe_empty, **checks}
        cls.KEY_FIELDS = frozenset(names - cls.CORRECTABLE.keys())
        return cls

    return decorate


class CustodyEvent(CaseEvent):
    """Base of every custody event: which exhibit, who, where, when it happened, notes."""

    #: Fields a correction may change, with the check each corrected value must pass.
    CORRECTABLE: ClassVar[Mapping[str, CorrectionCheck]] = {}
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"place", "notes"})

    exhibit: str
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    place: str
    occurred_at: int | None
    notes: str

    @property
    def effective_ns(self) -> int:
        """When it happened: ``occurred_at`` if given, else the record's time."""
        return self.time_ns if self.occurred_at is None else self.occurred_at

    @property
    def actor(self) -> Custodian:
        """Who acted, as a :class:`Custodian`."""
        return Custodian.from_data(self.by)

    def apply(self, aggregate: Investigation) -> None:
        self._put(aggregate, self._state(aggregate))

    def _state(self, aggregate: Investigation, ref: str | None = None) -> ExhibitCustody:
        ref = self.exhibit if ref is None else ref
        state = aggregate._custody_state(ref)
        if state is None:
            # Commands refuse this; an authentic record that does so is refused on load.
            raise ValueError(f"{self.TYPE} names exhibit {ref!r}, which the case does not hold")
        return state

    def _put(self, aggregate: Investigation, state: ExhibitCustody, **changes: Any) -> None:
        last = max(state.last_ns, self.effective_ns)
        aggregate._custody[state.reference] = dataclasses.replace(
            state, last_seq=self.originator_version, last_ns=last, **changes
        )

    def _moved(self) -> dict[str, Any]:
        return {"location_seq": self.originator_version}

    def _new(self, aggregate: Investigation, ref: str, **values: Any) -> None:
        aggregate._custody[ref] = ExhibitCustody(
            reference=ref,
            seq=self.originator_version,
            location_seq=self.originator_version,
            property_ref=None,
            bag=None,
            seal=None,
            sealed=False,
            in_store=False,
            status=ExhibitStatus.ACTIVE.value,
            damaged=False,
            last_seq=self.originator_version,
            last_ns=self.effective_ns,
            **values,
        )

    @classmethod
    def check_correction(cls, fields: Mapping[str, Any]) -> None:
        for name, value in fields.items():
            cls.CORRECTABLE[name](value, f"fields.{name}")

    @classmethod
    def apply_correction(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        for ref, state in list(aggregate._custody.items()):
            changes: dict[str, Any] = {}
            booked = state.location_seq == seq and state.property_ref is not None
            if booked and "property_ref" in fields:
                changes["property_ref"] = fields["property_ref"]
            if state.seq == seq and "media_type" in fields:
                changes["media_type"] = fields["media_type"]
            if changes:
                aggregate._custody[ref] = dataclasses.replace(state, **changes)
