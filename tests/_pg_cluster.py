"""A private PostgreSQL cluster for one test session, deleted when the session ends."""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from _postgres import DSN_VARIABLE, Binaries, PostgresUnavailableError, ServerSettings

__all__ = ["ThrowawayCluster"]

_START_ATTEMPTS = 3
_COMMAND_TIMEOUT = 60.0
_SUPERUSER = "postgres"
_APP_ROLE = "casefile"
_APP_DATABASE = "casefile"


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

    def _pg_ctl(self, action: str, *options: str) -> None:
        pg_ctl = [str(self._binaries.pg_ctl), action, "--pgdata", str(self._data)]
        self._run([*pg_ctl, "--wait", "--timeout=30", *options])

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
        initdb = [str(self._binaries.initdb), "--pgdata", str(self._data), "-U", _SUPERUSER]
        # Trust only on the private socket; TCP clients must present the password.
        auth = ["--auth-local=trust", "--auth-host=scram-sha-256"]
        self._run([*initdb, *auth, "--encoding=UTF8", "--locale=C", "--no-sync"])
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
                self._pg_ctl("start", "--log", str(self._log), "-o", f"-p {self._port}")
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
                self._pg_ctl("stop", "--mode=immediate")
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
