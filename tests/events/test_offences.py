"""Offences: alleged against an identified suspect, proved by earlier evidence, charged once."""

from __future__ import annotations

from typing import Any

import pytest

from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events import Investigation, PointToProve
from events._prosecution import decide, offence, statement, suspect
from events.conftest import T0


def _allege(case: Investigation, **changes: Any) -> int:
    arguments: dict[str, Any] = {
        "person_id": suspect(case),
        "code": "TH68010",
        "title": "Burglary dwelling and theft",
        "wording": "Entered a dwelling as a trespasser and stole a laptop.",
        "place": "Leeds",
        "from_date": "2026-03-01",
        **changes,
    }
    return case.allege_offence(**arguments)


def test_an_offence_against_someone_never_identified_as_a_suspect_is_refused(
    case: Investigation,
) -> None:
    person = case.add_person(role="suspect", name="Sam Suspect")
    with pytest.raises(InvalidCommandError) as caught:
        _allege(case, person_id=person)
    assert caught.value.field == "person_id"
    assert case.offences == {}


def test_a_point_to_prove_citing_a_record_that_is_not_evidence_is_refused(
    case: Investigation,
) -> None:
    note = case.add_note(text="Spoke to the neighbour.")
    with pytest.raises(
        InvalidCommandError, match=r"is a note\.added record, not evidence"
    ) as caught:
        _allege(case, points_to_prove=[PointToProve("Appropriated property", (note,))])
    assert caught.value.field == "points_to_prove[0].evidence"


def test_a_point_to_prove_citing_a_record_not_yet_made_is_refused(case: Investigation) -> None:
    with pytest.raises(UnknownReferenceError) as caught:
        _allege(case, points_to_prove=[PointToProve("Dishonesty", (99,))])
    assert caught.value.field == "points_to_prove[0].evidence"


def test_a_point_to_prove_citing_the_same_evidence_twice_is_refused(case: Investigation) -> None:
    seq = statement(case)
    with pytest.raises(InvalidCommandError, match="cited twice"):
        _allege(case, points_to_prove=[PointToProve("Dishonesty", (seq, seq))])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "th68010"}, "code"),
        ({"code": "TH68010-X"}, "code"),
        ({"code": "A" * 17}, "code"),
        ({"from_date": "2026-02-30"}, "from_date"),
        ({"to_date": "2026-02-28"}, "to_date"),
        ({"anticipated_plea": "maybe"}, "anticipated_plea"),
        ({"committed_on_bail": 1}, "committed_on_bail"),
        ({"title": ""}, "title"),
        ({"wording": ""}, "wording"),
    ],
)
def test_an_offence_with_a_bad_argument_is_refused_naming_it(
    case: Investigation, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidCommandError) as caught:
        _allege(case, **changes)
    assert caught.value.field == field


def test_an_alleged_offence_is_known_by_its_seq_with_its_evidence(case: Investigation) -> None:
    evidence = statement(case)
    person = suspect(case)
    seq = offence(case, person, (evidence,))
    alleged = case.offences[seq]
    assert (alleged.person_id, alleged.code, alleged.charged) == (person, "TH68010", None)


def test_an_offence_charged_twice_is_refused(case: Investigation) -> None:
    seq = offence(case, suspect(case))
    charge = case.charge_offence(offence=seq, charged_at=T0, wording="Burglary, as alleged.")
    with pytest.raises(InvalidCommandError, match=f"charged already \\(record {charge}\\)"):
        case.charge_offence(offence=seq, charged_at=T0, wording="Again.")
    assert case.offences[seq].charged == charge


def test_charging_something_that_is_not_an_alleged_offence_is_refused(case: Investigation) -> None:
    note = case.add_note(text="Not an offence.")
    with pytest.raises(UnknownReferenceError) as caught:
        case.charge_offence(offence=note, charged_at=T0, wording="x")
    assert caught.value.field == "offence"


def test_a_charge_by_the_police_keeps_the_alleged_code_and_title(
    case: Investigation,
) -> None:
    seq = offence(case, suspect(case))
    charge = case.charge_offence(offence=seq, charged_at=T0, wording="As alleged.")
    event = case.pending_events[-1]
    assert event.originator_version == charge
    assert (event.code, event.title, event.decision) == (  # type: ignore[attr-defined]
        "TH68010",
        "Burglary dwelling and theft",
        None,
    )


def test_a_charge_citing_a_decision_not_to_charge_is_refused(case: Investigation) -> None:
    seq = offence(case, suspect(case))
    request = case.request_charging_decision(offences=[seq], test="full_code", summary="MG3.")
    decision = decide(case, request, "no_further_action")
    with pytest.raises(InvalidCommandError, match="'no_further_action', not 'charge'") as caught:
        case.charge_offence(offence=seq, charged_at=T0, wording="x", decision=decision)
    assert caught.value.field == "decision"
    assert case.offences[seq].charged is None


def test_a_charge_citing_a_decision_that_does_not_include_the_offence_is_refused(
    case: Investigation,
) -> None:
    person = suspect(case)
    first, second = offence(case, person), offence(case, person)
    request = case.request_charging_decision(
        offences=[first, second], test="full_code", summary="MG3."
    )
    decision = decide(case, request, "charge", (first,))
    with pytest.raises(InvalidCommandError, match=f"does not charge offence {second}"):
        case.charge_offence(offence=second, charged_at=T0, wording="x", decision=decision)
    case.charge_offence(offence=first, charged_at=T0, wording="x", decision=decision)
    assert case.offences[first].charged == case.version


def test_a_charge_citing_a_record_that_is_no_decision_is_refused(case: Investigation) -> None:
    seq = offence(case, suspect(case))
    with pytest.raises(UnknownReferenceError) as caught:
        case.charge_offence(offence=seq, charged_at=T0, wording="x", decision=seq)
    assert caught.value.field == "decision"


def test_a_correction_of_an_offence_updates_its_code_and_title(case: Investigation) -> None:
    seq = offence(case, suspect(case))
    case.correct(seq=seq, reason="Wrong code", fields={"code": "TH68011", "title": "Burglary"})
    assert (case.offences[seq].code, case.offences[seq].title) == ("TH68011", "Burglary")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"to_date": "2026-02-01"}, "fields.to_date"),
        ({"code": "no"}, "fields.code"),
        ({"person_id": b"\x00" * 16}, "fields.person_id"),
        ({"points_to_prove": [{"element": "Dishonesty", "evidence": [1]}]}, None),
    ],
)
def test_a_correction_of_an_offence_is_held_to_the_commands_rules(
    case: Investigation, fields: dict[str, Any], field: str | None
) -> None:
    seq = offence(case, suspect(case))
    with pytest.raises(InvalidCommandError) as caught:
        case.correct(seq=seq, reason="r", fields=fields)
    if field is not None:
        assert caught.value.field == field
    else:
        assert "not evidence" in str(caught.value)
