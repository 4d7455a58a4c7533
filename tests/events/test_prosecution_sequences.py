"""Any valid sequence of prosecution commands stores records that load to the same case and verify.

Hypothesis drives a case through unused material, schedules, the prosecutor's
decisions, case summaries, victim personal statements, witness care and the
search for a missing person, in any order the rules allow, signing each act
with its actor's key. The stored records must rebuild exactly the state the
commands built, and pass every step of the verifier with the payload schemas.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _casework import SECOND, Desk
from casefile.events import Investigation

_PLEAS = ("guilty", "not_guilty", "unknown")
_RISKS = ("low", "medium", "high")
_CARE = ("care_needs", "interpreter", "special_measures", "dates_to_avoid")
_WORDS = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=30).filter(str.strip)


def _people(case: Investigation, *roles: str) -> list[uuid.UUID]:
    """The people of ``roles``; a new one of the first role when there is none yet."""
    found = [p.person_id for p in case.people.values() if p.role in roles]
    return found or [case.add_person(role=roles[0], name="P")]


def _reported(case: Investigation, draw: Callable[..., object]) -> list[uuid.UUID]:
    """The people reported missing; a new report when nobody is."""
    if not case.missing:
        case.record_missing_person_report(
            person_id=_people(case, "missing_person")[0],
            risk=draw(st.sampled_from(_RISKS)),
            last_seen_at=case.opened_ns,
            last_seen_place=draw(_WORDS),
        )
    return sorted(case.missing)


def _items(case: Investigation, draw: Callable[..., object]) -> list[int]:
    """The unused items; a new one when there is none yet."""
    if not case.unused_items:
        case.record_unused_item(description=draw(_WORDS), location=draw(_WORDS))
    return sorted(case.unused_items)


def _step(desk: Desk, draw: Callable[..., object]) -> None:
    case, now = desk.case, desk.case.opened_ns
    op = draw(
        st.sampled_from(
            (
                "person",
                "item",
                "schedule",
                "decide",
                "correct_item",
                "summary",
                "vps",
                "care",
                "report",
                "review",
                "sighting",
                "enquiry",
                "found",
            )
        )
    )
    if op == "person":
        role = draw(st.sampled_from(("victim", "witness", "missing_person")))
        case.add_person(role=role, name="P")
    elif op == "item":
        sensitive, undermines = draw(st.booleans()), draw(st.booleans())
        case.record_unused_item(
            description=draw(_WORDS),
            location=draw(_WORDS),
            sensitive=sensitive,
            sensitivity_reason=draw(_WORDS) if sensitive else "",
            undermines_or_assists=undermines,
            assessment=draw(_WORDS) if undermines else "",
        )
    elif op == "schedule":
        # A schedule with no item of its kind is certified nil.
        case.schedule_unused(schedule=draw(st.sampled_from(("mg6c", "mg6d"))))
    elif op == "decide":
        item = draw(st.sampled_from(_items(case, draw)))
        decision = draw(st.sampled_from(("disclose", "clearly_not_disclosable", "inspect")))
        desk.as_prosecutor(lambda c: c.decide_unused(item=item, decision=decision))
    elif op == "correct_item":
        item = case.unused_items[draw(st.sampled_from(_items(case, draw)))]
        fields: dict[str, object] = {"sensitive": not item.sensitive}
        if not item.sensitive:
            fields["sensitivity_reason"] = draw(_WORDS)
        case.correct(seq=item.seq, reason="reassessed", fields=fields)
    elif op == "summary":
        case.write_case_summary(
            headline=draw(_WORDS),
            chronology=draw(_WORDS),
            anticipated_plea=draw(st.sampled_from(_PLEAS)),
        )
    elif op == "vps":
        victim = draw(st.sampled_from(_people(case, "victim")))
        outcome = draw(st.sampled_from(("declined", "deferred", "made")))
        statement = None
        if outcome == "made":
            case.record_statement(
                witness_id=victim,
                declaration="true",
                body=draw(_WORDS),
                place="home",
                started_at=now,
                ended_at=now + SECOND,
            )
            statement = case.version
        case.record_vps(person_id=victim, outcome=outcome, offered_at=now, statement=statement)
    elif op == "care":
        person = draw(st.sampled_from(_people(case, "victim", "witness")))
        names = draw(st.sets(st.sampled_from(_CARE), min_size=1))
        case.assess_witness_care(person_id=person, **{n: draw(_WORDS) for n in names})
    elif op == "report":
        person = draw(st.sampled_from(_people(case, "missing_person")))
        state = case.missing.get(person)
        if state is None or not state.is_missing:
            case.record_missing_person_report(
                person_id=person,
                risk=draw(st.sampled_from(_RISKS)),
                last_seen_at=now,
                last_seen_place=draw(_WORDS),
            )
    else:
        person = draw(st.sampled_from(_reported(case, draw)))
        if op == "review":
            case.review_missing_risk(
                person_id=person, risk=draw(st.sampled_from(_RISKS)), reasons=draw(_WORDS)
            )
        elif op == "sighting":
            case.record_sighting(
                person_id=person, seen_at=now, place=draw(_WORDS), details=draw(_WORDS)
            )
        elif op == "enquiry":
            case.record_enquiry(person_id=person, enquiry=draw(_WORDS))
        elif case.missing[person].is_missing:
            case.record_found(
                person_id=person,
                found_at=now,
                outcome=draw(st.sampled_from(("found", "returned"))),
                place=draw(_WORDS),
                found_by=draw(_WORDS),
                safe_and_well_at=draw(st.none() | st.just(now + SECOND)),
            )
    desk.seal()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(("crime", "missing_person")), data=st.data())
def test_valid_prosecution_sequences_load_to_the_same_case_and_verify(
    kind: str, data: st.DataObject
) -> None:
    desk = Desk.open(kind=kind, offence="Burglary dwelling" if kind == "crime" else None)
    for _ in range(data.draw(st.integers(1, 25), label="steps")):
        _step(desk, data.draw)
    case, loaded = desk.case, desk.load()
    assert (loaded.kind, loaded.offence, loaded.version) == (case.kind, case.offence, case.version)
    assert loaded.people == case.people
    assert loaded.unused_items == case.unused_items
    assert loaded.schedules == case.schedules
    assert loaded.case_summary == case.case_summary
    assert loaded.missing == case.missing
    assert loaded.corrections == case.corrections
    assert loaded.head == case.head
    verified = desk.verify()
    assert verified.size == case.version
    assert [r.seq for r in verified.records] == list(range(1, case.version + 1))
