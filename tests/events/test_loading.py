"""Loading a case authenticates its records before anything maps them to classes."""

from __future__ import annotations

import sys
import uuid
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from _casebuilder import commitment_flipped
from casefile.errors import (
    BadSignatureError,
    BrokenLinkError,
    KeyNotValidError,
    KeyRoleError,
    MalformedRecordError,
    SequenceError,
    UnknownKeyError,
    UnknownReferenceError,
    UnknownSchemaError,
    VerificationError,
    WrongCaseError,
)
from casefile.events import (
    WITHHELD,
    Investigation,
    NoteAdded,
    PersonAdded,
    RecordMapper,
    authenticate_chain,
    load_investigation,
    seal_events,
)
from casefile.signing._keys import InMemorySigner
from casefile.signing._records import ZERO_HASH, record_hash, seal_record
from casefile.signing._trust import TrustPolicy, TrustStore
from events.conftest import T0, counted_bytes, entry, signer_for

OPENING = {"channel": "online", "offence": "Theft", "reference": "R1"}


def _stored_case(officer: InMemorySigner, trust: TrustStore, notes: int = 3) -> list[StoredEvent]:
    case = Investigation.open(reference="R1", offence="Theft", channel="online", at=T0)
    case.add_person(role="victim", name="Ann Example", at=T0 + 1)
    for i in range(notes):
        case.add_note(text=f"note number {i}", at=T0 + 2 + i)
    batch = seal_events(
        case, list(case.pending_events), officer, trust=trust, random_bytes=counted_bytes()
    )
    return batch.stored_events


def _chain(
    case_id: uuid.UUID, specs: list[tuple[str, dict[str, Any]]], signer: InMemorySigner
) -> list[StoredEvent]:
    """Records signed by ``signer`` with arbitrary (registered or not) types and payloads."""
    out, prev = [], ZERO_HASH
    for seq, (event_type, data) in enumerate(specs, 1):
        sealed = seal_record(
            case_id=case_id,
            seq=seq,
            prev=prev,
            event_type=event_type,
            schema=1,
            time_ns=T0 + seq,
            data=data,
            signer=signer,
        )
        out.append(StoredEvent(case_id, seq, event_type, sealed.raw))
        prev = sealed.hash
    return out


def _with(stored: list[StoredEvent], index: int, **changes: Any) -> list[StoredEvent]:
    fields = {
        "originator_id": stored[index].originator_id,
        "originator_version": stored[index].originator_version,
        "topic": stored[index].topic,
        "state": stored[index].state,
    }
    fields.update(changes)
    return [*stored[:index], StoredEvent(**fields), *stored[index + 1 :]]


def test_an_intact_case_loads(officer: InMemorySigner, trust: TrustStore) -> None:
    stored = _stored_case(officer, trust)
    case = load_investigation(stored[0].originator_id, stored, trust)
    assert case.version == 5
    assert case.head == record_hash(stored[-1].state)
    person = next(iter(case.people.values()))
    assert person.details == {"name"}


def test_a_case_without_records_is_unknown(trust: TrustStore) -> None:
    with pytest.raises(UnknownReferenceError):
        load_investigation(uuid.uuid4(), [], trust)


@given(data=st.data())
@settings(max_examples=150, deadline=None)
def test_any_byte_flipped_in_any_stored_record_is_rejected(data: st.DataObject) -> None:
    officer = signer_for("officer")
    trust = TrustStore([entry(officer, "officer")])
    stored = _stored_case(officer, trust, notes=2)
    index = data.draw(st.integers(0, len(stored) - 1))
    raw = bytearray(stored[index].state)
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= data.draw(st.integers(1, 255))
    tampered = _with(stored, index, state=bytes(raw))
    with pytest.raises(VerificationError) as caught:
        load_investigation(stored[0].originator_id, tampered, trust)
    assert caught.value.case_id == str(stored[0].originator_id)
    assert caught.value.seq in (index + 1, index + 2)


