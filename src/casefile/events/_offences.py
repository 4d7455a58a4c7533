"""Offences: what a suspect is alleged to have done, and the charge.

An ``offence.alleged`` record names the suspect, the CJS offence code and
title, when it was committed, and its points to prove, each with the earlier
records of evidence that prove it. The offence is known from then on by the
record's sequence number. An ``offence.charged`` record charges it, once: on
a prosecutor's decision to charge that includes it, or by the police under
the Director's Guidance on Charging (no decision).
"""

from __future__ import annotations

import dataclasses
import re
import types
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Final

from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events._base import CaseEvent
from casefile.events._correction_checks import (
    CorrectionCheck,
    check_bool,
    check_long,
    check_short,
    choice_of,
)
from casefile.events._custody_values import Custodian
from casefile.events._registry import register
from casefile.events._suspects import SuspectCommands
from casefile.events._values import (
    MAX_LONG_TEXT,
    Instant,
    check_choice,
    check_date,
    check_int,
    check_not_before,
    check_text,
    check_time,
)
from casefile.verifier._evidence_types import EVIDENCE_TYPES

if TYPE_CHECKING:
    from casefile.events._charging import ChargingDecision
    from casefile.events._investigation import Investigation

__all__ = [
    "EVIDENCE_TYPES",
    "OFFENCE_CODE",
    "AllegedOffence",
    "AnticipatedPlea",
    "OffenceAlleged",
    "OffenceCharged",
    "OffenceCommands",
    "PointToProve",
]

#: A CJS offence code, such as ``TH68010``.
OFFENCE_CODE: Final = re.compile(r"[A-Z0-9]{1,16}")


class AnticipatedPlea(StrEnum):
    """The plea the police anticipate to an offence."""

    GUILTY = "guilty"
    NOT_GUILTY = "not_guilty"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PointToProve:
    """A legal element of an offence (``element``), proved by the records ``evidence`` (seqs)."""

    element: str
    evidence: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class AllegedOffence:
    """An offence alleged against ``person_id`` by record ``seq``, as last corrected.

    ``charged`` is the seq of the ``offence.charged`` record that charged it, or None.
    """

    seq: int
    person_id: uuid.UUID
    code: str
    title: str
    from_date: str
    to_date: str | None
    charged: int | None = None


def _check_code(value: Any, field: str) -> Any:
    if type(value) is not str or OFFENCE_CODE.fullmatch(value) is None:
        raise InvalidCommandError(
            field, f"{value!r} is not a CJS offence code (1 to 16 of A-Z, 0-9: e.g. TH68010)"
        )
    return value


def _check_optional_date(value: Any, field: str) -> Any:
    return None if value is None else check_date(value, field)


