"""Core format benchmark: sealing and verification against raw PyNaCl, same run.

Prints ratios (ours / raw rate) so that the machine's speed cancels out:
- seal (encode + hash + sign) vs raw ``crypto_sign`` of the same signing inputs;
- verify, one process and every core, vs raw ``crypto_sign_open`` on one core;
- the cost of V15 (who acted): the same records verified under a type that names
  an actor and under one that does not, one process, keeping no records.

Usage: python benchmarks/bench_core.py [--records N] [--repeat R]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nacl.bindings as sodium

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _casebuilder import AT, World, person_of
from casefile.signing._records import ZERO_HASH, parse_record, seal_record, signing_input
from casefile.verifier import PayloadSchemas, payload_schemas, verify_case
from casefile.verifier._pool import available_cores


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(repeat: int, *fns: Callable[[], object]) -> list[float]:
    """Median time of each function, run in turn so that load on the machine hits all alike."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, kept in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            kept.append(time.perf_counter() - start)
    return [statistics.median(kept) for kept in times]


def payload(i: int, by: dict[str, str] | None = None) -> dict[str, object]:
    # A typical event payload, valid for its type (docs/FORMAT.md §10): an
    # evidence.captured record of a few hundred bytes, its keys in order as the
    # domain's registered event types build them; `by` names who acted (V15),
    # the holder of the signing key.
    acted = {} if by is None else {"by": by, "recorded_by": None}
    return dict(
        sorted(
            {
                **acted,
                "exhibit": f"JS/{i % 999_999 + 1}",
                "kind": "photo",
                "sha256": hashlib.sha256(i.to_bytes(8, "big")).digest(),
                "size": 1_234_567 + i,
                "media_type": "image/jpeg",
                "device": "Force tablet T-1138",
                "location": "51.5072,-0.1276",
                "captured_at": 1_767_225_600_000_000_000 + i,
                "description": "Rear kitchen window, point of entry, glass on the floor inside;"
                f" seal SEAL{i:06d} in bag BAG{i:06d}, relied upon in statement s1 of PC 1234",
                "produced_by": None,
            }.items()
        )
    )


def bench_seal(n: int, repeat: int, world: World) -> float:
    case_id = uuid.uuid4()
    signer = world.alice
    by = person_of(world.trust.get(signer.public_key.key_id))  # type: ignore[arg-type]
    payloads = [payload(i, by) for i in range(n)]
    secret = signer._secret  # the raw floor signs with the same key

    def seal_all() -> list[bytes]:
        prev = ZERO_HASH
        raws = []
        for i, data in enumerate(payloads, start=1):
            rec = seal_record(
                case_id=case_id,
                seq=i,
                prev=prev,
                event_type="evidence.captured",
                schema=1,
                time_ns=1_767_225_600_000_000_000 + i,
                data=data,
                signer=signer,
            )
            prev = rec.hash
            raws.append(rec.raw)
        return raws

    def ours() -> None:
        seal_all()

    inputs = [signing_input(parse_record(raw).header_bytes) for raw in seal_all()]

    def raw() -> None:
        for message in inputs:
            sodium.crypto_sign(message, secret)

    t_raw, t_ours = best_of(repeat, raw), best_of(repeat, ours)
    print(
        f"seal     raw sign {n / t_raw:9.0f}/s   casefile seal {n / t_ours:9.0f}/s   "
        f"ratio {t_raw / t_ours:.2f}x (target >= 0.70)"
    )
    return t_raw / t_ours


def _signed_case(n: int, world: World, event_type: str = "evidence.captured") -> object:
    builder = world.case(0, case_id=uuid.uuid4())
    trust = world.trust
    for i in range(n):
        key = world.alice if i % 2 else world.bob
        by = person_of(trust.get(key.public_key.key_id))  # type: ignore[arg-type]
        builder.add(key, event_type, payload(i, by))
    return builder


def bench_actor(n: int, repeat: int, world: World) -> float:
    trust = world.trust
    named = _signed_case(n, world, "evidence.captured")  # in V15's table
    unnamed = _signed_case(n, world, "media.noted")  # the same payloads, no actor check

    def ours(builder: object) -> Callable[[], object]:
        return lambda: verify_case(
            builder.records,  # type: ignore[attr-defined]
            trust=trust,
            at=AT,
            workers=1,
            keep_records=False,
        )

    t_without, t_with = best_of(repeat, ours(unnamed)), best_of(repeat, ours(named))
    print(
        f"actor    without V15 {n / t_without:9.0f}/s   with V15 {n / t_with:9.0f}/s   "
        f"ratio {t_without / t_with:.2f}x (target >= 0.90)"
    )
    return t_without / t_with


def bench_verify(n: int, repeat: int, world: World) -> tuple[float, float]:
    builder: Any = _signed_case(n, world)
    checkpoint = world.checkpoint(builder)
    trust = world.trust
    keys = {e.key_id: e.public_key.raw for e in trust.entries}
    opened = []
    for raw_record in builder.records:
        parsed = parse_record(raw_record)
        opened.append(
            (parsed.signature + signing_input(parsed.header_bytes), keys[parsed.header.key_id])
        )

    def raw() -> None:
        for signed, public in opened:
            sodium.crypto_sign_open(signed, public)

    schemas = payload_schemas()

    def ours(workers: int, payloads: PayloadSchemas | None = schemas) -> Callable[[], object]:
        return lambda: verify_case(
            builder.records,
            trust=trust,
            at=AT,
            checkpoint=checkpoint,
            payloads=payloads,
            workers=workers,
            keep_records=False,
        )

    cores = available_cores()
    t_raw, t_bare, t_one = interleaved(repeat, raw, ours(1, None), ours(1))
    t_all = best_of(repeat, ours(cores))
    print(
        f"verify   raw open {n / t_raw:9.0f}/s   one process {n / t_one:9.0f}/s   "
        f"ratio {t_raw / t_one:.2f}x (target >= 0.80)"
    )
    print(
        f"verify   without payload schemas {n / t_bare:9.0f}/s   ratio {t_raw / t_bare:.2f}x   "
        f"payload check costs {t_one / t_bare - 1:.0%} of verification (target <= 15%)"
    )
    print(
        f"verify   {cores} cores   {n / t_all:9.0f}/s   vs one process {t_one / t_all:.2f}x "
        f"(target >= 1.60 on 2 idle cores)   vs raw one-core floor {t_raw / t_all:.2f}x"
    )
    # A caller with another thread running must not fork: its workers are fresh
    # interpreters (casefile.verifier._worker), which pay their start-up per run.
    idle = threading.Event()
    waiter = threading.Thread(target=idle.wait, daemon=True)
    waiter.start()
    try:
        t_threaded = best_of(repeat, ours(cores))
    finally:
        idle.set()
        waiter.join()
    print(
        f"verify   {cores} cores, threaded caller {n / t_threaded:9.0f}/s   "
        f"vs forked {t_all / t_threaded:.2f}x   vs one process {t_one / t_threaded:.2f}x"
    )
    return t_raw / t_one, t_one / t_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    world = World()
    print(f"casefile core benchmark: {args.records} records, median of {args.repeat}")
    bench_seal(min(args.records, 10_000), args.repeat, world)
    bench_verify(args.records, args.repeat, world)
    bench_actor(min(args.records, 10_000), args.repeat, world)


if __name__ == "__main__":
    main()
