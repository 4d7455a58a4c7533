"""B11 of docs/FORMAT.md §9.6: every withheld run of text is accounted for by a signed act.

A bundle made for an audience shows text with runs of words withheld. The text
commitments prove that what is revealed is what the signer signed; they cannot
say *why* the rest is missing. B11 holds each withheld run to the signed
redaction decisions for the bundle's audience that are still active (not
withdrawn) and to the recorded erasures: a run that neither covers is the
finding ``redaction_without_decision``; a revealed unit, or a disclosed value,
that an active decision withholds from the audience is ``redaction_not_applied``.
Both are findings, not failures: the revealed words remain authentic, and a
court weighs an unexplained gap as it weighs a gap in custody.

The ledger also renders each redacted field for the report, the revealed text
with a marker in place of each withheld run naming why it is withheld.
Decisions and erasures always come after the records they name, so the ledger
keeps, per text field, only its unit count and withheld runs (and the revealed
text of fields that have a withheld run) until the walk ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from casefile.bundle._runs import Runs, merge_runs, overlaps, parse_runs, uncovered
from casefile.findings import Finding
from casefile.signing._text import TextDisclosure, Withheld
from casefile.verifier._engine import VerifiedRecord
from casefile.verifier._redaction_codes import DECISION_TYPE, ERASURE_TYPE, WITHDRAWAL_TYPE

__all__ = [
    "REDACTION_NOT_APPLIED",
    "REDACTION_WITHOUT_DECISION",
    "Decision",
    "Erasure",
    "Marker",
    "RedactedField",
    "RedactionLedger",
]

#: A withheld run that no active decision for the audience and no erasure covers.
REDACTION_WITHOUT_DECISION: Final = "redaction_without_decision"
#: A revealed unit (or a disclosed value) that an active decision for the audience withholds.
REDACTION_NOT_APPLIED: Final = "redaction_not_applied"


@dataclass(frozen=True, slots=True)
class Decision:
    """A verified ``redaction.decided``: record ``seq`` withholds runs of ``record``'s ``field``."""

    seq: int
    record: int
    field: str
    runs: Runs | None
    audiences: frozenset[str]
    reason: str


@dataclass(frozen=True, slots=True)
class Erasure:
    """A verified ``disclosure.erased``: record ``seq`` erased runs of ``record``'s ``field``."""

    seq: int
    record: int
    field: str
    runs: Runs | None


@dataclass(frozen=True, slots=True)
class Marker:
    """A withheld run as the report shows it: its units and why it is withheld."""

    start: int
    end: int | None  # None: the whole field, whose length nothing reveals
    label: str

    def __str__(self) -> str:
        return f"[{self.label}]"


@dataclass(frozen=True, slots=True)
class RedactedField:
    """A text field with something withheld: revealed text and markers, in order."""

    seq: int
    field: str
    segments: tuple[str | Marker, ...]

    @property
    def text(self) -> str:
        """The field as a reader sees it, each withheld run replaced by its marker."""
        return "".join(str(s) for s in self.segments)

    def to_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "seq": self.seq,
            "segments": [
                s
                if isinstance(s, str)
                else {"withheld": [s.start, s.end] if s.end is not None else None, "why": s.label}
                for s in self.segments
            ],
        }


@dataclass(slots=True)
class _Text:
    n: int | None  # None: no disclosure, the whole field withheld
    withheld: Runs
    segments: tuple[str | tuple[int, int], ...] = ()


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError("expected an integer")
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("expected a string")
    return value


def _words(count: int) -> str:
    return f"{count} word{'' if count == 1 else 's'}"


