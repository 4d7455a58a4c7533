"""Attaching a capture package against verifying the same records, in the same run.

An officer's device records N notes into a capture stream; the centre attaches the
package (parse, verify every record and disclosure, check the checkpoint and the
capture's rules, store the records as signed with one binding record). The floor is
verifying the same records and disclosures with the offline verifier, on one core as
attaching does. Printed: both medians and their ratio (target: at most 1.3).

Run: python benchmarks/bench_attach.py [--records N] [--repeats R]
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
from casefile.bundle._capture_package import read_capture_package
from casefile.events import EVENT_TYPES
from casefile.signing._keys import InMemorySigner
from casefile.signing._text import parse_disclosure
from casefile.signing._trust import Holder, TrustEntry, TrustStore
from casefile.verifier import payload_schemas, verify_case

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
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
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
    with tempfile.TemporaryDirectory() as folder:
        device = DeviceApp(
            Path(folder) / "tablet.sqlite",
            trust=trust,
            device="tablet-1",
            origin_namespace="force.example",
            clock=clock,
            random_bytes=_random("device"),
        )
        stream = device.open_capture(officer, reference="01YE0000126")
        with device.session(stream, officer) as capture:
            for i in range(args.records - 1):
                capture.add_note(text=f"Scene note {i}: door forced, glass on the floor.")
        package = device.capture_package(stream, signer=officer, name="force.example/pc-1001")
        device.close()
    parsed = read_capture_package(package)
    types, schemas = EVENT_TYPES.known_types(), payload_schemas()

    def verify() -> object:
        return verify_case(
            parsed.records,
            trust=trust,
            at=clock(),
            case_id=stream,
            disclosures=[parse_disclosure(d) for d in parsed.disclosures],
            known_types=types,
            payloads=schemas,
            workers=1,
        )

    def attach() -> object:
        centre = CasefileApp(
            store=StoreConfig.memory(), trust=trust, clock=clock, random_bytes=_random("centre")
        )
        case_id = centre.open_case(
            officer, offence="burglary", channel="phone", reference="01YE0000126"
        )
        return centre.attach_capture(
            package, signer=intake, name="force.example/intake", case_id=case_id
        )

    verify(), attach()  # warm: schemas compiled, code paths loaded, for both alike
    verifying = _median(verify, args.repeats)
    attaching = _median(attach, args.repeats)
    print(f"records: {len(parsed.records)}, package: {len(package)} bytes")
    print(f"verify (floor, 1 core): {verifying:.3f} s")
    print(f"attach:                 {attaching:.3f} s")
    print(f"attach / verify:        {attaching / verifying:.2f}  (target <= 1.30)")


if __name__ == "__main__":
    main()
