"""B11: every withheld run is covered by an active decision for the audience or an erasure."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from casefile.bundle._redactions import (
    REDACTION_NOT_APPLIED,
    REDACTION_WITHOUT_DECISION,
    RedactionLedger,
)
from casefile.bundle._runs import apply_redactions
from casefile.signing import Disclosure, TextDisclosure
from casefile.signing._runs import merge_runs

REASON = "victim_or_witness_contact_details"
CASE = uuid.UUID(int=0xC0FFEE)
Runs = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class _Record:
    """The part of a verified record that B11 reads of a decision, withdrawal or erasure."""

    seq: int
    event_type: str
    data: dict[str, Any]
    commitments: dict[str, bytes] = dataclasses.field(default_factory=dict)
    disclosed: dict[str, Any] = dataclasses.field(default_factory=dict)


def _decision(
    seq: int, runs: Runs | None, *audiences: str, reason: str = REASON, record: int = 2
) -> _Record:
    return _Record(
        seq,
        "redaction.decided",
        {
            "record": record,
            "field": "body",
            "runs": None if runs is None else [list(r) for r in runs],
            "audiences": sorted(audiences or ("cps",)),
            "reason": reason,
        },
    )


def _erasure(seq: int, runs: Runs | None) -> _Record:
    data = {"record": 2, "field": "body", "runs": None if runs is None else [list(r) for r in runs]}
    return _Record(seq, "disclosure.erased", {**data, "basis": "erasure_request"})


def _withdrawal(seq: int, decision: int) -> _Record:
    return _Record(seq, "redaction.withdrawn", {"decision": decision})


def _ledger(withheld: Runs, *acts: _Record, n: int | None = 40) -> RedactionLedger:
    ledger = RedactionLedger("cps")
    ledger.text(2, "body", n=n, withheld=withheld)
    for act in acts:
        ledger.take_acts(act)  # type: ignore[arg-type]
    return ledger


def _kinds(ledger: RedactionLedger) -> list[str]:
    return [f.kind for f in ledger.findings()]


def test_withheld_run_covered_by_a_decision_for_the_audience_is_no_finding() -> None:
    assert _kinds(_ledger(((3, 7),), _decision(9, ((3, 7),)))) == []


def test_withheld_run_without_decision_is_reported_naming_record_field_and_run() -> None:
    (finding,) = _ledger(((3, 7),)).findings()
    assert finding.kind == REDACTION_WITHOUT_DECISION
    assert finding.seq == 2
    assert "'body'" in finding.message
    assert "[3, 7)" in finding.message


def test_decision_for_another_audience_does_not_cover_the_run() -> None:
    assert _kinds(_ledger(((3, 7),), _decision(9, ((3, 7),), "defence"))) == [
        REDACTION_WITHOUT_DECISION
    ]


def test_withdrawn_decision_no_longer_covers_the_run() -> None:
    ledger = _ledger(((3, 7),), _decision(9, ((3, 7),)), _withdrawal(10, 9))
    assert "[3, 7)" in ledger.findings()[0].message
    assert _kinds(ledger) == [REDACTION_WITHOUT_DECISION]


def test_run_wider_than_its_decision_reports_the_uncovered_units() -> None:
    first, second = _ledger(((3, 9),), _decision(9, ((4, 8),))).findings()
    assert first.kind == second.kind == REDACTION_WITHOUT_DECISION
    assert "[3, 4)" in first.message
    assert "[8, 9)" in second.message


def test_erasure_covers_the_run_it_erased() -> None:
    assert _kinds(_ledger(((3, 7),), _erasure(9, ((3, 7),)))) == []


def test_field_without_disclosure_needs_a_whole_field_act() -> None:
    assert _kinds(_ledger((), n=None)) == [REDACTION_WITHOUT_DECISION]
    assert _kinds(_ledger((), _decision(9, ((0, 40),)), n=None)) == [REDACTION_WITHOUT_DECISION]
    assert _kinds(_ledger((), _decision(9, None), n=None)) == []
    assert _kinds(_ledger((), _erasure(9, None), n=None)) == []


def test_revealed_units_an_active_decision_withholds_are_reported() -> None:
    (finding,) = _ledger(((3, 5),), _decision(9, ((3, 7),))).findings()
    assert finding.kind == REDACTION_NOT_APPLIED
    assert "[5, 7)" in finding.message
    assert "decision 9" in finding.message
    assert _kinds(_ledger((), _decision(9, None))) == [REDACTION_NOT_APPLIED]


def test_disclosed_value_that_a_decision_withholds_is_reported() -> None:
    ledger = RedactionLedger("cps")
    ledger.value(2, "address")
    decision = _decision(9, None)
    ledger.take_acts(dataclasses.replace(decision, data={**decision.data, "field": "address"}))  # type: ignore[arg-type]
    (finding,) = ledger.findings()
    assert finding.kind == REDACTION_NOT_APPLIED
    assert "'address'" in finding.message


def test_decision_with_runs_not_in_their_canonical_form_covers_nothing() -> None:
    # Signed by a redactor's key but not what the format allows: nothing is guessed.
    decision = _decision(9, ((3, 7),))
    unsorted = dataclasses.replace(decision, data={**decision.data, "runs": [[5, 7], [3, 5]]})
    assert _kinds(_ledger(((3, 7),), unsorted)) == [REDACTION_WITHOUT_DECISION]


def test_bundle_for_no_audience_has_no_redaction_findings() -> None:
    ledger = RedactionLedger(None)
    ledger.text(2, "body", n=None)
    ledger.text(3, "body", n=9, withheld=((1, 2),))
    assert ledger.findings() == []


def _shown(text: str, *runs: tuple[int, int]) -> TextDisclosure:
    return TextDisclosure.full(CASE, 2, "body", text, bytes(32)).redact(runs)


def test_report_marks_each_withheld_run_with_its_reason() -> None:
    statement = _shown("She lives at 7 Wren Terrace, Southby now.", (3, 7))
    ledger = _ledger(((3, 7),), _decision(9, ((3, 7),)), n=8)
    ledger.text(2, "body", n=8, withheld=((3, 7),), disclosure=statement)
    (field,) = ledger.redacted()
    assert field.text == f"She lives at [withheld 4 words: {REASON}] now."
    assert field.to_json()["segments"] == [
        "She lives at ",
        {"withheld": [3, 7], "why": f"withheld 4 words: {REASON}"},
        "now.",
    ]
    erased = _ledger(((3, 7),), _erasure(9, ((3, 7),)), n=8)
    erased.text(2, "body", n=8, withheld=((3, 7),), disclosure=statement)
    assert erased.redacted()[0].text == "She lives at [erased 4 words] now."
    last = _shown("a b c", (2, 3))
    bare = _ledger(((2, 3),), n=3)
    bare.text(2, "body", n=3, withheld=((2, 3),), disclosure=last)
    assert bare.redacted()[0].text == "a b [withheld 1 word: no decision]"


def test_fully_revealed_field_is_not_listed_as_redacted() -> None:
    ledger = RedactionLedger("cps")
    ledger.text(2, "body", n=3, disclosure=_shown("all of it"))
    assert ledger.redacted() == ()


_run_sets = st.lists(
    st.tuples(st.integers(0, 30), st.integers(1, 10)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=5,
).map(lambda runs: merge_runs(runs) if runs else ())


@given(withheld=_run_sets, decided=_run_sets, erased=_run_sets)
def test_a_finding_without_decision_exactly_when_a_withheld_unit_is_uncovered(
    withheld: Runs, decided: Runs, erased: Runs
) -> None:
    n = 40
    acts = []
    if decided:
        acts.append(_decision(50, decided))
    if erased:
        acts.append(_erasure(51, erased))
    ledger = _ledger(withheld, *acts, n=n)
    units = {u for a, b in withheld for u in range(a, b)}
    covered = {u for a, b in (*decided, *erased) for u in range(a, b)}
    revealed = set(range(n)) - units
    findings = ledger.findings()
    reported = set()
    for f in findings:
        if f.kind == REDACTION_WITHOUT_DECISION:
            a, b = f.message.split("units [", 1)[1].split(")", 1)[0].split(", ")
            reported |= set(range(int(a), int(b)))
    assert reported == units - covered
    not_applied = any(f.kind == REDACTION_NOT_APPLIED for f in findings)
    assert not_applied == bool(revealed & {u for a, b in decided for u in range(a, b)})


def _statement() -> TextDisclosure:
    text = "I live at 14 Acacia Avenue, Northtown. I was at the bus stop on Mill Lane."
    return TextDisclosure.full(CASE, 2, "body", text, bytes(range(32)))


def test_applied_redaction_withholds_exactly_the_decided_runs_and_still_verifies() -> None:
    full = _statement()
    value = Disclosure(CASE, 2, "address", bytes(16), "14 Acacia Avenue")
    out = list(apply_redactions([full, value], {(2, "body"): ((3, 6),)}))
    assert out[1] is value
    redacted = out[0]
    assert isinstance(redacted, TextDisclosure)
    assert redacted.withheld == ((3, 6),)
    assert "Acacia" not in "".join(redacted.units)
    assert redacted.commitment() == full.commitment()


def test_whole_field_decision_leaves_the_disclosure_out() -> None:
    value = Disclosure(CASE, 2, "address", bytes(16), "14 Acacia Avenue")
    withheld: dict[tuple[int, str], Runs | None] = {(2, "body"): None, (2, "address"): None}
    assert list(apply_redactions([_statement(), value], withheld)) == []


def test_run_past_the_end_of_the_text_covers_nothing() -> None:
    # FORMAT.md §10.4: not cut at the end, ignored; the runs inside still apply.
    full = _statement()
    (out,) = apply_redactions([full], {(2, "body"): ((full.n - 1, full.n + 50), (0, 1))})
    assert isinstance(out, TextDisclosure)
    assert out.withheld == ((0, 1),)
    ledger = _ledger(((38, 40),), _decision(9, ((38, 45),)), n=40)
    assert _kinds(ledger) == [REDACTION_WITHOUT_DECISION]
