"""The application's commands, sessions, checkpoints and handovers (in-memory store)."""

from __future__ import annotations

import base64
import itertools
import uuid

import pytest

from application.conftest import (
    CHECKPOINTER,
    DATA_PROTECTION,
    NAMESPACE,
    OFFICER,
    SECOND_OFFICER,
    T0,
    TRUST,
    signer_for,
    stepping_clock,
)
from casefile.application import CasefileApp, StoreConfig
from casefile.errors import (
    ActorMismatchError,
    CaseClosedError,
    CheckpointMismatchError,
    CheckpointSignatureError,
    InputError,
    InvalidCommandError,
    UnauthorisedSignerError,
    UnknownReferenceError,
)
from casefile.events import Custodian, DcfUrnScheme, Investigation
from casefile.signing._checkpoint import open_checkpoint
from casefile.signing._keys import InMemorySigner
from casefile.signing._merkle import merkle_root
from casefile.signing._note import NoteVerifier, sign_note
from casefile.signing._records import parse_record, record_hash


def _case(app: CasefileApp, reference: str = "01YE0000126") -> uuid.UUID:
    return app.open_case(OFFICER, offence="Theft", channel="online", reference=reference)


def test_open_case_issues_a_urn_from_the_reference_scheme() -> None:
    scheme = DcfUrnScheme("01", "YE", itertools.count(12345).__next__)
    app = CasefileApp(
        store=StoreConfig.memory(), trust=TRUST, clock=stepping_clock(), reference_scheme=scheme
    )
    first = app.get_case(app.open_case(OFFICER, offence="Theft", channel="online"))
    second = app.get_case(app.open_case(OFFICER, offence="Theft", channel="phone"))
    assert (first.reference, second.reference) == ("01YE1234526", "01YE1234626")


def test_open_case_without_a_scheme_needs_a_reference(memory_app: CasefileApp) -> None:
    with pytest.raises(InvalidCommandError, match="reference"):
        memory_app.open_case(OFFICER, offence="Theft", channel="online")
    assert memory_app.list_cases() == []


def test_every_command_stores_one_record_and_returns_its_seq_or_id(
    memory_app: CasefileApp,
) -> None:
    app = memory_app
    case_id = _case(app)
    person = app.add_person(case_id, OFFICER, role="victim", name="Ann", email="a@example.org")
    assert (
        app.record_crime_report(
            case_id, OFFICER, offence="Theft", summary="Bag", location="High St", reported_by=person
        )
        == 3
    )
    assert (
        app.record_missing_person_report(
            case_id,
            OFFICER,
            person_id=person,
            risk="medium",
            last_seen_at=T0,
            last_seen_place="Park",
        )
        == 4
    )
    statement = app.record_statement(
        case_id,
        OFFICER,
        witness_id=person,
        declaration="true",
        body="b",
        place="p",
        started_at=T0,
        ended_at=T0,
    )
    assert app.sign_statement(case_id, OFFICER, statement_id=statement) == 6
    assert (
        app.capture_evidence(
            case_id,
            OFFICER,
            exhibit="AE/1",
            kind="document",
            sha256=bytes(32),
            size=3,
            media_type="application/pdf",
            device="scanner",
            location="station",
            captured_at=T0,
        )
        == 7
    )
    assert app.add_note(case_id, OFFICER, text="n") == 8
    assert app.correct(case_id, OFFICER, seq=8, reason="typo", fields={"text": "note"}) == 9
    assert app.change_status(case_id, OFFICER, status="closed", reason="detected") == 10
    case = app.get_case(case_id)
    assert case.version == 10
    assert case.is_closed
    assert case.statements[statement].signed_seq == 6
    assert "AE/1" in case.exhibits
    with pytest.raises(CaseClosedError):
        app.add_note(case_id, OFFICER, text="after closing")
    assert app.change_status(case_id, OFFICER, status="reopened", reason="appeal") == 11
    times = [parse_record(r).header.time_ns for r in app.records(case_id)]
    assert times == sorted(times)


def test_commands_take_an_asserted_time(memory_app: CasefileApp) -> None:
    case_id = _case(memory_app)
    seq = memory_app.add_note(case_id, OFFICER, text="written up later", at=T0 - 5)
    assert parse_record(list(memory_app.records(case_id))[seq - 1]).header.time_ns == T0 - 5


def test_a_session_is_one_transaction_for_a_whole_visit(memory_app: CasefileApp) -> None:
    app = memory_app
    with app.open_session(
        OFFICER, offence="Assault", channel="officer_mobile", reference="01YE0000226"
    ) as case:
        victim = case.add_person(role="victim", name="V")
        case.record_crime_report(offence="Assault", summary="s", location="l", reported_by=victim)
        assert app.list_cases() == []  # nothing stored until the block ends
    stored = app.recorder.select_notifications(start=1, limit=10)
    assert [n.originator_version for n in stored] == [1, 2, 3]
    assert app.get_case(case.id).version == 3
    assert case.sealed_version == 3


