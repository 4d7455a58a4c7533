"""Redaction decisions, their withdrawal, and erasures: accountable acts on disclosed text.

A redaction decision (``redaction.decided``) withholds runs of a text field
of an earlier record, or a whole field, from the exports made for the
audiences it names, for a reason from the CPS/NPCC redaction principles. It
is withdrawn only by a further record (``redaction.withdrawn``). An erasure
(``disclosure.erased``) records that runs of a field, or a whole field, were
removed from the store's disclosures for good: who, when, on what basis and
which units, never the erased words. None of them changes what was signed.

Which runs a text has is known only from its disclosure (the store's, when
the application asks): the commands take the number of units of the field's
text (``units``) to check the runs against; the application passes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final

from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events._base import CaseEvent
from casefile.events._custody_values import Custodian
from casefile.events._recording import RecordingBase
from casefile.events._registry import register
from casefile.events._values import MAX_LONG_TEXT, Instant, check_choice, check_text
from casefile.signing._runs import Run, merge_runs, runs_cover
from casefile.signing._text import MAX_TEXT_UNITS
from casefile.verifier._redaction_codes import (
    DECISION_TYPE,
    ERASURE_TYPE,
    WITHDRAWAL_TYPE,
    Audience,
    ErasureBasis,
    RedactionReason,
)

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "DisclosureErased",
    "Erasure",
    "RedactionCommands",
    "RedactionDecided",
    "RedactionDecision",
    "RedactionWithdrawn",
]

_NOTHING: Final[frozenset[str]] = frozenset()


@dataclass(frozen=True, slots=True)
class RedactionDecision:
    """An active redaction decision: record ``seq`` withholds ``runs`` (None: the whole field)."""

    seq: int
    record: int
    field: str
    runs: tuple[Run, ...] | None
    audiences: frozenset[str]
    reason: str


@dataclass(frozen=True, slots=True)
class Erasure:
    """What erasures have removed from one field: the ``runs`` erased, or the whole field."""

    record: int
    field: str
    runs: tuple[Run, ...] | None
    seqs: tuple[int, ...]


def _runs_data(runs: tuple[Run, ...] | None) -> list[list[int]] | None:
    return None if runs is None else [list(run) for run in runs]


def _runs_of(data: list[list[int]] | None) -> tuple[Run, ...] | None:
    return None if data is None else tuple((a, b) for a, b in data)


class _RedactionEvent(CaseEvent):
    # A redaction or an erasure is never corrected: it is withdrawn, or another is made.
    CORRECTION_CHECKS: ClassVar[Mapping[str, Any]] = {}
    #: Why, in words: committed as redactable text (empty: not committed).
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"explanation"})

    explanation: str

    @classmethod
    def check_correction(cls, fields: Mapping[str, Any]) -> None:
        for name in fields:
            raise InvalidCommandError(
                f"fields.{name}",
                f"a {cls.TYPE} record is never corrected: withdraw it or record another",
            )


@register
class RedactionDecided(_RedactionEvent):
    """``by`` decides that ``runs`` of ``field`` of record ``record`` (None: all of it) are
    withheld from exports for ``audiences``, for ``reason``; ``explanation`` is committed."""

    TYPE = DECISION_TYPE
    LIST_FIELDS = ("audiences",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"by", "recorded_by", "record", "field", "runs", "audiences", "reason"}
    )

    by: dict[str, str]
    recorded_by: dict[str, str] | None
    record: int
    field: str
    runs: list[list[int]] | None
    audiences: tuple[str, ...]
    reason: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._redactions[self.originator_version] = RedactionDecision(
            seq=self.originator_version,
            record=self.record,
            field=self.field,
            runs=_runs_of(self.runs),
            audiences=frozenset(self.audiences),
            reason=self.reason,
        )


@register
class RedactionWithdrawn(_RedactionEvent):
    """``by`` withdraws redaction decision ``decision``; ``explanation`` is committed."""

    TYPE = WITHDRAWAL_TYPE
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"by", "recorded_by", "decision"})

    by: dict[str, str]
    recorded_by: dict[str, str] | None
    decision: int

    def apply(self, aggregate: Investigation) -> None:
        aggregate._redactions.pop(self.decision, None)
        aggregate._withdrawn[self.decision] = self.originator_version


@register
class DisclosureErased(_RedactionEvent):
    """``by`` erased ``runs`` of ``field`` of record ``record`` (None: all of it) from the
    store's disclosures, on ``basis``; ``explanation`` is committed. Never the erased words."""

    TYPE = ERASURE_TYPE
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"by", "recorded_by", "record", "field", "runs", "basis"}
    )

    by: dict[str, str]
    recorded_by: dict[str, str] | None
    record: int
    field: str
    runs: list[list[int]] | None
    basis: str

    def apply(self, aggregate: Investigation) -> None:
        key = (self.record, self.field)
        runs = _runs_of(self.runs)
        before = aggregate._erasures.get(key)
        if before is not None:
            seqs = (*before.seqs, self.originator_version)
            if before.runs is None or runs is None:
                runs = None
            else:
                runs = merge_runs((*before.runs, *runs))
        else:
            seqs = (self.originator_version,)
        aggregate._erasures[key] = Erasure(self.record, self.field, runs, seqs)


