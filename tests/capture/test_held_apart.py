"""A capture's records about a reference the case holds never act on the case's exhibit.

FORMAT §12.7 keeps a reference with its first holder; the views read the story (§12.5), so
they hold the same references apart: the capture's records about them show as an exhibit of
the capture's own, ``C/1 (capture <uuid>)`` (docs/DECISIONS.md D73).
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from pathlib import Path

from _captureworld import DETECTIVE, INTAKE, NAMESPACE, SCENE, T0, TRUST, centre, device, open_case
from casefile.application import CasefileApp, DeviceApp
from casefile.bundle import verify_bundle
from casefile.events import Investigation
from casefile.evidence import FileSystemBlobStore
from casefile.projections import RecordView, build_exhibit_register, records_as_read
from casefile.projections._held_apart import qualified
from casefile.projections._story_records import story_records
from independent._spec_verifier import verify_dir

AT = T0 + 86_400 * 10**9
KNIFE = hashlib.sha256(b"the case's knife").digest()
TABLET = hashlib.sha256(b"the tablet's photograph of a knife").digest()


def _seize(case: Investigation, ref: str, sha256: bytes | None = None) -> None:
    case.seize_exhibit(
        exhibit=ref, place="Hallway", description="A knife", power="s19 PACE", sha256=sha256
    )


def _attach(app: CasefileApp, dev: DeviceApp, stream: uuid.UUID) -> tuple[tuple[str, int], ...]:
    package = dev.capture_package(stream, signer=SCENE, name="pc-1001")
    return app.attach_capture(package, signer=INTAKE, name="intake-0001").findings


def _crop(capture: Investigation) -> None:
    """The tablet's copy of its own C/1: C/1/A, a cropped photograph."""
    capture.derive_exhibit(
        exhibit="C/1",
        derived="C/1/A",
        place="Hallway",
        input_sha256=TABLET,
        output_sha256=b"\x02" * 32,
        method="crop",
        purpose="disclosure",
        description="A cropped photograph",
    )


def _clash(tmp_path: Path) -> tuple[CasefileApp, uuid.UUID, uuid.UUID]:
    """The case seizes C/1; a tablet seizes its own C/1, copies it and records it lost."""
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        _seize(case, "C/1", KNIFE)
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        _seize(capture, "C/1", TABLET)
        _crop(capture)
        capture.report_exhibit_lost(exhibit="C/1", place="Hallway", circumstances="Left behind")
    assert _attach(app, dev, stream) == (("exhibit_reference_in_use", 2),)
    return app, case_id, stream


def test_a_capture_cannot_make_a_case_exhibit_look_lost(tmp_path: Path) -> None:
    app, case_id, stream = _clash(tmp_path)
    apart = qualified("C/1", stream)
    assert app.get_case(case_id).captured_apart == {stream: frozenset({"C/1", "C/1/A"})}
    register = app.exhibit_register(case_id, at=AT)
    ours, theirs = register.exhibit("C/1"), register.exhibit(apart)
    assert (ours.status, ours.first_seq, ours.sha256) == ("active", 2, KNIFE)
    assert (theirs.status, theirs.first_seq, theirs.sha256) == ("lost", f"{stream}#2", TABLET)
    assert register.exhibit(qualified("C/1/A", stream)).source == apart
    # No clash between the two: each has one introduction.
    assert not [f for f in register.findings if f.kind == "duplicate_exhibit"]
    # The binding's finding stays, naming the capture's seizure.
    file = app.case_file(case_id, as_of=AT)
    rows = {row.reference: row for row in file.mg12}
    assert (rows["C/1"].status, rows["C/1"].records) == ("active", (2,))
    assert rows[apart].status == "lost"
    assert rows[apart].records == (f"{stream}#2", f"{stream}#3", f"{stream}#4")
    app.export_bundle(
        case_id,
        tmp_path / "b",
        checkpoint_signer=INTAKE,
        checkpoint_name="intake-0001",
        origin_namespace=NAMESPACE,
    )
    bundle = tmp_path / "b"
    result = verify_bundle(bundle, at=AT, trust=TRUST)
    assert result.verified, result.errors
    exhibits = json.loads((bundle / "views" / "exhibits.json").read_bytes())["exhibits"]
    status = {ex["reference"]: ex["status"] for ex in exhibits}
    assert status == {"C/1": "active", apart: "lost", qualified("C/1/A", stream): "active"}
    mine = verify_dir(bundle, (bundle / "trust.json").read_bytes(), AT)
    assert mine.failures == []


