"""Fixtures for the application: fixed keys and clock, and one store per backend.

``store`` runs a test once per backend (memory, SQLite, PostgreSQL), each on empty
storage; ``tamper`` edits stored rows behind the application's back, as an
attacker with database access would.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from casefile.application import CasefileApp, StoreConfig
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import Holder, TrustEntry, TrustStore

T0 = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
SECOND = 10**9
NAMESPACE = "casefile.test.police.uk"


def signer_for(label: str) -> InMemorySigner:
    return InMemorySigner(hashlib.sha256(b"casefile-app-test:" + label.encode()).digest())


OFFICER = signer_for("officer")
SECOND_OFFICER = signer_for("second-officer")
CHECKPOINTER = signer_for("checkpointer")
#: Records erasures of personal data (role ``data_protection``).
DATA_PROTECTION = signer_for("data-protection")


def _entry(signer: InMemorySigner, name: str, roles: set[str]) -> TrustEntry:
    return TrustEntry(
        public_key=signer.public_key,
        name=name,
        holder=Holder(name=name, rank="PC", number="1234", force="Test Force"),
        roles=frozenset(roles),
        valid_from=T0 - 86_400 * SECOND,
    )


TRUST = TrustStore(
    [
        _entry(OFFICER, "pc-1234", {"recorder"}),
        _entry(SECOND_OFFICER, "pc-5678", {"recorder"}),
        _entry(CHECKPOINTER, "custody-suite", {"checkpoint"}),
        _entry(DATA_PROTECTION, "data-protection", {"data_protection"}),
    ]
)


def stepping_clock() -> Callable[[], int]:
    counter = itertools.count()
    return lambda: T0 + SECOND * next(counter)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreConfig:
    """Empty storage of each backend in turn."""
    if request.param == "memory":
        return StoreConfig.memory()
    if request.param == "sqlite":
        return StoreConfig.sqlite(tmp_path / "cases.sqlite")
    env: dict[str, str] = request.getfixturevalue("fresh_postgres_env")
    return StoreConfig.from_settings(env)


@pytest.fixture
def make_app(store: StoreConfig) -> Iterator[Callable[..., CasefileApp]]:
    """Build applications on the test's store (memory: one shared application)."""
    made: list[CasefileApp] = []

    def make(**kwargs: Any) -> CasefileApp:
        if store.backend == "memory" and made:
            return made[0]
        kwargs.setdefault("trust", TRUST)
        kwargs.setdefault("clock", stepping_clock())
        app = CasefileApp(store=store, **kwargs)
        made.append(app)
        return app

    yield make
    for app in made:
        app.close()


@pytest.fixture
def app(make_app: Callable[..., CasefileApp]) -> CasefileApp:
    return make_app()


@pytest.fixture
def memory_app() -> Iterator[CasefileApp]:
    app = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=stepping_clock())
    yield app
    app.close()


Tamper = Callable[..., None]


@pytest.fixture
def tamper() -> Tamper:
    """Rewrite one stored record's state and/or topic directly in the backend's storage."""

    def rewrite(
        app: CasefileApp,
        case_id: uuid.UUID,
        seq: int,
        *,
        state: bytes | None = None,
        topic: str | None = None,
        delete: bool = False,
    ) -> None:
        recorder: Any = app.recorder
        old = recorder.select_events(case_id, gt=seq - 1, lte=seq)[0]
        new_state = old.state if state is None else state
        new_topic = old.topic if topic is None else topic
        backend = app.store.backend
        if backend == "memory":
            index = recorder._stored_events_index[str(case_id)]
            if delete:
                del index[seq]
                return
            recorder._stored_events[index[seq]] = StoredEvent(case_id, seq, new_topic, new_state)
        elif backend == "sqlite":
            with recorder.datastore.transaction(commit=True) as c:
                if delete:
                    c.execute(
                        "DELETE FROM casefile_events "
                        "WHERE originator_id=? AND originator_version=?",
                        (case_id.hex, seq),
                    )
                else:
                    c.execute(
                        "UPDATE casefile_events SET state=?, topic=? "
                        "WHERE originator_id=? AND originator_version=?",
                        (new_state, new_topic, case_id.hex, seq),
                    )
        else:
            from psycopg.sql import SQL, Identifier

            table = SQL("{}.{}").format(
                Identifier(recorder.datastore.schema), Identifier("casefile_events")
            )
            with recorder.datastore.transaction(commit=True) as curs:
                if delete:
                    curs.execute(
                        SQL(
                            "DELETE FROM {} WHERE originator_id=%s AND originator_version=%s"
                        ).format(table),
                        (case_id, seq),
                    )
                else:
                    curs.execute(
                        SQL(
                            "UPDATE {} SET state=%s, topic=%s "
                            "WHERE originator_id=%s AND originator_version=%s"
                        ).format(table),
                        (new_state, new_topic, case_id, seq),
                    )

    return rewrite