class RedactionCommands(RecordingBase):
    """Deciding and withdrawing redactions, and recording erasures.

    Allowed on a closed case: what is disclosed of a case, and what a data
    protection erasure removes, is decided long after the investigation ends.
    """

    _committed: dict[int, frozenset[str]]
    _redactions: dict[int, RedactionDecision]
    _withdrawn: dict[int, int]
    _erasures: dict[tuple[int, str], Erasure]

    @property
    def redactions(self) -> Mapping[int, RedactionDecision]:
        """The active redaction decisions (not withdrawn), by the seq of their record."""
        return dict(self._redactions)

    @property
    def erasures(self) -> Mapping[tuple[int, str], Erasure]:
        """What erasures removed, by (record, field)."""
        return dict(self._erasures)

    def is_text_field(self, seq: int, field: str) -> bool:
        """True if ``field`` of record ``seq`` is committed as text (runs of it can be withheld)."""
        cls = self.record_type(seq)
        names = cls.TEXT_FIELDS
        if cls.TYPE == "record.corrected" and field not in names:
            names = self.record_type(self._corrected_seq(seq)).TEXT_FIELDS
        return field in names and field in self._committed.get(seq, _NOTHING)

    def decide_redaction(
        self,
        *,
        record: int,
        field: str,
        audiences: Iterable[Audience | str],
        reason: RedactionReason | str,
        explanation: str | None = None,
        runs: Iterable[Run] | None = None,
        units: int | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Withhold ``runs`` of ``field`` of record ``record`` (None: the whole field) from
        exports for ``audiences``; ``units`` is the number of units of the field's text.

        A value field is withheld whole only. ``reason`` ``other`` needs an
        ``explanation``. Returns the decision's seq.
        """
        checked_runs = self._target_runs(record, field, runs, units)
        chosen = self._audiences(audiences)
        why = check_choice(RedactionReason, reason, "reason")
        text = self._explanation(explanation, why == RedactionReason.OTHER)
        fields = self._act_on(by, record, field, checked_runs, text)
        return self._record(RedactionDecided, at, {**fields, "audiences": chosen, "reason": why})

    def withdraw_redaction(
        self,
        *,
        decision: int,
        explanation: str | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Withdraw the active redaction decision of record ``decision``; returns the seq."""
        if type(decision) is not int or decision not in self._redactions:
            done = self._withdrawn.get(decision) if type(decision) is int else None
            why = (
                f"was withdrawn by record {done}"
                if done is not None
                else "is not a redaction decision of the case"
            )
            raise InvalidCommandError("decision", f"record {decision!r} {why}")
        text = self._explanation(explanation, False)
        _, acting = self._acting(by)
        fields = {**acting, "decision": decision, "explanation": text}
        return self._record(RedactionWithdrawn, at, fields)

    def record_erasure(
        self,
        *,
        record: int,
        field: str,
        basis: ErasureBasis | str,
        explanation: str | None = None,
        runs: Iterable[Run] | None = None,
        units: int | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record that ``runs`` of ``field`` of record ``record`` (None: the whole field) were
        erased from the store's disclosures; ``units`` is the number of units of its text.

        Refused if all of it is erased already. ``basis`` ``other`` needs an
        ``explanation``. The caller erases the disclosure in the same
        transaction (``CasefileApp.erase_words``). Returns the seq.
        """
        checked_runs = self._target_runs(record, field, runs, units)
        before = self._erasures.get((record, field))
        if before is not None:
            if before.runs is None:
                raise InvalidCommandError(
                    "field",
                    f"{field} of record {record} was erased whole already "
                    f"(record {before.seqs[-1]})",
                )
            if checked_runs is not None and runs_cover(before.runs, checked_runs):
                raise InvalidCommandError(
                    "runs",
                    f"these runs of {field} of record {record} were erased already "
                    f"(records {', '.join(map(str, before.seqs))})",
                )
        why = check_choice(ErasureBasis, basis, "basis")
        text = self._explanation(explanation, why == ErasureBasis.OTHER)
        fields = self._act_on(by, record, field, checked_runs, text)
        return self._record(DisclosureErased, at, {**fields, "basis": why})

    # --- checks ------------------------------------------------------------------------

    def _act_on(
        self,
        by: Custodian | None,
        record: int,
        field: str,
        runs: tuple[Run, ...] | None,
        explanation: str | None,
    ) -> dict[str, Any]:
        """The fields a decision and an erasure share: who acts, on what, and the explanation."""
        _, acting = self._acting(by)
        target = {"record": record, "field": field, "runs": _runs_data(runs)}
        return {**acting, **target, "explanation": explanation}

    def _corrected_seq(self, seq: int) -> int:
        for target, corrections in self._corrections.items():
            if seq in corrections:
                return target
        return seq

    def _target_runs(
        self, record: object, field: object, runs: Iterable[Run] | None, units: int | None
    ) -> tuple[Run, ...] | None:
        if type(record) is not int or not 1 <= record <= self._version:
            raise UnknownReferenceError(
                f"record {record!r} does not exist (case {self._id} has {self._version})",
                field="record",
            )
        committed = self._committed.get(record, _NOTHING)
        if type(field) is not str or field not in committed:
            raise InvalidCommandError(
                "field",
                f"record {record} commits no field {field!r} "
                f"(it commits: {', '.join(sorted(committed)) or 'none'})",
            )
        if runs is None:
            return None
        if not self.is_text_field(record, field):
            raise InvalidCommandError(
                "runs", f"{field} of record {record} is a value: it is withheld whole (runs=None)"
            )
        if type(units) is not int or not 1 <= units <= MAX_TEXT_UNITS:
            raise InvalidCommandError(
                "units", "give the number of units of the field's text to check the runs against"
            )
        try:
            merged = merge_runs(runs)
        except (TypeError, ValueError) as exc:
            raise InvalidCommandError("runs", str(exc)) from None
        if not merged:
            raise InvalidCommandError("runs", "name at least one run, or None for the whole field")
        if merged[-1][1] > units:
            raise InvalidCommandError(
                "runs",
                f"run [{merged[-1][0]}, {merged[-1][1]}) ends past the text of {field} of "
                f"record {record}, which has {units} units (0 to {units - 1})",
            )
        return merged

    @staticmethod
    def _audiences(audiences: Iterable[Audience | str]) -> list[str]:
        if isinstance(audiences, str):
            raise InvalidCommandError("audiences", "expected a list of audiences, not one text")
        chosen = [check_choice(Audience, a, "audiences") for a in audiences]
        if not chosen:
            raise InvalidCommandError("audiences", "name at least one audience")
        if len(set(chosen)) != len(chosen):
            raise InvalidCommandError("audiences", "an audience is named twice")
        return sorted(chosen)

    @staticmethod
    def _explanation(explanation: str | None, required: bool) -> str:
        if explanation is None or explanation == "":
            if required:
                raise InvalidCommandError("explanation", "required when the code is 'other'")
            return ""
        return check_text(explanation, "explanation", max_length=MAX_LONG_TEXT)
