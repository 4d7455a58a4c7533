"""An officer withholds captured words on the device itself: a capture's numbers name its own
records (FORMAT §12.1), so the decision is recorded in the stream and syncs with it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from _captureworld import (
    DETECTIVE,
    INTAKE,
    NAMESPACE,
    SCENE,
    T0,
    counting_random,
    stepping_clock,
)
from casefile.application import CasefileApp, DeviceApp, StoreConfig
from casefile.errors import InvalidCommandError, UnauthorisedSignerError
from casefile.signing._records import parse_record
from casefile.signing._trust import Holder, TrustEntry, TrustStore


def _entry(signer: object, name: str, roles: set[str]) -> TrustEntry:
    return TrustEntry(
        public_key=signer.public_key,  # type: ignore[attr-defined]
        name=name,
        holder=Holder(name=name, rank="PC", number=name[-4:], force="Test Force"),
        roles=frozenset(roles),
        valid_from=T0 - 86_400 * 10**9,
    )


_TRUST = TrustStore(
    [
        _entry(SCENE, "pc-1001", {"recorder", "redactor"}),
        _entry(DETECTIVE, "dc-3003", {"recorder"}),
        _entry(INTAKE, "intake-0001", {"recorder", "checkpoint"}),
    ]
)
_HOME = "7 Wren Terrace"
_WHY = "victim_or_witness_contact_details"


def _tablet(folder: Path) -> DeviceApp:
    return DeviceApp(
        folder / "tablet.sqlite",
        trust=_TRUST,
        device="tablet-1",
        origin_namespace=NAMESPACE,
        clock=stepping_clock(),
        random_bytes=counting_random("tablet"),
    )


def _recorded(tablet: DeviceApp, case_id: uuid.UUID) -> tuple[uuid.UUID, int]:
    stream = tablet.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with tablet.session(stream, SCENE) as capture:
        victim = capture.add_person(role="victim", name="Margaret Hale", address=_HOME)
        return stream, min(capture.person_record_seqs(victim))


def test_withholding_recorded_on_the_tablet_names_its_own_record_and_attaches(
    tmp_path: Path,
) -> None:
    centre = CasefileApp(store=StoreConfig.memory(), trust=_TRUST, clock=stepping_clock())
    case_id = centre.open_case(
        DETECTIVE, offence="burglary", channel="phone", reference="01YE0000126"
    )
    tablet = _tablet(tmp_path)
    stream, person = _recorded(tablet, case_id)
    decided = tablet.redact(
        stream, SCENE, person, "address", audiences=("cps",), reason=_WHY, whole_field=True
    )
    package = tablet.capture_package(stream, signer=SCENE, name="pc-1001")
    # The centre verifies every record of the stream, the decision's signer role included.
    receipt = centre.attach_capture(package, signer=INTAKE, name="intake-0001")
    assert (receipt.size, decided.seq) == (3, 3)
    decision = parse_record(list(tablet._store.records(stream))[2]).header
    assert (decision.case_id, decision.event_type) == (stream, "redaction.decided")
    assert (decision.data["record"], decision.data["field"]) == (person, "address")


def test_withholding_on_the_tablet_needs_the_redactor_role(tmp_path: Path) -> None:
    tablet = _tablet(tmp_path)
    stream, person = _recorded(tablet, uuid.uuid4())
    with pytest.raises(UnauthorisedSignerError):
        tablet.redact(
            stream, DETECTIVE, person, "address", audiences=("cps",), reason=_WHY,
            whole_field=True,
        )  # fmt: skip


def test_redacting_a_stream_the_device_does_not_hold_is_refused(tmp_path: Path) -> None:
    tablet = _tablet(tmp_path)
    with pytest.raises(InvalidCommandError, match="not a capture stream"):
        tablet.redact(uuid.uuid4(), SCENE, 1, "device", audiences=("cps",), reason=_WHY)
