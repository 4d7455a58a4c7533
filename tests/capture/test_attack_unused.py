"""A capture cannot rewrite the case's unused material schedules (FORMAT §12.1, D69)."""

from __future__ import annotations

from pathlib import Path

import pytest

from _captureworld import DETECTIVE, INTAKE, SCENE, centre, device, open_case
from casefile.bundle._capture_package import read_capture_package, write_capture_package
from casefile.errors import CaptureError, InvalidCommandError
from casefile.signing._checkpoint import Checkpoint, case_origin, sign_checkpoint
from casefile.signing._merkle import merkle_root
from casefile.signing._records import record_hash, seal_record


def test_a_device_refuses_to_record_unused_material_in_a_capture(tmp_path: Path) -> None:
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126")
    with (
        pytest.raises(InvalidCommandError, match="never in a capture"),
        dev.session(stream, SCENE) as capture,
    ):
        capture.schedule_unused(schedule="mg6c")
    with (
        pytest.raises(InvalidCommandError, match="never in a capture"),
        dev.session(stream, SCENE) as capture,
    ):
        capture.record_unused_item(description="CCTV", location="Station")


def test_a_captured_nil_mg6c_cannot_replace_the_cases_schedule(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        case.record_unused_item(description="CCTV of the street", location="Station")
        case.schedule_unused(schedule="mg6c")
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    records = list(read_capture_package(
        dev.capture_package(stream, signer=SCENE, name="pc-1001")
    ).records)  # fmt: skip
    # A hostile device signs, beyond its commands, a nil MG6C revision 1 of its own.
    nil = seal_record(
        case_id=stream, seq=2, prev=record_hash(records[0]), event_type="unused.scheduled",
        schema=1, time_ns=app.now(), signer=SCENE, commitments={},
        data={"schedule": "mg6c", "revision": 1, "items": [],
              "by": {"name": "pc-1001", "number": "1001", "organisation": "Test Force",
                     "rank": "PC", "role": ""},
              "recorded_by": None},
    )  # fmt: skip
    records.append(nil.raw)
    body = Checkpoint(
        case_origin("casefile.test.police.uk", stream), 2,
        merkle_root([record_hash(r) for r in records]),
    )  # fmt: skip
    package = write_capture_package(stream, sign_checkpoint(body, "pc-1001", SCENE), records, [])
    with pytest.raises(CaptureError, match=r"holds no unused\.scheduled") as caught:
        app.attach_capture(package, signer=INTAKE, name="intake-0001")
    assert caught.value.step == "A4"
    mg6c = app.case_file(case_id, audience="defence").mg6c
    assert mg6c is not None
    assert [i.item for i in mg6c.items] == [1]
    assert not mg6c.nil
