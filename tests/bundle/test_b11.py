"""B11 over whole bundles: a withheld run stands only on a signed decision for the audience.

The sender holds the manifest key in every test here: what it can change is
which disclosures travel and which records it claims. B11 makes every gap in a
text answer to a verified redaction decision (or erasure) for the bundle's
audience, so a gap a forged, absent or unauthorised decision is meant to explain
shows as a finding, while the words still revealed remain authentic.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _casebuilder import AT, NAMESPACE, T0, CaseBuilder, entry_for, person_of, signer_from
from casefile.bundle import DISCLOSE_ALL, BundleVerification, verify_bundle, write_bundle
from casefile.bundle._redactions import REDACTION_NOT_APPLIED, REDACTION_WITHOUT_DECISION
from casefile.bundle._runs import apply_redactions
from casefile.signing._checkpoint import Checkpoint, sign_checkpoint
from casefile.signing._merkle import merkle_root
from casefile.signing._records import parse_record
from casefile.signing._text import TextDisclosure
from casefile.signing._trust import TrustStore

NOTE = "The victim lives at 7 Wren Terrace, Southby and saw the van from her window."
ADDRESS = ((4, 8),)  # "7 Wren Terrace, Southby "
REASON = "victim_or_witness_contact_details"

OFFICER = signer_from("b11-officer")
REDACTOR = signer_from("b11-redactor")
LOG = signer_from("b11-log")
LOG_ENTRY = entry_for(LOG, "test.police.uk/log", roles=frozenset({"checkpoint"}))
OFFICER_ENTRY = entry_for(OFFICER, "test.police.uk/officer/okafor")
REDACTOR_ENTRY = entry_for(REDACTOR, "test.police.uk/officer/hale", roles=frozenset({"redactor"}))
TRUST = TrustStore(
    [
        OFFICER_ENTRY,
        REDACTOR_ENTRY,
        LOG_ENTRY,
    ]
)


def _decision(
    by: Any = REDACTOR_ENTRY, runs: Any = ADDRESS, audiences: Iterable[str] = ("cps",)
) -> dict[str, Any]:
    return {
        "by": person_of(by),
        "recorded_by": None,
        "record": 1,
        "field": "text",
        "runs": None if runs is None else [list(r) for r in runs],
        "audiences": sorted(audiences),
        "reason": REASON,
    }


def _case(*decisions: tuple[Any, dict[str, Any]]) -> CaseBuilder:
    """A note naming the victim's home (record 1), then the decisions given (signer, data)."""
    case = CaseBuilder(uuid.UUID(int=0xB11), time_ns=T0 + 3600 * 10**9)
    case.add(OFFICER, "note.added", {}, texts={"text": NOTE})
    for signer, data in decisions:
        case.add(signer, "redaction.decided", data)
    return case


def _bundle(
    dest: Path,
    case: CaseBuilder,
    *,
    withheld: dict[tuple[int, str], Any],
    audience: str | None = "cps",
    records: list[bytes] | None = None,
) -> BundleVerification:
    if records is None and audience is not None:
        # A bundle for an audience ends with its handover (B13), appended to a copy of the case.
        case = copy.deepcopy(case)
        case.hand_over(LOG, LOG_ENTRY, audience=audience)
    raws = case.records if records is None else records
    root = merkle_root([parse_record(r).hash for r in raws])
    note = sign_checkpoint(
        Checkpoint(f"{NAMESPACE}/{case.case_id}", len(raws), root), "test.police.uk/log", LOG
    )
    write_bundle(
        dest,
        case_id=case.case_id,
        records=iter(raws),
        disclosures=apply_redactions(case.disclosures, withheld),
        trust=TRUST,
        checkpoint_note=note,
        signer=LOG,
        disclosure_policy=DISCLOSE_ALL,
        audience=audience,
    )
    return verify_bundle(dest, at=AT, trust=TRUST, report=True)


def _kinds(result: BundleVerification) -> list[str]:
    return [f.kind for f in result.findings if f.kind.startswith("redaction_")]


def test_untouched_redacted_export_verifies_with_no_finding(tmp_path: Path) -> None:
    result = _bundle(
        tmp_path / "b", _case((REDACTOR, _decision())), withheld={(1, "text"): ADDRESS}
    )
    assert result.verified, result.errors
    assert _kinds(result) == []
    (shown,) = result.redacted
    assert shown.text == (
        f"The victim lives at [withheld 4 words: {REASON}] and saw the van from her window."
    )


