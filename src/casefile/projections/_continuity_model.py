"""What a continuity check produces: per exhibit, its records, its custody spans, its final state.

All values are frozen. Times are integer nanoseconds since the epoch (UTC);
an entry's ``time_ns`` is when the event happened (its ``occurred_at``, else
its record time), kept in order within an exhibit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from casefile.errors import UnknownReferenceError
from casefile.findings import Finding
from casefile.projections._cite import Cite, Cites
from casefile.projections._custody_records import Party

__all__ = [
    "DEFAULT_MAX_GAP_NS",
    "ContinuityFindingKind",
    "ContinuityPolicy",
    "CustodyEntry",
    "CustodySpan",
    "ExhibitHistory",
    "ExhibitRegister",
]

#: Thirty days: how long an exhibit outside a store may go without a custody record.
DEFAULT_MAX_GAP_NS: Final = 30 * 86_400 * 10**9


class ContinuityFindingKind(StrEnum):
    """The ``kind`` of every continuity :class:`~casefile.findings.Finding`."""

    #: Someone other than the custodian on record handled the exhibit or handed it on.
    CUSTODIAN_CHANGED_WITHOUT_TRANSFER = "custodian_changed_without_transfer"
    #: A seal number quoted that differs from the seal on record.
    SEAL_MISMATCH = "seal_mismatch"
    #: Seal work that does not fit the seal's state (opening an unsealed exhibit, say).
    SEAL_INCONSISTENT = "seal_inconsistent"
    #: A seal number used a second time.
    SEAL_REUSED = "seal_reused"
    #: A seal found not intact when checked.
    SEAL_NOT_INTACT = "seal_not_intact"
    #: Bytes hashed again did not match the SHA-256 on record.
    FIXITY_FAILED = "fixity_failed"
    #: A quoted source, input or expected hash that differs from the one on record.
    HASH_MISMATCH = "hash_mismatch"
    #: A copy or fixity check of an exhibit with no SHA-256 on record.
    SOURCE_HASH_UNKNOWN = "source_hash_unknown"
    #: A copy naming another root than its source's.
    ROOT_MISMATCH = "root_mismatch"
    #: No custody record for longer than the policy allows, outside a store.
    UNEXPLAINED_GAP = "unexplained_gap"
    #: A custody record after the exhibit was returned or destroyed.
    ACTIVITY_AFTER_DISPOSAL = "activity_after_disposal"
    #: A custody record naming an exhibit the case never introduced.
    UNKNOWN_EXHIBIT = "unknown_exhibit"
    #: A reference introduced twice.
    DUPLICATE_EXHIBIT = "duplicate_exhibit"
    #: An event dated after its record, or before the exhibit's previous event.
    TIME_OUT_OF_ORDER = "time_out_of_order"
    #: A transfer from the custodian to themself.
    INVALID_TRANSFER = "invalid_transfer"
    #: A destruction witnessed only by the person destroying.
    UNWITNESSED_DESTRUCTION = "unwitnessed_destruction"
    #: The exhibit reported lost.
    EXHIBIT_LOST = "exhibit_lost"
    #: The exhibit reported damaged.
    EXHIBIT_DAMAGED = "exhibit_damaged"
    #: A custody record (or its correction) whose payload does not fit its schema.
    MALFORMED_CUSTODY_RECORD = "malformed_custody_record"
    #: A record made on someone's behalf that they have not confirmed with their own key.
    ACTED_ON_BEHALF_UNCONFIRMED = "acted_on_behalf_unconfirmed"


@dataclass(frozen=True, slots=True)
class ContinuityPolicy:
    """How long an exhibit outside a store may go without a record (``max_gap_ns``)."""

    max_gap_ns: int = DEFAULT_MAX_GAP_NS

    def __post_init__(self) -> None:
        if type(self.max_gap_ns) is not int or self.max_gap_ns <= 0:
            raise ValueError("max_gap_ns must be a positive integer of nanoseconds")


@dataclass(frozen=True, slots=True)
class CustodyEntry:
    """One record on an exhibit's timeline.

    ``details`` is the payload beyond the common fields (corrections applied),
    in record form: hashes as bytes, people as maps. ``signed_by`` names the
    signing key's trust entry when known; ``corrected_by`` lists corrections.
    ``recorded_by`` is who keyed the record in on ``by``'s behalf (None when
    ``by`` signed it), and ``confirmed_by`` the record by which ``by``
    confirmed it. :attr:`own_act` says whether ``by`` stands behind it. For a
    transfer or booking, ``receipt_confirmed_by`` is the record by which its
    receiver (``to``) confirmed the receipt with their own key.
    """

    seq: Cite
    event_type: str
    time_ns: int
    recorded_ns: int
    by: Party | None
    place: str | None
    details: Mapping[str, Any]
    signed_by: str | None
    corrected_by: Cites
    recorded_by: Party | None = None
    confirmed_by: Cite | None = None
    receipt_confirmed_by: Cite | None = None

    @property
    def own_act(self) -> bool:
        """True when ``by`` signed the record, or confirmed it with their own key."""
        return self.recorded_by is None or self.confirmed_by is not None


@dataclass(frozen=True, slots=True)
class CustodySpan:
    """A stretch of time in which an exhibit's custodian, place and seal stayed the same.

    Spans of an exhibit follow each other without gap or overlap: each ends
    when the next starts; the last is open (``end_ns`` None).
    """

    start_ns: int
    end_ns: int | None
    start_seq: Cite
    custodian: Party | None
    location: str | None
    property_ref: str | None
    bag: str | None
    seal: str | None
    sealed: bool
    in_store: bool
    status: str


@dataclass(frozen=True, slots=True)
class ExhibitHistory:
    """One exhibit: what it is, its records and custody spans, and where it stands now."""

    reference: str
    root: str
    source: str | None
    original: bool
    description: str | None
    sha256: bytes | None
    media_type: str | None
    produced_by: Party | None
    first_seq: Cite
    last_seq: Cite
    custodian: Party | None
    location: str | None
    property_ref: str | None
    bag: str | None
    seal: str | None
    sealed: bool
    in_store: bool
    status: str
    damaged: bool
    entries: tuple[CustodyEntry, ...]
    spans: tuple[CustodySpan, ...]


@dataclass(frozen=True, slots=True)
class ExhibitRegister:
    """Every exhibit of a case in order of introduction, and the continuity findings."""

    exhibits: tuple[ExhibitHistory, ...]
    findings: tuple[Finding, ...]

    def exhibit(self, reference: str) -> ExhibitHistory:
        """The history of ``reference``; raises :class:`UnknownReferenceError` if absent."""
        for history in self.exhibits:
            if history.reference == reference:
                return history
        raise UnknownReferenceError(f"no exhibit {reference!r} in the register")

    def findings_for(self, reference: str) -> tuple[Finding, ...]:
        """The findings about ``reference``."""
        return tuple(f for f in self.findings if f.exhibit == reference)
