"""The embedded store: one SQLite file (write-ahead log) holding records, disclosures, index."""

from __future__ import annotations

import contextlib
import random
import sqlite3
import time
import uuid
from collections.abc import Collection, Sequence
from typing import Any, Final

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from casefile.application._index import CaseSummary, IndexEntry, SummaryQuery, summary_values
from casefile.application._recorders import (
    CASE_EXHIBITS_TABLE,
    CASES_TABLE,
    DISCLOSURES_TABLE,
    EVENTS_TABLE,
    DisclosureRow,
    ErasureRow,
    IndexDeriver,
)
from casefile.errors import DuplicateReferenceError

__all__ = ["CasefileSQLiteRecorder", "switch_to_wal"]

_TABLES: Final = (EVENTS_TABLE, DISCLOSURES_TABLE, CASES_TABLE, CASE_EXHIBITS_TABLE)
_COUNT_TABLES: Final = "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN (?,?,?,?)"
_SUMMARY_COLUMNS: Final = (
    "case_id, reference, offence, status, opened_ns, last_activity_ns, officer, records"
)


def switch_to_wal(dbname: str, timeout_s: float) -> None:
    """Put a database file in write-ahead-log mode before the store's first connection does.

    eventsourcing switches a new file to WAL on its first connection. Several
    processes starting on a fresh file at once then race for the exclusive
    lock the switch needs, and SQLite refuses a loser at once ("database is
    locked") rather than let it wait into a deadlock. Here the switch is
    retried, each time from a fresh connection holding no lock, until
    ``timeout_s`` has passed; the mode is kept in the file, so the store's
    own connections find it set.
    """
    if ":memory:" in dbname or "mode=memory" in dbname:
        return
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with contextlib.closing(sqlite3.connect(dbname, timeout=timeout_s)) as conn:
                conn.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.Error as exc:
            if "locked" not in str(exc):
                return  # not this race: the store's own connection reports it
            if time.monotonic() >= deadline:
                raise
        # Apart, so that the processes that collided do not collide again.
        time.sleep(random.uniform(0.005, 0.05))  # noqa: S311 - a back-off, not a secret


