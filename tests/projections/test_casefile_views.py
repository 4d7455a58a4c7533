"""The case file from records read elsewhere: corrections applied, bad input refused by name."""

from __future__ import annotations

import pytest

from casefile.errors import InputError
from casefile.events import Investigation
from casefile.projections import build_case_file, case_file_from_views
from casefile.verifier import verify_case
from projections._casefile_cases import (
    OFFICER,
    TRUST,
    Prosecution,
    Views,
    new_app,
    opened,
    pid,
    prosecution,
)


def test_a_correction_that_makes_an_item_sensitive_moves_it_off_the_mg6c() -> None:
    fixes: list[int] = []

    def correct(case: Investigation, p: Prosecution) -> None:
        fixes.append(
            case.correct(
                seq=case.unused_items[p.items[0]].seq,
                reason="It names an informant",
                fields={"sensitive": True, "sensitivity_reason": "Names an informant"},
            )
        )

    p, verified = prosecution("charged", more=correct)
    file = build_case_file(verified.records)
    assert file.mg6c is not None
    assert file.mg6d is not None
    # The certified revision listed it, but a sensitive item is never shown on the MG6C.
    assert [i.item for i in file.mg6c.items] == [p.items[2]]
    (moved,) = file.mg6d.pending
    assert moved.item == p.items[0]
    assert moved.sensitivity_reason == "Names an informant"
    assert fixes[0] in moved.records
    lacks = [x for x in file.completeness.lacking if x.item == "schedule"]
    assert [x.form for x in lacks] == ["MG6D"]


def test_a_record_whose_field_is_of_the_wrong_kind_is_refused_naming_it() -> None:
    views = Views()
    opened(views)
    views.acted("suspect.identified", {"person_id": pid(1), "grounds": "Seen"})
    arrest = {"person_id": pid(1), "arrested_at": "yesterday", "place": "Home", "power": "s.24"}
    views.acted("suspect.arrested", {**arrest, "grounds": "Seen"})
    with pytest.raises(InputError, match=r"record 3 \(suspect.arrested\): field 'arrested_at'"):
        case_file_from_views(views)


def test_a_record_missing_a_field_is_refused_naming_it() -> None:
    views = Views()
    opened(views)
    views.acted("offence.charged", {"charged_at": 1, "code": "X1", "title": "T"})
    with pytest.raises(InputError, match=r"record 2 \(offence.charged\): field 'offence'"):
        case_file_from_views(views)


def test_an_audience_outside_the_list_is_refused() -> None:
    _, verified = prosecution("investigated")
    with pytest.raises(InputError, match="audience"):
        build_case_file(verified.records, audience="press")


def test_the_records_of_a_case_verified_without_keeping_them_are_refused() -> None:
    app = new_app()
    with app.open_session(OFFICER, offence="Theft", channel="phone", reference="01YE1234526") as c:
        case_id = c.id
    verified = verify_case(app.records(case_id), trust=TRUST, at=app.now(), keep_records=False)
    with pytest.raises(InputError, match="keep_records"):
        build_case_file(verified.records)


def test_a_name_given_apart_is_the_one_the_file_shows() -> None:
    views = Views()
    opened(views)
    added = views.add("person.added", {"person_id": pid(7), "role": "suspect"})
    views.personal[added] = {"name": "Given Name"}
    views.acted("suspect.identified", {"person_id": pid(7), "grounds": "Seen"})
    file = case_file_from_views(views, personal=views.personal)
    (defendant,) = file.mg1.defendants
    assert defendant.person.name == "Given Name"
    assert defendant.records == (added, added + 1)
    nameless = case_file_from_views(views)
    assert nameless.mg1.defendants[0].person.name is None


def test_a_missing_person_case_of_schema_2_reads_its_kind() -> None:
    views = Views()
    opened(views, kind="missing_person")
    file = case_file_from_views(views)
    assert (file.case.kind, file.case.offence, file.file_type) == (
        "missing_person",
        None,
        "missing_person",
    )
