"""Redacting, withdrawing redactions, erasing words, and reading a field as an audience sees it.

A redaction is a signed decision (``redaction.decided``); choose its units by
runs, character offsets or matching text, and look at the plan first
(:meth:`plan_redaction`). An erasure (:meth:`erase_words`) records
``disclosure.erased`` and replaces the stored disclosure by its redacted form
(or deletes it) in one transaction, so a crash leaves both or neither.

Erasure on PostgreSQL: the old row version stays in the table's pages after
the transaction (plain ``VACUUM`` marks its space reusable but does not
overwrite it); ``VACUUM FULL casefile_disclosures`` rewrites the table into
new files and drops the old ones at the next checkpoint. The write-ahead log
and any base backups or archives still hold the words until they are
recycled or expire: the operator's to manage (README, "Erasure").
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from casefile.application._recorders import ErasureRow
from casefile.application._redaction_plan import RedactionPlan, check_not_quoted, plan_runs
from casefile.application._texts import DisclosureReads
from casefile.bundle._audience import is_restricted
from casefile.errors import InvalidCommandError
from casefile.events import Custodian, Instant, Investigation
from casefile.events._values import check_uuid
from casefile.projections import marker_label, render_segments
from casefile.projections._redactions import NO_DECISION, FieldRedactions, redactions_for
from casefile.signing._keys import Signer
from casefile.signing._runs import Run
from casefile.signing._text import MAX_TEXT_UNITS, TextDisclosure, Withheld
from casefile.signing._value import Disclosure
from casefile.verifier import VerifiedCase
from casefile.verifier._redaction_codes import (
    Audience,
    ErasureBasis,
    RedactionReason,
)

__all__ = ["FieldView", "RedactionAppCommands", "RedactionResult", "WithheldRun"]

_AUDIENCES = frozenset(str(a) for a in Audience)


@dataclass(frozen=True, slots=True)
class RedactionResult:
    """A redaction's plan, and the seq of its decision (None for a preview)."""

    plan: RedactionPlan
    seq: int | None


@dataclass(frozen=True, slots=True)
class WithheldRun:
    """A withheld run of units ``[start, end)`` and why: reason codes, or ``erased``."""

    start: int
    end: int
    reasons: tuple[str, ...]

    def marker(self) -> str:
        """``[withheld 4 words: reason]``, or ``[erased 4 words]`` for an erasure alone."""
        return f"[{marker_label(self.end - self.start, self.reasons or (NO_DECISION,))}]"


@dataclass(frozen=True, slots=True)
class FieldView:
    """A field as an audience sees it: revealed text and withheld runs, or a value.

    ``segments`` is None for a value field (then ``value`` holds it, unless
    ``withheld``) and for a field withheld whole: ``withheld`` then names why
    (reason codes, ``erased``, ``restricted`` for the MG11 back page before the
    defence, or ``not held`` when the store has no disclosure).
    """

    seq: int
    field: str
    segments: tuple[str | WithheldRun, ...] | None
    value: object = None
    withheld: tuple[str, ...] | None = None

    def render(self) -> str:
        """The text with a marker for each withheld run (or the value, or the whole marker)."""
        if self.withheld is not None:
            return f"[{marker_label(None, self.withheld or (NO_DECISION,))}]"
        if self.segments is None:
            return str(self.value)
        return render_segments(self.segments, WithheldRun.marker)


def _plan(
    disclosure: Disclosure | TextDisclosure | None,
    seq: int,
    field: str,
    runs: Iterable[Run] | None,
    offsets: Sequence[tuple[int, int]] | None,
    match: str | None,
    occurrence: int | None,
    whole_field: bool,
) -> RedactionPlan:
    if whole_field:
        if runs is not None or offsets is not None or match is not None:
            raise InvalidCommandError("whole_field", "give either runs, offsets or match, or it")
        units = disclosure.n if isinstance(disclosure, TextDisclosure) else None
        return RedactionPlan(seq, field, None, units)
    if not isinstance(disclosure, TextDisclosure):
        raise InvalidCommandError(
            "field",
            f"{field} of record {seq} is not a text this store discloses: withhold it "
            "whole (whole_field=True)",
        )
    planned, widened = plan_runs(
        disclosure, runs=runs, offsets=offsets, match=match, occurrence=occurrence
    )
    return RedactionPlan(seq, field, planned, disclosure.n, widened)


