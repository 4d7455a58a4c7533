"""Court: bail for identified suspects, hearings only for someone charged."""

from __future__ import annotations

from typing import Any

import pytest

from casefile.errors import InvalidCommandError
from casefile.events import Investigation
from events._prosecution import offence, suspect
from events.conftest import SECOND, T0

DAY = 86_400 * SECOND


def test_a_hearing_for_a_suspect_never_charged_is_refused(case: Investigation) -> None:
    person = suspect(case)
    seq = offence(case, person)
    version = case.version
    with pytest.raises(InvalidCommandError, match="no charged offence") as caught:
        case.list_hearing(person_id=person, court="Leeds Magistrates' Court", hearing_at=T0 + DAY)
    assert caught.value.field == "person_id"
    assert case.version == version
    case.charge_offence(offence=seq, charged_at=T0, wording="As alleged.")
    case.list_hearing(person_id=person, court="Leeds Magistrates' Court", hearing_at=T0 + DAY)
    assert case.version == version + 2


def test_a_hearing_for_one_suspect_does_not_follow_from_anothers_charge(
    case: Investigation,
) -> None:
    charged, other = suspect(case), suspect(case, "Other Suspect")
    case.charge_offence(offence=offence(case, charged), charged_at=T0, wording="As alleged.")
    with pytest.raises(InvalidCommandError, match="no charged offence"):
        case.list_hearing(person_id=other, court="Leeds Crown Court", hearing_at=T0 + DAY)


def test_bail_of_someone_never_identified_as_a_suspect_is_refused(case: Investigation) -> None:
    person = case.add_person(role="witness", name="Wendy Witness")
    with pytest.raises(InvalidCommandError) as caught:
        case.record_bail(person_id=person, status="police_bail", starts_at=T0)
    assert caught.value.field == "person_id"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": T0 - 1}, "ends_at"),
        ({"status": "bailed"}, "status"),
        ({"starts_at": 1_767_225_600}, "starts_at"),
        ({"conditions": 7}, "conditions"),
    ],
)
def test_bail_with_a_bad_argument_is_refused_naming_it(
    case: Investigation, changes: dict[str, Any], field: str
) -> None:
    person = suspect(case)
    arguments: dict[str, Any] = {
        "person_id": person,
        "status": "police_bail",
        "starts_at": T0,
        **changes,
    }
    with pytest.raises(InvalidCommandError) as caught:
        case.record_bail(**arguments)
    assert caught.value.field == field


def test_a_correction_of_bail_that_ends_it_before_it_starts_is_refused(
    case: Investigation,
) -> None:
    seq = case.record_bail(
        person_id=suspect(case), status="police_bail", starts_at=T0, ends_at=T0 + DAY
    )
    with pytest.raises(InvalidCommandError) as caught:
        case.correct(seq=seq, reason="r", fields={"starts_at": T0 + DAY, "ends_at": T0})
    assert caught.value.field == "fields.ends_at"
    case.correct(seq=seq, reason="Answer date moved", fields={"ends_at": T0 + 2 * DAY})
    assert case.corrections[seq] == (case.version,)


def test_a_correction_of_the_answer_date_alone_is_checked_against_the_start_as_it_stands(
    case: Investigation,
) -> None:
    seq = case.record_bail(
        person_id=suspect(case), status="police_bail", starts_at=T0 + DAY, ends_at=T0 + 2 * DAY
    )
    with pytest.raises(InvalidCommandError) as caught:
        case.correct(seq=seq, reason="r", fields={"ends_at": T0})
    assert caught.value.field == "fields.ends_at"
    assert seq not in case.corrections
