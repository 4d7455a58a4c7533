"""The story of a case that bound captures (FORMAT §12.5), read from the centre's own records."""

from __future__ import annotations

from pathlib import Path

from _captureworld import INTAKE, SCENE, T0, TRUST, attached_case, device
from casefile.bundle import read_capture_package
from casefile.projections import case_story
from casefile.verifier import verify_case

DAY = 86_400 * 10**9


def test_a_longer_resend_places_only_its_new_records_after_its_own_binding(
    tmp_path: Path,
) -> None:
    app, case_id, dev, stream = attached_case(tmp_path)
    with app.session(case_id, INTAKE) as case:
        case.add_note(text="Written at the centre between the two syncs.")
    with dev.session(stream, SCENE) as capture:
        capture.add_note(text="Recorded after the first sync.")
    package = dev.capture_package(stream, signer=SCENE, name="pc-1001")
    app.attach_capture(package, signer=INTAKE, name="intake-0001")
    app.attach_capture(package, signer=INTAKE, name="intake-0001")  # resent: binds nothing
    story = case_story(app.verify(case_id).records, {stream: app.verify(stream).records})
    assert [entry.cite for entry in story] == [
        1, 2, f"{stream}#1", f"{stream}#2", 3, 4, f"{stream}#3",
    ]  # fmt: skip
    assert [entry.record.event_type for entry in story][-3:] == [
        "note.added", "capture.attached", "note.added",
    ]  # fmt: skip


def test_a_tablet_that_never_synced_adds_nothing_to_the_story(tmp_path: Path) -> None:
    app, case_id, _dev, stream = attached_case(tmp_path)
    other = device(tmp_path, "tablet-offline")
    unsent = other.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with other.session(unsent, SCENE) as capture:
        capture.add_note(text="Never sent.")
    carried = read_capture_package(other.capture_package(unsent, signer=SCENE, name="pc-1001"))
    held = verify_case(carried.records, trust=TRUST, at=T0 + DAY, case_id=unsent).records
    given = {stream: app.verify(stream).records, unsent: held}
    story = case_story(app.verify(case_id).records, given)
    assert {entry.stream for entry in story} == {None, stream}
