"""The demo's burglary, recorded as its officers, property officer and examiner would record it.

The scene officer records the first visit offline on her tablet, which syncs
it into the case twice (:mod:`casefile.cli._demo_tablet`), while the
detective records at the station; without a tablet she records it at the
centre, as before devices.

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
from typing import TYPE_CHECKING, Final

from casefile.cli._demo_custody import (
    DemoPeople,
    book_in,
    confirm_receipts,
    examine_at_lab,
    seal_captured,
    send_to_lab,
)
from casefile.cli._demo_keys import INTAKE_LABEL
from casefile.cli._demo_tablet import (
    MG11_DECLARATION,
    VICTIM_HOME,
    record_first_visit,
    sync_tablet,
)
from casefile.cli._media import demo_png, demo_wav

if TYPE_CHECKING:
    from casefile.application import CasefileApp, DeviceApp
    from casefile.bundle import AttachReceipt
    from casefile.evidence import FileSystemBlobStore
    from casefile.signing import Signer

__all__ = ["MG11_DECLARATION", "VICTIM_HOME", "DemoCase", "TabletWork", "record_demo_case"]

_MINUTE: Final = 60 * 10**9
_HOUR: Final = 60 * _MINUTE
_DAY: Final = 24 * _HOUR
# The exhibits the lab examines: the shoe mark photograph and the doorbell audio.
_TO_LAB: Final = ("SO/2", "DR/2")

_WITNESS_STATEMENT: Final = (
    "I live at 16 Larch Close, next door to number 14. Yesterday at about 14:30 I was in my "
    "front room when I saw a man come out of the alley that runs behind numbers 12 to 16. "
    "He was white, about 30, slim, about 5 feet 10, in a dark hooded top and grey jogging "
    "bottoms, carrying a black holdall that looked heavy. He walked quickly towards Ash Road "
    "without looking back. My doorbell camera recorded him; I have shown the recording to "
    "the officer and let him take a still of it."
)


@dataclass(frozen=True, slots=True)
class TabletWork:
    """What came from PC Okafor's tablet: its stream, its records, and the two syncs.

    ``syncs`` holds, for each sync, the case record of its ``capture.attached`` and
    the records of the stream bound by then; ``receipt`` is the centre's last receipt
    as the tablet accepted it (a signed note).
    """

    stream: uuid.UUID
    records: int
    syncs: tuple[tuple[int, int], ...]
    receipt: str


@dataclass(frozen=True, slots=True)
class DemoCase:
    """What the demo recorded: the case, who recorded how much, the exhibits.

    ``records_by`` counts the case's own records; the tablet's are in ``tablet``.
    """

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
    #: The capture's record of the victim's statement, whose body names her home
    #: (:data:`VICTIM_HOME`).
    victim_statement: int = 0
    #: The words of her statement withheld from the CPS and the defence: her home address.
    address_words: int = 0
    #: The victim and the witness (person ids), and the record of the witness's statement.
    victim: uuid.UUID | None = None
    witness: uuid.UUID | None = None
    witness_statement: int = 0
    #: When the case was referred to the CPS (ns since the epoch): what follows comes after.
    referred_at: int = 0
    tablet: TabletWork | None = None


def record_demo_case(
    app: CasefileApp,
    people: DemoPeople,
    *,
    now: int,
    store: FileSystemBlobStore,
    tablet: DeviceApp | None = None,
    intake: tuple[Signer, str] | None = None,
) -> DemoCase:
    """Record the burglary: the first visit on ``tablet`` (synced twice by the intake key
    ``intake``: signer, name), or without one at the centre; the rest at the centre (visits,
    bookings, the lab, a referral).
    """
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

    syncs: list[AttachReceipt] = []

    t = day + 18 * _HOUR + 30 * _MINUTE
    if tablet is None:
        # Visit 1: PC Okafor opens the case at the scene, the evening of the burglary, and
        # records her visit at the centre: one transaction.
        with app.open_session(pc.signer, offence="burglary", channel="officer_mobile", at=t) as s:
            case_id, reference = s.id, s.reference
            visit = record_first_visit(
                s, pc, reference=reference, location=location, day=day, at=t, photo=photo
            )
            counts[pc.label] += len(s.pending_events)
            saves += 1
        victim = visit.victim
    else:
        # The victim rings in; DC Reyes opens the case at the station and records her as
        # the caller. PC Okafor is dispatched with the case's id on her tablet.
        call = day + 18 * _HOUR + 5 * _MINUTE
        with app.open_session(dc.signer, offence="burglary", channel="phone", at=call) as s:
            victim = s.add_person(
                role="victim", name="Margaret Hale", phone="07700 900123", at=call + _MINUTE
            )
            case_id, reference = s.id, s.reference
            counts[dc.label] += len(s.pending_events)
            saves += 1
        # Visit 1, offline on her tablet: a capture stream naming the case.
        with tablet.open_session(pc.signer, reference=reference, case_id=case_id, at=t) as s:
            visit = record_first_visit(
                s, pc, reference=reference, location=location, day=day, at=t, photo=photo
            )
        # Meanwhile, at the station, DC Reyes writes the same case: no fork, the tablet's
        # records join it later beside his.
        with app.session(case_id, dc.signer) as s:
            s.add_note(
                text="Intelligence check: two dwelling burglaries by rear-door forcing within "
                "a mile in the last month; no suspect named.",
                at=t + 20 * _MINUTE,
            )
            s.add_note(
                text="Ash Road shops asked to keep their CCTV of today, 08:00 to 18:00.",
                at=t + 40 * _MINUTE,
            )
            counts[dc.label] += len(s.pending_events)
            saves += 1
        # Back at the station the tablet syncs: its exhibits join the case.
        syncs.append(sync_tablet(app, tablet, visit.stream, pc, intake, at=t + 95 * _MINUTE))
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
    # change; a correction is added where the report is: in the case, or in the tablet's
    # capture (whose numbers name its own records).
    recorder: CasefileApp | DeviceApp = app if tablet is None else tablet
    with recorder.session(visit.stream, pc.signer) as s:
        correction = s.correct(
            seq=visit.report,
            reason="Victim phoned: she left 14 Larch Close at 07:45, not 08:30",
            fields={"occurred_from": day + 7 * _HOUR + 45 * _MINUTE},
            at=day + _DAY + 11 * _HOUR + 10 * _MINUTE,
        )
        counts[pc.label] += 0 if tablet else len(s.pending_events)
    saves += 0 if tablet else 1

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
    # address field. Each decision is a record of its own, signed with her key, in the
    # stream that holds what it withholds.
    audiences = ("cps", "defence")
    why = "victim_or_witness_contact_details"
    t = day + _DAY + 15 * _HOUR
    in_statement = recorder.redact(
        visit.stream, pc.signer, visit.statement, "body", audiences=audiences, reason=why,
        match=VICTIM_HOME, at=t,
    )  # fmt: skip
    recorder.redact(
        visit.stream, pc.signer, visit.victim_record, "address", audiences=audiences,
        reason=why, whole_field=True, at=t + _MINUTE,
    )  # fmt: skip
    withheld_runs = in_statement.plan.unit_runs() or ()
    if tablet is None:
        counts[pc.label] += 2
        saves += 2
    else:
        # The second sync binds only the three new records (the first ones checked to be
        # those bound); the tablet keeps the receipt, and forgets the stream the centre holds.
        syncs.append(sync_tablet(app, tablet, visit.stream, pc, intake, at=t + 10 * _MINUTE))
        saves += 1
        tablet.prune(visit.stream)
        counts[INTAKE_LABEL] = len(syncs)

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
        corrected=(visit.report, correction),
        photographs=4,
        sent_to_lab=_TO_LAB,
        imaged="DR/2",
        working_copy=working_copy,
        victim_statement=visit.statement,
        address_words=sum(b - a for a, b in withheld_runs),
        victim=victim,
        witness=witness,
        witness_statement=witness_statement,
        referred_at=referred_at,
        tablet=None
        if tablet is None
        else TabletWork(
            stream=visit.stream,
            records=syncs[-1].size,
            syncs=tuple((r.seq, r.size) for r in syncs),
            receipt=syncs[-1].note,
        ),
    )
