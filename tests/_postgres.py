"""PostgreSQL servers for the test suite.

Either a server named by the environment (``CASEFILE_TEST_POSTGRES_DSN``, or the ``POSTGRES_*``
settings that eventsourcing reads), or a private cluster started from the installed server
binaries on a free loopback port and deleted afterwards. Nothing here reads the environment
itself: callers pass the mapping in, so the discovery rules can be tested without a server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = [
    "BINDIR_VARIABLE",
    "DEBIAN_BINDIR_PATTERN",
    "DSN_VARIABLE",
    "Binaries",
    "PostgresUnavailableError",
    "ServerSettings",
    "ThrowawayCluster",
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
_START_ATTEMPTS = 3
_COMMAND_TIMEOUT = 60.0
_SUPERUSER = "postgres"
_APP_ROLE = "casefile"
_APP_DATABASE = "casefile"


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


def _free_port() -> int:
    # The port can be taken again before the server binds it; start() retries on failure.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _conf_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


class ThrowawayCluster:
    """A private PostgreSQL cluster in a temporary directory, reachable on 127.0.0.1 only.

    PostgreSQL refuses to run as root, so when ``run_as`` names a system user the directory is
    handed to that user and every server program runs through ``runuser`` (or ``su``).
    """

    def __init__(
        self, binaries: Binaries, *, run_as: str | None = None, base_dir: Path | None = None
    ) -> None:
        self._binaries = binaries
        self._run_as = run_as
        self._base_dir = base_dir
        self._root: Path | None = None
        self._port = 0
        self.settings: ServerSettings | None = None

    @property
    def _data(self) -> Path:
        if self._root is None:
            raise PostgresUnavailableError("the cluster has not been created")
        return self._root / "data"

    @property
    def _log(self) -> Path:
        return self._data.parent / "server.log"

    def _command(self, argv: Sequence[str]) -> list[str]:
        if self._run_as is None:
            return list(argv)
        if shutil.which("runuser"):
            return ["runuser", "-u", self._run_as, "--", *argv]
        return ["su", self._run_as, "-s", "/bin/sh", "-c", shlex.join(argv)]

    def _run(self, argv: Sequence[str]) -> None:
        command = self._command(argv)
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=_COMMAND_TIMEOUT,
                check=False,
                # The caller's working directory may be unreadable to the server's user.
                cwd=self._root,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailableError(f"{shlex.join(command)} did not run: {exc}") from exc
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip()[-2000:]
            raise PostgresUnavailableError(
                f"{shlex.join(command)} exited with {done.returncode}: {output}"
            )

    def _create(self) -> None:
        self._root = Path(tempfile.mkdtemp(prefix="casefile-pg-", dir=self._base_dir))
        if self._run_as is not None:
            try:
                owner = pwd.getpwnam(self._run_as)
            except KeyError:
                raise PostgresUnavailableError(
                    f"running as root, and there is no {self._run_as!r} system user to run "
                    "PostgreSQL as (it refuses to run as root); install the postgresql package "
                    f"or set {DSN_VARIABLE}"
                ) from None
            os.chown(self._root, owner.pw_uid, owner.pw_gid)
        self._run(
            [
                str(self._binaries.initdb),
                "--pgdata",
                str(self._data),
                "--username",
                _SUPERUSER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        # Durability is irrelevant for a cluster deleted after the run; speed is not.
        settings = {
            "listen_addresses": _conf_string("127.0.0.1"),
            "unix_socket_directories": _conf_string(str(self._root)),
            "password_encryption": _conf_string("scram-sha-256"),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        with (self._data / "postgresql.conf").open("a") as conf:
            conf.write("".join(f"{key} = {value}\n" for key, value in settings.items()))

    def _start(self) -> None:
        failures: list[str] = []
        for _ in range(_START_ATTEMPTS):
            self._port = _free_port()
            try:
                self._run(
                    [
                        str(self._binaries.pg_ctl),
                        "start",
                        "--pgdata",
                        str(self._data),
                        "--log",
                        str(self._log),
                        "--wait",
                        "--timeout=30",
                        "-o",
                        f"-p {self._port}",
                    ]
                )
                return
            except PostgresUnavailableError as exc:
                failures.append(f"{exc}\n{_tail(self._log)}")
        raise PostgresUnavailableError(
            f"the server did not start in {_START_ATTEMPTS} attempts:\n" + "\n".join(failures)
        )

    def _provision(self) -> ServerSettings:
        import psycopg
        from psycopg import sql

        password = secrets.token_hex(16)
        with psycopg.connect(
            dbname="postgres",
            host=str(self._root),
            port=self._port,
            user=_SUPERUSER,
            autocommit=True,
        ) as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                    sql.Identifier(_APP_ROLE), sql.Literal(password)
                )
            )
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(_APP_DATABASE), sql.Identifier(_APP_ROLE)
                )
            )
        settings = ServerSettings(
            dbname=_APP_DATABASE,
            host="127.0.0.1",
            port=self._port,
            user=_APP_ROLE,
            password=password,
        )
        # Prove that the settings handed to tests work over TCP with password authentication.
        with psycopg.connect(settings.conninfo()) as conn:
            conn.execute("SELECT 1")
        return settings

    def start(self) -> ServerSettings:
        """Create, start and provision the cluster; on any failure, clean up and raise."""
        try:
            self._create()
            self._start()
            self.settings = self._provision()
        except Exception as exc:
            self.stop()
            if isinstance(exc, PostgresUnavailableError):
                raise
            raise PostgresUnavailableError(f"the throwaway server failed: {exc!r}") from exc
        return self.settings

    def _server_pid(self) -> int | None:
        try:
            first = (self._data / "postmaster.pid").read_text().splitlines()[0]
        except (OSError, IndexError, PostgresUnavailableError):
            return None
        return int(first) if first.strip().isdigit() else None

    def stop(self) -> None:
        """Stop the server if it runs and delete its directory; safe to call twice."""
        if self._root is None:
            return
        if self._server_pid() is not None:
            try:
                self._run(
                    [
                        str(self._binaries.pg_ctl),
                        "stop",
                        "--pgdata",
                        str(self._data),
                        "--mode=immediate",
                        "--wait",
                        "--timeout=30",
                    ]
                )
            except PostgresUnavailableError:
                # Fall back to the pid the server recorded, never to a process name.
                pid = self._server_pid()
                if pid is not None:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGQUIT)
                    _wait_for_exit(pid, timeout=10.0)
        shutil.rmtree(self._root, ignore_errors=True)
        self._root = None
        self.settings = None

    def __enter__(self) -> ServerSettings:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _wait_for_exit(pid: int, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            pass
        time.sleep(0.05)


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
