"""A bundle carries each capture's disclosures as its audience may see them (FORMAT §12.2, B21).

The scene officer's tablet holds a witness (record 2 of the stream), her statement (record 3)
and the sergeant's decision (record 4) to withhold the address the statement names from the
CPS and the defence. Every attack below is a bundle whose manifest a trusted key re-signed
over a capture package that carries what its audience may not see.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from _bundlecase import resign_with
from _captureworld import (
    ADDRESS_RUN,
    INTAKE,
    NAMESPACE,
    SCENE,
    SERGEANT,
    STATEMENT,
    T0,
    TRUST,
    statement_capture,
)
from casefile.application import CasefileApp, DeviceApp
from casefile.bundle import DISCLOSE_ALL, DisclosurePolicy, verify_bundle
from casefile.bundle._capture_package import (
    CapturePackage,
    read_capture_package,
    write_capture_package,
)
from casefile.errors import CaptureError, InvalidCommandError, VerificationError
from casefile.signing._text import TextDisclosure, Withheld, parse_disclosure

AT = T0 + 86_400 * 10**9


def _export(
    app: CasefileApp,
    case_id: uuid.UUID,
    dest: Path,
    *,
    audience: str | None = None,
    policy: DisclosurePolicy | None = None,
) -> Path:
    app.export_bundle(
        case_id,
        dest,
        checkpoint_signer=INTAKE,
        checkpoint_name="intake-0001",
        origin_namespace=NAMESPACE,
        audience=audience,
        disclosure_policy=policy,
    )
    return dest


def _carried(bundle: Path, stream: uuid.UUID) -> CapturePackage:
    return read_capture_package((bundle / "captures" / f"{stream}.pkg").read_bytes())


def _opened(package: CapturePackage) -> dict[tuple[int, str], object]:
    return {(d.seq, d.name): d for d in map(parse_disclosure, package.disclosures)}


def _swap(bundle: Path, stream: uuid.UUID, package: bytes) -> None:
    """What a sender holding the manifest key can do: carry other capture bytes, re-signed."""
    resign_with(bundle, f"captures/{stream}.pkg", package, INTAKE)


def _device_package(dev: DeviceApp, stream: uuid.UUID) -> bytes:
    """The stream as the tablet holds it: every disclosure, nothing withheld."""
    return dev.capture_package(stream, signer=SCENE, name="pc-1001")


def _b21(bundle: Path) -> list[tuple[str, str | None, int | None]]:
    report = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    return [(e.step, e.case_id, e.seq) for e in report.errors]


def test_the_cps_bundle_shows_the_captured_statement_without_the_streams_withheld_run(
    tmp_path: Path,
) -> None:
    app, case_id, _dev, stream = statement_capture(tmp_path)
    bundle = _export(app, case_id, tmp_path / "cps", audience="cps")
    assert verify_bundle(bundle, at=AT, trust=TRUST).verified
    carried = _opened(_carried(bundle, stream))
    body = carried[(3, "body")]
    assert isinstance(body, TextDisclosure)
    assert body.withheld == (ADDRESS_RUN,)
    shown = "".join(p for p in body.segments() if isinstance(p, str))
    assert shown == "I saw a man leave over the back fence."
    assert [type(p) for p in body.segments()] == [str, Withheld, str]
    # The CPS sees the witness's details and the rest of the statement as she made it.
    assert {(2, "name"), (2, "address"), (2, "phone"), (3, "place")} <= carried.keys()


def test_a_bundle_for_no_audience_under_the_policy_none_carries_no_capture_disclosure(
    tmp_path: Path,
) -> None:
    app, case_id, _dev, stream = statement_capture(tmp_path)
    bundle = _export(app, case_id, tmp_path / "own")
    assert verify_bundle(bundle, at=AT, trust=TRUST).verified
    assert _carried(bundle, stream).disclosures == ()


def test_an_auditors_bundle_under_the_policy_all_carries_the_whole_statement(
    tmp_path: Path,
) -> None:
    # No audience: no decision applies, only erasures would.
    app, case_id, _dev, stream = statement_capture(tmp_path)
    bundle = _export(app, case_id, tmp_path / "all", policy=DISCLOSE_ALL)
    assert verify_bundle(bundle, at=AT, trust=TRUST).verified
    body = _opened(_carried(bundle, stream))[(3, "body")]
    assert isinstance(body, TextDisclosure)
    assert body.text == STATEMENT


def test_capture_disclosure_of_a_withheld_run_is_refused(tmp_path: Path) -> None:
    app, case_id, dev, stream = statement_capture(tmp_path)
    bundle = _export(app, case_id, tmp_path / "cps", audience="cps")
    _swap(bundle, stream, _device_package(dev, stream))
    with pytest.raises(CaptureError, match=r"'body' of record 3: reveals units \[5, 8\)") as caught:
        verify_bundle(bundle, at=AT, trust=TRUST)
    assert (caught.value.step, caught.value.case_id, caught.value.seq) == ("B21", str(stream), 3)


def test_restricted_capture_field_in_a_defence_bundle_is_refused(tmp_path: Path) -> None:
    app, case_id, dev, stream = statement_capture(tmp_path)
    bundle = _export(app, case_id, tmp_path / "defence", audience="defence")
    exported = _carried(bundle, stream)
    assert (2, "address") not in _opened(exported)
    # The export's own package with the witness's address added back, in its place.
    full = {(d.seq, d.name): d for d in map(parse_disclosure, _carried_full(dev, stream))}
    forged = sorted(
        [*map(parse_disclosure, exported.disclosures), full[(2, "address")]],
        key=lambda d: (d.seq, d.name),
    )
    _swap(bundle, stream, _package(exported, [d.to_bytes() for d in forged]))
    assert _b21(bundle) == [("B21", str(stream), 2)]
    with pytest.raises(CaptureError, match="'address' of record 2: a restricted field"):
        verify_bundle(bundle, at=AT, trust=TRUST)


def test_capture_disclosure_outside_the_policy_is_refused(tmp_path: Path) -> None:
    app, case_id, dev, stream = statement_capture(tmp_path)
    bundle = _export(app, case_id, tmp_path / "names", policy=DisclosurePolicy.only({"name"}))
    assert [
        (d.seq, d.name) for d in map(parse_disclosure, _carried(bundle, stream).disclosures)
    ] == [(2, "name")]
    _swap(bundle, stream, _device_package(dev, stream))
    faults = verify_bundle(bundle, at=AT, trust=TRUST, report=True).errors
    outside = sorted(
        (e.seq, e.message.split("disclosure of ")[1].split(" of record")[0]) for e in faults
    )
    assert {e.step for e in faults} == {"B21"}
    assert outside == [
        (2, "'address'"), (2, "'phone'"), (3, "'body'"), (3, "'place'"),
    ]  # fmt: skip


def test_a_capture_disclosure_of_a_record_beyond_the_bound_size_is_refused(
    tmp_path: Path,
) -> None:
    app, case_id, dev, stream = statement_capture(tmp_path)
    with dev.session(stream, SCENE) as capture:
        capture.add_note(text="Later, not yet synced.")  # record 5: the case bound 1 to 4
    bundle = _export(app, case_id, tmp_path / "all", policy=DISCLOSE_ALL)
    exported = _carried(bundle, stream)
    later = [d for d in _carried_full(dev, stream) if parse_disclosure(d).seq == 5]
    assert later
    _swap(bundle, stream, _package(exported, [*exported.disclosures, *later]))
    with pytest.raises(VerificationError) as caught:
        verify_bundle(bundle, at=AT, trust=TRUST)
    assert (caught.value.step, caught.value.case_id, caught.value.seq) == ("V11", str(stream), 5)


def test_a_decision_withdrawn_on_the_tablet_reveals_the_run_once_synced(tmp_path: Path) -> None:
    app, case_id, dev, stream = statement_capture(tmp_path)
    dev.withdraw_redaction(stream, SERGEANT, 4, "The address is in issue.")
    app.attach_capture(_device_package(dev, stream), signer=INTAKE, name="intake-0001")
    bundle = _export(app, case_id, tmp_path / "cps", audience="cps")
    assert verify_bundle(bundle, at=AT, trust=TRUST).verified
    body = _opened(_carried(bundle, stream))[(3, "body")]
    assert isinstance(body, TextDisclosure)
    assert body.text == STATEMENT


def test_a_device_refuses_to_redact_in_a_stream_it_does_not_hold(tmp_path: Path) -> None:
    _app, _case_id, dev, _stream = statement_capture(tmp_path)
    with pytest.raises(InvalidCommandError, match="not a capture stream of this device"):
        dev.redact(
            uuid.UUID(int=7), SERGEANT, 3, "body", whole_field=True, audiences=["cps"],
            reason="other", explanation="A test of the refusal.",
        )  # fmt: skip


def _carried_full(dev: DeviceApp, stream: uuid.UUID) -> tuple[bytes, ...]:
    return read_capture_package(_device_package(dev, stream)).disclosures


def _package(exported: CapturePackage, disclosures: list[bytes]) -> bytes:
    return write_capture_package(
        exported.stream, exported.checkpoint, exported.records, disclosures
    )


def test_words_erased_on_the_tablet_after_the_sync_never_reach_an_auditors_bundle(
    tmp_path: Path,
) -> None:
    app, case_id, dev, stream = statement_capture(tmp_path)
    dev.erase_words(
        stream, SERGEANT, 3, "body", runs=[(0, 2)], basis="erasure_request",
        explanation="The witness asked.",
    )  # fmt: skip
    app.attach_capture(_device_package(dev, stream), signer=INTAKE, name="intake-0001")
    # The centre still holds the statement as first sent (it stores only new records).
    held = app.disclosures(stream)
    assert any(isinstance(d, TextDisclosure) and d.text == STATEMENT for d in held)
    bundle = _export(app, case_id, tmp_path / "all", policy=DISCLOSE_ALL)
    assert verify_bundle(bundle, at=AT, trust=TRUST).verified
    body = _opened(_carried(bundle, stream))[(3, "body")]
    assert isinstance(body, TextDisclosure)
    assert body.withheld == ((0, 2),)
    # A sender who carries the words anyway, in a bundle for no audience, is refused.
    exported = _carried(bundle, stream)
    whole = [
        d.to_bytes() if (d.seq, d.name) != (3, "body") else _first_body(app, stream)
        for d in map(parse_disclosure, exported.disclosures)
    ]
    _swap(bundle, stream, _package(exported, whole))
    assert _b21(bundle) == [("B21", str(stream), 3)]


def _first_body(app: CasefileApp, stream: uuid.UUID) -> bytes:
    (body,) = (d for d in app.disclosures(stream) if (d.seq, d.name) == (3, "body"))
    return body.to_bytes()
