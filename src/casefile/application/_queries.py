"""Finding cases: by reference, and listed by status, officer or exhibit, from the case index.

The index (see :mod:`casefile.application._index`) is derived from the
records and written with them; these queries read it, and
:meth:`CaseQueries.rebuild_case_index` rebuilds it from authenticated records.
Nothing here decides whether a record is authentic: loading or verifying a
case found this way authenticates it as always.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from eventsourcing.persistence import StoredEvent

from casefile.application._index import (
    CaseSummary,
    IndexEntry,
    SummaryQuery,
    rebuilt_entry,
)
from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events import authenticate_chain, load_investigation

if TYPE_CHECKING:
    from casefile.application._recorders import CaseRecorder
    from casefile.signing._trust import TrustStore

__all__ = ["CaseQueries"]


class CaseQueries:
    """The case-index queries of :class:`~casefile.application.CasefileApp`."""

    trust: TrustStore
    _cases: CaseRecorder
    _records_captures: bool
    _is_capture: Callable[[uuid.UUID], bool]

    def find_case(self, reference: str) -> uuid.UUID:
        """The id of the case opened with ``reference`` (crime reference or URN).

        An indexed lookup. Raises :class:`~casefile.errors.UnknownReferenceError`
        if no case has it. The index is not evidence: load or verify the case
        to authenticate it (its reference is in its signed first record).
        """
        if type(reference) is not str or not reference:
            raise InvalidCommandError("reference", "expected a non-empty string")
        case_id = self._cases.select_case_by_reference(reference)
        if case_id is None:
            raise UnknownReferenceError(f"no case with reference {reference!r}")
        return case_id

    def case_summaries(
        self,
        *,
        status: str | None = None,
        officer: str | None = None,
        exhibit: str | None = None,
        limit: int = 100,
        after: CaseSummary | None = None,
    ) -> list[CaseSummary]:
        """Summaries of the cases matching every filter given, in opening order.

        ``status`` is a case status (e.g. ``under_investigation``), ``officer``
        the trust-store name of the key that opened the case, ``exhibit`` an
        exhibit reference the case holds. At most ``limit`` (1-1000) come
        back; pass the last one as ``after`` for the next page. Read from the
        case index: authenticate a case by loading or verifying it.
        """
        if after is not None and not isinstance(after, CaseSummary):
            raise InvalidCommandError("after", "expected the last CaseSummary of a page")
        query = SummaryQuery(
            status=status,
            officer=officer,
            exhibit=exhibit,
            limit=limit,
            after=None if after is None else after.key,
        )
        return self._cases.select_summaries(query)

    def rebuild_case_index(self) -> int:
        """Rebuild the case index from the records, authenticating each case; returns the count.

        For a store whose index was lost, damaged or predates it. Each case is
        rebuilt in its own transaction with writers held off, so the store can
        stay in use. Raises the verification error of a case whose records do
        not authenticate, and :class:`~casefile.errors.DuplicateReferenceError`
        if two cases share a reference (name one by its id to correct it).
        """
        count = 0
        for case_id in self._cases.select_case_ids():
            if self._is_capture(case_id) and not self._records_captures:
                continue  # the centre's copy of a capture is no case of its own
            self._cases.rebuild_index_entry(case_id, self._entry_deriver(case_id))
            count += 1
        return count

    def _entry_deriver(self, case_id: uuid.UUID) -> _Deriver:
        return _Deriver(case_id, self.trust)


class _Deriver:
    """Authenticates one case's records and derives its index entry."""

    def __init__(self, case_id: uuid.UUID, trust: TrustStore) -> None:
        self._case_id = case_id
        self._trust = trust

    def __call__(self, stored: Sequence[StoredEvent]) -> IndexEntry:
        chain = authenticate_chain(self._case_id, stored, self._trust)
        case = load_investigation(self._case_id, stored, self._trust)
        return rebuilt_entry(case, chain, stored[0].state, self._trust)
