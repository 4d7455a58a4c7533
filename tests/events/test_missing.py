"""Missing persons: the report, reviews, sightings, enquiries, and the finding, once per report."""

from __future__ import annotations

import uuid

import pytest

from _casework import OFFICER, SECOND, Desk
from casefile.errors import InvalidCommandError, MalformedRecordError, UnknownReferenceError
from casefile.events import Custodian, MissingFound, MissingPersonReportRecorded


def _reported(desk: Desk, risk: str = "high") -> uuid.UUID:
    person = desk.person("missing_person", "Mo Missing")
    desk.case.record_missing_person_report(
        person_id=person,
        risk=risk,
        last_seen_at=desk.case.opened_ns,
        last_seen_place="Bus station",
        circumstances="left home after an argument",
    )
    return person


def _found(desk: Desk, person: uuid.UUID, **changes: object) -> int:
    fields: dict[str, object] = {
        "person_id": person,
        "found_at": desk.case.opened_ns + 3600 * SECOND,
        "outcome": "found",
        "place": "A friend's flat",
        "found_by": "PC Jones, on a tip from a neighbour",
    }
    fields.update(changes)
    return desk.case.record_found(**fields)  # type: ignore[arg-type]


def test_a_missing_person_case_follows_the_search_to_the_finding() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    person = _reported(desk)
    report = desk.case.version
    review = desk.case.review_missing_risk(
        person_id=person, risk="medium", reasons="seen well", next_review=desk.case.opened_ns
    )
    desk.case.record_sighting(
        person_id=person, seen_at=desk.case.opened_ns, place="Market", details="by a trader"
    )
    desk.case.record_enquiry(person_id=person, enquiry="Ask the hospitals")
    desk.case.record_enquiry(
        person_id=person, enquiry="Check the bank card", status="completed", result="used at 9"
    )
    state = desk.case.missing[person]
    assert (state.report_seq, state.risk, state.risk_seq, state.is_missing) == (
        report,
        "medium",
        review,
        True,
    )
    found = _found(desk, person, safe_and_well_at=desk.case.opened_ns + 7200 * SECOND)
    assert desk.case.missing[person].found_seq == found
    assert not desk.case.missing[person].is_missing
    desk.seal()
    loaded = desk.load()
    assert loaded.missing == desk.case.missing
    assert loaded.record_type(report) is MissingPersonReportRecorded
    assert loaded.record_type(found) is MissingFound
    desk.verify()


def test_a_missing_person_found_twice_is_refused() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    person = _reported(desk)
    first = _found(desk, person)
    with pytest.raises(InvalidCommandError, match=f"found in record {first}") as refused:
        _found(desk, person)
    assert refused.value.field == "person_id"


def test_a_person_reported_missing_again_may_be_found_again() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    person = _reported(desk)
    _found(desk, person)
    desk.case.record_missing_person_report(
        person_id=person, risk="low", last_seen_at=desk.case.opened_ns, last_seen_place="Home"
    )
    assert desk.case.missing[person].is_missing
    again = _found(desk, person, outcome="returned")
    assert desk.case.missing[person].found_seq == again


def test_a_forged_second_finding_is_refused_on_load() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    person = _reported(desk)
    _found(desk, person)
    desk.seal()
    case = desk.case
    fields = {
        "person_id": person,
        "found_at": case.opened_ns,
        "outcome": "found",
        "safe_and_well_at": None,
        "by": OFFICER.to_data(),
        "recorded_by": None,
        "place": "Park",
        "found_by": "a dog walker",
        "safe_and_well": "",
    }
    forged = MissingFound.new(case.id, case.version + 1, case.opened_ns, {}, fields)
    case._pending_events.append(forged)
    case._version += 1
    desk.seal()
    with pytest.raises(MalformedRecordError, match="found in record 4 already"):
        desk.load()


def test_a_review_of_a_person_never_reported_missing_is_refused() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    person = desk.person("missing_person")
    for command in (
        lambda: desk.case.review_missing_risk(person_id=person, risk="low", reasons="r"),
        lambda: desk.case.record_sighting(
            person_id=person, seen_at=desk.case.opened_ns, place="p", details="d"
        ),
        lambda: desk.case.record_enquiry(person_id=person, enquiry="e"),
        lambda: _found(desk, person),
    ):
        with pytest.raises(UnknownReferenceError, match="has no missing-person report") as e:
            command()
        assert e.value.field == "person_id"


def test_a_safe_and_well_check_before_the_finding_is_refused() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    person = _reported(desk)
    with pytest.raises(InvalidCommandError, match="safe_and_well_at: earlier than found_at"):
        _found(desk, person, safe_and_well_at=desk.case.opened_ns)
    seq = _found(desk, person, safe_and_well_at=desk.case.opened_ns + 7200 * SECOND)
    with pytest.raises(InvalidCommandError, match=r"fields\.safe_and_well_at: earlier than"):
        desk.case.correct(
            seq=seq,
            reason="times",
            fields={"found_at": desk.case.opened_ns + 10, "safe_and_well_at": desk.case.opened_ns},
        )
    # One end alone is checked against the other as it stands.
    with pytest.raises(InvalidCommandError, match=r"fields\.safe_and_well_at: earlier than"):
        desk.case.correct(seq=seq, reason="times", fields={"found_at": 2**62})


def test_a_corrected_risk_changes_the_grading_only_while_it_is_the_latest() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    person = _reported(desk, risk="low")
    report = desk.case.version
    desk.case.correct(seq=report, reason="misread", fields={"risk": "high"})
    assert desk.case.missing[person].risk == "high"
    review = desk.case.review_missing_risk(person_id=person, risk="medium", reasons="r")
    desk.case.correct(seq=report, reason="again", fields={"risk": "low"})
    assert (desk.case.missing[person].risk, desk.case.missing[person].risk_seq) == (
        "medium",
        review,
    )
    desk.seal()
    assert desk.load().missing == desk.case.missing


def test_an_enquiry_status_outside_the_list_is_refused() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    person = _reported(desk)
    with pytest.raises(InvalidCommandError, match="status: 'closed' is not one of"):
        desk.case.record_enquiry(person_id=person, enquiry="e", status="closed")
    with pytest.raises(InvalidCommandError, match="outcome: 'dead' is not one of"):
        _found(desk, person, outcome="dead")


def test_a_supervisors_review_keyed_by_an_officer_awaits_the_supervisors_confirmation() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    person = _reported(desk)
    supervisor = Custodian(name="Sara Sergeant", number="77", organisation="Test Force", rank="PS")
    seq = desk.case.review_missing_risk(
        person_id=person, risk="high", reasons="no contact for a day", by=supervisor
    )
    record = desk.case.pending_events[-1]
    assert (record.by, record.recorded_by) == (supervisor.to_data(), OFFICER.to_data())
    assert desk.case.unconfirmed[seq] == supervisor.identity
    desk.seal()
    findings = [(f.kind, f.seq) for f in desk.verify().findings]
    assert ("acted_on_behalf_unconfirmed", seq) in findings
