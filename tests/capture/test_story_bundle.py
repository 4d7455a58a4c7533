"""B12 rebuilds a bundle's views from the case and the captures it carries, as one story."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from _captureworld import DETECTIVE, INTAKE, NAMESPACE, SCENE, T0, TRUST, centre, device, open_case
from casefile.application import CasefileApp
from casefile.bundle import bundle_capture_records, open_bundle, verify_bundle
from casefile.bundle._dsse import seal_envelope
from casefile.bundle._manifest import FileEntry, manifest_bytes
from casefile.errors import ManifestError
from casefile.projections import build_case_file
from casefile.verifier import verify_case

AT = T0 + 86_400 * 10**9


def _exported(tmp_path: Path, audience: str | None = None) -> tuple[Path, uuid.UUID]:
    """A case whose scene seizure was recorded offline and bound, exported with its views."""
    app: CasefileApp = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        capture.seize_exhibit(
            exhibit="AB/1", place="12 High Street", description="Brick", power="PACE s.19"
        )
    app.attach_capture(
        dev.capture_package(stream, signer=SCENE, name="pc-1001"),
        signer=INTAKE,
        name="intake-0001",
    )
    with app.session(case_id, DETECTIVE) as case:
        case.seize_exhibit(exhibit="CD/1", place="Station", description="Coat", power="s.19")
    app.export_bundle(
        case_id,
        tmp_path / "case",
        checkpoint_signer=INTAKE,
        checkpoint_name="intake-0001",
        origin_namespace=NAMESPACE,
        audience=audience,
    )
    return tmp_path / "case", stream


def _replace_and_resign(bundle_dir: Path, name: str, data: bytes) -> None:
    """What a sender holding the manifest key can do: change a view and re-sign over it."""
    (bundle_dir / name).write_bytes(data)
    with open_bundle(bundle_dir) as bundle:
        m = bundle.manifest
    files = tuple(
        FileEntry(name, len(data), hashlib.sha256(data).digest()) if f.path == name else f
        for f in m.files
    )
    manifest = dataclasses.replace(m, files=files)
    (bundle_dir / "manifest.dsse.json").write_bytes(seal_envelope(manifest_bytes(manifest), INTAKE))


@pytest.mark.parametrize("audience", [None, "cps"])
def test_the_views_of_a_bundle_with_a_capture_show_the_captured_exhibit_and_verify(
    tmp_path: Path, audience: str | None
) -> None:
    bundle, stream = _exported(tmp_path, audience)
    result = verify_bundle(bundle, at=AT, trust=TRUST)
    assert result.verified, result.errors
    register = json.loads((bundle / "views" / "exhibits.json").read_bytes())
    assert [(ex["reference"], ex["first_seq"]) for ex in register["exhibits"]] == [
        ("AB/1", f"{stream}#2"),
        ("CD/1", 3),
    ]
    case_file = json.loads((bundle / "views" / "casefile.json").read_bytes())
    assert [row["records"] for row in case_file["mg12"]] == [[f"{stream}#2"], [3]]
    assert f"{stream}#2" in (bundle / "views" / "casefile.html").read_text()


def test_a_view_whose_captured_part_was_altered_under_a_resigned_manifest_is_refused(
    tmp_path: Path,
) -> None:
    bundle, stream = _exported(tmp_path)
    path = "views/exhibits.json"
    document: dict[str, Any] = json.loads((bundle / path).read_bytes())
    captured = document["exhibits"][0]
    assert captured["first_seq"] == f"{stream}#2"
    captured["description"] = "Knife"
    altered = json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"
    _replace_and_resign(bundle, path, altered)
    with pytest.raises(ManifestError, match=rf"{path} differs from the view rebuilt") as caught:
        verify_bundle(bundle, at=AT, trust=TRUST)
    assert caught.value.step == "B12"
    assert "JSON pointer /exhibits/0/description" in caught.value.message


def test_a_view_that_leaves_the_captured_records_out_is_refused(tmp_path: Path) -> None:
    bundle, _stream = _exported(tmp_path)
    path = "views/exhibits.json"
    document: dict[str, Any] = json.loads((bundle / path).read_bytes())
    # The register as it would read the case's own records alone: the captured exhibit gone.
    document["exhibits"] = document["exhibits"][1:]
    altered = json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"
    _replace_and_resign(bundle, path, altered)
    report = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    assert [(e.step, e.kind) for e in report.errors] == [("B12", "manifest")]


def test_a_recipient_builds_the_case_file_of_a_bundle_with_its_captures(tmp_path: Path) -> None:
    bundle_dir, stream = _exported(tmp_path)
    with open_bundle(bundle_dir) as bundle:
        assert verify_bundle(bundle, at=AT, trust=TRUST).verified
        verified = verify_case(
            bundle.records(), trust=TRUST, at=AT, disclosures=bundle.disclosures()
        )
        captures = bundle_capture_records(bundle, trust=TRUST, at=AT)
    assert list(captures) == [stream]
    file = build_case_file(verified.records, captures=captures)
    assert [row.records for row in file.mg12] == [(f"{stream}#2",), (3,)]
    carried = json.loads((bundle_dir / "views" / "casefile.json").read_bytes())
    assert carried["mg12"][0]["records"] == [f"{stream}#2"]
