"""The verifier written from docs/FORMAT.md alone judges a bundle's captures as the library does.

B18-B20 (§9.6) over bundles of a case that bound one tablet's capture: both verifiers give the
same verdict and the same failures (step, kind, record), untouched and under each attack.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from _captureworld import SCENE, T0, TRUST, attached_case, capture_bundle, device
from casefile.application import CasefileApp
from casefile.bundle import verify_bundle
from casefile.bundle._capture_package import read_capture_package, write_capture_package
from independent._spec_rules import Report
from independent._spec_verifier import verify_dir

AT = T0 + 86_400 * 10**9


def _both(bundle: Path) -> list[tuple[str, str, int | None]]:
    """The failures both verifiers report, once they agree on them."""
    mine: Report = verify_dir(bundle, (bundle / "trust.json").read_bytes(), AT)
    theirs = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    library = [(e.step, e.kind, e.seq) for e in theirs.errors]
    assert sorted(mine.failures, key=str) == sorted(library, key=str)
    assert mine.verified == theirs.verified
    return sorted(mine.failures, key=str)


def _bound(app: CasefileApp, case_id: uuid.UUID) -> dict[uuid.UUID, bytes]:
    return app.carried_captures(app.verify(case_id).records)


def test_a_bundle_carrying_its_bound_capture_verifies_in_both(tmp_path: Path) -> None:
    app, case_id, _dev, _stream = attached_case(tmp_path)
    bundle = capture_bundle(app, case_id, tmp_path / "b", _bound(app, case_id))
    assert _both(bundle) == []


def test_a_capture_the_case_never_bound_is_refused_by_both(tmp_path: Path) -> None:
    app, case_id, _dev, _stream = attached_case(tmp_path)
    stray_dev = device(tmp_path, "tablet-stray")
    stray = stray_dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    packages = _bound(app, case_id)
    packages[stray] = stray_dev.capture_package(stray, signer=SCENE, name="pc-1001")
    bundle = capture_bundle(app, case_id, tmp_path / "b", packages)
    assert _both(bundle) == [("B18", "capture", None)]


def test_a_bound_capture_left_out_is_refused_by_both(tmp_path: Path) -> None:
    app, case_id, _dev, _stream = attached_case(tmp_path)
    bundle = capture_bundle(app, case_id, tmp_path / "b", {})
    assert _both(bundle) == [("B18", "capture", 2)]


def test_a_capture_swapped_for_another_signed_copy_is_refused_by_both(tmp_path: Path) -> None:
    app, case_id, _dev, stream = attached_case(tmp_path)
    fork = device(tmp_path, "tablet-copy")
    fork.open_capture(SCENE, reference="01YE0000126", case_id=case_id, stream_id=stream)
    with fork.session(stream, SCENE) as capture:
        capture.add_note(text="Other words.")
    swapped = {stream: fork.capture_package(stream, signer=SCENE, name="pc-1001")}
    bundle = capture_bundle(app, case_id, tmp_path / "b", swapped)
    # The device's package carries its note's text, which a bundle under the policy none
    # may not (B21), besides not being what the case bound (B20).
    assert _both(bundle) == [("B20", "capture", 2), ("B21", "capture", 2)]


def test_a_captured_record_altered_in_transit_is_refused_by_both(tmp_path: Path) -> None:
    app, case_id, _dev, stream = attached_case(tmp_path)
    parsed = read_capture_package(_bound(app, case_id)[stream])
    second = bytearray(parsed.records[1])
    second[-1] ^= 0x01
    altered = write_capture_package(
        stream, parsed.checkpoint, [parsed.records[0], bytes(second)], ()
    )
    bundle = capture_bundle(app, case_id, tmp_path / "b", {stream: altered})
    assert _both(bundle) == [("V9", "bad_signature", 2)]


def test_a_capture_cut_short_of_its_checkpoint_is_refused_by_both(tmp_path: Path) -> None:
    app, case_id, _dev, stream = attached_case(tmp_path)
    parsed = read_capture_package(_bound(app, case_id)[stream])
    short = write_capture_package(stream, parsed.checkpoint, parsed.records[:1], ())
    bundle = capture_bundle(app, case_id, tmp_path / "b", {stream: short})
    assert _both(bundle) == [("B19", "capture", None)]
