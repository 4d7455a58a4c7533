"""The HTTP sync example: tablets post capture packages to a service on localhost."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from _captureworld import DETECTIVE, INTAKE, OTHER, SCENE, centre, device, open_case
from casefile.application import CasefileApp, DeviceApp

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "capture_sync_http.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("capture_sync_http", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLE = _example()


def _tablet(
    folder: Path, name: str, case_id: uuid.UUID, officer: object
) -> tuple[DeviceApp, uuid.UUID]:
    tablet = device(folder, name)
    stream = tablet.open_capture(officer, reference="01YE0000126", case_id=case_id)  # type: ignore[arg-type]
    with tablet.session(stream, officer) as capture:  # type: ignore[arg-type]
        capture.add_note(text=f"Recorded offline on {name}.")
    return tablet, stream


def _service(app: CasefileApp, max_size: int = EXAMPLE.MAX_PACKAGE) -> object:
    return EXAMPLE.intake_service(app, INTAKE, "intake-0001", max_size=max_size)


def test_the_example_runs_end_to_end_and_refuses_the_altered_package(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, SCRIPT, tmp_path], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # Two records of each tablet, bound by one record of the case each: not "attached as" it.
    assert "pc-2002: capture records 1-2 bound by case record 2" in done.stdout
    assert "attached as case record" not in done.stdout
    assert "resent: nothing new, receipt for case record 3" in done.stdout
    assert "altered package refused with 400: signature does not verify" in done.stdout
    assert "3 records verified" in done.stdout


def test_two_tablets_sync_over_http_and_a_resend_attaches_nothing(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    first, first_stream = _tablet(tmp_path, "tablet-1", case_id, SCENE)
    second, second_stream = _tablet(tmp_path, "tablet-2", case_id, OTHER)
    with EXAMPLE.serving(_service(app)) as url, httpx.Client(base_url=url) as client:
        assert url.startswith("http://127.0.0.1:")
        package = first.capture_package(first_stream, signer=SCENE, name="pc-1001")
        receipt = EXAMPLE.sync(client, first, first_stream, SCENE, "pc-1001")
        EXAMPLE.sync(client, second, second_stream, OTHER, "pc-2002")
        again = EXAMPLE.sync(client, first, first_stream, SCENE, "pc-1001", package=package)
        # Recorded at the centre meanwhile, and a later record on the tablet.
        app.add_note(case_id, DETECTIVE, text="Detective's note.")
        with first.session(first_stream, SCENE) as capture:
            capture.add_note(text="Later.")
        later = EXAMPLE.sync(client, first, first_stream, SCENE, "pc-1001")
    assert again == receipt
    assert (receipt.size, later.size) == (2, 3)
    types = [r.event_type for r in app.verify(case_id).records]
    assert types.count("capture.attached") == 3
    assert set(app.get_case(case_id).attached) == {first_stream, second_stream}
    first.prune(first_stream)
    second.prune(second_stream)
    assert first.streams() == second.streams() == []


def test_a_package_altered_in_transit_gets_a_400_naming_the_step(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    tablet, stream = _tablet(tmp_path, "tablet-1", case_id, SCENE)
    package = tablet.capture_package(stream, signer=SCENE, name="pc-1001")
    altered = package.replace(b"tablet-1", b"tablet-9")
    assert altered != package
    with EXAMPLE.serving(_service(app)) as url, httpx.Client(base_url=url) as client:
        reply = client.post("/captures", content=altered)
        garbage = client.post("/captures", content=b"not a package")
    assert reply.status_code == 400
    assert "signature does not verify" in reply.json()["error"]
    assert reply.json()["stream"] == str(stream)
    assert reply.json()["step"]
    assert garbage.status_code == 400
    assert "error" in garbage.json()
    assert [r.event_type for r in app.verify(case_id).records] == ["case.opened"]


def test_a_stream_replayed_into_another_case_gets_a_409(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    other_case = app.open_case(DETECTIVE, offence="theft", channel="phone", reference="01YE0000226")
    tablet, stream = _tablet(tmp_path, "tablet-1", case_id, SCENE)
    package = tablet.capture_package(stream, signer=SCENE, name="pc-1001")
    app.attach_capture(package, signer=INTAKE, name="intake-0001")
    # The same stream re-opened on a copy that names another case.
    copy = device(tmp_path, "tablet-copy")
    copy.open_capture(SCENE, reference="01YE0000226", case_id=other_case, stream_id=stream)
    replayed = copy.capture_package(stream, signer=SCENE, name="pc-1001")
    with EXAMPLE.serving(_service(app)) as url, httpx.Client(base_url=url) as client:
        reply = client.post("/captures", content=replayed)
    assert reply.status_code == 409
    assert reply.json()["step"] == "A5"
    assert [r.event_type for r in app.verify(other_case).records] == ["case.opened"]


def test_a_body_over_the_limit_gets_a_413_before_it_is_attached(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    tablet, stream = _tablet(tmp_path, "tablet-1", case_id, SCENE)
    package = tablet.capture_package(stream, signer=SCENE, name="pc-1001")
    with (
        EXAMPLE.serving(_service(app, max_size=len(package) - 1)) as url,
        httpx.Client(base_url=url) as client,
    ):
        declared = client.post("/captures", content=package)

        def chunks() -> object:
            yield package  # streamed: no content-length, counted as it arrives

        streamed = client.post("/captures", content=chunks())  # type: ignore[arg-type]
        with pytest.raises(EXAMPLE.SyncRefusedError) as refused:
            EXAMPLE.sync(client, tablet, stream, SCENE, "pc-1001")
    assert declared.status_code == streamed.status_code == refused.value.status == 413
    assert "exceeds" in declared.json()["error"]
    assert [r.event_type for r in app.verify(case_id).records] == ["case.opened"]
