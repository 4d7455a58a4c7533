"""Finding a case in a store by id or reference, and showing what the store says about it.

A reference is the number an officer quotes, so commands accept it; but a
store may hold two cases under one reference, or a damaged case beside the
one asked for, and its text comes from records (unauthenticated ones, for
``cases`` without a trust store) that must not drive the terminal.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from casefile.application import CasefileApp, StoreConfig
from casefile.errors import DuplicateReferenceError
from casefile.signing import load_private_key, load_trust_store, parse_record
from cli._support import Demo, Run, run_cli

ESCAPE = "\x1b]0;owned\x07\x1b[2J"


@pytest.fixture
def store(demo: Demo, tmp_path: Path) -> Path:
    """A copy of the demo's store (its one case is 42NS1234526), free to add cases to."""
    target = tmp_path / "casefile.sqlite"
    shutil.copy(demo.db, target)
    return target


def _open_case(demo: Demo, db: Path, reference: str, note: str = "Bicycle stolen.") -> uuid.UUID:
    officer = load_private_key(
        demo.root / "keys" / "pc-4721.key", demo.passphrase.read_bytes().rstrip(b"\n")
    )
    app = CasefileApp(store=StoreConfig.sqlite(db), trust=load_trust_store(demo.trust))
    try:
        with app.open_session(
            officer, offence="theft", channel="front_counter", reference=reference
        ) as case:
            case.add_note(text=note)
            return case.id
    finally:
        app.close()


def _rewrite(db: Path, case_id: uuid.UUID, seq: int, old: bytes, new: bytes) -> None:
    """Change bytes of one stored record behind the application's back."""
    with sqlite3.connect(db) as conn:
        where = "WHERE originator_id = ? AND originator_version = ?"
        (state,) = conn.execute(
            f"SELECT state FROM casefile_events {where}", (case_id.hex, seq)
        ).fetchone()
        assert old in state
        conn.execute(
            f"UPDATE casefile_events SET state = ? {where}",
            (bytes(state).replace(old, new), case_id.hex, seq),
        )


def _exhibits(demo: Demo, db: Path, case: str) -> Run:
    return run_cli(["exhibits", "--db", db, "--case", case, "--trust", demo.trust])


def test_a_second_case_under_a_taken_reference_is_refused(demo: Demo, store: Path) -> None:
    # A restarted reference scheme reissuing a serial must not make the reference ambiguous.
    with pytest.raises(DuplicateReferenceError, match="42NS1234526"):
        _open_case(demo, store, "42NS1234526")
    with sqlite3.connect(store) as conn:
        (cases,) = conn.execute(
            "SELECT count(*) FROM casefile_events WHERE originator_version = 1"
        ).fetchone()
    assert cases == 1
    found = _exhibits(demo, store, "42NS1234526")
    assert found.code == 0, found.err


def test_a_reference_the_index_misattributes_is_refused(demo: Demo, store: Path) -> None:
    # The index is derived data: a row edited to name another case must not redirect a lookup.
    other = _open_case(demo, store, "42NS0000326")
    with sqlite3.connect(store) as conn:
        conn.execute(
            "UPDATE casefile_cases SET reference = 'moved' WHERE reference = '42NS1234526'"
        )
        conn.execute(
            "UPDATE casefile_cases SET reference = '42NS1234526' WHERE case_id = ?", (other.hex,)
        )
    result = _exhibits(demo, store, "42NS1234526")
    assert result.code == 2
    assert "rebuild the index" in result.err


def test_a_damaged_case_does_not_hide_another_found_by_reference(demo: Demo, store: Path) -> None:
    damaged = _open_case(demo, store, "42NS0000126", note="To be damaged.")
    _open_case(demo, store, "42NS0000226")
    with sqlite3.connect(store) as conn:
        (state,) = conn.execute(
            "SELECT state FROM casefile_events WHERE originator_id = ? AND originator_version = 2",
            (damaged.hex,),
        ).fetchone()
    # The note's text is committed: changing it changes its commitment.
    (commitment,) = parse_record(bytes(state)).header.commitments.values()
    _rewrite(store, damaged, 2, commitment, bytes([commitment[0] ^ 1]) + commitment[1:])
    found = _exhibits(demo, store, "42NS0000226")
    assert found.code == 0, found.err
    assert "42NS0000226" in found.out
    assert _exhibits(demo, store, "42NS0000126").code == 1


