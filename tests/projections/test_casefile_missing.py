"""The missing-person section and its completeness, from a missing-person case."""

from __future__ import annotations

from casefile.events import Investigation
from casefile.projections import build_case_file, case_file_json
from projections._casefile_cases import DAY, T0, verified_case


def _reported(case: Investigation, *, found: bool, checked: bool) -> None:
    person = case.add_person(role="missing_person", name="Mia Missing")
    case.record_missing_person_report(
        person_id=person,
        risk="high",
        last_seen_at=T0,
        last_seen_place="Bus station",
        circumstances="Did not come home from school",
    )
    case.review_missing_risk(person_id=person, risk="medium", reasons="Seen well yesterday")
    case.record_sighting(person_id=person, seen_at=T0 + DAY, place="Park", details="With friends")
    case.record_enquiry(person_id=person, enquiry="Check the school's cameras")
    if found:
        case.record_found(
            person_id=person,
            found_at=T0 + 2 * DAY,
            outcome="returned",
            place="Home",
            found_by="Returned of her own accord",
            safe_and_well_at=T0 + 2 * DAY + 3600 * 10**9 if checked else None,
        )


def test_a_missing_person_case_shows_its_reports_reviews_sightings_and_enquiries() -> None:
    verified = verified_case(lambda c: _reported(c, found=False, checked=False), missing=True)
    file = build_case_file(verified.records)
    assert file.case.kind == "missing_person"
    assert file.case.offence is None
    assert file.file_type == "missing_person"
    assert file.missing_person is not None
    (person,) = file.missing_person.people
    assert person.person.name == "Mia Missing"
    assert [r.risk for r in person.reports] == ["high"]
    assert [r.reasons for r in person.risk_reviews] == ["Seen well yesterday"]
    assert [s.place for s in person.sightings] == ["Park"]
    assert [e.enquiry for e in person.enquiries] == ["Check the school's cameras"]
    assert person.found is None
    lacking = {lack.item for lack in file.completeness.lacking}
    assert lacking == {"found"}


def test_a_person_found_without_a_safe_and_well_check_is_lacking_it() -> None:
    verified = verified_case(lambda c: _reported(c, found=True, checked=False), missing=True)
    file = build_case_file(verified.records)
    assert [lack.item for lack in file.completeness.lacking] == ["safe_and_well"]


def test_a_person_found_safe_and_well_completes_the_missing_person_file() -> None:
    verified = verified_case(lambda c: _reported(c, found=True, checked=True), missing=True)
    file = build_case_file(verified.records)
    assert file.completeness.complete
    found = case_file_json(file)["missing_person"]["people"][0]["found"]
    assert found["outcome"] == "returned"
    assert found["safe_and_well_at"] == "2026-01-03T01:00:00Z"


def test_a_crime_case_has_no_missing_person_section() -> None:
    file = build_case_file(verified_case(lambda case: None).records)
    assert file.missing_person is None
    assert case_file_json(file)["missing_person"] is None
