"""Several processes or writers on one store: simultaneous starts, and stale saves.

A force runs several app servers on one database: each constructs the
application when it starts, often at the same moment (a deployment, a
restart). And two officers may save the same case at once: the loser must get
ConcurrencyConflictError straight away, whatever the records carry, so that
the documented reload-and-retry loop works.
"""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import eventsourcing.utils
import pytest

from application.conftest import OFFICER, SECOND_OFFICER, TRUST, stepping_clock
from casefile.application import CasefileApp, StoreConfig
from casefile.errors import ConcurrencyConflictError

STARTS = 8


def _start(store: StoreConfig, barrier: Any, results: Any) -> None:
    """One app server starting: construct the application, read, and stop."""
    try:
        barrier.wait(timeout=60)
        app = CasefileApp(store=store, trust=TRUST)
        try:
            app.list_cases()
            app.case_summaries(limit=1)
        finally:
            app.close()
        results.put("started")
    except BaseException as exc:  # reported to the parent, which fails the test
        results.put(f"{type(exc).__module__}.{type(exc).__name__}: {exc}")


def _start_all_at_once(store: StoreConfig) -> list[str]:
    # fork: the children inherit the configuration without pickling, and start
    # within microseconds of each other at the barrier.
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(STARTS)
    results = context.Queue()
    processes = [
        context.Process(target=_start, args=(store, barrier, results)) for _ in range(STARTS)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    return outcomes


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def durable_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreConfig:
    """Empty storage of each database backend in turn (no tables yet)."""
    if request.param == "sqlite":
        return StoreConfig.sqlite(tmp_path / "cases.sqlite")
    env: dict[str, str] = request.getfixturevalue("fresh_postgres_env")
    return StoreConfig.from_settings(env)


def test_simultaneous_starts_on_an_existing_store_all_succeed(durable_store: StoreConfig) -> None:
    first = CasefileApp(store=durable_store, trust=TRUST)
    case_id = first.open_case(OFFICER, offence="Theft", channel="online", reference="01YE0000126")
    first.close()
    assert _start_all_at_once(durable_store) == ["started"] * STARTS
    again = CasefileApp(store=durable_store, trust=TRUST)
    try:
        assert again.list_cases() == [case_id]
        assert again.find_case("01YE0000126") == case_id
    finally:
        again.close()


def test_simultaneous_starts_on_a_fresh_store_all_succeed(durable_store: StoreConfig) -> None:
    assert _start_all_at_once(durable_store) == ["started"] * STARTS
    app = CasefileApp(store=durable_store, trust=TRUST)
    try:
        case_id = app.open_case(OFFICER, offence="Theft", channel="online", reference="01YE0000126")
        assert app.find_case("01YE0000126") == case_id
    finally:
        app.close()


@pytest.fixture
def no_retry_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if eventsourcing's retry loop pauses: a conflict must never be retried."""

    def refuse(seconds: float) -> None:
        raise AssertionError(f"a save was retried after a {seconds:.2f} s pause")

    monkeypatch.setattr(eventsourcing.utils, "sleep", refuse)


def _visitors(case: Any, count: int, writer: str) -> None:
    for n in range(count):
        case.add_person(role="witness", name=f"{writer} witness {n}", phone=f"07700 900{n:03d}")


@pytest.mark.usefixtures("no_retry_pauses")
@pytest.mark.parametrize("size", [25, 200])
def test_a_stale_save_carrying_personal_data_is_a_prompt_conflict(
    store: StoreConfig, make_app: Callable[..., CasefileApp], size: int
) -> None:
    # Reported on PostgreSQL: 28 of 30 such saves of 200 records, 16 of 30 of 25,
    # raised "pipeline aborted" after seconds of retries instead of a conflict.
    winner, loser = make_app(), make_app()
    case_id = winner.open_case(OFFICER, offence="Theft", channel="online", reference="01YE0000126")
    for _ in range(5):
        ours, theirs = winner.get_case(case_id), loser.get_case(case_id)
        _visitors(ours, size, "first")
        _visitors(theirs, size, "second")
        winner.save_case(ours, OFFICER)
        with pytest.raises(ConcurrencyConflictError, match="reload"):
            loser.save_case(theirs, SECOND_OFFICER)
    stored = winner.get_case(case_id)
    assert stored.sealed_version == 1 + 5 * size
    assert {d.value for d in winner.disclosures(case_id)}.isdisjoint(
        {f"second witness {n}" for n in range(size)}
    )
    summaries = winner.case_summaries()
    assert [(s.case_id, s.records) for s in summaries] == [(case_id, 1 + 5 * size)]


def test_the_retry_loop_recovers_from_a_stale_save_with_personal_data(
    store: StoreConfig, make_app: Callable[..., CasefileApp]
) -> None:
    # The loop the docs give: on a conflict, reload and record again.
    winner, loser = make_app(clock=stepping_clock()), make_app(clock=stepping_clock())
    case_id = winner.open_case(OFFICER, offence="Theft", channel="online", reference="01YE0000126")
    stale = loser.get_case(case_id)
    with winner.session(case_id, OFFICER) as case:
        _visitors(case, 25, "first")
    _visitors(stale, 25, "second")
    attempts = 0
    case = stale
    while True:
        attempts += 1
        try:
            loser.save_case(case, SECOND_OFFICER)
            break
        except ConcurrencyConflictError:
            case = loser.get_case(case_id)
            _visitors(case, 25, "second")
    assert attempts == 2
    assert loser.verify(case_id).size == 51
    names = {d.value for d in loser.disclosures(case_id) if d.name == "name"}
    assert {f"second witness {n}" for n in range(25)} <= names
    assert isinstance(case_id, uuid.UUID)


def test_a_journal_mode_switch_refused_by_a_simultaneous_start_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Starts racing to switch a fresh file to WAL: SQLite refuses a loser at once
    # ("database is locked") instead of letting it wait, and a server failed to start.
    import sqlite3

    from casefile.application import _sqlite

    real_connect = sqlite3.connect
    refusals = [2]

    class _Refusing:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self._conn = conn

        def execute(self, sql: str) -> sqlite3.Cursor:
            if "journal_mode=WAL" in sql and refusals[0] > 0:
                refusals[0] -= 1
                raise sqlite3.OperationalError("database is locked")
            return self._conn.execute(sql)

        def close(self) -> None:
            self._conn.close()

    def connect(*args: Any, **kwargs: Any) -> _Refusing:
        return _Refusing(real_connect(*args, **kwargs))

    monkeypatch.setattr(_sqlite.sqlite3, "connect", connect)
    path = tmp_path / "fresh.sqlite"
    _sqlite.switch_to_wal(str(path), timeout_s=5)
    monkeypatch.undo()
    assert refusals == [0]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    app = CasefileApp(store=StoreConfig.sqlite(path), trust=TRUST)
    try:
        assert app.list_cases() == []
    finally:
        app.close()


def test_a_journal_mode_switch_still_refused_at_the_lock_timeout_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from casefile.application import _sqlite

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(_sqlite.sqlite3, "connect", connect)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _sqlite.switch_to_wal(str(tmp_path / "x.sqlite"), timeout_s=0.2)
