"""Captures recorded offline join their case once, verified, and are receipted (FORMAT §12)."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest

from _captureworld import (
    DETECTIVE,
    INTAKE,
    LAPSED,
    NAMESPACE,
    OTHER,
    REVOKED,
    SCENE,
    SECOND,
    T0,
    centre,
    device,
    open_case,
    stepping_clock,
)
from casefile.application import CasefileApp, DeviceApp
from casefile.bundle._capture_package import read_capture_package, write_capture_package
from casefile.errors import (
    BadSignatureError,
    CaptureError,
    InvalidCommandError,
    KeyNotValidError,
    UnknownReferenceError,
)
from casefile.signing._checkpoint import Checkpoint, case_origin, sign_checkpoint
from casefile.signing._keys import InMemorySigner
from casefile.signing._merkle import merkle_root
from casefile.signing._records import record_hash, seal_record

OFFICER_NAME = {id(SCENE): "pc-1001", id(OTHER): "pc-2002"}


def _photo(capture: object, ref: str, at: int | None = None) -> int:
    return capture.capture_evidence(  # type: ignore[attr-defined,no-any-return]
        exhibit=ref,
        kind="photo",
        sha256=hashlib.sha256(ref.encode()).digest(),
        size=1000,
        media_type="image/jpeg",
        device="tablet camera",
        location="Hallway",
        captured_at=T0,
        at=at,
    )


def _package(dev: DeviceApp, stream: uuid.UUID, signer: object = SCENE) -> bytes:
    return dev.capture_package(stream, signer=signer, name=OFFICER_NAME[id(signer)])  # type: ignore[arg-type]


def _attach(app: CasefileApp, package: bytes, **kwargs: object) -> object:
    return app.attach_capture(package, signer=INTAKE, name="intake-0001", **kwargs)  # type: ignore[arg-type]


def _scene(
    tmp_path: Path, *, notes: int = 1
) -> tuple[CasefileApp, uuid.UUID, DeviceApp, uuid.UUID]:
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        for i in range(notes):
            capture.add_note(text=f"Scene note {i}.")
    return app, case_id, dev, stream


def _case_types(app: CasefileApp, case_id: uuid.UUID) -> list[str]:
    return [r.event_type for r in app.verify(case_id).records]


# --- attaching ---------------------------------------------------------------------------


def test_a_capture_joins_its_case_with_one_binding_and_its_records_as_signed(
    tmp_path: Path,
) -> None:
    app, case_id, dev, stream = _scene(tmp_path, notes=2)
    package = _package(dev, stream)
    receipt = _attach(app, package)
    assert _case_types(app, case_id) == ["case.opened", "capture.attached"]
    # The centre keeps the device's bytes, not a re-encoding of them.
    assert list(app.records(stream)) == list(read_capture_package(package).records)
    assert (receipt.size, receipt.seq, receipt.stream, receipt.case_id) == (3, 2, stream, case_id)  # type: ignore[attr-defined]


def test_a_package_sent_twice_attaches_once_and_gives_the_same_receipt(tmp_path: Path) -> None:
    app, case_id, dev, stream = _scene(tmp_path)
    package = _package(dev, stream)
    first = _attach(app, package)
    again = _attach(app, package)
    assert again == first
    assert _case_types(app, case_id) == ["case.opened", "capture.attached"]


def test_a_longer_package_attaches_only_its_new_records(tmp_path: Path) -> None:
    app, case_id, dev, stream = _scene(tmp_path)
    older = _package(dev, stream)
    _attach(app, older)
    with dev.session(stream, SCENE) as capture:
        capture.add_note(text="Later note.")
    receipt = _attach(app, _package(dev, stream))
    assert _case_types(app, case_id) == ["case.opened", "capture.attached", "capture.attached"]
    binding = app.verify(case_id).records[2].data
    assert (binding["from_size"], binding["size"]) == (2, 3)
    assert receipt.size == 3  # type: ignore[attr-defined]
    # The older package afterwards is no news: nothing attached, the latest receipt.
    assert _attach(app, older) == receipt
    assert len(_case_types(app, case_id)) == 3


def test_captures_of_two_devices_attach_in_either_order(tmp_path: Path) -> None:
    app, case_id, first_dev, first = _scene(tmp_path)
    second_dev = device(tmp_path, "tablet-2")
    second = second_dev.open_capture(OTHER, reference="01YE0000126", case_id=case_id)
    _attach(app, _package(second_dev, second, OTHER))
    _attach(app, _package(first_dev, first))
    case = app.get_case(case_id)
    assert set(case.attached) == {first, second}


def test_a_capture_for_a_case_opened_later_joins_the_case_the_centre_names(
    tmp_path: Path,
) -> None:
    app = centre()
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="TABLET-1/0001")
    package = _package(dev, stream)
    with pytest.raises(CaptureError, match="names no case") as caught:
        _attach(app, package)
    assert caught.value.step == "A5"
    case_id = open_case(app)
    _attach(app, package, case_id=case_id)
    assert stream in app.get_case(case_id).attached


# --- attacks -----------------------------------------------------------------------------


def test_a_package_altered_in_transit_is_refused_and_nothing_is_recorded(tmp_path: Path) -> None:
    app, case_id, dev, stream = _scene(tmp_path)
    parsed = read_capture_package(_package(dev, stream))
    second = bytearray(parsed.records[1])
    second[-1] ^= 0x01  # the last byte of the signature
    altered = write_capture_package(
        stream, parsed.checkpoint, [parsed.records[0], bytes(second)], parsed.disclosures
    )
    with pytest.raises(BadSignatureError) as caught:
        _attach(app, altered)
    assert (caught.value.seq, caught.value.step) == (2, "V9")
    assert _case_types(app, case_id) == ["case.opened"]
    with pytest.raises(UnknownReferenceError):
        app.get_case(stream)


def test_a_checkpoint_over_other_records_is_refused(tmp_path: Path) -> None:
    app, _case_id, dev, stream = _scene(tmp_path)
    parsed = read_capture_package(_package(dev, stream))
    shorter = write_capture_package(stream, parsed.checkpoint, parsed.records[:1], ())
    with pytest.raises(CaptureError, match="not over the 1 records") as caught:
        _attach(app, shorter)
    assert caught.value.step == "A3"


@pytest.mark.parametrize(("signer", "name"), [(REVOKED, "pc-4004"), (LAPSED, "pc-5005")])
def test_a_capture_signed_by_a_revoked_or_lapsed_key_is_refused(
    tmp_path: Path, signer: InMemorySigner, name: str
) -> None:
    app = centre(stepping_clock(T0 + 7200 * SECOND))
    case_id = open_case(app)
    dev = device(tmp_path)
    # Recorded while the key was good (the library refuses to seal with it later) ...
    stream = dev.open_capture(signer, reference="01YE0000126", case_id=case_id)
    records = list(dev._store.records(stream))
    # ... then a record its holder (or a thief) signs two hours in, an hour after it went bad.
    late = seal_record(
        case_id=stream, seq=2, prev=record_hash(records[0]), event_type="note.added", schema=1,
        time_ns=T0 + 7200 * SECOND, data={}, signer=signer, commitments={},
    )  # fmt: skip
    records.append(late.raw)
    body = Checkpoint(
        case_origin(NAMESPACE, stream), 2, merkle_root([record_hash(r) for r in records])
    )
    package = write_capture_package(stream, sign_checkpoint(body, name, signer), records, [])
    with pytest.raises(KeyNotValidError) as caught:
        _attach(app, package)
    assert (caught.value.seq, caught.value.step) == (2, "V7")
    assert _case_types(app, case_id) == ["case.opened"]


def test_a_stream_replayed_into_another_case_is_refused(tmp_path: Path) -> None:
    app, _case_id, dev, stream = _scene(tmp_path)
    other = app.open_case(DETECTIVE, offence="theft", channel="phone", reference="01YE0000226")
    with pytest.raises(CaptureError, match="is for case") as caught:
        _attach(app, _package(dev, stream), case_id=other)
    assert caught.value.step == "A5"
    assert _case_types(app, other) == ["case.opened"]


def test_a_stream_bound_to_one_case_is_refused_by_another(tmp_path: Path) -> None:
    app = centre()
    first, second = (
        open_case(app),
        app.open_case(DETECTIVE, offence="theft", channel="phone", reference="01YE0000226"),
    )
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="TABLET-1/0002")
    package = _package(dev, stream)
    _attach(app, package, case_id=first)
    with pytest.raises(CaptureError, match="attached to another case") as caught:
        _attach(app, package, case_id=second)
    assert caught.value.step == "A5"


def test_a_stream_that_diverged_from_what_was_attached_is_refused(tmp_path: Path) -> None:
    app, case_id, dev, stream = _scene(tmp_path)
    _attach(app, _package(dev, stream))
    # A second copy of the device's store records other things under the same stream.
    fork = device(tmp_path, "tablet-copy")
    fork.open_capture(SCENE, reference="01YE0000126", case_id=case_id, stream_id=stream)
    with fork.session(stream, SCENE) as capture:
        capture.add_note(text="A different second record.")
        capture.add_note(text="And a third.")
    with pytest.raises(CaptureError, match="differs from what was attached") as caught:
        _attach(app, _package(fork, stream))
    assert caught.value.step == "A6"
    assert len(_case_types(app, case_id)) == 2


def test_a_capture_holding_a_case_opening_is_refused(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    # A case, not a capture: its first record is case.opened.
    not_capture = dev._store.open_case(SCENE, offence="theft", channel="phone", reference="X1")
    records = list(dev._store.records(not_capture))
    note = dev.checkpoint(not_capture, SCENE, "pc-1001")
    with pytest.raises(CaptureError, match="not a capture stream") as caught:
        _attach(app, write_capture_package(not_capture, note, records, []), case_id=case_id)
    assert caught.value.step == "A4"


def test_the_receipt_key_must_hold_a_checkpoint_role(tmp_path: Path) -> None:
    from casefile.errors import UnauthorisedSignerError

    app, case_id, dev, stream = _scene(tmp_path)
    with pytest.raises(UnauthorisedSignerError, match="checkpoint role"):
        app.attach_capture(_package(dev, stream), signer=DETECTIVE, name="dc-3003")
    assert _case_types(app, case_id) == ["case.opened"]


# --- the case's rules at attach time -------------------------------------------------------


def test_two_devices_naming_one_exhibit_give_a_recorded_finding(tmp_path: Path) -> None:
    app, case_id, first_dev, first = _scene(tmp_path)
    with first_dev.session(first, SCENE) as capture:
        _photo(capture, "AB/1")
    second_dev = device(tmp_path, "tablet-2")
    second = second_dev.open_capture(OTHER, reference="01YE0000126", case_id=case_id)
    with second_dev.session(second, OTHER) as capture:
        _photo(capture, "AB/1")
    assert _attach(app, _package(first_dev, first)).findings == ()  # type: ignore[attr-defined]
    receipt = _attach(app, _package(second_dev, second, OTHER))
    assert receipt.findings == (("exhibit_reference_in_use", 2),)  # type: ignore[attr-defined]
    binding = app.verify(case_id).records[-1].data
    assert binding["findings"] == [{"kind": "exhibit_reference_in_use", "seq": 2}]


def test_an_exhibit_the_case_already_holds_is_a_finding(tmp_path: Path) -> None:
    app, case_id, dev, stream = _scene(tmp_path)
    with app.session(case_id, DETECTIVE) as case:
        _photo(case, "AB/1")
    with dev.session(stream, SCENE) as capture:
        _photo(capture, "AB/1")
    receipt = _attach(app, _package(dev, stream))
    assert receipt.findings == (("exhibit_reference_in_use", 3),)  # type: ignore[attr-defined]


def test_a_statement_on_a_case_closed_meanwhile_is_accepted_with_a_finding(
    tmp_path: Path,
) -> None:
    app, case_id, dev, stream = _scene(tmp_path)
    app.change_status(case_id, DETECTIVE, status="closed", reason="No suspect.")
    receipt = _attach(app, _package(dev, stream))
    assert receipt.findings == (("recorded_while_closed", 2),)  # type: ignore[attr-defined]


def test_a_device_time_after_the_receipt_beyond_the_skew_is_a_finding(tmp_path: Path) -> None:
    app, _case_id, dev, stream = _scene(tmp_path)
    with dev.session(stream, SCENE) as capture:
        capture.add_note(text="From the future.", at=T0 + 3600 * SECOND)
    receipt = _attach(app, _package(dev, stream), at=T0 + 60 * SECOND)
    assert receipt.findings == (("device_time_after_receipt", 3),)  # type: ignore[attr-defined]


# --- receipts and pruning --------------------------------------------------------------------


def test_the_device_accepts_the_centres_receipt_and_may_then_prune(tmp_path: Path) -> None:
    app, _case_id, dev, stream = _scene(tmp_path)
    receipt = _attach(app, _package(dev, stream))
    with pytest.raises(InvalidCommandError, match="prune only what the centre holds"):
        dev.prune(stream)
    assert dev.accept_receipt(receipt.to_bytes()) == receipt  # type: ignore[attr-defined]
    dev.prune(stream)
    assert dev.streams() == []
    assert dev.receipt(stream) == receipt


def test_a_record_made_after_the_receipt_is_not_pruned(tmp_path: Path) -> None:
    app, _case_id, dev, stream = _scene(tmp_path)
    dev.accept_receipt(_attach(app, _package(dev, stream)).to_bytes())  # type: ignore[attr-defined]
    with dev.session(stream, SCENE) as capture:
        capture.add_note(text="Not yet sent.")
    with pytest.raises(InvalidCommandError, match="3 records, 2 receipted"):
        dev.prune(stream)
    assert len(list(dev._store.records(stream))) == 3


def test_a_receipt_signed_by_a_key_without_the_checkpoint_role_is_refused(
    tmp_path: Path,
) -> None:
    app, _case_id, dev, stream = _scene(tmp_path)
    genuine = _attach(app, _package(dev, stream))
    from casefile.bundle._capture_receipt import sign_receipt

    forged = sign_receipt(genuine, "dc-3003", DETECTIVE)  # type: ignore[arg-type]
    with pytest.raises(CaptureError) as caught:
        dev.accept_receipt(forged.to_bytes())
    assert caught.value.step == "R1"
    with pytest.raises(InvalidCommandError):
        dev.prune(stream)


def test_a_receipt_forged_under_the_intake_name_by_an_untrusted_key_is_refused(
    tmp_path: Path,
) -> None:
    # A service in the middle answers for the centre: right name, right words, its own key.
    app, _case_id, dev, stream = _scene(tmp_path)
    genuine = _attach(app, _package(dev, stream))
    from casefile.bundle._capture_receipt import sign_receipt

    forged = sign_receipt(genuine, "intake-0001", InMemorySigner.generate())  # type: ignore[arg-type]
    assert forged.body() == genuine.body()  # type: ignore[attr-defined]
    with pytest.raises(CaptureError) as caught:
        dev.accept_receipt(forged.to_bytes())
    assert caught.value.step == "R1"
    assert dev.receipt(stream) is None
    with pytest.raises(InvalidCommandError, match="prune only what the centre holds"):
        dev.prune(stream)


def test_a_receipt_whose_text_was_altered_is_refused(tmp_path: Path) -> None:
    app, _case_id, dev, stream = _scene(tmp_path)
    genuine = _attach(app, _package(dev, stream)).to_bytes()  # type: ignore[attr-defined]
    # Claim one record more than the centre holds.
    altered = genuine.replace(b"\n2\n", b"\n3\n", 1)
    assert altered != genuine
    with pytest.raises(CaptureError) as caught:
        dev.accept_receipt(altered)
    assert caught.value.step == "R1"


def test_a_receipt_for_other_records_is_refused(tmp_path: Path) -> None:
    app, case_id, dev, stream = _scene(tmp_path)
    fork = device(tmp_path, "tablet-copy")
    fork.open_capture(SCENE, reference="01YE0000126", case_id=case_id, stream_id=stream)
    with fork.session(stream, SCENE) as capture:
        capture.add_note(text="Other words.")
    # The centre truly receipted the copy's records, not this device's.
    receipt = _attach(app, _package(fork, stream))
    with pytest.raises(CaptureError, match="does not describe") as caught:
        dev.accept_receipt(receipt.to_bytes())  # type: ignore[attr-defined]
    assert caught.value.step == "R4"


def test_the_centre_refuses_to_record_into_an_attached_capture(tmp_path: Path) -> None:
    # Its copy is what it bound: a record added there would fork it from the device's.
    app, _case_id, dev, stream = _scene(tmp_path)
    _attach(app, _package(dev, stream))
    with pytest.raises(InvalidCommandError, match="is a capture stream"):
        app.add_note(stream, DETECTIVE, text="Added at the centre.")
    assert len(list(app.records(stream))) == 2


def test_a_device_session_refuses_a_stream_that_is_not_a_capture(tmp_path: Path) -> None:
    dev = device(tmp_path)
    case_id = dev._store.open_case(SCENE, offence="theft", channel="phone", reference="X1")
    with (
        pytest.raises(InvalidCommandError, match="not a capture stream"),
        dev.session(case_id, SCENE) as case,
    ):
        case.add_note(text="Never stored.")
    assert len(list(dev._store.records(case_id))) == 1


def test_the_centres_copy_of_a_capture_is_listed_and_indexed_as_no_case(tmp_path: Path) -> None:
    app, case_id, dev, stream = _scene(tmp_path)
    _attach(app, _package(dev, stream))
    assert app.list_cases() == [case_id]
    assert app.rebuild_case_index() == 1
    assert [s.case_id for s in app.case_summaries()] == [case_id]
    assert dev.streams() == [stream]


def test_a_capture_checkpoint_by_an_untrusted_key_is_refused(tmp_path: Path) -> None:
    app, case_id, dev, stream = _scene(tmp_path)
    parsed = read_capture_package(_package(dev, stream))
    stranger = InMemorySigner.generate()
    root = merkle_root([record_hash(r) for r in parsed.records])
    note = sign_checkpoint(Checkpoint(case_origin(NAMESPACE, stream), 2, root), "pc-1001", stranger)
    forged = write_capture_package(stream, note, parsed.records, parsed.disclosures)
    with pytest.raises(CaptureError, match="no trusted key") as caught:
        _attach(app, forged)
    assert caught.value.step == "A2"
    assert _case_types(app, case_id) == ["case.opened"]


def test_a_receipt_sent_again_after_the_prune_is_recognised(tmp_path: Path) -> None:
    # The centre's reply was lost after the device had pruned on an earlier copy of it.
    app, _case_id, dev, stream = _scene(tmp_path)
    receipt = _attach(app, _package(dev, stream))
    dev.accept_receipt(receipt.to_bytes())  # type: ignore[attr-defined]
    dev.prune(stream)
    assert dev.accept_receipt(receipt.to_bytes()) == receipt  # type: ignore[attr-defined]


def test_a_receipt_for_other_records_after_the_prune_is_refused(tmp_path: Path) -> None:
    # Once pruned, the device cannot check a claim about records it no longer holds.
    app, _case_id, dev, stream = _scene(tmp_path)
    first = _attach(app, _package(dev, stream))
    with dev.session(stream, SCENE) as capture:
        capture.add_note(text="A second note.")
    longer = _attach(app, _package(dev, stream))
    dev.accept_receipt(longer.to_bytes())  # type: ignore[attr-defined]
    dev.prune(stream)
    with pytest.raises(CaptureError, match="pruned after a receipt for its 3 records") as caught:
        dev.accept_receipt(first.to_bytes())  # type: ignore[attr-defined]
    assert caught.value.step == "R4"
    assert dev.receipt(stream) == longer
