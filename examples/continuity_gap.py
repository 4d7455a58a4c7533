"""A chain of custody with two breaks in it, and what verification reports about them.

    python examples/continuity_gap.py [--max-gap-days N]

PC Ward seizes a phone on an arrest and seals it in bag EB-310017 under seal
NS-0073312. He keeps it in his locker for six weeks instead of booking it into
the property store, then hands it to the force's digital forensics unit. The
unit's intake system, which signs with the examiner's own key but knows nothing
of the case's seals, records the seal she opened as NS-0073321: two digits
transposed, or another bag.

The Investigation refuses to record a seal number that is not the one on record,
so the intake record is sealed here directly with ``casefile.signing.seal_record``,
as other software would seal it. Verification then finds every record authentic,
in order and signed by a trusted key, and the continuity check of those verified
records reports the two breaks a defence lawyer would raise: the unexplained gap
and the seal mismatch. Everything is kept in memory; the exit status is 0.
"""

from __future__ import annotations

import argparse
import time

from casefile.application import CasefileApp, StoreConfig
from casefile.errors import SealMismatchError
from casefile.events import EVENT_TYPES, Custodian
from casefile.projections import ContinuityPolicy, build_exhibit_register, records_as_read
from casefile.signing import (
    RECORDER_ROLE,
    Disclosure,
    Holder,
    InMemorySigner,
    TextDisclosure,
    TrustEntry,
    TrustStore,
    commit_fields,
    parse_record,
    seal_record,
)
from casefile.verifier import verify_case

FORCE = "Example Constabulary (fictional)"
DAY_NS = 86_400 * 10**9
HOUR_NS = 3600 * 10**9
STATION = "Northam Police Station"
UNIT = "Digital Forensics Unit, Northam"
SEAL = "NS-0073312"
MISREAD_SEAL = "NS-0073321"

OFFICER = Custodian(
    name="Alan Ward", number="5150", organisation=FORCE, rank="PC", role="arresting officer"
)
EXAMINER = Custodian(
    name="Grace Obi", number="DF-208", organisation=FORCE, role="digital forensic examiner"
)


def trust_for(people: list[tuple[Custodian, InMemorySigner]], now: int) -> TrustStore:
    """The force's trust store: each person's key, allowed to record for a year."""
    return TrustStore(
        [
            TrustEntry(
                public_key=signer.public_key,
                name=f"example.police.uk/{who.number}",
                holder=Holder(who.name, who.rank, who.number, who.organisation),
                roles=frozenset({RECORDER_ROLE}),
                valid_from=now - 365 * DAY_NS,
                valid_until=now + 365 * DAY_NS,
            )
            for who, signer in people
        ]
    )


def record_case(app: CasefileApp, officer: InMemorySigner, start: int) -> list[bytes]:
    """The case as the Investigation records it: seizure, sealing, a late hand-over."""
    with app.open_session(
        officer, offence="burglary", channel="officer_mobile", reference="42EX0004426", at=start
    ) as case:
        # The suspect is a person of the case; custody records name them by id.
        suspect = case.add_person(role="suspect", name="Kyle Denton", at=start + HOUR_NS)
        case.seize_exhibit(
            exhibit="AW/1",
            by=OFFICER,
            place=f"{STATION}, custody suite",
            description="Black smartphone in a blue case, seized from the suspect on arrest",
            power="Police and Criminal Evidence Act 1984, s.32",
            seized_from=suspect,
            at=start + HOUR_NS,
        )
        case.package_exhibit(
            exhibit="AW/1",
            by=OFFICER,
            place=f"{STATION}, custody suite",
            bag="EB-310017",
            seal=SEAL,
            at=start + HOUR_NS + 10 * 60 * 10**9,
        )
        case_id = case.id
    # Six weeks on, with no record in between, the phone goes to the forensics unit.
    handover = start + 42 * DAY_NS
    with app.session(case_id, officer) as case:
        case.transfer_exhibit(
            exhibit="AW/1",
            by=OFFICER,
            to=EXAMINER,
            place=UNIT,
            purpose="download of the phone's messages and call log",
            seal_checked=True,
            seal=SEAL,
            seal_intact=True,
            submission_ref="DFU-26-0193",
            at=handover,
        )
    return list(app.records(case_id))


def intake_record(
    records: list[bytes], examiner: InMemorySigner, at: int
) -> tuple[bytes, tuple[Disclosure | TextDisclosure, ...]]:
    """The forensics unit's own record of opening the bag, signed by the examiner's key.

    Its place, notes and reason are free text: committed in the record, disclosed beside it.
    """
    last = parse_record(records[-1])
    case_id, seq = last.header.case_id, last.header.seq + 1
    data = {
        "exhibit": "AW/1",
        "by": EXAMINER.to_data(),
        "recorded_by": None,  # the examiner signs her own act (V15)
        "occurred_at": None,
        "seal": MISREAD_SEAL,
    }
    texts = {
        "place": UNIT,
        "notes": "Seal number as read from the bag at intake.",
        "reason": "examination",
    }
    commitments, disclosures = commit_fields(case_id, seq, {}, texts=texts)
    sealed = seal_record(
        case_id=case_id,
        seq=seq,
        prev=last.hash,
        event_type="exhibit.seal_opened",
        schema=1,
        time_ns=at,
        data=data,
        signer=examiner,
        commitments=commitments,
    )
    return sealed.raw, disclosures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--max-gap-days", type=int, default=30, help="longest pause allowed outside a store"
    )
    args = parser.parse_args(argv)
    now = time.time_ns()
    start = now - 60 * DAY_NS
    officer, examiner = InMemorySigner.generate(), InMemorySigner.generate()
    trust = trust_for([(OFFICER, officer), (EXAMINER, examiner)], now)
    app = CasefileApp(store=StoreConfig.memory(), trust=trust)
    try:
        records = record_case(app, officer, start)
        case_id = app.list_cases()[0]
        disclosures = list(app.disclosures(case_id))
        opened_at = start + 42 * DAY_NS + 2 * HOUR_NS
        # The library will not write the misread seal itself...
        try:
            with app.session(case_id, examiner) as case:
                case.open_seal(
                    exhibit="AW/1", by=EXAMINER, place=UNIT, seal=MISREAD_SEAL,
                    reason="examination", at=opened_at,
                )  # fmt: skip
        except SealMismatchError as refused:
            print(f"refused by the Investigation: {refused}")
    finally:
        app.close()
    # ...but a record signed elsewhere reaches the case file as it was signed.
    intake, intake_disclosures = intake_record(records, examiner, opened_at)
    records.append(intake)
    disclosures.extend(intake_disclosures)

    verified = verify_case(
        records,
        trust=trust,
        at=now,
        case_id=case_id,
        known_types=EVENT_TYPES.known_types(),
        disclosures=disclosures,
    )
    signers = sorted(entry.name for entry in trust.entries if entry.key_id in verified.signers)
    print(f"integrity: verified, {verified.size} records of case {case_id}")
    print(f"  signed by {', '.join(signers)}")
    policy = ContinuityPolicy(max_gap_ns=args.max_gap_days * DAY_NS)
    register = build_exhibit_register(records_as_read(verified.records), policy=policy, as_of=now)
    print(f"continuity: {len(register.findings)} finding(s)")
    for finding in register.findings:
        print(f"  {finding.kind}: {finding.exhibit}, record {finding.seq}: {finding.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
