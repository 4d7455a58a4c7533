"""A CPS handover script: export a case as a signed bundle, as a directory and as a zip.

    python examples/cps_handover.py OUTPUT_DIR [--reference URN]

Uses the case store, keys and evidence store of examples/officer_visit.py in
OUTPUT_DIR (recording a visit first if there is none). The force's case file
service records the handover to the CPS and signs a checkpoint over the
case's records, that one last; the bundle carries the records, the witnesses'
names (other personal data is withheld), the evidence files, its views (the
case file and the exhibit register) and the trust entries needed, under a
signed manifest. It writes
OUTPUT_DIR/handover/ and OUTPUT_DIR/handover.zip, and refuses to overwrite them.
"""

from __future__ import annotations

import argparse
import time
import uuid
from pathlib import Path

import officer_visit  # the example beside this one: same force, same files

from casefile.application import CasefileApp, StoreConfig
from casefile.bundle import DisclosurePolicy, verify_bundle, zip_bundle
from casefile.evidence import FileSystemBlobStore
from casefile.signing import load_private_key, load_trust_store

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
        # One call records the handover to the CPS (the case says who was given what,
        # B13), checkpoints the case with it, writes the bundle with its evidence and
        # views, verifies it with the same public keys the CPS will use, and only then
        # gives it its name; the zip is the same files.
        handed = app.export_bundle(
            case_id,
            out / "handover",
            checkpoint_signer=service,
            checkpoint_name=officer_visit.CHECKPOINT_KEY_NAME,
            origin_namespace=ORIGIN_NAMESPACE,
            evidence=evidence,  # streamed from the store; every read re-checks its SHA-256
            disclosure_policy=DisclosurePolicy.only(["name"]),
            recipient="CPS Direct",
        )
    finally:
        app.close()
    archive = zip_bundle(out / "handover", out / "handover.zip")
    result = verify_bundle(archive, at=time.time_ns(), trust=trust)
    info, register = handed.info, handed.register
    print(
        f"case {case.reference}: {info.records} records (the last, its handover to CPS Direct), "
        f"{info.disclosures} names disclosed, "
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
