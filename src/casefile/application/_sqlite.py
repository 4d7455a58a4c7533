"""The embedded store: one SQLite file (write-ahead log), records and disclosures together."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from casefile.application._recorders import DISCLOSURES_TABLE, EVENTS_TABLE, DisclosureRow

__all__ = ["CasefileSQLiteRecorder"]


class CasefileSQLiteRecorder(SQLiteApplicationRecorder):
    """Records in ``casefile_events``, disclosures in ``casefile_disclosures``."""

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
        self._select_cases = (
            f"SELECT originator_id FROM {self.events_table_name} "  # noqa: S608
            "WHERE originator_version=1 ORDER BY rowid"
        )

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
        return ids

    def select_disclosures(self, case_id: uuid.UUID) -> list[bytes]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_disclosures, (case_id.hex,))
            return [bytes(row[0]) for row in c.fetchall()]

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
        # Copy the change into the database file and empty the write-ahead log,
        # which would otherwise still hold the erased values.
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.fetchall()
        return erased

    def select_case_ids(self) -> list[uuid.UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_cases)
            return [uuid.UUID(row[0]) for row in c.fetchall()]
