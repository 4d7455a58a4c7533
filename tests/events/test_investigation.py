"""The Investigation aggregate: every command, and the rules it enforces."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _casework import handover_note
from casefile.errors import (
    CaseClosedError,
    DomainError,
    DuplicateExhibitError,
    InvalidCommandError,
    StatementSignedError,
    UnknownReferenceError,
)
from casefile.events import (
    WITHHELD,
    CaseOpened,
    CaseStatus,
    CommandContext,
    CrimeReportRecorded,
    EvidenceCaptured,
    HandedOver,
    Investigation,
    MissingPersonReportRecorded,
    NoteAdded,
    PersonAdded,
    RecordCorrected,
    StatementRecorded,
    StatementSigned,
    StatusChanged,
)
from events.conftest import OFFICER, T0, counted_bytes, stepping_clock

SHA = bytes(range(32))
DECLARATION = (
    "This statement is true to the best of my knowledge and belief and I make it knowing "
    "that, if it is tendered in evidence, I shall be liable to prosecution if I have wilfully "
    "stated in it anything which I know to be false or do not believe to be true."
)


def _statement(case: Investigation, witness: uuid.UUID, **changes: Any) -> uuid.UUID:
    fields: dict[str, Any] = {
        "witness_id": witness,
        "declaration": DECLARATION,
        "body": "I saw a man take the bag.",
        "place": "Victim's home",
        "started_at": T0,
        "ended_at": T0 + 600 * 10**9,
        "exhibits": ["JS/1"],
    }
    fields.update(changes)
    return case.record_statement(**fields)


def _evidence(case: Investigation, exhibit: str = "JS/1", **changes: Any) -> int:
    fields: dict[str, Any] = {
        "exhibit": exhibit,
        "kind": "photo",
        "sha256": SHA,
        "size": 2048,
        "media_type": "image/jpeg",
        "device": "tablet-17",
        "location": "51.50,-0.12",
        "captured_at": T0,
    }
    fields.update(changes)
    return case.capture_evidence(**fields)


def _last(case: Investigation) -> Any:
    return case.pending_events[-1]


# --- opening -------------------------------------------------------------------


def test_opening_a_case_records_reference_offence_and_channel(case: Investigation) -> None:
    assert (case.reference, case.offence, case.channel) == (
        "01YE1234526",
        "Theft from a person",
        "officer_mobile",
    )
    assert case.version == 1
    assert case.status == CaseStatus.UNDER_INVESTIGATION
    assert isinstance(case.pending_events[0], CaseOpened)
    assert case.sealed_version == 0
    assert case.head == bytes(32)


def test_time_and_ids_come_from_the_injected_context() -> None:
    def make() -> Investigation:
        context = CommandContext(clock=stepping_clock(), random_bytes=counted_bytes())
        return Investigation.open(
            reference="R1", offence="Theft", channel="online", context=context
        )

    first, second = make(), make()
    assert first.id == second.id
    assert first.id.version == 4
    assert first.opened_ns == T0
    assert first.add_person(role="victim", name="A") == second.add_person(role="victim", name="A")


def test_at_overrides_the_clock(case: Investigation) -> None:
    case.add_note(text="late entry", at=T0 - 5)
    assert _last(case).time_ns == T0 - 5


@pytest.mark.parametrize(
    ("field", "value"),
    [("channel", "carrier_pigeon"), ("offence", ""), ("reference", "x" * 65), ("offence", 7)],
)
def test_opening_refuses_bad_arguments(field: str, value: object) -> None:
    args: dict[str, Any] = {"reference": "R1", "offence": "Theft", "channel": "online"}
    args[field] = value
    with pytest.raises(InvalidCommandError) as caught:
        Investigation.open(**args)
    assert caught.value.field == field


def test_non_nfc_text_is_refused_rather_than_normalised(case: Investigation) -> None:
    with pytest.raises(InvalidCommandError, match="NFC"):
        case.add_note(text="Cafe\u0301")


# --- reports -------------------------------------------------------------------


def test_crime_report_names_an_existing_reporter(case: Investigation) -> None:
    person = case.add_person(role="victim", name="Ann Example")
    seq = case.record_crime_report(
        offence="Theft",
        summary="Bag taken",
        location="High St",
        reported_by=person,
        occurred_from=T0,
        occurred_to=T0 + 1,
    )
    assert seq == 3
    assert case.reports == (3,)
    assert isinstance(_last(case), CrimeReportRecorded)
    assert _last(case).reported_by == person


def test_crime_report_by_an_unknown_person_is_refused(case: Investigation) -> None:
    with pytest.raises(UnknownReferenceError, match="reported_by"):
        case.record_crime_report(
            offence="Theft", summary="s", location="l", reported_by=uuid.uuid4()
        )


def test_crime_report_ending_before_it_began_is_refused(case: Investigation) -> None:
    with pytest.raises(InvalidCommandError, match="occurred_to"):
        case.record_crime_report(
            offence="Theft", summary="s", location="l", occurred_from=T0, occurred_to=T0 - 1
        )


def test_missing_person_report_grades_risk(case: Investigation) -> None:
    person = case.add_person(role="other", name="Missing Person")
    case.record_missing_person_report(
        person_id=person, risk="high", last_seen_at=T0, last_seen_place="Station"
    )
    assert isinstance(_last(case), MissingPersonReportRecorded)
    assert _last(case).risk == "high"
    with pytest.raises(InvalidCommandError, match="risk"):
        case.record_missing_person_report(
            person_id=person, risk="severe", last_seen_at=T0, last_seen_place="Station"
        )
    with pytest.raises(UnknownReferenceError):
        case.record_missing_person_report(
            person_id=uuid.uuid4(), risk="low", last_seen_at=T0, last_seen_place="Station"
        )


# --- people ----------------------------------------------------------------------


def test_person_details_are_personal_fields_never_payload(case: Investigation) -> None:
    person = case.add_person(
        role="witness", name="Ann Example", date_of_birth="1990-02-28", phone="07700 900000"
    )
    event = _last(case)
    assert isinstance(event, PersonAdded)
    assert event.to_data() == {"person_id": person.bytes, "role": "witness"}
    assert event.personal == {
        "name": "Ann Example",
        "date_of_birth": "1990-02-28",
        "phone": "07700 900000",
    }
    assert case.people[person].details == {"name", "date_of_birth", "phone"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("role", "bystander"),
        ("date_of_birth", "1990-02-30"),
        ("date_of_birth", "28/02/1990"),
        ("name", ""),
        ("email", "x" * 321),
    ],
)
def test_adding_a_person_refuses_bad_details(
    case: Investigation, field: str, value: object
) -> None:
    args: dict[str, Any] = {"role": "victim", "name": "Ann"}
    args[field] = value
    with pytest.raises(InvalidCommandError) as caught:
        case.add_person(**args)
    assert caught.value.field == field


def test_a_person_id_is_used_once(case: Investigation) -> None:
    person = case.add_person(role="victim", name="Ann")
    with pytest.raises(InvalidCommandError, match="already in the case"):
        case.add_person(role="victim", name="Ann", person_id=person)


# --- statements --------------------------------------------------------------------


def test_statement_then_signature(case: Investigation) -> None:
    witness = case.add_person(role="witness", name="Wendy Witness")
    statement = _statement(case, witness)
    recorded = _last(case)
    assert isinstance(recorded, StatementRecorded)
    assert recorded.declaration == DECLARATION
    assert recorded.exhibits == ("JS/1",)
    assert recorded.to_data()["exhibits"] == ["JS/1"]
    seq = case.sign_statement(statement_id=statement, signature_sha256=SHA)
    assert isinstance(_last(case), StatementSigned)
    assert case.statements[statement].signed_seq == seq
    assert case.statements[statement].is_signed


def test_a_signed_statement_is_never_signed_again(case: Investigation) -> None:
    statement = _statement(case, case.add_person(role="witness", name="W"))
    case.sign_statement(statement_id=statement)
    with pytest.raises(StatementSignedError):
        case.sign_statement(statement_id=statement)


def test_a_signed_statement_never_changes(case: Investigation) -> None:
    witness = case.add_person(role="witness", name="W")
    statement = _statement(case, witness)
    case.sign_statement(statement_id=statement)
    with pytest.raises(StatementSignedError, match="correction or a further statement"):
        _statement(case, witness, statement_id=statement, body="Changed my mind.")
    # The permitted routes: a correction, or a further statement.
    case.correct(seq=case.statements[statement].seq, reason="typo", fields={"place": "Home"})
    assert _statement(case, witness, body="Further statement.") != statement


def test_an_unsigned_statement_may_be_taken_again(case: Investigation) -> None:
    witness = case.add_person(role="witness", name="W")
    statement = _statement(case, witness)
    first_seq = case.statements[statement].seq
    assert _statement(case, witness, statement_id=statement, body="Redone") == statement
    assert case.statements[statement].seq > first_seq
    other = case.add_person(role="witness", name="X")
    with pytest.raises(InvalidCommandError, match="witness"):
        _statement(case, other, statement_id=statement)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"over_18": False}, "age"),
        ({"over_18": False, "age": 18}, "age"),
        ({"age": 12}, "age"),
        ({"ended_at": T0 - 1}, "ended_at"),
        ({"exhibits": ["JS/1", "JS/1"]}, "exhibits"),
        ({"exhibits": ["knife"]}, "exhibits"),
        ({"declaration": ""}, "declaration"),
        ({"over_18": 1}, "over_18"),
    ],
)
def test_statement_refuses_bad_fields(
    case: Investigation, changes: dict[str, Any], field: str
) -> None:
    witness = case.add_person(role="witness", name="W")
    with pytest.raises(InvalidCommandError) as caught:
        _statement(case, witness, **changes)
    assert caught.value.field == field


def test_a_child_witness_gives_an_age(case: Investigation) -> None:
    _statement(case, case.add_person(role="witness", name="C"), over_18=False, age=12)
    assert _last(case).age == 12
    assert _last(case).over_18 is False


def test_statement_by_an_unknown_witness_is_refused(case: Investigation) -> None:
    with pytest.raises(UnknownReferenceError):
        _statement(case, uuid.uuid4())


def test_reader_signature_names_the_reader_as_personal_data(case: Investigation) -> None:
    statement = _statement(case, case.add_person(role="witness", name="W"))
    with pytest.raises(InvalidCommandError, match="reader_name"):
        case.sign_statement(statement_id=statement, signatory="reader")
    with pytest.raises(InvalidCommandError, match="reader_name"):
        case.sign_statement(statement_id=statement, reader_name="R")
    case.sign_statement(
        statement_id=statement,
        signatory="reader",
        reader_name="Rita Reader",
        reader_declaration="I read this statement to the witness.",
    )
    assert _last(case).personal == {"reader_name": "Rita Reader"}
    assert "Rita" not in repr(_last(case).to_data())


def test_signing_an_unknown_statement_is_refused(case: Investigation) -> None:
    with pytest.raises(UnknownReferenceError):
        case.sign_statement(statement_id=uuid.uuid4())


# --- evidence ------------------------------------------------------------------------


def test_evidence_gets_a_unique_exhibit_reference(case: Investigation) -> None:
    seq = _evidence(case, "JS/1")
    assert isinstance(_last(case), EvidenceCaptured)
    assert case.exhibits["JS/1"].seq == seq
    assert case.exhibits["JS/1"].sha256 == SHA
    with pytest.raises(DuplicateExhibitError, match="JS/1"):
        _evidence(case, "JS/1")
    _evidence(case, "JS/2")


@given(ref=st.text(max_size=12))
@settings(max_examples=200)
def test_exhibit_reference_format_is_initials_slash_number(ref: str) -> None:
    case = Investigation.open(reference="R", offence="o", channel="online", at=T0)
    case.bind_actor(OFFICER)
    well_formed = (
        "/" in ref
        and ref.split("/", 1)[0].isascii()
        and ref.split("/", 1)[0].isupper()
        and ref.split("/", 1)[0].isalpha()
        and 1 <= len(ref.split("/", 1)[0]) <= 5
        and ref.split("/", 1)[1].isascii()
        and ref.split("/", 1)[1].isdigit()
        and not ref.split("/", 1)[1].startswith("0")
        and 1 <= len(ref.split("/", 1)[1]) <= 6
    )
    if well_formed:
        _evidence(case, ref, at=T0)
        assert ref in case.exhibits
    else:
        with pytest.raises(InvalidCommandError, match="exhibit"):
            _evidence(case, ref, at=T0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sha256": b"short"}, "sha256"),
        ({"size": -1}, "size"),
        ({"size": True}, "size"),
        ({"kind": "smell"}, "kind"),
        ({"media_type": "jpeg"}, "media_type"),
        ({"produced_by": uuid.uuid4()}, "produced_by"),
    ],
)
def test_evidence_refuses_bad_fields(
    case: Investigation, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        _evidence(case, **changes)
    assert field in str(caught.value)


# --- notes, status, closing --------------------------------------------------------


def test_note_is_recorded(case: Investigation) -> None:
    assert case.add_note(text="Called the victim back.") == 2
    assert isinstance(_last(case), NoteAdded)


def test_status_changes_and_refuses_pointless_or_impossible_moves(case: Investigation) -> None:
    case.change_status(status="referred_to_cps", reason="File sent")
    assert isinstance(_last(case), StatusChanged)
    assert case.status == "referred_to_cps"
    with pytest.raises(InvalidCommandError, match="already"):
        case.change_status(status="referred_to_cps", reason="again")
    with pytest.raises(InvalidCommandError, match="only a closed case"):
        case.change_status(status="reopened", reason="not closed")
    with pytest.raises(InvalidCommandError, match="status"):
        case.change_status(status="archived", reason="?")


COMMANDS_ON_A_CASE: dict[str, Callable[[Investigation, uuid.UUID, uuid.UUID], object]] = {
    "record_crime_report": lambda c, p, s: c.record_crime_report(
        offence="Theft", summary="s", location="l"
    ),
    "record_missing_person_report": lambda c, p, s: c.record_missing_person_report(
        person_id=p, risk="low", last_seen_at=T0, last_seen_place="Home"
    ),
    "add_person": lambda c, p, s: c.add_person(role="victim", name="N"),
    "record_statement": lambda c, p, s: _statement(c, p),
    "sign_statement": lambda c, p, s: c.sign_statement(statement_id=s),
    "capture_evidence": lambda c, p, s: _evidence(c, "AB/9"),
    "add_note": lambda c, p, s: c.add_note(text="n"),
    "change_status": lambda c, p, s: c.change_status(status="charged", reason="r"),
    "correct": lambda c, p, s: c.correct(seq=1, reason="r", fields={"offence": "Robbery"}),
    "record_handover": lambda c, p, s: c.record_handover(
        recipient="CPS", checkpoint=handover_note(c)
    ),
    "close_again": lambda c, p, s: c.change_status(status="closed", reason="r"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS_ON_A_CASE))
def test_nothing_is_recorded_on_a_closed_case_but_a_reopening(
    case: Investigation, command: str
) -> None:
    person = case.add_person(role="witness", name="W")
    statement = _statement(case, person)
    case.change_status(status="closed", reason="Detected")
    version = case.version
    with pytest.raises(CaseClosedError):
        COMMANDS_ON_A_CASE[command](case, person, statement)
    assert case.version == version
    assert case.is_closed
    case.change_status(status="reopened", reason="New evidence")
    COMMANDS_ON_A_CASE[command](case, person, statement)
    assert case.version == version + 2


# --- corrections -----------------------------------------------------------------


def test_correction_names_the_record_and_why(case: Investigation) -> None:
    seq = case.correct(seq=1, reason="Wrong offence", fields={"offence": "Robbery"})
    event = _last(case)
    assert isinstance(event, RecordCorrected)
    assert (event.corrects, event.correction_reason, event.fields, event.texts) == (
        1,
        "Wrong offence",
        {"offence": "Robbery"},
        {},
    )
    assert "correction_reason" not in event.to_data()
    assert case.offence == "Robbery"
    assert case.corrections == {1: (seq,)}


@pytest.mark.parametrize("seq", [0, -1, 2, 99, "1", None])
def test_correction_must_name_an_existing_earlier_record(case: Investigation, seq: Any) -> None:
    with pytest.raises(UnknownReferenceError):
        case.correct(seq=seq, reason="r", fields={"offence": "Robbery"})


def test_correction_of_a_person_changes_their_role_and_commits_new_details(
    case: Investigation,
) -> None:
    person = case.add_person(role="witness", name="Ann Exmaple")
    added = case.people[person].seq
    case.correct(
        seq=added,
        reason="Misspelt; is the victim",
        fields={"role": "victim"},
        personal={"name": "Ann Example"},
    )
    assert case.people[person].role == "victim"
    assert _last(case).personal == {"name": "Ann Example"}
    assert "Ann" not in repr(_last(case).to_data())
    assert case.person_record_seqs(person) == {added, case.version}


@pytest.mark.parametrize(
    ("fields", "personal", "field"),
    [
        ({"person_id": uuid.uuid4()}, None, "fields.person_id"),
        ({"role": "bystander"}, None, "fields.role"),
        ({"nickname": "x"}, None, "fields.nickname"),
        (None, {"shoe_size": 9}, "personal.shoe_size"),
        ({}, {}, "fields"),
        ({"role": 1.5}, None, "fields.role"),
    ],
)
def test_correction_refuses_fields_it_may_not_change(
    case: Investigation, fields: Any, personal: Any, field: str
) -> None:
    person = case.add_person(role="witness", name="W")
    with pytest.raises(InvalidCommandError) as caught:
        case.correct(seq=case.people[person].seq, reason="r", fields=fields, personal=personal)
    assert caught.value.field == field


def test_a_correction_is_not_itself_corrected(case: Investigation) -> None:
    seq = case.correct(seq=1, reason="r", fields={"offence": "Robbery"})
    with pytest.raises(InvalidCommandError, match="correct the original"):
        case.correct(seq=seq, reason="r", fields={"reason": "x"})


def test_correcting_the_channel_checks_the_vocabulary(case: Investigation) -> None:
    with pytest.raises(InvalidCommandError, match="channel"):
        case.correct(seq=1, reason="r", fields={"channel": "fax"})
    case.correct(seq=1, reason="r", fields={"channel": "phone"})
    assert case.channel == "phone"


def test_a_status_is_changed_by_a_new_record_never_corrected(case: Investigation) -> None:
    seq = case.change_status(status="charged", reason="CPS advice")
    with pytest.raises(InvalidCommandError, match=r"fields\.status"):
        case.correct(seq=seq, reason="r", fields={"status": "closed"})


def test_handover_records_recipient_and_checkpoint(case: Investigation) -> None:
    seq = case.record_handover(recipient="CPS Direct", checkpoint=handover_note(case))
    assert isinstance(_last(case), HandedOver)
    assert case.handovers == (seq,)


def test_loaded_events_hold_names_not_values() -> None:
    assert repr(WITHHELD) == "WITHHELD"
