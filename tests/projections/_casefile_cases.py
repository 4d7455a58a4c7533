"""Cases for the case-file tests: verified through the application, or as records read.

``verified_case`` stores a case through :class:`CasefileApp` and verifies it, so the
case file reads real :class:`~casefile.verifier.VerifiedRecord` values with their
disclosed names and texts. ``Views`` writes records of any type directly as a
verifier hands them over (texts already read), with the personal values of each
record apart, for the case file's own reading of each form.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from casefile.application import CasefileApp, StoreConfig
from casefile.events import Investigation, PointToProve, SummaryPoint
from casefile.events._custody_values import Custodian
from casefile.projections import RecordView
from casefile.signing import Holder, InMemorySigner, TrustEntry, TrustStore
from casefile.verifier import VerifiedCase, verify_case

T0 = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
SECOND = 10**9
DAY = 86_400 * SECOND


def signer(label: str) -> InMemorySigner:
    return InMemorySigner(hashlib.sha256(b"casefile-case-file-test:" + label.encode()).digest())


OFFICER = signer("officer")
PROSECUTOR = signer("prosecutor")


def _entry(key: InMemorySigner, name: str, holder: Holder, roles: set[str]) -> TrustEntry:
    return TrustEntry(
        public_key=key.public_key,
        name=name,
        holder=holder,
        roles=frozenset(roles),
        valid_from=T0 - DAY,
    )


OFFICER_HOLDER = Holder("Jane Smith", "PC", "1234", "Test Police")
PROSECUTOR_HOLDER = Holder("Paul Reed", "Crown Prosecutor", "CPS-9", "Crown Prosecution Service")
OFFICER_ENTRY = _entry(OFFICER, "test.police.uk/pc-1234", OFFICER_HOLDER, {"recorder"})
PROSECUTOR_ENTRY = _entry(
    PROSECUTOR, "cps.example/paul-reed", PROSECUTOR_HOLDER, {"prosecutor", "recorder"}
)
TRUST = TrustStore([OFFICER_ENTRY, PROSECUTOR_ENTRY])


def new_app() -> CasefileApp:
    ticks = itertools.count()
    return CasefileApp(
        store=StoreConfig.memory(), trust=TRUST, clock=lambda: T0 + SECOND * next(ticks)
    )


def verified_case(
    build: Callable[[Investigation], Any],
    *,
    reference: str = "01YE1234526",
    missing: bool = False,
    then: Callable[[CasefileApp, uuid.UUID], Any] = lambda app, case_id: None,
) -> VerifiedCase:
    """A case opened and built by ``build`` in one session (``then`` adds more), verified.

    A crime (a burglary), or with ``missing`` a missing-person case.
    """
    app = new_app()
    kind: dict[str, Any] = (
        {"kind": "missing_person"} if missing else {"kind": "crime", "offence": "Burglary"}
    )
    with app.open_session(OFFICER, channel="phone", reference=reference, **kind) as case:
        build(case)
        case_id = case.id
    then(app, case_id)
    return verify_case(
        app.records(case_id), trust=TRUST, at=app.now(), disclosures=app.disclosures(case_id)
    )


NOBODY: Final = uuid.UUID(int=0)


@dataclass
class Prosecution:
    """The records of a burglary built through the domain, from report to first hearing."""

    victim: uuid.UUID = NOBODY
    suspect: uuid.UUID = NOBODY
    statement: int = 0
    exhibit: int = 0
    interview: int = 0
    offence: int = 0
    request: int = 0
    decision: int = 0
    items: tuple[int, ...] = ()
    #: Whether the informant log is sensitive (else the MG6D is certified nil), and
    #: the schedules the disclosure officer certifies.
    sensitive: bool = True
    schedules: tuple[str, ...] = ("mg6c", "mg6d")

    def investigate(self, case: Investigation) -> None:
        """The police's part before charge: people, statement, exhibit, arrest, interview."""
        self.victim = case.add_person(role="victim", name="Vera Victim", dates_to_avoid="1 March")
        self.suspect = case.add_person(
            role="suspect", name="Sam Suspect", date_of_birth="2010-05-01"
        )
        statement_id = case.record_statement(
            witness_id=self.victim,
            declaration="This statement is true to the best of my knowledge and belief.",
            body="I came home to find the back window of 12 High Street broken.",
            place="12 High Street",
            started_at=T0,
            ended_at=T0 + 600 * SECOND,
        )
        self.statement = case.statements[statement_id].seq
        case.sign_statement(statement_id=statement_id)
        self.exhibit = case.seize_exhibit(
            exhibit="JS/1", place="12 High Street", description="Brick", power="PACE s.19"
        )
        case.identify_suspect(person_id=self.suspect, grounds="Seen at the window by a neighbour")
        case.record_arrest(
            person_id=self.suspect,
            arrested_at=T0 + DAY,
            place="Home address",
            power="Police and Criminal Evidence Act 1984 s.24",
            grounds="Suspected burglary; necessary to interview",
        )
        self.interview = case.record_interview(
            person_id=self.suspect,
            started_at=T0 + DAY + 3600 * SECOND,
            ended_at=T0 + DAY + 5400 * SECOND,
            place="Custody suite",
            interviewers=[Custodian.from_holder(OFFICER_HOLDER)],
            legal_representative=True,
            summary="Denied being at the address.",
            denials="Was not there",
        )
        self.offence = case.allege_offence(
            person_id=self.suspect,
            code="TH68010",
            title="Burglary dwelling and theft",
            wording="Entered 12 High Street as a trespasser and stole a laptop",
            place="12 High Street",
            from_date="2026-01-01",
            anticipated_plea="not_guilty",
            points_to_prove=[
                PointToProve("entered as a trespasser", (self.statement, self.exhibit)),
                PointToProve("stole property", ()),
            ],
        )
        self.request = case.request_charging_decision(
            offences=[self.offence], test="full_code", summary="Neighbour saw him at the window"
        )

    def decide(self, case: Investigation) -> None:
        """The prosecutor's charging decision."""
        self.decision = case.record_charging_decision(
            request=self.request,
            outcome="charge",
            test="full_code",
            reasons="Sufficient evidence; in the public interest",
            offences=[self.offence],
        )

    def charge(self, case: Investigation) -> None:
        """After the decision: charge, bail, hearing, summary, unused material, victim."""
        case.charge_offence(
            offence=self.offence,
            charged_at=T0 + 2 * DAY,
            wording="Entered 12 High Street as a trespasser and stole a laptop",
            decision=self.decision,
        )
        case.record_bail(person_id=self.suspect, status="police_bail", starts_at=T0 + 2 * DAY)
        case.list_hearing(
            person_id=self.suspect, court="Leeds Magistrates' Court", hearing_at=T0 + 9 * DAY
        )
        case.write_case_summary(
            headline="Burglary of a dwelling",
            chronology="The victim came home to a broken window.",
            anticipated_plea="not_guilty",
            points=[SummaryPoint(self.offence, "stole property", (self.statement,))],
            interview_summary="Denied being there.",
        )
        self.items = (
            case.record_unused_item(description="CCTV, no sighting", location="Station"),
            case.record_unused_item(
                description="Informant log",
                location="Safe",
                sensitive=self.sensitive,
                sensitivity_reason="Would reveal a source" if self.sensitive else "",
            ),
            case.record_unused_item(
                description="Second neighbour's note",
                location="Station",
                undermines_or_assists=True,
                assessment="Describes a taller man",
            ),
        )
        for schedule in self.schedules:
            case.schedule_unused(schedule=schedule)
        case.record_vps(person_id=self.victim, outcome="declined", offered_at=T0 + 3 * DAY)
        case.assess_witness_care(person_id=self.victim, care_needs="Needs a hearing loop")

    def disclose(self, case: Investigation) -> None:
        """The prosecutor's decisions on the unused material."""
        case.decide_unused(item=self.items[0], decision="disclose", reason="Assists the defence")
        case.decide_unused(item=self.items[0], decision="clearly_not_disclosable")
        case.decide_unused(item=self.items[1], decision="inspect")
        case.decide_unused(item=self.items[2], decision="disclose")


