"""The demo's prosecution, as data: from naming the suspect to a file the CPS can take to court.

After the referral, DC Reyes names a suspect recognised on the doorbell still,
arrests and interviews him (the recording is an exhibit, sealed and booked in
like the others), alleges the burglary with each point to prove tied to its
evidence and asks the CPS for a charging decision (MG3). A CPS prosecutor,
with her own key, decides to charge; he is charged, bailed to a first
hearing; the unused material is recorded and scheduled (MG6C, MG6D) and the
prosecutor marks each item; DC Reyes writes the case summary (MG5) and revises
it once; PC Okafor takes the victim's personal statement and records her
witness care needs. Names, places and numbers are fictional.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from casefile._time import ns_to_human
from casefile.cli._demo_case import MG11_DECLARATION, DemoCase
from casefile.cli._demo_custody import DemoPeople, book_in, seal_captured
from casefile.cli._demo_steps import (
    At,
    Build,
    EvidenceOf,
    HashOf,
    Kept,
    Recorded,
    SeqOf,
    Step,
    run_steps,
)
from casefile.cli._media import demo_wav
from casefile.events import PointToProve, SummaryPoint
from casefile.signing import append_cosignatures, cosign_checkpoint, split_note

if TYPE_CHECKING:
    from pathlib import Path

    from casefile.application import CasefileApp
    from casefile.events import Investigation
    from casefile.evidence import FileSystemBlobStore
    from casefile.signing import Signer

__all__ = ["INTERVIEW_RECORDING", "PROSECUTION", "cps_receipt", "record_prosecution"]

#: The exhibit holding the recording of the suspect's interview.
INTERVIEW_RECORDING: Final = "DR/3"
_MINUTE: Final = 60 * 10**9
_HOUR: Final = 60 * _MINUTE
_DAY: Final = 24 * _HOUR
_STATION: Final = "Northam Police Station"
_COURT: Final = "Northam Magistrates' Court"

_WORDING: Final = (
    "Having entered as a trespasser a building, namely a dwelling at 14 Larch Close, Northam, "
    "stole therein a gold wedding ring, a silver locket and a pearl necklace, contrary to "
    "section 9(1)(b) of the Theft Act 1968."
)

_VPS: Final = (
    "This is my victim personal statement. The ring was my late husband's and cannot be "
    "replaced. Since the burglary I have not been able to sleep at my mother's house and I "
    "check the doors several times before I leave. I would like the court to know how this "
    "has affected me."
)

# Each element of burglary under s.9(1)(b), with the records that prove it. A point cites
# records of the case (FORMAT.md §10.4): what came in by a device's capture (the victim's
# statement and SO/1 and MH/1, when taken on the tablet) is left out (EvidenceOf).
_POINTS: Final = (
    ("Entered a building or part of a building", ("victim statement", "SO/1")),
    ("As a trespasser", ("victim statement",)),
    ("The building was a dwelling", ("victim statement",)),
    ("Having entered, stole property", ("victim statement", "MH/1")),
    ("The defendant was the person who did so", ("witness statement", "DR/1", "interview")),
)


def _points(factory: Callable[..., object], **extra: object) -> tuple[Build, ...]:
    """The points to prove, as ``factory`` values (of the offence, or of the summary)."""
    return tuple(
        Build(factory, {**extra, "element": element, "evidence": EvidenceOf(names)})
        for element, names in _POINTS
    )


_SUSPECT: Final = Kept("suspect")
_HEADLINE: Final = (
    "Lee Carver is charged with the burglary of 14 Larch Close, Northam, on the day the "
    "jewellery was taken; he is recognised on the neighbour's doorbell still (DR/1)."
)
_CHRONOLOGY: Final = (
    "07:45 the victim leaves the house locked (her statement says about 08:30; she corrected "
    "the time by telephone the next day). 14:30 the neighbour sees a man leave the alley "
    "behind number 14 with a heavy holdall; his doorbell camera records him (DR/1, DR/2). "
    "17:45 the victim finds the kitchen door forced and the jewellery box gone (SO/1, MH/1). "
    "Next day PC 4721 recognises the suspect on DR/1; he is arrested and interviewed."
)

#: The prosecution: (signer, minutes after the referral, command, arguments, what to keep).
PROSECUTION: Final = (
    Step("dc", 5, "add_person", {"role": "suspect", "name": "Lee Carver",
         "date_of_birth": "1994-06-21"}, "suspect"),
    Step("dc", 7, "identify_suspect", {"person_id": _SUSPECT, "grounds":
         "Recognised by PC 4721, who knows him from earlier contact, as the man on the "
         "doorbell still DR/1 leaving the alley behind 14 Larch Close."}),
    Step("dc", 50, "record_arrest", {"person_id": _SUSPECT, "arrested_at": At(45),
         "place": "Outside 3 Mill Row, Northam",
         "power": "Police and Criminal Evidence Act 1984 s.24",
         "grounds": "Suspected of the burglary of 14 Larch Close. Arrest necessary to allow the "
         "prompt and effective investigation of the offence: to interview him and to search "
         "his address for the stolen jewellery (PACE Code G 2.9(e))."}),
    Step("dc", 160, "capture_recording", {"exhibit": INTERVIEW_RECORDING,
         "started": At(110), "ended": At(152)}),
    Step("dc", 165, "record_interview", {
         "person_id": _SUSPECT, "started_at": At(110), "ended_at": At(152),
         "place": f"{_STATION}, interview room 2", "interviewers": (Kept("dc"),),
         "legal_representative": True, "special_warnings": (),
         "recording": INTERVIEW_RECORDING, "recording_sha256": HashOf(INTERVIEW_RECORDING),
         "summary": "Interviewed under caution with his solicitor present. He denied the "
         "burglary and said he had not been in Larch Close that day; shown DR/1, he said the "
         "man was not him. No special warning was given: he was arrested the next day, "
         "away from the scene, with nothing on him to account for.",
         "denials": "Denied entering 14 Larch Close and denied being the man on DR/1.",
         "defences": "Alibi: at his sister's flat in Eastfield all afternoon."}, "interview"),
    Step("dc", 170, "book_recording", {"exhibit": INTERVIEW_RECORDING}, "recording booked"),
    Step("dc", 180, "allege_offence", {
         "person_id": _SUSPECT, "code": "TH68036",
         "title": "Burglary dwelling and theft - no violence",
         "wording": _WORDING, "place": "14 Larch Close, Northam",
         "from_date": Kept("burglary date"), "anticipated_plea": "not_guilty",
         "points_to_prove": _points(PointToProve)}, "offence"),
    Step("dc", 190, "request_charging_decision", {
         "offences": (Kept("offence"),), "test": "full_code",
         "summary": "Identification rests on the recognition by PC 4721 from DR/1 and on the "
         "neighbour's description; the suspect denies it and gives an alibi, not confirmed.",
         "questions": "Is the recognition evidence enough to charge before the footwear "
         "comparison of SO/2 is reported?"}, "request"),
    Step("keeper", 195, "confirm", {"seq": Kept("recording booked")}),
    Step("cps", 250, "record_charging_decision", {
         "request": Kept("request"), "outcome": "charge", "test": "full_code",
         "offences": (Kept("offence"),),
         "reasons": "The recognition is by an officer who knows the suspect, from a clear "
         "image, and is supported by the neighbour's description; the alibi was not given "
         "when first asked. A realistic prospect of conviction; a prosecution is in the "
         "public interest (a dwelling, items of sentimental value)."}, "decision"),
    Step("dc", 270, "charge_offence", {"offence": Kept("offence"), "charged_at": At(268),
         "wording": _WORDING, "decision": Kept("decision")}),
    Step("dc", 272, "change_status", {"status": "charged",
         "reason": "Charged with burglary on the CPS's decision"}),
    Step("dc", 275, "record_bail", {"person_id": _SUSPECT, "status": "police_bail",
         "starts_at": At(274), "ends_at": Kept("first hearing"),
         "conditions": "Not to enter Larch Close, Northam; not to contact Margaret Hale or "
         "Thomas Brennan, directly or indirectly."}),
    Step("dc", 276, "list_hearing", {"person_id": _SUSPECT, "court": _COURT,
         "hearing_at": Kept("first hearing"), "first": True}),
    Step("dc", 300, "record_unused_item", {
         "description": "House-to-house enquiry log, Larch Close (6 addresses)",
         "location": f"{_STATION}, case papers"}, "item 1"),
    Step("dc", 301, "record_unused_item", {
         "description": "CCTV viewing log, Ash Road shops: no sighting of the suspect",
         "location": f"{_STATION}, case papers", "undermines_or_assists": True,
         "assessment": "The route the neighbour described passes these cameras: the absence of "
         "a sighting might assist the defence on identification."}, "item 2"),
    Step("dc", 302, "record_unused_item", {
         "description": "Intelligence report naming the suspect",
         "location": "Force intelligence bureau", "sensitive": True,
         "sensitivity_reason": "Would reveal the identity of a member of the public who gave "
         "information in confidence."}, "item 3"),
    Step("dc", 305, "schedule_unused", {"schedule": "mg6c"}),
    Step("dc", 306, "schedule_unused", {"schedule": "mg6d"}),
    Step("dc", 320, "write_case_summary", {"headline": _HEADLINE, "chronology": _CHRONOLOGY,
         "anticipated_plea": "not_guilty", "points": _points(SummaryPoint, offence=Kept("offence")),
         "interview_summary": "Denied the offence and being the man on DR/1; alibi at his "
         "sister's flat, not yet confirmed."}),
    Step("cps", 380, "decide_unused", {"item": Kept("item 1"),
         "decision": "clearly_not_disclosable"}),
    Step("cps", 381, "decide_unused", {"item": Kept("item 2"), "decision": "disclose",
         "reason": "Might assist the defence on identification."}),
    Step("cps", 382, "decide_unused", {"item": Kept("item 3"),
         "decision": "clearly_not_disclosable",
         "reason": "Neither undermines the prosecution nor assists the defence."}),
    Step("dc", 400, "write_case_summary", {"headline": _HEADLINE, "chronology": _CHRONOLOGY
         + " He was charged on the CPS's decision and bailed to the first hearing.",
         "anticipated_plea": "not_guilty", "points": _points(SummaryPoint, offence=Kept("offence")),
         "interview_summary": "Denied the offence and being the man on DR/1; alibi at his "
         "sister's flat, which his sister has not confirmed."}),
    Step("pc", 420, "record_statement", {"witness_id": Kept("victim"),
         "declaration": MG11_DECLARATION, "body": _VPS,
         "place": "At the victim's home", "started_at": At(400), "ended_at": At(418)},
         "vps statement"),
    Step("pc", 421, "sign_statement", {"statement_id": Kept("vps statement"),
         "signature_sha256": Kept("vps signature")}),
    Step("pc", 422, "record_vps", {"person_id": Kept("victim"), "outcome": "made",
         "offered_at": At(398), "statement": SeqOf("vps statement")}),
    Step("pc", 425, "assess_witness_care", {"person_id": Kept("victim"),
         "care_needs": "Lives alone; anxious about seeing the defendant at court.",
         "special_measures": "Screens at court.",
         "dates_to_avoid": "Hospital appointments on Tuesdays."}),
)  # fmt: skip


def record_prosecution(
    app: CasefileApp,
    recorded: DemoCase,
    people: DemoPeople,
    prosecutor: Signer,
    *,
    store: FileSystemBlobStore,
) -> Recorded:
    """Record :data:`PROSECUTION` after the referral; who signed how many records."""
    burglary_day = recorded.referred_at - _DAY - recorded.referred_at % _DAY
    given: dict[str, object] = {
        "dc": people.dc.custodian,
        "victim": recorded.victim,
        "witness statement": recorded.witness_statement,
        "burglary date": time.strftime("%Y-%m-%d", time.gmtime(burglary_day // 10**9)),
        # Listed a week on, at ten in the morning.
        "first hearing": burglary_day + 9 * _DAY + 10 * _HOUR,
        "vps signature": hashlib.sha256(b"signature pad capture: Margaret Hale, VPS").digest(),
    }

    def capture_recording(case: Investigation, when: int, *, exhibit: str, started: int,
                          ended: int) -> int:  # fmt: skip
        blob = store.put_stream(io.BytesIO(demo_wav(f"casefile demo interview {exhibit}")))
        seq = case.capture_evidence(
            exhibit=exhibit,
            kind="audio",
            sha256=blob.sha256,
            size=blob.size,
            media_type="audio/wav",
            device="Interview room 2 recorder, Northam Police Station",
            location=f"{_STATION}, interview room 2",
            captured_at=ended,
            description="Recording of the interview under caution, "
            f"{ns_to_human(started)} to {ns_to_human(ended)}",
            at=when,
        )
        seal_captured(case, people.dc, [exhibit], place=_STATION, at=when + _MINUTE)
        return seq

    def book_recording(case: Investigation, when: int, *, exhibit: str) -> int:
        return book_in(case, people.dc, people.keeper, [exhibit], at=when)[0]

    signers = {
        "pc": people.pc.signer,
        "dc": people.dc.signer,
        "keeper": people.keeper.signer,
        "cps": prosecutor,
    }
    if recorded.tablet is None:
        # Taken at the centre, her statement is a record of the case a point may cite.
        given["victim statement"] = recorded.victim_statement
    return run_steps(
        app,
        recorded.case_id,
        PROSECUTION,
        signers=signers,
        start=recorded.referred_at,
        kept=given,
        helpers={"capture_recording": capture_recording, "book_recording": book_recording},
    )


def cps_receipt(bundle: Path, name: str, key: Signer) -> str:
    """The CPS's receipted checkpoint of ``bundle``: its checkpoint, cosigned now with the
    CPS's receipt ``key`` named ``name`` (``casefile receipt`` does the same, after verifying)."""
    note = (bundle / "checkpoint.txt").read_text("utf-8")
    line = cosign_checkpoint(split_note(note)[0], name, key, int(time.time()))
    return append_cosignatures(note, (line,))
