"""Who acted: a record names the holder of its signing key, or says it acts for someone."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _casework import handover_note
from casefile.errors import ActorMismatchError, InvalidCommandError, UnauthorisedSignerError
from casefile.events import EVENT_TYPES, Custodian, Investigation, load_investigation, seal_events
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import Holder, TrustStore
from casefile.verifier._actor import ACTOR_TYPES, actor_problem
from events.conftest import OFFICER, T0, counted_bytes, entry, signer_for

PC = Custodian(name="Jane Smith", number="1234", organisation="Test Police", rank="PC")
STORE = Custodian(name="Central Store", number="PS-1", organisation="Test Police")
LAB = Custodian(name="Ann Lee", number="L-77", organisation="Forensic Lab Ltd")


def _seal(case: Investigation, signer: InMemorySigner, trust: TrustStore) -> list[int]:
    batch = seal_events(
        case,
        list(case.pending_events),  # type: ignore[arg-type]
        signer,
        trust=trust,
        random_bytes=counted_bytes(),
    )
    return [s.originator_version for s in batch.stored_events]


def _seized(case: Investigation, by: Custodian | None = None) -> int:
    return case.seize_exhibit(
        exhibit="JS/1", by=by, place="Scene", description="Phone", power="PACE s.19"
    )


def _unbound_case() -> Investigation:
    return Investigation.open(reference="R1", offence="Theft", channel="online", at=T0)


def test_transfer_signed_by_another_officer_is_refused_when_recording(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    # Software that fills `by` itself, with no session: the property officer's
    # transfer is about to be signed by the officer's key.
    case = _unbound_case()
    _seized(case, by=OFFICER)
    case.book_exhibit(exhibit="JS/1", by=OFFICER, to=STORE, place="Store", property_ref="P/1")
    case.transfer_exhibit(exhibit="JS/1", by=STORE, to=LAB, place="Store", purpose="Exam")
    with pytest.raises(ActorMismatchError, match=r"exhibit\.transferred.*Central Store") as refused:
        _seal(case, officer, trust)
    assert isinstance(refused.value, UnauthorisedSignerError)
    assert case.sealed_version == 0  # nothing was sealed, not even the officer's own acts


def test_a_record_saying_it_was_keyed_by_someone_else_than_the_signer_is_refused(
    trust: TrustStore,
) -> None:
    other = signer_for("other")
    store = TrustStore([*trust.entries, entry(other, "other")])
    case = _unbound_case()
    case.bind_actor(OFFICER)
    _seized(case, by=PC)  # recorded for PC by the officer...
    with pytest.raises(ActorMismatchError, match="recorded by officer"):
        _seal(case, other, store)  # ...but signed by another key


def test_a_session_names_the_signer_and_marks_acts_for_others(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    own = _seized(case)
    transfer = case.transfer_exhibit(exhibit="JS/1", place="Station", to=STORE, purpose="Storage")
    for_pc = case.capture_evidence(
        exhibit="JS/2", kind="photo", sha256=b"\x01" * 32, size=1, media_type="image/png",
        device="tablet", location="Scene", captured_at=T0, by=PC,
    )  # fmt: skip
    records = {e.originator_version: e.to_data() for e in case.pending_events}  # type: ignore[attr-defined]
    assert records[own]["by"] == OFFICER.to_data()
    assert records[own]["recorded_by"] is None
    assert records[transfer]["recorded_by"] is None
    assert (records[for_pc]["by"], records[for_pc]["recorded_by"]) == (
        PC.to_data(),
        OFFICER.to_data(),
    )
    assert case.unconfirmed == {for_pc: PC.identity}
    _seal(case, officer, trust)  # every record fits the officer's key


def test_without_a_session_the_actor_must_be_named(officer: InMemorySigner) -> None:
    case = _unbound_case()
    with pytest.raises(InvalidCommandError, match="say who acted"):
        _seized(case)


def test_the_custodian_check_uses_the_actor_not_the_signer(case: Investigation) -> None:
    # Recorded for PC, the seizure makes PC (not the officer keying it in) the custodian.
    _seized(case, by=PC)
    assert case.custody_of("JS/1").custodian == PC
    from casefile.errors import NotCustodianError

    with pytest.raises(NotCustodianError):
        case.package_exhibit(exhibit="JS/1", place="Scene", bag="B1", seal="S1")
    case.package_exhibit(exhibit="JS/1", by=PC, place="Scene", bag="B1", seal="S1")


def test_confirmation_by_another_key_is_refused(case: Investigation) -> None:
    seq = _seized(case, by=PC)
    # The officer who keyed it in cannot confirm it for PC.
    with pytest.raises(ActorMismatchError, match="only they may confirm"):
        case.confirm(seq=seq)
    case.bind_actor(PC)
    confirmation = case.confirm(seq=seq)
    assert case.confirmations == {seq: confirmation}
    assert case.unconfirmed == {}


def test_a_record_is_confirmed_once_and_only_if_made_on_behalf(case: Investigation) -> None:
    own = _seized(case)
    with pytest.raises(InvalidCommandError, match="not recorded on anyone's behalf"):
        case.confirm(seq=own)
    with pytest.raises(InvalidCommandError, match="not recorded on anyone's behalf"):
        case.confirm(seq=1)
    for_pc = case.receive_exhibit(exhibit="JS/2", by=PC, place="Desk", description="Bag")
    case.bind_actor(PC)
    case.confirm(seq=for_pc)
    with pytest.raises(InvalidCommandError, match="already confirmed"):
        case.confirm(seq=for_pc)
    from casefile.errors import UnknownReferenceError

    with pytest.raises(UnknownReferenceError):
        case.confirm(seq=99)


def test_a_confirmation_is_sealed_with_the_actors_own_key_and_loads_back(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    pc_key = signer_for("pc")
    holder = Holder(name=PC.name, rank=PC.rank, number=PC.number, force=PC.organisation)
    pc_entry = dataclasses.replace(entry(pc_key, "pc"), holder=holder)
    store = TrustStore([*trust.entries, pc_entry])
    seq = _seized(case, by=PC)
    first = seal_events(case, list(case.pending_events), officer, trust=store)  # type: ignore[arg-type]
    case.collect_events()
    case.mark_sealed(first.last_seq, first.head)
    case.bind_actor(PC)
    case.confirm(seq=seq)
    # The officer's key cannot carry PC's confirmation.
    with pytest.raises(ActorMismatchError):
        seal_events(case, list(case.pending_events), officer, trust=store)  # type: ignore[arg-type]
    second = seal_events(case, list(case.pending_events), pc_key, trust=store)  # type: ignore[arg-type]
    loaded = load_investigation(case.id, first.stored_events + second.stored_events, store)
    assert loaded.confirmations == {seq: seq + 1}
    assert loaded.unconfirmed == {}


def test_a_receiver_confirms_a_transfer_to_them_when_recording(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    pc_key = signer_for("pc")
    holder = Holder(name=PC.name, rank=PC.rank, number=PC.number, force=PC.organisation)
    store = TrustStore([*trust.entries, dataclasses.replace(entry(pc_key, "pc"), holder=holder)])
    _seized(case)
    transfer = case.transfer_exhibit(exhibit="JS/1", place="Station", to=PC, purpose="Interview")
    first = seal_events(case, list(case.pending_events), officer, trust=store)  # type: ignore[arg-type]
    case.collect_events()
    case.mark_sealed(first.last_seq, first.head)
    case.bind_actor(PC)
    confirmation = case.confirm(seq=transfer)
    assert case.receipt_confirmations == {transfer: confirmation}
    assert case.confirmations == {}  # the transfer was the officer's own act
    with pytest.raises(InvalidCommandError, match=f"already confirmed by record {confirmation}"):
        case.confirm(seq=transfer)
    second = seal_events(case, list(case.pending_events), pc_key, trust=store)  # type: ignore[arg-type]
    loaded = load_investigation(case.id, first.stored_events + second.stored_events, store)
    assert loaded.receipt_confirmations == {transfer: confirmation}


def test_confirming_a_transfer_to_someone_else_is_refused_when_recording(
    case: Investigation,
) -> None:
    _seized(case)
    booked = case.book_exhibit(exhibit="JS/1", to=STORE, place="Store", property_ref="P/1")
    # Neither the giver nor a third person confirms the store's receipt.
    for who in (OFFICER, PC):
        case.bind_actor(who)
        with pytest.raises(ActorMismatchError, match="only they may confirm"):
            case.confirm(seq=booked)
    assert case.receipt_confirmations == {}
    case.bind_actor(STORE)
    case.confirm(seq=booked)


def test_an_on_behalf_transfer_is_confirmed_by_its_giver_and_its_receiver(
    case: Investigation,
) -> None:
    # The officer keys in PC's transfer to the store: PC confirms the act, the store the receipt.
    _seized(case, by=PC)
    transfer = case.transfer_exhibit(
        exhibit="JS/1", by=PC, place="Station", to=STORE, purpose="Storage"
    )
    case.bind_actor(STORE)
    received = case.confirm(seq=transfer)
    case.bind_actor(PC)
    acted = case.confirm(seq=transfer)
    assert (case.receipt_confirmations, case.confirmations) == (
        {transfer: received},
        {transfer: acted},
    )
    for who in (STORE, PC):
        case.bind_actor(who)
        with pytest.raises(InvalidCommandError, match="already confirmed"):
            case.confirm(seq=transfer)


_identity_field = st.sampled_from(["name", "number", "organisation"])


@given(field=_identity_field, other=st.text(min_size=1, max_size=20))
def test_any_mismatch_of_name_number_or_organisation_is_refused(field: str, other: str) -> None:
    holder = Holder(name="Jane Smith", rank="PC", number="1234", force="Test Police")
    person = {**PC.to_data(), field: other}
    data = {"by": person, "recorded_by": None}
    problem = actor_problem("exhibit.packaged", data, holder)
    assert (problem is None) == (person == PC.to_data())
    # Keyed in by the holder, the same record is an act on the named person's behalf.
    keyed = actor_problem("exhibit.packaged", {**data, "recorded_by": PC.to_data()}, holder)
    assert (keyed is None) == (person != PC.to_data())


@given(rank=st.text(max_size=10), role=st.text(max_size=10))
def test_rank_and_role_are_not_part_of_who_acted(rank: str, role: str) -> None:
    holder = Holder(name="Jane Smith", rank="Sgt", number="1234", force="Test Police")
    person = {**PC.to_data(), "rank": rank, "role": role}
    assert actor_problem("exhibit.packaged", {"by": person, "recorded_by": None}, holder) is None


def test_a_confirmation_is_never_made_on_someones_behalf() -> None:
    holder = Holder(name="Jane Smith", rank="PC", number="1234", force="Test Police")
    data = {"by": LAB.to_data(), "confirms": 2, "recorded_by": PC.to_data()}
    assert actor_problem("record.confirmed", data, holder) is not None


def test_every_event_type_naming_an_actor_is_in_the_verifiers_table() -> None:
    # The verifier knows without the domain which records name an actor: a registered
    # type is in the table exactly when its payload has `by`. The table is FORMAT.md
    # §8.1's (tests/independent checks it against the text), so it may also name a type
    # of the format that this version does not register: V15 reads the table alone.
    naming = {
        cls.TYPE: cls.SCHEMA for cls in EVENT_TYPES if {"by", "recorded_by"} <= set(cls.DATA_FIELDS)
    }
    assert set(naming) <= set(ACTOR_TYPES)
    for name, schema in naming.items():
        assert schema in ACTOR_TYPES[name], name
    assert all("by" not in cls.DATA_FIELDS for cls in EVENT_TYPES if cls.TYPE not in naming)
    assert all(cls.TYPE not in ACTOR_TYPES for cls in EVENT_TYPES if cls.TYPE not in naming)


def test_statement_text_and_who_took_it_are_readable_from_the_read_model(
    case: Investigation,
) -> None:
    witness = case.add_person(role="witness", name="Wendy Witness")
    statement_id = case.record_statement(
        witness_id=witness,
        declaration="True to the best of my knowledge.",
        body="I saw a man take the bag.",
        place="Her home",
        started_at=T0,
        ended_at=T0 + 60 * 10**9,
        exhibits=["JS/1"],
        by=PC,
    )
    statement = case.statements[statement_id]
    assert (statement.declaration, statement.taken_by) == (
        "True to the best of my knowledge.",
        PC,
    )
    assert statement.exhibits == ("JS/1",)
    # Its body and place are texts of its record, read as disclosures.
    (event,) = [e for e in case.pending_events if e.originator_version == statement.seq]
    assert (event.body, event.place) == ("I saw a man take the bag.", "Her home")
    assert event.text_values() == {"body": "I saw a man take the bag.", "place": "Her home"}
    fix = case.correct(seq=statement.seq, reason="Witness asked", fields={"body": "I saw two men."})
    (fixed,) = [e for e in case.pending_events if e.originator_version == fix]
    assert fixed.text_values() == {
        "body": "I saw two men.",
        "correction_reason": "Witness asked",
    }
    assert case.corrections[statement.seq] == (fix,)


@pytest.mark.parametrize("field", ["by", "recorded_by"])
def test_who_acted_is_never_corrected(case: Investigation, field: str) -> None:
    # A correction could otherwise move an act onto someone who never signed it.
    seized = _seized(case, by=PC)
    witness = case.add_person(role="witness", name="Wendy Witness")
    statement = case.record_statement(
        witness_id=witness, declaration="d", body="b", place="p", started_at=T0, ended_at=T0
    )
    for seq in (seized, case.statements[statement].seq):
        with pytest.raises(InvalidCommandError, match=f"fields.{field}"):
            case.correct(seq=seq, reason="r", fields={field: OFFICER.to_data()})


def _act_of(case: Investigation, kind: str, by: Custodian) -> None:
    """One record of ``kind`` naming ``by`` as who acted, in a case with no session."""
    if kind == "evidence.captured":
        case.capture_evidence(
            exhibit="JS/2", kind="photo", sha256=b"\x01" * 32, size=1, media_type="image/png",
            device="tablet", location="Scene", captured_at=T0, by=by,
        )  # fmt: skip
    elif kind == "statement.recorded":
        witness = case.add_person(role="witness", name="Wendy Witness")
        case.record_statement(
            witness_id=witness, declaration="d", body="b", place="p", started_at=T0,
            ended_at=T0, by=by,
        )  # fmt: skip
    elif kind == "case.handed_over":
        case.record_handover(recipient="CPS", checkpoint=handover_note(case), by=by)
    else:
        seized = _seized(case, by=OFFICER)
        case.correct(seq=seized, reason="typo", fields={"place": "Elsewhere"}, by=by)


@pytest.mark.parametrize(
    "kind", ["evidence.captured", "statement.recorded", "case.handed_over", "record.corrected"]
)
def test_a_capture_statement_handover_or_correction_naming_another_actor_is_refused_when_recording(
    officer: InMemorySigner, trust: TrustStore, kind: str
) -> None:
    # Not only custody acts: every record that names who acted is signed by them.
    case = _unbound_case()
    _act_of(case, kind, STORE)
    with pytest.raises(ActorMismatchError, match=re.escape(kind) + ".*Central Store"):
        _seal(case, officer, trust)
    assert case.sealed_version == 0
