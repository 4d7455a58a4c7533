"""Helpers for the projection tests: custody records built by hand or by the domain."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from casefile.events import CommandContext, Investigation
from casefile.events._custody_values import Custodian
from casefile.projections import RecordView, records_as_read
from casefile.signing import TextDisclosure, commit_fields
from casefile.signing._trust import TrustEntry

T0 = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
MINUTE = 60 * 10**9
DAY = 86_400 * 10**9

PC = Custodian(name="Jane Smith", number="1234", organisation="Test Police", rank="PC")
DC = Custodian(name="Raj Patel", number="5678", organisation="Test Police", rank="DC")
LAB = Custodian(name="Ann Lee", number="L-77", organisation="Forensic Lab Ltd", role="examiner")
STORE = Custodian(name="Central Store", number="PS-1", organisation="Test Police")


@dataclass(frozen=True, slots=True)
class Committed:
    """A record with its commitments and the disclosures verified for it (as a verifier's)."""

    event_type: str
    seq: int
    time_ns: int
    data: Mapping[str, Any]
    commitments: Mapping[str, bytes]
    disclosed: Mapping[str, Any] = field(default_factory=dict)
    signer: TrustEntry | None = None
    schema: int = 1


def committed_of(
    case: Investigation,
    redact: Callable[[TextDisclosure], TextDisclosure | None] = lambda d: d,
) -> list[Committed]:
    """The case's pending events as records with their texts committed and disclosed.

    ``redact`` gives the disclosure a reader holds of each text (None: none at all).
    """
    ticks = itertools.count()
    out = []
    for e in case.pending_events:
        seq = e.originator_version
        commitments, disclosures = commit_fields(
            case.id,
            seq,
            {},
            texts=e.text_values(),  # type: ignore[attr-defined]
            random_bytes=lambda n: hashlib.sha256(b"seed %d" % next(ticks)).digest()[:n],
        )
        disclosed = {}
        for d in disclosures:
            shown = redact(d) if isinstance(d, TextDisclosure) else d
            if shown is not None:
                disclosed[d.name] = shown
        out.append(
            Committed(e.TYPE, seq, e.time_ns, e.to_data(), commitments, disclosed)  # type: ignore[attr-defined]
        )
    return out


def views_of(case: Investigation) -> list[RecordView]:
    """The case's pending events as a verifier would hand them over, texts read in full."""
    return list(records_as_read(committed_of(case)))


def new_case() -> Investigation:
    """A case whose clock starts at T0 and steps a minute per record."""
    ticks = itertools.count()
    context = CommandContext(
        clock=lambda: T0 + MINUTE * next(ticks),
        random_bytes=lambda n: hashlib.sha256(b"%d" % next(ticks)).digest()[:n],
    )
    return Investigation.open(reference="R1", offence="Theft", channel="online", context=context)


def clean_chain() -> Investigation:
    """Seized, sealed, booked, sent to a lab, examined, resealed, back to the store."""
    case = new_case()
    at = iter(range(T0 + MINUTE, T0 + 1000 * MINUTE, MINUTE))
    case.seize_exhibit(
        exhibit="JS/1",
        by=PC,
        place="12 High Street",
        description="Black iPhone",
        power="PACE s.19",
        at=next(at),
    )
    case.package_exhibit(
        exhibit="JS/1", by=PC, place="12 High Street", bag="B1", seal="S1", at=next(at)
    )
    case.book_exhibit(
        exhibit="JS/1", by=PC, to=STORE, place="Central Store", property_ref="P/26/1", at=next(at)
    )
    case.transfer_exhibit(
        exhibit="JS/1",
        by=STORE,
        to=LAB,
        place="Central Store",
        purpose="Examination",
        seal_checked=True,
        seal="S1",
        seal_intact=True,
        submission_ref="LAB-7",
        at=next(at),
    )
    case.open_seal(
        exhibit="JS/1", by=LAB, place="Lab", seal="S1", reason="Examination", at=next(at)
    )
    case.image_exhibit(
        exhibit="JS/1",
        by=LAB,
        place="Lab",
        derived="JS/1/A",
        source_sha256=bytes(32),
        output_sha256=bytes(range(32)),
        tool="FTK Imager",
        tool_version="4.7",
        write_blocker="Tableau T8u",
        description="Image of JS/1",
        at=next(at),
    )
    case.reseal_exhibit(
        exhibit="JS/1", by=LAB, place="Lab", old_seal="S1", new_seal="S2", bag="B2", at=next(at)
    )
    case.book_exhibit(
        exhibit="JS/1", by=LAB, to=STORE, place="Central Store", property_ref="P/26/1", at=next(at)
    )
    return case


def rec(seq: int, event_type: str, time_ns: int, **fields: Any) -> RecordView:
    """A custody record with the common fields filled in (``by`` defaults to PC)."""
    by = fields.pop("by", PC)
    data: dict[str, Any] = {
        "exhibit": "JS/1",
        "by": by.to_data() if isinstance(by, Custodian) else by,
        "recorded_by": None,
        "place": "Somewhere",
        "occurred_at": None,
        "notes": "",
    }
    data.update(fields)
    return RecordView(event_type, seq, time_ns, data)


def renumbered(records: Iterable[RecordView]) -> list[RecordView]:
    """``records`` with sequence numbers 1, 2, ... in their order."""
    return [
        RecordView(r.event_type, n, r.time_ns, r.data, r.signer, r.schema)
        for n, r in enumerate(records, 1)
    ]