def test_withheld_run_without_decision_is_reported(tmp_path: Path) -> None:
    # The sender withholds more than was decided: "van from" too.
    wider = {(1, "text"): (*ADDRESS, (11, 13))}
    result = _bundle(tmp_path / "b", _case((REDACTOR, _decision())), withheld=wider)
    assert result.verified  # the revealed words are still the officer's
    (finding,) = [f for f in result.findings if f.kind == REDACTION_WITHOUT_DECISION]
    assert finding.seq == 1
    assert "'text'" in finding.message
    assert "[11, 13)" in finding.message
    assert "[withheld 2 words: no decision]" in result.redacted[0].text


def test_redaction_decision_absent_is_reported(tmp_path: Path) -> None:
    result = _bundle(tmp_path / "b", _case(), withheld={(1, "text"): ADDRESS})
    assert result.verified
    assert _kinds(result) == [REDACTION_WITHOUT_DECISION]


def test_redaction_decision_for_another_audience_does_not_cover_the_run(tmp_path: Path) -> None:
    case = _case((REDACTOR, _decision(audiences=("defence",))))
    result = _bundle(tmp_path / "b", case, withheld={(1, "text"): ADDRESS})
    assert _kinds(result) == [REDACTION_WITHOUT_DECISION]


def test_redaction_decision_forged_is_reported(tmp_path: Path) -> None:
    # The decision's signature is not the redactor's: V9 fails it, and B11 then finds
    # the run it was meant to explain withheld without a decision.
    case = _case((REDACTOR, _decision()))
    forged = bytearray(case.records[1])
    forged[-1] ^= 1
    records = [case.records[0], bytes(forged)]
    result = _bundle(tmp_path / "b", case, withheld={(1, "text"): ADDRESS}, records=records)
    assert not result.verified
    assert [(e.step, e.seq) for e in result.errors] == [("V9", 2)]
    assert _kinds(result) == [REDACTION_WITHOUT_DECISION]


def test_redaction_decision_by_a_key_without_the_role_is_refused(tmp_path: Path) -> None:
    # An officer who may record may not decide a redaction: V8, and the gap is unexplained.
    case = _case((OFFICER, _decision(by=OFFICER_ENTRY)))
    result = _bundle(tmp_path / "b", case, withheld={(1, "text"): ADDRESS})
    assert not result.verified
    assert [(e.step, e.kind, e.seq) for e in result.errors] == [("V8", "key_role", 2)]
    assert _kinds(result) == [REDACTION_WITHOUT_DECISION]


def test_withdrawn_decision_leaves_the_run_unexplained(tmp_path: Path) -> None:
    case = _case((REDACTOR, _decision()))
    withdrawal = {"by": person_of(REDACTOR_ENTRY), "recorded_by": None, "decision": 2}
    case.add(REDACTOR, "redaction.withdrawn", withdrawal)
    result = _bundle(tmp_path / "b", case, withheld={(1, "text"): ADDRESS})
    assert result.verified, result.errors
    assert _kinds(result) == [REDACTION_WITHOUT_DECISION]


def test_decided_run_revealed_is_reported_not_applied(tmp_path: Path) -> None:
    result = _bundle(tmp_path / "b", _case((REDACTOR, _decision())), withheld={})
    assert result.verified
    (finding,) = [f for f in result.findings if f.kind == REDACTION_NOT_APPLIED]
    assert "[4, 8)" in finding.message
    assert "decision 2" in finding.message


def test_whole_field_withheld_needs_a_whole_field_decision(tmp_path: Path) -> None:
    runs_only = _bundle(
        tmp_path / "a", _case((REDACTOR, _decision())), withheld={(1, "text"): None}
    )
    assert _kinds(runs_only) == [REDACTION_WITHOUT_DECISION]
    whole = _bundle(
        tmp_path / "b", _case((REDACTOR, _decision(runs=None))), withheld={(1, "text"): None}
    )
    assert _kinds(whole) == []
    assert whole.redacted[0].text == f"[withheld whole field: {REASON}]"