def test_nothing_is_stored_for_an_empty_session(memory_app: CasefileApp) -> None:
    case_id = _case(memory_app)
    with memory_app.session(case_id, OFFICER):
        pass
    assert len(list(memory_app.records(case_id))) == 1


def test_a_revoked_officer_cannot_record(memory_app: CasefileApp) -> None:
    case_id = _case(memory_app)
    with pytest.raises(UnauthorisedSignerError, match="not in the trust store"):
        memory_app.add_note(case_id, signer_for("ex-officer"), text="n")


def test_unknown_cases_and_bad_ids_are_named(memory_app: CasefileApp) -> None:
    with pytest.raises(UnknownReferenceError, match="no case"):
        memory_app.get_case(uuid.uuid4())
    with pytest.raises(InvalidCommandError, match="case_id"):
        memory_app.get_case("01YE0000126")  # type: ignore[arg-type]


def test_eventsourcing_save_and_repository_go_through_the_signed_path(
    memory_app: CasefileApp,
) -> None:
    case_id = _case(memory_app)
    case = memory_app.repository.get(case_id)
    assert isinstance(case, Investigation)
    assert case.head == memory_app.get_case(case_id).head
    case.add_note(text="unsigned attempt")
    with pytest.raises(TypeError, match="sealed records"):
        memory_app.save(case)
    with pytest.raises(InputError, match="whole cases only"):
        memory_app.repository.get(case_id, version=1)


def test_checkpoint_is_a_signed_note_over_the_records(memory_app: CasefileApp) -> None:
    app = memory_app
    case_id = _case(app)
    app.add_note(case_id, OFFICER, text="n")
    note = app.checkpoint(case_id, CHECKPOINTER, "custody-suite", NAMESPACE)
    verifier = NoteVerifier("custody-suite", CHECKPOINTER.public_key)
    checkpoint, signers = open_checkpoint(note, [verifier])
    assert signers == ("custody-suite",)
    assert checkpoint.origin == f"{NAMESPACE}/{case_id}"
    assert checkpoint.size == 2
    assert checkpoint.root == merkle_root([record_hash(r) for r in app.records(case_id)])
    assert app.verify(case_id, at=T0 + 10**12, checkpoint=note).checkpoint == checkpoint


def test_checkpoints_need_a_trusted_checkpoint_key(memory_app: CasefileApp) -> None:
    case_id = _case(memory_app)
    with pytest.raises(UnauthorisedSignerError, match="checkpoint role"):
        memory_app.checkpoint(case_id, OFFICER, "pc-1234", NAMESPACE)
    with pytest.raises(UnauthorisedSignerError, match="not the trusted key"):
        memory_app.checkpoint(case_id, CHECKPOINTER, "someone-else", NAMESPACE)


def test_handover_records_a_checkpoint_of_this_case(memory_app: CasefileApp) -> None:
    app = memory_app
    case_id = _case(app)
    app.add_note(case_id, OFFICER, text="before the checkpoint")
    # The note names every record before the handover (B13), no fewer.
    note = app.checkpoint(case_id, CHECKPOINTER, "custody-suite", NAMESPACE)
    seq = app.record_handover(case_id, SECOND_OFFICER, recipient="CPS Direct", checkpoint=note)
    case = app.get_case(case_id)
    assert case.handovers == (seq,)
    data = parse_record(list(app.records(case_id))[seq - 1]).header.data
    assert {k: data[k] for k in ("audience", "checkpoint", "recipient", "recorded_by")} == {
        "audience": None,
        "checkpoint": note,
        "recipient": "CPS Direct",
        "recorded_by": None,
    }
    # The officer who handed it over is the holder of the signing key.
    holder = app.trust.get(SECOND_OFFICER.public_key.key_id).holder  # type: ignore[union-attr]
    assert (data["by"]["name"], data["by"]["number"]) == (holder.name, holder.number)


def test_handover_refuses_a_checkpoint_of_another_case(memory_app: CasefileApp) -> None:
    app = memory_app
    ours, theirs = _case(app), _case(app, "01YE0000226")
    foreign = app.checkpoint(theirs, CHECKPOINTER, "custody-suite", NAMESPACE)
    with pytest.raises(CheckpointMismatchError, match="another case"):
        app.record_handover(ours, OFFICER, recipient="CPS", checkpoint=foreign)


