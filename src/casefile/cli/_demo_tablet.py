"""The demo's first visit, recorded offline on PC Okafor's tablet, and the tablet's syncs.

The case is open at the centre when she is dispatched; she records the visit
in a capture stream of her own tablet (its own SQLite file), naming the case
(docs/FORMAT.md §12). The victim, her statement and the exhibits are the
capture's own: numbers the capture holds name its own records. Back at the
station the tablet syncs: the centre verifies the package and binds it to the
case (one ``capture.attached``), and the tablet keeps the centre's signed
receipt. A later sync binds only what was recorded since; once a receipt
covers the whole stream, the tablet forgets it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from casefile.cli._demo_custody import Officer, seal_captured
from casefile.errors import InvalidCommandError, UnauthorisedSignerError

if TYPE_CHECKING:
    from casefile.application import CasefileApp, DeviceApp
    from casefile.bundle import AttachReceipt
    from casefile.events import Investigation
    from casefile.signing import Signer

__all__ = [
    "MG11_DECLARATION",
    "TABLET",
    "VICTIM_HOME",
    "FirstVisit",
    "record_first_visit",
    "sync_tablet",
]

#: The device PC Okafor records on at the scene.
TABLET: Final = "Northshire tablet NT-0193"
_MINUTE: Final = 60 * 10**9
_HOUR: Final = 60 * _MINUTE

#: The declaration of Criminal Procedure Rules 16.2, as printed on the MG11.
MG11_DECLARATION: Final = (
    "This statement is true to the best of my knowledge and belief and I make it knowing "
    "that, if it is tendered in evidence, I shall be liable to prosecution if I have wilfully "
    "stated in it anything which I know to be false, or do not believe to be true."
)

#: The victim's home: not the scene. Her statement names it; the CPS does not need it.
VICTIM_HOME: Final = "7 Wren Terrace, Southby NS9 2LB"

_VICTIM_STATEMENT: Final = (
    f"I live alone at {VICTIM_HOME}. Since my mother died in March I have been clearing her "
    "house at 14 Larch Close, Northam, where I kept some of my own jewellery. This morning I "
    "left 14 Larch Close at about 08:30, locking the back kitchen door and the front door. I "
    "came back at about 17:45 and found the kitchen door open and the frame splintered by "
    "the lock. In the main bedroom the jewellery box on the dressing table was gone. It held "
    "my late husband's gold wedding ring, a silver locket with a photograph of my mother, and "
    "a pearl necklace. I produce a photograph of the ring from my phone as exhibit MH/1. "
    "Nobody had permission to enter the house or to take anything."
)

#: A photograph: stored in the evidence store by the caller, whose SHA-256 and size it returns.
Photo = Callable[[str], tuple[bytes, int]]


@dataclass(frozen=True, slots=True)
class FirstVisit:
    """What PC Okafor recorded at the scene: where, and that stream's own numbers."""

    #: Where the visit was recorded: the case, or the tablet's capture stream.
    stream: uuid.UUID
    #: The victim, as that stream knows her, and the record of it that added her.
    victim: uuid.UUID
    victim_record: int
    report: int
    statement: int
    records: int


def record_first_visit(
    visit: Investigation,
    pc: Officer,
    *,
    reference: str,
    location: str,
    day: int,
    at: int,
    photo: Photo,
) -> FirstVisit:
    """Record PC Okafor's visit into ``visit``: the case itself, or a capture stream of it on
    her tablet (the same commands either way).

    ``day`` is the midnight before the burglary; ``at`` when she arrived.
    """
    t = at
    victim = visit.add_person(
        role="victim",
        name="Margaret Hale",
        date_of_birth="1958-03-14",
        address=VICTIM_HOME,
        phone="07700 900123",
        at=t + _MINUTE,
    )
    report = visit.record_crime_report(
        offence="Burglary (dwelling), Theft Act 1968 s.9(1)(b)",
        summary="Rear kitchen door of an unoccupied house forced while the victim, who is "
        "clearing it, was at work. Jewellery box taken from the main bedroom: gold "
        "wedding ring, silver locket, pearl necklace (about £2,400).",
        location=location,
        occurred_from=day + 8 * _HOUR + 30 * _MINUTE,
        occurred_to=day + 17 * _HOUR + 45 * _MINUTE,
        reported_by=victim,
        at=t + 3 * _MINUTE,
    )
    for offset, exhibit, what, where in (
        (10, "SO/1", "Rear kitchen door: pry marks on the frame at lock height", "rear door"),
        (14, "SO/2", "Partial shoe mark in the flowerbed below the kitchen window", "garden"),
    ):
        digest, size = photo(exhibit)
        visit.capture_evidence(
            exhibit=exhibit,
            kind="photo",
            sha256=digest,
            size=size,
            media_type="image/png",
            device=TABLET,
            location=f"{location}, {where}",
            captured_at=t + offset * _MINUTE,
            description=what,
            at=t + (offset + 1) * _MINUTE,
        )
    ring_photo, size = photo("MH/1")
    visit.capture_evidence(
        exhibit="MH/1",
        kind="photo",
        sha256=ring_photo,
        size=size,
        media_type="image/png",
        device="Victim's phone, copied to tablet NT-0193",
        location=location,
        captured_at=t + 25 * _MINUTE,
        description="Photograph of the stolen gold wedding ring, produced by the victim",
        produced_by=victim,
        at=t + 26 * _MINUTE,
    )
    statement_id = visit.record_statement(
        witness_id=victim,
        declaration=MG11_DECLARATION,
        body=_VICTIM_STATEMENT,
        place=location,
        started_at=t + 30 * _MINUTE,
        ended_at=t + 65 * _MINUTE,
        exhibits=["MH/1"],
        at=t + 66 * _MINUTE,
    )
    visit.sign_statement(
        statement_id=statement_id,
        signature_sha256=hashlib.sha256(b"signature pad capture: Margaret Hale").digest(),
        at=t + 67 * _MINUTE,
    )
    visit.add_note(
        text=f"Scene examined; CSI requested for the shoe mark (SO/2). Victim given the "
        f"crime reference {reference} and the Victims' Code leaflet.",
        at=t + 70 * _MINUTE,
    )
    # Captured by PC Okafor, the photographs are in her custody: she seals them.
    seal_captured(visit, pc, ["SO/1", "SO/2", "MH/1"], place=location, at=t + 72 * _MINUTE)
    return FirstVisit(
        stream=visit.id,
        victim=victim,
        victim_record=min(visit.person_record_seqs(victim)),
        report=report,
        statement=visit.statements[statement_id].seq,
        records=visit.version,
    )


def sync_tablet(
    app: CasefileApp,
    tablet: DeviceApp,
    stream: uuid.UUID,
    pc: Officer,
    intake: tuple[Signer, str] | None,
    *,
    at: int,
) -> AttachReceipt:
    """Sync the stream: PC Okafor checkpoints it with her key, the centre's intake service
    attaches it at ``at`` (the time of receipt) and signs a receipt, which the tablet checks
    and keeps. Returns the receipt as the tablet accepted it."""
    entry = tablet.trust.get(pc.signer.public_key.key_id)
    if entry is None:  # the demo's own trust store holds every key it made
        raise UnauthorisedSignerError(f"{pc.label}'s key is not in the trust store")
    if intake is None:
        raise InvalidCommandError("intake", "a tablet syncs through the intake service's key")
    package = tablet.capture_package(stream, signer=pc.signer, name=entry.name)
    signer, name = intake
    receipt = app.attach_capture(package, signer=signer, name=name, at=at)
    return tablet.accept_receipt(receipt.to_bytes())
