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
import hashlib
import tempfile

from _capture_world import (
    INTAKE,
    INTAKE_NAME,
    OFFICER,
    OFFICER_NAME,
    median,
    random_bytes,
)
from _capture_world import clock as world_clock
from _capture_world import device as world_device
from _capture_world import trust as world_trust

from casefile.application import CasefileApp, StoreConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exhibits", type=int, default=2_500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    officer, intake, trust = OFFICER, INTAKE, world_trust()
    clock = world_clock()
    centre = CasefileApp(
        store=StoreConfig.memory(), trust=trust, clock=clock, random_bytes=random_bytes("centre")
    )
    case_id = centre.open_case(officer, offence="burglary", channel="phone", reference="01YE1")
    with tempfile.TemporaryDirectory() as folder:
        device = world_device(folder, trust, clock)
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
        package = device.capture_package(stream, signer=officer, name=OFFICER_NAME)
        device.close()
    centre.attach_capture(package, signer=intake, name=INTAKE_NAME)
    assert len(centre.get_case(case_id).captured_exhibits) == args.exhibits

    def floor() -> object:
        return centre.get_case(stream)

    def folded() -> object:
        return centre.get_case(case_id)

    floor(), folded()  # warm both paths alike
    alone = median(floor, args.repeats)
    with_fold = median(folded, args.repeats)
    print(f"exhibits: {args.exhibits}, capture records: {2 * args.exhibits + 1}")
    print(f"load the capture alone (floor): {alone:.3f} s")
    print(f"load the case that binds it:    {with_fold:.3f} s")
    print(f"case / capture alone:           {with_fold / alone:.2f}  (target <= 1.20)")


if __name__ == "__main__":
    main()
