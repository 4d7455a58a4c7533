"""Reading a record's text from the store: every backend keeps it, and a forged one is refused."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from application.conftest import OFFICER, T0
from casefile.application import CasefileApp
from casefile.errors import DisclosureError, UnknownReferenceError
from casefile.signing._text import TextDisclosure

BODY = "I live at 7 Wren Terrace. I saw them come in through the back door."


def _statement(app: CasefileApp) -> tuple[uuid.UUID, int]:
    case_id = app.open_case(OFFICER, offence="Burglary", channel="phone", reference="01YE0000126")
    with app.session(case_id, OFFICER) as case:
        victim = case.add_person(role="victim", name="Vera Victim")
        statement = case.record_statement(
            witness_id=victim,
            declaration="True to the best of my knowledge.",
            body=BODY,
            place="Her home",
            started_at=T0,
            ended_at=T0 + 10**9,
        )
        seq = case.statements[statement].seq
    return case_id, seq


def _replace_disclosure(
    app: CasefileApp, case_id: uuid.UUID, seq: int, name: str, blob: bytes
) -> None:
    """Store ``blob`` as the disclosure of (seq, name), as anyone with the database could."""
    recorder: Any = app.recorder
    assert recorder.delete_disclosures(case_id, seqs=[seq], names=[name]) == 1
    backend = app.store.backend
    if backend == "memory":
        recorder._disclosures[case_id][(seq, name)] = blob
    elif backend == "sqlite":
        with recorder.datastore.transaction(commit=True) as c:
            c.execute(
                "INSERT INTO casefile_disclosures VALUES (?,?,?,?)", (case_id.hex, seq, name, blob)
            )
    else:
        with recorder.datastore.transaction(commit=True) as curs:
            curs.execute(recorder._insert_disclosures, (case_id, seq, name, blob))


def test_every_backend_keeps_a_text_whole_and_reads_it_checked(app: CasefileApp) -> None:
    case_id, seq = _statement(app)
    assert app.field_text(case_id, seq, "body") == BODY
    assert app.field_text(case_id, seq, "place") == "Her home"
    stored = app.text_disclosure(case_id, seq, "body")
    assert isinstance(stored, TextDisclosure)
    assert stored.withheld == ()


def test_field_text_refuses_a_disclosure_that_does_not_match_its_commitment(
    app: CasefileApp,
) -> None:
    case_id, seq = _statement(app)
    stored = app.text_disclosure(case_id, seq, "body")
    assert stored is not None
    # Someone with the database rewrites the statement, with a fresh seed of their own.
    forged = TextDisclosure.full(case_id, seq, "body", BODY.replace("back", "front"), bytes(32))
    _replace_disclosure(app, case_id, seq, "body", forged.to_bytes())
    with pytest.raises(DisclosureError) as caught:
        app.field_text(case_id, seq, "body")
    assert (caught.value.seq, caught.value.step) == (seq, "V11")
    assert "'body'" in caught.value.message
    # Nor may another field's text stand in for it.
    place = app.text_disclosure(case_id, seq, "place")
    assert place is not None
    _replace_disclosure(app, case_id, seq, "body", place.to_bytes())
    with pytest.raises(DisclosureError):
        app.field_text(case_id, seq, "body")


def test_field_text_of_an_erased_text_is_none_and_of_no_text_is_refused(
    app: CasefileApp,
) -> None:
    case_id, seq = _statement(app)
    recorder: Any = app.recorder
    recorder.delete_disclosures(case_id, seqs=[seq], names=["place"])
    assert app.field_text(case_id, seq, "place") is None
    with pytest.raises(UnknownReferenceError, match="commits no field 'declaration'"):
        app.field_text(case_id, seq, "declaration")
    with pytest.raises(UnknownReferenceError):
        app.field_text(case_id, seq + 9, "body")


def test_a_text_with_runs_erased_reads_with_markers(memory_app: CasefileApp) -> None:
    case_id, seq = _statement(memory_app)
    stored = memory_app.text_disclosure(case_id, seq, "body")
    assert stored is not None
    # Units 3-5 are "7 ", "Wren ", "Terrace. ".
    _replace_disclosure(memory_app, case_id, seq, "body", stored.redact([(3, 6)]).to_bytes())
    text = memory_app.field_text(case_id, seq, "body")
    assert text == "I live at [withheld 3 words] I saw them come in through the back door."