@dataclass(slots=True)
class RedactionLedger:
    """Collects text fields, decisions, withdrawals and erasures; judges them at the end (B11).

    ``audience`` is the bundle's; with None there are no findings, and the
    markers name only erasures (no decision applies to a bundle for no one).
    """

    audience: str | None
    _texts: dict[tuple[int, str], _Text] = field(default_factory=dict)
    _values: set[tuple[int, str]] = field(default_factory=set)
    _decisions: list[Decision] = field(default_factory=list)
    _withdrawn: set[int] = field(default_factory=set)
    _erasures: dict[tuple[int, str], list[Erasure]] = field(default_factory=dict)

    def take(self, record: VerifiedRecord, text_fields: frozenset[str]) -> None:
        """Note what B11 needs of one verified record.

        ``text_fields`` names the record's committed fields that are texts
        (FORMAT.md §10.4); a text disclosure shows itself a text in any case.
        """
        self.take_acts(record)
        for name in record.commitments:
            opened = record.disclosed.get(name)
            if isinstance(opened, TextDisclosure):
                self.text(
                    record.seq,
                    name,
                    n=opened.n,
                    withheld=opened.withheld,
                    segments=[
                        (s.start, s.end) if isinstance(s, Withheld) else s
                        for s in opened.segments()
                    ]
                    if opened.withheld
                    else (),
                )
            elif name in text_fields and name not in record.disclosed:
                self.text(record.seq, name, n=None)
            elif name in record.disclosed:
                self.value(record.seq, name)

    def take_acts(self, record: VerifiedRecord) -> None:
        """Note ``record`` if it is a redaction decision, a withdrawal or an erasure.

        One whose data does not have the shape of §10.4 is ignored: it can cover
        nothing (its schema, V10, refuses it when the verifier has the payload
        schemas).
        """
        seq, data = record.seq, record.data
        try:
            if record.event_type == DECISION_TYPE:
                self.decision(
                    Decision(
                        seq,
                        _int(data["record"]),
                        _str(data["field"]),
                        parse_runs(data["runs"]),
                        frozenset(_str(a) for a in data["audiences"]),
                        _str(data["reason"]),
                    )
                )
            elif record.event_type == WITHDRAWAL_TYPE:
                self.withdrawal(_int(data["decision"]))
            elif record.event_type == ERASURE_TYPE:
                self.erasure(
                    Erasure(
                        seq, _int(data["record"]), _str(data["field"]), parse_runs(data["runs"])
                    )
                )
        except (KeyError, TypeError, ValueError):
            pass

    def withheld(self) -> dict[tuple[int, str], Runs | None]:
        """What the audience may not see: per (record, field), the runs (None: all of it)
        that its active decisions and the erasures withhold."""
        out: dict[tuple[int, str], Runs | None] = {}
        acts: list[tuple[tuple[int, str], Runs | None]] = [
            (key, d.runs) for key, found in self._active().items() for d in found
        ]
        acts += [(key, e.runs) for key, found in self._erasures.items() for e in found]
        for key, runs in acts:
            if key in out and out[key] is None:
                continue
            if runs is None:
                out[key] = None
            else:
                out[key] = merge_runs([*(out.get(key) or ()), *runs])
        return out

    def text(
        self,
        seq: int,
        name: str,
        *,
        n: int | None,
        withheld: Runs = (),
        segments: Sequence[str | tuple[int, int]] = (),
    ) -> None:
        """Note a text field of record ``seq``: ``n`` units (None if it has no disclosure),
        its withheld runs, and (for the report) its revealed pieces and runs in order."""
        if self.audience is None and (n is None or not withheld):
            return  # no finding without an audience: keep only what the report shows
        keep = tuple(segments) if withheld or n is None else ()
        self._texts[(seq, name)] = _Text(n, tuple(withheld), keep)

    def value(self, seq: int, name: str) -> None:
        """Note that the value field ``name`` of record ``seq`` is disclosed."""
        if self.audience is None:
            return
        self._values.add((seq, name))

    def decision(self, decision: Decision) -> None:
        if decision.record < decision.seq:  # a decision names an earlier record
            self._decisions.append(decision)

    def withdrawal(self, decision_seq: int) -> None:
        self._withdrawn.add(decision_seq)

    def erasure(self, erasure: Erasure) -> None:
        if erasure.record < erasure.seq:
            self._erasures.setdefault((erasure.record, erasure.field), []).append(erasure)

    def _active(self) -> dict[tuple[int, str], list[Decision]]:
        """The audience's decisions that no withdrawal names, by (record, field)."""
        out: dict[tuple[int, str], list[Decision]] = {}
        if self.audience is None:
            return out
        for d in self._decisions:
            if self.audience in d.audiences and d.seq not in self._withdrawn:
                out.setdefault((d.record, d.field), []).append(d)
        return out

    def findings(self) -> list[Finding]:
        """The B11 findings, in order of record and field (none for a bundle for no one)."""
        if self.audience is None:
            return []
        active = self._active()
        out: list[Finding] = []
        for key in sorted(self._texts.keys() | active.keys() & self._values):
            seq, name = key
            decisions = active.get(key, [])
            erasures = self._erasures.get(key, [])
            if key in self._values:
                out.extend(self._value_not_applied(seq, name, decisions))
                continue
            text = self._texts[key]
            out.extend(self._without_decision(seq, name, text, decisions, erasures))
            out.extend(self._not_applied(seq, name, text, decisions))
        return out

    def _without_decision(
        self, seq: int, name: str, text: _Text, decisions: list[Decision], erasures: list[Erasure]
    ) -> list[Finding]:
        acts: list[Runs | None] = [d.runs for d in decisions] + [e.runs for e in erasures]
        if any(runs is None for runs in acts):
            return []  # a whole-field act covers every run, and the field's absence
        where = f"record {seq}, field {name!r}"
        if text.n is None:
            return [
                Finding(
                    REDACTION_WITHOUT_DECISION,
                    f"{where}: withheld whole, with no signed whole-field decision for the "
                    f"{self.audience} audience and no erasure",
                    seq,
                )
            ]
        cover = merge_runs(r for runs in acts for r in runs or ())
        out = []
        for run in text.withheld:
            for a, b in uncovered(run, cover):
                out.append(
                    Finding(
                        REDACTION_WITHOUT_DECISION,
                        f"{where}: units [{a}, {b}) ({_words(b - a)}) withheld with no signed "
                        f"decision for the {self.audience} audience and no erasure",
                        seq,
                    )
                )
        return out

    def _not_applied(
        self, seq: int, name: str, text: _Text, decisions: list[Decision]
    ) -> list[Finding]:
        if text.n is None:
            return []
        out = []
        for d in decisions:
            wanted = ((0, text.n),) if d.runs is None else d.runs
            for run in wanted:
                clipped = (run[0], min(run[1], text.n))
                if clipped[0] >= clipped[1]:
                    continue
                for a, b in uncovered(clipped, text.withheld):
                    out.append(
                        Finding(
                            REDACTION_NOT_APPLIED,
                            f"record {seq}, field {name!r}: units [{a}, {b}) ({_words(b - a)}) "
                            f"are revealed though decision {d.seq} ({d.reason}) withholds them "
                            f"from the {self.audience} audience",
                            seq,
                        )
                    )
        return out

    def _value_not_applied(self, seq: int, name: str, decisions: list[Decision]) -> list[Finding]:
        return [
            Finding(
                REDACTION_NOT_APPLIED,
                f"record {seq}, field {name!r}: disclosed though decision {d.seq} ({d.reason}) "
                f"withholds it from the {self.audience} audience",
                seq,
            )
            for d in decisions
        ]

    def redacted(self) -> tuple[RedactedField, ...]:
        """Each text field with something withheld, as the report shows it."""
        active = self._active()
        out = []
        for key in sorted(self._texts):
            text = self._texts[key]
            if text.n is not None and not text.withheld:
                continue
            decisions = active.get(key, [])
            erasures = self._erasures.get(key, [])
            if text.n is None:
                label = self._label(None, decisions, erasures)
                out.append(RedactedField(key[0], key[1], (Marker(0, None, label),)))
                continue
            segments: list[str | Marker] = []
            for piece in text.segments:
                if isinstance(piece, str):
                    segments.append(piece)
                else:
                    segments.append(
                        Marker(piece[0], piece[1], self._label(piece, decisions, erasures))
                    )
            out.append(RedactedField(key[0], key[1], tuple(segments)))
        return tuple(out)

    @staticmethod
    def _label(
        run: tuple[int, int] | None, decisions: list[Decision], erasures: list[Erasure]
    ) -> str:
        size = "whole field" if run is None else _words(run[1] - run[0])

        def touches(runs: Runs | None) -> bool:
            return runs is None or run is None or overlaps(run, runs)

        erased = [e for e in erasures if touches(e.runs)]
        reasons = sorted({d.reason for d in decisions if touches(d.runs)})
        if erased and not reasons:
            return f"erased {size}"
        why = ", ".join([*(["erased"] if erased else []), *reasons]) or "no decision"
        return f"withheld {size}: {why}"
