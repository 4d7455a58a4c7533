"""An auditor verifies a handover bundle with their own trust store, offline.

    python examples/audit_verify.py OUTPUT_DIR [BUNDLE]

BUNDLE defaults to OUTPUT_DIR/handover.zip (made by examples/cps_handover.py, run
first if it is missing). The trust store is the auditor's own copy of the force's
published keys (OUTPUT_DIR/trust.json), never the one inside the bundle: the
bundle's copy shows only that it is intact, not who made it. Verification needs
no database, no domain classes and no network. Exit status: 0 verified, 1 not.
"""

from __future__ import annotations

import argparse
import datetime
import time
from pathlib import Path

import cps_handover  # the example beside this one

from casefile.bundle import open_bundle, verify_bundle
from casefile.signing import load_trust_store, parse_record


def audit(bundle_path: Path, trust_path: Path) -> bool:
    """Verify the bundle, print the verdict and who recorded what; True if it verified."""
    trust = load_trust_store(trust_path)
    with open_bundle(bundle_path) as bundle:
        result = verify_bundle(bundle, at=time.time_ns(), trust=trust, report=True)
        print(f"verified: {'yes' if result.verified else 'NO'}")
        print(f"case {result.case_id}: {result.records} records")
        for error in result.errors:
            print(f"  error: record {error.seq}, step {error.step}: {error.message}")
        for finding in result.findings:
            print(f"  finding: {finding.kind}: {finding.message}")
        if result.verified:
            # Authentic now: list who recorded each step, and when (as their device asserted).
            for raw in bundle.records():
                header = parse_record(raw).header
                signer = trust.get(header.key_id)
                holder = signer.holder if signer is not None else None
                who = f"{holder.rank} {holder.number} {holder.name}".strip() if holder else "?"
                when = datetime.datetime.fromtimestamp(header.time_ns // 10**9, datetime.UTC)
                print(
                    f"  {header.seq:>3}  {when:%Y-%m-%d %H:%M:%S}Z  {header.event_type:<24} {who}"
                )
    return result.verified


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder of the other examples")
    parser.add_argument("bundle", type=Path, nargs="?", help="bundle directory or zip")
    args = parser.parse_args(argv)
    bundle = args.bundle or args.out / "handover.zip"
    if args.bundle is None and not bundle.exists():
        cps_handover.main([str(args.out)])
    return 0 if audit(bundle, args.out / "trust.json") else 1


if __name__ == "__main__":
    raise SystemExit(main())
