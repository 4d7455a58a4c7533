"""Properties of the DCF export over generated case files, judged by the public DCF schema.

The case files are the charged burglary's, varied part by part within the
case-file schema (names not disclosed, no interview, no hearing, other offence
codes, pleas and URNs, no case summary, several defendants...), so each branch
of the mapping meets values it must carry, stand in for, or refuse.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casefile.projections import dcf_export
from casefile.projections._dcf_source import SourceReader, dropped_items, pointer
from dcf._dcf_cases import (
    STATEMENT,
    VICTIM_STATEMENT,
    assert_every_empty_value_is_a_reported_placeholder,
    burglary,
    case_file_of,
    dcf_errors,
    resolve,
)

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OFFICER = {
    "name": "Ann Lee",
    "number": "77",
    "organisation": "Test Police",
    "rank": "DS",
    "role": "",
}
TIME = "2026-01-02T09:00:00Z"


@functools.cache
def _base() -> dict[str, Any]:
    return case_file_of(burglary)


def _rarely(draw: st.DrawFn, breaks: bool) -> bool:
    """True one time in eight: a gap that stops the document conforming stays rare,
    so that most generated files conform and the schema has something to judge."""
    return breaks and draw(st.sampled_from((False,) * 7 + (True,)))


names = st.one_of(
    st.from_regex(r"\A[A-Z][a-z]{0,8}( [A-Z][a-z'-]{0,8}){0,3}\Z"),
    st.just("Sam Sam Suspect"),
)
texts = st.one_of(st.none(), st.just(""), st.text(max_size=40))
urns = st.one_of(
    st.just("01YE1234526"),
    st.from_regex(r"\A[0-9]{2}[A-Z]{2}[0-9]{5}[0-9]{2}(-M|-[0-9][0-9]?)?\Z"),
)
bad_urns = st.one_of(st.text(max_size=20), st.none(), st.just("X01YE1234526"))
generic_codes = st.one_of(
    st.sampled_from(["TH68001", "TH68010"]), st.from_regex(r"\A(TH|CJ|PL)0[0-9]{4}\Z")
)
codes = st.one_of(
    st.sampled_from(["TH68001", "TH68001", "TH68010", "CJ88001"]),
    st.from_regex(r"\A[A-Z0-9]{1,16}\Z"),
)


@st.composite
def _offence(draw: st.DrawFn, offence: dict[str, Any], breaks: bool) -> dict[str, Any]:
    # An assault names the case's one victim: with no gaps allowed, no assault.
    kinds = codes if breaks else generic_codes
    out = copy.deepcopy(offence)
    out["code"] = draw(kinds)
    out["anticipated_plea"] = draw(st.sampled_from(["guilty", "not_guilty", "unknown"]))
    out["wording"] = draw(texts)
    if draw(st.booleans()):
        out["to_date"] = None
    if draw(st.booleans()):
        out["points_to_prove"] = []
    if draw(st.booleans()):
        out["charge"] = None
    elif out["charge"] is not None:
        out["charge"]["code"] = draw(kinds)
    return out


@st.composite
def _defendant(draw: st.DrawFn, defendant: dict[str, Any], breaks: bool) -> dict[str, Any]:
    out = copy.deepcopy(defendant)
    out["person"]["name"] = None if _rarely(draw, breaks) else draw(names)
    for key in ("interviews", "arrests", "hearings"):
        if draw(st.booleans()):
            out[key] = []
    if out["arrests"] and draw(st.booleans()):
        out["arrests"][0]["power"] = "Bail Act 1976 s.7(3)"
    if draw(st.booleans()):
        out["bail"] = None
    else:
        out["bail"]["status"] = draw(
            st.sampled_from(
                [
                    "released_under_investigation",
                    "police_bail",
                    "court_bail",
                    "remanded_in_custody",
                    "unconditional_bail",
                ]
            )
        )
        out["bail"]["conditions"] = draw(texts)
    size = 0 if _rarely(draw, breaks) else draw(st.integers(1, 3))
    offences = draw(
        st.lists(_offence(defendant["offences"][0], breaks), min_size=size, max_size=size)
    )
    out["offences"] = offences
    return out


@st.composite
def _witness(draw: st.DrawFn, witness: dict[str, Any], breaks: bool) -> dict[str, Any]:
    out = copy.deepcopy(witness)
    out["person"]["name"] = None if _rarely(draw, breaks) else draw(names)
    out["person"]["role"] = draw(st.sampled_from(["victim", "witness", "officer", "other", None]))
    if draw(st.booleans()):
        out["care"] = {
            "care_needs": None,
            "interpreter": draw(st.sampled_from([None, "Polish"])),
            "special_measures": draw(st.sampled_from([None, "screens"])),
            "dates_to_avoid": None,
            "records": [],
        }
    if draw(st.booleans()):
        out["vps"] = {
            "outcome": draw(st.sampled_from(["declined", "deferred", "made"])),
            "statement": None,
            "offered_at": TIME,
            "by": OFFICER,
            "recorded_by": None,
            "records": [],
        }
    return out


def _mg5(offence: int, plea: str) -> dict[str, Any]:
    return {
        "version": 2,
        "anticipated_plea": plea,
        "headline": "Burglary of a house at night; suspect seen on video.",
        "chronology": "At ten a man climbed in at the back.",
        "interview_summary": None,
        "points": [{"offence": offence, "element": "stole", "evidence": [3], "records": [9]}],
        "written_at": TIME,
        "by": OFFICER,
        "recorded_by": None,
        "earlier_versions": [8],
        "records": [9],
    }


def _mg3(offences: list[int], decided: bool, test: str) -> list[dict[str, Any]]:
    decision = {
        "decision": 21,
        "outcome": "charge",
        "test": test,
        "offences": offences,
        "reasons": "Enough evidence.",
        "action_plan": "",
        "decided_at": TIME,
        "by": OFFICER,
        "recorded_by": None,
        "signed_by": None,
        "records": [21],
    }
    return [
        {
            "request": 20,
            "offences": offences,
            "test": test,
            "summary": "Please decide.",
            "questions": None,
            "requested_at": TIME,
            "by": OFFICER,
            "recorded_by": None,
            "decision": decision if decided else None,
            "records": [20],
        }
    ]


@st.composite
def case_files(draw: st.DrawFn, breaks: bool = True) -> dict[str, Any]:
    """Case files varied from the burglary's; with ``breaks`` false, every identity the
    DCF needs is kept (a fitting URN, a named defendant facing an offence, named
    witnesses, the officer in the case), so the export must conform."""
    base = _base()
    out = copy.deepcopy(base)
    out["case"]["urn"] = out["mg1"]["urn"] = draw(bad_urns if _rarely(draw, breaks) else urns)
    defendant = base["mg1"]["defendants"][0]
    size = 0 if _rarely(draw, breaks) else draw(st.integers(1, 2))
    out["mg1"]["defendants"] = draw(
        st.lists(_defendant(defendant, breaks), min_size=size, max_size=size)
    )
    size = 0 if _rarely(draw, breaks) else draw(st.integers(1, 3))
    out["mg9"]["witnesses"] = draw(
        st.lists(_witness(base["mg9"]["witnesses"][0], breaks), min_size=size, max_size=size)
    )
    # One entry per person, as the case file lists them.
    people = [*out["mg1"]["defendants"], *out["mg9"]["witnesses"]]
    for n, entry in enumerate(people):
        entry["person"]["person_id"] = f"{n + 1:032x}"
    offence = defendant["offences"][0]["offence"]
    mg5 = draw(st.sampled_from(["kept", "none", "other"]))
    if mg5 == "none":
        out["mg5"] = None
    elif mg5 == "other":
        out["mg5"] = _mg5(offence, draw(st.sampled_from(["guilty", "not_guilty", "unknown"])))
    out["mg3"] = draw(
        st.one_of(
            st.none(),
            st.just([]),
            st.builds(
                _mg3, st.just([offence]), st.booleans(), st.sampled_from(["full_code", "threshold"])
            ),
        )
    )
    if _rarely(draw, breaks):
        out["mg1"]["officer_in_case"] = None
    if draw(st.booleans()):
        out["mg12"] = []
    return out


@SETTINGS
@given(case_files())
def test_a_generated_case_file_exports_a_dcf_document_exactly_when_the_report_says_it_conforms(
    case_file: dict[str, Any],
) -> None:
    document, report = dcf_export(case_file)
    errors = dcf_errors(document)
    event(f"conforms: {report.conforms}")
    event(f"type: {report.dcf_type}")
    assert report.conforms == (errors == []), errors


@SETTINGS
@given(case_files(breaks=False))
def test_a_generated_case_file_naming_everyone_exports_a_document_the_dcf_schema_accepts(
    case_file: dict[str, Any],
) -> None:
    document, report = dcf_export(case_file)
    assert dcf_errors(document) == []
    assert report.conforms


@SETTINGS
@given(case_files())
def test_every_required_dcf_field_is_filled_or_reported_unfilled(
    case_file: dict[str, Any],
) -> None:
    document, report = dcf_export(case_file)
    for item in report.unfilled:
        found, value = resolve(document, item.path)
        if item.action == "placeholder":
            assert found, item.path
            assert value == item.value, item.path
        else:
            assert not found, item.path
    if not report.conforms:
        assert dcf_errors(document)
    assert_every_empty_value_is_a_reported_placeholder(document, report)


@SETTINGS
@given(case_files())
def test_a_generated_case_file_never_has_its_statement_text_or_a_refused_urn_exported(
    case_file: dict[str, Any],
) -> None:
    document, report = dcf_export(case_file)
    text = json.dumps(document)
    assert STATEMENT not in text
    assert VICTIM_STATEMENT not in text
    urn = case_file["case"]["urn"]
    if "pti_urn" in document["case"]:
        assert document["case"]["pti_urn"] == urn
        assert not report.refused
    elif urn is not None:
        assert [r.pointer for r in report.refused] == ["/case/urn"]
    again = dcf_export(copy.deepcopy(case_file))
    assert json.dumps(again[0]) == text
    assert again[1] == report


json_values: st.SearchStrategy[Any] = st.deferred(
    lambda: st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(max_size=5),
        st.lists(json_values, max_size=3),
        st.dictionaries(st.text(alphabet="ab/~", max_size=3), json_values, max_size=3),
    )
)


def _leaves(node: Any, path: tuple[str | int, ...] = ()) -> list[str]:
    if isinstance(node, dict) and node:
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))]
    if isinstance(node, list) and node:
        return [p for k, v in enumerate(node) for p in _leaves(v, (*path, k))]
    if node is None or node == "" or node == [] or node == {}:
        return []
    return [pointer(*path)]


def _under(leaf: str, prefix: str) -> bool:
    return leaf == prefix or leaf.startswith(prefix + "/")


@given(json_values, st.data())
def test_every_value_the_export_did_not_carry_is_reported_dropped_once(
    document: Any, data: st.DataObject
) -> None:
    document = {"root": document}
    leaves = _leaves(document)
    taken = data.draw(st.lists(st.sampled_from(leaves), unique=True) if leaves else st.just([]))
    reader = SourceReader(document)
    for leaf in taken:
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in leaf.split("/")[1:]]
        path = [
            int(t) if isinstance(reader.look(*_parents(reader, tokens, i)), list) else t
            for i, t in enumerate(tokens)
        ]
        reader.take(*path)
    dropped = [item.pointer for item in dropped_items(reader)]
    for leaf in leaves:
        carried = any(_under(leaf, t) for t in taken)
        covering = [p for p in dropped if _under(leaf, p)]
        assert len(covering) == (0 if carried else 1), (leaf, dropped)


def _parents(reader: SourceReader, tokens: list[str], i: int) -> list[str | int]:
    out: list[str | int] = []
    for token in tokens[:i]:
        out.append(int(token) if isinstance(reader.look(*out), list) else token)
    return out
