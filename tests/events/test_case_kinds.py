"""Case kinds: a crime names its offence, a missing person none; case.opened 1 still reads."""

from __future__ import annotations

import uuid

import pytest
from eventsourcing.persistence import StoredEvent

from _casework import OFFICER_KEY, T0, TRUST, Desk
from casefile.errors import InvalidCommandError
from casefile.events import CaseOpened, CaseOpenedV1, Investigation, load_investigation
from casefile.signing._records import ZERO_HASH, seal_record
from casefile.verifier import payload_schemas, verify_case


def test_a_crime_case_opened_without_an_offence_is_refused() -> None:
    with pytest.raises(InvalidCommandError, match="offence: a crime case names its offence"):
        Investigation.open(reference="R1", channel="phone")
    with pytest.raises(InvalidCommandError, match="offence: must not be empty"):
        Investigation.open(reference="R1", offence="", channel="phone")


def test_a_missing_person_case_opened_with_an_offence_is_refused() -> None:
    with pytest.raises(InvalidCommandError, match="offence: a missing_person case names no"):
        Investigation.open(reference="R1", kind="missing_person", offence="Theft", channel="phone")


def test_a_case_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidCommandError, match="kind: 'lost_dog' is not one of"):
        Investigation.open(reference="R1", kind="lost_dog", channel="phone")


def test_a_new_case_is_opened_with_schema_2_naming_its_kind() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    assert (desk.case.kind, desk.case.offence) == ("missing_person", None)
    stored = desk.verify().records[0]
    assert (stored.event_type, stored.schema) == ("case.opened", 2)
    assert stored.data == {
        "channel": "phone",
        "kind": "missing_person",
        "offence": None,
        "reference": "01YE1234526",
    }
    loaded = desk.load()
    assert loaded.record_type(1) is CaseOpened
    assert (loaded.kind, loaded.offence) == ("missing_person", None)


def test_a_case_opened_with_schema_1_is_read_as_a_crime() -> None:
    case_id = uuid.UUID(int=41)
    sealed = seal_record(
        case_id=case_id,
        seq=1,
        prev=ZERO_HASH,
        event_type="case.opened",
        schema=1,
        time_ns=T0,
        data={"channel": "online", "offence": "Theft", "reference": "R1"},
        signer=OFFICER_KEY,
    )
    stored = [StoredEvent(case_id, 1, "case.opened", sealed.raw)]
    loaded = load_investigation(case_id, stored, TRUST)
    assert (loaded.kind, loaded.offence, loaded.reference) == ("crime", "Theft", "R1")
    assert loaded.record_type(1) is CaseOpenedV1
    verify_case([sealed.raw], trust=TRUST, at=T0 + 1, payloads=payload_schemas())


def test_the_offence_of_a_missing_person_case_is_never_corrected_in() -> None:
    desk = Desk.open(kind="missing_person", offence=None)
    with pytest.raises(InvalidCommandError, match=r"fields\.offence: a missing_person case names"):
        desk.case.correct(seq=1, reason="r", fields={"offence": "Theft"})
    with pytest.raises(InvalidCommandError, match=r"fields\.kind: not a correctable field"):
        desk.case.correct(seq=1, reason="r", fields={"kind": "crime"})


def test_the_offence_of_a_crime_is_corrected_but_never_taken_away() -> None:
    desk = Desk.open()
    desk.case.correct(seq=1, reason="more exact", fields={"offence": "Burglary (dwelling)"})
    assert desk.case.offence == "Burglary (dwelling)"
    with pytest.raises(InvalidCommandError, match=r"fields\.offence: expected text"):
        desk.case.correct(seq=1, reason="r", fields={"offence": None})
    desk.seal()
    assert desk.load().offence == "Burglary (dwelling)"
