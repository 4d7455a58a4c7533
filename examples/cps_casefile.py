"""The CPS side: verify a handed-over bundle, build the case file from it, read the MG6C.

    python examples/cps_casefile.py OUTPUT_DIR [BUNDLE] [--trust TRUST]

With no BUNDLE, the police side runs first, in OUTPUT_DIR: a small
burglary (a disclosure officer records three items of unused material and
schedules them; a CPS prosecutor, with her own key, marks each one) is handed
over as a bundle for the CPS (OUTPUT_DIR/bundle-cps.zip), with the trust store
(OUTPUT_DIR/trust.json) the CPS holds a copy of. A BUNDLE given is read with
the trust store TRUST (default: OUTPUT_DIR/trust.json); the demo's, for one:

    python examples/cps_casefile.py out casefile-demo-*/bundle.zip \
        --trust casefile-demo-*/keys/trust.json

Then, as the CPS would, with nothing but the bundle and the public keys: the
bundle is verified (manifest, records, disclosures, checkpoint), the records
are verified again as they are read, and the case file is built from those
verified records with the pure projection: no database, no domain classes.
It prints the file's findings (authentic records that break a rule between
records), then the non-sensitive unused material schedule (MG6C), each item
with the prosecutor's decision. Exit status: 0 verified, 1 not, 2 a file that
could not be read (named on stderr).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from casefile.application import CasefileApp, StoreConfig
from casefile.bundle import bundle_capture_records, open_bundle, verify_bundle
from casefile.errors import CasefileError
from casefile.projections import build_case_file
from casefile.signing import (
    CHECKPOINT_ROLE,
    PROSECUTOR_ROLE,
    RECORDER_ROLE,
    Holder,
    InMemorySigner,
    TrustEntry,
    TrustStore,
    dump_trust_store,
    load_trust_store,
)
from casefile.verifier import verify_case

FORCE = "Example Constabulary (fictional)"
DAY_NS = 86_400 * 10**9
MINUTE_NS = 60 * 10**9


def police_side(out: Path) -> Path:
    """Record a small charged case with scheduled unused material; hand it to the CPS."""
    now = time.time_ns()
    officer, cps, service = (InMemorySigner.generate() for _ in range(3))
    people = (
        (officer, "example.police.uk/officer/3308", Holder("Daniel Reyes", "DC", "3308", FORCE),
         RECORDER_ROLE),
        (cps, "cps.example/prosecutor/1187",
         Holder("Aisha Bello", "", "CPS-1187", "Crown Prosecution Service"), PROSECUTOR_ROLE),
        (service, "example.police.uk/casefile-checkpoint",
         Holder("Case file service", "", "SVC-1", FORCE), CHECKPOINT_ROLE),
    )  # fmt: skip
    trust = TrustStore(
        [
            TrustEntry(
                public_key=signer.public_key,
                name=name,
                holder=holder,
                roles=frozenset({role}),
                valid_from=now - 30 * DAY_NS,
            )
            for signer, name, holder, role in people
        ]
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "trust.json").write_text(dump_trust_store(trust), encoding="utf-8")
    app = CasefileApp(store=StoreConfig.memory(), trust=trust)
    t = now - DAY_NS
    try:
        with app.open_session(
            officer, offence="burglary", channel="officer_mobile", reference="01YE1234526", at=t
        ) as case:
            case_id = case.id
            suspect = case.add_person(role="suspect", name="Lee Carver", at=t)
            case.identify_suspect(person_id=suspect, grounds="Seen on a doorbell camera", at=t)
            case.allege_offence(
                person_id=suspect,
                code="TH68036",
                title="Burglary dwelling and theft - no violence",
                wording="Having entered a dwelling as a trespasser, stole jewellery therein.",
                place="14 Larch Close, Northam",
                from_date=time.strftime("%Y-%m-%d", time.gmtime(t // 10**9)),
                anticipated_plea="not_guilty",
                at=t + MINUTE_NS,
            )
            items = [
                case.record_unused_item(
                    description=description,
                    location="Northam Police Station, case papers",
                    sensitive=sensitive,
                    sensitivity_reason="Would identify a confidential source" if sensitive else "",
                    at=t + (2 + n) * MINUTE_NS,
                )
                for n, (description, sensitive) in enumerate(
                    (
                        ("House-to-house enquiry log, Larch Close", False),
                        ("CCTV viewing log, Ash Road shops: no sighting", False),
                        ("Intelligence report naming the suspect", True),
                    )
                )
            ]
            case.schedule_unused(schedule="mg6c", at=t + 6 * MINUTE_NS)
            case.schedule_unused(schedule="mg6d", at=t + 7 * MINUTE_NS)
        with app.session(case_id, cps) as case:
            for item, decision, reason in zip(
                items,
                ("clearly_not_disclosable", "disclose", "clearly_not_disclosable"),
                ("", "Might assist the defence on identification", ""),
                strict=True,
            ):
                case.decide_unused(item=item, decision=decision, reason=reason, at=t + DAY_NS // 2)
        bundle = out / "bundle-cps.zip"
        app.export_bundle(
            case_id,
            bundle,
            checkpoint_signer=service,
            checkpoint_name="example.police.uk/casefile-checkpoint",
            audience="cps",
            zip=True,
        )
    finally:
        app.close()
    return bundle


def read_mg6c(bundle_path: Path, trust_path: Path) -> bool:
    """Verify the bundle, build its case file, print the MG6C; True if it verified."""
    trust = load_trust_store(trust_path)  # the CPS's own copy of the force's public keys
    at = time.time_ns()
    with open_bundle(bundle_path) as bundle:
        # One open bundle for both reads: every file is re-hashed against its manifest entry.
        result = verify_bundle(bundle, at=at, trust=trust, report=True)
        print(f"bundle {bundle_path.name}: verified: {'yes' if result.verified else 'NO'}")
        for error in result.errors:
            print(f"  error: record {error.seq}, step {error.step}: {error.message}")
        if not result.verified:
            return False
        # Only records that verify reach the projection; texts as the bundle discloses them.
        verified = verify_case(
            bundle.records(),
            trust=trust,
            at=at,
            case_id=result.case_id,
            disclosures=bundle.disclosures(),
        )
        # Work an officer recorded offline and the case bound is read in its place (§12.5).
        captures = bundle_capture_records(bundle, trust=trust, at=at)
        case_file = build_case_file(
            verified.records, audience=bundle.manifest.audience, as_of=at, captures=captures
        )
    print(f"case {case_file.case.urn}: {case_file.case.records} records")
    # Authentic records may still break a rule between records (a charge citing a decision
    # not to charge...): the file shows them as they read and names each here.
    for finding in case_file.findings:
        print(f"finding: {finding.kind}: {finding.message}")
    schedule = case_file.mg6c
    if schedule is None:
        print("MG6C: no non-sensitive unused material is scheduled")
        return True
    officer = schedule.disclosure_officer
    print(
        f"MG6C non-sensitive unused material, revision {schedule.revision}, certified by "
        f"{officer.name if officer else '?'}"
    )
    for item in schedule.items:
        decided = item.decision
        marked = (
            "awaiting the prosecutor"
            if decided is None
            else f"{decided.decision} ({decided.by.name}, {decided.by.organisation})"
        )
        print(f"  {item.item:>3}  {item.description}: {marked}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a folder for the trust store and the bundle")
    parser.add_argument("bundle", type=Path, nargs="?", help="a bundle for the CPS (dir or zip)")
    parser.add_argument(
        "--trust", type=Path, help="the trust store to verify with (OUT/trust.json)"
    )
    args = parser.parse_args(argv)
    try:
        bundle = args.bundle or police_side(args.out)
        return 0 if read_mg6c(bundle, args.trust or args.out / "trust.json") else 1
    except CasefileError as exc:  # a missing or unreadable bundle or trust store
        print(f"cps_casefile: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
