"""The shared store: PostgreSQL (through psycopg), records, disclosures and index together.

Imported only when a store is configured for PostgreSQL, so the embedded
default needs no database driver.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any, Final

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Composed, Identifier

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

__all__ = ["CasefilePostgresRecorder"]

# Serialises schema creation across processes (pg_advisory_xact_lock's key
# space is the database's; this constant is casefile's "create tables" lock).
_SCHEMA_LOCK: Final = 0x63617365_66696C65  # "casefile"
_TABLES: Final = (EVENTS_TABLE, DISCLOSURES_TABLE, CASES_TABLE, CASE_EXHIBITS_TABLE)
_SUMMARY_COLUMNS: Final = SQL(
    "case_id, reference, offence, status, opened_ns, last_activity_ns, officer, records"
)


class CasefilePostgresRecorder(PostgresApplicationRecorder):
    """Records in ``casefile_events``, disclosures in ``casefile_disclosures``, and the index."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, events_table_name=EVENTS_TABLE)
        # casefile refuses POSTGRES_ENABLE_DB_FUNCTIONS: the insert function is
        # never called, and replacing it on every start only races other starts.
        self.sql_create_statements.remove(self.sql_create_pg_function_insert_events)
        schema = Identifier(self.datastore.schema)
        table = Identifier(DISCLOSURES_TABLE)
        events = Identifier(self.events_table_name)
        cases = SQL("{}.{}").format(schema, Identifier(CASES_TABLE))
        exhibits = SQL("{}.{}").format(schema, Identifier(CASE_EXHIBITS_TABLE))
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
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {cases} ("
                "case_id uuid PRIMARY KEY, "
                "reference text NOT NULL UNIQUE, "
                "offence text NOT NULL, "
                "status text NOT NULL, "
                "opened_ns bigint NOT NULL, "
                "last_activity_ns bigint NOT NULL, "
                "officer text NOT NULL, "
                "records bigint NOT NULL)"
            ).format(cases=cases)
        )
        for column in ("opened_ns", "status", "officer"):
            order = (
                ["opened_ns", "case_id"]
                if column == "opened_ns"
                else [column, "opened_ns", "case_id"]
            )
            self.sql_create_statements.append(
                SQL("CREATE INDEX IF NOT EXISTS {index} ON {cases} ({order})").format(
                    index=Identifier(f"{CASES_TABLE}_{column}_idx"),
                    cases=cases,
                    order=SQL(", ").join(Identifier(c) for c in order),
                )
            )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {exhibits} ("
                "exhibit text NOT NULL, "
                "case_id uuid NOT NULL, "
                "PRIMARY KEY (exhibit, case_id))"
            ).format(exhibits=exhibits)
        )
        self._insert_disclosures = SQL(
            "INSERT INTO {schema}.{table} (case_id, seq, name, disclosure) VALUES (%s, %s, %s, %s)"
        ).format(schema=schema, table=table)
        # COLLATE "C" orders names by their UTF-8 bytes whatever the database locale.
        self._select_disclosures = SQL(
            "SELECT disclosure FROM {schema}.{table} "
            'WHERE case_id = %s ORDER BY seq, name COLLATE "C"'
        ).format(schema=schema, table=table)
        self._select_disclosure = SQL(
            "SELECT disclosure FROM {schema}.{table} WHERE case_id = %s AND seq = %s AND name = %s"
        ).format(schema=schema, table=table)
        self._delete_disclosures = SQL("DELETE FROM {schema}.{table} WHERE case_id = %s").format(
            schema=schema, table=table
        )
        self._replace_disclosure = SQL(
            "UPDATE {schema}.{table} SET disclosure = %s "
            "WHERE case_id = %s AND seq = %s AND name = %s"
        ).format(schema=schema, table=table)
        self._select_cases = SQL(
            "SELECT originator_id FROM {schema}.{events} WHERE originator_version = 1 "
            "ORDER BY notification_id"
        ).format(schema=schema, events=events)
        self._cases, self._exhibits = cases, exhibits
        self._reference_holder = SQL("SELECT case_id FROM {} WHERE reference = %s").format(cases)

    # --- schema -----------------------------------------------------------------

    def create_table(self) -> None:
        # Several app servers may start at once. A store that has its tables is
        # only read; otherwise one transaction at a time (an advisory lock held
        # to its end) creates what is missing, so concurrent DDL never collides
        # (no "tuple concurrently updated", no duplicate pg_type rows).
        with self.datastore.transaction(commit=False) as curs:
            complete = self._schema_complete(curs)
        if not complete:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                # Read committed: this sees what the lock's previous holder created.
                if not self._schema_complete(curs):
                    self._create_missing(curs)
        self.datastore.register_type_adapters()

    def _create_missing(self, curs: Cursor[DictRow]) -> None:
        for statement in self.sql_create_statements:
            # CREATE TYPE has no IF NOT EXISTS.
            if "CREATE TYPE" in statement.as_string() and self._type_exists(curs):
                continue
            curs.execute(statement, prepare=False)

    def _schema_complete(self, curs: Cursor[DictRow]) -> bool:
        curs.execute(
            "SELECT count(*) AS n FROM pg_catalog.pg_tables WHERE schemaname = %s "
            "AND tablename = ANY(%s)",
            (self.datastore.schema, list(_TABLES)),
        )
        row = curs.fetchone()
        return row is not None and row["n"] == len(_TABLES) and self._type_exists(curs)

    def _type_exists(self, curs: Cursor[DictRow]) -> bool:
        curs.execute(
            "SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n "
            "ON n.oid = t.typnamespace WHERE n.nspname = %s AND t.typname = %s",
            (self.datastore.schema, self.stored_event_type_name),
        )
        return curs.fetchone() is not None

    # --- writing ----------------------------------------------------------------

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # One plain transaction, records first. eventsourcing pipelines the
        # statements, so a clash on a disclosure queued before the records came
        # back as "pipeline aborted", retried for seconds, instead of the
        # IntegrityError of a taken record place.
        with self.datastore.transaction(commit=True) as curs:
            self._insert_stored_events(curs, stored_events, **kwargs)
            ids = self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            rows: Sequence[DisclosureRow] = kwargs.get("disclosures") or ()
            if rows:
                curs.executemany(self._insert_disclosures, list(rows))
            index: IndexEntry | None = kwargs.get("index")
            if index is not None:
                self._write_index(curs, index, replace=False)
            erase: Sequence[ErasureRow] = kwargs.get("erase") or ()
            if erase:
                self._erase_disclosures(curs, erase)
        return ids

    def _erase_disclosures(self, curs: Cursor[DictRow], rows: Sequence[ErasureRow]) -> None:
        # The old row versions stay in the table's pages until the operator's
        # VACUUM FULL rewrites it (README: erasure on PostgreSQL).
        for case_id, seq, name, replacement in rows:
            if replacement is None:
                curs.execute(
                    self._delete_disclosures + SQL(" AND seq = %s AND name = %s"),
                    (case_id, seq, name),
                )
            else:
                curs.execute(self._replace_disclosure, (replacement, case_id, seq, name))

    def _write_index(self, curs: Cursor[DictRow], entry: IndexEntry, *, replace: bool) -> None:
        # Runs with the events table locked against other writers, so the
        # reference check below cannot race another opening.
        summary = entry.summary
        if replace:
            curs.execute(
                SQL("DELETE FROM {} WHERE case_id = %s").format(self._cases), (summary.case_id,)
            )
        if entry.opening or replace:
            curs.execute(self._reference_holder, (summary.reference,))
            holder = curs.fetchone()
            if holder is not None:
                raise DuplicateReferenceError(summary.reference, str(holder["case_id"]))
            curs.execute(
                SQL("INSERT INTO {} ({}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)").format(
                    self._cases, _SUMMARY_COLUMNS
                ),
                (summary.case_id, *summary_values(summary)),
            )
        else:
            curs.execute(
                SQL(
                    "UPDATE {} SET offence = %s, status = %s, last_activity_ns = %s, "
                    "records = %s WHERE case_id = %s"
                ).format(self._cases),
                (
                    summary.offence,
                    summary.status,
                    summary.last_activity_ns,
                    summary.records,
                    summary.case_id,
                ),
            )
        if entry.exhibits:
            curs.executemany(
                SQL(
                    "INSERT INTO {} (exhibit, case_id) VALUES (%s, %s) ON CONFLICT DO NOTHING"
                ).format(self._exhibits),
                [(ref, summary.case_id) for ref in sorted(entry.exhibits)],
            )

    def rebuild_index_entry(self, case_id: uuid.UUID, derive: IndexDeriver) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # The writers' lock: no save of this case slips in between reading
            # its records and indexing them.
            self._lock_table(curs)
            curs.execute(
                SQL("DELETE FROM {} WHERE case_id = %s").format(self._exhibits), (case_id,)
            )
            curs.execute(
                self.select_events_statement + SQL(" ORDER BY originator_version"), (case_id,)
            )
            stored = [
                StoredEvent(case_id, row["originator_version"], row["topic"], bytes(row["state"]))
                for row in curs.fetchall()
            ]
            self._write_index(curs, derive(stored), replace=True)

    # --- reading ----------------------------------------------------------------

    def select_case_by_reference(self, reference: str) -> uuid.UUID | None:
        # One statement: autocommit, no transaction round trips.
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._reference_holder, (reference,), prepare=True)
            row = curs.fetchone()
        return None if row is None else uuid.UUID(str(row["case_id"]))

    def select_summaries(self, query: SummaryQuery) -> list[CaseSummary]:
        where: list[Composable] = []
        params: list[Any] = []
        if query.status is not None:
            where.append(SQL("status = %s"))
            params.append(query.status)
        if query.officer is not None:
            where.append(SQL("officer = %s"))
            params.append(query.officer)
        if query.exhibit is not None:
            where.append(
                SQL("case_id IN (SELECT case_id FROM {} WHERE exhibit = %s)").format(self._exhibits)
            )
            params.append(query.exhibit)
        if query.after is not None:
            where.append(SQL("(opened_ns, case_id) > (%s, %s)"))
            params.extend(query.after)
        statement = SQL("SELECT {} FROM {}").format(_SUMMARY_COLUMNS, self._cases)
        if where:
            statement += SQL(" WHERE ") + SQL(" AND ").join(where)
        statement += SQL(" ORDER BY opened_ns, case_id LIMIT %s")
        params.append(query.limit)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            rows = curs.fetchall()
        return [
            CaseSummary(
                case_id=row["case_id"],
                reference=row["reference"],
                offence=row["offence"],
                status=row["status"],
                opened_ns=row["opened_ns"],
                last_activity_ns=row["last_activity_ns"],
                officer=row["officer"],
                records=row["records"],
            )
            for row in rows
        ]

    def select_disclosures(self, case_id: uuid.UUID) -> list[bytes]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_disclosures, (case_id,))
            return [bytes(row["disclosure"]) for row in curs.fetchall()]

    def select_disclosure(self, case_id: uuid.UUID, seq: int, name: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_disclosure, (case_id, seq, name))
            row = curs.fetchone()
            return None if row is None else bytes(row["disclosure"])

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
