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
keeps the decision, withdrawal and erasure records (a few fields each) and,
per text field of a bundle made for an audience, its unit count and withheld
runs (and the revealed text of the fields the report shows) until the walk
ends. Which decisions are in force is decided by
:func:`casefile.projections.redactions_for`, the one rule the export, the
application and this step share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from casefile.findings import Finding
from casefile.projections import render_text
from casefile.projections._redactions import FieldRedactions, redactions_for
from casefile.signing._runs import Run, uncovered
from casefile.signing._text import TextDisclosure, Withheld
from casefile.verifier._payloads import CORRECTION_TYPE
from casefile.verifier._redaction_codes import (
    DECISION_TYPE,
    ERASURE_TYPE,
    WITHDRAWAL_TYPE,
)
from casefile.verifier._verified import VerifiedRecord

__all__ = [
    "REDACTION_NOT_APPLIED",
    "REDACTION_WITHOUT_DECISION",
    "Marker",
    "RedactedField",
    "RedactionLedger",
]

#: A withheld run that no active decision for the audience and no erasure covers.
REDACTION_WITHOUT_DECISION: Final = "redaction_without_decision"
#: A revealed unit (or a disclosed value) that an active decision for the audience withholds.
REDACTION_NOT_APPLIED: Final = "redaction_not_applied"

_ACTS: Final = frozenset({DECISION_TYPE, WITHDRAWAL_TYPE, ERASURE_TYPE})
_NONE: Final = FieldRedactions(0, "")


@dataclass(frozen=True, slots=True)
class _Act:
    """What :func:`redactions_for` reads of a decision, withdrawal or erasure record."""

    seq: int
    event_type: str
    data: Mapping[str, Any]


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
    """A text field with something withheld: revealed text and markers, in order.

    ``text`` is the field as a reader sees it, rendered by
    :func:`casefile.projections.render_text` with each marker naming why.
    """

    seq: int
    field: str
    segments: tuple[str | Marker, ...]
    text: str

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
    withheld: tuple[Run, ...]
    # Kept only when something is withheld: the report shows its revealed words.
    disclosure: TextDisclosure | None = None


def _words(count: int) -> str:
    return f"{count} word{'' if count == 1 else 's'}"


def _marker(run: Withheld, found: FieldRedactions, n: int) -> Marker:
    return Marker(run.start, run.end, found.label(run.start, run.end, n))


