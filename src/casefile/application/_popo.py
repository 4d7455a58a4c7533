"""The in-memory store: eventsourcing's POPO recorder plus disclosures and the case index."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from casefile.application._index import CaseSummary, IndexEntry, SummaryQuery
from casefile.application._recorders import DisclosureRow, ErasureRow, IndexDeriver
from casefile.errors import DuplicateReferenceError

__all__ = ["CasefilePOPORecorder"]


class CasefilePOPORecorder(POPOApplicationRecorder):
    """In-memory records and disclosures, for tests and throwaway work."""

    def __init__(self) -> None:
        super().__init__()
        self._disclosures: dict[uuid.UUID, dict[tuple[int, str], bytes]] = {}
        self._case_ids: list[uuid.UUID] = []
        self._summaries: dict[uuid.UUID, CaseSummary] = {}
        self._references: dict[str, uuid.UUID] = {}
        self._case_exhibits: dict[uuid.UUID, set[str]] = {}

    def _update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Runs under the database lock after the uniqueness check, so records,
        # disclosures and index are stored together or not at all.
        index: IndexEntry | None = kwargs.get("index")
        if index is not None and index.opening:
            self._check_reference(index)
        ids = super()._update_table(stored_events, **kwargs)
        for event in stored_events:
            if event.originator_version == 1 and isinstance(event.originator_id, uuid.UUID):
                self._case_ids.append(event.originator_id)
        rows: Sequence[DisclosureRow] = kwargs.get("disclosures") or ()
        for case_id, seq, name, blob in rows:
            self._disclosures.setdefault(case_id, {})[(seq, name)] = blob
        if index is not None:
            self._write_index(index)
        erase: Sequence[ErasureRow] = kwargs.get("erase") or ()
        for case_id, seq, name, replacement in erase:
            stored = self._disclosures.setdefault(case_id, {})
            if replacement is None:
                stored.pop((seq, name), None)
            else:
                stored[(seq, name)] = replacement
        return ids

    def _check_reference(self, entry: IndexEntry) -> None:
        holder = self._references.get(entry.summary.reference)
        if holder is not None and holder != entry.summary.case_id:
            raise DuplicateReferenceError(entry.summary.reference, str(holder))

    def _write_index(self, entry: IndexEntry) -> None:
        # The SQL backends' statements, on dictionaries: an opening (or
        # rebuilt) entry replaces the row, a later one updates what changes.
        new, old = entry.summary, self._summaries.get(entry.summary.case_id)
        if entry.opening:
            if old is not None:
                self._references.pop(old.reference, None)
            self._summaries[new.case_id] = new
            self._references[new.reference] = new.case_id
        elif old is not None:
            self._summaries[new.case_id] = replace(
                old,
                offence=new.offence,
                status=new.status,
                last_activity_ns=new.last_activity_ns,
                records=new.records,
            )
        self._case_exhibits.setdefault(new.case_id, set()).update(entry.exhibits)

    def select_case_by_reference(self, reference: str) -> uuid.UUID | None:
        with self._database_lock:
            return self._references.get(reference)

    def select_summaries(self, query: SummaryQuery) -> list[CaseSummary]:
        with self._database_lock:
            found = [
                summary
                for summary in self._summaries.values()
                if query.matches(summary, self._case_exhibits.get(summary.case_id, ()))
            ]
        found.sort(key=lambda summary: summary.key)
        return found[: query.limit]

    def rebuild_index_entry(self, case_id: uuid.UUID, derive: IndexDeriver) -> None:
        with self._database_lock:
            entry = derive(self.select_events(case_id))
            self._check_reference(entry)
            self._case_exhibits.pop(case_id, None)
            self._write_index(entry)

    def select_disclosures(self, case_id: uuid.UUID) -> list[bytes]:
        with self._database_lock:
            stored = self._disclosures.get(case_id, {})
            return [stored[key] for key in sorted(stored)]

    def select_disclosure(self, case_id: uuid.UUID, seq: int, name: str) -> bytes | None:
        with self._database_lock:
            return self._disclosures.get(case_id, {}).get((seq, name))

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
