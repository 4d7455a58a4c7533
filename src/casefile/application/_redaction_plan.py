"""Choosing the units to withhold: by unit runs, by character offsets, or by matching text.

A redaction withholds whole units (a word with the whitespace after it), so
offsets and matches widen to the units they touch; the plan says so, and
shows the words each run covers, so that a person confirms before anything is
recorded.

A decision's or an erasure's explanation is itself a text that its readers
see (an erasure's is kept for good), so one that quotes the very words it
withholds is refused before anything is recorded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from casefile.errors import InvalidCommandError
from casefile.signing._runs import Run, merge_runs
from casefile.signing._text import TextDisclosure

__all__ = ["PlannedRun", "RedactionPlan", "check_not_quoted", "plan_runs"]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """A run of units ``[start, end)`` and the revealed text it covers."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class RedactionPlan:
    """The runs of field ``field`` of record ``seq`` chosen to withhold (``runs`` None: whole).

    ``widened`` is True when offsets or a match did not fall on unit bounds,
    so the runs withhold more characters than were asked for. ``units`` is the
    number of units of the text (None for a value field).
    """

    seq: int
    field: str
    runs: tuple[PlannedRun, ...] | None
    units: int | None
    widened: bool = False

    def unit_runs(self) -> tuple[Run, ...] | None:
        """The runs as ``(start, end)`` pairs, or None for the whole field."""
        return None if self.runs is None else tuple((r.start, r.end) for r in self.runs)


def _spans_to_runs(
    disclosure: TextDisclosure, spans: Iterable[tuple[int, int]], argument: str
) -> tuple[tuple[Run, ...], bool]:
    offsets = disclosure.unit_offsets()
    runs: list[Run] = []
    widened = False
    total = offsets[-1][2] if offsets else 0
    for index, span in enumerate(spans):
        if (
            not isinstance(span, tuple | list)
            or len(span) != 2
            or any(type(x) is not int for x in span)
            or not 0 <= span[0] < span[1] <= total
        ):
            raise InvalidCommandError(
                f"{argument}[{index}]",
                f"{span!r} is not a range of characters 0 <= start < end <= {total}",
            )
        start, end = span
        touched = [(u, s, e) for u, s, e in offsets if s < end and start < e]
        first, last = touched[0], touched[-1]
        if last[0] - first[0] + 1 != len(touched):
            raise InvalidCommandError(
                f"{argument}[{index}]", "spans a run that is already withheld"
            )
        widened = widened or first[1] != start or last[2] != end
        runs.append((first[0], last[0] + 1))
    return tuple(runs), widened


def _match_spans(
    disclosure: TextDisclosure, match: str, occurrence: int | None
) -> list[tuple[int, int]]:
    if type(match) is not str or not match.strip():
        raise InvalidCommandError("match", "give the text to withhold, not empty")
    # Searched within each revealed piece: a match never spans a withheld run.
    spans: list[tuple[int, int]] = []
    base = 0
    for piece in disclosure.segments():
        if not isinstance(piece, str):
            continue
        at = piece.find(match)
        while at >= 0:
            spans.append((base + at, base + at + len(match)))
            at = piece.find(match, at + len(match))
        base += len(piece)
    if not spans:
        raise InvalidCommandError("match", f"{match!r} is not in the revealed text")
    if occurrence is None:
        return spans
    if type(occurrence) is not int or not 1 <= occurrence <= len(spans):
        raise InvalidCommandError(
            "occurrence", f"the text occurs {len(spans)} time(s): give 1 to {len(spans)}"
        )
    return [spans[occurrence - 1]]


def plan_runs(
    disclosure: TextDisclosure,
    *,
    runs: Iterable[Run] | None = None,
    offsets: Sequence[tuple[int, int]] | None = None,
    match: str | None = None,
    occurrence: int | None = None,
) -> tuple[tuple[PlannedRun, ...], bool]:
    """The runs of ``disclosure``'s units chosen by exactly one of ``runs``, ``offsets``, ``match``.

    ``offsets`` are character ranges of the revealed text (the whole text
    when nothing is withheld); ``match`` withholds every occurrence, or the
    ``occurrence``-th (from 1). Returns the merged runs with the revealed
    text each covers, and whether offsets or a match were widened to units.
    """
    # None is "not given": an empty match or no runs is a mistake to name, not another choice.
    chosen_by = (("runs", runs), ("offsets", offsets), ("match", match))
    given = [name for name, v in chosen_by if v is not None]
    if len(given) != 1:
        raise InvalidCommandError(
            "runs", "choose the units by exactly one of runs, offsets or match"
        )
    widened = False
    if runs is not None:
        try:
            chosen = merge_runs(runs)
        except ValueError as exc:
            raise InvalidCommandError("runs", str(exc)) from None
        if not chosen:
            raise InvalidCommandError("runs", "give at least one run of units")
        if chosen[-1][1] > disclosure.n:
            raise InvalidCommandError(
                "runs",
                f"the run of units {chosen[-1][0]} to {chosen[-1][1] - 1} ends past the text, "
                f"which has {disclosure.n} units (0 to {disclosure.n - 1})",
            )
    elif offsets is not None:
        if not offsets:
            raise InvalidCommandError("offsets", "give at least one range of characters")
        spans, widened = _spans_to_runs(disclosure, offsets, "offsets")
        chosen = merge_runs(spans)
    else:
        spans, widened = _spans_to_runs(
            disclosure, _match_spans(disclosure, str(match), occurrence), "match"
        )
        chosen = merge_runs(spans)
    words = {u: (s, e) for u, s, e in disclosure.unit_offsets()}
    revealed = "".join(disclosure.units)
    planned = []
    for a, b in chosen:
        pieces = [revealed[words[u][0] : words[u][1]] for u in range(a, b) if u in words]
        planned.append(PlannedRun(a, b, "".join(pieces)))
    return tuple(planned), widened


def _words(text: str) -> str:
    """The words of ``text``, folded, one space apart: what survives of a quote retyped."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def check_not_quoted(explanation: str | None, withheld: Iterable[str]) -> None:
    """Refuse an ``explanation`` that holds the words of any of the ``withheld`` texts.

    Words are compared folded (case, compatibility forms) and apart from the
    spaces and punctuation between them, so a quote retyped with other
    spacing or capitals is still caught. Raises
    :class:`~casefile.errors.InvalidCommandError` naming ``explanation``.
    """
    if not explanation:
        return
    said = f" {_words(explanation)} "
    for text in withheld:
        words = _words(text)
        if words and f" {words} " in said:
            raise InvalidCommandError(
                "explanation",
                "quotes words it withholds; say why without repeating them",
            )
