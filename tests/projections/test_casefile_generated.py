"""Generated cases: whatever the domain lets an investigation record, its case file fits the schema.

Each example draws a run of commands (people, statements, suspects, offences, charging
requests and decisions, charges, bail, hearings, summaries, unused material and the
prosecutor's decisions on it), applies those the case accepts at that point, verifies
the case, and builds its file for a drawn audience. The autouse check of tests/conftest.py
holds the document to the published schema; the test holds it to the file's own rules.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casefile.errors import DomainError
from casefile.events import Investigation, PointToProve, SummaryPoint
from casefile.projections import (
    build_case_file,
    case_file_document,
    case_file_json,
    case_file_schema,
)
from casefile.verifier import VerifiedCase, verify_case
from projections._casefile_cases import DAY, OFFICER, PROSECUTOR, T0, TRUST, new_app

_Step = Callable[[Investigation, int], Any]


def _people(case: Investigation, role: str) -> list[Any]:
    return [pid for pid, person in case.people.items() if person.role == role]


def _witness(case: Investigation, n: int) -> None:
    person = case.add_person(role=("victim", "witness")[n % 2], name=f"Witness {n}")
    statement = case.record_statement(
        witness_id=person,
        declaration="True to the best of my knowledge and belief.",
        body=f"Statement {n}: I saw the window broken.",
        place="High Street",
        started_at=T0,
        ended_at=T0 + 60 * 10**9,
    )
    if n % 3:
        case.sign_statement(statement_id=statement)


def _suspect(case: Investigation, n: int) -> None:
    person = case.add_person(role="suspect", name=f"Suspect {n}", date_of_birth="2000-02-29")
    case.identify_suspect(person_id=person, grounds=f"Grounds {n}")


def _offence(case: Investigation, n: int) -> None:
    if not case.suspects:
        _suspect(case, n)
    suspects = case.suspects
    evidence = [s.seq for s in case.statements.values()][:2]
    points = [PointToProve("entered as a trespasser", tuple(evidence))] if n % 2 else []
    case.allege_offence(
        person_id=list(suspects)[n % len(suspects)],
        code="TH68010",
        title="Burglary",
        wording=f"Offence {n}",
        place="High Street",
        from_date="2026-01-01",
        anticipated_plea=("guilty", "not_guilty", "unknown")[n % 3],
        points_to_prove=points,
    )


def _uncharged(case: Investigation) -> list[int]:
    return [seq for seq, o in case.offences.items() if o.charged is None]


def _awaiting(case: Investigation) -> list[int]:
    """Requests with no decision yet."""
    return [seq for seq, r in case.charging_requests.items() if r.decided is None]


def _request(case: Investigation, n: int) -> None:
    pending = {o for seq in _awaiting(case) for o in case.charging_requests[seq].offences}
    free = [o for o in _uncharged(case) if o not in pending]
    if not free:
        _offence(case, n)
        free = _uncharged(case)[-1:]
    case.request_charging_decision(offences=free[-1:], test="full_code", summary=f"Summary {n}")


def _decide(case: Investigation, n: int) -> None:
    request = _awaiting(case)[0]
    outcome = ("charge", "further_evidence", "no_further_action")[n % 3]
    case.record_charging_decision(
        request=request,
        outcome=outcome,
        test="full_code",
        reasons=f"Reasons {n}",
        offences=case.charging_requests[request].offences if outcome == "charge" else (),
        action_plan="Get the CCTV" if outcome == "further_evidence" else "",
    )


def _charge(case: Investigation, n: int) -> None:
    if not _uncharged(case):
        _offence(case, n)
    offence = _uncharged(case)[0]
    case.charge_offence(offence=offence, charged_at=T0 + DAY, wording=f"Charge {n}")
    person = case.offences[offence].person_id
    case.record_bail(person_id=person, status="remanded_in_custody", starts_at=T0 + DAY)
    case.list_hearing(person_id=person, court="Leeds Magistrates' Court", hearing_at=T0 + 2 * DAY)


def _summary(case: Investigation, n: int) -> None:
    offences = list(case.offences)
    case.write_case_summary(
        headline=f"Headline {n}",
        chronology="What happened",
        anticipated_plea="not_guilty",
        points=[SummaryPoint(offences[0], "stole property", ())] if offences else [],
    )


def _unused(case: Investigation, n: int) -> None:
    sensitive = n % 2 == 0
    case.record_unused_item(
        description=f"Item {n}",
        location="Station",
        sensitive=sensitive,
        sensitivity_reason="A source" if sensitive else "",
        undermines_or_assists=n % 3 == 0,
        assessment="Might assist" if n % 3 == 0 else "",
    )
    case.schedule_unused(schedule="mg6d" if sensitive else "mg6c")
    if n % 3 == 1:  # the other schedule too: nil while it has no item
        case.schedule_unused(schedule="mg6c" if sensitive else "mg6d")


def _disclose(case: Investigation, n: int) -> None:
    items = list(case.unused_items)
    case.decide_unused(item=items[n % len(items)], decision=("disclose", "inspect")[n % 2])


_OFFICER_STEPS: tuple[_Step, ...] = (
    _witness,
    _suspect,
    _offence,
    _request,
    _charge,
    _summary,
    _unused,
)
_PROSECUTOR_STEPS: tuple[_Step, ...] = (_decide, _disclose)


_STEPS: tuple[tuple[bool, _Step], ...] = (
    *((False, step) for step in _OFFICER_STEPS),
    *((True, step) for step in _PROSECUTOR_STEPS),
)


def _apply(case: Investigation, step: _Step, n: int) -> None:
    # A step the case refuses at this point (or that has nothing to act on) is left out.
    with contextlib.suppress(DomainError, IndexError, ZeroDivisionError):
        step(case, n)


#: Runs of steps (indices into the officer's and prosecutor's steps) and audiences to draw.
RUNS = st.lists(st.sampled_from(range(len(_STEPS))), max_size=14)
AUDIENCES = st.sampled_from([None, "cps", "defence", "court", "victim"])


def generated_case(run: list[int]) -> VerifiedCase:
    """The case the steps of ``run`` record (those the case accepts), verified."""
    app = new_app()
    counter = itertools.count()
    with app.open_session(
        OFFICER, offence="Burglary", channel="phone", reference="01YE1234526"
    ) as case:
        case_id = case.id
    for index in run:
        prosecutor, step = _STEPS[index]
        with app.session(case_id, PROSECUTOR if prosecutor else OFFICER) as case:
            _apply(case, step, next(counter))
    return verify_case(
        app.records(case_id), trust=TRUST, at=app.now(), disclosures=app.disclosures(case_id)
    )


def _parts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _parts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _parts(item)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(run=RUNS, audience=AUDIENCES)
def test_every_generated_case_file_fits_the_schema_and_its_own_rules(
    run: list[int], audience: str | None
) -> None:
    verified = generated_case(run)
    file = build_case_file(verified.records, audience=audience)
    document = case_file_json(file)
    jsonschema.Draft202012Validator(case_file_schema()).validate(document)
    assert case_file_document(file) == case_file_document(
        build_case_file(verified.records, audience=audience)
    )
    last = document["case"]["last_seq"]
    for part in _parts(document):
        records = part.get("records")
        if isinstance(records, list):
            assert all(1 <= seq <= last for seq in records)
    assert file.completeness.complete == (not file.completeness.lacking)
    if audience not in (None, "cps"):
        assert file.mg3 is None
        assert file.mg6d is None
    if audience == "defence":
        assert all(w.care is None for w in file.mg9.witnesses)
