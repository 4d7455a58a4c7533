"""Evidence and custody over the case's story: a file captured on a device is the case's evidence.

The export carries the files of captured exhibits (FORMAT §9.6 B8, B9), both verifiers hold a
carried file to the size its capture recorded (B8) and report a captured exhibit whose file a
bundle leaves out (B9), and the custody of a captured exhibit booked at the centre is one
history across the two streams, with no break invented by reading the case alone (D68).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import uuid
from pathlib import Path

from _captureworld import INTAKE, NAMESPACE, SCENE, T0, TRUST, centre, device, open_case
from casefile.application import CasefileApp, ExportResult
from casefile.bundle import open_bundle, verify_bundle
from casefile.bundle._dsse import seal_envelope
from casefile.bundle._manifest import FileEntry, manifest_bytes
from casefile.events import Custodian
from casefile.evidence import FileSystemBlobStore
from independent._spec_rules import Report
from independent._spec_verifier import verify_dir

AT = T0 + 86_400 * 10**9
PHOTO = b"\xff\xd8 the point of entry, photographed on the tablet"
CENTRE_PHOTO = b"\xff\xd8 the window frame, photographed at the station"
STORE = Custodian(name="Property store", number="PS-1", organisation="Test Force")


def _device_photo(
    tmp_path: Path, *, size: int = len(PHOTO), sealed: bool = False
) -> tuple[CasefileApp, uuid.UUID, uuid.UUID]:
    """A case that bound a tablet's capture: the photograph AB/1 (record 2), sealed if asked."""
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        capture.capture_evidence(
            exhibit="AB/1",
            kind="photo",
            sha256=hashlib.sha256(PHOTO).digest(),
            size=size,
            media_type="image/jpeg",
            device="tablet camera",
            location="Back door",
            captured_at=T0,
        )
        if sealed:
            capture.package_exhibit(exhibit="AB/1", place="Back door", bag="BAG1", seal="S1")
    app.attach_capture(
        dev.capture_package(stream, signer=SCENE, name="pc-1001"),
        signer=INTAKE,
        name="intake-0001",
    )
    return app, case_id, stream


def _export(app: CasefileApp, case_id: uuid.UUID, dest: Path, *stores: object) -> ExportResult:
    return app.export_bundle(
        case_id,
        dest,
        checkpoint_signer=INTAKE,
        checkpoint_name="intake-0001",
        origin_namespace=NAMESPACE,
        evidence=stores,  # type: ignore[arg-type]
    )


def _store(tmp_path: Path, *files: bytes) -> FileSystemBlobStore:
    store = FileSystemBlobStore(tmp_path / "evidence-store")
    for data in files:
        store.put_stream(io.BytesIO(data))
    return store


def _both(bundle: Path) -> tuple[Report, list[tuple[str, str, int | str | None]]]:
    """The outside verifier's report, once it agrees with the library on failures and on
    the evidence left out; and the library's failures."""
    mine = verify_dir(bundle, (bundle / "trust.json").read_bytes(), AT)
    theirs = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    library = [(e.step, e.kind, e.seq) for e in theirs.errors]
    assert sorted(mine.failures, key=str) == sorted(library, key=str)
    left_out = {(f.kind, f.seq) for f in theirs.findings if f.kind == "evidence_not_in_bundle"}
    assert {n for n in mine.noted if n[0] == "evidence_not_in_bundle"} == left_out
    return mine, library


def _add_and_resign(bundle_dir: Path, name: str, data: bytes) -> None:
    """What a sender holding the manifest key can do: add a file and re-sign over it."""
    (bundle_dir / name).parent.mkdir(exist_ok=True)
    (bundle_dir / name).write_bytes(data)
    with open_bundle(bundle_dir) as bundle:
        m = bundle.manifest
    entry = FileEntry(name, len(data), hashlib.sha256(data).digest())
    files = tuple(sorted((*m.files, entry), key=lambda f: f.path))
    manifest = dataclasses.replace(m, files=files)
    (bundle_dir / "manifest.dsse.json").write_bytes(seal_envelope(manifest_bytes(manifest), INTAKE))


