"""The demo's exhibits in custody: captured, sealed, booked in, sent to the lab.

The photographs and the audio are digital evidence: each is in the custody of
the officer who captured it from capture, with no seizure. Each step is
signed by the person who did it, or keyed in on their behalf and then
confirmed by them; the receiver of each booking or transfer keyed in by the
giver confirms the receipt with their own key; quoting the exhibit's reference and, where a seal is
checked or opened, the seal number on record, so the continuity check of the
records finds nothing to report. Bag, seal and property numbers are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from casefile.events import Custodian
from casefile.signing import Signer

if TYPE_CHECKING:
    from casefile.events import Investigation

__all__ = [
    "LAB",
    "SEALS",
    "STORE",
    "DemoPeople",
    "Officer",
    "book_in",
    "confirm_receipts",
    "examine_at_lab",
    "seal_captured",
    "send_to_lab",
]

_MINUTE: Final = 60 * 10**9

#: The force's property store, where booked exhibits are kept.
STORE: Final = "Northam Police Station, property store"
#: The forensic laboratory the demo's exhibits are sent to.
LAB: Final = "Northshire Scientific Services (fictional), Northam laboratory"

#: Each exhibit's evidence bag and the seal put on it when it was packaged.
SEALS: Final = {
    "SO/1": ("EB-204511", "NS-0048812"),
    "SO/2": ("EB-204512", "NS-0048813"),
    "MH/1": ("EB-204513", "NS-0048814"),
    "DR/1": ("EB-204520", "NS-0048821"),
    "DR/2": ("EB-204521", "NS-0048822"),
    "DR/3": ("EB-204530", "NS-0048831"),
}
#: The seals the lab puts on what it examined, with the new bags.
_LAB_SEALS: Final = {"SO/2": ("LB-77120", "NSS-113045"), "DR/2": ("LB-77121", "NSS-113046")}
_SUBMISSIONS: Final = {
    "SO/2": ("NSS-26-0412", "footwear mark comparison"),
    "DR/2": ("NSS-26-0413", "audio analysis of the doorbell recording"),
}


@dataclass(frozen=True, slots=True)
class Officer:
    """A person of the demo who records: who they are, and the key their device signs with."""

    rank: str
    number: str
    name: str
    initials: str
    signer: Signer
    full_name: str = ""
    organisation: str = ""
    role: str = ""

    @property
    def label(self) -> str:
        """How the summary names them: ``PC 4721 Okafor``."""
        return " ".join(part for part in (self.rank, self.number, self.name) if part)

    @property
    def custodian(self) -> Custodian:
        """How custody records name them."""
        return Custodian(
            name=self.full_name or self.name,
            number=self.number,
            organisation=self.organisation,
            rank=self.rank,
            role=self.role,
        )


@dataclass(frozen=True, slots=True)
class DemoPeople:
    """Who records the demo case: two officers, the property officer, the lab's examiner."""

    pc: Officer
    dc: Officer
    keeper: Officer
    examiner: Officer

    @property
    def everyone(self) -> tuple[Officer, ...]:
        """All four, in that order."""
        return (self.pc, self.dc, self.keeper, self.examiner)


def seal_captured(
    case: Investigation, officer: Officer, refs: list[str], *, place: str, at: int
) -> None:
    """Package and seal each captured exhibit where it was captured, as its capturer.

    The master copy of each file goes on a disc in its own sealed bag.
    """
    for n, ref in enumerate(refs):
        bag, seal = SEALS[ref]
        case.package_exhibit(
            exhibit=ref,
            by=officer.custodian,
            place=place,
            bag=bag,
            seal=seal,
            notes="Master copy written to a DVD-R, placed in the bag and sealed.",
            at=at + n * _MINUTE,
        )


def book_in(
    case: Investigation, officer: Officer, keeper: Officer, refs: list[str], *, at: int
) -> list[int]:
    """Book each exhibit into the property store, into the keeping of ``keeper``.

    Recorded in a session of ``officer``'s key, the booking is theirs; in a
    session of another key, it is recorded on ``officer``'s behalf. Returns
    the bookings' sequence numbers.
    """
    return [
        case.book_exhibit(
            exhibit=ref,
            by=officer.custodian,
            to=keeper.custodian,
            place=STORE,
            property_ref=f"NS-PS-26-{ref.replace('/', '')}",
            at=at + n * _MINUTE,
        )
        for n, ref in enumerate(refs)
    ]


def confirm_receipts(case: Investigation, seqs: list[int], *, at: int) -> None:
    """Confirm, as the session's signer, receiving what records ``seqs`` handed to them.

    The giver signs a transfer or booking; the receiver's own confirmation is
    what lets their continuity statement say "I received" in their words.
    """
    for n, seq in enumerate(seqs):
        case.confirm(seq=seq, at=at + n * _MINUTE)


def send_to_lab(
    case: Investigation, keeper: Officer, examiner: Officer, refs: list[str], *, at: int
) -> list[int]:
    """Hand each exhibit to the examiner, the seal checked and found intact; their seqs."""
    seqs = []
    for n, ref in enumerate(refs):
        submission, purpose = _SUBMISSIONS[ref]
        seqs.append(
            case.transfer_exhibit(
                exhibit=ref,
                by=keeper.custodian,
                to=examiner.custodian,
                place=STORE,
                purpose=purpose,
                seal_checked=True,
                seal=SEALS[ref][1],
                seal_intact=True,
                submission_ref=submission,
                at=at + n * _MINUTE,
            )
        )
    return seqs


def examine_at_lab(
    case: Investigation, examiner: Officer, audio: tuple[str, bytes], *, at: int
) -> str:
    """Open, examine and reseal SO/2; open DR/2, image it as a working copy, reseal it.

    Returns the reference of the working copy. ``audio`` is (reference, SHA-256).
    """
    who = examiner.custodian
    t = at
    case.open_seal(
        exhibit="SO/2", by=who, place=LAB, seal=SEALS["SO/2"][1], reason="examination", at=t
    )
    case.examine_exhibit(
        exhibit="SO/2",
        by=who,
        place=LAB,
        lab=LAB,
        method="Comparison of the photographed shoe mark against the footwear reference collection",
        tool="Footwear comparison workstation",
        tool_version="4.2",
        at=t + 20 * _MINUTE,
    )
    bag, seal = _LAB_SEALS["SO/2"]
    case.reseal_exhibit(
        exhibit="SO/2",
        by=who,
        place=LAB,
        old_seal=SEALS["SO/2"][1],
        new_seal=seal,
        bag=bag,
        at=t + 40 * _MINUTE,
    )
    ref, sha256 = audio
    copy = f"{ref}/A"
    case.open_seal(
        exhibit=ref, by=who, place=LAB, seal=SEALS[ref][1], reason="imaging", at=t + 45 * _MINUTE
    )
    case.image_exhibit(
        exhibit=ref,
        by=who,
        place=LAB,
        derived=copy,
        source_sha256=sha256,
        # A bit-for-bit working copy: the same bytes, so the same SHA-256.
        output_sha256=sha256,
        tool="dcfldd",
        tool_version="1.9.1",
        write_blocker="Tableau T8u USB write blocker",
        media_type="audio/wav",
        description=f"Working copy of {ref} for audio analysis",
        at=t + 55 * _MINUTE,
    )
    bag, seal = _LAB_SEALS[ref]
    case.reseal_exhibit(
        exhibit=ref,
        by=who,
        place=LAB,
        old_seal=SEALS[ref][1],
        new_seal=seal,
        bag=bag,
        at=t + 60 * _MINUTE,
    )
    return copy
