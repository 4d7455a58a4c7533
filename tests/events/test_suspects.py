"""Suspects: identified once; only an identified suspect is arrested, attends, is interviewed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from casefile.errors import (
    CaseClosedError,
    ExhibitHashError,
    InvalidCommandError,
    UnknownReferenceError,
)
from casefile.events import (
    InterviewRecorded,
    Investigation,
    SuspectIdentified,
    load_investigation,
)
from casefile.signing._keys import InMemorySigner
from casefile.signing._records import parse_record
from casefile.signing._trust import TrustStore
from events._prosecution import DC, DIGEST, seal, suspect
from events.conftest import OFFICER, SECOND, T0


def _interview(case: Investigation, person: uuid.UUID, **changes: Any) -> int:
    arguments: dict[str, Any] = {
        "person_id": person,
        "started_at": T0,
        "ended_at": T0 + 1800 * SECOND,
        "place": "Leeds custody suite",
        "interviewers": [OFFICER, DC],
        "legal_representative": True,
        "summary": "Denied being at the address.",
        **changes,
    }
    return case.record_interview(**arguments)


def _capture(case: Investigation, exhibit: str = "JS/1", sha256: bytes = DIGEST) -> None:
    case.capture_evidence(
        exhibit=exhibit,
        kind="video",
        sha256=sha256,
        size=1,
        media_type="video/mp4",
        device="Interview recorder 3",
        location="Leeds custody suite",
        captured_at=T0,
    )


def test_an_arrest_of_someone_never_identified_as_a_suspect_is_refused(
    case: Investigation,
) -> None:
    person = case.add_person(role="suspect", name="Sam Suspect")
    version = case.version
    with pytest.raises(InvalidCommandError, match="not been identified as a suspect") as caught:
        case.record_arrest(
            person_id=person,
            arrested_at=T0,
            place="Home address",
            power="Police and Criminal Evidence Act 1984 s.24",
            grounds="Named by the victim; arrest necessary to interview.",
        )
    assert caught.value.field == "person_id"
    assert case.version == version


def test_voluntary_attendance_of_someone_never_identified_as_a_suspect_is_refused(
    case: Investigation,
) -> None:
    person = case.add_person(role="witness", name="Wendy Witness")
    with pytest.raises(InvalidCommandError, match="person_id"):
        case.record_voluntary_attendance(person_id=person, attended_at=T0, place="Station")


def test_a_suspect_identified_twice_is_refused(case: Investigation) -> None:
    person = suspect(case)
    with pytest.raises(InvalidCommandError, match=r"identified as a suspect already \(record 3\)"):
        case.identify_suspect(person_id=person, grounds="Again.")
    assert case.suspects == {person: 3}


def test_identifying_someone_not_in_the_case_is_refused(case: Investigation) -> None:
    with pytest.raises(UnknownReferenceError) as caught:
        case.identify_suspect(person_id=uuid.UUID(int=9), grounds="A stranger.")
    assert caught.value.field == "person_id"


def test_an_interview_recording_hash_that_differs_from_the_exhibit_is_refused(
    case: Investigation,
) -> None:
    person = suspect(case)
    _capture(case)
    version = case.version
    with pytest.raises(ExhibitHashError, match="recording_sha256 differs from exhibit JS/1"):
        _interview(case, person, recording="JS/1", recording_sha256=bytes(32))
    assert case.version == version
    _interview(case, person, recording="JS/1", recording_sha256=DIGEST)
    assert case.version == version + 1


def test_an_interview_recording_that_is_no_exhibit_of_the_case_is_refused(
    case: Investigation,
) -> None:
    person = suspect(case)
    with pytest.raises(UnknownReferenceError) as caught:
        _interview(case, person, recording="JS/7", recording_sha256=DIGEST)
    assert caught.value.field == "recording"


@pytest.mark.parametrize(
    ("given", "missing"),
    [({"recording": "JS/1"}, "recording_sha256"), ({"recording_sha256": DIGEST}, "recording")],
)
def test_an_interview_recording_without_its_hash_or_its_exhibit_is_refused(
    case: Investigation, given: dict[str, Any], missing: str
) -> None:
    person = suspect(case)
    _capture(case)
    with pytest.raises(InvalidCommandError) as caught:
        _interview(case, person, **given)
    assert caught.value.field == missing


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ended_at": T0 - 1}, "ended_at"),
        ({"interviewers": []}, "interviewers"),
        ({"interviewers": [OFFICER, DC, OFFICER]}, "interviewers"),
        ({"interviewers": ["PC Smith"]}, "interviewers"),
        ({"special_warnings": ["s36", "s36"]}, "special_warnings"),
        ({"special_warnings": ["s34"]}, "special_warnings"),
        ({"legal_representative": "yes"}, "legal_representative"),
        ({"summary": ""}, "summary"),
    ],
)
def test_an_interview_with_a_bad_argument_is_refused_naming_it(
    case: Investigation, changes: dict[str, Any], field: str
) -> None:
    person = suspect(case)
    version = case.version
    with pytest.raises(InvalidCommandError) as caught:
        _interview(case, person, **changes)
    assert caught.value.field == field
    assert case.version == version


def test_nothing_about_a_suspect_is_recorded_on_a_closed_case(case: Investigation) -> None:
    person = suspect(case)
    other = case.add_person(role="suspect", name="Other Suspect")
    case.change_status(status="closed", reason="Filed")
    version = case.version
    with pytest.raises(CaseClosedError):
        case.record_voluntary_attendance(person_id=person, attended_at=T0, place="Station")
    with pytest.raises(CaseClosedError):
        case.identify_suspect(person_id=other, grounds="Seen with the first.")
    assert case.version == version


def test_grounds_summary_and_place_are_committed_as_text_never_written_in_data(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    person = suspect(case)
    case.record_arrest(
        person_id=person,
        arrested_at=T0,
        place="12 Acacia Avenue",
        power="Police and Criminal Evidence Act 1984 s.24",
        grounds="Named by the victim.",
    )
    seq = _interview(case, person, admissions="", denials="Was not there.", no_comment=False)
    batch = seal(case, officer, trust)
    headers = [parse_record(s.state).header for s in batch.stored_events]
    arrest, interview = headers[-2], headers[-1]
    assert set(arrest.commitments) == {"grounds", "place"}
    assert arrest.data["power"] == "Police and Criminal Evidence Act 1984 s.24"
    # An empty optional text is not committed; what was said is never in data.
    assert set(interview.commitments) == {"denials", "place", "summary"}
    assert "Was not there." not in repr(interview.data)
    assert interview.data["interviewers"][1]["name"] == "Dan Cole"
    loaded = load_investigation(case.id, batch.stored_events, trust)
    assert loaded.suspects == case.suspects == {person: 3}
    assert loaded.record_type(seq) is InterviewRecorded
    assert loaded.record_type(3) is SuspectIdentified


def test_an_arrest_keyed_in_for_the_arresting_officer_awaits_their_confirmation(
    case: Investigation,
) -> None:
    person = suspect(case)
    seq = case.record_arrest(
        person_id=person,
        arrested_at=T0,
        place="Home address",
        power="Police and Criminal Evidence Act 1984 s.24",
        grounds="Named by the victim.",
        by=DC,
    )
    event = case.pending_events[-1]
    assert (event.by, event.recorded_by) == (DC.to_data(), OFFICER.to_data())  # type: ignore[attr-defined]
    assert case.unconfirmed == {seq: DC.identity}


def test_a_correction_of_an_interview_that_ends_it_before_it_began_is_refused(
    case: Investigation,
) -> None:
    seq = _interview(case, suspect(case))
    with pytest.raises(InvalidCommandError) as caught:
        case.correct(seq=seq, reason="r", fields={"started_at": T0 + SECOND, "ended_at": T0})
    assert caught.value.field == "fields.ended_at"
    for key in ("interviewers", "recording", "person_id"):
        with pytest.raises(InvalidCommandError, match="not a correctable field"):
            case.correct(seq=seq, reason="r", fields={key: None})
    case.correct(seq=seq, reason="Solicitor arrived late", fields={"legal_representative": False})
    assert case.corrections[seq] == (case.version,)


def test_a_correction_of_one_end_of_an_interview_is_checked_against_the_other_as_it_stands(
    case: Investigation,
) -> None:
    # Correcting the end alone must not be a way round the command's order check.
    seq = _interview(case, suspect(case))
    for fields in ({"ended_at": T0 - SECOND}, {"started_at": T0 + 3600 * SECOND}):
        with pytest.raises(InvalidCommandError) as caught:
            case.correct(seq=seq, reason="r", fields=fields)
        assert caught.value.field == "fields.ended_at"
    case.correct(seq=seq, reason="Ran on", fields={"ended_at": T0 + 3600 * SECOND})
    case.correct(seq=seq, reason="Began late", fields={"started_at": T0 + 3000 * SECOND})
    with pytest.raises(InvalidCommandError):
        case.correct(seq=seq, reason="r", fields={"ended_at": T0 + 2000 * SECOND})
    assert case.corrections[seq] == (seq + 1, seq + 2)