def test_bundle_for_no_audience_reports_no_redaction_findings(tmp_path: Path) -> None:
    result = _bundle(tmp_path / "b", _case(), withheld={(1, "text"): ADDRESS}, audience=None)
    assert result.verified
    assert _kinds(result) == []
    assert "[withheld 4 words: no decision]" in result.redacted[0].text


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    decided=st.lists(st.tuples(st.integers(0, 14), st.integers(1, 3)), min_size=1, max_size=3),
    extra=st.lists(st.tuples(st.integers(0, 14), st.integers(1, 3)), max_size=2),
)
def test_findings_follow_exactly_the_units_withheld_beyond_the_decisions(
    tmp_path_factory: pytest.TempPathFactory,
    decided: list[tuple[int, int]],
    extra: list[tuple[int, int]],
) -> None:
    from casefile.signing._runs import merge_runs

    n = len(TextDisclosure.full(uuid.UUID(int=1), 1, "text", NOTE, bytes(32)).units)
    runs = merge_runs((a, min(a + k, n)) for a, k in decided)
    withheld = merge_runs([*runs, *((a, min(a + k, n)) for a, k in extra)])
    case = _case((REDACTOR, _decision(runs=runs)))
    result = _bundle(tmp_path_factory.mktemp("b") / "b", case, withheld={(1, "text"): withheld})
    assert result.verified
    decided_units = {u for a, b in runs for u in range(a, b)}
    withheld_units = {u for a, b in withheld for u in range(a, b)}
    assert (REDACTION_WITHOUT_DECISION in _kinds(result)) == bool(withheld_units - decided_units)
    assert REDACTION_NOT_APPLIED not in _kinds(result)


def test_decision_on_another_field_does_not_cover_the_run(tmp_path: Path) -> None:
    case = _case((REDACTOR, {**_decision(), "field": "place"}))
    result = _bundle(tmp_path / "b", case, withheld={(1, "text"): ADDRESS})
    assert _kinds(result) == [REDACTION_WITHOUT_DECISION]


def _corrected(case: CaseBuilder, text: str) -> CaseBuilder:
    """``case`` with record 1's text corrected (record 3) to ``text``."""
    data = {"by": person_of(OFFICER_ENTRY), "recorded_by": None, "corrects": 1, "fields": {}}
    case.add(OFFICER, "record.corrected", data,
             texts={"correction_reason": "the house number", "text": text})  # fmt: skip
    return case


def test_correction_revealed_in_full_past_the_decision_on_its_original_is_reported(
    tmp_path: Path,
) -> None:
    # The decision names record 1; the correction repeats the address in record 3.
    case = _corrected(_case((REDACTOR, _decision())), NOTE.replace("7 Wren", "9 Wren"))
    result = _bundle(tmp_path / "b", case, withheld={(1, "text"): ADDRESS})
    assert result.verified
    (finding,) = [f for f in result.findings if f.kind.startswith("redaction_")]
    assert (finding.kind, finding.seq) == (REDACTION_NOT_APPLIED, 3)
    assert "decision 2" in finding.message


def test_correction_withheld_whole_under_the_decision_on_its_original_is_no_finding(
    tmp_path: Path,
) -> None:
    case = _corrected(_case((REDACTOR, _decision())), NOTE.replace("7 Wren", "9 Wren"))
    withheld: dict[tuple[int, str], Any] = {(1, "text"): ADDRESS, (3, "text"): None}
    result = _bundle(tmp_path / "b", case, withheld=withheld)
    assert result.verified
    assert _kinds(result) == []
    shown = {(r.seq, r.field): r.text for r in result.redacted}
    assert shown[(3, "text")] == f"[withheld whole field: {REASON}]"


def test_decision_naming_a_later_record_covers_nothing(tmp_path: Path) -> None:
    # Signed before the note existed: the redactor cannot have read what it withholds.
    case = CaseBuilder(uuid.UUID(int=0xB11), time_ns=T0 + 3600 * 10**9)
    case.add(REDACTOR, "redaction.decided", {**_decision(), "record": 2})
    case.add(OFFICER, "note.added", {}, texts={"text": NOTE})
    result = _bundle(tmp_path / "b", case, withheld={(2, "text"): ADDRESS})
    assert result.verified
    assert _kinds(result) == [REDACTION_WITHOUT_DECISION]
    assert "[withheld 4 words: no decision]" in result.redacted[0].text


def _all_kinds(result: BundleVerification) -> set[str]:
    return {f.kind for f in result.findings}


def test_a_field_withheld_whole_by_a_decision_is_not_reported_as_left_out_by_the_policy(
    tmp_path: Path,
) -> None:
    # Policy all, the note withheld whole from the CPS by a signed decision: B11 accounts
    # for it, so B7 does not also report it as a field the policy covers that was left out.
    case = _case((REDACTOR, _decision(runs=None)))
    result = _bundle(tmp_path / "decided", case, withheld={(1, "text"): None})
    assert result.verified
    assert _all_kinds(result) == {"withheld_fields"}
    # The same gap for an audience no decision names is still reported, by both steps.
    court = _bundle(tmp_path / "court", case, withheld={(1, "text"): None}, audience="court")
    assert court.verified
    assert {"policy_fields_not_disclosed", REDACTION_WITHOUT_DECISION} <= _all_kinds(court)
