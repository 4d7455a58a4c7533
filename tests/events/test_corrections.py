"""Corrections: what they may change, and that they pass the checks of the record they correct.

A correction is an officer's append-only amendment of an earlier record. It
must not become a way round the rules the original command enforces: a value
the command would refuse is refused in a correction too, a person named must
be in the case, and what a witness signed stays as they signed it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _casework import handover_note
from casefile.errors import (
    InvalidCommandError,
    StatementSignedError,
    UnknownReferenceError,
)
from casefile.events import (
    EVENT_TYPES,
    Investigation,
    RecordCorrected,
    load_investigation,
    seal_events,
)
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import TrustStore
from events.conftest import OFFICER, T0, counted_bytes

SHA = bytes(range(32))


def _statement(case: Investigation, **changes: Any) -> uuid.UUID:
    fields: dict[str, Any] = {
        "witness_id": case.add_person(role="witness", name="Wendy Witness"),
        "declaration": "This statement is true to the best of my knowledge and belief.",
        "body": "I saw a man in a red coat take the bag.",
        "place": "Victim's home",
        "started_at": T0,
        "ended_at": T0 + 600 * 10**9,
        "exhibits": ["JS/1"],
    }
    fields.update(changes)
    return case.record_statement(**fields)


def _capture(case: Investigation) -> int:
    return case.capture_evidence(
        exhibit="JS/1",
        kind="photo",
        sha256=SHA,
        size=2048,
        media_type="image/jpeg",
        device="tablet-17",
        location="Kitchen",
        captured_at=T0,
    )


# --- what a witness signed ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body", "I did not see anyone."),
        ("declaration", "Nothing here is true."),
        ("exhibits", ["JS/2"]),
        ("over_18", False),
        ("age", 12),
    ],
)
def test_a_correction_cannot_rewrite_what_the_witness_signed(
    case: Investigation, field: str, value: object
) -> None:
    statement = _statement(case)
    case.sign_statement(statement_id=statement)
    seq = case.statements[statement].seq
    version = case.version
    with pytest.raises(StatementSignedError, match="further statement"):
        case.correct(seq=seq, reason="Witness misremembered", fields={field: value})
    assert case.version == version


def test_the_officer_side_of_a_signed_statement_may_still_be_corrected(
    case: Investigation,
) -> None:
    statement = _statement(case)
    case.sign_statement(statement_id=statement)
    seq = case.statements[statement].seq
    first = case.correct(seq=seq, reason="Typo", fields={"place": "Victim's home, kitchen"})
    second = case.correct(seq=seq, reason="Wrong time", fields={"ended_at": T0 + 900 * 10**9})
    assert case.corrections[seq] == (first, second)
    assert case.statements[statement].is_signed
    # The place is text: the correction carries it to be committed, never as data.
    place_fix = next(e for e in case.pending_events if e.originator_version == first)
    assert isinstance(place_fix, RecordCorrected)
    assert (place_fix.texts, place_fix.fields) == ({"place": "Victim's home, kitchen"}, {})
    assert case.statements[statement].ended_at == T0 + 900 * 10**9


def test_an_unsigned_statement_may_be_corrected_before_it_is_signed(case: Investigation) -> None:
    statement = _statement(case)
    seq = case.statements[statement].seq
    fix = case.correct(
        seq=seq, reason="Witness asked", fields={"body": "I saw a man in a blue coat."}
    )
    case.sign_statement(statement_id=statement)
    assert case.corrections[seq] == (fix,)
    assert case.statements[statement].is_signed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("signature_sha256", bytes(32)),
        ("signatory", "reader"),
        ("reader_declaration", "I read it to them."),
    ],
)
def test_a_correction_cannot_replace_the_signature_of_a_statement(
    case: Investigation, field: str, value: object
) -> None:
    statement = _statement(case)
    signed = case.sign_statement(statement_id=statement, signature_sha256=SHA)
    with pytest.raises(InvalidCommandError) as caught:
        case.correct(seq=signed, reason="r", fields={field: value})
    assert caught.value.field == f"fields.{field}"


def test_a_readers_name_on_a_signature_may_be_corrected_and_stays_committed(
    case: Investigation,
) -> None:
    statement = _statement(case)
    signed = case.sign_statement(
        statement_id=statement,
        signatory="reader",
        reader_name="Rita Raeder",
        reader_declaration="I read this statement to the witness.",
    )
    case.correct(seq=signed, reason="Spelling", personal={"reader_name": "Rita Reader"})
    assert dict(case.pending_events[-1].personal) == {"reader_name": "Rita Reader"}
    assert "Rita" not in repr(case.pending_events[-1].to_data())


# --- values a command would refuse -------------------------------------------------


def _crime_report(case: Investigation) -> int:
    return case.record_crime_report(offence="Theft", summary="Bag taken", location="Bus stop")


def _missing(case: Investigation) -> int:
    person = case.add_person(role="other", name="Mo Missing")
    return case.record_missing_person_report(
        person_id=person, risk="high", last_seen_at=T0, last_seen_place="Park"
    )


RECORDS = {
    "crime_report": _crime_report,
    "missing_person": _missing,
    "note": lambda case: case.add_note(text="Called back"),
    "status": lambda case: case.change_status(status="charged", reason="CPS advice"),
    "handover": lambda case: case.record_handover(recipient="CPS", checkpoint=handover_note(case)),
    "capture": _capture,
    "statement": lambda case: case.statements[_statement(case)].seq,
    "opening": lambda case: 1,
}


@pytest.mark.parametrize(
    ("record", "fields"),
    [
        ("crime_report", {"offence": ""}),
        ("crime_report", {"summary": 5}),
        ("crime_report", {"occurred_from": "yesterday"}),
        ("crime_report", {"occurred_to": True}),
        ("missing_person", {"risk": "extreme"}),
        ("missing_person", {"last_seen_at": None}),
        ("missing_person", {"last_seen_place": ""}),
        ("note", {"text": ""}),
        ("note", {"text": b"bytes"}),
        ("status", {"reason": None}),
        ("handover", {"recipient": ""}),
        ("capture", {"media_type": 5}),
        ("capture", {"media_type": "jpeg"}),
        ("capture", {"description": None}),
        ("capture", {"captured_at": "x"}),
        ("capture", {"kind": "smell"}),
        ("capture", {"device": ""}),
        ("statement", {"over_18": "no"}),
        ("statement", {"age": 30}),
        ("statement", {"exhibits": ["knife"]}),
        ("statement", {"exhibits": ["JS/1", "JS/1"]}),
        ("statement", {"started_at": 1.5}),
        ("statement", {"body": ""}),
        ("opening", {"offence": ""}),
    ],
)
def test_a_correction_refuses_a_value_its_command_would_refuse(
    case: Investigation, record: str, fields: dict[str, Any]
) -> None:
    seq = RECORDS[record](case)
    version = case.version
    with pytest.raises(InvalidCommandError) as caught:
        case.correct(seq=seq, reason="r", fields=fields)
    assert caught.value.field == f"fields.{next(iter(fields))}"
    assert case.version == version


def test_the_checkpoint_of_a_handover_is_never_corrected(case: Investigation) -> None:
    # The application checked that note against the case when it recorded the handover.
    seq = case.record_handover(recipient="CPS", checkpoint=handover_note(case))
    with pytest.raises(InvalidCommandError, match="not a correctable field"):
        case.correct(seq=seq, reason="r", fields={"checkpoint": "another note"})


@pytest.mark.parametrize("record", ["crime_report", "capture"])
def test_a_correction_names_only_people_of_the_case(case: Investigation, record: str) -> None:
    seq = RECORDS[record](case)
    field = "reported_by" if record == "crime_report" else "produced_by"
    with pytest.raises(UnknownReferenceError, match=field):
        case.correct(seq=seq, reason="r", fields={field: uuid.uuid4()})
    person = case.add_person(role="victim", name="Vic Tim")
    case.correct(seq=seq, reason="r", fields={field: person})
    case.correct(seq=seq, reason="r", fields={field: None})


@pytest.mark.parametrize(
    ("personal", "field"),
    [
        ({"date_of_birth": "yesterday"}, "personal.date_of_birth"),
        ({"name": None}, "personal.name"),
        ({"name": ""}, "personal.name"),
        ({"phone": "0" * 65}, "personal.phone"),
        ({"email": 12}, "personal.email"),
    ],
)
def test_a_correction_of_personal_details_passes_the_checks_of_adding_a_person(
    case: Investigation, personal: dict[str, Any], field: str
) -> None:
    person = case.add_person(role="victim", name="Ann Exmaple")
    with pytest.raises(InvalidCommandError) as caught:
        case.correct(seq=case.people[person].seq, reason="r", personal=personal)
    assert caught.value.field == field
    case.correct(seq=case.people[person].seq, reason="r", personal={"date_of_birth": "1990-02-28"})


def test_a_correction_never_commits_personal_data_to_a_custody_record(
    case: Investigation,
) -> None:
    from casefile.events import Custodian

    pc = Custodian(name="Jane Smith", number="1234", organisation="Test Police")
    seq = case.seize_exhibit(
        exhibit="JS/1", by=pc, place="x", description="Phone", power="PACE s.19"
    )
    # Members of the public are people of the case: their details are committed
    # in their own records, and no custody record carries a personal field.
    with pytest.raises(InvalidCommandError, match=r"personal\.seized_from"):
        case.correct(seq=seq, reason="r", personal={"seized_from": "Alan Example"})


@given(text=st.text(max_size=40))
@settings(max_examples=60, deadline=None)
def test_a_corrected_note_is_accepted_exactly_when_a_new_note_would_be(text: str) -> None:
    case = Investigation.open(reference="R", offence="o", channel="online", at=T0)
    case.bind_actor(OFFICER)
    seq = case.add_note(text="first", at=T0)
    try:
        case.add_note(text=text, at=T0)
    except InvalidCommandError:
        with pytest.raises(InvalidCommandError):
            case.correct(seq=seq, reason="r", fields={"text": text}, at=T0)
    else:
        case.correct(seq=seq, reason="r", fields={"text": text}, at=T0)


def test_valid_corrections_load_back_from_the_records(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    victim = case.add_person(role="victim", name="Vic Tim")
    report = _crime_report(case)
    case.correct(
        seq=report,
        reason="Victim phoned",
        fields={"occurred_from": T0, "reported_by": victim, "location": "Bus station"},
    )
    capture = _capture(case)
    case.correct(seq=capture, reason="Type", fields={"media_type": "image/png"})
    batch = seal_events(
        case,
        list(case.pending_events),  # type: ignore[arg-type]
        officer,
        trust=trust,
        random_bytes=counted_bytes(),
    )
    loaded = load_investigation(case.id, batch.stored_events, trust, registry=EVENT_TYPES)
    assert loaded.corrections == case.corrections


def test_the_reader_and_the_writer_agree_on_what_a_capture_correction_may_change() -> None:
    from casefile.events import EvidenceCaptured
    from casefile.projections._custody_records import correctable_fields

    assert set(EvidenceCaptured.CORRECTION_CHECKS) == correctable_fields("evidence.captured")


def test_a_statement_corrected_to_end_before_it_began_is_refused_one_end_at_a_time(
    case: Investigation,
) -> None:
    statement = _statement(case)
    seq = case.statements[statement].seq
    with pytest.raises(InvalidCommandError) as caught:
        case.correct(seq=seq, reason="Wrong time", fields={"ended_at": T0 - 10**9})
    assert caught.value.field == "fields.ended_at"
    assert seq not in case.corrections
