"""The case summary (MG5), kept as versions: each is a record, numbered one more than the last.

A summary states the anticipated plea, a headline and a chronology (texts),
an optional interview summary, and the evidence for each point to prove of
each alleged offence: a point cites the ``offence.alleged`` record by its
sequence number and earlier evidence records (statements, captured evidence,
exhibits seized, produced or found, interviews) by theirs. A version is never
corrected: the next version replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from casefile.errors import InvalidCommandError
from casefile.events._base import CaseEvent
from casefile.events._correction_checks import CorrectionCheck
from casefile.events._custody_values import Custodian
from casefile.events._offences import AnticipatedPlea, OffenceCommands
from casefile.events._registry import register
from casefile.events._values import MAX_LONG_TEXT, Instant, check_choice, check_text

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "CaseSummaryCommands",
    "CaseSummaryVersion",
    "CaseSummaryWritten",
    "SummaryPoint",
]


@dataclass(frozen=True, slots=True)
class SummaryPoint:
    """A point to prove of an alleged offence (record ``offence``), and the records proving it."""

    offence: int
    element: str
    evidence: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseSummaryVersion:
    """The latest version of the case summary: its number, its record and the plea anticipated."""

    version: int
    seq: int
    anticipated_plea: str


@register
class CaseSummaryWritten(CaseEvent):
    """A version of the case summary (MG5); the next version replaces it, never a correction."""

    TYPE = "case_summary.written"
    LIST_FIELDS = ("points",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"headline", "chronology", "interview_summary"}
    )
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"version", "anticipated_plea", "points", "by", "recorded_by"}
    )
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {}

    version: int
    anticipated_plea: str
    points: tuple[dict[str, Any], ...]
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    headline: str
    chronology: str
    interview_summary: str

    def apply(self, aggregate: Investigation) -> None:
        last = aggregate._case_summary
        expected = 1 if last is None else last.version + 1
        if self.version != expected:
            # Commands number versions; an authentic record that does not is refused on load.
            raise ValueError(f"case summary version {self.version} is not {expected}")
        for i, point in enumerate(self.points):
            # Checked again so that an authentic record citing what it may not is refused.
            aggregate._require_offence(point["offence"], f"points[{i}].offence")
            aggregate._check_evidence(list(point["evidence"]), f"points[{i}].evidence")
        aggregate._case_summary = CaseSummaryVersion(
            self.version, self.originator_version, self.anticipated_plea
        )


class CaseSummaryCommands(OffenceCommands):
    """Writing the case summary (MG5), version after version: its points cite alleged offences."""

    def _init_state(self) -> None:
        super()._init_state()
        self._case_summary: CaseSummaryVersion | None = None

    @property
    def case_summary(self) -> CaseSummaryVersion | None:
        """The latest version of the case summary, or None before the first."""
        return self._case_summary

    def write_case_summary(
        self,
        *,
        headline: str,
        chronology: str,
        anticipated_plea: AnticipatedPlea | str = AnticipatedPlea.UNKNOWN,
        points: Iterable[SummaryPoint] = (),
        interview_summary: str = "",
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Write the next version of the case summary; it replaces the last one whole.

        Each point names an alleged offence of the case (the sequence number
        of its ``offence.alleged`` record), the element to prove, and earlier
        evidence records proving it.
        """
        self._require_case_only("the case summary")
        if isinstance(points, str | bytes) or not isinstance(points, Iterable):
            raise InvalidCommandError("points", "expected a sequence of SummaryPoint")
        checked = [self._point(point, f"points[{i}]") for i, point in enumerate(points)]
        last = self._case_summary
        fields: dict[str, Any] = {
            "version": 1 if last is None else last.version + 1,
            "anticipated_plea": check_choice(AnticipatedPlea, anticipated_plea, "anticipated_plea"),
            "points": tuple(checked),
            "headline": check_text(headline, "headline", max_length=MAX_LONG_TEXT),
            "chronology": check_text(chronology, "chronology", max_length=MAX_LONG_TEXT),
            "interview_summary": check_text(
                interview_summary, "interview_summary", max_length=MAX_LONG_TEXT, allow_empty=True
            ),
        }
        fields.update(self._acting(by)[1])
        return self._record(CaseSummaryWritten, at, fields)

    def _point(self, point: object, field: str) -> dict[str, Any]:
        if not isinstance(point, SummaryPoint):
            raise InvalidCommandError(field, f"expected a SummaryPoint, not {type(point).__name__}")
        offence = self._require_offence(point.offence, f"{field}.offence").seq
        evidence = list(point.evidence) if isinstance(point.evidence, Iterable) else None
        if evidence is None:
            raise InvalidCommandError(f"{field}.evidence", "expected a list of record seqs")
        self._check_evidence(evidence, f"{field}.evidence")
        return {
            "element": check_text(point.element, f"{field}.element"),
            "evidence": evidence,
            "offence": offence,
        }