def test_a_copy_of_a_held_apart_reference_never_joins_the_cases_copy(tmp_path: Path) -> None:
    """The capture copies the case's C/1 to C/1/A; the case copies its C/1 to C/1/A too."""
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        _seize(case, "C/1", KNIFE)
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        _seize(capture, "C/1", TABLET)
        _crop(capture)
    _attach(app, dev, stream)
    with app.session(case_id, DETECTIVE) as case:
        case.derive_exhibit(
            exhibit="C/1",
            derived="C/1/A",
            place="Station",
            input_sha256=KNIFE,
            output_sha256=b"\x03" * 32,
            method="crop",
            purpose="disclosure",
            description="The case's copy",
        )
    register = app.exhibit_register(case_id, at=AT)
    assert register.exhibit("C/1/A").source == "C/1"
    assert register.exhibit("C/1/A").sha256 == b"\x03" * 32
    theirs = register.exhibit(qualified("C/1/A", stream))
    assert (theirs.source, theirs.sha256) == (qualified("C/1", stream), b"\x02" * 32)
    assert not [f for f in register.findings if f.kind == "duplicate_exhibit"]


def test_a_held_apart_exhibits_missing_file_is_reported_by_both_verifiers(tmp_path: Path) -> None:
    """B9 looks for the capture's own file under its own record, in either verifier."""
    app, case_id, stream = _clash(tmp_path)
    store = FileSystemBlobStore(tmp_path / "store")
    assert store.put_stream(io.BytesIO(b"the case's knife")).sha256 == KNIFE
    app.export_bundle(
        case_id,
        tmp_path / "b",
        checkpoint_signer=INTAKE,
        checkpoint_name="intake-0001",
        origin_namespace=NAMESPACE,
        evidence=store,
    )
    bundle = tmp_path / "b"
    report = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    assert report.errors == ()
    left_out = {(f.seq, f.exhibit) for f in report.findings if f.kind == "evidence_not_in_bundle"}
    assert left_out == {
        (f"{stream}#2", qualified("C/1", stream)),
        (f"{stream}#3", qualified("C/1/A", stream)),
    }
    mine = verify_dir(bundle, (bundle / "trust.json").read_bytes(), AT)
    assert mine.failures == []
    assert {n for n in mine.noted if n[0] == "evidence_not_in_bundle"} == {
        ("evidence_not_in_bundle", seq) for seq, _ in left_out
    }


def test_a_record_signed_with_a_held_apart_name_is_still_malformed(tmp_path: Path) -> None:
    """Only the story names a reference apart: a record claiming such a name is no reference."""
    app, case_id, stream = _clash(tmp_path)
    forged = qualified("C/1", stream)
    register = app.exhibit_register(case_id, at=AT)
    read = records_as_read(app.verify(case_id).records, app.disclosures(case_id))
    seized = next(r for r in read if r.event_type == "exhibit.seized")
    view = RecordView(
        "exhibit.seized", seized.seq, seized.time_ns, {**seized.data, "exhibit": forged}
    )
    alone = build_exhibit_register([view])
    assert [f.kind for f in alone.findings] == ["malformed_custody_record"]
    assert "not an exhibit reference" in alone.findings[0].message
    assert forged in {ex.reference for ex in register.exhibits}  # the story's own name reads


def test_captures_that_clash_with_nothing_are_read_unchanged(tmp_path: Path) -> None:
    """No clash, no new name: every view of such a case keeps its bytes."""
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        _seize(case, "C/1", KNIFE)
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        _seize(capture, "C/2", TABLET)
        capture.report_exhibit_lost(exhibit="C/2", place="Hallway", circumstances="Left behind")
    assert _attach(app, dev, stream) == ()
    case_records = list(records_as_read(app.verify(case_id).records))
    captured = list(records_as_read(app.verify(stream).records))
    story = story_records(case_records, {stream: captured})
    assert story.apart == frozenset()
    assert [dict(r.data) for r in story.records] == [
        dict(r.data) for r in (*case_records, *captured)
    ]
