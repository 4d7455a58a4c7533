"""The shared store: PostgreSQL (through psycopg), records and disclosures together.

Imported only when a store is configured for PostgreSQL, so the embedded
default needs no database driver.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from casefile.application._recorders import DISCLOSURES_TABLE, EVENTS_TABLE, DisclosureRow

__all__ = ["CasefilePostgresRecorder"]


class CasefilePostgresRecorder(PostgresApplicationRecorder):
    """Records in ``casefile_events``, disclosures in ``casefile_disclosures``."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, events_table_name=EVENTS_TABLE)
        schema = Identifier(self.datastore.schema)
        table = Identifier(DISCLOSURES_TABLE)
        events = Identifier(self.events_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
                "case_id uuid NOT NULL, "
                "seq bigint NOT NULL, "
                "name text NOT NULL, "
                "disclosure bytea NOT NULL, "
                "PRIMARY KEY (case_id, seq, name))"
            ).format(schema=schema, table=table)
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE INDEX IF NOT EXISTS {index} ON {schema}.{events} (notification_id) "
                "WHERE originator_version = 1"
            ).format(index=Identifier(f"{EVENTS_TABLE}_cases_idx"), schema=schema, events=events)
        )
        self._insert_disclosures = SQL(
            "INSERT INTO {schema}.{table} (case_id, seq, name, disclosure) VALUES (%s, %s, %s, %s)"
        ).format(schema=schema, table=table)
        # COLLATE "C" orders names by their UTF-8 bytes whatever the database locale.
        self._select_disclosures = SQL(
            "SELECT disclosure FROM {schema}.{table} "
            'WHERE case_id = %s ORDER BY seq, name COLLATE "C"'
        ).format(schema=schema, table=table)
        self._delete_disclosures = SQL("DELETE FROM {schema}.{table} WHERE case_id = %s").format(
            schema=schema, table=table
        )
        self._select_cases = SQL(
            "SELECT originator_id FROM {schema}.{events} WHERE originator_version = 1 "
            "ORDER BY notification_id"
        ).format(schema=schema, events=events)

    def _insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> None:
        # Runs inside the transaction that then inserts the records: a conflict
        # on either rolls back both.
        rows: Sequence[DisclosureRow] = kwargs.get("disclosures") or ()
        if rows:
            curs.executemany(self._insert_disclosures, list(rows))

    def select_disclosures(self, case_id: uuid.UUID) -> list[bytes]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_disclosures, (case_id,))
            return [bytes(row["disclosure"]) for row in curs.fetchall()]

    def delete_disclosures(
        self,
        case_id: uuid.UUID,
        *,
        seqs: Collection[int] | None = None,
        names: Collection[str] | None = None,
    ) -> int:
        if (seqs is not None and not seqs) or (names is not None and not names):
            return 0
        statement: Composed = self._delete_disclosures
        params: list[Any] = [case_id]
        if seqs is not None:
            statement += SQL(" AND seq = ANY(%s)")
            params.append(list(seqs))
        if names is not None:
            statement += SQL(" AND name = ANY(%s)")
            params.append(list(names))
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(statement, params)
            return curs.rowcount

    def select_case_ids(self) -> list[uuid.UUID]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_cases)
            return [row["originator_id"] for row in curs.fetchall()]
