"""Canonical manifest JSON (RFC 8785) against the standard library's C JSON, same run.

A bundle of the largest allowed size lists 100,000 files. Writing its manifest
is one ``dumps``; reading it is one ``loads``, which parses and re-serialises
to compare the bytes. The baseline is ``json.dumps`` with sorted keys and no
whitespace (the same text for these ASCII names) and ``json.loads``, both in C.
Ratios are baseline_time / our_time: 1.0 means no overhead.

Run: python benchmarks/bench_manifest_json.py [--files N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable

from casefile.bundle._json import dumps, loads


def _seconds(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    files = [
        {"path": f"evidence/{i:064x}", "sha256": f"{i:064x}", "size": i} for i in range(args.files)
    ]
    manifest = {"case_id": "0" * 36, "files": files, "format": "casefile-bundle", "version": 1}
    text = dumps(manifest)
    if json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode() != text:
        raise SystemExit("baseline and canonical texts differ; the comparison would be unfair")

    def base_dump() -> object:
        return json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()

    def base_load() -> object:
        return json.loads(text)

    def our_dump() -> object:
        return dumps(manifest)

    def our_load() -> object:
        return loads(text, max_size=1 << 30)

    for label, base, ours in (
        ("write (dumps)", base_dump, our_dump),
        ("read (loads, re-serialise, compare)", base_load, our_load),
    ):
        b = statistics.median(_seconds(base) for _ in range(args.repeats))
        o = statistics.median(_seconds(ours) for _ in range(args.repeats))
        print(f"{label:38} {args.files} files: stdlib/ours = {b / o:.2f}")


if __name__ == "__main__":
    main()
