"""The case file's forms after the front sheet: MG3 to MG12, continuity, missing person.

Values follow the rules of :mod:`casefile.projections._casefile_model`: frozen,
named as the JSON names them, ``*_at`` times in nanoseconds, texts as read,
and ``records`` naming the records each part was built from.
"""

from __future__ import annotations

from dataclasses import dataclass

from casefile.projections._casefile_model import (
    CaseHeader,
    FrontSheet,
    PersonRef,
    Records,
    SignedBy,
    Text,
)
from casefile.projections._cite import Cite, Cites
from casefile.projections._custody_records import Party
from casefile.projections._exhibit_list import ExhibitListRow

__all__ = [
    "CareNeeds",
    "CaseFile",
    "CaseSummary",
    "ChargingDecision",
    "ChargingRequest",
    "Completeness",
    "ContinuityPart",
    "ContinuityText",
    "EnquiryLine",
    "ExhibitRow",
    "FindingItem",
    "Found",
    "Lack",
    "MissingPerson",
    "MissingPersonPart",
    "MissingReport",
    "RiskReview",
    "Schedule",
    "Sighting",
    "Signature",
    "Statement",
    "SummaryPoint",
    "UndermineReport",
    "UnusedDecision",
    "UnusedItem",
    "VictimStatement",
    "Witness",
    "WitnessList",
]


@dataclass(frozen=True, slots=True)
class ChargingDecision:
    decision: Cite
    outcome: str
    test: str
    offences: Cites
    reasons: Text | None
    action_plan: Text | None
    decided_at: int
    by: Party
    recorded_by: Party | None
    signed_by: SignedBy | None
    records: Records


@dataclass(frozen=True, slots=True)
class ChargingRequest:
    """MG3: a request for a charging decision and the prosecutor's decision on it, if made."""

    request: Cite
    offences: Cites
    test: str
    summary: Text | None
    questions: Text | None
    requested_at: int
    by: Party
    recorded_by: Party | None
    decision: ChargingDecision | None
    records: Records


@dataclass(frozen=True, slots=True)
class SummaryPoint:
    offence: Cite
    element: str
    evidence: Cites
    records: Records


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """MG5: the latest version of the case summary; the earlier versions by record."""

    version: int
    anticipated_plea: str
    headline: Text | None
    chronology: Text | None
    interview_summary: Text | None
    points: tuple[SummaryPoint, ...]
    written_at: int
    by: Party
    recorded_by: Party | None
    earlier_versions: Cites
    records: Records


@dataclass(frozen=True, slots=True)
class UnusedDecision:
    decision: str
    reason: Text | None
    decided_at: int
    by: Party
    recorded_by: Party | None
    signed_by: SignedBy | None
    records: Records


@dataclass(frozen=True, slots=True)
class UnusedItem:
    """An item of unused material as it stands, with the prosecutor's latest decision on it.

    ``reclassified_by`` is the correction that last changed ``sensitive``, or
    None: a decision made before it was made on the item as the other kind.
    """

    item: int
    description: Text | None
    location: Text | None
    sensitive: bool
    sensitivity_reason: Text | None
    undermines_or_assists: bool
    assessment: Text | None
    by: Party
    recorded_by: Party | None
    decision: UnusedDecision | None
    reclassified_by: Cite | None
    records: Records


@dataclass(frozen=True, slots=True)
class Schedule:
    """MG6C (non-sensitive) or MG6D (sensitive): the latest certified revision of a schedule.

    ``items`` are those of the latest revision (None: never certified) that
    still belong on this schedule, as they now stand; ``pending`` are the items
    that belong on it but are not on that revision; ``reclassified`` the
    numbers of the items on that revision whose sensitivity has since been
    corrected (only their numbers: a sensitive item's detail never reaches the
    MG6C). ``nil`` is true when that revision lists no item: the disclosure
    officer certified that there is no material of its kind.
    """

    schedule: str
    revision: int | None
    items: tuple[UnusedItem, ...]
    pending: tuple[UnusedItem, ...]
    nil: bool
    reclassified: tuple[int, ...]
    disclosure_officer: Party | None
    certified_at: int | None
    revisions: Cites
    records: Records


@dataclass(frozen=True, slots=True)
class UndermineReport:
    """MG6E: the items that might undermine the prosecution or assist the defence."""

    items: tuple[UnusedItem, ...]
    disclosure_officer: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class CareNeeds:
    """A witness's care needs as the reader may see them (None: not given)."""

    care_needs: Text | None
    interpreter: Text | None
    special_measures: Text | None
    dates_to_avoid: Text | None
    records: Records


