"""What each audience may see of each field: the active redaction decisions and the erasures.

Read from verified records only (the verifier's output), so an export, the
bundle verifier (B11) and the application all judge a redaction by the same
rule: a decision applies to its audiences until a verified withdrawal names
it; an erasure applies to everyone. A decision whose ``runs`` are not
well formed (signed so by a redactor's key, but not what the format allows)
covers nothing: what it meant to withhold is then reported as withheld
without a decision rather than guessed at; so does one that names a record
that is not earlier than itself.

A correction carries the corrected words or value under the field's own name,
in a record of its own, which the decision on the original does not name.
Rather than hand an audience in full what it withheld, a decision in force on
a field also withholds that field of every correction of its record whole,
until a decision in force for the audience names the correction's field itself
(docs/DECISIONS.md D26).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, Protocol

from casefile.projections._texts import marker_label
from casefile.signing._runs import Run, merge_runs, runs_cover
from casefile.signing._text import MAX_TEXT_UNITS
from casefile.verifier._payloads import CORRECTION_REASON, CORRECTION_TYPE
from casefile.verifier._redaction_codes import (
    DECISION_TYPE,
    ERASURE_TYPE,
    WITHDRAWAL_TYPE,
    Audience,
)

__all__ = ["NO_DECISION", "FieldRedactions", "RedactionCover", "redactions_for"]

#: What a marker names for withheld units that no decision or erasure covers.
NO_DECISION: Final = "no decision"


class _Record(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def event_type(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class RedactionCover:
    """One decision or erasure over a field: its record, its runs (None: whole), and why.

    ``reason`` is the decision's reason code, or ``None`` for an erasure
    (whose ``basis`` is then given).
    """

    seq: int
    runs: tuple[Run, ...] | None
    reason: str | None
    basis: str | None = None

    def touches(self, start: int, end: int, n: int | None) -> bool:
        """True if this decision or erasure withholds some unit of ``[start, end)``.

        Judged as B11 counts runs (FORMAT.md §9.6): a run reaching past the
        text's ``n`` units covers nothing, and with ``n`` unknown (no
        disclosure) only a whole-field act withholds anything.
        """
        if self.runs is None:
            return True
        if n is None:
            return False
        return any(a < end and start < b and b <= n for a, b in self.runs)


@dataclass(frozen=True, slots=True)
class FieldRedactions:
    """The active decisions for one audience and the erasures of one field of one record."""

    record: int
    field: str
    decisions: tuple[RedactionCover, ...] = ()
    erasures: tuple[RedactionCover, ...] = ()

    @property
    def whole(self) -> bool:
        """True if a decision or erasure withholds the whole field."""
        return any(c.runs is None for c in (*self.decisions, *self.erasures))

    def runs(self, n: int | None = None) -> tuple[Run, ...] | None:
        """Every run withheld (decisions and erasures merged), or None: the whole field.

        Given the text's number of units ``n``, a run reaching past the last
        unit covers nothing (FORMAT.md §10.4) and is left out.
        """
        if self.whole:
            return None
        return merge_runs(
            run
            for c in (*self.decisions, *self.erasures)
            for run in c.runs or ()
            if n is None or run[1] <= n
        )

    def covered(self, start: int, end: int) -> bool:
        """True if the union of the decisions and erasures withholds all of ``[start, end)``."""
        return self.whole or runs_cover(self.runs() or (), [(start, end)])

    def reasons(self, start: int, end: int, n: int | None) -> tuple[str, ...]:
        """The reason codes of the decisions touching ``[start, end)``, sorted, then ``erased``.

        Sorted (FORMAT.md §9.6) so that a marker does not depend on the order
        in which the decisions were recorded. ``n`` is the text's number of
        units, or None when nothing tells it: a marker then names only what B11
        counts for the run, never a decision the finding beside it says does
        not cover the run.
        """
        out = sorted({c.reason for c in self.decisions if c.reason and c.touches(start, end, n)})
        if any(c.touches(start, end, n) for c in self.erasures):
            out.append("erased")
        return tuple(out)

    def label(self, start: int, end: int | None, n: int | None) -> str:
        """What the marker of withheld units ``[start, end)`` (None: the whole field) says.

        Names the reasons of the decisions and erasures that touch them, or
        ``no decision`` when none does (:func:`marker_label` words it); ``n``
        as for :meth:`reasons`.
        """
        units = None if end is None else end - start
        reasons = self.reasons(start, MAX_TEXT_UNITS if end is None else end, n)
        return marker_label(units, reasons or (NO_DECISION,))


def _runs(value: object) -> tuple[Run, ...] | None:
    """The runs of a verified payload, or ``()`` if they are not well formed (cover nothing)."""
    if value is None:
        return None
    if not isinstance(value, list):
        return ()
    pairs = [tuple(run) if isinstance(run, list) else run for run in value]
    try:
        merged = merge_runs(pairs)
    except ValueError:
        return ()
    # The format asks for sorted, maximal runs: anything else is not a decision's runs.
    return merged if [list(r) for r in merged] == value else ()


def redactions_for(
    records: Iterable[_Record], audience: Audience | str | None
) -> dict[tuple[int, str], FieldRedactions]:
    """For each (record, field), the active decisions for ``audience`` and every erasure.

    ``records`` are verified records in sequence order (failed ones left
    out); of the records that are not redaction acts only corrections count.
    ``audience`` None gives the erasures alone. Withdrawals undo the
    decisions they name, whatever audience they were for. A field of a
    correction that no decision in force names is withheld whole by the
    decisions in force on the field it corrects.
    """
    decisions: dict[int, tuple[tuple[int, str], RedactionCover, frozenset[str]]] = {}
    erasures: dict[tuple[int, str], list[RedactionCover]] = {}
    corrections: dict[int, list[int]] = {}
    for record in records:
        kind, data = record.event_type, record.data
        if kind == CORRECTION_TYPE:
            corrected = data.get("corrects")
            if isinstance(corrected, int):
                corrections.setdefault(corrected, []).append(record.seq)
            continue
        target, name = data.get("record"), data.get("field")
        if not (isinstance(target, int) and isinstance(name, str)):
            target, name = 0, ""  # names no record: covers nothing
        # A decision or erasure names an earlier record (§10.4): one signed before the
        # record existed cannot have weighed its words, and covers nothing.
        named = 0 < target < record.seq
        if kind == DECISION_TYPE:
            audiences = data.get("audiences")
            if named and isinstance(audiences, list):
                cover = RedactionCover(record.seq, _runs(data.get("runs")), str(data.get("reason")))
                decisions[record.seq] = ((target, name), cover, frozenset(audiences))
        elif kind == WITHDRAWAL_TYPE:
            withdrawn = data.get("decision")
            if isinstance(withdrawn, int):
                decisions.pop(withdrawn, None)
        elif kind == ERASURE_TYPE and named:
            basis = data.get("basis")
            erasure = RedactionCover(
                record.seq, _runs(data.get("runs")), None, basis if isinstance(basis, str) else None
            )
            erasures.setdefault((target, name), []).append(erasure)
    out: dict[tuple[int, str], FieldRedactions] = {}
    for key, covers in erasures.items():
        out[key] = FieldRedactions(key[0], key[1], erasures=tuple(covers))
    if audience is not None:
        for key, cover, audiences in decisions.values():
            if audience not in audiences:
                continue
            before = out.get(key, FieldRedactions(key[0], key[1]))
            out[key] = FieldRedactions(key[0], key[1], (*before.decisions, cover), before.erasures)
        _follow_corrections(out, corrections)
    return out


def _follow_corrections(
    out: dict[tuple[int, str], FieldRedactions], corrections: Mapping[int, list[int]]
) -> None:
    """Withhold whole each corrected field whose original a decision in force names.

    The decisions of the original are kept (as whole-field ones) so the reader
    sees why; a correction's own decision in force replaces them.
    """
    inherited = {
        (fix, name): tuple(replace(d, runs=None) for d in found.decisions)
        for (seq, name), found in out.items()
        if found.decisions and name != CORRECTION_REASON
        for fix in corrections.get(seq, ())
    }
    for key, decisions in inherited.items():
        before = out.get(key, FieldRedactions(key[0], key[1]))
        if not before.decisions:
            out[key] = FieldRedactions(key[0], key[1], decisions, before.erasures)
