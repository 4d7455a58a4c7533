"""Merkle tree speed against the raw SHA-256 floor, measured in the same run.

A tree of n leaves costs 2n-1 SHA-256 calls: n leaf hashes over 33-byte inputs
(0x00 ‖ 32-byte entry) and n-1 node hashes over 65-byte inputs. The floor is
those calls alone, on pre-built inputs, in a tight loop. Ratios are
floor_time / our_time: 1.0 means no overhead, 0.5 means twice the floor.

Two comparisons are printed for each of ``merkle_root`` and ``MerkleAccumulator``:

* pipeline — from entries to root (leaf hashing included) against the 2n-1 floor;
* nodes only — from leaf hashes to root against the n-1 node-hash floor.

Run: python benchmarks/bench_merkle.py [--leaves N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import itertools
import os
import statistics
import time
from collections.abc import Callable

from casefile.signing._merkle import MerkleAccumulator, leaf_hash, merkle_root


def _seconds(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    n, repeats = args.leaves, args.repeats

    entries = [os.urandom(32) for _ in range(n)]
    leaves = [leaf_hash(e) for e in entries]
    leaf_inputs = [b"\x00" + e for e in entries]
    node_inputs = [b"\x01" + a + b for a, b in itertools.pairwise(leaves)]
    sha = hashlib.sha256

    def floor_all() -> None:
        for x in leaf_inputs:
            sha(x).digest()
        for x in node_inputs:
            sha(x).digest()

    def floor_nodes() -> None:
        for x in node_inputs:
            sha(x).digest()

    def root_pipeline() -> bytes:
        return merkle_root([leaf_hash(e) for e in entries])

    def root_nodes() -> bytes:
        return merkle_root(leaves)

    def acc_pipeline() -> bytes:
        acc = MerkleAccumulator()
        append = acc.append
        for e in entries:
            append(leaf_hash(e))
        return acc.root()

    def acc_nodes() -> bytes:
        acc = MerkleAccumulator()
        acc.extend(leaves)
        return acc.root()

    if not root_pipeline() == root_nodes() == acc_pipeline() == acc_nodes():
        raise SystemExit("roots disagree: the benchmark would measure a broken tree")

    # Interleave the rounds so that machine noise hits every candidate alike.
    candidates = {
        "floor_all": floor_all,
        "floor_nodes": floor_nodes,
        "root_pipeline": root_pipeline,
        "root_nodes": root_nodes,
        "acc_pipeline": acc_pipeline,
        "acc_nodes": acc_nodes,
    }
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            samples[name].append(_seconds(fn))
    t = {name: statistics.median(values) for name, values in samples.items()}

    print(f"leaves: {n}, repeats: {repeats} (medians)")
    print(f"floor, 2n-1 SHA-256 calls      {t['floor_all'] * 1e3:8.1f} ms")
    print(f"floor, n-1 node hashes         {t['floor_nodes'] * 1e3:8.1f} ms")
    rows = [
        ("merkle_root, pipeline", "root_pipeline", "floor_all"),
        ("merkle_root, nodes only", "root_nodes", "floor_nodes"),
        ("MerkleAccumulator, pipeline", "acc_pipeline", "floor_all"),
        ("MerkleAccumulator, nodes only", "acc_nodes", "floor_nodes"),
    ]
    for label, ours, floor in rows:
        ratio = t[floor] / t[ours]
        verdict = "within 2x" if ratio >= 0.5 else "SLOWER than 2x"
        print(f"{label:30s} {t[ours] * 1e3:8.1f} ms  ratio {ratio:.2f}  ({verdict})")


if __name__ == "__main__":
    main()
