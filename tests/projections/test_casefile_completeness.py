"""Completeness: what a file of each type still lacks, item by item."""

from __future__ import annotations

import pytest

from casefile.errors import InputError
from casefile.events import Investigation
from casefile.projections import CaseFile, build_case_file, completeness
from projections._casefile_cases import SECOND, T0, prosecution, verified_case


def _items(file: CaseFile, file_type: str) -> set[tuple[str, str]]:
    return {(lack.item, lack.form) for lack in completeness(file, file_type).lacking}


def test_a_pre_charge_file_without_a_case_summary_lacks_its_mg5() -> None:
    _, verified = prosecution("investigated")
    file = build_case_file(verified.records)
    assert file.file_type == "pre_charge"
    lacking = _items(file, "pre_charge")
    assert ("case_summary", "MG5") in lacking
    # The only point without evidence is named; the one with evidence is not.
    messages = [lack.message for lack in file.completeness.lacking]
    assert any("'stole property'" in m for m in messages)
    assert not any("'entered as a trespasser'" in m for m in messages)
    assert ("charging_request", "MG3") not in lacking


def test_an_offence_with_no_charging_request_is_lacking_in_a_pre_charge_file() -> None:
    def build(case: Investigation) -> None:
        suspect = case.add_person(role="suspect", name="Sam Suspect")
        case.identify_suspect(person_id=suspect, grounds="Seen")
        case.allege_offence(
            person_id=suspect,
            code="TH68010",
            title="Burglary",
            wording="Entered as a trespasser",
            place="12 High Street",
            from_date="2026-01-01",
        )

    file = build_case_file(verified_case(build).records)
    lacking = _items(file, "pre_charge")
    assert {
        ("charging_request", "MG3"),
        ("points_to_prove", "MG5"),
        ("interview", "MG1"),
        ("witness_statement", "MG11"),
    } <= lacking


def test_an_empty_case_lacks_a_suspect_in_every_crime_file() -> None:
    file = build_case_file(verified_case(lambda case: None).records)
    for file_type in ("pre_charge", "anticipated_guilty_plea", "anticipated_not_guilty_plea"):
        assert ("suspect", "MG1") in _items(file, file_type)
    assert not file.completeness.complete


def test_a_guilty_plea_file_before_charge_lacks_the_charge_and_first_hearing() -> None:
    _, verified = prosecution("decided")
    lacking = _items(build_case_file(verified.records), "anticipated_guilty_plea")
    assert {("charge", "MG1"), ("first_hearing", "MG1"), ("case_summary", "MG5")} <= lacking


def test_a_not_guilty_file_lacks_the_prosecutors_decisions_on_scheduled_items() -> None:
    p, verified = prosecution("charged")
    file = build_case_file(verified.records)
    assert file.file_type == "anticipated_not_guilty_plea"
    lacks = [x for x in file.completeness.lacking if x.item == "unused_decision"]
    one, two, three = p.items
    assert {(x.form, x.message.rsplit(" ", 1)[-1]) for x in lacks} == {
        ("MG6C", str(one)),
        ("MG6D", str(two)),
        ("MG6C", str(three)),
    }


def test_a_finished_not_guilty_file_is_complete() -> None:
    _, verified = prosecution("disclosed")
    report = build_case_file(verified.records).completeness
    assert report.lacking == ()
    assert report.complete


def test_an_unsigned_statement_is_lacking_in_a_not_guilty_file() -> None:
    def build(case: Investigation) -> None:
        witness = case.add_person(role="witness", name="Walt Witness")
        case.record_statement(
            witness_id=witness,
            declaration="True.",
            body="I heard glass break.",
            place="14 High Street",
            started_at=T0,
            ended_at=T0 + SECOND,
        )

    file = build_case_file(verified_case(build).records)
    (lack,) = [x for x in completeness(file, "anticipated_not_guilty_plea").lacking
               if x.item == "statement_signature"]  # fmt: skip
    assert "Walt Witness" in lack.message
    assert lack.form == "MG11"


def test_a_missing_person_not_yet_found_is_lacking_in_a_missing_person_file() -> None:
    file = build_case_file(verified_case(lambda case: None).records)
    assert ("missing_report", "missing_person") in _items(file, "missing_person")


def test_a_file_type_outside_the_list_is_refused() -> None:
    file = build_case_file(verified_case(lambda case: None).records)
    with pytest.raises(InputError, match="file_type"):
        completeness(file, "full_file")
    with pytest.raises(InputError, match="file_type"):
        build_case_file(verified_case(lambda case: None).records, file_type="full_file")
