"""A bundle carries the captures its case bound, and only those (FORMAT §9.6 B18-B20)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from _captureworld import (
    INTAKE,
    NAMESPACE,
    SCENE,
    T0,
    TRUST,
    attached_case,
    capture_bundle,
    device,
)
from casefile.application import CasefileApp
from casefile.bundle import verify_bundle
from casefile.bundle._capture_package import read_capture_package, write_capture_package
from casefile.errors import CaptureError

AT = T0 + 86_400 * 10**9


def _bound_package(app: CasefileApp, case_id: uuid.UUID) -> dict[uuid.UUID, bytes]:
    return app.carried_captures(app.verify(case_id).records)


def test_an_export_carries_the_bound_capture_and_verifies(tmp_path: Path) -> None:
    app, case_id, _dev, stream = attached_case(tmp_path)
    handed = app.export_bundle(
        case_id,
        tmp_path / "case",
        checkpoint_signer=INTAKE,
        checkpoint_name="intake-0001",
        origin_namespace=NAMESPACE,
    )
    assert handed.verification.verified
    carried = (tmp_path / "case" / "captures" / f"{stream}.pkg").read_bytes()
    assert read_capture_package(carried).records == tuple(app.records(stream))


def test_a_capture_carried_but_never_bound_is_refused(tmp_path: Path) -> None:
    app, case_id, _dev, stream = attached_case(tmp_path)
    stray_dev = device(tmp_path, "tablet-stray")
    stray = stray_dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    packages = _bound_package(app, case_id)
    packages[stray] = stray_dev.capture_package(stray, signer=SCENE, name="pc-1001")
    bundle = capture_bundle(app, case_id, tmp_path / "b", packages)
    report = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    assert [(e.step, e.message) for e in report.errors] == [
        ("B18", f"captures/{stray}.pkg: a capture the case never bound is no part of it")
    ]
    assert stream in packages


def test_a_bound_capture_the_bundle_lacks_is_refused(tmp_path: Path) -> None:
    app, case_id, _dev, stream = attached_case(tmp_path)
    bundle = capture_bundle(app, case_id, tmp_path / "b", {})
    with pytest.raises(CaptureError, match=f"capture {stream} is bound but") as caught:
        verify_bundle(bundle, at=AT, trust=TRUST)
    assert (caught.value.step, caught.value.seq) == ("B18", 2)


def test_a_bound_capture_whose_records_differ_is_refused(tmp_path: Path) -> None:
    app, case_id, _dev, stream = attached_case(tmp_path)
    # Another copy of the stream, validly signed and checkpointed, with other words in it.
    fork = device(tmp_path, "tablet-copy")
    fork.open_capture(SCENE, reference="01YE0000126", case_id=case_id, stream_id=stream)
    with fork.session(stream, SCENE) as capture:
        capture.add_note(text="Other words.")
    swapped = {stream: fork.capture_package(stream, signer=SCENE, name="pc-1001")}
    bundle = capture_bundle(app, case_id, tmp_path / "b", swapped)
    with pytest.raises(CaptureError, match="differs from what record 2 bound") as caught:
        verify_bundle(bundle, at=AT, trust=TRUST)
    assert caught.value.step == "B20"


def test_a_carried_capture_with_a_record_altered_is_refused(tmp_path: Path) -> None:
    app, case_id, _dev, stream = attached_case(tmp_path)
    parsed = read_capture_package(_bound_package(app, case_id)[stream])
    second = bytearray(parsed.records[1])
    second[-1] ^= 0x01
    altered = write_capture_package(
        stream, parsed.checkpoint, [parsed.records[0], bytes(second)], ()
    )
    bundle = capture_bundle(app, case_id, tmp_path / "b", {stream: altered})
    report = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    assert [(e.step, e.case_id, e.seq) for e in report.errors] == [("V9", str(stream), 2)]