@dataclass(slots=True)
class RedactionLedger:
    """Collects text fields and redaction acts of verified records; judges them at the end (B11).

    ``audience`` is the bundle's; with None there are no findings, and the
    markers name only erasures (no decision applies to a bundle for no one).
    """

    audience: str | None
    _texts: dict[tuple[int, str], _Text] = field(default_factory=dict)
    _values: set[tuple[int, str]] = field(default_factory=set)
    _acts: list[_Act] = field(default_factory=list)
    _covers: dict[tuple[int, str], FieldRedactions] | None = None

    def take(self, record: VerifiedRecord, text_fields: frozenset[str]) -> None:
        """Note what B11 needs of one verified record.

        ``text_fields`` names the record's committed fields that are texts
        (FORMAT.md §10.4); a text disclosure shows itself a text in any case.
        """
        self.take_acts(record)
        for name in record.commitments:
            opened = record.disclosed.get(name)
            if isinstance(opened, TextDisclosure):
                self.text(record.seq, name, n=opened.n, withheld=opened.withheld, disclosure=opened)
            elif name in text_fields and name not in record.disclosed:
                self.text(record.seq, name, n=None)
            elif name in record.disclosed:
                self.value(record.seq, name)

    def take_acts(self, record: VerifiedRecord) -> None:
        """Keep ``record`` if it is a redaction decision, a withdrawal or an erasure,
        and which record a correction corrects (decisions follow to it)."""
        if record.event_type in _ACTS:
            self._acts.append(_Act(record.seq, record.event_type, record.data))
            self._covers = None
        elif record.event_type == CORRECTION_TYPE:
            corrects = {"corrects": record.data.get("corrects")}
            self._acts.append(_Act(record.seq, record.event_type, corrects))
            self._covers = None

    def text(
        self,
        seq: int,
        name: str,
        *,
        n: int | None,
        withheld: Sequence[Run] = (),
        disclosure: TextDisclosure | None = None,
    ) -> None:
        """Note a text field of record ``seq``: ``n`` units (None if it has no disclosure),
        its withheld runs, and (for the report) its disclosure."""
        if self.audience is None and (n is None or not withheld):
            return  # no finding without an audience: keep only what the report shows
        self._texts[(seq, name)] = _Text(n, tuple(withheld), disclosure if withheld else None)

    def value(self, seq: int, name: str) -> None:
        """Note that the value field ``name`` of record ``seq`` is disclosed."""
        if self.audience is not None:
            self._values.add((seq, name))

    def covers(self) -> dict[tuple[int, str], FieldRedactions]:
        """Per (record, field): the audience's decisions in force and every erasure."""
        if self._covers is None:
            self._covers = redactions_for(self._acts, self.audience)
        return self._covers

    def withheld_whole(self) -> set[tuple[int, str]]:
        """The (record, field) pairs that the audience's decisions or an erasure withhold whole."""
        return {key for key, found in self.covers().items() if found.whole}

    def withheld(self) -> dict[tuple[int, str], tuple[Run, ...] | None]:
        """What the audience may not see: per (record, field), the runs (None: all of it)."""
        return {key: found.runs() for key, found in self.covers().items()}

    def findings(self) -> list[Finding]:
        """The B11 findings, in order of record and field (none for a bundle for no one)."""
        if self.audience is None:
            return []
        covers = self.covers()
        out: list[Finding] = []
        for key in sorted(self._texts.keys() | (covers.keys() & self._values)):
            found = covers.get(key, _NONE)
            if key in self._values:
                out.extend(self._value_not_applied(key, found))
            else:
                text = self._texts[key]
                out.extend(self._without_decision(key, text, found))
                out.extend(self._not_applied(key, text, found))
        return out

    def _without_decision(
        self, key: tuple[int, str], text: _Text, found: FieldRedactions
    ) -> list[Finding]:
        if found.whole:
            return []  # a whole-field act covers every run, and the field's absence
        seq, name = key
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
        # FORMAT.md §10.4: a run past the text's last unit covers nothing.
        cover = found.runs(text.n) or ()
        return [
            Finding(
                REDACTION_WITHOUT_DECISION,
                f"{where}: units [{a}, {b}) ({_words(b - a)}) withheld with no signed "
                f"decision for the {self.audience} audience and no erasure",
                seq,
            )
            for run in text.withheld
            for a, b in uncovered(run, cover)
        ]

    def _not_applied(
        self, key: tuple[int, str], text: _Text, found: FieldRedactions
    ) -> list[Finding]:
        n = text.n
        if n is None:
            return []
        seq, name = key
        out = []
        for decision in found.decisions:
            for start, end in ((0, n),) if decision.runs is None else decision.runs:
                for a, b in uncovered((start, end), text.withheld) if end <= n else ():
                    out.append(
                        Finding(
                            REDACTION_NOT_APPLIED,
                            f"record {seq}, field {name!r}: units [{a}, {b}) ({_words(b - a)}) "
                            f"are revealed though decision {decision.seq} ({decision.reason}) "
                            f"withholds them from the {self.audience} audience",
                            seq,
                        )
                    )
        return out

    def _value_not_applied(self, key: tuple[int, str], found: FieldRedactions) -> list[Finding]:
        seq, name = key
        return [
            Finding(
                REDACTION_NOT_APPLIED,
                f"record {seq}, field {name!r}: disclosed though decision {decision.seq} "
                f"({decision.reason}) withholds it from the {self.audience} audience",
                seq,
            )
            for decision in found.decisions
        ]

    @staticmethod
    def _shown(
        key: tuple[int, str], disclosure: TextDisclosure, found: FieldRedactions
    ) -> RedactedField:
        segments = tuple(
            piece if isinstance(piece, str) else _marker(piece, found, disclosure.n)
            for piece in disclosure.segments()
        )
        text = render_text(
            disclosure, lambda _seq, _name, run: str(_marker(run, found, disclosure.n))
        )
        return RedactedField(key[0], key[1], segments, text)

    def redacted(self) -> tuple[RedactedField, ...]:
        """Each text field with something withheld, as the report shows it."""
        covers = self.covers()
        out = []
        for key in sorted(self._texts):
            text = self._texts[key]
            found = covers.get(key, _NONE)
            if text.n is None:
                marker = Marker(0, None, found.label(0, None, None))
                out.append(RedactedField(key[0], key[1], (marker,), str(marker)))
            elif text.disclosure is not None:
                out.append(self._shown(key, text.disclosure, found))
        return tuple(out)
