"""Verifying a text-heavy case on every core against one process, same run.

A case of few records but many words (default: 280 notes of 5-30 words and 200
texts of 1,000 words, 480 records, about 205,000 words: well past the
number of words at which workers start) is verified with ``workers=1`` and with every
core, interleaved so that load on the machine hits both alike. It prints, each
the median of ``--repeat`` runs:

1. wall time, every core / one process, as a rate ratio (above 1 is faster);
2. the main process's CPU time, every core / one process (the share of the work
   left in the main process once text disclosures go to workers, docs/DECISIONS.md D7).

Both runs must give the same verdict, root and records, or the figures mean nothing.

Run: python benchmarks/bench_text_cores.py [--notes N] [--long M] [--repeat R]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _casebuilder import AT, World
from _textcase import note_chain, random_text
from casefile.verifier import available_cores, verify_case

_CASE = uuid.UUID("0192f1a2-0000-7000-8000-0000000000bf")


def build(world: World, notes: int, long: int) -> tuple[list[bytes], list[Any], int]:
    rng = random.Random(5)
    lengths = [rng.randint(5, 30) for _ in range(notes)] + [1000] * long
    rng.shuffle(lengths)
    texts = [random_text(rng, words) for words in lengths]
    records, disclosures = note_chain(world.alice, _CASE, texts, time_ns=AT - 10**12)
    return records, disclosures, sum(lengths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=280)
    parser.add_argument("--long", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    world = World()
    records, disclosures, words = build(world, args.notes, args.long)
    cores = available_cores()

    def run(workers: int) -> Any:
        return verify_case(
            records,
            trust=world.trust,
            at=AT,
            case_id=_CASE,
            disclosures=disclosures,
            workers=workers,
        )

    one, every = run(1), run(cores)
    if (one.root, [r.hash for r in one.records]) != (every.root, [r.hash for r in every.records]):
        raise SystemExit("one process and every core disagree: the benchmark is broken")
    wall: dict[int, list[float]] = {1: [], cores: []}
    cpu: dict[int, list[float]] = {1: [], cores: []}
    for _ in range(args.repeat):
        for workers in (1, cores):
            start, start_cpu = time.perf_counter(), time.process_time()
            run(workers)
            wall[workers].append(time.perf_counter() - start)
            cpu[workers].append(time.process_time() - start_cpu)
    w1, wn = statistics.median(wall[1]), statistics.median(wall[cores])
    c1, cn = statistics.median(cpu[1]), statistics.median(cpu[cores])
    print(f"case: {len(records)} records, {words} words, {cores} cores")
    print(
        f"wall     one process {w1 * 1e3:7.1f} ms, {cores} cores {wn * 1e3:7.1f} ms: "
        f"{w1 / wn:.2f}x the rate of one process"
    )
    print(
        f"main cpu one process {c1 * 1e3:7.1f} ms, {cores} cores {cn * 1e3:7.1f} ms: "
        f"{cn / c1:.2f} of the work left in the main process"
    )


if __name__ == "__main__":
    main()
