"""Loading a case that binds a large capture against loading the capture alone, in the same run.

An officer's device captures N exhibits (photographs, each then packaged and sealed) into
a capture stream; the centre attaches it to a case. Loading the case authenticates the
stream and folds its exhibit records into the case's state (FORMAT.md §12.7). The floor
is loading the stream itself as a case: the same records authenticated and applied.
Printed: both medians and their ratio (target: at most 1.2).

Run: python benchmarks/bench_fold.py [--exhibits N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from casefile.application import CasefileApp, DeviceApp, StoreConfig
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import Holder, TrustEntry, TrustStore

T0 = 1_767_225_600 * 10**9


def _median(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _entry(signer: InMemorySigner, name: str, roles: set[str]) -> TrustEntry:
    holder = Holder(name, "PC", name[-4:], "Example Police")
    return TrustEntry(signer.public_key, name, holder, frozenset(roles), T0 - 10**15)


def _random(label: str) -> Callable[[int], bytes]:
    counter = itertools.count()
    return lambda n: hashlib.sha256(f"{label}:{next(counter)}".encode()).digest()[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exhibits", type=int, default=2_500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    officer = InMemorySigner(hashlib.sha256(b"bench officer").digest())
    intake = InMemorySigner(hashlib.sha256(b"bench intake").digest())
    trust = TrustStore(
        [
            _entry(officer, "force.example/pc-1001", {"recorder"}),
            _entry(intake, "force.example/intake", {"recorder", "checkpoint"}),
        ]
    )
    clock = itertools.count(T0, 10**6).__next__
    centre = CasefileApp(
        store=StoreConfig.memory(), trust=trust, clock=clock, random_bytes=_random("centre")
    )
    case_id = centre.open_case(officer, offence="burglary", channel="phone", reference="01YE1")
    with tempfile.TemporaryDirectory() as folder:
        device = DeviceApp(
            Path(folder) / "tablet.sqlite",
            trust=trust,
            device="tablet-1",
            origin_namespace="force.example",
            clock=clock,
            random_bytes=_random("device"),
        )
        stream = device.open_capture(officer, reference="01YE1", case_id=case_id)
        with device.session(stream, officer) as capture:
            for i in range(args.exhibits):
                ref = f"SO/{i + 1}"
                capture.capture_evidence(
                    exhibit=ref,
                    kind="photo",
                    sha256=hashlib.sha256(ref.encode()).digest(),
                    size=1000,
                    media_type="image/jpeg",
                    device="tablet camera",
                    location="Hallway",
                    captured_at=clock(),
                )
                capture.package_exhibit(exhibit=ref, place="Hallway", bag="B", seal=f"S-{i}")
        package = device.capture_package(stream, signer=officer, name="force.example/pc-1001")
        device.close()
    centre.attach_capture(package, signer=intake, name="force.example/intake")
    assert len(centre.get_case(case_id).captured_exhibits) == args.exhibits

    def floor() -> object:
        return centre.get_case(stream)

    def folded() -> object:
        return centre.get_case(case_id)

    floor(), folded()  # warm both paths alike
    alone = _median(floor, args.repeats)
    with_fold = _median(folded, args.repeats)
    print(f"exhibits: {args.exhibits}, capture records: {2 * args.exhibits + 1}")
    print(f"load the capture alone (floor): {alone:.3f} s")
    print(f"load the case that binds it:    {with_fold:.3f} s")
    print(f"case / capture alone:           {with_fold / alone:.2f}  (target <= 1.20)")


if __name__ == "__main__":
    main()
