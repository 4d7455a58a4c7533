"""Authentic records that break the rules between records: the case file reports them.

Each record here is one a verifier accepts (well signed, schema-valid, signed
under the right role) but that the domain would have refused when recording.
The case file shows it as the records say, names it in ``findings`` and is
never complete while it stands.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.errors import InputError
from casefile.projections import (
    RecordView,
    build_case_file,
    case_file_document,
    case_file_from_views,
    case_file_json,
    case_file_schema,
    dcf_export,
    records_as_read,
)
from casefile.projections._casefile_forms import CaseFile
from casefile.verifier import payload_schemas
from projections._casefile_cases import (
    DAY,
    OFFICER_ENTRY,
    PROSECUTOR_ENTRY,
    SECOND,
    T0,
    Prosecution,
    party,
    prosecution,
    verified_case,
)

PROSECUTOR = party("Paul Reed", "CPS-9", "Crown Prosecutor") | {
    "organisation": "Crown Prosecution Service"
}


def _read(stage: str = "disclosed") -> tuple[Prosecution, list[RecordView]]:
    p, verified = prosecution(stage)
    return p, list(records_as_read(verified.records))


def _append(views: list[RecordView], event_type: str, data: dict[str, Any], signer: Any) -> int:
    last = views[-1]
    views.append(RecordView(event_type, last.seq + 1, last.time_ns + SECOND, data, signer, 1))
    return last.seq + 1


def _copy(views: list[RecordView], seq: int, signer: Any = None, **changes: Any) -> int:
    view = views[seq - 1]
    data = {**view.data, **changes}
    return _append(views, view.event_type, data, signer or view.signer)


def _file(views: list[RecordView], audience: str | None = None) -> CaseFile:
    file = case_file_from_views(views, audience=audience)
    jsonschema.Draft202012Validator(case_file_schema()).validate(case_file_json(file))
    return file


def _kinds(file: CaseFile) -> dict[str, tuple[int, ...]]:
    return {f.kind: f.records for f in file.findings}


def _reported(file: CaseFile) -> None:
    """Every finding is in the JSON and makes the file incomplete."""
    assert file.findings
    document = case_file_json(file)
    assert [f["kind"] for f in document["findings"]] == [f.kind for f in file.findings]
    assert not file.completeness.complete
    assert "record_finding" in {lack.item for lack in file.completeness.lacking}


def _decision(p: Prosecution, outcome: str, offences: list[int]) -> dict[str, Any]:
    return {
        "request": p.request,
        "outcome": outcome,
        "test": "full_code",
        "offences": offences,
        "reasons": "Insufficient evidence",
        "action_plan": "",
        "by": PROSECUTOR,
        "recorded_by": None,
    }


def _charge(p: Prosecution, decision: int | None) -> dict[str, Any]:
    return {
        "offence": p.offence,
        "charged_at": T0 + 3 * DAY,
        "code": "TH68010",
        "title": "Burglary dwelling and theft",
        "decision": decision,
        "wording": "Entered as a trespasser",
        "by": party(),
        "recorded_by": None,
    }


def test_the_demo_prosecution_has_no_findings() -> None:
    _, views = _read()
    assert _file(views).findings == ()


def test_a_charge_citing_a_no_further_action_decision_is_a_finding_not_cps_advice() -> None:
    p, views = _read("investigated")
    nfa = _append(
        views, "charging.decided", _decision(p, "no_further_action", []), PROSECUTOR_ENTRY
    )
    charge = _append(views, "offence.charged", _charge(p, nfa), OFFICER_ENTRY)
    file = _file(views)
    assert _kinds(file)["charge_decision_invalid"] == (nfa, charge)
    _reported(file)
    # The charge is shown as the records say, the decision it cites as the prosecutor made it.
    (offence,) = file.mg1.defendants[0].offences
    assert offence.charge is not None
    assert offence.charge.decision == nfa
    assert file.mg3 is not None
    assert file.mg3[0].decision is not None
    assert file.mg3[0].decision.outcome == "no_further_action"


def test_a_charge_citing_a_record_that_is_no_decision_is_a_finding() -> None:
    p, views = _read("investigated")
    _append(views, "offence.charged", _charge(p, p.statement), OFFICER_ENTRY)
    _reported(_file(views))
    assert "charge_decision_invalid" in _kinds(_file(views))


def test_a_decision_on_a_request_that_does_not_exist_is_a_finding() -> None:
    p, views = _read("investigated")
    data = _decision(p, "charge", [p.offence]) | {"request": p.statement}
    seq = _append(views, "charging.decided", data, PROSECUTOR_ENTRY)
    file = _file(views)
    assert _kinds(file)["decision_request_unknown"] == (seq,)
    _reported(file)


def test_a_decision_to_charge_an_offence_outside_its_request_is_a_finding() -> None:
    p, views = _read("investigated")
    _append(views, "charging.decided", _decision(p, "charge", [p.statement]), PROSECUTOR_ENTRY)
    assert "decision_offences_invalid" in _kinds(_file(views))


def test_an_unused_decision_on_an_item_never_recorded_is_a_finding() -> None:
    _, views = _read()
    data = {"item": 99, "decision": "disclose", "by": PROSECUTOR, "recorded_by": None}
    seq = _append(views, "unused.decided", data, PROSECUTOR_ENTRY)
    file = _file(views)
    assert _kinds(file)["unused_decision_unknown_item"] == (seq,)
    _reported(file)


def test_a_point_to_prove_citing_a_later_or_non_evidence_record_is_a_finding() -> None:
    p, views = _read("investigated")
    alleged = views[p.offence - 1].data
    points = [{"element": "entered", "evidence": [1, len(views) + 5]}]
    _copy(views, p.offence, points_to_prove=points)
    file = _file(views)
    found = [f for f in file.findings if f.kind == "point_evidence_invalid"]
    assert len(found) == 2
    assert alleged["points_to_prove"] != points


def test_a_sensitive_item_listed_on_the_mg6c_is_never_shown_on_it() -> None:
    p, views = _read()
    mg6c = next(v for v in views if v.event_type == "unused.scheduled")
    data = {**mg6c.data, "revision": 2, "items": sorted(p.items)}
    seq = _append(views, "unused.scheduled", data, OFFICER_ENTRY)
    defence = _file(views, "defence")
    assert defence.mg6c is not None
    assert [i.item for i in defence.mg6c.items] == [p.items[0], p.items[2]]
    assert "Informant log" not in str(case_file_json(defence))
    assert seq in _kinds(defence)["schedule_item_misfiled"]
    _reported(defence)


def test_a_defence_file_carries_no_undermining_assessment_nor_sensitivity_reason() -> None:
    _, views = _read()
    for audience in ("defence", "court", "victim"):
        text = str(case_file_json(_file(views, audience)))
        assert "Describes a taller man" not in text
        assert "Would reveal a source" not in text
    police = str(case_file_json(_file(views)))
    assert "Describes a taller man" in police


def test_a_summary_version_five_after_version_one_is_a_finding() -> None:
    _, views = _read()
    first = next(v for v in views if v.event_type == "case_summary.written")
    seq = _copy(views, first.seq, version=5)
    file = _file(views)
    assert file.mg5 is not None
    assert file.mg5.version == 5
    assert _kinds(file)["summary_version_gap"] == (seq,)
    _reported(file)


def test_a_hearing_for_a_person_never_charged_is_a_finding() -> None:
    p, views = _read("investigated")
    data = {
        "person_id": p.suspect.bytes,
        "court": "Leeds Magistrates' Court",
        "hearing_at": T0 + 9 * DAY,
        "first": True,
        "by": party(),
        "recorded_by": None,
    }
    seq = _append(views, "hearing.listed", data, OFFICER_ENTRY)
    file = _file(views, "cps")
    assert _kinds(file)["hearing_uncharged"] == (seq,)
    _reported(file)


def test_a_prosecutors_decision_keyed_on_their_behalf_and_unconfirmed_is_a_finding() -> None:
    p, views = _read("investigated")
    data = _decision(p, "charge", [p.offence]) | {"recorded_by": party("Clerk", "CPS-1")}
    seq = _append(views, "charging.decided", data, PROSECUTOR_ENTRY)
    assert "prosecutor_unconfirmed" in _kinds(_file(views))
    confirmation = {"confirms": seq, "by": PROSECUTOR, "recorded_by": None}
    _append(views, "record.confirmed", confirmation, PROSECUTOR_ENTRY)
    assert "prosecutor_unconfirmed" not in _kinds(_file(views))


def test_a_decision_signed_by_a_key_without_the_prosecutor_role_is_a_finding() -> None:
    p, views = _read("investigated")
    _append(views, "charging.decided", _decision(p, "charge", [p.offence]), OFFICER_ENTRY)
    assert "not_signed_by_prosecutor" in _kinds(_file(views))


def test_a_recorders_correction_never_turns_a_no_further_action_decision_into_a_charge() -> None:
    p, views = _read("investigated")
    nfa = _append(
        views, "charging.decided", _decision(p, "no_further_action", []), PROSECUTOR_ENTRY
    )
    fields = {"outcome": "charge", "offences": [p.offence]}
    correction = {"corrects": nfa, "fields": fields, "by": party(), "recorded_by": None}
    seq = _append(views, "record.corrected", correction, OFFICER_ENTRY)
    file = _file(views)
    assert file.mg3 is not None
    assert file.mg3[0].decision is not None
    assert file.mg3[0].decision.outcome == "no_further_action"
    assert file.mg3[0].decision.records == (nfa,)
    assert _kinds(file)["correction_not_applied"] == (nfa, seq)
    _reported(file)


def test_a_vps_citing_another_persons_statement_is_a_finding() -> None:
    p, views = _read()
    data = {
        "person_id": p.suspect.bytes,
        "outcome": "made",
        "statement": p.statement,
        "offered_at": T0 + 4 * DAY,
        "by": party(),
        "recorded_by": None,
    }
    _append(views, "vps.recorded", data, OFFICER_ENTRY)
    kinds = _kinds(_file(views))
    assert "vps_not_victim" in kinds
    assert "vps_statement_invalid" in kinds


def test_a_person_found_twice_for_one_report_is_a_finding() -> None:
    def build(case: Any) -> None:
        person = case.add_person(role="missing_person", name="Mia Missing")
        case.record_missing_person_report(
            person_id=person, risk="high", last_seen_at=T0, last_seen_place="Park"
        )
        case.record_found(
            person_id=person, found_at=T0 + DAY, outcome="found", place="Park", found_by="PC"
        )

    views = list(records_as_read(verified_case(build, missing=True).records))
    found = next(v for v in views if v.event_type == "missing.found")
    seq = _copy(views, found.seq, found_at=T0 + 2 * DAY)
    file = _file(views)
    assert _kinds(file)["found_twice"] == (found.seq, seq)
    _reported(file)


def test_hostile_text_in_every_field_of_a_finding_keeps_the_json_valid() -> None:
    p, views = _read("investigated")
    hostile = "\u202e\x00\x1b[31m" + "x" * 100_000
    data = _decision(p, "charge", [p.offence]) | {"reasons": hostile, "request": 10_000}
    _append(views, "charging.decided", data, PROSECUTOR_ENTRY)
    file = _file(views)
    assert "decision_request_unknown" in _kinds(file)
    assert dataclasses.replace(file).findings == file.findings


_HOSTILE = st.text(
    st.characters(codec="utf-8") | st.sampled_from(["\u202e", "\u2066", "\x00", "\x1b", "\ufeff"]),
    max_size=40,
).map(lambda s: s * 50)


@settings(max_examples=25, deadline=None)
@given(
    texts=st.lists(_HOSTILE, min_size=1, max_size=8), audience=st.sampled_from([None, "defence"])
)
def test_hostile_texts_in_every_text_field_keep_the_document_valid(
    texts: list[str], audience: str | None
) -> None:
    _, views = _HOSTILE_BASE
    schemas = payload_schemas()
    changed, n = [], 0
    for view in views:
        data = dict(view.data)
        for name in schemas.text_fields(view.event_type, view.schema):
            if type(data.get(name)) is str:
                data[name] = texts[n % len(texts)]
                n += 1
        changed.append(dataclasses.replace(view, data=data))
    file = _file(changed, audience)
    document = case_file_document(file)
    assert json.loads(document) == case_file_json(file)


def test_a_lone_surrogate_in_a_text_is_an_input_error_naming_where() -> None:
    _, views = _HOSTILE_BASE
    request = next(v for v in views if v.event_type == "charging.requested")
    views = [*views]
    views[request.seq - 1] = dataclasses.replace(
        request, data={**request.data, "summary": "\ud800"}
    )
    with pytest.raises(InputError, match="/mg3/0/summary"):
        case_file_document(case_file_from_views(views))


_HOSTILE_BASE = _read()


def test_a_dcf_export_of_a_file_with_findings_reports_them_left_behind() -> None:
    p, views = _read("investigated")
    nfa = _append(
        views, "charging.decided", _decision(p, "no_further_action", []), PROSECUTOR_ENTRY
    )
    _append(views, "offence.charged", _charge(p, nfa), OFFICER_ENTRY)
    _, report = dcf_export(case_file_json(_file(views)))
    assert "/findings" in {d["pointer"] for d in report.to_json()["dropped"]}


def test_a_defence_file_shows_a_suspects_corrected_date_of_birth_as_the_police_file_does() -> None:
    def correct(case: Any, p: Prosecution) -> None:
        seq = case.people[p.suspect].seq
        born = {"date_of_birth": "1990-05-01"}
        case.correct(seq=seq, reason="Date of birth mistyped", personal=born)

    _, verified = prosecution(more=correct)
    police = build_case_file(verified.records)
    defence = build_case_file(verified.records, audience="defence")
    assert police.mg1.defendants[0].age == 35
    assert defence.mg1.defendants[0].age == police.mg1.defendants[0].age
    assert defence.mg1.defendants[0].youth is False


def test_an_item_corrected_to_sensitive_after_the_mg6c_never_reaches_the_defence_on_it() -> None:
    def correct(case: Any, p: Prosecution) -> None:
        fields = {"sensitive": True, "sensitivity_reason": "Names an informant"}
        case.correct(seq=case.unused_items[p.items[0]].seq, reason="Informant", fields=fields)

    p, verified = prosecution("charged", more=correct)
    defence = build_case_file(verified.records, audience="defence")
    assert defence.mg6c is not None
    assert p.items[0] not in [i.item for i in defence.mg6c.items]
    assert "Names an informant" not in str(case_file_json(defence))
    assert "CCTV, no sighting" not in str(case_file_json(defence))
    police = build_case_file(verified.records)
    assert police.findings == ()
    assert police.mg6d is not None
    assert [i.item for i in police.mg6d.pending] == [p.items[0]]
