"""What the application needs from a store: records, disclosures kept apart, case ids.

Each backend (in-memory, SQLite, PostgreSQL) extends eventsourcing's
application recorder with a ``casefile_disclosures`` table written in the
same transaction as the records (the ``disclosures`` keyword of
``insert_events``), so a save stores both or neither.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any, Protocol

from eventsourcing.persistence import StoredEvent

__all__ = ["DISCLOSURES_TABLE", "EVENTS_TABLE", "CaseRecorder", "DisclosureRow"]

#: Table names; PostgreSQL puts them in the configured schema.
EVENTS_TABLE = "casefile_events"
DISCLOSURES_TABLE = "casefile_disclosures"

#: One stored disclosure: case id, record sequence number, field name, disclosure bytes.
DisclosureRow = tuple[uuid.UUID, int, str, bytes]


class CaseRecorder(Protocol):
    """An eventsourcing application recorder that also keeps disclosures."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Store records, and ``disclosures`` (rows) with them, in one transaction."""
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
