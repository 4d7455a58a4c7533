"""Which PostgreSQL server the test suite uses, and where the server programs are.

Either a server named by the environment (``CASEFILE_TEST_POSTGRES_DSN``, or the ``POSTGRES_*``
settings that eventsourcing reads), or a private cluster started from the installed server
binaries (see ``_pg_cluster``). Nothing here reads the environment itself: callers pass the
mapping in, so the discovery rules can be tested without a server.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BINDIR_VARIABLE",
    "DEBIAN_BINDIR_PATTERN",
    "DSN_VARIABLE",
    "Binaries",
    "PostgresUnavailableError",
    "ServerSettings",
    "create_schema",
    "drop_schema",
    "find_binaries",
    "settings_from_dsn",
    "settings_from_environment",
]

DSN_VARIABLE = "CASEFILE_TEST_POSTGRES_DSN"
"""Names a running server to use instead of starting one (libpq key=value or URI form)."""

BINDIR_VARIABLE = "CASEFILE_TEST_PG_BINDIR"
"""Names the only directory searched for initdb and pg_ctl (for non-standard installs)."""

DEBIAN_BINDIR_PATTERN = "/usr/lib/postgresql/*/bin"
"""Where Debian's postgresql packages put the server binaries (initdb is not on PATH there)."""

_ENV_KEYS = (
    "POSTGRES_DBNAME",
    "POSTGRES_HOST",
    "POSTGRES_PORT",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
)


class PostgresUnavailableError(Exception):
    """No PostgreSQL server can be used; the message says why and how to provide one."""


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Where and as whom to connect: the values eventsourcing's PostgreSQL factory needs."""

    dbname: str
    host: str
    port: int
    user: str
    password: str

    def as_env(self, *, schema: str = "") -> dict[str, str]:
        """Return the eventsourcing settings for this server (for ``Application(env=...)``)."""
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
        }
        if schema:
            env["POSTGRES_SCHEMA"] = schema
        return env

    def conninfo(self) -> str:
        """Return a libpq connection string for ``psycopg.connect``."""
        from psycopg.conninfo import make_conninfo

        return make_conninfo(
            dbname=self.dbname,
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            connect_timeout=10,
        )


@dataclass(frozen=True, slots=True)
class Binaries:
    """The server programs of one PostgreSQL installation."""

    initdb: Path
    pg_ctl: Path


def _parse_port(value: str, source: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise PostgresUnavailableError(f"{source}: port {value!r} is not a TCP port number")
    return int(value)


def settings_from_dsn(dsn: str) -> ServerSettings:
    """Parse a libpq connection string (key=value or URI) naming an existing server."""
    # psycopg is imported here so the discovery rules stay importable without it.
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(dsn)
    except Exception as exc:  # psycopg raises ProgrammingError; keep the message short
        raise PostgresUnavailableError(f"{DSN_VARIABLE} is not a connection string: {exc}") from exc
    missing = [key for key in ("dbname", "host", "user") if not parts.get(key)]
    if missing:
        raise PostgresUnavailableError(f"{DSN_VARIABLE} does not name: {', '.join(missing)}")
    return ServerSettings(
        dbname=str(parts["dbname"]),
        host=str(parts["host"]),
        port=_parse_port(str(parts.get("port") or "5432"), DSN_VARIABLE),
        user=str(parts["user"]),
        password=str(parts.get("password") or ""),
    )


def settings_from_environment(environ: Mapping[str, str]) -> ServerSettings | None:
    """Return the externally provided server, or None when a throwaway one should be started.

    The DSN variable wins over the ``POSTGRES_*`` variables; setting any of the latter means
    "use that server", so an incomplete set is an error rather than a silent fallback.
    """
    dsn = environ.get(DSN_VARIABLE, "").strip()
    if dsn:
        return settings_from_dsn(dsn)
    given = {key: environ[key] for key in _ENV_KEYS if environ.get(key)}
    if not given:
        return None
    missing = [
        key for key in ("POSTGRES_DBNAME", "POSTGRES_HOST", "POSTGRES_USER") if key not in given
    ]
    if missing:
        raise PostgresUnavailableError(
            f"POSTGRES_* settings are incomplete, missing: {', '.join(missing)}"
        )
    return ServerSettings(
        dbname=given["POSTGRES_DBNAME"],
        host=given["POSTGRES_HOST"],
        port=_parse_port(given.get("POSTGRES_PORT", "5432"), "POSTGRES_PORT"),
        user=given["POSTGRES_USER"],
        password=given.get("POSTGRES_PASSWORD", ""),
    )


def _version_key(directory: str) -> tuple[int, ...]:
    # Debian names the directory after the major version; the newest one wins.
    return tuple(int(part) for part in re.findall(r"\d+", directory)) or (0,)


def _binaries_in(directory: Path) -> Binaries | None:
    initdb, pg_ctl = directory / "initdb", directory / "pg_ctl"
    if all(p.is_file() and os.access(p, os.X_OK) for p in (initdb, pg_ctl)):
        return Binaries(initdb=initdb, pg_ctl=pg_ctl)
    return None


def find_binaries(
    *,
    override: str | None = None,
    patterns: Sequence[str] = (DEBIAN_BINDIR_PATTERN,),
    search_path: str | None = None,
) -> Binaries:
    """Locate initdb and pg_ctl from one installation.

    ``override`` (a directory) is the only place searched when given. Otherwise the
    directories matching ``patterns`` are tried newest version first, then ``search_path``
    (a PATH-style string), where initdb is resolved through symlinks so that pg_ctl and the
    server come from the same installation.
    """
    if override:
        found = _binaries_in(Path(override))
        if found is None:
            raise PostgresUnavailableError(f"no initdb and pg_ctl in {BINDIR_VARIABLE}={override}")
        return found
    candidates: list[str] = []
    for pattern in patterns:
        candidates.extend(sorted(glob.glob(pattern), key=_version_key, reverse=True))
    for directory in candidates:
        found = _binaries_in(Path(directory))
        if found is not None:
            return found
    on_path = shutil.which("initdb", path=search_path) if search_path is not None else None
    if on_path is not None:
        found = _binaries_in(Path(on_path).resolve().parent)
        if found is not None:
            return found
    searched = ", ".join([*patterns, "PATH"])
    raise PostgresUnavailableError(
        f"no PostgreSQL server binaries (initdb, pg_ctl) found in {searched}; install them "
        f"(Debian: apt-get install postgresql) or set {DSN_VARIABLE} to a running server"
    )


def _identifier_ok(name: str) -> bool:
    return re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name) is not None


def create_schema(settings: ServerSettings, name: str) -> None:
    """Create an empty schema owned by the settings' user."""
    _schema_statement(settings, ("CREATE SCHEMA {}",), name)


def drop_schema(settings: ServerSettings, name: str) -> None:
    """Drop a schema and everything in it, without waiting long for locks held by stray apps."""
    _schema_statement(
        settings, ("SET lock_timeout = '5s'", "DROP SCHEMA IF EXISTS {} CASCADE"), name
    )


def _schema_statement(settings: ServerSettings, statements: Iterable[str], name: str) -> None:
    import psycopg
    from psycopg import sql

    if not _identifier_ok(name):
        raise ValueError(f"schema name {name!r} is not a plain lower-case identifier")
    with psycopg.connect(settings.conninfo(), autocommit=True) as conn:
        for statement in statements:
            conn.execute(sql.SQL(statement).format(sql.Identifier(name)))