def _withheld_words(
    plan: RedactionPlan, disclosure: Disclosure | TextDisclosure | None
) -> list[str]:
    """What ``plan`` withholds, as text: each run's words, or a value withheld whole."""
    if plan.runs is not None:
        return [run.text for run in plan.runs]
    if isinstance(disclosure, Disclosure) and isinstance(disclosure.value, str):
        return [disclosure.value]
    return []


class RedactionAppCommands(DisclosureReads):
    """The redaction and erasure commands of :class:`~casefile.application.CasefileApp`."""

    @abc.abstractmethod
    def session(
        self, case_id: uuid.UUID, signer: Signer, *, audit: bool = False
    ) -> AbstractContextManager[Investigation]:
        """The unit of work (provided by the application)."""

    @abc.abstractmethod
    def save_case(
        self, case: Investigation, signer: Signer, *, erase: Sequence[ErasureRow] = ()
    ) -> list[int]:
        """Seal and store (provided by the application)."""

    @abc.abstractmethod
    def verify(self, case_id: uuid.UUID) -> VerifiedCase:
        """Verify the case (provided by the application)."""

    @abc.abstractmethod
    def _bind_signer(self, case: Investigation, signer: Signer) -> None: ...

    # --- reading the store ------------------------------------------------------------

    def plan_redaction(
        self,
        case_id: uuid.UUID,
        seq: int,
        field: str,
        *,
        runs: Iterable[Run] | None = None,
        offsets: Sequence[tuple[int, int]] | None = None,
        match: str | None = None,
        occurrence: int | None = None,
        whole_field: bool = False,
    ) -> RedactionPlan:
        """The runs a redaction or erasure would withhold, recording nothing.

        Exactly one of ``runs`` (unit ranges), ``offsets`` (character ranges of
        the revealed text), ``match`` (every occurrence of a text, or the
        ``occurrence``-th) or ``whole_field``. Offsets and matches widen to
        whole units (a word with the whitespace after it); the plan says so
        and shows the words each run covers.
        """
        disclosure = self.stored_disclosure(case_id, seq, field)
        return _plan(disclosure, seq, field, runs, offsets, match, occurrence, whole_field)

    # --- commands ---------------------------------------------------------------------

    def redact(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        seq: int,
        field: str,
        *,
        audiences: Iterable[Audience | str],
        reason: RedactionReason | str,
        explanation: str | None = None,
        runs: Iterable[Run] | None = None,
        offsets: Sequence[tuple[int, int]] | None = None,
        match: str | None = None,
        occurrence: int | None = None,
        whole_field: bool = False,
        preview: bool = False,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> RedactionResult:
        """Decide, signed by ``signer`` (role ``redactor``), to withhold units of a field from
        exports for ``audiences``; returns the runs chosen and the decision's seq.

        With ``preview`` nothing is recorded (the seq is None): show the plan,
        then call again to record it. An ``explanation`` that quotes the words
        (or the value) it withholds is refused: every reader of the decision
        reads its explanation.
        """
        disclosure = self.stored_disclosure(case_id, seq, field)
        plan = _plan(disclosure, seq, field, runs, offsets, match, occurrence, whole_field)
        check_not_quoted(explanation, _withheld_words(plan, disclosure))
        if preview:
            return RedactionResult(plan, None)
        with self.session(case_id, signer) as case:
            decision = case.decide_redaction(
                record=seq, field=field, audiences=audiences, reason=reason,
                explanation=explanation, runs=plan.unit_runs(), units=plan.units, by=by, at=at,
            )  # fmt: skip
        return RedactionResult(plan, decision)

    def withdraw_redaction(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        decision_seq: int,
        explanation: str | None = None,
        *,
        at: Instant | None = None,
    ) -> int:
        """Withdraw the active redaction decision of record ``decision_seq``; returns the seq."""
        with self.session(case_id, signer) as case:
            return case.withdraw_redaction(decision=decision_seq, explanation=explanation, at=at)

    def erase_words(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        seq: int,
        field: str,
        *,
        basis: ErasureBasis | str,
        explanation: str,
        runs: Iterable[Run] | None = None,
        offsets: Sequence[tuple[int, int]] | None = None,
        match: str | None = None,
        occurrence: int | None = None,
        whole_field: bool = False,
        at: Instant | None = None,
    ) -> RedactionResult:
        """Erase units of a field (or the whole field, or a value) from the store for good.

        Signed by ``signer`` (role ``data_protection`` or ``supervisor``): the
        ``disclosure.erased`` record (who, when, why, which units: never the
        words) and the replacement of the stored disclosure by its redacted
        form, or its deletion, are stored in one transaction. On SQLite the
        freed bytes are overwritten and the write-ahead log emptied; on
        PostgreSQL run ``VACUUM FULL`` (see the module and the README). An
        ``explanation`` that quotes the words (or the value) erased is refused.
        """
        # The case first, then the disclosure: an erasure stored in between makes
        # this one's record clash with its record, so a replacement is never
        # computed from a disclosure that another erasure has since cut.
        case = self.get_case(check_uuid(case_id, "case_id"))
        self._bind_signer(case, signer)
        disclosure = self.stored_disclosure(case.id, seq, field)
        if disclosure is None:
            raise InvalidCommandError(
                "field", f"the store holds no disclosure of {field} of record {seq} to erase"
            )
        plan = _plan(disclosure, seq, field, runs, offsets, match, occurrence, whole_field)
        # Never the erased words (FORMAT.md §10.4): the explanation outlives them.
        check_not_quoted(explanation, _withheld_words(plan, disclosure))
        unit_runs = plan.unit_runs()
        replacement = None
        if unit_runs is not None and isinstance(disclosure, TextDisclosure):
            kept = disclosure.redact(unit_runs)
            if kept.withheld != ((0, kept.n),):
                replacement = kept.to_bytes()
            else:
                # Erasing every unit is erasing the field: no disclosure is kept, so the
                # record says the whole field, which is what a verifier can see (B11).
                unit_runs = None
        erasure = case.record_erasure(
            record=seq, field=field, basis=basis, explanation=explanation, runs=unit_runs,
            units=plan.units, at=at,
        )  # fmt: skip
        self.save_case(case, signer, erase=[(case.id, seq, field, replacement)])
        return RedactionResult(plan, erasure)

    # --- reading as an audience -------------------------------------------------------

    def field_view(
        self, case_id: uuid.UUID, seq: int, name: str, *, audience: Audience | str | None = None
    ) -> FieldView:
        """Field ``name`` of record ``seq`` as an export for ``audience`` would show it.

        The store's disclosure with the audience's active decisions applied;
        each withheld run names the reasons of the decisions (or ``erased``)
        that cover it. ``audience`` None: the store's own view (erasures only);
        an audience that is not one of the four is refused.
        For the defence, a detail of a witness's MG11 back page is always withheld.
        """
        if audience is not None and audience not in _AUDIENCES:
            # Read as no audience, a misspelt one would show what every audience is denied.
            raise InvalidCommandError(
                "audience", f"{audience!r} is not one of: {', '.join(sorted(_AUDIENCES))}"
            )
        verified = self.verify(case_id)
        disclosure = self.stored_disclosure(case_id, seq, name)
        # The rule B7 holds a defence bundle to, by field name, so the view is the export's.
        if is_restricted(audience, name):
            return FieldView(seq, name, None, withheld=("restricted",))
        covers = redactions_for(verified.records, audience).get((seq, name))
        covers = covers or FieldRedactions(seq, name)
        if disclosure is None or covers.whole:
            why = covers.reasons(0, MAX_TEXT_UNITS, None) if covers.whole else ()
            return FieldView(seq, name, None, withheld=why or ("not held",))
        if not isinstance(disclosure, TextDisclosure):
            return FieldView(seq, name, None, value=disclosure.value)
        shown = disclosure.redact(covers.runs(disclosure.n) or ())
        segments: list[str | WithheldRun] = []
        for piece in shown.segments():
            if isinstance(piece, Withheld):
                segments.append(
                    WithheldRun(
                        piece.start, piece.end, covers.reasons(piece.start, piece.end, shown.n)
                    )
                )
            else:
                segments.append(piece)
        return FieldView(seq, name, tuple(segments))
