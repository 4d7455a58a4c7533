"""What an audience may see: active decisions and erasures read from verified records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from casefile.projections import redactions_for

AUDIENCES = ("cps", "court", "defence", "victim")


@dataclass(frozen=True)
class _Record:
    seq: int
    event_type: str
    data: Mapping[str, Any]


def _decided(seq: int, runs: Any, audiences: list[str], field: str = "body") -> _Record:
    data = {"record": 1, "field": field, "runs": runs, "audiences": audiences, "reason": "other"}
    return _Record(seq, "redaction.decided", data)


def _withdrawn(seq: int, decision: int) -> _Record:
    return _Record(seq, "redaction.withdrawn", {"decision": decision})


def _erased(seq: int, runs: Any) -> _Record:
    data = {"record": 1, "field": "body", "runs": runs, "basis": "erasure_request"}
    return _Record(seq, "disclosure.erased", data)


def test_withdrawn_decision_no_longer_applies_to_any_audience() -> None:
    records = [_decided(2, [[0, 3]], ["cps", "defence"]), _withdrawn(3, 2)]
    assert redactions_for(records[:1], "cps")[(1, "body")].runs() == ((0, 3),)
    assert redactions_for(records[:1], "court") == {}
    assert redactions_for(records, "cps") == {}
    assert redactions_for(records, "defence") == {}


def test_erasure_applies_to_every_audience_and_to_none() -> None:
    records = [_erased(2, [[4, 6]])]
    for audience in (*AUDIENCES, None):
        found = redactions_for(records, audience)[(1, "body")]
        assert found.runs() == ((4, 6),)
        assert found.reasons(4, 5, 10) == ("erased",)


def test_a_withdrawal_naming_no_decision_withdraws_nothing() -> None:
    records = [_decided(2, None, ["cps"]), _withdrawn(3, 1), _withdrawn(4, 99)]
    assert redactions_for(records, "cps")[(1, "body")].whole


def test_malformed_runs_cover_nothing_rather_than_a_guess() -> None:
    # Unsorted, overlapping, a triple: not runs the format allows.
    for runs in ([[5, 6], [0, 2]], [[0, 3], [2, 5]], [[0, 1, 2]], [[0, 2], [2, 4]], "all"):
        found = redactions_for([_decided(2, runs, ["cps"])], "cps")[(1, "body")]
        assert not found.covered(0, 1)
        assert found.runs() == ()


_RUNS = st.lists(st.integers(0, 40), min_size=0, max_size=8, unique=True).map(lambda xs: sorted(xs))


@st.composite
def _acts(draw: st.DrawFn) -> list[_Record]:
    records: list[_Record] = []
    seq = 2
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["decided", "withdrawn", "erased"]))
        points = draw(_RUNS)
        # Pairs of distinct sorted points with gaps: well-formed maximal runs.
        runs = [[a, b] for a, b in zip(points[::2], points[1::2], strict=False) if a < b]
        runs = [r for i, r in enumerate(runs) if i == 0 or runs[i - 1][1] < r[0]]
        whole = draw(st.booleans()) and not runs
        if kind == "decided":
            audiences = sorted(draw(st.sets(st.sampled_from(AUDIENCES), min_size=1)))
            records.append(_decided(seq, None if whole else runs, audiences))
        elif kind == "withdrawn":
            records.append(_withdrawn(seq, draw(st.integers(1, seq))))
        else:
            records.append(_erased(seq, None if whole else runs))
        seq += 1
    return records


@given(_acts(), st.sampled_from(AUDIENCES), st.integers(0, 45))
def test_a_unit_is_withheld_exactly_when_an_active_decision_or_an_erasure_covers_it(
    records: list[_Record], audience: str, unit: int
) -> None:
    withdrawn = {r.data["decision"] for r in records if r.event_type == "redaction.withdrawn"}

    def covers(runs: Any) -> bool:
        return runs is None or any(a <= unit < b for a, b in runs)

    expected = any(
        covers(r.data["runs"])
        for r in records
        if (r.event_type == "disclosure.erased")
        or (
            r.event_type == "redaction.decided"
            and audience in r.data["audiences"]
            and r.seq not in withdrawn
        )
    )
    found = redactions_for(records, audience).get((1, "body"))
    assert (found is not None and found.covered(unit, unit + 1)) == expected


def test_a_marker_never_names_a_decision_whose_run_reaches_past_the_text() -> None:
    # B11 counts such a run as covering nothing and reports the gap as without a decision:
    # the marker beside that finding must not name the decision's reason all the same.
    found = redactions_for([_decided(2, [[4, 132]], ["cps"])], "cps")[(1, "body")]
    assert found.reasons(4, 10, 132) == ("other",)
    assert found.reasons(4, 10, 131) == ()


def test_a_marker_names_its_reasons_sorted_whatever_order_they_were_decided_in() -> None:
    def decided(seq: int, runs: list[list[int]], reason: str) -> _Record:
        return _Record(
            seq, "redaction.decided", {**_decided(seq, runs, ["cps"]).data, "reason": reason}
        )

    records = [
        decided(2, [[4, 6]], "witness_identity"),
        decided(3, [[6, 9]], "financial_details"),
        _erased(4, [[5, 7]]),
    ]
    found = redactions_for(records, "cps")[(1, "body")]
    assert found.reasons(4, 9, 20) == ("financial_details", "witness_identity", "erased")


def test_a_field_without_a_disclosure_names_only_whole_field_acts() -> None:
    # With no disclosure nothing tells the text's length, so no run can be judged (B11.2).
    records = [_decided(2, [[0, 3]], ["cps"]), _erased(3, None)]
    assert redactions_for(records[:1], "cps")[(1, "body")].reasons(0, 1 << 20, None) == ()
    assert redactions_for(records, "cps")[(1, "body")].reasons(0, 1 << 20, None) == ("erased",)


def test_a_run_past_the_last_unit_covers_nothing_of_the_text() -> None:
    records = [_decided(2, [[0, 2]], ["cps"]), _decided(3, [[2, 9]], ["cps"])]
    found = redactions_for(records, "cps")[(1, "body")]
    assert found.runs() == ((0, 9),)
    # A text of 5 units: the second decision reaches past it, so only the first applies.
    assert found.runs(5) == ((0, 2),)
    assert found.runs(9) == ((0, 9),)


def test_a_marker_is_worded_one_way_with_its_reasons_sorted() -> None:
    # Decided in the reverse order of their codes: a reader of two reports of the same
    # redaction must see the same marker (FORMAT.md §9.6: reasons sorted, then erased).
    later = {"reason": "third_party_personal_data"}
    records = [
        _Record(2, "redaction.decided", {**_decided(2, [[0, 3]], ["cps"]).data, **later}),
        _Record(3, "redaction.decided", {**_decided(3, [[2, 5]], ["cps"]).data}),
        _erased(4, [[4, 6]]),
    ]
    found = redactions_for(records, "cps")[(1, "body")]
    assert found.reasons(0, 6, 6) == ("other", "third_party_personal_data", "erased")
    assert found.label(0, 6, 6) == "withheld 6 words: other, third_party_personal_data, erased"
    assert found.label(0, 1, 6) == "withheld 1 word: third_party_personal_data"
    assert found.label(5, 6, 6) == "erased 1 word"
    # With no disclosure the text's units are unknown, so only a whole-field act
    # withholds it (as B11 counts it): these runs name no reason for the whole field.
    assert found.label(0, None, None) == "withheld whole field: no decision"
    whole = redactions_for([*records, _decided(5, None, ["cps"])], "cps")[(1, "body")]
    assert whole.label(0, None, None) == "withheld whole field: other"
    erased = redactions_for([*records, _erased(5, None)], "cps")[(1, "body")]
    assert erased.label(0, None, None) == "erased whole field"
    assert redactions_for([], "cps").get((1, "body")) is None