def _check_points_shape(value: Any, field: str) -> Any:
    """Points to prove in record form: maps of ``element`` and ``evidence`` (ints, unique)."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidCommandError(field, "expected a list of points to prove")
    for i, point in enumerate(value):
        where = f"{field}[{i}]"
        if type(point) is not dict or set(point) != {"element", "evidence"}:
            raise InvalidCommandError(where, "expected a map of element and evidence")
        check_text(point["element"], f"{where}.element")
        evidence = point["evidence"]
        if type(evidence) is not list:
            raise InvalidCommandError(f"{where}.evidence", "expected a list of record seqs")
        seqs = [check_int(seq, f"{where}.evidence", minimum=1) for seq in evidence]
        if len(set(seqs)) != len(seqs):
            raise InvalidCommandError(f"{where}.evidence", "a record is cited twice")
    return value


@register
class OffenceAlleged(CaseEvent):
    """An offence alleged against suspect ``person_id``; ``wording`` and ``place`` are texts."""

    TYPE = "offence.alleged"
    ORDERED_FIELDS = (("from_date", "to_date"),)
    UUID_FIELDS = ("person_id",)
    LIST_FIELDS = ("points_to_prove",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"wording", "place"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "code": _check_code,
        "title": check_short,
        "from_date": check_date,
        "to_date": _check_optional_date,
        "anticipated_plea": choice_of(AnticipatedPlea),
        "committed_on_bail": check_bool,
        "points_to_prove": _check_points_shape,
        "wording": check_long,
        "place": check_short,
    }

    person_id: uuid.UUID
    code: str
    title: str
    from_date: str
    to_date: str | None
    anticipated_plea: str
    committed_on_bail: bool
    points_to_prove: tuple[dict[str, Any], ...]
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    wording: str
    place: str

    def apply(self, aggregate: Investigation) -> None:
        # Checked again so that an authentic record breaking them is refused on load.
        aggregate._require_suspect(self.person_id, "person_id")
        for i, point in enumerate(self.points_to_prove):
            aggregate._check_evidence(list(point["evidence"]), f"points_to_prove[{i}].evidence")
        seq = self.originator_version
        aggregate._offences[seq] = AllegedOffence(
            seq, self.person_id, self.code, self.title, self.from_date, self.to_date
        )

    @classmethod
    def apply_correction(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        shown = ("code", "title", "from_date", "to_date")
        changes = {k: fields[k] for k in shown if k in fields}
        if changes:
            aggregate._offences[seq] = dataclasses.replace(aggregate._offences[seq], **changes)

    @classmethod
    def check_correction_of(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        for i, point in enumerate(fields.get("points_to_prove", ())):
            aggregate._check_evidence(point["evidence"], f"fields.points_to_prove[{i}].evidence")


@register
class OffenceCharged(CaseEvent):
    """Offence ``offence`` (an ``offence.alleged`` seq) charged at ``charged_at``.

    ``decision`` is the prosecutor's decision to charge, or None when the
    police charged under the Director's Guidance; ``wording`` is a text.
    """

    TYPE = "offence.charged"
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"wording"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"offence", "decision", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "charged_at": check_time,
        "code": _check_code,
        "title": check_short,
        "wording": check_long,
    }

    offence: int
    charged_at: int
    code: str
    title: str
    decision: int | None
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    wording: str

    def apply(self, aggregate: Investigation) -> None:
        # The command's rules, again, so that an authentic record breaking them is refused
        # on load: one charge per offence, on a decision to charge it if any.
        alleged = aggregate._offences[self.offence]
        if alleged.charged is not None:
            raise ValueError(
                f"offence {self.offence} was charged already (record {alleged.charged})"
            )
        if self.decision is not None:
            aggregate._require_decision_to_charge(self.decision, self.offence)
        aggregate._offences[self.offence] = dataclasses.replace(
            alleged, charged=self.originator_version
        )


class OffenceCommands(SuspectCommands):
    """Alleging offences against suspects, and charging them."""

    _offences: dict[int, AllegedOffence]
    # Kept by the charging commands (events/_charging.py): a charge may cite a decision.
    _charging_decisions: dict[int, ChargingDecision]

    def _init_state(self) -> None:
        super()._init_state()
        self._offences = {}

    @property
    def offences(self) -> Mapping[int, AllegedOffence]:
        """The alleged offences by the seq of their ``offence.alleged`` record."""
        return types.MappingProxyType(self._offences)

    def allege_offence(
        self,
        *,
        person_id: uuid.UUID,
        code: str,
        title: str,
        wording: str,
        place: str,
        from_date: str,
        to_date: str | None = None,
        anticipated_plea: AnticipatedPlea | str = AnticipatedPlea.UNKNOWN,
        committed_on_bail: bool = False,
        points_to_prove: Iterable[PointToProve] = (),
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Allege an offence against suspect ``person_id``; returns its seq, the offence's id.

        Each point to prove cites earlier records of evidence (statements,
        captured evidence, seized, produced or located exhibits, interviews).
        """
        self._require_open()
        start = check_date(from_date, "from_date")
        end = _check_optional_date(to_date, "to_date")
        check_not_before(start, end, "from_date", "to_date")
        fields = {
            "person_id": self._require_suspect(person_id, "person_id"),
            "code": _check_code(code, "code"),
            "title": check_text(title, "title"),
            "from_date": start,
            "to_date": end,
            "anticipated_plea": check_choice(AnticipatedPlea, anticipated_plea, "anticipated_plea"),
            "committed_on_bail": check_bool(committed_on_bail, "committed_on_bail"),
            "points_to_prove": self._points(points_to_prove),
            "wording": check_text(wording, "wording", max_length=MAX_LONG_TEXT),
            "place": check_text(place, "place"),
            **self._acting(by)[1],
        }
        return self._record(OffenceAlleged, at, fields)

    def charge_offence(
        self,
        *,
        offence: int,
        charged_at: Instant,
        wording: str,
        decision: int | None = None,
        code: str | None = None,
        title: str | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Charge offence ``offence`` (the seq of its ``offence.alleged``); returns the seq.

        ``decision`` is the seq of a prosecutor's decision to charge that
        includes the offence, or None for a charge by the police under the
        Director's Guidance. ``code`` and ``title`` default to the alleged ones.
        """
        self._require_open()
        alleged = self._require_offence(offence, "offence")
        if alleged.charged is not None:
            raise InvalidCommandError(
                "offence", f"offence {offence} was charged already (record {alleged.charged})"
            )
        if decision is not None:
            self._require_decision_to_charge(decision, offence)
        fields = {
            "offence": offence,
            "charged_at": check_time(charged_at, "charged_at"),
            "code": alleged.code if code is None else _check_code(code, "code"),
            "title": alleged.title if title is None else check_text(title, "title"),
            "decision": decision,
            "wording": check_text(wording, "wording", max_length=MAX_LONG_TEXT),
            **self._acting(by)[1],
        }
        return self._record(OffenceCharged, at, fields)

    # --- checks ------------------------------------------------------------------------

    def _require_offence(self, offence: object, field: str) -> AllegedOffence:
        """The alleged offence of record ``offence``."""
        alleged = self._offences.get(offence) if type(offence) is int else None
        if alleged is None:
            raise UnknownReferenceError(
                f"record {offence!r} is not an offence.alleged record of case {self._id}",
                field=field,
            )
        return alleged

    def _require_decision_to_charge(self, decision: object, offence: int) -> None:
        made = self._charging_decisions.get(decision) if type(decision) is int else None
        if made is None:
            raise UnknownReferenceError(
                f"record {decision!r} is not a charging.decided record of case {self._id}",
                field="decision",
            )
        if made.outcome != "charge":
            raise InvalidCommandError(
                "decision", f"the decision of record {decision} is {made.outcome!r}, not 'charge'"
            )
        if offence not in made.offences:
            raise InvalidCommandError(
                "decision", f"the decision of record {decision} does not charge offence {offence}"
            )

    def _points(self, points: Iterable[PointToProve]) -> tuple[dict[str, Any], ...]:
        if isinstance(points, str | bytes) or not isinstance(points, Iterable):
            raise InvalidCommandError("points_to_prove", "expected a list of PointToProve")
        out = []
        for i, point in enumerate(points):
            where = f"points_to_prove[{i}]"
            if not isinstance(point, PointToProve):
                raise InvalidCommandError(where, "expected a PointToProve")
            evidence = list(point.evidence) if isinstance(point.evidence, Iterable) else None
            if evidence is None:
                raise InvalidCommandError(f"{where}.evidence", "expected a list of record seqs")
            self._check_evidence(evidence, f"{where}.evidence")
            out.append(
                {"element": check_text(point.element, f"{where}.element"), "evidence": evidence}
            )
        return tuple(out)

    def _check_evidence(self, evidence: list[Any], field: str) -> None:
        """Refuse a citation of anything but an earlier record of evidence, or one cited twice."""
        for seq in evidence:
            check_int(seq, field, minimum=1)
            if seq > self._version:
                raise UnknownReferenceError(
                    f"record {seq} does not exist (case {self._id} has {self._version})",
                    field=field,
                )
            kind = self.record_type(seq).TYPE
            if kind not in EVIDENCE_TYPES:
                raise InvalidCommandError(
                    field,
                    f"record {seq} is a {kind} record, not evidence "
                    f"({', '.join(sorted(EVIDENCE_TYPES))})",
                )
        if len(set(evidence)) != len(evidence):
            raise InvalidCommandError(field, "a record is cited twice")
