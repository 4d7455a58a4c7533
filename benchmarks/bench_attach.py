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
from casefile.bundle._capture_package import read_capture_package
from casefile.events import EVENT_TYPES
from casefile.signing._text import parse_disclosure
from casefile.verifier import payload_schemas, verify_case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    officer, intake, trust = OFFICER, INTAKE, world_trust()
    clock = world_clock()
    with tempfile.TemporaryDirectory() as folder:
        device = world_device(folder, trust, clock)
        stream = device.open_capture(officer, reference="01YE0000126")
        with device.session(stream, officer) as capture:
            for i in range(args.records - 1):
                capture.add_note(text=f"Scene note {i}: door forced, glass on the floor.")
        package = device.capture_package(stream, signer=officer, name=OFFICER_NAME)
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
            store=StoreConfig.memory(),
            trust=trust,
            clock=clock,
            random_bytes=random_bytes("centre"),
        )
        case_id = centre.open_case(
            officer, offence="burglary", channel="phone", reference="01YE0000126"
        )
        return centre.attach_capture(package, signer=intake, name=INTAKE_NAME, case_id=case_id)

    verify(), attach()  # warm: schemas compiled, code paths loaded, for both alike
    verifying = median(verify, args.repeats)
    attaching = median(attach, args.repeats)
    print(f"records: {len(parsed.records)}, package: {len(package)} bytes")
    print(f"verify (floor, 1 core): {verifying:.3f} s")
    print(f"attach:                 {attaching:.3f} s")
    print(f"attach / verify:        {attaching / verifying:.2f}  (target <= 1.30)")


if __name__ == "__main__":
    main()