def test_a_reference_found_only_in_unauthenticated_records_is_not_trusted(
    demo: Demo, store: Path
) -> None:
    # The first record of the demo case is rewritten to claim another reference: the
    # lookup must not return a case whose records do not verify as that reference.
    with sqlite3.connect(store) as conn:
        (case_hex,) = conn.execute("SELECT originator_id FROM casefile_events").fetchone()
    _rewrite(store, uuid.UUID(case_hex), 1, b"42NS1234526", b"42NS9999926")
    result = _exhibits(demo, store, "42NS9999926")
    assert result.code in (1, 2)
    assert "42NS9999926 (" not in result.out


@pytest.mark.parametrize("trusted", [False, True])
def test_a_reference_from_the_store_cannot_drive_the_terminal(
    demo: Demo, store: Path, trusted: bool
) -> None:
    case_id = _open_case(demo, store, "42NS" + ESCAPE)
    argv: list[object] = ["cases", "--db", store]
    if trusted:
        argv += ["--trust", demo.trust]
    listed = run_cli(argv)
    assert listed.code == 0, listed.err
    assert "\x1b" not in listed.out
    assert "\x07" not in listed.out
    assert str(case_id) in listed.out
    shown = _exhibits(demo, store, str(case_id))
    assert shown.code == 0, shown.err
    assert "\x1b" not in shown.out
    assert "\x07" not in shown.out


def test_cases_lists_only_the_cases_every_filter_matches(demo: Demo, store: Path) -> None:
    other = _open_case(demo, store, "42NS0000426")
    listed = run_cli(["cases", "--db", store])
    assert listed.code == 0, listed.err
    demo_case = next(line.split()[0] for line in listed.out.splitlines() if "42NS1234526" in line)

    def ids(*filters: str, trusted: bool = False) -> list[str]:
        argv: list[object] = ["cases", "--db", store, *filters]
        if trusted:
            argv += ["--trust", demo.trust]
        result = run_cli(argv)
        assert result.code == 0, result.err
        return [line.split()[0] for line in result.out.splitlines()]

    assert ids("--exhibit", "DR/2/A") == [demo_case]
    assert ids("--status", "under_investigation", trusted=True) == [str(other)]
    assert ids("--officer", "northshire.police.example/officer/4721") == [demo_case, str(other)]
    assert ids("--officer", "northshire.police.example/officer/4721", "--exhibit", "XX/1") == []
    nothing = run_cli(["cases", "--db", store, "--status", "closed"])
    assert (nothing.code, nothing.out) == (0, "")
    assert "no cases match" in nothing.err


def test_a_store_without_a_case_index_says_to_rebuild_it(demo: Demo, store: Path) -> None:
    # A store written before the index existed has the records but not the index tables.
    with sqlite3.connect(store) as conn:
        conn.execute("DROP TABLE casefile_cases")
    result = run_cli(["cases", "--db", store])
    assert result.code == 2
    assert "rebuild_case_index" in result.err
    assert "Traceback" not in result.err


def test_a_case_named_by_reference_is_loaded_once_to_name_it(
    demo: Demo, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Authenticating a case's chain once to find it and again to print its reference
    # doubled the work of the lookup on a large case.
    loads: list[uuid.UUID] = []
    original = CasefileApp.get_case

    def counted(self: CasefileApp, case_id: uuid.UUID, **kwargs: bool) -> object:
        loads.append(case_id)
        return original(self, case_id, **kwargs)

    monkeypatch.setattr(CasefileApp, "get_case", counted)
    found = _exhibits(demo, store, "42NS1234526")
    assert found.code == 0, found.err
    assert "42NS1234526" in found.out
    assert len(loads) == 1


def test_a_foreign_database_given_to_cases_is_named_in_the_error(tmp_path: Path) -> None:
    # Every error names the path it is about, the listing's as well as the others'.
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    result = run_cli(["cases", "--db", foreign])
    assert result.code == 2
    assert "not a casefile store" in result.err
    assert str(foreign) in result.err
