"""The case index: each case's reference, offence, status, times, officer and exhibits.

Derived data, written by the recorders in the very transaction that stores a
case's records, so that finding a case by its reference, or listing cases by
status, officer or exhibit, reads one indexed table instead of every case. It
is never evidence: verification reads the records alone, and
:meth:`CasefileApp.rebuild_case_index` rebuilds it from authenticated records.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from casefile.errors import InvalidCommandError
from casefile.events import ChainEntry, Investigation
from casefile.signing._records import parse_record
from casefile.signing._trust import TrustStore

__all__ = [
    "MAX_PAGE",
    "CaseSummary",
    "IndexEntry",
    "SummaryQuery",
    "exhibit_refs",
    "index_entry",
    "officer_of",
    "rebuilt_entry",
    "summary_values",
]

#: The most summaries one call returns; page on with ``after``.
MAX_PAGE: Final = 1000

# Events name exhibits in these attributes: ``exhibit`` (evidence capture,
# custody and work records) and ``derived`` (images and derived copies).
_EXHIBIT_ATTRIBUTES: Final = ("exhibit", "derived")


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """One case as the index holds it (derived from its records, never signed itself).

    ``officer`` is the trust-store name of the key that opened the case (the
    officer in the case); ``offence`` is empty for a missing-person case; times
    are nanoseconds since the epoch as the recording devices asserted them;
    ``records`` is how many the case had.
    Summaries list in opening order, ``(opened_ns, case_id)``.
    """

    case_id: uuid.UUID
    reference: str
    offence: str
    status: str
    opened_ns: int
    last_activity_ns: int
    officer: str
    records: int

    @property
    def key(self) -> tuple[int, uuid.UUID]:
        """The position in the listing: pass this summary as ``after`` for the next page."""
        return (self.opened_ns, self.case_id)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What one save (or a rebuild) writes to the index for its case.

    ``opening``: the save stores the case's first record, so the row is new and
    its reference must be free; otherwise the row's status, offence, last
    activity and record count are brought up to date. ``exhibits`` are added.
    """

    summary: CaseSummary
    exhibits: frozenset[str]
    opening: bool


@dataclass(frozen=True, slots=True)
class SummaryQuery:
    """A filtered page of the listing: every filter given must match."""

    status: str | None = None
    officer: str | None = None
    exhibit: str | None = None
    limit: int = 100
    after: tuple[int, uuid.UUID] | None = None

    def __post_init__(self) -> None:
        for name in ("status", "officer", "exhibit"):
            value = getattr(self, name)
            if value is not None and (type(value) is not str or not value):
                raise InvalidCommandError(name, "expected a non-empty string or None")
        if type(self.limit) is not int or not 1 <= self.limit <= MAX_PAGE:
            raise InvalidCommandError("limit", f"expected an integer from 1 to {MAX_PAGE}")

    def matches(self, summary: CaseSummary, exhibits: Iterable[str]) -> bool:
        """Whether ``summary`` (its case holding ``exhibits``) belongs on this page."""
        return (
            (self.status is None or summary.status == self.status)
            and (self.officer is None or summary.officer == self.officer)
            and (self.after is None or summary.key > self.after)
            and (self.exhibit is None or self.exhibit in exhibits)
        )


def summary_values(summary: CaseSummary) -> tuple[Any, ...]:
    """The summary's columns after ``case_id``, in the order the index tables hold them."""
    return (
        summary.reference,
        summary.offence,
        summary.status,
        summary.opened_ns,
        summary.last_activity_ns,
        summary.officer,
        summary.records,
    )


def exhibit_refs(events: Iterable[Any]) -> frozenset[str]:
    """The exhibit references the events name (their ``exhibit`` and ``derived`` attributes)."""
    found: set[str] = set()
    for event in events:
        for name in _EXHIBIT_ATTRIBUTES:
            value = getattr(event, name, None)
            if type(value) is str and value:
                found.add(value)
    return frozenset(found)


def officer_of(trust: TrustStore, key_id: bytes) -> str:
    """The trust-store name of the key ``key_id`` ("" if the store no longer holds it)."""
    entry = trust.get(key_id)
    return "" if entry is None else entry.name


def index_entry(
    case: Investigation,
    *,
    events: Sequence[Any],
    last_seq: int,
    officer: str,
) -> IndexEntry:
    """The index entry of ``case`` once ``events`` (its newest, up to ``last_seq``) are stored.

    The last activity is the time of the newest record, as a rebuild reads it.
    """
    summary = _summary(case, events[-1].time_ns, officer, last_seq)
    opening = any(getattr(e, "originator_version", 0) == 1 for e in events)
    return IndexEntry(summary=summary, exhibits=exhibit_refs(events), opening=opening)


def _summary(case: Investigation, last_ns: int, officer: str, records: int) -> CaseSummary:
    # The case's state once its newest record (at ``last_ns``) is applied.
    return CaseSummary(
        case_id=case.id,
        reference=case.reference,
        # A missing-person case has no offence: the index holds it as empty text.
        offence=case.offence or "",
        status=str(case.status),
        opened_ns=case.opened_ns,
        last_activity_ns=last_ns,
        officer=officer,
        records=records,
    )


class _Fields:
    """An authenticated record's fields, read as attributes like a domain event's."""

    __slots__ = ("derived", "exhibit")

    def __init__(self, fields: dict[str, Any]) -> None:
        self.exhibit = fields.get("exhibit")
        self.derived = fields.get("derived")


def rebuilt_entry(
    case: Investigation, chain: Sequence[ChainEntry], first_record: bytes, trust: TrustStore
) -> IndexEntry:
    """The index entry of an authenticated case, from its chain and first record."""
    officer = officer_of(trust, parse_record(first_record).header.key_id)
    fields = [_Fields(entry.event_class.fields_from_data(entry.data)) for entry in chain]
    summary = _summary(case, chain[-1].time_ns, officer, len(chain))
    return IndexEntry(summary=summary, exhibits=exhibit_refs(fields), opening=True)
