"""MG9 and MG11 from verified records: names as disclosed, texts as read, care needs kept back."""

from __future__ import annotations

import uuid
from typing import Any

from casefile.events import Investigation
from casefile.projections import (
    Undisclosed,
    build_case_file,
    case_file_document,
    case_file_html,
    case_file_json,
)
from casefile.signing import TextDisclosure
from projections._casefile_cases import SECOND, T0, prosecution, verified_case

BODY = "I saw a man climb through the back window of number 12 at about ten."


def _witness_case(case: Investigation) -> dict[str, uuid.UUID]:
    victim = case.add_person(
        role="victim", name="Vera Victim", dates_to_avoid="1 to 8 March", special_measures="screens"
    )
    witness = case.add_person(role="witness", name="Walt Witness")
    first = case.record_statement(
        witness_id=victim,
        declaration="This statement is true to the best of my knowledge and belief.",
        body=BODY,
        place="12 High Street",
        started_at=T0,
        ended_at=T0 + 600 * SECOND,
    )
    case.sign_statement(statement_id=first)
    second = case.record_statement(
        witness_id=witness,
        declaration="This statement is true to the best of my knowledge and belief.",
        body="I heard glass break.",
        place="14 High Street",
        started_at=T0 + 700 * SECOND,
        ended_at=T0 + 900 * SECOND,
    )
    return {"victim": victim, "witness": witness, "first": first, "second": second}


def test_an_mg11_shows_the_witness_by_the_name_disclosed_and_its_signature() -> None:
    verified = verified_case(_witness_case)
    file = build_case_file(verified.records)
    first, second = file.mg11
    assert (first.witness.name, first.witness.role) == ("Vera Victim", "victim")
    assert first.body == BODY
    assert first.place == "12 High Street"
    assert [s.signatory for s in first.signatures] == ["witness"]
    assert second.signatures == ()
    assert first.records == (first.statement, first.signatures[0].records[0])


def test_a_withheld_run_of_a_statement_shows_as_a_marker_in_its_mg11() -> None:
    verified = verified_case(_witness_case)
    statement = build_case_file(verified.records).mg11[0].statement
    disclosures: list[Any] = []
    for record in verified.records:
        for value in record.disclosed.values():
            if isinstance(value, TextDisclosure) and (value.seq, value.name) == (
                statement,
                "body",
            ):
                value = value.redact([(4, 7)])
            disclosures.append(value)
    file = build_case_file(verified.records, disclosures=disclosures)
    body = file.mg11[0].body
    assert body is not None
    assert "[withheld 3 words]" in body
    assert "climb through" not in body
    assert "back window" in body


def test_a_statement_with_no_disclosure_shows_its_body_as_withheld_not_absent() -> None:
    verified = verified_case(_witness_case)
    statement = build_case_file(verified.records).mg11[0].statement
    disclosures = [
        value
        for record in verified.records
        for value in record.disclosed.values()
        if not (isinstance(value, TextDisclosure) and value.seq == statement)
    ]
    file = build_case_file(verified.records, disclosures=disclosures)
    assert file.mg11[0].body == Undisclosed(())
    assert case_file_json(file)["mg11"][0]["body"] == {"withheld": []}


def test_a_defence_file_carries_no_witness_care_needs() -> None:
    verified = verified_case(_witness_case)
    police = build_case_file(verified.records)
    defence = build_case_file(verified.records, audience="defence")
    care = police.mg9.witnesses[0].care
    assert care is not None
    assert care.dates_to_avoid == "1 to 8 March"
    assert care.special_measures == "screens"
    assert all(w.care is None for w in defence.mg9.witnesses)
    document = case_file_document(defence)
    assert b"1 to 8 March" not in document
    assert b"screens" not in document


def test_the_witness_list_names_each_witness_with_their_statements() -> None:
    verified = verified_case(_witness_case)
    file = build_case_file(verified.records)
    listed = [(w.person.name, w.statements) for w in file.mg9.witnesses]
    assert listed == [
        ("Vera Victim", (file.mg11[0].statement,)),
        ("Walt Witness", (file.mg11[1].statement,)),
    ]


def test_the_case_file_json_is_the_same_bytes_for_the_same_records() -> None:
    verified = verified_case(_witness_case)
    once = case_file_document(build_case_file(verified.records))
    again = case_file_document(build_case_file(iter(list(verified.records))))
    assert once == again
    assert once.endswith(b"}\n")
    assert b'\n  "case": {' in once


def test_the_officer_in_the_case_is_the_holder_of_the_key_that_opened_it() -> None:
    file = build_case_file(verified_case(_witness_case).records)
    officer = file.mg1.officer_in_case
    assert officer is not None
    assert officer.holder.name == "Jane Smith"
    assert file.mg1.urn == "01YE1234526"
    assert file.case.urn == "01YE1234526"
    assert file.mg1.forms == ("MG1", "MG9", "MG11")


def test_a_withheld_care_need_and_one_never_given_differ_in_json_and_html() -> None:
    _, verified = prosecution()
    assessed = next(r.seq for r in verified.records if r.event_type == "witness_care.assessed")
    disclosures = [
        value
        for record in verified.records
        for name, value in record.disclosed.items()
        if not (record.seq == assessed and name == "care_needs")
    ]
    file = build_case_file(verified.records, audience="cps", disclosures=disclosures)
    care = file.mg9.witnesses[0].care
    assert care is not None
    assert care.care_needs == Undisclosed(())
    assert care.interpreter is None
    shown = case_file_json(file)["mg9"]["witnesses"][0]["care"]
    assert shown["care_needs"] == {"withheld": []}
    assert shown["interpreter"] is None
    page = case_file_html(file).decode()
    assert "[withheld whole field: no decision]" in page
    assert ">Interpreter<" not in page


def test_a_name_withheld_from_the_reader_is_not_a_name_never_given() -> None:
    _, verified = prosecution()
    name = next(r.seq for r in verified.records if r.event_type == "person.added")
    disclosures = [
        value
        for record in verified.records
        for field, value in record.disclosed.items()
        if not (record.seq == name and field == "name")
    ]
    file = build_case_file(verified.records, audience="defence", disclosures=disclosures)
    assert file.mg9.witnesses[0].person.name == Undisclosed(())
    assert case_file_json(file)["mg9"]["witnesses"][0]["person"]["name"] == {"withheld": []}
