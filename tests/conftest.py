"""Shared fixtures: the persistence backends.

Only fixtures live here (no hooks, nothing autouse), so a test sees none of it unless it asks.

PostgreSQL comes from ``CASEFILE_TEST_POSTGRES_DSN`` or the ``POSTGRES_*`` variables when set,
otherwise from a throwaway cluster started once per session. When no server can be had, tests
that need one fail under ``CI=true`` and are skipped elsewhere, with the reason.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

# Top-level imports work because tests/ is not a package: pytest puts this directory on sys.path.
from _pg_cluster import ThrowawayCluster
from _postgres import (
    BINDIR_VARIABLE,
    PostgresUnavailableError,
    ServerSettings,
    create_schema,
    drop_schema,
    find_binaries,
    settings_from_environment,
)


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


def _unavailable(what: str, reason: str) -> NoReturn:
    if _in_ci():
        pytest.fail(f"{what} is required when CI=true: {reason}", pytrace=False)
    pytest.skip(f"{what} not available: {reason}")


def _external_or_throwaway() -> tuple[ServerSettings, ThrowawayCluster | None]:
    external = settings_from_environment(os.environ)
    if external is not None:
        return external, None
    binaries = find_binaries(
        override=os.environ.get(BINDIR_VARIABLE) or None,
        search_path=os.environ.get("PATH", ""),
    )
    # PostgreSQL refuses to run as root; Debian's package creates this user for it.
    cluster = ThrowawayCluster(binaries, run_as="postgres" if os.geteuid() == 0 else None)
    return cluster.start(), cluster


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ServerSettings]:
    """Connection settings for a PostgreSQL server that lives for the whole session."""
    try:
        settings, cluster = _external_or_throwaway()
    except PostgresUnavailableError as exc:
        reason = str(exc)
    else:
        try:
            yield settings
        finally:
            if cluster is not None:
                cluster.stop()
        return
    # Outside the handler, so the report shows the reason rather than a chained traceback.
    _unavailable("PostgreSQL", reason)


@pytest.fixture(scope="session")
def postgres_env(postgres_server: ServerSettings) -> dict[str, str]:
    """eventsourcing settings (``PERSISTENCE_MODULE``, ``POSTGRES_*``) for the session's server.

    Every test using these shares one database; use ``fresh_postgres_env`` for isolation.
    """
    return postgres_server.as_env()


@pytest.fixture
def fresh_postgres_env(postgres_server: ServerSettings) -> Iterator[dict[str, str]]:
    """eventsourcing settings pointing at a new, empty schema that is dropped afterwards."""
    schema = f"test_{secrets.token_hex(6)}"
    create_schema(postgres_server, schema)
    try:
        yield postgres_server.as_env(schema=schema)
    finally:
        drop_schema(postgres_server, schema)


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    """eventsourcing settings for a new SQLite file in the test's temporary directory."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(tmp_path / "events.sqlite"),
    }


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def persistence_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Run the requesting test once per durable backend, each time on empty storage."""
    name = "fresh_postgres_env" if request.param == "postgres" else "sqlite_env"
    env: dict[str, str] = request.getfixturevalue(name)
    return env
