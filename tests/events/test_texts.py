"""Free text is committed as redactable text: never signed in clear, read back as disclosures."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.events import (
    EVENT_TYPES,
    WITHHELD,
    Investigation,
    NoteAdded,
    SealOpened,
    StatementRecorded,
    load_investigation,
    seal_events,
)
from casefile.signing import TextDisclosure
from casefile.signing._keys import InMemorySigner
from casefile.signing._records import parse_record
from casefile.signing._trust import TrustStore
from events.conftest import OFFICER, T0, counted_bytes, entry, signer_for

BODY = (
    "I was at home at 14 Acacia Avenue when I heard glass break. "
    "I went downstairs and saw a man in a green jacket climbing out of the kitchen window."
)


def _statement(case: Investigation, body: str = BODY) -> int:
    witness = case.add_person(role="victim", name="Vera Victim")
    statement = case.record_statement(
        witness_id=witness,
        declaration="This statement is true to the best of my knowledge and belief.",
        body=body,
        place="Kitchen of 14 Acacia Avenue",
        started_at=T0,
        ended_at=T0 + 600 * 10**9,
    )
    return case.statements[statement].seq


def _sealed(case: Investigation, officer: InMemorySigner, trust: TrustStore):  # type: ignore[no-untyped-def]
    return seal_events(
        case,
        list(case.pending_events),  # type: ignore[arg-type]
        officer,
        trust=trust,
        random_bytes=counted_bytes(),
    )


def _words(text: str) -> set[bytes]:
    return {w.encode() for w in re.findall(r"[A-Za-z0-9]{4,}", text)}


def test_statement_body_is_never_signed_in_clear(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    seq = _statement(case)
    batch = _sealed(case, officer, trust)
    raw = batch.stored_events[seq - 1].state
    for word in _words(BODY) | _words("Kitchen of 14 Acacia Avenue"):
        assert word not in raw, word
    header = parse_record(raw).header
    assert not {"body", "place"} & set(header.data)
    # The record holds a 32-byte commitment; the full text travels beside it.
    disclosed = {(d.seq, d.name): d for d in batch.disclosures}
    body = disclosed[(seq, "body")]
    assert isinstance(body, TextDisclosure)
    assert (body.text, body.withheld) == (BODY, ())
    assert body.commitment() == header.commitments["body"]
    assert len(header.commitments["body"]) == 32


@settings(max_examples=25, deadline=None)
@given(text=st.text(alphabet="abcdefghij XYZ\n", min_size=1, max_size=300))
def test_any_note_is_committed_whole_and_never_in_clear(text: str) -> None:
    officer = signer_for("officer")
    trust = TrustStore([entry(officer, "officer")])
    case = Investigation.open(reference="R1", offence="Theft", channel="online", at=T0)
    case.bind_actor(OFFICER)
    seq = case.add_note(text="Note: " + text, at=T0 + 1)
    batch = _sealed(case, officer, trust)
    header = parse_record(batch.stored_events[seq - 1].state).header
    assert header.data == {}
    (note,) = [d for d in batch.disclosures if d.seq == seq]
    assert isinstance(note, TextDisclosure)
    assert note.text == "Note: " + text
    assert note.commitment() == header.commitments["text"]


def test_loaded_event_text_fields_are_withheld(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    seq = _statement(case)
    case.seize_exhibit(
        exhibit="JS/1", place="Kitchen", description="Brick", power="PACE s.19", seized_from=None
    )
    case.package_exhibit(exhibit="JS/1", place="Kitchen", bag="B1", seal="S1")
    # A custody record whose notes are left empty.
    seal_seq = case.open_seal(exhibit="JS/1", place="Station", seal="S1", reason="To photograph")
    batch = _sealed(case, officer, trust)
    loaded = load_investigation(case.id, batch.stored_events, trust)
    events = {e.originator_version: e for e in _events(loaded, batch)}
    statement = events[seq]
    assert isinstance(statement, StatementRecorded)
    assert (statement.body, statement.place) == (WITHHELD, WITHHELD)
    # Texts are not personal values: the event names no personal field for them.
    assert statement.personal == {}
    opening = events[seal_seq]
    assert isinstance(opening, SealOpened)
    # An empty optional text was never committed: it loads as the empty text.
    assert (opening.reason, opening.place, opening.notes) == (WITHHELD, WITHHELD, "")
    assert "notes" not in parse_record(batch.stored_events[seal_seq - 1].state).header.commitments
    # A loaded event holds no text to commit again.
    with pytest.raises(ValueError, match="loaded"):
        statement.text_values()


def _events(loaded: Investigation, batch):  # type: ignore[no-untyped-def]
    from casefile.events import RecordMapper

    mapper = RecordMapper(transcoder=None)  # type: ignore[arg-type]
    assert loaded.version == len(batch.stored_events)
    return [mapper.to_domain_event(s) for s in batch.stored_events]


def test_corrected_place_is_committed_as_text(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    seized = case.seize_exhibit(
        exhibit="JS/1", place="Kitchen", description="Brick", power="PACE s.19", seized_from=None
    )
    fix = case.correct(
        seq=seized, reason="Wrong room named", fields={"place": "Back garden of 14 Acacia Avenue"}
    )
    batch = _sealed(case, officer, trust)
    raw = batch.stored_events[fix - 1].state
    header = parse_record(raw).header
    assert header.data["fields"] == {}
    assert set(header.commitments) == {"correction_reason", "place"}
    for word in _words("Back garden of 14 Acacia Avenue Wrong room named"):
        assert word not in raw, word
    disclosed = {(d.seq, d.name): d for d in batch.disclosures}
    place = disclosed[(fix, "place")]
    assert isinstance(place, TextDisclosure)
    assert place.text == "Back garden of 14 Acacia Avenue"
    assert place.commitment() == header.commitments["place"]
    reason = disclosed[(fix, "correction_reason")]
    assert isinstance(reason, TextDisclosure)
    assert reason.text == "Wrong room named"


def test_every_event_type_keeps_its_texts_out_of_data() -> None:
    for cls in EVENT_TYPES:
        assert not cls.TEXT_FIELDS & set(cls.DATA_FIELDS), cls.TYPE
    assert NoteAdded.DATA_FIELDS == ()
