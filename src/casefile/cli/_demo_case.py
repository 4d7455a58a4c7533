"""The demo's burglary, recorded as its officers, property officer and examiner would record it.

All names, addresses and numbers are fictional (07700 900xxx numbers are
reserved for drama). The burglary happens two days before ``now`` (UTC), and
every record is dated before ``now``, so the case reads the same whenever
the demo runs. The photographs and the audio clip go into the evidence store
as they are captured, in the custody of the officer who captured them; their
later custody is recorded in :mod:`casefile.cli._demo_custody`. Every record
is signed by the person it says acted, except one booking keyed in by the
property officer on DC Reyes's behalf, which he then confirms with his own key.
The receiver of each booking or transfer the giver recorded confirms the
receipt with their own key, so every continuity statement is in its
custodian's own words.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from typing import Final

from casefile.application import CasefileApp
from casefile.cli._demo_custody import (
    DemoPeople,
    book_in,
    confirm_receipts,
    examine_at_lab,
    seal_captured,
    send_to_lab,
)
from casefile.cli._media import demo_png, demo_wav
from casefile.evidence import FileSystemBlobStore

__all__ = ["MG11_DECLARATION", "VICTIM_HOME", "DemoCase", "record_demo_case"]

_MINUTE: Final = 60 * 10**9
_HOUR: Final = 60 * _MINUTE
_DAY: Final = 24 * _HOUR
# The exhibits the lab examines: the shoe mark photograph and the doorbell audio.
_TO_LAB: Final = ("SO/2", "DR/2")

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

_WITNESS_STATEMENT: Final = (
    "I live at 16 Larch Close, next door to number 14. Yesterday at about 14:30 I was in my "
    "front room when I saw a man come out of the alley that runs behind numbers 12 to 16. "
    "He was white, about 30, slim, about 5 feet 10, in a dark hooded top and grey jogging "
    "bottoms, carrying a black holdall that looked heavy. He walked quickly towards Ash Road "
    "without looking back. My doorbell camera recorded him; I have shown the recording to "
    "the officer and let him take a still of it."
)


@dataclass(frozen=True, slots=True)
class DemoCase:
    """What the demo recorded: the case, who recorded how much, the exhibits."""

    case_id: uuid.UUID
    reference: str
    location: str
    saves: int
    records_by: dict[str, int]
    corrected: tuple[int, int]
    photographs: int
    sent_to_lab: tuple[str, ...]
    imaged: str
    working_copy: str
    #: The record of the victim's statement, whose body names her home (:data:`VICTIM_HOME`).
    victim_statement: int = 0
    #: The words of her statement withheld from the CPS and the defence: her home address.
    address_words: int = 0
    #: The victim and the witness (person ids), and the record of the witness's statement.
    victim: uuid.UUID | None = None
    witness: uuid.UUID | None = None
    witness_statement: int = 0
    #: When the case was referred to the CPS (ns since the epoch): what follows comes after.
    referred_at: int = 0


def record_demo_case(
    app: CasefileApp,
    people: DemoPeople,
    *,
    now: int,
    store: FileSystemBlobStore,
) -> DemoCase:
    """Record the burglary in nine saves (visits, bookings, the lab, a correction, a referral)."""
    pc, dc, keeper, examiner = people.everyone
    counts = {person.label: 0 for person in people.everyone}
    saves = 0
    location = "14 Larch Close, Northam"
    day = now - now % _DAY - 2 * _DAY  # midnight UTC, two days ago

    def ingest(data: bytes) -> tuple[bytes, int]:
        blob = store.put_stream(io.BytesIO(data))
        return blob.sha256, blob.size

    def photo(exhibit: str) -> tuple[bytes, int]:
        return ingest(demo_png(f"casefile demo exhibit {exhibit}"))

    # Visit 1: PC Okafor at the scene, the evening of the burglary: one transaction.
    t = day + 18 * _HOUR + 30 * _MINUTE
    with app.open_session(pc.signer, offence="burglary", channel="officer_mobile", at=t) as case:
        victim = case.add_person(
            role="victim",
            name="Margaret Hale",
            date_of_birth="1958-03-14",
            address=VICTIM_HOME,
            phone="07700 900123",
            at=t + _MINUTE,
        )
        report_seq = case.record_crime_report(
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
            case.capture_evidence(
                exhibit=exhibit,
                kind="photo",
                sha256=digest,
                size=size,
                media_type="image/png",
                device="Northshire tablet NT-0193",
                location=f"{location}, {where}",
                captured_at=t + offset * _MINUTE,
                description=what,
                at=t + (offset + 1) * _MINUTE,
            )
        ring_photo, size = photo("MH/1")
        ring = "Photograph of the stolen gold wedding ring, produced by the victim"
        case.capture_evidence(
            exhibit="MH/1",
            kind="photo",
            sha256=ring_photo,
            size=size,
            media_type="image/png",
            device="Victim's phone, copied to tablet NT-0193",
            location=location,
            captured_at=t + 25 * _MINUTE,
            description=ring,
            produced_by=victim,
            at=t + 26 * _MINUTE,
        )
        statement = case.record_statement(
            witness_id=victim,
            declaration=MG11_DECLARATION,
            body=_VICTIM_STATEMENT,
            place=location,
            started_at=t + 30 * _MINUTE,
            ended_at=t + 65 * _MINUTE,
            exhibits=["MH/1"],
            at=t + 66 * _MINUTE,
        )
        victim_statement = case.statements[statement].seq
        case.sign_statement(
            statement_id=statement,
            signature_sha256=hashlib.sha256(b"signature pad capture: Margaret Hale").digest(),
            at=t + 67 * _MINUTE,
        )
        case.add_note(
            text=f"Scene examined; CSI requested for the shoe mark (SO/2). Victim given the "
            f"crime reference {case.reference} and the Victims' Code leaflet.",
            at=t + 70 * _MINUTE,
        )
        # Captured by PC Okafor, the photographs are in her custody: she seals them.
        seal_captured(case, pc, ["SO/1", "SO/2", "MH/1"], place=location, at=t + 72 * _MINUTE)
        case_id, reference = case.id, case.reference
        counts[pc.label] += len(case.pending_events)
        saves += 1

    # Back at the station, PC Okafor books the sealed exhibits into the property store.
    with app.session(case_id, pc.signer) as case:
        pc_bookings = book_in(
            case, pc, keeper, ["SO/1", "SO/2", "MH/1"], at=day + 20 * _HOUR + 15 * _MINUTE
        )
        counts[pc.label] += len(case.pending_events)
        saves += 1

    # Visit 2: DC Reyes, house-to-house the next morning: one transaction.
    t = day + _DAY + 9 * _HOUR
    with app.session(case_id, dc.signer) as case:
        witness = case.add_person(
            role="witness",
            name="Thomas Brennan",
            date_of_birth="1979-11-02",
            address="16 Larch Close, Northam NS4 7QT",
            phone="07700 900456",
            at=t,
        )
        statement = case.record_statement(
            witness_id=witness,
            declaration=MG11_DECLARATION,
            body=_WITNESS_STATEMENT,
            place="16 Larch Close, Northam",
            started_at=t + 5 * _MINUTE,
            ended_at=t + 35 * _MINUTE,
            exhibits=["DR/1"],
            at=t + 36 * _MINUTE,
        )
        witness_statement = case.statements[statement].seq
        case.sign_statement(
            statement_id=statement,
            signature_sha256=hashlib.sha256(b"signature pad capture: Thomas Brennan").digest(),
            at=t + 37 * _MINUTE,
        )
        still, size = photo("DR/1")
        still_text = "Doorbell camera still, 14:31: man in a dark hooded top with a holdall"
        case.capture_evidence(
            exhibit="DR/1",
            kind="photo",
            sha256=still,
            size=size,
            media_type="image/png",
            device="Witness's doorbell camera, still exported by DC 3308",
            location="16 Larch Close, Northam",
            captured_at=t + 40 * _MINUTE,
            description=still_text,
            produced_by=witness,
            at=t + 41 * _MINUTE,
        )
        clip, size = ingest(demo_wav("casefile demo exhibit DR/2"))
        clip_text = "Doorbell camera audio, 14:30-14:32: footsteps and a man's voice"
        case.capture_evidence(
            exhibit="DR/2",
            kind="audio",
            sha256=clip,
            size=size,
            media_type="audio/wav",
            device="Witness's doorbell camera, audio exported by DC 3308",
            location="16 Larch Close, Northam",
            captured_at=t + 42 * _MINUTE,
            description=clip_text,
            produced_by=witness,
            at=t + 43 * _MINUTE,
        )
        seal_captured(
            case, dc, ["DR/1", "DR/2"], place="16 Larch Close, Northam", at=t + 44 * _MINUTE
        )
        case.add_note(
            text="House-to-house on Larch Close: 6 doors, 1 witness (number 16). "
            "Doorbell still and audio taken as DR/1 and DR/2.",
            at=t + 50 * _MINUTE,
        )
        counts[dc.label] += len(case.pending_events)
        saves += 1

    # At the store desk the property officer keys in DC Reyes's booking for him:
    # recorded on his behalf, it awaits his confirmation, which he gives with his key.
    with app.session(case_id, keeper.signer) as case:
        booked = [case.version + 1, case.version + 2]
        book_in(case, dc, keeper, ["DR/1", "DR/2"], at=t + 80 * _MINUTE)
        counts[keeper.label] += len(case.pending_events)
        saves += 1
    with app.session(case_id, dc.signer) as case:
        for n, seq in enumerate(booked):
            case.confirm(seq=seq, at=t + (85 + n) * _MINUTE)
        counts[dc.label] += len(case.pending_events)
        saves += 1

    # The victim rang: she left the scene (not her home) at 07:45, not 08:30. Records never
    # change; a correction is added.
    correction = app.correct(
        case_id,
        pc.signer,
        seq=report_seq,
        reason="Victim phoned: she left 14 Larch Close at 07:45, not 08:30",
        fields={"occurred_from": day + 7 * _HOUR + 45 * _MINUTE},
        at=day + _DAY + 11 * _HOUR + 10 * _MINUTE,
    )
    counts[pc.label] += 1
    saves += 1

    # The property officer confirms, with her own key, receiving what PC Okafor
    # booked in (his records, not hers), then sends the shoe mark and the audio
    # to the lab, seals checked.
    with app.session(case_id, keeper.signer) as case:
        t = day + _DAY + 11 * _HOUR + 30 * _MINUTE
        confirm_receipts(case, pc_bookings, at=t)
        transfers = send_to_lab(case, keeper, examiner, list(_TO_LAB), at=day + _DAY + 12 * _HOUR)
        counts[keeper.label] += len(case.pending_events)
        saves += 1
    # The examiner confirms receiving both at the lab, then examines them.
    with app.session(case_id, examiner.signer) as case:
        t = day + _DAY + 13 * _HOUR
        confirm_receipts(case, transfers, at=t)
        working_copy = examine_at_lab(
            case, examiner, ("DR/2", clip), at=day + _DAY + 13 * _HOUR + 30 * _MINUTE
        )
        counts[examiner.label] += len(case.pending_events)
        saves += 1

    # Before the file goes to the CPS, PC Okafor withholds the victim's home address
    # (not the scene) from the CPS and the defence: her statement's words and her
    # address field. Each decision is a record of its own, signed with her key.
    audiences = ("cps", "defence")
    why = "victim_or_witness_contact_details"
    t = day + _DAY + 15 * _HOUR
    in_statement = app.redact(
        case_id, pc.signer, victim_statement, "body", audiences=audiences, reason=why,
        match=VICTIM_HOME, at=t,
    )  # fmt: skip
    person_seq = min(app.get_case(case_id).person_record_seqs(victim))
    app.redact(
        case_id, pc.signer, person_seq, "address", audiences=audiences, reason=why,
        whole_field=True, at=t + _MINUTE,
    )  # fmt: skip
    counts[pc.label] += 2
    saves += 2
    withheld_runs = in_statement.plan.unit_runs() or ()

    referred_at = day + _DAY + 16 * _HOUR
    app.change_status(
        case_id,
        dc.signer,
        status="referred_to_cps",
        reason="Suspect identified from DR/1; file referred to the CPS for a charging decision",
        at=referred_at,
    )
    counts[dc.label] += 1
    return DemoCase(
        case_id=case_id,
        reference=reference,
        location=location,
        saves=saves + 1,
        records_by=counts,
        corrected=(report_seq, correction),
        photographs=4,
        sent_to_lab=_TO_LAB,
        imaged="DR/2",
        working_copy=working_copy,
        victim_statement=victim_statement,
        address_words=sum(b - a for a, b in withheld_runs),
        victim=victim,
        witness=witness,
        witness_statement=witness_statement,
        referred_at=referred_at,
    )
