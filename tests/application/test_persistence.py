"""One contract for every backend (memory, SQLite, PostgreSQL): storage, and attacks on it."""

from __future__ import annotations

import sys
import threading
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from _casebuilder import commitment_flipped
from application.conftest import (
    CHECKPOINTER,
    DATA_PROTECTION,
    NAMESPACE,
    OFFICER,
    SECOND_OFFICER,
    T0,
    TRUST,
    Tamper,
    stepping_clock,
)
from casefile.application import CasefileApp, StoreConfig
from casefile.errors import (
    BadSignatureError,
    BrokenLinkError,
    CheckpointMismatchError,
    ConcurrencyConflictError,
    MalformedRecordError,
    SequenceError,
    UnauthorisedSignerError,
    VerificationError,
)
from casefile.signing._records import parse_record, record_hash
from casefile.signing._text import TextDisclosure
from casefile.signing._value import Disclosure


def _open(app: CasefileApp, reference: str = "01YE0000126") -> uuid.UUID:
    return app.open_case(OFFICER, offence="Burglary", channel="phone", reference=reference)


def _visit(app: CasefileApp, case_id: uuid.UUID) -> uuid.UUID:
    """An officer's visit: a person, a statement, a signature, a photo; one transaction."""
    with app.session(case_id, OFFICER) as case:
        victim = case.add_person(
            role="victim", name="Zoë Ångström", address="1 High St", phone="07700 900123"
        )
        statement = case.record_statement(
            witness_id=victim,
            declaration="True to the best of my knowledge.",
            body="They came in through the back door.",
            place="Home",
            started_at=T0,
            ended_at=T0 + 10**9,
            exhibits=["ZA/1"],
        )
        case.sign_statement(statement_id=statement)
        case.capture_evidence(
            exhibit="ZA/1",
            kind="photo",
            sha256=bytes(32),
            size=10,
            media_type="image/jpeg",
            device="tablet",
            location="kitchen",
            captured_at=T0,
        )
    return victim


def test_a_visit_is_stored_as_one_signed_chain(app: CasefileApp) -> None:
    case_id = _open(app)
    victim = _visit(app, case_id)
    case = app.get_case(case_id)
    assert case.version == 5
    assert case.people[victim].role == "victim"
    records = list(app.records(case_id))
    assert [parse_record(r).header.seq for r in records] == [1, 2, 3, 4, 5]
    assert case.head == record_hash(records[-1])
    verified = app.verify(case_id, at=T0 + 10**12)
    assert verified.size == 5
    assert verified.signers == {OFFICER.public_key.key_id}
    assert app.list_cases() == [case_id]


def test_disclosures_come_back_sorted_by_seq_then_utf8_name(app: CasefileApp) -> None:
    case_id = _open(app)
    _visit(app, case_id)
    with app.session(case_id, OFFICER) as case:
        case.add_person(
            role="witness", name="Éowyn", email="e@example.org", date_of_birth="1990-01-01"
        )
    found = [(d.seq, d.name) for d in app.disclosures(case_id)]
    assert found == sorted(found, key=lambda k: (k[0], k[1].encode("utf-8")))
    # Values and texts alike: the statement's body and place, the capture's location.
    assert found == [
        (2, "address"),
        (2, "name"),
        (2, "phone"),
        (3, "body"),
        (3, "place"),
        (5, "location"),
        (6, "date_of_birth"),
        (6, "email"),
        (6, "name"),
    ]
    texts = {d.name: d.text for d in app.disclosures(case_id) if isinstance(d, TextDisclosure)}
    assert texts == {
        "body": "They came in through the back door.",
        "place": "Home",
        "location": "kitchen",
    }
    names = {
        d.value for d in app.disclosures(case_id) if isinstance(d, Disclosure) and d.name == "name"
    }
    assert names == {"Zoë Ångström", "Éowyn"}


def test_cases_are_listed_in_opening_order(app: CasefileApp) -> None:
    ids = [_open(app, f"01YE0000{n}26") for n in range(1, 4)]
    app.add_note(ids[0], OFFICER, text="later record of the first case")
    assert app.list_cases() == ids


