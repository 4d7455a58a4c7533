"""The verifier written from docs/FORMAT.md alone judges a bundle's captures as the library does.

B18-B21 (§9.6) over bundles of a case that bound one tablet's capture: both verifiers give the
same verdict and the same failures (step, kind, record), untouched and under each attack.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

from _bundlecase import resign_with
from _captureworld import (
    INTAKE,
    NAMESPACE,
    SCENE,
    SERGEANT,
    T0,
    TRUST,
    attached_case,
    capture_bundle,
    centre,
    device,
    open_case,
    statement_capture,
)
from casefile.application import CasefileApp, DeviceApp
from casefile.bundle import DISCLOSE_ALL, DisclosurePolicy, verify_bundle
from casefile.bundle._capture_package import read_capture_package, write_capture_package
from casefile.signing._records import parse_record
from casefile.signing._text import parse_disclosure
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
    # may not (B21), besides not being what the case bound (B20: neither the latest
    # checkpoint nor the records the binding's checkpoint is over).
    assert _both(bundle) == [("B20", "capture", 2), ("B20", "capture", 2), ("B21", "capture", 2)]


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


def _export(app: CasefileApp, case_id: uuid.UUID, dest: Path, **options: object) -> Path:
    app.export_bundle(
        case_id,
        dest,
        checkpoint_signer=INTAKE,
        checkpoint_name="intake-0001",
        origin_namespace=NAMESPACE,
        **options,  # type: ignore[arg-type]
    )
    return dest


def _with_disclosures(bundle: Path, stream: uuid.UUID, disclosures: list[bytes]) -> None:
    """Re-sign the bundle over its own capture package carrying ``disclosures`` instead."""
    path = f"captures/{stream}.pkg"
    parsed = read_capture_package((bundle / path).read_bytes())
    package = write_capture_package(stream, parsed.checkpoint, parsed.records, disclosures)
    resign_with(bundle, path, package, INTAKE)


def _stored(dev: DeviceApp, stream: uuid.UUID) -> dict[tuple[int, str], bytes]:
    package = read_capture_package(dev.capture_package(stream, signer=SCENE, name="pc-1001"))
    return {(d.seq, d.name): raw for raw in package.disclosures if (d := parse_disclosure(raw))}


@pytest.mark.parametrize("audience", [None, "cps", "defence", "court", "victim"])
def test_a_bundle_carrying_a_captures_disclosures_verifies_in_both(
    tmp_path: Path, audience: str | None
) -> None:
    app, case_id, _dev, _stream = statement_capture(tmp_path)
    bundle = _export(
        app, case_id, tmp_path / "b", audience=audience, disclosure_policy=DISCLOSE_ALL
    )
    assert _both(bundle) == []


@pytest.mark.parametrize(
    ("audience", "policy", "added", "expected"),
    [
        # The statement whole, though the stream's decision withholds the address in it.
        ("cps", DISCLOSE_ALL, (3, "body"), 3),
        # The witness's address, restricted from the defence whatever the policy.
        ("defence", DISCLOSE_ALL, (2, "address"), 2),
        # A value the policy leaves out.
        (None, DisclosurePolicy.only({"name"}), (2, "phone"), 2),
        # The victim's bundle: the decision names the CPS and the defence only, so the
        # whole statement travels, and the phone as the policy allows: nothing to refuse.
        ("victim", DISCLOSE_ALL, (3, "body"), None),
    ],
)
def test_a_capture_disclosure_the_audience_may_not_see_is_refused_by_both(
    tmp_path: Path,
    audience: str | None,
    policy: DisclosurePolicy,
    added: tuple[int, str],
    expected: int | None,
) -> None:
    app, case_id, dev, stream = statement_capture(tmp_path)
    bundle = _export(app, case_id, tmp_path / "b", audience=audience, disclosure_policy=policy)
    path = bundle / "captures" / f"{stream}.pkg"
    carried = {
        (d.seq, d.name): raw
        for raw in read_capture_package(path.read_bytes()).disclosures
        if (d := parse_disclosure(raw))
    }
    carried[added] = _stored(dev, stream)[added]
    _with_disclosures(bundle, stream, [carried[k] for k in sorted(carried)])
    assert _both(bundle) == ([] if expected is None else [("B21", "capture", expected)])


def test_words_a_stream_erased_carried_in_a_bundle_for_no_audience_are_refused_by_both(
    tmp_path: Path,
) -> None:
    app, case_id, dev, stream = statement_capture(tmp_path)
    # The words as the centre first received them, before the tablet erased some.
    held = {(d.seq, d.name): d.to_bytes() for d in app.disclosures(stream)}
    dev.erase_words(
        stream, SERGEANT, 3, "body", runs=[(0, 2)], basis="erasure_request",
        explanation="The witness asked.",
    )  # fmt: skip
    app.attach_capture(
        dev.capture_package(stream, signer=SCENE, name="pc-1001"),
        signer=INTAKE,
        name="intake-0001",
    )
    bundle = _export(app, case_id, tmp_path / "b", disclosure_policy=DISCLOSE_ALL)
    assert _both(bundle) == []
    # A sender who kept the words as first sent and carries them is refused.
    path = bundle / "captures" / f"{stream}.pkg"
    carried = {
        (d.seq, d.name): raw
        for raw in read_capture_package(path.read_bytes()).disclosures
        if (d := parse_disclosure(raw))
    }
    carried[(3, "body")] = held[(3, "body")]
    _with_disclosures(bundle, stream, [carried[k] for k in sorted(carried)])
    assert _both(bundle) == [("B21", "capture", 3)]


def test_a_binding_whose_size_hides_records_its_checkpoint_covers_is_refused_by_both(
    tmp_path: Path,
) -> None:
    # A centre (faulty or hostile) that binds a three-record package as one record:
    # the story would read record 1 alone, the package would carry all three, and
    # the note compared with the package's is the same text.
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        capture.add_note(text="A first note.")
        capture.add_note(text="The note the story would not show.")
    package = dev.capture_package(stream, signer=SCENE, name="pc-1001")
    parsed = read_capture_package(package)
    case = app.get_case(case_id)
    app._bind_signer(case, INTAKE)
    case.record_capture_attached(
        stream=stream, device="tablet-1", checkpoint=parsed.checkpoint, from_size=0, size=1,
        received=app.now(), findings=(),
    )  # fmt: skip
    carried = [
        StoredEvent(stream, seq, parse_record(raw).header.event_type, raw)
        for seq, raw in enumerate(parsed.records, start=1)
    ]
    app.save_case(case, INTAKE, carried=(carried, []))
    # Carried as a bundle under the policy none carries it: every record, no text.
    bare = write_capture_package(stream, parsed.checkpoint, parsed.records, ())
    bundle = capture_bundle(app, case_id, tmp_path / "b", {stream: bare})
    assert _both(bundle) == [("B20", "capture", 2)]


def test_a_captured_statement_dropped_from_a_bundle_is_a_finding_in_both(
    tmp_path: Path,
) -> None:
    app, case_id, _dev, stream = statement_capture(tmp_path)
    bundle = _export(app, case_id, tmp_path / "b", disclosure_policy=DISCLOSE_ALL)
    assert _both(bundle) == []
    # A sender leaves the captured statement's words out, though the policy covers them
    # and no act of the stream withholds them.
    path = bundle / "captures" / f"{stream}.pkg"
    carried = {
        (d.seq, d.name): raw
        for raw in read_capture_package(path.read_bytes()).disclosures
        if (d := parse_disclosure(raw))
    }
    del carried[(3, "body")]
    _with_disclosures(bundle, stream, [carried[k] for k in sorted(carried)])
    mine: Report = verify_dir(bundle, (bundle / "trust.json").read_bytes(), AT)
    theirs = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    (finding,) = [f for f in theirs.findings if f.kind == "policy_fields_not_disclosed"]
    assert int(finding.message.split()[0]) == mine.counts["policy_fields_not_disclosed"] == 1
