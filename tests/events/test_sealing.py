"""Sealing pending events into signed, chained records; refusing keys the trust store would."""

from __future__ import annotations

import uuid

import pytest

from casefile.errors import UnauthorisedSignerError
from casefile.events import (
    CaseOpened,
    Investigation,
    check_signer,
    load_investigation,
    seal_events,
)
from casefile.signing._commitments import commit
from casefile.signing._keys import InMemorySigner
from casefile.signing._records import ZERO_HASH, parse_record, record_hash
from casefile.signing._trust import TrustPolicy, TrustStore
from casefile.verifier import verify_case
from events.conftest import T0, counted_bytes, entry, signer_for


def _seal(case: Investigation, signer: InMemorySigner, trust: TrustStore):  # type: ignore[no-untyped-def]
    batch = seal_events(
        case, list(case.pending_events), signer, trust=trust, random_bytes=counted_bytes()
    )
    case.collect_events()
    case.mark_sealed(batch.last_seq, batch.head)
    return batch


def test_each_event_becomes_one_record_of_the_core_format(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    person = case.add_person(role="victim", name="Ann Example", phone="07700 900000")
    case.add_note(text="Visited.")
    batch = _seal(case, officer, trust)
    assert [s.originator_version for s in batch.stored_events] == [1, 2, 3]
    prev = ZERO_HASH
    for stored in batch.stored_events:
        record = parse_record(stored.state)
        h = record.header
        assert stored.originator_id == h.case_id == case.id
        assert stored.topic == h.event_type
        assert ":" not in stored.topic
        assert h.seq == stored.originator_version
        assert h.prev == prev
        assert h.key_id == officer.public_key.key_id
        prev = record.hash
    assert batch.head == prev == case.head
    second = parse_record(batch.stored_events[1].state).header
    assert second.data == {"person_id": person.bytes, "role": "victim"}
    assert set(second.commitments) == {"name", "phone"}
    by_name = {d.name: d for d in batch.disclosures}
    assert by_name["name"].value == "Ann Example"
    assert by_name["name"].seq == 2
    assert commit("name", by_name["name"].salt, "Ann Example") == second.commitments["name"]


def test_a_later_batch_links_to_the_stored_head(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    first = _seal(case, officer, trust)
    case.add_note(text="next")
    second = _seal(case, officer, trust)
    record = parse_record(second.stored_events[0].state)
    assert record.header.prev == first.head == record_hash(first.stored_events[-1].state)
    verified = verify_case(
        [s.state for s in first.stored_events + second.stored_events],
        trust=trust,
        at=T0 + 10**12,
        disclosures=[],
        workers=1,
    )
    assert verified.size == 2


def test_a_key_outside_the_trust_store_may_not_seal(case: Investigation, trust: TrustStore) -> None:
    with pytest.raises(UnauthorisedSignerError, match="not in the trust store"):
        seal_events(case, list(case.pending_events), signer_for("stranger"), trust=trust)


def test_a_revoked_key_may_not_seal(case: Investigation, officer: InMemorySigner) -> None:
    trust = TrustStore([entry(officer, "officer", revoked_at=T0 - 1)])
    with pytest.raises(UnauthorisedSignerError, match="not valid"):
        seal_events(case, list(case.pending_events), officer, trust=trust)


def test_a_key_without_the_role_for_the_type_may_not_seal(
    case: Investigation, officer: InMemorySigner
) -> None:
    policy = TrustPolicy(
        record_roles={"*": frozenset({"recorder"}), "case.opened": frozenset({"supervisor"})},
        checkpoint_roles=frozenset({"checkpoint"}),
    )
    trust = TrustStore([entry(officer, "officer")], policy)
    with pytest.raises(UnauthorisedSignerError, match=r"lacks a role for 'case\.opened'"):
        seal_events(case, list(case.pending_events), officer, trust=trust)
    assert check_signer(trust, officer.public_key.key_id, "note.added", T0).name == "officer"


def test_only_the_next_pending_events_are_sealed(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    case.add_note(text="a")
    with pytest.raises(ValueError, match="not the next pending event"):
        seal_events(case, list(case.pending_events)[1:], officer, trust=trust)


def test_sealed_records_load_back_into_the_same_state(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    witness = case.add_person(role="witness", name="W")
    case.capture_evidence(
        exhibit="JS/1",
        kind="photo",
        sha256=bytes(32),
        size=1,
        media_type="image/png",
        device="d",
        location="l",
        captured_at=T0,
    )
    case.correct(seq=2, reason="r", fields={"role": "victim"}, personal={"name": "Wanda"})
    batch = _seal(case, officer, trust)
    loaded = load_investigation(case.id, batch.stored_events, trust)
    assert loaded.people == case.people
    assert loaded.people[witness].role == "victim"
    assert loaded.exhibits == case.exhibits
    assert loaded.corrections == case.corrections
    assert (loaded.version, loaded.head, loaded.sealed_version) == (4, batch.head, 4)
    assert loaded.record_type(1) is CaseOpened
    assert loaded.pending_events == []


def test_a_new_case_id_never_collides_with_a_given_one(officer: InMemorySigner) -> None:
    given = uuid.UUID(int=7)
    case = Investigation.open(reference="R", offence="o", channel="phone", case_id=given, at=T0)
    assert case.id == given