def test_a_photo_captured_on_a_device_travels_in_the_bundle(tmp_path: Path) -> None:
    app, case_id, stream = _device_photo(tmp_path)
    digest = hashlib.sha256(PHOTO).digest()
    result = _export(app, case_id, tmp_path / "b", _store(tmp_path, PHOTO))
    assert result.missing_evidence == frozenset()
    assert (tmp_path / "b" / "evidence" / digest.hex()).read_bytes() == PHOTO
    (photo,) = result.register.exhibits
    assert (photo.reference, photo.first_seq, photo.sha256) == ("AB/1", f"{stream}#2", digest)
    assert result.verification.verified
    # Where the store lacks it, the export says which file it could not carry.
    bare = _export(app, case_id, tmp_path / "bare")
    assert bare.missing_evidence == frozenset({digest})


def test_a_captured_exhibit_booked_at_the_centre_gives_no_continuity_finding(
    tmp_path: Path,
) -> None:
    app, case_id, stream = _device_photo(tmp_path, sealed=True)
    with app.session(case_id, SCENE) as case:
        booking = case.book_exhibit(
            exhibit="AB/1", to=STORE, place="Central store", property_ref="P/1"
        )
    result = _export(app, case_id, tmp_path / "b", _store(tmp_path, PHOTO))
    verified = verify_bundle(tmp_path / "b", at=AT, trust=TRUST)
    assert verified.verified
    # Read case-only, the booking is custody of an exhibit never introduced: no such finding.
    assert [f for f in verified.findings if f.exhibit is not None] == []
    # One history across the two streams: captured and sealed at the scene, booked centrally.
    (photo,) = result.register.exhibits
    assert [(e.seq, e.event_type) for e in photo.entries] == [
        (f"{stream}#2", "evidence.captured"),
        (f"{stream}#3", "exhibit.packaged"),
        (booking, "exhibit.booked"),
    ]
    assert photo.in_store
    assert result.register.findings == ()


def test_a_captured_evidence_file_of_another_size_is_refused(tmp_path: Path) -> None:
    # The tablet recorded a size the file does not have: the file is not what was captured.
    app, case_id, _stream = _device_photo(tmp_path, size=len(PHOTO) + 1)
    bundle = tmp_path / "b"
    _export(app, case_id, bundle)  # by reference: no evidence file to hold to the record
    name = f"evidence/{hashlib.sha256(PHOTO).hexdigest()}"
    _add_and_resign(bundle, name, PHOTO)
    _report, failures = _both(bundle)
    assert failures == [("B8", "fixity", None)]
    result = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    (error,) = result.errors
    assert name in error.message
    assert "exhibit AB/1" in error.message


def test_captured_evidence_left_out_of_a_bundle_is_a_finding(tmp_path: Path) -> None:
    app, case_id, stream = _device_photo(tmp_path)
    app.capture_evidence(
        case_id,
        SCENE,
        exhibit="AB/2",
        kind="photo",
        sha256=hashlib.sha256(CENTRE_PHOTO).digest(),
        size=len(CENTRE_PHOTO),
        media_type="image/jpeg",
        device="station camera",
        location="Front office",
        captured_at=app.now(),
    )
    # The store holds the centre's photograph, not the tablet's: the bundle carries evidence
    # but lacks a captured exhibit's file.
    result = _export(app, case_id, tmp_path / "b", _store(tmp_path, CENTRE_PHOTO))
    assert result.missing_evidence == frozenset({hashlib.sha256(PHOTO).digest()})
    report, failures = _both(tmp_path / "b")
    assert failures == []
    assert ("evidence_not_in_bundle", f"{stream}#2") in report.noted
    (left_out,) = [f for f in result.verification.findings if f.kind == "evidence_not_in_bundle"]
    assert (left_out.seq, left_out.exhibit) == (f"{stream}#2", "AB/1")