def test_handover_refuses_a_checkpoint_with_a_forged_root(memory_app: CasefileApp) -> None:
    from casefile.signing._checkpoint import Checkpoint, sign_checkpoint

    app = memory_app
    case_id = _case(app)
    forged = sign_checkpoint(
        Checkpoint(f"{NAMESPACE}/{case_id}", 1, bytes(32)), "custody-suite", CHECKPOINTER
    )
    with pytest.raises(CheckpointMismatchError, match="root"):
        app.record_handover(case_id, OFFICER, recipient="CPS", checkpoint=forged)
    too_big = sign_checkpoint(
        Checkpoint(f"{NAMESPACE}/{case_id}", 9, bytes(32)), "custody-suite", CHECKPOINTER
    )
    with pytest.raises(CheckpointMismatchError, match="covers 9"):
        app.record_handover(case_id, OFFICER, recipient="CPS", checkpoint=too_big)


@pytest.mark.parametrize(
    "namespace", ["", "Casefile.Example", "met police", "a/b", "ns/", "siân.example", "x."]
)
def test_checkpoint_with_a_namespace_outside_the_origin_grammar_is_refused(
    memory_app: CasefileApp, namespace: str
) -> None:
    # "a/b" would make the origin "a/b/<case>": a case named inside a longer path.
    case_id = _case(memory_app)
    with pytest.raises(
        InvalidCommandError, match=r"^origin_namespace: checkpoint origin namespace"
    ):
        memory_app.checkpoint(case_id, CHECKPOINTER, "custody-suite", namespace)


def test_handover_refuses_a_checkpoint_with_extension_lines(memory_app: CasefileApp) -> None:
    app = memory_app
    case_id = _case(app)
    root = merkle_root([record_hash(r) for r in app.records(case_id)])
    body = f"{NAMESPACE}/{case_id}\n1\n{base64.b64encode(root).decode()}\nextra\n"
    note = sign_note(body, "custody-suite", CHECKPOINTER)
    with pytest.raises(CheckpointMismatchError, match="no extension lines"):
        app.record_handover(case_id, OFFICER, recipient="CPS", checkpoint=note)


def test_handover_refuses_a_checkpoint_no_trusted_key_signed(memory_app: CasefileApp) -> None:
    app = memory_app
    case_id = _case(app)
    note = app.checkpoint(case_id, CHECKPOINTER, "custody-suite", NAMESPACE)
    body, _, signature_line = note.rpartition("\n\n")
    forged_sig = base64.b64encode(b"\x00" * 68).decode()
    forged = body + "\n\n" + signature_line.split(" ")[0] + " custody-suite " + forged_sig + "\n"
    with pytest.raises(CheckpointSignatureError):
        app.record_handover(case_id, OFFICER, recipient="CPS", checkpoint=forged)
    assert app.get_case(case_id).handovers == ()


@pytest.mark.parametrize(
    "window",
    [
        {"revoked_at": T0 - 3_600 * 10**9},  # compromised before the case was opened
        {"valid_until": T0 - 3_600 * 10**9},  # expired before the case was opened
        {"valid_from": T0 + 86_400 * 10**9},  # not valid yet
    ],
)
def test_handover_refuses_a_checkpoint_signed_by_a_key_the_verifier_would_not_accept(
    window: dict[str, int],
) -> None:
    # A handover record cites the note the CPS was given: it must be one that their
    # verifier accepts (V12), not one signed by a revoked, expired or future key.
    from casefile.signing._checkpoint import Checkpoint, sign_checkpoint
    from casefile.signing._trust import Holder, TrustEntry, TrustStore

    old_key = signer_for("revoked-checkpointer")
    fields: dict[str, int] = {"valid_from": T0 - 86_400 * 10**9, **window}
    trust = TrustStore(
        [
            *TRUST.entries,
            TrustEntry(
                public_key=old_key.public_key,
                name="old-suite",
                holder=Holder(name="Old suite", rank="", number="S-1", force="Test Force"),
                roles=frozenset({"checkpoint"}),
                **fields,
            ),
        ]
    )
    app = CasefileApp(store=StoreConfig.memory(), trust=trust, clock=stepping_clock())
    case_id = _case(app)
    root = merkle_root([record_hash(raw) for raw in app.records(case_id)])
    note = sign_checkpoint(Checkpoint(f"{NAMESPACE}/{case_id}", 1, root), "old-suite", old_key)
    with pytest.raises(CheckpointSignatureError, match="no trusted key"):
        app.record_handover(case_id, OFFICER, recipient="CPS", checkpoint=note)
    assert app.get_case(case_id).handovers == ()
    good = app.checkpoint(case_id, CHECKPOINTER, "custody-suite", NAMESPACE)
    app.record_handover(case_id, OFFICER, recipient="CPS", checkpoint=good)


