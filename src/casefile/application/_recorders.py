"""What the application needs from a store: records, disclosures kept apart, a case index.

Each backend (in-memory, SQLite, PostgreSQL) extends eventsourcing's
application recorder with a ``casefile_disclosures`` table and the case index
(``casefile_cases``, ``casefile_case_exhibits``), written in the same
transaction as the records (the ``disclosures`` and ``index`` keywords of
``insert_events``), so a save stores all of them or none.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol

from eventsourcing.persistence import StoredEvent

from casefile.application._index import CaseSummary, IndexEntry, SummaryQuery

__all__ = [
    "CASES_TABLE",
    "CASE_EXHIBITS_TABLE",
    "DISCLOSURES_TABLE",
    "EVENTS_TABLE",
    "CaseRecorder",
    "DisclosureRow",
    "ErasureRow",
    "IndexDeriver",
]

#: Table names; PostgreSQL puts them in the configured schema.
EVENTS_TABLE = "casefile_events"
DISCLOSURES_TABLE = "casefile_disclosures"
CASES_TABLE = "casefile_cases"
CASE_EXHIBITS_TABLE = "casefile_case_exhibits"

#: Given a case's stored records (read under the writers' lock), authenticate
#: them and return the case's index entry.
IndexDeriver = Callable[[Sequence[StoredEvent]], IndexEntry]

#: One stored disclosure: case id, record sequence number, field name, disclosure bytes.
DisclosureRow = tuple[uuid.UUID, int, str, bytes]
#: One erasure: the disclosure (case id, seq, field) and what replaces it (None: nothing).
ErasureRow = tuple[uuid.UUID, int, str, bytes | None]


class CaseRecorder(Protocol):
    """An eventsourcing application recorder that also keeps disclosures."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Store records, ``disclosures`` (rows) and ``index`` (an entry), in one transaction.

        ``erase`` (erasure rows) replaces or deletes stored disclosures in the
        same transaction, so an erasure and its record are stored together or
        not at all; the backend then overwrites what it freed (SQLite) or
        leaves it to the operator's VACUUM (PostgreSQL: see the README).

        Raises eventsourcing's ``IntegrityError`` if a record's place is taken
        (another writer was first), and
        :class:`~casefile.errors.DuplicateReferenceError` if an opening entry's
        reference belongs to another case.
        """
        ...

    def select_events(
        self,
        originator_id: uuid.UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """A case's stored records in sequence order."""
        ...

    def select_disclosures(self, case_id: uuid.UUID) -> list[bytes]:
        """A case's disclosures, sorted by (seq, name)."""
        ...

    def select_disclosure(self, case_id: uuid.UUID, seq: int, name: str) -> bytes | None:
        """The disclosure stored for field ``name`` of record ``seq``, or None."""
        ...

    def delete_disclosures(
        self,
        case_id: uuid.UUID,
        *,
        seqs: Collection[int] | None = None,
        names: Collection[str] | None = None,
    ) -> int:
        """Erase a case's disclosures of records ``seqs`` and fields ``names`` (None: any)."""
        ...

    def select_case_ids(self) -> list[uuid.UUID]:
        """Ids of every case, in the order they were opened."""
        ...

    def select_case_by_reference(self, reference: str) -> uuid.UUID | None:
        """The id of the case the index holds under ``reference``, or None."""
        ...

    def select_summaries(self, query: SummaryQuery) -> list[CaseSummary]:
        """One page of the index in opening order, filtered by ``query``."""
        ...

    def rebuild_index_entry(self, case_id: uuid.UUID, derive: IndexDeriver) -> None:
        """Replace the case's index entry with ``derive(records)``, writers held off meanwhile."""
        ...
