"""A capture cannot rewrite the case's unused material schedules (FORMAT §12.1, D69)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from _captureworld import (
    DETECTIVE,
    INTAKE,
    NAMESPACE,
    SCENE,
    SECOND,
    T0,
    centre,
    device,
    open_case,
)
from casefile.application import DeviceApp
from casefile.bundle._capture_package import read_capture_package, write_capture_package
from casefile.errors import CaptureError, InvalidCommandError
from casefile.signing._checkpoint import Checkpoint, case_origin, sign_checkpoint
from casefile.signing._merkle import merkle_root
from casefile.signing._records import record_hash, seal_record

_PC = {"name": "pc-1001", "number": "1001", "organisation": "Test Force", "rank": "PC", "role": ""}


def _signed_beyond_commands(
    dev: DeviceApp, stream: uuid.UUID, extra: list[tuple[str, dict[str, Any]]]
) -> bytes:
    """The device's package with ``extra`` records the officer's key signed after it."""
    records = list(
        read_capture_package(dev.capture_package(stream, signer=SCENE, name="pc-1001")).records
    )
    for event_type, data in extra:
        sealed = seal_record(
            case_id=stream, seq=len(records) + 1, prev=record_hash(records[-1]),
            event_type=event_type, schema=1, time_ns=T0 + len(records) * SECOND, data=data,
            signer=SCENE, commitments={},
        )  # fmt: skip
        records.append(sealed.raw)
    root = merkle_root([record_hash(r) for r in records])
    body = Checkpoint(case_origin(NAMESPACE, stream), len(records), root)
    return write_capture_package(stream, sign_checkpoint(body, "pc-1001", SCENE), records, [])


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
    # A hostile device signs, beyond its commands, a nil MG6C revision 1 of its own.
    nil = {"schedule": "mg6c", "revision": 1, "items": [], "by": _PC, "recorded_by": None}
    package = _signed_beyond_commands(dev, stream, [("unused.scheduled", nil)])
    with pytest.raises(CaptureError, match=r"holds no unused\.scheduled") as caught:
        app.attach_capture(package, signer=INTAKE, name="intake-0001")
    assert caught.value.step == "A4"
    mg6c = app.case_file(case_id, audience="defence").mg6c
    assert mg6c is not None
    assert [i.item for i in mg6c.items] == [1]
    assert not mg6c.nil


def test_a_captured_case_summary_cannot_replace_the_cases_mg5(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        case.write_case_summary(headline="Burglary at 12 High Street", chronology="At 02:00.")
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with (
        pytest.raises(InvalidCommandError, match="never in a capture"),
        dev.session(stream, SCENE) as capture,
    ):
        capture.write_case_summary(headline="Nothing happened", chronology="No offence.")
    # Signed beyond the commands: two versions, so that the tablet's would be the latest.
    package = _signed_beyond_commands(dev, stream, [
        ("case_summary.written", {
            "version": version, "anticipated_plea": "unknown", "points": [],

            "by": _PC, "recorded_by": None,
        })
        for version in (1, 2)
    ])  # fmt: skip
    with pytest.raises(CaptureError, match=r"holds no case_summary\.written") as caught:
        app.attach_capture(package, signer=INTAKE, name="intake-0001")
    assert caught.value.step == "A4"
    mg5 = app.case_file(case_id).mg5
    assert mg5 is not None
    assert mg5.headline == "Burglary at 12 High Street"