def test_handover_refuses_a_checkpoint_key_revoked_before_a_record_its_last_record_lags() -> None:
    # Record 2's device clock lags record 1's: the note cannot predate record 1, so a key
    # revoked between the two cannot have signed it, as the verifier judges it (V12).
    from casefile.signing._checkpoint import Checkpoint, sign_checkpoint
    from casefile.signing._trust import Holder, TrustEntry, TrustStore

    old_key = signer_for("revoked-checkpointer")
    trust = TrustStore(
        [
            *TRUST.entries,
            TrustEntry(
                public_key=old_key.public_key,
                name="old-suite",
                holder=Holder(name="Old suite", rank="", number="S-1", force="Test Force"),
                roles=frozenset({"checkpoint"}),
                valid_from=T0 - 86_400 * 10**9,
                revoked_at=T0 - 1_800 * 10**9,
            ),
        ]
    )
    app = CasefileApp(store=StoreConfig.memory(), trust=trust, clock=stepping_clock())
    case_id = _case(app)
    app.add_note(case_id, OFFICER, text="written up later", at=T0 - 3_600 * 10**9)
    root = merkle_root([record_hash(raw) for raw in app.records(case_id)])
    note = sign_checkpoint(Checkpoint(f"{NAMESPACE}/{case_id}", 2, root), "old-suite", old_key)
    with pytest.raises(CheckpointSignatureError, match="no trusted key"):
        app.record_handover(case_id, OFFICER, recipient="CPS", checkpoint=note)


def test_erasure_needs_a_person_or_fields(memory_app: CasefileApp) -> None:
    case_id = _case(memory_app)
    with pytest.raises(InvalidCommandError):
        memory_app.erase_personal_data(case_id, DATA_PROTECTION)
    with pytest.raises(UnknownReferenceError):
        memory_app.erase_personal_data(case_id, DATA_PROTECTION, person_id=uuid.uuid4())
    assert memory_app.erase_personal_data(case_id, DATA_PROTECTION, fields=[]) == 0
    assert len(list(memory_app.records(case_id))) == 1  # nothing erased, nothing recorded


def _holder_of(signer: InMemorySigner) -> Custodian:
    return Custodian.from_holder(TRUST.get(signer.public_key.key_id).holder)  # type: ignore[union-attr]


def test_an_act_keyed_in_for_another_officer_awaits_their_confirmation(
    memory_app: CasefileApp,
) -> None:
    app = memory_app
    case_id = _case(app)
    colleague = _holder_of(SECOND_OFFICER)
    with app.session(case_id, OFFICER) as case:
        assert case.actor == _holder_of(OFFICER)
        seq = case.seize_exhibit(
            exhibit="JS/1", by=colleague, place="Scene", description="Knife", power="s.19"
        )
    assert app.get_case(case_id).unconfirmed == {seq: colleague.identity}
    report = app.verify(case_id)
    assert ("acted_on_behalf_unconfirmed", seq) in [(f.kind, f.seq) for f in report.findings]
    with pytest.raises(ActorMismatchError):
        app.confirm(case_id, OFFICER, seq=seq)  # the officer who keyed it in cannot
    confirmation = app.confirm(case_id, SECOND_OFFICER, seq=seq)
    assert app.get_case(case_id).confirmations == {seq: confirmation}
    assert "acted_on_behalf_unconfirmed" not in [f.kind for f in app.verify(case_id).findings]


def test_a_persons_disclosed_values_are_readable_through_the_app(
    memory_app: CasefileApp,
) -> None:
    app = memory_app
    case_id = _case(app)
    person = app.add_person(
        case_id, OFFICER, role="witness", name="Wendy Witness", phone="07700 900001"
    )
    with app.session(case_id, OFFICER) as case:
        case.correct(
            seq=case.people[person].seq, reason="New number", personal={"phone": "07700 900002"}
        )
    assert app.person_details(case_id, person) == {
        "name": "Wendy Witness",
        "phone": "07700 900002",
    }
    app.erase_personal_data(case_id, DATA_PROTECTION, person_id=person)
    assert app.person_details(case_id, person) == {}


def test_reading_a_persons_values_reads_the_case_once_not_twice(
    memory_app: CasefileApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The case is loaded (and authenticated) to find the person's records; reading
    # every record again to find their commitments doubled the work on a large case.
    app = memory_app
    case_id = _case(app)
    person = app.add_person(case_id, OFFICER, role="witness", name="Wendy Witness")
    for n in range(20):
        app.add_note(case_id, OFFICER, text=f"Note {n}.")
    recorder = app.recorder
    original = recorder.select_events
    rows: list[int] = []

    def counted(*args: object, **kwargs: object) -> object:
        found = original(*args, **kwargs)  # type: ignore[arg-type]
        rows.append(len(found))
        return found

    monkeypatch.setattr(recorder, "select_events", counted)
    assert app.person_details(case_id, person) == {"name": "Wendy Witness"}
    total = len(list(app.records(case_id)))
    rows.clear()
    app.person_details(case_id, person)
    assert sum(rows) <= total + 1
