"""The in-memory store: eventsourcing's POPO recorder plus disclosures."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from casefile.application._recorders import DisclosureRow

__all__ = ["CasefilePOPORecorder"]


class CasefilePOPORecorder(POPOApplicationRecorder):
    """In-memory records and disclosures, for tests and throwaway work."""

    def __init__(self) -> None:
        super().__init__()
        self._disclosures: dict[uuid.UUID, dict[tuple[int, str], bytes]] = {}
        self._case_ids: list[uuid.UUID] = []

    def _update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Runs under the database lock after the uniqueness check, so records
        # and disclosures are stored together or not at all.
        ids = super()._update_table(stored_events, **kwargs)
        for event in stored_events:
            if event.originator_version == 1 and isinstance(event.originator_id, uuid.UUID):
                self._case_ids.append(event.originator_id)
        rows: Sequence[DisclosureRow] = kwargs.get("disclosures") or ()
        for case_id, seq, name, blob in rows:
            self._disclosures.setdefault(case_id, {})[(seq, name)] = blob
        return ids

    def select_disclosures(self, case_id: uuid.UUID) -> list[bytes]:
        with self._database_lock:
            stored = self._disclosures.get(case_id, {})
            return [stored[key] for key in sorted(stored)]

    def delete_disclosures(
        self,
        case_id: uuid.UUID,
        *,
        seqs: Collection[int] | None = None,
        names: Collection[str] | None = None,
    ) -> int:
        with self._database_lock:
            stored = self._disclosures.get(case_id, {})
            doomed = [
                key
                for key in stored
                if (seqs is None or key[0] in seqs) and (names is None or key[1] in names)
            ]
            for key in doomed:
                del stored[key]
            return len(doomed)

    def select_case_ids(self) -> list[uuid.UUID]:
        with self._database_lock:
            return list(self._case_ids)
