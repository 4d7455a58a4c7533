"""The DCF 1.2 export of a prosecutable case, checked against the public 2016 schema."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from _casework import SECOND, T0, Desk
from casefile.errors import InputError
from casefile.projections import (
    DCF_LABEL,
    _dcf,
    build_case_file,
    case_file_json,
    case_file_schema,
    dcf_export,
)
from dcf._dcf_cases import (
    HEADLINE,
    STATEMENT,
    VICTIM_STATEMENT,
    VIDEO,
    assert_every_empty_value_is_a_reported_placeholder,
    burglary,
    case_file_of,
    dcf_errors,
    resolve,
    verified_case,
)

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def burglary_file() -> dict[str, Any]:
    return case_file_of(burglary)


def _copy(case_file: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(case_file)


def test_a_charged_burglary_exports_a_first_hearing_file_the_dcf_schema_accepts(
    burglary_file: dict[str, Any],
) -> None:
    document, report = dcf_export(burglary_file)
    assert dcf_errors(document) == []
    assert report.conforms
    assert report.dcf_type == document["case"]["type"] == "FirstHearingDCF"
    defendant = document["case"]["defendants"][0]
    assert defendant["name"] == {"type": "PersonName", "surname": "Suspect", "given_name": ["Sam"]}
    (group,) = defendant["offences"]
    offence = group["generic_offences"][0]
    assert offence["cjs_offence_code"] == "th68001"
    assert offence["offence"]["charge_date"] == "2025-12-22"
    assert offence["offence"]["points_to_prove_met_by"] == (
        "entered a building as a trespasser: statement of Walt Witness, exhibit JS/1;"
        " stole: interview of Sam Suspect on 2025-12-22"
    )
    assert defendant["person_remand_status"] == "conditional_bail"
    assert defendant["interview"]["denials"] == "Denied entering the house."
    assert defendant["first_hearing_location"]["ou_bottom_level_name"] == (
        "Testtown Magistrates' Court"
    )
    assert document["case"]["multimedia_evidence"][0]["id"] == "JS/1"
    assert document["case"]["officer_in_the_case"]["collar_number"] == "1234"
    assert document["case"]["signatory_name"]["surname"] == "Smith"
    assert document["case"]["brief_description_of_case"] == HEADLINE
    assert document["case"]["date"] == burglary_file["mg5"]["written_at"][:10]
    victim, witness = document["case"]["witnesses"]
    assert (victim["type"], witness["type"]) == ("PersonVictim", "StatementWitness")
    assert victim["victim"]["has_the_victim_made_a_vps_isb"] is True
    assert victim["victim"]["witness"]["interpreter_language_or_dialect"] == "Polish"
    assert victim["victim"]["witness"]["special_measures"] is True
    assert_every_empty_value_is_a_reported_placeholder(document, report)


def test_a_dcf_export_never_claims_a_statement_text_it_dropped(
    burglary_file: dict[str, Any],
) -> None:
    document, report = dcf_export(burglary_file)
    assert STATEMENT not in json.dumps(document)
    assert VICTIM_STATEMENT not in json.dumps(document)
    dropped = {item.pointer: item.reason for item in report.dropped}
    for k, statement in enumerate(burglary_file["mg11"]):
        assert statement["body"]
        body = f"/mg11/{k}/body"
        covering = [p for p in dropped if body == p or body.startswith(p + "/")]
        assert covering, f"{body} is not reported dropped"
        assert dropped[covering[0]] == "statement_text"


def test_hashes_exhibit_list_and_provenance_are_reported_dropped(
    burglary_file: dict[str, Any],
) -> None:
    document, report = dcf_export(burglary_file)
    assert VIDEO.hex() not in json.dumps(document)
    reasons = {item.pointer: item.reason for item in report.dropped}
    assert reasons["/mg12/0/sha256"] == "hash"
    assert reasons["/mg12/0/location"] == "exhibit_list"
    assert reasons["/mg1/defendants/0/records"] == "provenance"
    assert reasons["/continuity"] == "continuity"
    assert reasons["/mg11"] == "statement_text"


def test_a_urn_the_dcf_pattern_would_refuse_is_reported_not_exported(
    burglary_file: dict[str, Any],
) -> None:
    bad = "X" + burglary_file["case"]["urn"] + "-Z"
    case_file = _copy(burglary_file)
    case_file["case"]["urn"] = case_file["mg1"]["urn"] = bad
    document, report = dcf_export(case_file)
    assert "pti_urn" not in document["case"]
    assert [(r.pointer, r.path) for r in report.refused] == [("/case/urn", "/case/pti_urn")]
    assert not report.conforms
    # The schema's own unanchored pattern would have let the URN through.
    assert dcf_errors({**document, "case": {**document["case"], "pti_urn": bad}}) == []


def test_every_placeholder_is_in_the_document_as_reported_and_every_omission_absent(
    burglary_file: dict[str, Any],
) -> None:
    case_file = _copy(burglary_file)
    case_file["mg1"]["defendants"][0]["person"]["name"] = None
    document, report = dcf_export(case_file)
    assert report.unfilled
    for item in report.unfilled:
        found, value = resolve(document, item.path)
        if item.action == "placeholder":
            assert found, item.path
            assert value == item.value, item.path
        else:
            assert not found, item.path
    assert not report.conforms
    assert any("'name' is a required property" in e for e in dcf_errors(document))


def test_a_name_the_reader_may_not_see_is_left_out_not_invented(
    burglary_file: dict[str, Any],
) -> None:
    case_file = _copy(burglary_file)
    case_file["mg9"]["witnesses"][0]["person"]["name"] = None
    document, report = dcf_export(case_file)
    assert "name" not in document["case"]["witnesses"][0]
    omitted = {u.path for u in report.unfilled if u.action == "omitted" and u.required}
    assert omitted == {"/case/witnesses/0/name"}


def test_an_unknown_anticipated_plea_is_a_stated_placeholder(
    burglary_file: dict[str, Any],
) -> None:
    case_file = _copy(burglary_file)
    case_file["mg1"]["defendants"][0]["offences"][0]["anticipated_plea"] = "unknown"
    document, report = dcf_export(case_file)
    path = "/case/defendants/0/offences/0/generic_offences/0/offence/anticipated_plea"
    (item,) = [u for u in report.unfilled if u.path == path]
    assert (item.action, item.value) == ("placeholder", "not_guilty")
    assert dcf_errors(document) == []


def test_an_assault_is_filed_under_assault_offences_naming_the_sole_victim(
    burglary_file: dict[str, Any],
) -> None:
    case_file = _copy(burglary_file)
    case_file["mg1"]["defendants"][0]["offences"][0]["charge"]["code"] = "OF61016"
    case_file["mg9"]["witnesses"][0]["person"]["role"] = "victim"
    document, _ = dcf_export(case_file)
    assert dcf_errors(document) == []
    (group,) = document["case"]["defendants"][0]["offences"]
    assert group["type"] == "AssaultOffences"
    assault = group["assault_offences"][0]
    assert (assault["cjs_offence_code"], assault["victim_name"]["surname"]) == (
        "of61016",
        "Victim",
    )
    assert document["case"]["witnesses"][0]["type"] == "PersonVictim"


def test_a_suspect_who_faces_no_offence_is_not_sent_as_a_defendant(
    burglary_file: dict[str, Any],
) -> None:
    case_file = _copy(burglary_file)
    case_file["mg1"]["defendants"][0]["offences"] = []
    document, report = dcf_export(case_file)
    assert "defendants" not in document["case"]
    assert not report.conforms
    reasons = {item.pointer: item.reason for item in report.dropped}
    assert reasons["/mg1/defendants/0"] == "not_a_defendant"


def test_an_arrest_for_breach_of_bail_with_no_offence_exports_a_bob_file() -> None:
    case_file = case_file_of(burglary, power="Bail Act 1976 s.7(3)")
    document, report = dcf_export(case_file)
    assert document["case"]["type"] == report.dcf_type == "BobDCF"
    assert dcf_errors(document) == []
    assert report.conforms


def test_the_export_is_a_function_of_the_case_file(burglary_file: dict[str, Any]) -> None:
    first = dcf_export(burglary_file)
    again = dcf_export(json.loads(json.dumps(burglary_file)))
    assert json.dumps(first[0], sort_keys=True) == json.dumps(again[0], sort_keys=True)
    assert first[1].to_json() == again[1].to_json()


def test_the_report_labels_the_export_honestly(burglary_file: dict[str, Any]) -> None:
    document, report = dcf_export(burglary_file, date="2026-01-02")
    assert document["case"]["date"] == "2026-01-02"
    out = report.to_json()
    assert out["label"] == DCF_LABEL == "DCF 1.2-compatible (public 2016 schema)"
    assert "approved" not in json.dumps(out).lower() + json.dumps(document).lower()


def test_a_case_file_that_does_not_fit_its_schema_is_refused_naming_where(
    burglary_file: dict[str, Any],
) -> None:
    case_file = _copy(burglary_file)
    case_file["mg1"]["defendants"][0]["offences"][0]["committed_on_bail"] = "no"
    with pytest.raises(InputError, match=r"/mg1/defendants/0/offences/0/committed_on_bail"):
        dcf_export(case_file)


def test_a_huge_misfit_value_gives_a_short_error_that_does_not_repeat_it(
    burglary_file: dict[str, Any],
) -> None:
    case_file = _copy(burglary_file)
    case_file["mg1"]["urn"] = ["Vera Victim, 12 High Street"] * 100_000
    with pytest.raises(InputError, match=r"case file /mg1/urn") as caught:
        dcf_export(case_file)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize("date", ["2026-02-30", "2026-1-2", "yesterday"])
def test_a_file_date_that_is_no_calendar_date_is_refused(
    burglary_file: dict[str, Any], date: str
) -> None:
    with pytest.raises(InputError, match="date"):
        dcf_export(burglary_file, date=date)


def test_the_case_file_schema_the_export_checks_is_the_shipped_one() -> None:
    assert case_file_schema()["$id"] == "https://casefile.example/schemas/casefile/v1.json"


def test_two_identical_offences_are_sent_once_and_the_second_reported_dropped(
    burglary_file: dict[str, Any],
) -> None:
    case_file = _copy(burglary_file)
    offences = case_file["mg1"]["defendants"][0]["offences"]
    offences.append(copy.deepcopy(offences[0]))
    document, report = dcf_export(case_file)
    assert dcf_errors(document) == []
    (group,) = document["case"]["defendants"][0]["offences"]
    assert len(group["generic_offences"]) == 1
    reasons = {item.pointer: item.reason for item in report.dropped}
    assert reasons["/mg1/defendants/0/offences/1"] == "duplicate"
    assert not any(p.startswith("/mg1/defendants/0/offences/1/") for p in reasons)


def test_a_prosecutors_charging_decision_is_sent_as_advice_with_the_test_it_applied() -> None:
    desk = Desk.open()
    case = desk.case
    suspect = case.add_person(role="suspect", name="Sam Suspect")
    witness = case.add_person(role="witness", name="Walt Witness")
    case.record_statement(
        witness_id=witness,
        declaration="This statement is true to the best of my knowledge and belief.",
        body=STATEMENT,
        place="14 High Street",
        started_at=T0 - 7200 * SECOND,
        ended_at=T0 - 6600 * SECOND,
    )
    case.identify_suspect(person_id=suspect, grounds="Named by the witness")
    offence = case.allege_offence(
        person_id=suspect,
        code="TH68001",
        title="Burglary dwelling and theft",
        wording="Entered 12 High Street as a trespasser and stole a laptop.",
        place="12 High Street",
        from_date="2025-12-22",
    )
    request = case.request_charging_decision(
        offences=[offence], test="threshold", summary="Suspect named; video awaited."
    )
    desk.as_prosecutor(
        lambda c: c.record_charging_decision(
            request=request,
            outcome="charge",
            test="threshold",
            reasons="The threshold test is met.",
            offences=[offence],
        )
    )
    desk.seal()
    file = case_file_json(build_case_file(desk.verify().records, audience="cps"))
    document, report = dcf_export(file)
    assert (document["case"]["pca_cps"], document["case"]["test_code"]) == (
        True,
        "threshold_test",
    )
    placeholders = {u.path for u in report.unfilled if u.action == "placeholder"}
    assert "/case/defendants/0/offences/0/generic_offences/0/offence/charge_date" in placeholders
    assert "/case/defendants/0/initiation_type" in placeholders
    assert dcf_errors(document) == []


def test_a_defence_file_sends_no_witness_care_and_states_its_missing_charging_advice() -> None:
    file = case_file_of(burglary, audience="defence")
    document, report = dcf_export(file)
    victim = document["case"]["witnesses"][0]["victim"]["witness"]
    assert "interpreter_language_or_dialect" not in victim
    assert "special_measures" not in victim
    (pca,) = [u for u in report.unfilled if u.path == "/case/pca_cps"]
    assert (pca.action, pca.value) == ("placeholder", False)
    assert dcf_errors(document) == []


@pytest.mark.parametrize("case_file", [[], "casefile", {"format": "casefile-case-file"}])
def test_what_is_not_a_case_file_is_refused_with_an_input_error(case_file: Any) -> None:
    with pytest.raises(InputError, match="case file"):
        dcf_export(case_file)


def test_a_second_interview_and_arrest_are_reported_not_silently_lost(
    burglary_file: dict[str, Any],
) -> None:
    case_file = _copy(burglary_file)
    defendant = case_file["mg1"]["defendants"][0]
    for key in ("interviews", "arrests"):
        defendant[key].append(copy.deepcopy(defendant[key][0]))
    document, report = dcf_export(case_file)
    reasons = {item.pointer: item.reason for item in report.dropped}
    assert reasons["/mg1/defendants/0/interviews/1"] == "one_interview"
    assert reasons["/mg1/defendants/0/arrests/1"] == "one_arrest"
    assert (
        document["case"]["defendants"][0]["interview"]["date"]
        == (defendant["interviews"][0]["started_at"])
    )


def test_a_headline_over_the_dcfs_1200_words_is_reported_not_exported_or_cut(
    burglary_file: dict[str, Any],
) -> None:
    case_file = _copy(burglary_file)
    case_file["mg5"]["headline"] = "word " * 1201
    document, report = dcf_export(case_file)
    assert "brief_description_of_case" not in document["case"]
    assert [(r.pointer, r.path) for r in report.refused] == [
        ("/mg5/headline", "/case/brief_description_of_case")
    ]
    assert not report.conforms
    case_file["mg5"]["headline"] = "word " * 1200
    document, report = dcf_export(case_file)
    assert document["case"]["brief_description_of_case"] == "word " * 1200
    assert report.conforms


def test_a_case_file_value_exports_as_its_json_does_without_a_schema_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Checking a large case file's JSON against its schema costs as much as
    # verifying its records; a CaseFile the projection built fits it already.
    verified = verified_case(burglary)
    file = build_case_file(verified.records, audience="cps")
    expected = dcf_export(case_file_json(file))
    monkeypatch.setattr(_dcf, "_check_case_file", _refuse_check)
    document, report = dcf_export(file)
    assert json.dumps(document, sort_keys=True) == json.dumps(expected[0], sort_keys=True)
    assert report.to_json() == expected[1].to_json()
    with pytest.raises(AssertionError, match="schema check"):
        dcf_export(case_file_json(file))  # JSON from elsewhere is still checked


def _refuse_check(case_file: object) -> None:
    raise AssertionError("schema check of a case file the projection built")


def test_a_pattern_value_with_a_trailing_line_feed_is_refused(
    burglary_file: dict[str, Any],
) -> None:
    # The case-file schema's patterns end at the end of the text, as the record schemas' do
    # (ECMA-262; docs/FORMAT.md §10): plain Draft 2020-12 in Python lets "...$" match before a "\n".
    case_file = _copy(burglary_file)
    case_file["case"]["id"] = "00000000-0000-0000-0000-000000000000\n"
    with pytest.raises(InputError, match=r"case file /case/id"):
        dcf_export(case_file)


def test_a_name_withheld_from_the_reader_is_left_out_not_exported_as_a_name(
    burglary_file: dict[str, Any],
) -> None:
    withheld = _copy(burglary_file)
    withheld["mg1"]["defendants"][0]["person"]["name"] = {"withheld": ["witness_identity"]}
    bail = withheld["mg1"]["defendants"][0]["bail"]
    if bail is not None:
        bail["conditions"] = {"withheld": []}
    document, report = dcf_export(withheld)
    defendant = document["case"]["defendants"][0]
    assert "withheld" not in json.dumps(document)
    assert "name" not in defendant or "Suspect" not in json.dumps(defendant["name"])
    assert not any(d.pointer.startswith("/mg1/defendants/0/person/name") for d in report.dropped)
