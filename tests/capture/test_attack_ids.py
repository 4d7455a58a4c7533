"""A capture's person and statement ids are its own (FORMAT §12.1, §12.3 A7).

The views read people and statements across the story, the first holder of an
id standing for it: a capture reusing an id of the case, or of another capture,
would have its statement shown as another person's.
"""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest

from _captureworld import DETECTIVE, INTAKE, OTHER, SCENE, centre, device, open_case
from casefile.application import CasefileApp, DeviceApp
from casefile.errors import CaptureError, InvalidCommandError

_DECLARATION = "This statement is true to the best of my knowledge and belief."


def _attach(app: CasefileApp, dev: DeviceApp, stream: uuid.UUID, name: str = "pc-1001") -> None:
    signer = SCENE if name == "pc-1001" else OTHER
    app.attach_capture(
        dev.capture_package(stream, signer=signer, name=name), signer=INTAKE, name="intake-0001"
    )


def _statement_as(app: CasefileApp, dev: DeviceApp, stream: uuid.UUID, person: uuid.UUID) -> None:
    with dev.session(stream, SCENE) as capture:
        capture.add_person(role="suspect", name="Mallory", person_id=person)
        capture.record_statement(
            witness_id=person, declaration=_DECLARATION, body="I did it, and Wanda lied.",
            place="14 High Street", started_at=app.now(), ended_at=app.now(),
        )  # fmt: skip


def test_a_capture_reusing_a_case_witness_id_cannot_put_words_in_her_mouth(
    tmp_path: Path,
) -> None:
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        wanda = case.add_person(role="witness", name="Wanda Witness")
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    _statement_as(app, dev, stream, wanda)
    with pytest.raises(CaptureError, match=f"id {wanda} is not the capture's own") as caught:
        _attach(app, dev, stream)
    assert caught.value.step == "A7"
    assert app.case_file(case_id).mg11 == ()


def test_two_captures_cannot_share_a_person_id(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    first = device(tmp_path, "tablet-1")
    one = first.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with first.session(one, SCENE) as capture:
        wanda = capture.add_person(role="witness", name="Wanda Witness")
    _attach(app, first, one)
    second = device(tmp_path, "tablet-2")
    two = second.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    _statement_as(app, second, two, wanda)
    with pytest.raises(CaptureError, match="the case or another capture holds it"):
        _attach(app, second, two)
    # The case loads, and a later package of the first stream still attaches.
    with first.session(one, SCENE) as capture:
        capture.add_note(text="Later.")
    _attach(app, first, one)
    assert app.get_case(case_id).attached[one][0] == 3


def test_a_case_command_refuses_a_person_or_statement_id_a_capture_holds(
    tmp_path: Path,
) -> None:
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        wanda = capture.add_person(role="witness", name="Wanda Witness")
        statement = capture.record_statement(
            witness_id=wanda, declaration=_DECLARATION, body="I saw him.",
            place="14 High Street", started_at=app.now(), ended_at=app.now(),
        )  # fmt: skip
    _attach(app, dev, stream)
    with app.session(case_id, DETECTIVE) as case:
        other = case.add_person(role="witness", name="Someone else")
        with pytest.raises(InvalidCommandError, match="already in the case"):
            case.add_person(role="witness", name="Someone else", person_id=wanda)
        with pytest.raises(InvalidCommandError, match="a statement of a capture"):
            case.record_statement(
                witness_id=other, declaration=_DECLARATION, body="Not what she said.",
                place="Station", started_at=app.now(), ended_at=app.now(),
                statement_id=statement,
            )  # fmt: skip


def test_a_capture_naming_a_case_witness_it_never_added_cannot_put_words_in_her_mouth(
    tmp_path: Path,
) -> None:
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        wanda = case.add_person(role="witness", name="Wanda Witness")
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        mallory = capture.add_person(role="witness", name="Mallory")
        # Altered software on the device: its key signs a statement of a witness the
        # stream never added (a load of the stream alone does not check the witness).
        capture._people[wanda] = dataclasses.replace(capture._people[mallory], person_id=wanda)
        capture.record_statement(
            witness_id=wanda, declaration=_DECLARATION, body="I lied before.",
            place="14 High Street", started_at=app.now(), ended_at=app.now(),
        )  # fmt: skip
    with pytest.raises(CaptureError, match=f"id {wanda} is not the capture's own") as caught:
        _attach(app, dev, stream)
    assert caught.value.step == "A7"
    assert app.case_file(case_id).mg11 == ()
