"""Which case store a command reads: an SQLite file or a PostgreSQL database.

Store failures (a file that is not a database, a missing table, a refused
connection) become :class:`~casefile.errors.InputError`, so the command line
reports them in one line. eventsourcing is imported only by the commands that
need a store, so ``casefile verify`` starts without it.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

from casefile._readfile import read_regular_file
from casefile.cli._secrets import read_passphrase_file
from casefile.cli._text import one_line
from casefile.errors import InputError
from casefile.signing import TrustStore

if TYPE_CHECKING:
    from casefile.application import CasefileApp, StoreConfig
    from casefile.events import Investigation

__all__ = [
    "add_store_arguments",
    "find_case",
    "named_case",
    "open_app",
    "store_config",
    "store_errors",
    "store_label",
]

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
# A command waits this long for PostgreSQL (the library's default, 30 s, is for servers).
_CONNECT_TIMEOUT_S: Final = 10


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    """``--db FILE``, or the ``--postgres-*`` options of a PostgreSQL database."""
    group = parser.add_argument_group("case store (one of)")
    group.add_argument("--db", type=Path, metavar="FILE", help="an SQLite case store file")
    group.add_argument("--postgres-dbname", metavar="NAME", help="a PostgreSQL database name")
    group.add_argument("--postgres-host", default="localhost", metavar="HOST")
    group.add_argument("--postgres-port", type=int, default=5432, metavar="PORT")
    group.add_argument("--postgres-user", default="casefile", metavar="USER")
    group.add_argument(
        "--postgres-password-file", type=Path, metavar="FILE", help="first line: the password"
    )
    group.add_argument("--postgres-schema", default="", metavar="SCHEMA")
    group.add_argument(
        "--postgres-connect-timeout",
        type=int,
        default=_CONNECT_TIMEOUT_S,
        metavar="SECONDS",
        help="give up connecting after this long (default: %(default)s)",
    )


def store_config(args: argparse.Namespace) -> StoreConfig:
    """The store the arguments name; an existing one only (nothing is created)."""
    from casefile.application import StoreConfig

    if (args.db is None) == (args.postgres_dbname is None):
        raise InputError("name one case store: --db FILE or --postgres-dbname NAME")
    if args.db is not None:
        path: Path = args.db
        try:
            magic = read_regular_file(path, limit=len(_SQLITE_MAGIC), what="case store")
        except OSError as exc:
            raise InputError(f"{path}: cannot open the case store ({exc.strerror})") from None
        if magic[: len(_SQLITE_MAGIC)] != _SQLITE_MAGIC:
            raise InputError(f"{path}: not an SQLite database")
        settings = dict(StoreConfig.sqlite(path).settings)
        settings["CREATE_TABLE"] = "false"  # reading must not change the file
        return StoreConfig.from_settings(settings)
    password = ""
    if args.postgres_password_file is not None:
        password = read_passphrase_file(args.postgres_password_file).decode("utf-8", "replace")
    if not 1 <= args.postgres_connect_timeout <= 3600:
        raise InputError("--postgres-connect-timeout: 1 to 3600 seconds")
    try:
        config = StoreConfig.postgres(
            dbname=args.postgres_dbname,
            host=args.postgres_host,
            port=args.postgres_port,
            user=args.postgres_user,
            password=password,
            schema=args.postgres_schema,
            connect_timeout_s=args.postgres_connect_timeout,
        )
    except ValueError as exc:
        raise InputError(f"PostgreSQL settings: {exc}") from None
    settings = dict(config.settings)
    settings["CREATE_TABLE"] = "false"
    return StoreConfig.from_settings(settings)


@contextlib.contextmanager
def store_errors(config: StoreConfig) -> Iterator[None]:
    """Turn database failures inside the block into one-line InputErrors naming the store."""
    from eventsourcing.persistence import PersistenceError

    where = f"case store {store_label(config)}"

    try:
        yield
    except (PersistenceError, sqlite3.Error) as exc:
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if config is not None and "couldn't get a connection" in problem:
            # The pool keeps retrying and says only that it gave up: one direct attempt
            # says why (refused, unknown host, wrong password).
            problem += _connect_failure(config)
        if "no such table" in problem or "does not exist" in problem:
            problem += " (not a casefile store, or an empty one"
            if "casefile_case" in problem:
                # The records may be there: only the derived index is missing.
                problem += (
                    ", or one written before the case index: rebuild that once with "
                    "CasefileApp.rebuild_case_index"
                )
            problem += ")"
        raise InputError(f"{where}: {problem}") from None
    except ImportError as exc:
        raise InputError(
            f"{where}: {exc.name or exc} is not installed "
            "(PostgreSQL needs the extra: pip install 'casefile[postgres]')"
        ) from None


def _connect_failure(config: StoreConfig) -> str:
    settings = config.settings
    try:
        import psycopg

        psycopg.connect(
            dbname=settings.get("POSTGRES_DBNAME", ""),
            host=settings.get("POSTGRES_HOST", ""),
            port=settings.get("POSTGRES_PORT", ""),
            user=settings.get("POSTGRES_USER", ""),
            password=settings.get("POSTGRES_PASSWORD", ""),
            connect_timeout=5,
        ).close()
    except Exception as exc:  # any reason is worth showing; none is fatal here
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        return f" ({one_line(lines[0])})" if lines else ""
    return ""


def store_label(config: StoreConfig) -> str:
    """The store as a person names it: the SQLite file, or the PostgreSQL database and host."""
    settings = config.settings
    if "SQLITE_DBNAME" in settings:
        return settings["SQLITE_DBNAME"]
    host = settings.get("POSTGRES_HOST", "")
    port = settings.get("POSTGRES_PORT", "")
    return f"PostgreSQL {settings.get('POSTGRES_DBNAME', '')}@{host}:{port}"


@contextlib.contextmanager
def open_app(config: StoreConfig, trust: TrustStore) -> Iterator[CasefileApp]:
    """The application over ``config``, closed when the block ends (use inside
    :func:`store_errors`).

    Closing matters for PostgreSQL: the connection pool's threads are stopped here,
    not by the garbage collector at some later point, possibly from one of those threads.
    """
    from casefile.application import CasefileApp

    app = CasefileApp(store=config, trust=trust)
    try:
        yield app
    finally:
        app.close()


def find_case(app: CasefileApp, text: str, config: StoreConfig) -> uuid.UUID:
    """The case named by ``text``: its UUID, or its reference (URN) found in the case index.

    ``config`` is the store ``app`` reads, named in the errors (a user with
    several stores must see which one lacks the case).

    The index is derived data, so the case it names is authenticated and must
    say, in its signed first record, that it has this reference. References
    are unique in a store: the case index refuses a second case under one.
    """
    return _resolve(app, text, config)[0]


def named_case(app: CasefileApp, text: str, config: StoreConfig) -> Investigation:
    """The case named by ``text`` (as :func:`find_case`), authenticated and loaded once."""
    case_id, loaded = _resolve(app, text, config)
    return app.get_case(case_id) if loaded is None else loaded


def _resolve(
    app: CasefileApp, text: str, config: StoreConfig
) -> tuple[uuid.UUID, Investigation | None]:
    """The case's id, and the case itself if it had to be loaded to authenticate the lookup."""
    from casefile.errors import UnknownReferenceError

    where = one_line(store_label(config))
    if not text:
        raise InputError("--case: give a case id (UUID) or reference, not an empty string")
    try:
        wanted = uuid.UUID(text)
    except ValueError:
        wanted = None
    if wanted is not None:
        if not app.recorder.select_events(wanted, limit=1):
            raise InputError(f"case {wanted} is not in the case store {where}")
        return wanted, None
    try:
        case_id = app.find_case(text)
    except UnknownReferenceError:
        raise InputError(
            f"no case with id or reference {one_line(text)!r} in the case store {where}"
        ) from None
    # Only authenticated records decide: the index is a way to find them.
    case = app.get_case(case_id)
    if case.reference != text:
        raise InputError(
            f"the case index of {where} names case {case_id} for reference {one_line(text)!r}, "
            "but its records do not: rebuild the index (CasefileApp.rebuild_case_index)"
        )
    return case_id, case
