"""How the test suite finds or starts PostgreSQL, checked without needing a server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg.conninfo import make_conninfo

from _pg_cluster import ThrowawayCluster
from _postgres import (
    BINDIR_VARIABLE,
    DSN_VARIABLE,
    Binaries,
    PostgresUnavailableError,
    ServerSettings,
    create_schema,
    find_binaries,
    settings_from_dsn,
    settings_from_environment,
)

TESTS_DIR = Path(__file__).resolve().parent


def _install(directory: Path, *names: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        program = directory / name
        program.write_text("#!/bin/sh\nexit 0\n")
        program.chmod(0o755)
    return directory


def test_missing_binaries_are_reported_with_a_remedy(tmp_path: Path) -> None:
    with pytest.raises(PostgresUnavailableError, match=r"apt-get install postgresql"):
        find_binaries(patterns=[str(tmp_path / "*" / "bin")], search_path=str(tmp_path))


def test_newest_installed_version_is_chosen_numerically(tmp_path: Path) -> None:
    for version in ("9.6", "15", "13"):
        _install(tmp_path / version / "bin", "initdb", "pg_ctl")
    found = find_binaries(patterns=[str(tmp_path / "*" / "bin")], search_path="")
    # "9.6" sorts after "15" as text; the major version must decide.
    assert found.initdb == tmp_path / "15" / "bin" / "initdb"


def test_installation_without_pg_ctl_is_passed_over(tmp_path: Path) -> None:
    _install(tmp_path / "16" / "bin", "initdb")
    _install(tmp_path / "15" / "bin", "initdb", "pg_ctl")
    found = find_binaries(patterns=[str(tmp_path / "*" / "bin")], search_path="")
    assert found.pg_ctl == tmp_path / "15" / "bin" / "pg_ctl"


def test_non_executable_programs_are_not_used(tmp_path: Path) -> None:
    bindir = _install(tmp_path / "15" / "bin", "initdb", "pg_ctl")
    (bindir / "pg_ctl").chmod(0o644)
    if os.access(bindir / "pg_ctl", os.X_OK):
        pytest.skip("this user may execute any file (root), so the check cannot be observed")
    with pytest.raises(PostgresUnavailableError):
        find_binaries(patterns=[str(tmp_path / "*" / "bin")], search_path="")


def test_override_directory_is_the_only_place_searched(tmp_path: Path) -> None:
    _install(tmp_path / "15" / "bin", "initdb", "pg_ctl")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PostgresUnavailableError, match=BINDIR_VARIABLE):
        find_binaries(override=str(empty), patterns=[str(tmp_path / "*" / "bin")])


def test_symlinked_initdb_on_path_uses_the_pg_ctl_of_its_own_installation(
    tmp_path: Path,
) -> None:
    real = _install(tmp_path / "pg" / "bin", "initdb", "pg_ctl")
    on_path = tmp_path / "path"
    on_path.mkdir()
    (on_path / "initdb").symlink_to(real / "initdb")
    found = find_binaries(patterns=[], search_path=str(on_path))
    assert found == Binaries(initdb=real / "initdb", pg_ctl=real / "pg_ctl")


def test_no_configured_server_means_a_throwaway_one() -> None:
    assert settings_from_environment({"PATH": "/bin", "CI": "true"}) is None


def test_dsn_takes_precedence_over_postgres_variables() -> None:
    found = settings_from_environment(
        {
            DSN_VARIABLE: "postgresql://alice:pw@db.example:6543/cases",
            "POSTGRES_HOST": "elsewhere",
        }
    )
    assert found == ServerSettings("cases", "db.example", 6543, "alice", "pw")


def test_incomplete_postgres_variables_are_an_error_not_a_fallback() -> None:
    with pytest.raises(PostgresUnavailableError, match="POSTGRES_DBNAME, POSTGRES_USER"):
        settings_from_environment({"POSTGRES_HOST": "db.example"})


def test_postgres_variables_name_a_server() -> None:
    found = settings_from_environment(
        {
            "POSTGRES_DBNAME": "cases",
            "POSTGRES_HOST": "db.example",
            "POSTGRES_USER": "alice",
            "POSTGRES_PASSWORD": "pw",
        }
    )
    assert found == ServerSettings("cases", "db.example", 5432, "alice", "pw")


@pytest.mark.parametrize("port", ["0", "65536", "54a", "-1"])
def test_impossible_port_is_rejected(port: str) -> None:
    with pytest.raises(PostgresUnavailableError, match="port"):
        settings_from_dsn(f"dbname=cases host=db.example user=alice port={port}")


def test_dsn_without_host_is_rejected() -> None:
    with pytest.raises(PostgresUnavailableError, match="host"):
        settings_from_dsn("dbname=cases user=alice")


def test_malformed_dsn_is_rejected() -> None:
    with pytest.raises(PostgresUnavailableError, match=DSN_VARIABLE):
        settings_from_dsn("dbname='unterminated")


# libpq strings end at NUL and must be valid UTF-8; anything else may appear.
_VALUE = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1)
_HOST = st.from_regex(r"[a-z][a-z0-9.-]{0,30}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(dbname=_VALUE, host=_HOST, port=st.integers(1, 65535), user=_VALUE, password=_VALUE)
def test_dsn_values_survive_quoting(
    dbname: str, host: str, port: int, user: str, password: str
) -> None:
    dsn = make_conninfo(dbname=dbname, host=host, port=port, user=user, password=password)
    assert settings_from_dsn(dsn) == ServerSettings(dbname, host, port, user, password)


def test_schema_name_cannot_carry_sql() -> None:
    server = ServerSettings("cases", "127.0.0.1", 1, "alice", "pw")
    with pytest.raises(ValueError, match="identifier"):
        create_schema(server, "x; DROP DATABASE cases")


def test_unknown_server_user_fails_cleanly_and_leaves_nothing(tmp_path: Path) -> None:
    bindir = _install(tmp_path / "bin", "initdb", "pg_ctl")
    work = tmp_path / "work"
    work.mkdir()
    cluster = ThrowawayCluster(
        Binaries(bindir / "initdb", bindir / "pg_ctl"), run_as="no-such-user", base_dir=work
    )
    with pytest.raises(PostgresUnavailableError, match="no 'no-such-user' system user"):
        cluster.start()
    assert list(work.iterdir()) == []


def _probe(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    # A separate pytest process, so the session fixture starts from nothing.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("POSTGRES_") and key not in (DSN_VARIABLE, "CI")
    }
    env[BINDIR_VARIABLE] = str(tmp_path)
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rs",
            str(TESTS_DIR / "test_infrastructure.py"),
            "-k",
            "password_authentication",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=TESTS_DIR.parent,
        timeout=120,
        check=False,
    )


def test_missing_server_fails_under_ci_instead_of_skipping(tmp_path: Path) -> None:
    done = _probe(tmp_path, ci=True)
    assert done.returncode == 1, done.stdout
    assert "PostgreSQL is required when CI=true" in done.stdout


def test_missing_server_skips_with_its_reason_outside_ci(tmp_path: Path) -> None:
    done = _probe(tmp_path, ci=False)
    assert done.returncode == 0, done.stdout
    assert f"PostgreSQL not available: no initdb and pg_ctl in {BINDIR_VARIABLE}" in done.stdout
