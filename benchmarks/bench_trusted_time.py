"""What B16 (docs/FORMAT.md §9.6) adds to a bundle's verification, in Ed25519 verifications.

A local ``openssl ts`` authority stamps one checkpoint. In one process, interleaved so
that load on the machine hits both alike, each the median of ``--repeat`` runs:

1. the baseline: one Ed25519 signature verified as V9 verifies each record;
2. B16 steps 1-4 over the token: parse, imprint, CMS signature, the chain to the anchor, accuracy.

B16 runs once per bundle, so its cost is printed as the number of records whose
signatures cost as much.

Usage: python benchmarks/bench_trusted_time.py [--repeat R]
"""

from __future__ import annotations

import argparse

from bench_core import interleaved

from _casebuilder import World
from casefile.application._local_tsa import start_local_tsa
from casefile.signing import (
    InMemorySigner,
    TimestampAuthorities,
    timestamp_query,
    verify_signature,
    verify_timestamp,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    world = World()
    case = world.case(3)
    note = world.checkpoint(case)
    signer = InMemorySigner.generate()
    message = b"x" * 400
    signature = signer.sign(message)
    with start_local_tsa(name="Bench") as tsa:
        token = tsa.reply(timestamp_query(note).der)
        anchors = TimestampAuthorities.from_pem([tsa.anchor_pem], max_skew_seconds=300)
    raw = signer.public_key.raw
    ed25519, b16 = interleaved(
        args.repeat,
        lambda: verify_signature(raw, message, signature),
        lambda: verify_timestamp(token, note, anchors),
    )
    print(f"Ed25519 verification (baseline)  {ed25519 * 1e6:8.1f} µs")
    print(f"B16 over one token                {b16 * 1e6:8.1f} µs")
    print(f"ratio                             {b16 / ed25519:8.1f} x  (once per bundle)")


if __name__ == "__main__":
    main()
