"""The case file against verification: building every MG form from a large verified case.

A prosecutable case of about N records (default 10,000) is recorded through the
application (in memory): witnesses and their signed statements, captured
exhibits packaged and booked into the store, suspects identified, arrested and
interviewed, offences alleged with points to prove, charging requests and a
prosecutor's decisions, charges, bail and hearings, unused material recorded,
scheduled and marked by the prosecutor, versions of the case summary, and
redaction decisions withholding runs of each statement's body from the
defence. Then, after one warm-up run of each and interleaved so that load on
the machine hits all alike, each the median of ``--repeat`` runs:

1. verification (the baseline): ``verify_case`` of the stored records with
   every disclosure, keeping the verified records, one process;
2. the case file: ``build_case_file`` of those verified records (every form,
   the exhibit register and continuity statements, completeness);
3. the same and its JSON object (``case_file_json``);
4. the same and its document bytes (``case_file_document``: sorted keys,
   two-space indent, which Python's JSON encoder writes in pure Python);
5. the same and its DCF 1.2 export (``dcf_export`` of the case file);
6. the defence's side: verifying the records with the disclosures a bundle
   for the defence carries (the redacted runs withheld) and building the
   defence's case file, with its withheld markers, from those records.

It prints each as a ratio to its verification (target: the case file <= 0.25x, the
forms cost a fraction of checking the signatures they rest on).

Usage: python benchmarks/bench_casefile.py [--records N] [--repeat R] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench_core import interleaved

from _casebuilder import signer_from
from casefile.application import CasefileApp, StoreConfig
from casefile.bundle import DISCLOSE_ALL
from casefile.events import EVENT_TYPES, Custodian, Investigation, PointToProve, SummaryPoint
from casefile.projections import (
    CaseFile,
    build_case_file,
    case_file_document,
    case_file_json,
    dcf_export,
)
from casefile.signing import (
    PROSECUTOR_ROLE,
    RECORDER_ROLE,
    REDACTOR_ROLE,
    Holder,
    TrustEntry,
    TrustStore,
    split_units,
)
from casefile.verifier import VerifiedCase, payload_schemas, verify_case

_MINUTE = 60 * 10**9
_DECLARATION = "This statement is true to the best of my knowledge and belief."
_BODY = (
    "I was at home when I heard glass break next door. I looked out of the window and saw a "
    "man in a dark jacket climb out of the rear window of number 14 carrying a bag. "
) * 6
_BODY_UNITS = len(split_units(_BODY))
#: The runs of each statement's body withheld from the defence (a witness's address and phone).
_WITHHELD = ((3, 8), (40, 45), (120, 123))

OFFICER = signer_from("bench officer")
PROSECUTOR = signer_from("bench prosecutor")
OFFICER_HOLDER = Holder("Bench Officer", "PC", "1", "Bench Police")
KEEPER = Custodian.from_holder(Holder("Property Officer", "", "PS-1", "Bench Police"))


def trust(start: int) -> TrustStore:
    cps = Holder("Crown Prosecutor", "", "CPS-1", "Crown Prosecution Service")
    return TrustStore(
        [
            TrustEntry(
                public_key=OFFICER.public_key,
                name="bench.police.example/officer",
                holder=OFFICER_HOLDER,
                roles=frozenset({RECORDER_ROLE, REDACTOR_ROLE}),
                valid_from=start - 10**15,
            ),
            TrustEntry(
                public_key=PROSECUTOR.public_key,
                name="cps.example/prosecutor",
                holder=cps,
                roles=frozenset({PROSECUTOR_ROLE}),
                valid_from=start - 10**15,
            ),
        ]
    )


def _statements_and_exhibits(case: Investigation, block: int, t: int) -> list[int]:
    """Ten witnesses with a signed statement each, ten exhibits sealed and booked in."""
    evidence = []
    for i in range(10):
        witness = case.add_person(role="witness", name=f"Witness {block}-{i}", at=t)
        statement = case.record_statement(
            witness_id=witness,
            declaration=_DECLARATION,
            body=_BODY,
            place=f"{i} Larch Close",
            started_at=t - 30 * _MINUTE,
            ended_at=t - _MINUTE,
            at=t,
        )
        seq = case.statements[statement].seq
        evidence.append(seq)
        case.decide_redaction(
            record=seq,
            field="body",
            audiences=("defence",),
            reason="victim_or_witness_contact_details",
            runs=_WITHHELD,
            units=_BODY_UNITS,
            at=t,
        )
        case.sign_statement(
            statement_id=statement,
            signature_sha256=hashlib.sha256(f"{block}-{i}".encode()).digest(),
            at=t,
        )
        ref = f"BE/{block * 10 + i + 1}"
        evidence.append(
            case.capture_evidence(
                exhibit=ref,
                kind="photo",
                sha256=hashlib.sha256(ref.encode()).digest(),
                size=123_456,
                media_type="image/jpeg",
                device="Force tablet T-1",
                location="14 Larch Close",
                captured_at=t - _MINUTE,
                description=f"Photograph {ref} of the point of entry",
                at=t,
            )
        )
        seal = f"S{block:05d}{i}"
        case.package_exhibit(exhibit=ref, place="14 Larch Close", bag=f"B{seal}", seal=seal, at=t)
        case.book_exhibit(
            exhibit=ref, to=KEEPER, place="Property store", property_ref=f"P{seal}", at=t
        )
    return evidence


def _prosecution(
    case: Investigation, block: int, t: int, evidence: list[int]
) -> tuple[uuid.UUID, int, int]:
    """A suspect identified, arrested and interviewed; an offence alleged; its MG3 request.

    Ten unused items and a case summary follow; every tenth block the schedules
    are certified again. Returns the suspect, the offence and the request.
    """
    suspect = case.add_person(role="suspect", name=f"Suspect {block}", at=t)
    case.identify_suspect(person_id=suspect, grounds="Seen on the doorbell camera", at=t)
    case.record_arrest(
        person_id=suspect,
        arrested_at=t,
        place="Mill Row",
        power="Police and Criminal Evidence Act 1984 s.24",
        grounds="Suspected of the burglary; necessary to interview him",
        at=t,
    )
    interview = case.record_interview(
        person_id=suspect,
        started_at=t - 40 * _MINUTE,
        ended_at=t - 10 * _MINUTE,
        place="Interview room 1",
        interviewers=(Custodian.from_holder(OFFICER_HOLDER),),
        legal_representative=True,
        summary="Denied the offence.",
        denials="Denied being there.",
        at=t,
    )
    offence = case.allege_offence(
        person_id=suspect,
        code="TH68010",
        title="Burglary dwelling and theft",
        wording="Having entered as a trespasser a dwelling stole therein jewellery",
        place="14 Larch Close",
        from_date="2026-01-05",
        anticipated_plea="not_guilty",
        points_to_prove=(
            PointToProve("Entered a building as a trespasser", tuple(evidence[:4])),
            PointToProve("Identity", (interview, *evidence[4:6])),
        ),
        at=t,
    )
    request = case.request_charging_decision(
        offences=(offence,), test="full_code", summary="Identification evidence", at=t
    )
    for item in range(10):
        case.record_unused_item(
            description=f"Enquiry log {block}-{item}",
            location="Case papers",
            sensitive=item == 9,
            sensitivity_reason="Informant" if item == 9 else "",
            at=t,
        )
    case.write_case_summary(
        headline=f"Burglary {block}",
        chronology="The house was entered and jewellery taken.",
        anticipated_plea="not_guilty",
        points=(SummaryPoint(offence, "Identity", (interview,)),),
        at=t,
    )
    if block % 10 == 9:
        case.schedule_unused(schedule="mg6c", at=t)
        case.schedule_unused(schedule="mg6d", at=t)
    return suspect, offence, request


def record_case(records: int) -> tuple[CasefileApp, uuid.UUID]:
    """A prosecutable case of about ``records`` records, in an in-memory store."""
    start = time.time_ns() - 10**15 // 10
    app = CasefileApp(store=StoreConfig.memory(), trust=trust(start))
    case_id = app.open_case(
        OFFICER, offence="burglary", channel="officer_mobile", reference="01YE1234526", at=start
    )
    t = start + _MINUTE
    block, last = 0, 1
    while last < records:
        with app.session(case_id, OFFICER) as case:
            evidence = _statements_and_exhibits(case, block, t)
            suspect, offence, request = _prosecution(case, block, t, evidence)
        with app.session(case_id, PROSECUTOR) as case:
            decision = case.record_charging_decision(
                request=request,
                outcome="charge",
                test="full_code",
                offences=(offence,),
                reasons="Full Code Test met",
                at=t,
            )
            for item in range(10):
                case.decide_unused(
                    item=block * 10 + item + 1, decision="clearly_not_disclosable", at=t
                )
        with app.session(case_id, OFFICER) as case:
            case.charge_offence(
                offence=offence, charged_at=t, wording="As alleged", decision=decision, at=t
            )
            case.record_bail(
                person_id=suspect,
                status="police_bail",
                starts_at=t,
                ends_at=t + 20 * 24 * 60 * _MINUTE,
                conditions="Not to contact the witnesses; to live at his home address",
                at=t,
            )
            case.list_hearing(
                person_id=suspect,
                court="Leeds Magistrates' Court",
                hearing_at=t + 20 * 24 * 60 * _MINUTE,
                at=t,
            )
            last = case.version
        block += 1
        t += _MINUTE
    return app, case_id


def case_verifier(
    app: CasefileApp, case_id: uuid.UUID, stored: list[Any], at: int, given: list[Any]
) -> Callable[[], VerifiedCase]:
    """``verify_case`` of the ``stored`` records with the ``given`` disclosures, one process."""
    known = EVENT_TYPES.known_types()
    schemas = payload_schemas()

    def verify() -> VerifiedCase:
        return verify_case(
            stored,
            trust=app.trust,
            at=at,
            case_id=case_id,
            disclosures=given,
            known_types=known,
            payloads=schemas,
            workers=1,
        )

    return verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="profile the case file build")
    args = parser.parse_args()
    app, case_id = record_case(args.records)
    stored = list(app.records(case_id))
    disclosures = list(app.disclosures(case_id))
    at = app.now()
    kinds: dict[str, int] = {}
    size = len(stored)
    withheld = app.withheld_from(case_id, "defence", at, size)
    defence_disclosures = list(
        app.carried_disclosures(
            case_id, size=size, policy=DISCLOSE_ALL, audience="defence", withheld=withheld
        )
    )
    verified: dict[str, VerifiedCase] = {}

    def verifier(name: str, given: list[Any]) -> Callable[[], None]:
        run = case_verifier(app, case_id, stored, at, given)

        def verify() -> None:
            verified[name] = run()

        return verify

    verify, verify_defence = (
        verifier("police", disclosures),
        verifier("defence", defence_disclosures),
    )

    def case_file() -> CaseFile:
        return build_case_file(verified["police"].records, as_of=at)

    def with_json() -> dict[str, object]:
        return case_file_json(case_file())

    def document() -> bytes:
        return case_file_document(case_file())

    def dcf() -> object:
        return dcf_export(case_file())

    def defence_file() -> CaseFile:
        return build_case_file(verified["defence"].records, audience="defence", as_of=at)

    # The warm-up: one run of each, outside the timings.
    for warm in (verify, verify_defence, case_file, defence_file):
        warm()
    for record in verified["police"].records:
        kinds[record.event_type] = kinds.get(record.event_type, 0) + 1
    size = len(document())
    marked = sum(s.body is not None and "[withheld" in s.body for s in defence_file().mg11)
    print(
        f"casefile case file benchmark: {len(stored)} records "
        f"({len(kinds)} types), median of {args.repeat}"
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(document)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return
    t_verify, t_file, t_json, t_document, t_dcf, t_verify_defence, t_defence = interleaved(
        args.repeat, verify, case_file, with_json, document, dcf, verify_defence, defence_file
    )
    print(f"  {'verification (one process)':<44} {t_verify * 1000:8.1f} ms")
    for label, took, base in (
        ("the case file (build_case_file)", t_file, t_verify),
        ("and its JSON object", t_json, t_verify),
        (f"and its document ({size // 1024} KiB)", t_document, t_verify),
        ("the case file and its DCF export", t_dcf, t_verify),
        ("verification, the defence's disclosures", t_verify_defence, t_verify),
        (f"the defence's file ({marked} MG11 redacted)", t_defence, t_verify_defence),
    ):
        ratio = took / base
        of = "verification" if base is t_verify else "its verification"
        print(f"  {label:<44} {took * 1000:8.1f} ms  {ratio:5.2f}x {of}")
    worst = max(t_file / t_verify, t_defence / t_verify_defence)
    verdict = "within" if worst <= 0.25 else "OVER"
    print(f"  target: each case file <= 0.25x its verification: {verdict}")


if __name__ == "__main__":
    main()
