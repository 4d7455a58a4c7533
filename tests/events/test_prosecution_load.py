"""Authentic prosecution records that break the case's rules are refused when a case is loaded.

A key holder's software could sign what the commands refuse; the chain would
verify, but the case it describes could not have been recorded. Loading
applies the same rules and names the record instead of building that case.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from _casework import OFFICER, OFFICER_KEY, PROSECUTOR_KEY, Desk
from casefile.errors import MalformedRecordError
from casefile.events import (
    CaseEvent,
    CaseSummaryWritten,
    ChargingDecided,
    ChargingRequested,
    HearingListed,
    InterviewRecorded,
    OffenceAlleged,
    OffenceCharged,
    RecordCorrected,
    SuspectArrested,
    SuspectIdentified,
    VpsRecorded,
    WitnessCareAssessed,
)
from casefile.signing._keys import InMemorySigner
from events._prosecution import PROSECUTOR, decide, offence, statement, suspect
from events.conftest import SECOND, T0

ACTING = {"by": OFFICER.to_data(), "recorded_by": None}


def _forge(
    desk: Desk, cls: type[CaseEvent], fields: dict[str, Any], signer: InMemorySigner = OFFICER_KEY
) -> None:
    """Append an authentic record of ``cls`` that no command checked, and seal it."""
    desk.seal()
    case = desk.case
    case._pending_events.append(cls.new(case.id, case.version + 1, case.opened_ns, {}, fields))
    case._version += 1
    desk.seal(signer)


def _refused_on_load(desk: Desk, match: str) -> None:
    with pytest.raises(MalformedRecordError, match=match):
        desk.load()


def test_a_forged_arrest_of_a_person_never_identified_as_a_suspect_is_refused_on_load() -> None:
    desk = Desk.open()
    person = desk.case.add_person(role="witness", name="Wendy Witness")
    fields = {"person_id": person, "arrested_at": T0, "power": "PACE s.24", **ACTING}
    _forge(desk, SuspectArrested, {**fields, "place": "Home", "grounds": "g"})
    _refused_on_load(desk, "has not been identified as a suspect")


def test_a_forged_interview_of_a_person_never_identified_as_a_suspect_is_refused_on_load() -> None:
    desk = Desk.open()
    person = desk.case.add_person(role="witness", name="Wendy Witness")
    fields = {
        "person_id": person,
        "started_at": T0,
        "ended_at": T0 + SECOND,
        "interviewers": (OFFICER.to_data(),),
        "legal_representative": False,
        "recording": None,
        "recording_sha256": None,
        "no_comment": True,
        "special_warnings": (),
        "place": "Custody suite",
        "summary": "No comment.",
        "admissions": "",
        "denials": "",
        "defences": "",
        **ACTING,
    }
    _forge(desk, InterviewRecorded, fields)
    _refused_on_load(desk, "has not been identified as a suspect")


def test_a_forged_second_identification_of_one_suspect_is_refused_on_load() -> None:
    desk = Desk.open()
    person = suspect(desk.case)
    _forge(desk, SuspectIdentified, {"person_id": person, "grounds": "again", **ACTING})
    _refused_on_load(desk, "identified as a suspect in record")


def _charge_fields(alleged: int, decision: int | None) -> dict[str, Any]:
    return {
        "offence": alleged,
        "charged_at": T0,
        "code": "TH68010",
        "title": "Burglary dwelling and theft",
        "decision": decision,
        "wording": "w",
        **ACTING,
    }


def test_a_forged_charge_citing_a_decision_not_to_charge_is_refused_on_load() -> None:
    desk = Desk.open()
    alleged = offence(desk.case, suspect(desk.case))
    request = desk.case.request_charging_decision(offences=[alleged], test="full_code", summary="s")
    decision = desk.as_prosecutor(lambda case: decide(case, request, "no_further_action"))
    _forge(desk, OffenceCharged, _charge_fields(alleged, decision))
    _refused_on_load(desk, "not 'charge'")


def test_a_forged_second_charge_of_one_offence_is_refused_on_load() -> None:
    desk = Desk.open()
    alleged = offence(desk.case, suspect(desk.case))
    desk.case.charge_offence(offence=alleged, charged_at=T0, wording="w")
    _forge(desk, OffenceCharged, _charge_fields(alleged, None))
    _refused_on_load(desk, "charged already")


def test_a_forged_second_decision_on_one_request_is_refused_on_load() -> None:
    desk = Desk.open()
    alleged = offence(desk.case, suspect(desk.case))
    request = desk.case.request_charging_decision(offences=[alleged], test="full_code", summary="s")
    desk.as_prosecutor(lambda case: decide(case, request, "no_further_action"))
    fields = {
        "request": request,
        "outcome": "charge",
        "test": "full_code",
        "offences": (alleged,),
        "reasons": "r",
        "action_plan": "",
        "by": PROSECUTOR.to_data(),
        "recorded_by": None,
    }
    _forge(desk, ChargingDecided, fields, PROSECUTOR_KEY)
    _refused_on_load(desk, "decided already")


def test_a_forged_decision_charging_an_offence_the_request_did_not_name_is_refused() -> None:
    desk = Desk.open()
    person = suspect(desk.case)
    first, second = offence(desk.case, person), offence(desk.case, person)
    request = desk.case.request_charging_decision(offences=[first], test="full_code", summary="s")
    fields = {
        "request": request,
        "outcome": "charge",
        "test": "full_code",
        "offences": (second,),
        "reasons": "r",
        "action_plan": "",
        "by": PROSECUTOR.to_data(),
        "recorded_by": None,
    }
    _forge(desk, ChargingDecided, fields, PROSECUTOR_KEY)
    _refused_on_load(desk, "is not one of request")


def test_a_charge_on_a_decision_to_charge_still_loads() -> None:
    desk = Desk.open()
    alleged = offence(desk.case, suspect(desk.case))
    request = desk.case.request_charging_decision(offences=[alleged], test="full_code", summary="s")
    decision = desk.as_prosecutor(lambda case: decide(case, request, "charge", (alleged,)))
    desk.case.charge_offence(offence=alleged, charged_at=T0, wording="w", decision=decision)
    desk.seal()
    loaded = desk.load()
    assert loaded.offences[alleged].charged == loaded.version
    assert isinstance(loaded.id, uuid.UUID)


def test_a_forged_point_to_prove_citing_a_record_that_is_not_evidence_is_refused_on_load() -> None:
    desk = Desk.open()
    person = suspect(desk.case)
    note = desk.case.add_note(text="not evidence")
    fields = {
        "person_id": person,
        "code": "TH68010",
        "title": "Burglary dwelling and theft",
        "from_date": "2026-03-01",
        "to_date": None,
        "anticipated_plea": "unknown",
        "committed_on_bail": False,
        "points_to_prove": ({"element": "entry", "evidence": [note]},),
        "wording": "w",
        "place": "p",
        **ACTING,
    }
    _forge(desk, OffenceAlleged, fields)
    _refused_on_load(desk, "not evidence")


def test_a_forged_request_for_a_decision_on_a_charged_offence_is_refused_on_load() -> None:
    desk = Desk.open()
    alleged = offence(desk.case, suspect(desk.case))
    desk.case.charge_offence(offence=alleged, charged_at=T0, wording="w")
    fields = {"offences": (alleged,), "test": "full_code", "summary": "s", "questions": ""}
    _forge(desk, ChargingRequested, {**fields, **ACTING})
    _refused_on_load(desk, "charged already")


def test_a_forged_hearing_of_a_suspect_never_charged_is_refused_on_load() -> None:
    desk = Desk.open()
    person = suspect(desk.case)
    fields = {"person_id": person, "court": "Leeds Magistrates", "hearing_at": T0, "first": True}
    _forge(desk, HearingListed, {**fields, **ACTING})
    _refused_on_load(desk, "has no charged offence")


def test_a_forged_vps_of_a_witness_or_citing_anothers_statement_is_refused_on_load() -> None:
    desk = Desk.open()
    witness = desk.case.add_person(role="witness", name="Wendy Witness")
    fields = {"outcome": "declined", "statement": None, "offered_at": T0, **ACTING}
    _forge(desk, VpsRecorded, {"person_id": witness, **fields})
    _refused_on_load(desk, "is a witness, not a victim")
    desk = Desk.open()
    victim = desk.case.add_person(role="victim", name="Vera Victim")
    other = statement(desk.case)
    made = {**fields, "outcome": "made", "statement": other}
    _forge(desk, VpsRecorded, {"person_id": victim, **made})
    _refused_on_load(desk, "is no statement of")


def test_a_forged_care_assessment_of_a_suspect_is_refused_on_load() -> None:
    desk = Desk.open()
    person = suspect(desk.case)
    _forge(desk, WitnessCareAssessed, {"person_id": person, **ACTING})
    _refused_on_load(desk, "not a victim or witness")


def test_a_forged_summary_point_naming_a_record_that_is_no_offence_is_refused_on_load() -> None:
    desk = Desk.open()
    note = desk.case.add_note(text="not an offence")
    fields = {
        "version": 1,
        "anticipated_plea": "unknown",
        "points": ({"offence": note, "element": "entry", "evidence": []},),
        "headline": "h",
        "chronology": "c",
        "interview_summary": "",
        **ACTING,
    }
    _forge(desk, CaseSummaryWritten, fields)
    _refused_on_load(desk, "is not an offence.alleged record")


def test_a_forged_correction_ending_an_interview_before_it_began_is_refused_on_load() -> None:
    desk = Desk.open()
    person = suspect(desk.case)
    seq = desk.case.record_interview(
        person_id=person,
        started_at=T0,
        ended_at=T0 + 60 * SECOND,
        place="Custody suite",
        interviewers=[OFFICER],
        legal_representative=False,
        summary="No comment.",
    )
    fields = {
        "corrects": seq,
        "fields": {"ended_at": T0 - SECOND},
        "correction_reason": "r",
        "texts": {},
        **ACTING,
    }
    _forge(desk, RecordCorrected, fields)
    _refused_on_load(desk, "earlier than started_at")