@dataclass(frozen=True, slots=True)
class VictimStatement:
    outcome: str
    statement: Cite | None
    offered_at: int
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class Witness:
    person: PersonRef
    statements: Cites
    care: CareNeeds | None
    vps: VictimStatement | None
    records: Records


@dataclass(frozen=True, slots=True)
class WitnessList:
    """MG9: every victim or witness who made a statement."""

    witnesses: tuple[Witness, ...]
    records: Records


@dataclass(frozen=True, slots=True)
class Signature:
    signatory: str
    reader_declaration: str | None
    signature_sha256: bytes | None
    signed_at: int
    records: Records


@dataclass(frozen=True, slots=True)
class Statement:
    """MG11: one witness statement as the reader sees it, with its signatures and corrections."""

    statement: Cite
    statement_id: bytes
    witness: PersonRef
    declaration: str
    over_18: bool
    age: int | None
    taken_by: Party
    recorded_by: Party | None
    place: Text | None
    started_at: int
    ended_at: int
    exhibits: tuple[str, ...]
    body: Text | None
    signatures: tuple[Signature, ...]
    corrected_by: Cites
    records: Records


@dataclass(frozen=True, slots=True)
class ExhibitRow(ExhibitListRow):
    """MG12: one exhibit as :func:`~casefile.projections.exhibit_list` gives it, with the
    custody records it was built from (its fields are that row's, kept in one place)."""

    records: Records


@dataclass(frozen=True, slots=True)
class ContinuityText:
    """A custodian's draft continuity statement (:func:`continuity_statements`)."""

    custodian: Party
    exhibits: tuple[str, ...]
    text: str
    records: Records


@dataclass(frozen=True, slots=True)
class FindingItem:
    kind: str
    message: str
    seq: Cite | None
    exhibit: str | None
    records: Records


@dataclass(frozen=True, slots=True)
class ContinuityPart:
    statements: tuple[ContinuityText, ...]
    findings: tuple[FindingItem, ...]


@dataclass(frozen=True, slots=True)
class MissingReport:
    last_seen_at: int
    risk: str
    last_seen_place: Text | None
    circumstances: Text | None
    reported_at: int
    records: Records


@dataclass(frozen=True, slots=True)
class RiskReview:
    risk: str
    next_review_at: int | None
    reasons: Text | None
    reviewed_at: int
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class Sighting:
    seen_at: int
    place: Text | None
    details: Text | None
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class EnquiryLine:
    status: str
    enquiry: Text | None
    result: Text | None
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class Found:
    found_at: int
    outcome: str
    place: Text | None
    found_by: Text | None
    safe_and_well_at: int | None
    safe_and_well: Text | None
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class MissingPerson:
    person: PersonRef
    reports: tuple[MissingReport, ...]
    risk_reviews: tuple[RiskReview, ...]
    sightings: tuple[Sighting, ...]
    enquiries: tuple[EnquiryLine, ...]
    found: Found | None
    records: Records


@dataclass(frozen=True, slots=True)
class MissingPersonPart:
    people: tuple[MissingPerson, ...]


@dataclass(frozen=True, slots=True)
class Lack:
    """One thing a file of its type still lacks: a code, the form it belongs on, and why."""

    item: str
    form: str
    message: str
    records: Records = ()


@dataclass(frozen=True, slots=True)
class Completeness:
    """What a file of ``file_type`` still lacks; ``complete`` when nothing."""

    file_type: str
    lacking: tuple[Lack, ...]

    @property
    def complete(self) -> bool:
        return not self.lacking


@dataclass(frozen=True, slots=True)
class CaseFile:
    """The prosecution case file of one case, for one audience (None: the police's own)."""

    case: CaseHeader
    audience: str | None
    file_type: str
    mg1: FrontSheet
    mg3: tuple[ChargingRequest, ...] | None
    mg5: CaseSummary | None
    mg6c: Schedule | None
    mg6d: Schedule | None
    mg6e: UndermineReport | None
    mg9: WitnessList
    mg11: tuple[Statement, ...]
    mg12: tuple[ExhibitRow, ...]
    continuity: ContinuityPart
    missing_person: MissingPersonPart | None
    completeness: Completeness
    #: Rules between records that the records break (docs/CASEFILE.md §2.4).
    findings: tuple[FindingItem, ...] = ()