class CasefileSQLiteRecorder(SQLiteApplicationRecorder):
    """Records in ``casefile_events``, disclosures in ``casefile_disclosures``, and the index."""

    def __init__(self, datastore: SQLiteDatastore) -> None:
        # Set before the base class builds its CREATE statements from them.
        self.disclosures_table_name = DISCLOSURES_TABLE
        super().__init__(datastore, events_table_name=EVENTS_TABLE)
        # Table names below are module constants, never input: no injection.
        table = self.disclosures_table_name
        self._insert_disclosures = f"INSERT INTO {table} VALUES (?,?,?,?)"  # noqa: S608
        self._select_disclosures = (
            # BINARY collation compares UTF-8 bytes: the order FORMAT.md asks for.
            f"SELECT disclosure FROM {table} "  # noqa: S608
            "WHERE case_id=? ORDER BY seq, name COLLATE BINARY"
        )
        self._select_disclosure = (
            f"SELECT disclosure FROM {table} "  # noqa: S608
            "WHERE case_id=? AND seq=? AND name=?"
        )
        self._select_cases = (
            f"SELECT originator_id FROM {self.events_table_name} "  # noqa: S608
            "WHERE originator_version=1 ORDER BY rowid"
        )

    def create_table(self) -> None:
        # Several processes may start on one file at once. Look first, so a
        # store that has its tables is only read; otherwise create them in a
        # transaction whose first statement writes, so it waits (up to the
        # lock timeout) for the write lock instead of failing on a stale read.
        with self.datastore.transaction(commit=False) as c:
            c.execute(_COUNT_TABLES, _TABLES)
            if c.fetchone()[0] == len(_TABLES):
                return
        with self.datastore.transaction(commit=True) as c:
            self._create_table(c)

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {self.disclosures_table_name} ("
            "case_id TEXT NOT NULL, "
            "seq INTEGER NOT NULL, "
            "name TEXT NOT NULL, "
            "disclosure BLOB NOT NULL, "
            "PRIMARY KEY (case_id, seq, name)) "
            "WITHOUT ROWID"
        )
        statements.append(
            f"CREATE INDEX IF NOT EXISTS {self.events_table_name}_cases "
            f"ON {self.events_table_name} (originator_version) WHERE originator_version=1"
        )
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {CASES_TABLE} ("
            "case_id TEXT PRIMARY KEY, "
            "reference TEXT NOT NULL UNIQUE, "
            "offence TEXT NOT NULL, "
            "status TEXT NOT NULL, "
            "opened_ns INTEGER NOT NULL, "
            "last_activity_ns INTEGER NOT NULL, "
            "officer TEXT NOT NULL, "
            "records INTEGER NOT NULL) "
            "WITHOUT ROWID"
        )
        for column in ("opened_ns", "status", "officer"):
            order = (
                "opened_ns, case_id" if column == "opened_ns" else f"{column}, opened_ns, case_id"
            )
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {CASES_TABLE}_{column} ON {CASES_TABLE} ({order})"
            )
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {CASE_EXHIBITS_TABLE} ("
            "exhibit TEXT NOT NULL, "
            "case_id TEXT NOT NULL, "
            "PRIMARY KEY (exhibit, case_id)) "
            "WITHOUT ROWID"
        )
        return statements

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        rows: Sequence[DisclosureRow] = kwargs.get("disclosures") or ()
        if rows:
            c.executemany(
                self._insert_disclosures,
                [(case_id.hex, seq, name, blob) for case_id, seq, name, blob in rows],
            )
        index: IndexEntry | None = kwargs.get("index")
        if index is not None:
            self._write_index(c, index, replace=False)
        erase: Sequence[ErasureRow] = kwargs.get("erase") or ()
        if erase:
            self._erase_disclosures(c, erase)
        return ids

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        if kwargs.get("erase"):
            self._checkpoint_wal()
        return ids

    def _erase_disclosures(self, c: SQLiteCursor, rows: Sequence[ErasureRow]) -> None:
        # Overwrite freed cells and pages, so erased words do not linger in the file.
        c.execute("PRAGMA secure_delete=ON")
        table = self.disclosures_table_name
        for case_id, seq, name, replacement in rows:
            key = (case_id.hex, seq, name)
            if replacement is None:
                c.execute(
                    f"DELETE FROM {table} WHERE case_id=? AND seq=? AND name=?",  # noqa: S608
                    key,
                )
            else:
                c.execute(
                    f"UPDATE {table} SET disclosure=? "  # noqa: S608
                    "WHERE case_id=? AND seq=? AND name=?",
                    (replacement, *key),
                )

    def _checkpoint_wal(self) -> None:
        # Copy the change into the database file and empty the write-ahead log,
        # which would otherwise still hold the erased words.
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.fetchall()

    def _write_index(self, c: SQLiteCursor, entry: IndexEntry, *, replace: bool) -> None:
        # Runs after the records' insert took the write lock, so the reference
        # check below cannot race another opening.
        summary, case_hex = entry.summary, entry.summary.case_id.hex
        if replace:
            c.execute(f"DELETE FROM {CASES_TABLE} WHERE case_id=?", (case_hex,))  # noqa: S608
        if entry.opening or replace:
            c.execute(
                f"SELECT case_id FROM {CASES_TABLE} WHERE reference=?",  # noqa: S608
                (summary.reference,),
            )
            holder = c.fetchone()
            if holder is not None:
                raise DuplicateReferenceError(summary.reference, str(uuid.UUID(holder[0])))
            c.execute(
                f"INSERT INTO {CASES_TABLE} ({_SUMMARY_COLUMNS}) "  # noqa: S608
                "VALUES (?,?,?,?,?,?,?,?)",
                (case_hex, *summary_values(summary)),
            )
        else:
            c.execute(
                f"UPDATE {CASES_TABLE} SET offence=?, status=?, "  # noqa: S608
                "last_activity_ns=?, records=? WHERE case_id=?",
                (
                    summary.offence,
                    summary.status,
                    summary.last_activity_ns,
                    summary.records,
                    case_hex,
                ),
            )
        if entry.exhibits:
            c.executemany(
                f"INSERT OR IGNORE INTO {CASE_EXHIBITS_TABLE} VALUES (?,?)",  # noqa: S608
                [(ref, case_hex) for ref in sorted(entry.exhibits)],
            )

    def select_case_by_reference(self, reference: str) -> uuid.UUID | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT case_id FROM {CASES_TABLE} WHERE reference=?",  # noqa: S608
                (reference,),
            )
            row = c.fetchone()
        return None if row is None else uuid.UUID(row[0])

    def select_summaries(self, query: SummaryQuery) -> list[CaseSummary]:
        where: list[str] = []
        params: list[Any] = []
        if query.status is not None:
            where.append("status=?")
            params.append(query.status)
        if query.officer is not None:
            where.append("officer=?")
            params.append(query.officer)
        if query.exhibit is not None:
            where.append(
                f"case_id IN (SELECT case_id FROM {CASE_EXHIBITS_TABLE} WHERE exhibit=?)"  # noqa: S608
            )
            params.append(query.exhibit)
        if query.after is not None:
            where.append("(opened_ns, case_id) > (?, ?)")
            params.extend((query.after[0], query.after[1].hex))
        statement = f"SELECT {_SUMMARY_COLUMNS} FROM {CASES_TABLE}"  # noqa: S608
        if where:
            statement += " WHERE " + " AND ".join(where)
        statement += " ORDER BY opened_ns, case_id LIMIT ?"
        params.append(query.limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            rows = c.fetchall()
        return [CaseSummary(uuid.UUID(row[0]), *row[1:]) for row in rows]

    def rebuild_index_entry(self, case_id: uuid.UUID, derive: IndexDeriver) -> None:
        with self.datastore.transaction(commit=True) as c:
            # A write first: it takes the write lock, so no save of this case
            # slips in between reading its records and indexing them.
            c.execute(
                f"DELETE FROM {CASE_EXHIBITS_TABLE} WHERE case_id=?",  # noqa: S608
                (case_id.hex,),
            )
            c.execute(
                f"{self.select_events_statement} ORDER BY originator_version",
                (case_id.hex,),
            )
            stored = [
                StoredEvent(case_id, row["originator_version"], row["topic"], bytes(row["state"]))
                for row in c.fetchall()
            ]
            self._write_index(c, derive(stored), replace=True)

    def select_disclosures(self, case_id: uuid.UUID) -> list[bytes]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_disclosures, (case_id.hex,))
            return [bytes(row[0]) for row in c.fetchall()]

    def select_disclosure(self, case_id: uuid.UUID, seq: int, name: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_disclosure, (case_id.hex, seq, name))
            row = c.fetchone()
            return None if row is None else bytes(row[0])

    def delete_disclosures(
        self,
        case_id: uuid.UUID,
        *,
        seqs: Collection[int] | None = None,
        names: Collection[str] | None = None,
    ) -> int:
        if (seqs is not None and not seqs) or (names is not None and not names):
            return 0
        statement = f"DELETE FROM {self.disclosures_table_name} WHERE case_id=?"  # noqa: S608
        params: list[Any] = [case_id.hex]
        if seqs is not None:
            statement += f" AND seq IN ({','.join('?' * len(seqs))})"
            params.extend(seqs)
        if names is not None:
            statement += f" AND name IN ({','.join('?' * len(names))})"
            params.extend(names)
        with self.datastore.transaction(commit=True) as c:
            # Overwrite freed pages, so erased values do not linger in the file.
            c.execute("PRAGMA secure_delete=ON")
            c.execute(statement, params)
            erased: int = c.sqlite_cursor.rowcount
        self._checkpoint_wal()
        return erased

    def select_case_ids(self) -> list[uuid.UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_cases)
            return [uuid.UUID(row[0]) for row in c.fetchall()]