def test_records_stream_in_pages(app: CasefileApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("casefile.application._app._PAGE", 4)
    case_id = _open(app)
    with app.session(case_id, OFFICER) as case:
        for i in range(9):
            case.add_note(text=f"n{i}")
    seqs = [parse_record(r).header.seq for r in app.records(case_id)]
    assert seqs == list(range(1, 11))


@pytest.mark.parametrize(
    ("seq", "replace", "error", "failing_seq"),
    [
        (3, lambda raw: commitment_flipped(raw, "body"), BrokenLinkError, 4),
        (5, lambda raw: commitment_flipped(raw, "location"), BadSignatureError, 5),
        (2, lambda raw: raw.replace(b"\x82\xa3rec", b"\x82\xa3reX"), MalformedRecordError, 2),
    ],
    ids=["middle-record", "head-record", "framing"],
)
def test_record_tampered_in_the_database_is_rejected_on_load(
    app: CasefileApp,
    tamper: Tamper,
    seq: int,
    replace: Callable[[bytes], bytes],
    error: type[VerificationError],
    failing_seq: int,
) -> None:
    case_id = _open(app)
    _visit(app, case_id)
    original = list(app.records(case_id))[seq - 1]
    changed = replace(original)
    assert changed != original
    tamper(app, case_id, seq, state=changed)
    with pytest.raises(error) as caught:
        app.get_case(case_id)
    assert caught.value.seq == failing_seq
    assert caught.value.case_id == str(case_id)
    # An audit checks every signature, so it names the tampered record itself.
    with pytest.raises(VerificationError) as audited:
        app.get_case(case_id, audit=True)
    assert audited.value.seq == seq
    with pytest.raises(VerificationError):
        app.verify(case_id, at=T0 + 10**12)
    # A command cannot be built on a tampered case either.
    with pytest.raises(VerificationError):
        app.add_note(case_id, OFFICER, text="on top of tampered records")


def test_deleted_record_is_rejected_on_load(app: CasefileApp, tamper: Tamper) -> None:
    case_id = _open(app)
    _visit(app, case_id)
    tamper(app, case_id, 3, delete=True)
    with pytest.raises(SequenceError) as caught:
        app.get_case(case_id)
    assert caught.value.seq == 3


def test_truncated_tail_loads_but_fails_against_a_checkpoint(
    app: CasefileApp, tamper: Tamper
) -> None:
    # A chain alone cannot show a missing tail; a checkpoint handed out earlier does.
    case_id = _open(app)
    _visit(app, case_id)
    note = app.checkpoint(case_id, CHECKPOINTER, "custody-suite", NAMESPACE)
    # The tail record goes, and its disclosures with it: nothing else shows it ever was.
    tamper(app, case_id, 5, delete=True)
    app.recorder.delete_disclosures(case_id, seqs=[5])  # type: ignore[attr-defined]
    assert app.get_case(case_id).version == 4
    with pytest.raises(CheckpointMismatchError, match="missing from the tail"):
        app.verify(case_id, at=T0 + 10**12, checkpoint=note)


def test_stored_topic_is_never_imported(
    app: CasefileApp, tamper: Tamper, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "imported"
    module = tmp_path / "casefile_planted_topic.py"
    module.write_text(f"open({str(marker)!r}, 'w').close()\nclass Payload: pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    case_id = _open(app)
    _visit(app, case_id)
    tamper(app, case_id, 2, topic="casefile_planted_topic:Payload")
    with pytest.raises(MalformedRecordError, match="stored topic"):
        app.get_case(case_id)
    stored = app.recorder.select_events(case_id)
    with pytest.raises(MalformedRecordError):
        app.mapper.to_domain_event(stored[1])
    with pytest.raises(MalformedRecordError):
        app.repository.get(case_id)
    notifications = app.recorder.select_notifications(start=1, limit=10)
    planted = [n for n in notifications if n.topic.startswith("casefile_planted")]
    with pytest.raises(MalformedRecordError):
        app.mapper.to_domain_event(planted[0])
    assert not marker.exists()
    assert "casefile_planted_topic" not in sys.modules


def test_two_writers_one_wins_other_gets_conflict_and_can_retry(
    make_app: Callable[..., CasefileApp],
) -> None:
    first, second = make_app(), make_app()
    case_id = _open(first)
    a = first.get_case(case_id)
    b = second.get_case(case_id)
    a.add_note(text="written by the first officer")
    b.add_person(role="witness", name="Second Writer's Witness")
    b.add_note(text="written by the second officer")
    first.save_case(a, OFFICER)
    with pytest.raises(ConcurrencyConflictError, match="reload"):
        second.save_case(b, SECOND_OFFICER)
    # Nothing of the loser was stored: no record, no disclosure (the winner's note is there).
    assert [(d.seq, d.name) for d in second.disclosures(case_id)] == [(2, "text")]
    # Reload and retry: the chain continues from the winner's head, no fork.
    with second.session(case_id, SECOND_OFFICER) as retry:
        retry.add_person(role="witness", name="Second Writer's Witness")
        retry.add_note(text="written by the second officer")
    verified = first.verify(case_id, at=T0 + 10**12)
    assert verified.size == 4
    assert verified.signers == {OFFICER.public_key.key_id, SECOND_OFFICER.public_key.key_id}
    assert [(d.seq, d.name) for d in first.disclosures(case_id)] == [
        (2, "text"),
        (3, "name"),
        (4, "text"),
    ]


def test_concurrent_sessions_lose_nothing(
    store: StoreConfig, make_app: Callable[..., CasefileApp]
) -> None:
    apps = [make_app()] * 2 if store.backend == "memory" else [make_app(), make_app()]
    case_id = _open(apps[0])
    conflicts = [0, 0]

    def writer(index: int) -> None:
        app = apps[index]
        for n in range(8):
            while True:
                try:
                    with app.session(case_id, OFFICER) as case:
                        case.add_note(text=f"writer {index} note {n}")
                    break
                except ConcurrencyConflictError:
                    conflicts[index] += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert apps[0].verify(case_id, at=T0 + 10**12).size == 17
    texts = {d.text for d in apps[0].disclosures(case_id) if isinstance(d, TextDisclosure)}
    assert {f"writer {i} note {n}" for i in range(2) for n in range(8)} <= texts


def test_failed_save_writes_neither_records_nor_disclosures(app: CasefileApp) -> None:
    case_id = _open(app)
    _visit(app, case_id)
    before_records = list(app.records(case_id))
    before_disclosures = list(app.disclosures(case_id))

    # 1. The block raises: nothing is sealed or stored.
    def dropped_tablet() -> None:
        with app.session(case_id, OFFICER) as case:
            case.add_person(role="witness", name="Unsaved Witness")
            raise RuntimeError("tablet dropped")

    with pytest.raises(RuntimeError, match="tablet dropped"):
        dropped_tablet()
    # 2. The acting key may not sign: refused before anything is written.
    with pytest.raises(UnauthorisedSignerError), app.session(case_id, CHECKPOINTER) as case:
        case.add_person(role="witness", name="Unsaved Witness")
    # 3. Another writer got there first: the whole batch is rolled back.
    stale = app.get_case(case_id)
    stale.add_person(role="witness", name="Unsaved Witness")
    app.add_note(case_id, OFFICER, text="the winner")
    with pytest.raises(ConcurrencyConflictError):
        app.save_case(stale, OFFICER)

    assert list(app.records(case_id))[:-1] == before_records
    assert len(list(app.records(case_id))) == len(before_records) + 1
    # Only the winner's note was stored beside the records that were there.
    assert list(app.disclosures(case_id))[: len(before_disclosures)] == before_disclosures
    (winner,) = list(app.disclosures(case_id))[len(before_disclosures) :]
    assert isinstance(winner, TextDisclosure)
    assert winner.text == "the winner"
    assert all(getattr(d, "value", None) != "Unsaved Witness" for d in app.disclosures(case_id))


# Only the database backends: the in-memory store has no second table that can fail.
@pytest.mark.parametrize(
    "store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_a_disclosure_write_failure_rolls_back_the_records(
    store: StoreConfig, app: CasefileApp
) -> None:
    case_id = _open(app)
    recorder: object = app.recorder
    # Plant a row that the next save's disclosure for record 2 collides with.
    row = [(case_id, 2, "name", b"planted")]
    if store.backend == "sqlite":
        with recorder.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
            c.executemany(
                "INSERT INTO casefile_disclosures VALUES (?,?,?,?)",
                [(r[0].hex, r[1], r[2], r[3]) for r in row],
            )
    else:
        with recorder.datastore.transaction(commit=True) as curs:  # type: ignore[attr-defined]
            curs.executemany(recorder._insert_disclosures, row)  # type: ignore[attr-defined]
    with pytest.raises(ConcurrencyConflictError):
        app.add_person(case_id, OFFICER, role="victim", name="Collides")
    assert len(list(app.records(case_id))) == 1
    assert app.get_case(case_id).version == 1


def test_erasing_personal_data_keeps_case_verifiable(app: CasefileApp) -> None:
    case_id = _open(app)
    victim = _visit(app, case_id)
    witness = app.add_person(case_id, OFFICER, role="witness", name="Will Witness", phone="0123")
    app.correct(
        case_id,
        OFFICER,
        seq=app.get_case(case_id).people[victim].seq,
        reason="spelling",
        personal={"name": "Zoe Angstrom"},
    )
    records_before = list(app.records(case_id))
    held = {(d.seq, d.name) for d in app.disclosures(case_id)}
    assert app.erase_personal_data(case_id, DATA_PROTECTION, person_id=victim) == 4
    left = {(d.seq, d.name) for d in app.disclosures(case_id) if isinstance(d, Disclosure)}
    assert left == {(6, "name"), (6, "phone")}
    # A person's erasure takes their personal values, not the texts of their records.
    assert any(d.name == "correction_reason" for d in app.disclosures(case_id))
    left_before = sorted(held - {(d.seq, d.name) for d in app.disclosures(case_id)})
    assert app.erase_personal_data(case_id, DATA_PROTECTION, fields=["phone"]) == 1
    values = [d.value for d in app.disclosures(case_id) if isinstance(d, Disclosure)]
    assert values == ["Will Witness"]
    verified = app.verify(case_id, at=T0 + 10**12)
    # One disclosure.erased record per field erased: who, why, which field; never the value.
    assert verified.size == 7 + 5
    assert any(f.kind == "withheld_fields" for f in verified.findings)
    case = app.get_case(case_id, audit=True)
    assert witness in case.people
    assert case.people[victim].details == {"name", "address", "phone"}
    # Erasure changes no record: every earlier byte is as it was.
    records_after = list(app.records(case_id))
    assert records_after[: len(records_before)] == records_before
    erased = [(r.data["record"], r.data["field"]) for r in verified.records[7:]]
    assert sorted(erased) == sorted([*((s, n) for s, n in left_before), (6, "phone")])


def _records_of_a_victim(name: str, address: str) -> tuple[CasefileApp, uuid.UUID, list[bytes]]:
    app = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=stepping_clock())
    case_id = _open(app)
    with app.session(case_id, OFFICER) as case:
        person = case.add_person(role="victim", name=name, address=address)
        case.correct(seq=2, reason="amended", personal={"name": name + " Jr"})
        case.record_statement(
            witness_id=person,
            declaration="d",
            body="b",
            place="p",
            started_at=T0,
            ended_at=T0,
        )
    return app, case_id, list(app.records(case_id))


@given(
    name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=10, max_size=40)
    .map(lambda s: unicodedata.normalize("NFC", s))
    .filter(lambda s: len(s) >= 10),
    address=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=12, max_size=60).map(
        lambda s: unicodedata.normalize("NFC", s)
    ),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_personal_data_never_appears_in_record_bytes(name: str, address: str) -> None:
    # A value that the records hold anyway (a word of a clear field, say "organisati")
    # proves nothing either way: the same case with other values shows which those are.
    _, _, baseline = _records_of_a_victim("Placeholder Name", "Placeholder Address")
    secrets = (name, address, name + " Jr")
    assume(not any(s.encode("utf-8") in raw for s in secrets for raw in baseline))
    app, case_id, records = _records_of_a_victim(name, address)
    for secret in secrets:
        encoded = secret.encode("utf-8")
        assert all(encoded not in raw for raw in records)
    # The values are kept, apart from the records.
    values = {d.value for d in app.disclosures(case_id) if isinstance(d, Disclosure)}
    assert values == {name, address, name + " Jr"}


def test_environment_variables_do_not_choose_the_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.sqlite")
    monkeypatch.setenv("SQLITE_DBNAME", str(tmp_path / "from-environment.sqlite"))
    monkeypatch.setenv("CASEFILE_PERSISTENCE_MODULE", "eventsourcing.sqlite")
    monkeypatch.setenv("MAPPER_TOPIC", "casefile_planted_topic:Payload")
    app = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=stepping_clock())
    _open(app)
    assert type(app.recorder).__name__ == "CasefilePOPORecorder"
    assert not (tmp_path / "from-environment.sqlite").exists()