def test_a_changed_middle_record_breaks_the_next_link(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    stored = _stored_case(officer, trust)
    raw = commitment_flipped(stored[2].state, "text")
    with pytest.raises(BrokenLinkError) as caught:
        load_investigation(stored[0].originator_id, _with(stored, 2, state=raw), trust)
    assert (caught.value.seq, caught.value.step) == (4, "V5")


def test_a_changed_head_fails_its_signature(officer: InMemorySigner, trust: TrustStore) -> None:
    stored = _stored_case(officer, trust)
    raw = commitment_flipped(stored[-1].state, "text")
    with pytest.raises(BadSignatureError) as caught:
        load_investigation(
            stored[0].originator_id, _with(stored, len(stored) - 1, state=raw), trust
        )
    assert (caught.value.seq, caught.value.step) == (5, "V9")


def test_a_deleted_or_reordered_record_is_a_sequence_error(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    stored = _stored_case(officer, trust)
    case_id = stored[0].originator_id
    with pytest.raises(SequenceError):
        load_investigation(case_id, [*stored[:2], *stored[3:]], trust)
    with pytest.raises(SequenceError):
        load_investigation(case_id, [stored[0], stored[2], stored[1], *stored[3:]], trust)


def test_a_record_of_another_case_is_refused(officer: InMemorySigner, trust: TrustStore) -> None:
    ours, theirs = _stored_case(officer, trust), _stored_case(officer, trust)
    spliced = [*ours[:2], theirs[2], *ours[3:]]
    with pytest.raises(WrongCaseError):
        load_investigation(ours[0].originator_id, spliced, trust)


def test_a_stored_topic_other_than_the_record_type_is_refused(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    stored = _stored_case(officer, trust)
    topic = "casefile_planted_module:Payload"
    tampered = _with(stored, 1, topic=topic)
    with pytest.raises(MalformedRecordError, match="stored topic"):
        load_investigation(stored[0].originator_id, tampered, trust)
    with pytest.raises(MalformedRecordError, match="stored topic"):
        RecordMapper(transcoder=None).to_domain_event(tampered[1])  # type: ignore[arg-type]
    assert "casefile_planted_module" not in sys.modules


@pytest.mark.payload_not_checked  # the loader must refuse it
def test_an_unregistered_type_is_never_mapped(officer: InMemorySigner, trust: TrustStore) -> None:
    case_id = uuid.uuid4()
    stored = _chain(case_id, [("case.opened", OPENING), ("mystery.event", {})], officer)
    with pytest.raises(UnknownSchemaError) as caught:
        load_investigation(case_id, stored, trust)
    assert (caught.value.seq, caught.value.step) == (2, "V10")


@pytest.mark.payload_not_checked  # the loader must refuse it
def test_an_authentic_payload_outside_its_schema_is_refused(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    case_id = uuid.uuid4()
    stored = _chain(case_id, [("case.opened", OPENING), ("note.added", {"txt": "x"})], officer)
    with pytest.raises(UnknownSchemaError, match=r"does not fit note\.added"):
        load_investigation(case_id, stored, trust)


def test_authentic_records_that_break_the_rules_are_named(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    case_id = uuid.uuid4()
    signed = {
        "statement_id": bytes(16),
        "signatory": "witness",
        "reader_declaration": None,
        "signature_sha256": None,
    }
    stored = _chain(case_id, [("case.opened", OPENING), ("statement.signed", signed)], officer)
    with pytest.raises(MalformedRecordError, match="does not apply"):
        load_investigation(case_id, stored, trust)


def test_an_authentic_summary_out_of_sequence_is_refused_naming_the_record(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    case_id = uuid.uuid4()
    summary = {
        "version": 5,
        "anticipated_plea": "unknown",
        "points": [],
        "by": {"name": "x", "number": "1", "organisation": "y", "rank": "", "role": ""},
        "recorded_by": None,
    }
    stored = _chain(case_id, [("case.opened", OPENING), ("case_summary.written", summary)], officer)
    with pytest.raises(
        MalformedRecordError, match=r"record 2: case_summary\.written does not apply"
    ) as caught:
        load_investigation(case_id, stored, trust)
    assert caught.value.seq == 2


def test_a_case_must_begin_by_opening(officer: InMemorySigner, trust: TrustStore) -> None:
    case_id = uuid.uuid4()
    stored = _chain(case_id, [("note.added", {})], officer)
    with pytest.raises(MalformedRecordError, match="cannot begin a case"):
        load_investigation(case_id, stored, trust)


def test_a_head_by_an_untrusted_key_is_refused(officer: InMemorySigner, trust: TrustStore) -> None:
    case_id = uuid.uuid4()
    stored = _chain(case_id, [("case.opened", OPENING)], signer_for("forger"))
    with pytest.raises(UnknownKeyError):
        load_investigation(case_id, stored, trust)


def test_a_head_by_a_revoked_key_is_refused(officer: InMemorySigner) -> None:
    case_id = uuid.uuid4()
    stored = _chain(case_id, [("case.opened", OPENING)], officer)
    revoked = TrustStore([entry(officer, "officer", revoked_at=T0)])
    with pytest.raises(KeyNotValidError):
        load_investigation(case_id, stored, revoked)


def test_a_head_by_a_key_without_the_role_is_refused(officer: InMemorySigner) -> None:
    case_id = uuid.uuid4()
    stored = _chain(case_id, [("case.opened", OPENING)], officer)
    policy = TrustPolicy({"case.opened": frozenset({"supervisor"})}, frozenset({"checkpoint"}))
    with pytest.raises(KeyRoleError):
        load_investigation(case_id, stored, TrustStore([entry(officer, "officer")], policy))


def test_authenticate_chain_returns_every_hash(officer: InMemorySigner, trust: TrustStore) -> None:
    stored = _stored_case(officer, trust)
    chain = authenticate_chain(stored[0].originator_id, stored, trust)
    assert [link.hash for link in chain] == [record_hash(s.state) for s in stored]
    assert [link.seq for link in chain] == [1, 2, 3, 4, 5]


def test_the_mapper_maps_registered_records_and_never_stores_unsealed_events(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    stored = _stored_case(officer, trust)
    mapper = RecordMapper(transcoder=None)  # type: ignore[arg-type]
    person = mapper.to_domain_event(stored[1])
    assert isinstance(person, PersonAdded)
    assert person.personal == {"name": WITHHELD}
    note = mapper.to_domain_event(stored[2])
    assert isinstance(note, NoteAdded)
    assert note.text is WITHHELD
    assert note.personal == {}
    with pytest.raises(TypeError, match="sealed records"):
        mapper.to_stored_event(note)
    with pytest.raises(SequenceError):
        mapper.to_domain_event(_with(stored, 2, originator_version=7)[2])