STAGES = ("investigated", "decided", "charged", "disclosed")


def prosecution(
    stage: str = "disclosed",
    more: Callable[[Investigation, Prosecution], Any] | None = None,
    p: Prosecution | None = None,
    decide: Callable[[Investigation, Prosecution], Any] | None = None,
) -> tuple[Prosecution, VerifiedCase]:
    """A prosecution up to ``stage`` (one of :data:`STAGES`), stored and verified.

    ``more`` records what else the officer does last, in a session of its own, and
    ``decide`` what the prosecutor does after that; ``p`` chooses the unused
    material (:attr:`Prosecution.sensitive`, ``schedules``).
    """
    p = Prosecution() if p is None else p

    def then(app: CasefileApp, case_id: uuid.UUID) -> None:
        steps = [(PROSECUTOR, p.decide), (OFFICER, p.charge), (PROSECUTOR, p.disclose)]
        for key, step in steps[: STAGES.index(stage)]:
            with app.session(case_id, key) as case:
                step(case)
        if more is not None:
            with app.session(case_id, OFFICER) as case:
                more(case, p)
        if decide is not None:
            with app.session(case_id, PROSECUTOR) as case:
                decide(case, p)

    return p, verified_case(p.investigate, then=then)


def party(name: str = "Jane Smith", number: str = "1234", rank: str = "PC") -> dict[str, str]:
    return {"name": name, "number": number, "organisation": "Test Police", "rank": rank, "role": ""}


def pid(n: int) -> bytes:
    return uuid.UUID(int=n).bytes


@dataclass
class Views:
    """Records of a case as read (texts in ``data``), written one after another."""

    views: list[RecordView] = field(default_factory=list)
    personal: dict[int, dict[str, Any]] = field(default_factory=dict)
    time_ns: int = T0

    def add(
        self,
        event_type: str,
        data: dict[str, Any],
        *,
        personal: dict[str, Any] | None = None,
        signer: TrustEntry | None = None,
        schema: int = 1,
    ) -> int:
        seq = len(self.views) + 1
        self.time_ns += 60 * SECOND
        self.views.append(RecordView(event_type, seq, self.time_ns, data, signer, schema))
        if personal is not None:
            self.personal[seq] = personal
        return seq

    def acted(self, event_type: str, data: dict[str, Any], **kwargs: Any) -> int:
        """A record that names who acted: ``by`` the officer, ``recorded_by`` none."""
        return self.add(event_type, {"by": party(), "recorded_by": None, **data}, **kwargs)

    def __iter__(self) -> Iterator[RecordView]:
        return iter(self.views)


def opened(views: Views, kind: str = "crime") -> int:
    if kind == "crime":
        data: dict[str, Any] = {
            "reference": "01YE1234526",
            "offence": "Burglary",
            "channel": "phone",
        }
        return views.add("case.opened", data, signer=OFFICER_ENTRY)
    data = {"reference": "01YE1234526", "kind": kind, "offence": None, "channel": "phone"}
    return views.add("case.opened", data, signer=OFFICER_ENTRY, schema=2)
