"""A CPS handover script: export a case as a signed bundle, as a directory and as a zip.

    python examples/cps_handover.py OUTPUT_DIR [--reference URN]

Uses the case store, keys and evidence store of examples/officer_visit.py in
OUTPUT_DIR (recording a visit first if there is none). The force's case file
service signs a checkpoint over the case's records; the bundle carries the
records, the witnesses' names (other personal data is withheld), the evidence
files, the exhibit register (views/exhibits.json) and the trust entries needed,
under a signed manifest. It writes
OUTPUT_DIR/handover/ and OUTPUT_DIR/handover.zip, and refuses to overwrite them.
"""

from __future__ import annotations

import argparse
import functools
import time
import uuid
from pathlib import Path

import officer_visit  # the example beside this one: same force, same files

from casefile.application import CasefileApp, StoreConfig
from casefile.bundle import DisclosurePolicy, verify_bundle, write_bundle, zip_bundle
from casefile.events import EVENT_TYPES
from casefile.evidence import FileSystemBlobStore
from casefile.projections import (
    EXHIBITS_VIEW,
    build_exhibit_register,
    exhibit_register_json,
    records_as_read,
)
from casefile.signing import load_private_key, load_trust_store
from casefile.verifier import verify_case

ORIGIN_NAMESPACE = "example.police.uk"


def pick_case(app: CasefileApp, reference: str | None) -> uuid.UUID:
    """The case with this reference, or the latest one."""
    cases = app.list_cases()
    if reference is None:
        return cases[-1]
    for case_id in cases:
        if app.get_case(case_id).reference == reference:
            return case_id
    raise SystemExit(f"no case {reference} in the store")


def hand_over(out: Path, reference: str | None = None) -> Path:
    """Write the bundle directory and zip for one case; return the zip's path."""
    trust = load_trust_store(out / "trust.json")
    service = load_private_key(out / "keys" / "checkpoint.key", officer_visit.PASSPHRASE)
    evidence = FileSystemBlobStore(out / "evidence")
    app = CasefileApp(store=StoreConfig.sqlite(out / "cases.sqlite"), trust=trust)
    try:
        case_id = pick_case(app, reference)
        case = app.get_case(case_id)  # loads and authenticates the chain
        # The exhibit register as the CPS will read it: from every record, verified,
        # with only what the bundle discloses (its verifier rebuilds the view from exactly
        # that, B12, and refuses one that shows more), judged at the last record's time.
        policy = DisclosurePolicy.only(["name"])
        verified = verify_case(
            app.records(case_id),
            trust=trust,
            at=time.time_ns(),
            case_id=case_id,
            known_types=EVENT_TYPES.known_types(),
            disclosures=(d for d in app.disclosures(case_id) if policy.allows(d.name)),
        )
        last = max(r.time_ns for r in verified.records)
        register = build_exhibit_register(records_as_read(verified.records), as_of=last)
        checkpoint = app.checkpoint(
            case_id, service, officer_visit.CHECKPOINT_KEY_NAME, ORIGIN_NAMESPACE
        )
        info = write_bundle(
            out / "handover",
            case_id=case_id,
            records=app.records(case_id),  # streamed, never all in memory
            disclosures=app.disclosures(case_id),
            trust=trust,
            checkpoint_note=checkpoint,
            signer=service,
            # Evidence is streamed from the store; every read re-checks its SHA-256.
            evidence={
                exhibit.sha256: functools.partial(evidence.open, exhibit.sha256)
                for exhibit in case.exhibits.values()
            },
            views={EXHIBITS_VIEW: exhibit_register_json(register)},
            disclosure_policy=policy,
        )
    finally:
        app.close()
    archive = zip_bundle(out / "handover", out / "handover.zip")
    # The sender checks what it sends, with the same public keys the CPS will use.
    result = verify_bundle(archive, at=time.time_ns(), trust=trust)
    print(
        f"case {case.reference}: {info.records} records, {info.disclosures} names disclosed, "
        f"{info.evidence_files} evidence file(s), {len(register.exhibits)} exhibit(s) with "
        f"{len(register.findings)} continuity finding(s) -> {archive} (verified: {result.verified})"
    )
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the officer_visit.py output folder")
    parser.add_argument("--reference", help="the case's URN (default: the latest case)")
    args = parser.parse_args(argv)
    if not (args.out / "cases.sqlite").exists():
        officer_visit.main([str(args.out)])
    hand_over(args.out, args.reference)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
