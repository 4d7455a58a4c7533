"""B9 reads a bundle's story as the views do, whatever the custody across the two streams.

The verifier keeps, as the records stream past, only what the register needs (custody
records, their corrections and confirmations, and the bindings) and reads them with the
captures B19 verified (D68). Over random custody split between a tablet and the centre, in
one or two syncs, its findings are those of the register of every record of the story.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _captureworld import INTAKE, NAMESPACE, SCENE, T0, TRUST, centre, device, open_case
from casefile.bundle import DISCLOSE_ALL, verify_bundle
from casefile.errors import CasefileError
from casefile.events import Custodian
from casefile.projections import ContinuityFindingKind, build_exhibit_register, records_as_read

AT = T0 + 86_400 * 10**9
STORE = Custodian(name="Property store", number="PS-1", organisation="Test Force")
CONTINUITY = {k.value for k in ContinuityFindingKind} | {"evidence_not_in_bundle"}

DEVICE_OPS = st.sampled_from(["note", "photo", "seize", "package", "package2", "transfer"])
CENTRE_OPS = st.sampled_from(["note", "book", "book2", "seize", "package", "open"])


def _photo(capture: Any, ref: str) -> None:
    capture.capture_evidence(
        exhibit=ref,
        kind="photo",
        sha256=hashlib.sha256(ref.encode()).digest(),
        size=100,
        media_type="image/jpeg",
        device="tablet camera",
        location="Back door",
        captured_at=T0,
    )


def _device_op(capture: Any, op: str, k: int) -> None:
    if op == "note":
        capture.add_note(text=f"Scene note {k}.")
    elif op == "photo":
        _photo(capture, f"AB/{k}")
    elif op == "seize":
        capture.seize_exhibit(exhibit="AB/90", place="Yard", description="Brick", power="s.19")
    elif op in ("package", "package2"):
        ref = "AB/90" if op == "package" else "AB/1"
        capture.package_exhibit(exhibit=ref, place="Yard", bag=f"BAG{k}", seal=f"S{k}")
    else:
        capture.transfer_exhibit(exhibit="AB/90", to=STORE, place="Van", purpose="storage")


def _centre_op(case: Any, op: str, k: int) -> None:
    if op == "note":
        case.add_note(text=f"Centre note {k}.")
    elif op in ("book", "book2"):
        ref = "AB/1" if op == "book" else "AB/90"
        case.book_exhibit(exhibit=ref, to=STORE, place="Central store", property_ref=f"P/{k}")
    elif op == "seize":
        case.seize_exhibit(exhibit="CD/1", place="Station", description="Coat", power="s.19")
    elif op == "package":
        case.package_exhibit(exhibit="CD/1", place="Station", bag=f"CBAG{k}", seal=f"C{k}")
    else:
        case.open_seal(exhibit="AB/1", place="Lab", seal="S1", reason="examination")


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rounds=st.lists(
        st.tuples(st.lists(DEVICE_OPS, max_size=4), st.lists(CENTRE_OPS, max_size=4)),
        min_size=1,
        max_size=2,
    )
)
def test_b9_reads_the_story_as_the_register_of_every_record_does(
    rounds: list[tuple[list[str], list[str]]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = centre()
        case_id = open_case(app)
        dev = device(Path(folder))
        stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
        with dev.session(stream, SCENE) as capture:
            _photo(capture, "AB/1")
        k = 1
        for device_ops, centre_ops in rounds:
            for op in device_ops:
                k += 1
                try:
                    with dev.session(stream, SCENE) as capture:
                        _device_op(capture, op, k)
                except CasefileError:
                    pass  # refused on the device: the story goes on without it
            app.attach_capture(
                dev.capture_package(stream, signer=SCENE, name="pc-1001"),
                signer=INTAKE,
                name="intake-0001",
            )
            for op in centre_ops:
                k += 1
                try:
                    with app.session(case_id, SCENE) as case:
                        _centre_op(case, op, k)
                except CasefileError:
                    pass
        bundle = Path(folder) / "b"
        app.export_bundle(
            case_id,
            bundle,
            checkpoint_signer=INTAKE,
            checkpoint_name="intake-0001",
            origin_namespace=NAMESPACE,
            disclosure_policy=DISCLOSE_ALL,
        )
        result = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
        assert result.verified
        records = app.verify(case_id, at=AT).records
        full = build_exhibit_register(
            records_as_read(records),
            as_of=max(r.time_ns for r in records),
            captures={stream: list(records_as_read(app.verify(stream, at=AT).records))},
        )
        b9 = {(f.kind, f.seq, f.exhibit) for f in result.findings if f.kind in CONTINUITY}
        assert b9 == {(f.kind, f.seq, f.exhibit) for f in full.findings}
        assert {e.reference for e in full.exhibits} >= {"AB/1"}
