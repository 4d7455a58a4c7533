"""An exhibit's state while its records are walked, and the walk's shared bookkeeping."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Final

from casefile.findings import Finding
from casefile.projections._cite import position
from casefile.projections._continuity_model import ContinuityFindingKind as K
from casefile.projections._continuity_model import ContinuityPolicy, CustodyEntry, CustodySpan
from casefile.projections._custody_records import Party

__all__ = [
    "CUSTODIAL",
    "DISPOSED",
    "EVIDENCE_STORE",
    "MOVES",
    "ORIGINS",
    "WalkState",
    "WorkingExhibit",
]

#: Where captured evidence is: its bytes are in the content-addressed evidence store.
EVIDENCE_STORE: Final = "evidence store"

#: Records that may introduce an exhibit.
ORIGINS: Final = frozenset({"exhibit.located", "exhibit.seized", "exhibit.produced"})
#: Records of handling that only the custodian may do.
CUSTODIAL: Final = frozenset(
    {
        "exhibit.packaged",
        "exhibit.booked",
        "exhibit.transferred",
        "exhibit.seal_opened",
        "exhibit.resealed",
        "exhibit.examined",
        "exhibit.imaged",
        "exhibit.produced_in_court",
        "exhibit.returned",
        "exhibit.destroyed",
    }
)
#: Custodial events happen where the exhibit is: their place becomes its location.
MOVES: Final = CUSTODIAL | ORIGINS
#: Statuses after which nothing but a correction may follow.
DISPOSED: Final = frozenset({"returned", "destroyed"})


@dataclass(slots=True)
class WorkingExhibit:
    """An exhibit's state while the walk goes on."""

    reference: str
    root: str
    source: str | None
    original: bool
    description: str | None
    sha256: bytes | None
    media_type: str | None
    produced_by: Party | None
    first_seq: int
    last_seq: int
    last_ns: int
    custodian: Party | None = None
    location: str | None = ""
    property_ref: str | None = None
    bag: str | None = None
    seal: str | None = None
    sealed: bool = False
    in_store: bool = False
    status: str = "active"
    damaged: bool = False
    entries: list[CustodyEntry] = field(default_factory=list)
    spans: list[CustodySpan] = field(default_factory=list)

    def mark_span(self, at: int, seq: int) -> None:
        """Close the open span at ``at`` and open another if custody changed."""
        span = CustodySpan(
            at,
            None,
            seq,
            self.custodian,
            self.location,
            self.property_ref,
            self.bag,
            self.seal,
            self.sealed,
            self.in_store,
            self.status,
        )
        if self.spans:
            last = self.spans[-1]
            if _same_custody(last, span):
                return
            self.spans[-1] = dataclasses.replace(last, end_ns=at)
        self.spans.append(span)


def _same_custody(a: CustodySpan, b: CustodySpan) -> bool:
    who = (a.custodian.identity if a.custodian else None) == (
        b.custodian.identity if b.custodian else None
    )
    return who and (a.location, a.property_ref, a.bag, a.seal, a.sealed, a.in_store, a.status) == (
        b.location,
        b.property_ref,
        b.bag,
        b.seal,
        b.sealed,
        b.in_store,
        b.status,
    )


@dataclass(slots=True)
class WalkState:
    """The exhibits, seals and findings of a walk in progress."""

    policy: ContinuityPolicy
    exhibits: dict[str, WorkingExhibit] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    seals: dict[str, int] = field(default_factory=dict)
    #: The entry being applied: a copy's first entry is its source's record.
    current: CustodyEntry | None = None

    def find(self, kind: K, seq: int, ref: str, message: str) -> None:
        self.findings.append(Finding(kind.value, message, seq, ref))

    def record(self, ex: WorkingExhibit, entry: CustodyEntry, when: int) -> None:
        self.exhibits[ex.reference] = ex
        ex.entries.append(entry)
        seq = position(entry.seq)
        ex.last_seq, ex.last_ns = seq, when
        ex.mark_span(when, seq)
