"""The register and the case file read the case and its bound captures as one story (§12.5)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import jsonschema
import pytest

from _captureworld import (
    DETECTIVE,
    INTAKE,
    SCENE,
    STATEMENT,
    centre,
    device,
    open_case,
    statement_capture,
)
from casefile.application import CasefileApp
from casefile.errors import InputError
from casefile.events import Custodian
from casefile.projections import (
    build_case_file,
    build_exhibit_register,
    case_file_document,
    case_file_html,
    case_file_json,
    case_file_schema,
    dcf_export,
    exhibit_register_json,
    records_as_read,
    verification_page,
)
from casefile.verifier import VerifiedRecord


def _scene_visit(tmp_path: Path) -> tuple[CasefileApp, uuid.UUID, uuid.UUID]:
    """A case opened centrally; its first visit (a statement, a seizure) recorded offline."""
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        witness = capture.add_person(role="witness", name="Wanda Witness")
        capture.record_statement(
            witness_id=witness,
            declaration="This statement is true to the best of my knowledge and belief.",
            body="I saw a man climb out of the back window.",
            place="14 High Street",
            started_at=app.now(),
            ended_at=app.now(),
        )
        capture.seize_exhibit(
            exhibit="AB/1", place="12 High Street", description="Brick", power="PACE s.19"
        )
    app.attach_capture(
        dev.capture_package(stream, signer=SCENE, name="pc-1001"),
        signer=INTAKE,
        name="intake-0001",
    )
    with app.session(case_id, DETECTIVE) as case:
        case.add_note(text="Reviewed the scene officer's visit.")
    return app, case_id, stream


def _verified(
    app: CasefileApp, case_id: uuid.UUID, stream: uuid.UUID
) -> tuple[tuple[VerifiedRecord, ...], dict[uuid.UUID, tuple[VerifiedRecord, ...]]]:
    return app.verify(case_id).records, {stream: app.verify(stream).records}


def test_a_captured_seizure_is_in_the_register_cited_by_its_stream(tmp_path: Path) -> None:
    app, case_id, stream = _scene_visit(tmp_path)
    records, captures = _verified(app, case_id, stream)
    register = build_exhibit_register(
        records_as_read(records), captures={stream: list(records_as_read(captures[stream]))}
    )
    (brick,) = register.exhibits
    assert (brick.reference, brick.first_seq) == ("AB/1", f"{stream}#4")
    assert [e.seq for e in brick.entries] == [f"{stream}#4"]
    assert brick.custodian is not None
    assert brick.custodian.name == "pc-1001"
    document = json.loads(exhibit_register_json(register))
    assert document["exhibits"][0]["events"][0]["seq"] == f"{stream}#4"


def test_without_the_captures_the_register_sees_no_captured_exhibit(tmp_path: Path) -> None:
    app, case_id, stream = _scene_visit(tmp_path)
    records, _captures = _verified(app, case_id, stream)
    assert build_exhibit_register(records_as_read(records)).exhibits == ()


def test_the_case_file_cites_captured_records_and_fits_its_schema(tmp_path: Path) -> None:
    app, case_id, stream = _scene_visit(tmp_path)
    records, captures = _verified(app, case_id, stream)
    file = build_case_file(records, captures=captures)
    (statement,) = file.mg11
    assert statement.statement == f"{stream}#3"
    assert statement.records[0] == f"{stream}#3"
    assert statement.body == "I saw a man climb out of the back window."
    (row,) = file.mg12
    assert row.records == (f"{stream}#4",)
    assert file.case.last_seq == 3  # the case's own last record, the detective's note
    unsigned = next(
        lack for lack in file.completeness.lacking if lack.item == "statement_signature"
    )
    assert unsigned.message == f"statement {stream}#3 of Wanda Witness is not signed"
    document = json.loads(case_file_document(file))
    jsonschema.Draft202012Validator(case_file_schema()).validate(document)
    assert f"{stream}#3" in case_file_html(file).decode()


def test_exhibits_of_both_streams_stand_in_story_order(tmp_path: Path) -> None:
    app = centre()
    case_id = open_case(app)
    with app.session(case_id, DETECTIVE) as case:
        case.seize_exhibit(exhibit="CD/1", place="Station", description="Phone", power="s.19")
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        capture.seize_exhibit(exhibit="AB/1", place="Scene", description="Brick", power="s.19")
    app.attach_capture(
        dev.capture_package(stream, signer=SCENE, name="pc-1001"), signer=INTAKE, name="intake-0001"
    )
    with app.session(case_id, DETECTIVE) as case:
        case.seize_exhibit(exhibit="CD/2", place="Station", description="Coat", power="s.19")
    records, captures = _verified(app, case_id, stream)
    register = build_exhibit_register(
        records_as_read(records), captures={stream: list(records_as_read(captures[stream]))}
    )
    assert [(ex.reference, ex.first_seq) for ex in register.exhibits] == [
        ("CD/1", 2), ("AB/1", f"{stream}#2"), ("CD/2", 4),
    ]  # fmt: skip
    file = build_case_file(records, captures=captures)
    assert [row.records for row in file.mg12] == [(2,), (f"{stream}#2",), (4,)]
    assert file.case.records == 4 + 2


def test_a_story_whose_captured_records_were_not_given_is_refused(tmp_path: Path) -> None:
    app, case_id, stream = _scene_visit(tmp_path)
    records, captures = _verified(app, case_id, stream)
    with pytest.raises(InputError, match=f"binds capture {stream} up to record 4, but 2 of"):
        build_case_file(records, captures={stream: captures[stream][:2]})
    with pytest.raises(InputError, match=f"binds capture {stream} up to record 4, but 0 of"):
        build_exhibit_register(records, captures={uuid.uuid4(): captures[stream]})


def test_the_application_register_and_case_file_read_the_bound_capture(tmp_path: Path) -> None:
    app, case_id, stream = _scene_visit(tmp_path)
    register = app.exhibit_register(case_id, at=app.now())
    assert [(ex.reference, ex.first_seq) for ex in register.exhibits] == [("AB/1", f"{stream}#4")]
    # The store holds the capture's texts: the register shows them as the case's own.
    assert register.exhibits[0].description == "Brick"
    file = app.case_file(case_id)
    (statement,) = file.mg11
    assert (statement.statement, statement.body) == (
        f"{stream}#3",
        "I saw a man climb out of the back window.",
    )
    defence = app.case_file(case_id, audience="defence")
    assert [row.records for row in defence.mg12] == [(f"{stream}#4",)]


def test_a_register_read_up_to_before_the_binding_holds_no_captured_record(
    tmp_path: Path,
) -> None:
    app, case_id, _stream = _scene_visit(tmp_path)
    assert app.exhibit_register(case_id, at=app.now(), size=1).exhibits == ()


def test_the_dcf_export_reads_a_case_file_citing_captured_records(tmp_path: Path) -> None:
    app, case_id, stream = _scene_visit(tmp_path)
    records, captures = _verified(app, case_id, stream)
    document = case_file_json(build_case_file(records, captures=captures))
    assert document["mg9"]["witnesses"][0]["statements"] == [f"{stream}#3"]
    # JSON from elsewhere is held to the schema first: a captured citation fits it.
    dcf, _report = dcf_export(document, date="2026-01-02")
    assert dcf["case"]["pti_urn"] == "01YE0000126"
    document["mg9"]["witnesses"][0]["statements"] = [f"{stream}#03"]
    with pytest.raises(InputError):
        dcf_export(document, date="2026-01-02")


def test_the_verification_page_lists_the_captured_records_under_the_officer_who_signed_them(
    tmp_path: Path,
) -> None:
    app, case_id, stream = _scene_visit(tmp_path)
    records, captures = _verified(app, case_id, stream)
    page = verification_page(records, captures=captures)
    runs = {key.name: (key.runs, key.records) for key in page.keys}
    assert runs["pc-1001"] == (((f"{stream}#1", f"{stream}#4"),), 4)
    assert runs["dc-3003"] == (((1, 1), (3, 3)), 2)
    assert page.records == 3 + 4
    html = case_file_html(build_case_file(records, captures=captures), verification=page)
    # In the page a captured record is cited by its capture's short name, the whole
    # citation its title, and the list of captures names the stream in full.
    page_html = html.decode()
    assert f'4: <span class="cite" title="{stream}#1">C1#1</span>\u20134' in page_html
    assert f'<tr><td>C1</td><td><code class="hash">{stream}</code></td>' in page_html
    # Read without the captures, the page lists the case's own records alone, as before.
    assert {key.name for key in verification_page(records).keys} == {"dc-3003", "intake-0001"}


def test_a_captured_statement_is_read_under_its_own_streams_decision_for_the_audience(
    tmp_path: Path,
) -> None:
    app, case_id, _dev, stream = statement_capture(tmp_path)
    (police,) = app.case_file(case_id).mg11
    assert police.body == STATEMENT
    for audience in ("cps", "defence"):
        (served,) = app.case_file(case_id, audience=audience).mg11
        assert served.statement == f"{stream}#3"
        assert served.body is not None
        assert "1 High Street" not in served.body
        assert "victim_or_witness_contact_details]" in served.body


def test_a_captured_exhibit_booked_at_the_centre_has_one_custody_history(tmp_path: Path) -> None:
    app, case_id, stream = _scene_visit(tmp_path)
    store = Custodian(name="Property store", number="PS-1", organisation="Test Force")
    with app.session(case_id, SCENE) as case:
        booking = case.book_exhibit(
            exhibit="AB/1", to=store, place="Central store", property_ref="P/1"
        )
    register = app.exhibit_register(case_id, at=app.now())
    (brick,) = register.exhibits
    assert [(e.seq, e.event_type) for e in brick.entries] == [
        (f"{stream}#4", "exhibit.seized"),
        (booking, "exhibit.booked"),
    ]
    assert (brick.first_seq, brick.last_seq, brick.in_store) == (f"{stream}#4", booking, True)
    assert [span.start_seq for span in brick.spans] == [f"{stream}#4", booking]


def test_an_officers_place_that_reads_like_a_record_number_is_shown_as_typed(
    tmp_path: Path,
) -> None:
    # The views cite captured records by their stream; the words an officer typed are
    # never taken for a citation and rewritten, even where they look like one.
    app = centre()
    case_id = open_case(app)
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    typed = "Garage, record 2 shelf, statement 3 tray"
    with dev.session(stream, SCENE) as capture:
        capture.seize_exhibit(exhibit="AB/1", place=typed, description="Brick", power="PACE s.19")
    app.attach_capture(
        dev.capture_package(stream, signer=SCENE, name="pc-1001"),
        signer=INTAKE,
        name="intake-0001",
    )
    file = app.case_file(case_id)
    texts = [t.text for t in file.continuity.statements]
    assert any(typed in text for text in texts), texts
    assert not any(f"{stream}#" in text for text in texts)
    assert typed in json.dumps(case_file_json(file), ensure_ascii=False)


def test_verification_page_counting_captured_records_under_the_cases_checkpoint_is_stopped(
    tmp_path: Path,
) -> None:
    # The page said "7 records ... were verified" above a checkpoint of size 3: a reader
    # took the case's checkpoint to cover the captured records, which it does not.
    app, case_id, stream = _scene_visit(tmp_path)
    records, captures = _verified(app, case_id, stream)
    page = verification_page(records, captures=captures)
    (capture,) = page.captures
    assert (capture.stream, capture.records, capture.bound_by) == (str(stream), 4, (2,))
    assert capture.checkpoint is not None
    assert capture.checkpoint.size == 4
    html = case_file_html(build_case_file(records, captures=captures), verification=page).decode()
    assert (
        "7 records, each signed and hash-chained, were verified: 3 of the case, 4 captured" in html
    )
    assert "<h3>Captures</h3>" in html
    assert f'<td><code class="hash">{stream}</code></td><td>4</td><td>2</td>' in html
    assert f'root <code class="hash">{capture.checkpoint.root}</code>' in html
    # A case that bound no capture reads as before.
    alone = case_file_html(build_case_file(records), verification=verification_page(records))
    # Read without its records, the capture is still bound by a record of the case.
    assert f'{stream}</code></td><td><span class="none">not read</span>' in alone.decode()


def test_captured_citations_are_short_in_print_and_whole_without_the_list_of_captures(
    tmp_path: Path,
) -> None:
    # A narrow column in print holds "C1#4"; the page's list of captures says what C1 is.
    # Without that list (no verification page) a short name would name nothing: whole.
    app, case_id, stream = _scene_visit(tmp_path)
    records, captures = _verified(app, case_id, stream)
    file = build_case_file(records, captures=captures)
    page = case_file_html(file, verification=verification_page(records, captures=captures))
    mg12 = page.decode().split('id="mg12"', 1)[1].split("</section>", 1)[0]
    assert f'<span class="cite" title="{stream}#4">C1#4</span>' in mg12
    assert f"{stream}#4<" not in mg12
    bare = case_file_html(file).decode()
    assert 'class="cite"' not in bare
    assert f"{stream}#4" in bare
