"""Captured exhibits join the case's state, never over what the case holds (FORMAT §12.7)."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from _captureworld import (
    DETECTIVE,
    INTAKE,
    OTHER,
    SCENE,
    T0,
    TRUST,
    centre,
    counting_random,
    device,
    open_case,
    stepping_clock,
)
from casefile.application import CasefileApp, DeviceApp, StoreConfig
from casefile.bundle._capture_package import read_capture_package
from casefile.errors import (
    BrokenLinkError,
    DuplicateExhibitError,
    InvalidCommandError,
    NotCustodianError,
    VerificationError,
)
from casefile.events import (
    CAPTURE_FINDING_KINDS,
    EVENT_TYPES,
    Custodian,
    ExhibitCustody,
    Investigation,
)
from casefile.events._fold import is_folded
from casefile.signing._trust import TrustStore
from casefile.verifier import payload_schemas

OFFICER_NAME = {id(SCENE): "pc-1001", id(OTHER): "pc-2002"}


def _holder(signer: Any) -> Custodian:
    entry = TRUST.get(signer.public_key.key_id)
    assert entry is not None
    return Custodian.from_holder(entry.holder)


LAB = Custodian(name="Forensic lab", number="L-1", organisation="Example Lab")


def _photo(capture: Investigation, ref: str) -> int:
    return capture.capture_evidence(
        exhibit=ref,
        kind="photo",
        sha256=hashlib.sha256(ref.encode()).digest(),
        size=1000,
        media_type="image/jpeg",
        device="tablet camera",
        location="Hallway",
        captured_at=T0,
    )


def _seize(capture: Investigation, ref: str, seal: str | None = None) -> None:
    capture.seize_exhibit(exhibit=ref, place="Hallway", description="A knife", power="s19 PACE")
    if seal is not None:
        capture.package_exhibit(exhibit=ref, place="Hallway", bag="B1", seal=seal)


def _package(dev: DeviceApp, stream: uuid.UUID, signer: Any = SCENE) -> bytes:
    return dev.capture_package(stream, signer=signer, name=OFFICER_NAME[id(signer)])


def _attach(app: CasefileApp, package: bytes) -> Any:
    return app.attach_capture(package, signer=INTAKE, name="intake-0001")


def _stream(
    dev: DeviceApp, case_id: uuid.UUID, signer: Any = SCENE, stream_id: uuid.UUID | None = None
) -> uuid.UUID:
    return dev.open_capture(signer, reference="01YE0000126", case_id=case_id, stream_id=stream_id)


def _without_seqs(state: ExhibitCustody) -> ExhibitCustody:
    return dataclasses.replace(state, seq=0, location_seq=0, last_seq=0)


def _replace_stored(app: CasefileApp, stream: uuid.UUID, records: list[bytes]) -> None:
    """Overwrite the centre's stored copy of a capture (the in-memory store's own lists)."""
    recorder: Any = app.recorder
    index = recorder._stored_events_index[str(stream)]
    for seq, raw in enumerate(records, 1):
        old = recorder._stored_events[index[seq]]
        recorder._stored_events[index[seq]] = StoredEvent(stream, seq, old.topic, raw)


# --- what joins ------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_captured_exhibit_can_be_booked_into_the_property_store_after_attach(
    tmp_path: Path, backend: str
) -> None:
    app = (
        centre()
        if backend == "memory"
        else CasefileApp(
            store=StoreConfig.sqlite(tmp_path / "centre.sqlite"),
            trust=TRUST,
            clock=stepping_clock(),
            random_bytes=counting_random("centre"),
        )
    )
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = _stream(dev, case_id)
    with dev.session(stream, SCENE) as capture:
        _seize(capture, "SO/1", seal="S-100")
    _attach(app, _package(dev, stream))
    case = app.get_case(case_id)
    assert "SO/1" in case.custody
    assert case.captured_exhibits == {"SO/1": stream}
    # Every number the case's state holds is a record of the case: the binding.
    assert case.custody_of("SO/1").seq == case.bindings_of(stream)[0] == 2
    # The scene officer books it in at the centre; the store officer confirms the receipt.
    store = _holder(DETECTIVE)
    with app.session(case_id, SCENE) as case:
        booking = case.book_exhibit(
            exhibit="SO/1", to=store, place="Central store", property_ref="P/1"
        )
    with app.session(case_id, DETECTIVE) as case:
        case.confirm(seq=booking)
        sent = case.transfer_exhibit(
            exhibit="SO/1",
            to=LAB,
            place="Central store",
            purpose="DNA examination",
            seal_checked=True,
            seal="S-100",
            seal_intact=True,
        )
    loaded = app.get_case(case_id)
    assert loaded.receipt_confirmations == {booking: booking + 1}
    state = loaded.custody_of("SO/1")
    assert (state.custodian, state.last_seq, state.property_ref) == (LAB, sent, "P/1")
    app.verify(case_id)


def test_a_case_without_captures_loads_as_before(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        _seize(case, "DC/1", seal="S-1")
    case = app.get_case(case_id)
    assert (case.captured_exhibits, case.captured_apart) == ({}, {})
    assert list(case.custody) == ["DC/1"]


def test_statements_and_notes_of_a_capture_stay_in_its_stream(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = _stream(dev, case_id)
    with dev.session(stream, SCENE) as capture:
        capture.add_note(text="Door forced.")
        _photo(capture, "SO/1")
    _attach(app, _package(dev, stream))
    case = app.get_case(case_id)
    assert case.version == 2
    assert case.record_type(2).TYPE == "capture.attached"
    assert list(case.exhibits) == ["SO/1"]


def test_a_central_command_refuses_a_captured_exhibit_reference_again(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = _stream(dev, case_id)
    with dev.session(stream, SCENE) as capture:
        _seize(capture, "SO/1", seal="S-100")
    _attach(app, _package(dev, stream))
    with app.session(case_id, DETECTIVE) as case:
        with pytest.raises(DuplicateExhibitError, match=r"record 2\b"):
            _photo(case, "SO/1")
        with pytest.raises(InvalidCommandError, match="seal S-100 was used in record 2"):
            _seize(case, "DC/1", seal="S-100")
        # Only the custodian the capture recorded hands it on.
        with pytest.raises(NotCustodianError):
            case.transfer_exhibit(exhibit="SO/1", to=LAB, place="Station", purpose="lab")


# --- what never overwrites the case -----------------------------------------------------------


def test_flagged_reference_never_overwrites_the_cases_exhibit(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    first_dev, second_dev = device(tmp_path), device(tmp_path, "tablet-2")
    first = _stream(first_dev, case_id)
    with first_dev.session(first, SCENE) as capture:
        _seize(capture, "AB/1", seal="S-1")
    second = _stream(second_dev, case_id, OTHER)
    with second_dev.session(second, OTHER) as capture:
        _seize(capture, "AB/1")
        capture.image_exhibit(
            exhibit="AB/1",
            derived="AB/1/A",
            place="Hallway",
            source_sha256=b"\x01" * 32,
            output_sha256=b"\x02" * 32,
            description="Image of the phone",
            tool="imager",
        )
        capture.transfer_exhibit(exhibit="AB/1", to=_holder(DETECTIVE), place="Van", purpose="x")
    assert _attach(app, _package(first_dev, first)).findings == ()
    receipt = _attach(app, _package(second_dev, second, OTHER))
    assert receipt.findings == (("exhibit_reference_in_use", 2),)
    case = app.get_case(case_id)
    # The first holder keeps AB/1 as it recorded it; the second capture's records about
    # it (and any copy of it) stay in its stream, held apart for a supervisor.
    assert case.captured_exhibits == {"AB/1": first}
    assert case.custody_of("AB/1").custodian == _holder(SCENE)
    assert case.custody_of("AB/1").seal == "S-1"
    assert "AB/1" in case.captured_apart[second]
    assert "AB/1/A" in case.captured_apart[second]
    assert "AB/1/A" not in case.custody
    # A central command on AB/1 acts on the case's one.
    with app.session(case_id, SCENE) as case:
        case.transfer_exhibit(
            exhibit="AB/1",
            to=LAB,
            place="Station",
            purpose="lab",
            seal_checked=True,
            seal="S-1",
            seal_intact=True,
        )
    assert app.get_case(case_id).custody_of("AB/1").custodian == LAB
    app.verify(case_id)


def test_an_exhibit_the_case_recorded_first_is_never_taken_over_by_a_capture(
    tmp_path: Path,
) -> None:
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        _seize(case, "AB/1", seal="S-1")
    dev = device(tmp_path)
    stream = _stream(dev, case_id)
    with dev.session(stream, SCENE) as capture:
        _seize(capture, "AB/1", seal="S-9")
    receipt = _attach(app, _package(dev, stream))
    assert receipt.findings == (("exhibit_reference_in_use", 2),)
    state = app.get_case(case_id).custody_of("AB/1")
    assert (state.custodian, state.seal, state.seq) == (_holder(DETECTIVE), "S-1", 2)


def test_a_seal_number_the_case_used_is_a_finding_and_keeps_its_first_use(
    tmp_path: Path,
) -> None:
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        _seize(case, "DC/1", seal="S-1")
    dev = device(tmp_path)
    stream = _stream(dev, case_id)
    with dev.session(stream, SCENE) as capture:
        _seize(capture, "SO/1", seal="S-1")
    receipt = _attach(app, _package(dev, stream))
    assert receipt.findings == (("seal_number_in_use", 3),)
    case = app.get_case(case_id)
    # The captured exhibit joins, sealed as recorded; the seal's record stays the case's.
    assert case.custody_of("SO/1").seal == "S-1"
    with (
        app.session(case_id, DETECTIVE) as case,
        pytest.raises(InvalidCommandError, match="seal S-1 was used in record 3"),
    ):
        _seize(case, "DC/2", seal="S-1")


# --- authentication of the folded stream ------------------------------------------------------


def test_a_capture_record_altered_in_the_store_refuses_the_case_load(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = _stream(dev, case_id)
    with dev.session(stream, SCENE) as capture:
        _seize(capture, "SO/1", seal="S-1")
    _attach(app, _package(dev, stream))
    records = list(app.records(stream))
    head = bytearray(records[-1])
    head[-1] ^= 1  # the signature of the stream's head
    _replace_stored(app, stream, [*records[:-1], bytes(head)])
    # The binding's checkpoint root, which the case's signed chain holds, commits to it.
    with pytest.raises(BrokenLinkError) as caught:
        app.get_case(case_id)
    assert (caught.value.case_id, caught.value.seq) == (str(case_id), 2)


def test_another_history_signed_by_the_device_key_refuses_the_case_load(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    stream_id = uuid.UUID(int=7)
    honest, forked = device(tmp_path), device(tmp_path, "tablet-1b")
    for dev, ref in ((honest, "SO/1"), (forked, "SO/9")):
        _stream(dev, case_id, stream_id=stream_id)
        with dev.session(stream_id, SCENE) as capture:
            _seize(capture, ref)
    _attach(app, _package(honest, stream_id))
    # A chain the device key signed, but not the one the binding's checkpoint commits to.
    _replace_stored(app, stream_id, list(read_capture_package(_package(forked, stream_id)).records))
    with pytest.raises(VerificationError) as caught:
        app.get_case(case_id)
    assert isinstance(caught.value, BrokenLinkError)
    assert (caught.value.case_id, caught.value.seq) == (str(case_id), 2)


# --- attaching in steps -------------------------------------------------------------------------


def test_extending_a_stream_folds_each_record_once(tmp_path: Path) -> None:
    def scene(dev: DeviceApp, stream: uuid.UUID, part: int) -> None:
        with dev.session(stream, SCENE) as capture:
            if part == 1:
                _seize(capture, "SO/1", seal="S-1")
                _photo(capture, "SO/2")
            else:
                capture.transfer_exhibit(
                    exhibit="SO/1", to=_holder(OTHER), place="Van", purpose="transport"
                )
                _seize(capture, "SO/3")

    # One tablet's records, sent once in two steps to one centre and once whole to another.
    stepwise_app, whole_app = centre(), centre()
    case_id = open_case(stepwise_app)
    assert open_case(whole_app) == case_id
    dev = device(tmp_path)
    stream = _stream(dev, case_id)
    scene(dev, stream, 1)
    first = _package(dev, stream)
    scene(dev, stream, 2)
    whole = _package(dev, stream)
    _attach(stepwise_app, first)
    _attach(stepwise_app, whole)
    _attach(whole_app, whole)
    states = []
    for app in (stepwise_app, whole_app):
        case = app.get_case(case_id)
        states.append(
            (
                {ref: _without_seqs(s) for ref, s in case.custody.items()},
                dict(case.captured_exhibits),
                set(case.exhibits),
            )
        )
    assert states[0] == states[1]
    assert sorted(states[0][0]) == ["SO/1", "SO/2", "SO/3"]
    assert states[0][0]["SO/1"].custodian == _holder(OTHER)


def test_a_captured_transfer_is_never_confirmed_by_a_record_of_the_case(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = _stream(dev, case_id)
    with dev.session(stream, SCENE) as capture:
        _seize(capture, "SO/1")
        capture.transfer_exhibit(exhibit="SO/1", to=_holder(DETECTIVE), place="Van", purpose="x")
    _attach(app, _package(dev, stream))
    assert app.get_case(case_id).custody_of("SO/1").custodian == _holder(DETECTIVE)
    # The receipt belongs to the stream's transfer: the binding hands nothing to anyone.
    with (
        app.session(case_id, DETECTIVE) as case,
        pytest.raises(InvalidCommandError, match="hands no exhibit"),
    ):
        case.confirm(seq=2)


def test_the_folded_types_are_those_format_names() -> None:
    # FORMAT §12.7 "What joins": a new exhibit type must be placed there, or here, knowingly.
    classes = [
        EVENT_TYPES.get(name, schema)
        for name, schemas in EVENT_TYPES.known_types().items()
        for schema in schemas
    ]
    folded = {cls.TYPE for cls in classes if cls is not None and is_folded(cls)}
    custody = {
        f"exhibit.{name}"
        for name in [
            "located",
            "seized",
            "produced",
            "packaged",
            "booked",
            "transferred",
            "seal_opened",
            "resealed",
            "examined",
            "imaged",
            "derived",
            "accessed",
            "fixity_checked",
            "disclosed",
            "retention_reviewed",
            "produced_in_court",
            "returned",
            "destroyed",
            "lost",
            "damaged",
        ]
    }
    assert folded == {"evidence.captured", *custody}


def test_every_finding_kind_a_binding_records_passes_the_payload_schema() -> None:
    # A kind the centre records but the published schema lacks would fail V15 at every verifier.
    document = payload_schemas().document("capture.attached", 1)
    finding = document["properties"]["data"]["properties"]["findings"]["items"]
    assert set(finding["properties"]["kind"]["enum"]) == CAPTURE_FINDING_KINDS


def test_revoking_the_device_key_after_the_attach_leaves_the_case_loadable(
    tmp_path: Path,
) -> None:
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = _stream(dev, case_id)
    with dev.session(stream, SCENE) as capture:
        _seize(capture, "SO/1", seal="S-1")
    _attach(app, _package(dev, stream))
    # The tablet is found compromised; its key is revoked from before it recorded.
    app.trust = TrustStore(
        [
            dataclasses.replace(e, revoked_at=T0) if e.name == "pc-1001" else e
            for e in TRUST.entries
        ],
        policy=TRUST.policy,
    )
    case = app.get_case(case_id)
    assert case.custody["SO/1"].seal == "S-1"
    with app.session(case_id, DETECTIVE) as case:
        case.add_note(text="The tablet's key was revoked; its capture is under review.")
