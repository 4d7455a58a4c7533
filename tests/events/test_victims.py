"""Victims and witnesses: the victim personal statement and the witness care assessment."""

from __future__ import annotations

import uuid

import pytest

from _casework import SECOND, Desk
from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events import CARE_DETAILS, RESTRICTED_FIELDS, StatementRecorded, WitnessCareAssessed

DECLARATION = "This statement is true to the best of my knowledge and belief."


def _statement(desk: Desk, witness: uuid.UUID) -> int:
    desk.case.record_statement(
        witness_id=witness,
        declaration=DECLARATION,
        body="The burglary has left me afraid to be at home alone.",
        place="Victim's home",
        started_at=desk.case.opened_ns,
        ended_at=desk.case.opened_ns + 600 * SECOND,
    )
    return desk.case.version


def test_a_vps_made_cites_a_statement_of_the_victim() -> None:
    desk = Desk.open()
    victim = desk.person("victim")
    statement = _statement(desk, victim)
    seq = desk.case.record_vps(
        person_id=victim, outcome="made", offered_at=desk.case.opened_ns, statement=statement
    )
    desk.seal()
    loaded = desk.load()
    assert loaded.record_type(statement) is StatementRecorded
    assert desk.verify().records[seq - 1].data["statement"] == statement


def test_a_vps_made_without_its_statement_is_refused() -> None:
    desk = Desk.open()
    victim = desk.person("victim")
    with pytest.raises(InvalidCommandError, match="statement: a VPS made cites"):
        desk.case.record_vps(person_id=victim, outcome="made", offered_at=desk.case.opened_ns)


def test_a_vps_declined_citing_a_statement_is_refused() -> None:
    desk = Desk.open()
    victim = desk.person("victim")
    statement = _statement(desk, victim)
    with pytest.raises(InvalidCommandError, match="statement: a VPS declined cites no"):
        desk.case.record_vps(
            person_id=victim,
            outcome="declined",
            offered_at=desk.case.opened_ns,
            statement=statement,
        )
    desk.case.record_vps(person_id=victim, outcome="deferred", offered_at=desk.case.opened_ns)


def test_a_vps_citing_another_persons_statement_is_refused() -> None:
    desk = Desk.open()
    victim, witness = desk.person("victim"), desk.person("witness", "Wes Witness")
    theirs = _statement(desk, witness)
    with pytest.raises(UnknownReferenceError, match=f"record {theirs} .* no statement of") as e:
        desk.case.record_vps(
            person_id=victim, outcome="made", offered_at=desk.case.opened_ns, statement=theirs
        )
    assert e.value.field == "statement"


def test_a_vps_for_someone_who_is_not_a_victim_is_refused() -> None:
    desk = Desk.open()
    witness = desk.person("witness")
    with pytest.raises(InvalidCommandError, match="is a witness, not a victim"):
        desk.case.record_vps(person_id=witness, outcome="declined", offered_at=desk.case.opened_ns)


def test_witness_care_needs_are_committed_never_written_in_clear() -> None:
    desk = Desk.open()
    witness = desk.person("witness")
    desk.case.assess_witness_care(
        person_id=witness, care_needs="uses a wheelchair", interpreter="Polish"
    )
    event = desk.case.pending_events[-1]
    assert isinstance(event, WitnessCareAssessed)
    desk.seal()
    record = desk.verify().records[-1]
    assert set(record.data) == {"by", "person_id", "recorded_by"}
    assert set(record.commitments) == {"care_needs", "interpreter"}
    assert b"wheelchair" not in desk.stored[-1].state
    assert CARE_DETAILS <= RESTRICTED_FIELDS


def test_an_empty_witness_care_assessment_is_refused() -> None:
    desk = Desk.open()
    witness = desk.person("witness")
    with pytest.raises(InvalidCommandError, match="care_needs: give at least one"):
        desk.case.assess_witness_care(person_id=witness)


def test_a_suspect_is_never_assessed_for_witness_care() -> None:
    desk = Desk.open()
    suspect = desk.person("suspect")
    with pytest.raises(InvalidCommandError, match="is a suspect, not a victim or witness"):
        desk.case.assess_witness_care(person_id=suspect, dates_to_avoid="none")


def test_witness_care_needs_are_corrected_as_personal_values() -> None:
    desk = Desk.open()
    victim = desk.person("victim")
    seq = desk.case.assess_witness_care(person_id=victim, special_measures="screens")
    desk.case.correct(seq=seq, reason="asked again", personal={"special_measures": "video link"})
    with pytest.raises(InvalidCommandError, match=r"personal\.name: not a personal field"):
        desk.case.correct(seq=seq, reason="no", personal={"name": "x"})
    desk.seal()
    desk.verify()
