"""The persistence fixtures work end to end on SQLite and on a real PostgreSQL.

A plain eventsourcing application stands in for the library's own so that a failure here
points at the test infrastructure, not at casefile.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError
from psycopg import sql

from _postgres import ServerSettings


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text

    @event("Edited")
    def edit(self, text: str) -> None:
        self.text = text


@contextmanager
def _application(env: dict[str, str]) -> Iterator[Application[UUID]]:
    app: Application[UUID] = Application(env=env)
    try:
        yield app
    finally:
        app.close()


def _written(env: dict[str, str], text: str) -> UUID:
    with _application(env) as app:
        note = Note(text)
        app.save(note)
        note_id: UUID = note.id
        return note_id


def test_saved_aggregate_reloads_in_a_new_application(persistence_env: dict[str, str]) -> None:
    note_id = _written(persistence_env, "first")
    with _application(persistence_env) as app:
        note: Note = app.repository.get(note_id)
        note.edit("second")
        app.save(note)
    with _application(persistence_env) as app:
        reloaded: Note = app.repository.get(note_id)
    assert (reloaded.text, reloaded.version) == ("second", 2)


def test_stale_copy_cannot_overwrite_a_newer_version(persistence_env: dict[str, str]) -> None:
    note_id = _written(persistence_env, "original")
    with _application(persistence_env) as first, _application(persistence_env) as second:
        mine: Note = first.repository.get(note_id)
        theirs: Note = second.repository.get(note_id)
        mine.edit("mine")
        theirs.edit("theirs")
        first.save(mine)
        with pytest.raises(IntegrityError):
            second.save(theirs)
        kept: Note = first.repository.get(note_id)
        assert kept.text == "mine"


def test_concurrent_saves_of_one_version_let_exactly_one_win(
    persistence_env: dict[str, str],
) -> None:
    note_id = _written(persistence_env, "original")
    barrier = threading.Barrier(2)
    outcomes: dict[str, BaseException | None] = {}

    def save_edit(app: Any, text: str) -> None:
        note: Note = app.repository.get(note_id)
        note.edit(text)
        barrier.wait(timeout=10)
        try:
            app.save(note)
        except BaseException as exc:  # recorded and checked by the main thread
            outcomes[text] = exc
        else:
            outcomes[text] = None

    # The applications are built first, one after the other: building one
    # creates the tables, and PostgreSQL refuses the same DDL run concurrently
    # ("tuple concurrently updated"). The race under test is the save.
    with _application(persistence_env) as left, _application(persistence_env) as right:
        threads = [
            threading.Thread(target=save_edit, args=(app, text))
            for app, text in ((left, "left"), (right, "right"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    winners = [text for text, error in outcomes.items() if error is None]
    losers = [error for error in outcomes.values() if error is not None]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1
    assert isinstance(losers[0], IntegrityError), losers
    with _application(persistence_env) as app:
        stored: Note = app.repository.get(note_id)
    assert (stored.text, stored.version) == (winners[0], 2)


@pytest.mark.postgres
def test_fresh_schemas_do_not_see_each_others_events(
    postgres_server: ServerSettings, fresh_postgres_env: dict[str, str]
) -> None:
    note_id = _written(fresh_postgres_env, "kept apart")
    schema = fresh_postgres_env["POSTGRES_SCHEMA"]
    with psycopg.connect(postgres_server.conninfo()) as conn:
        found = {
            table_schema: conn.execute(
                sql.SQL(
                    "SELECT count(*) FROM {}.application_events WHERE originator_id = %s"
                ).format(sql.Identifier(table_schema)),
                (note_id,),
            ).fetchone()
            for (table_schema,) in conn.execute(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = %s",
                ("application_events",),
            ).fetchall()
        }
    # The event went into this test's schema and into no other.
    assert {name: row for name, row in found.items() if row != (0,)} == {schema: (1,)}


@pytest.mark.postgres
def test_session_settings_use_password_authentication(postgres_env: dict[str, str]) -> None:
    with psycopg.connect(
        dbname=postgres_env["POSTGRES_DBNAME"],
        host=postgres_env["POSTGRES_HOST"],
        port=postgres_env["POSTGRES_PORT"],
        user=postgres_env["POSTGRES_USER"],
        password=postgres_env["POSTGRES_PASSWORD"],
    ) as conn:
        row = conn.execute("SELECT current_user").fetchone()
    assert row == (postgres_env["POSTGRES_USER"],)
