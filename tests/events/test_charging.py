"""Charging: one decision per request, by a prosecutor's key, on the request's own offences."""

from __future__ import annotations

from typing import Any

import pytest

from casefile.errors import (
    InvalidCommandError,
    KeyRoleError,
    UnauthorisedSignerError,
    UnknownReferenceError,
)
from casefile.events import Investigation, load_investigation
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import TrustStore
from casefile.verifier import payload_schemas, report_case, verify_case
from events._prosecution import (
    PROSECUTOR,
    decide,
    offence,
    prosecutor_entry,
    prosecutor_key,
    seal,
    suspect,
    trust_with_prosecutor,
)
from events.conftest import OFFICER, T0, entry

LATER = T0 + 10**15


def _request(case: Investigation, *offences: int, **changes: Any) -> int:
    return case.request_charging_decision(
        offences=list(offences), test="full_code", summary="Full file.", **changes
    )


def test_decision_on_a_request_decided_already_is_refused(case: Investigation) -> None:
    seq = offence(case, suspect(case))
    request = _request(case, seq)
    first = decide(case, request, "further_evidence")
    with pytest.raises(
        InvalidCommandError, match=f"decided already \\(record {first}\\)"
    ) as caught:
        decide(case, request, "charge", (seq,))
    assert caught.value.field == "request"
    assert case.charging_requests[request].decided == first


def test_a_request_for_an_offence_awaiting_a_decision_is_refused(case: Investigation) -> None:
    seq = offence(case, suspect(case))
    request = _request(case, seq)
    with pytest.raises(InvalidCommandError, match=f"awaits a decision on request {request}"):
        _request(case, seq)
    decide(case, request, "further_evidence")
    again = _request(case, seq)
    assert case.charging_requests[again].offences == (seq,)


def test_a_request_for_an_offence_charged_already_is_refused(case: Investigation) -> None:
    seq = offence(case, suspect(case))
    case.charge_offence(offence=seq, charged_at=T0, wording="As alleged.")
    with pytest.raises(InvalidCommandError, match="charged already"):
        _request(case, seq)


@pytest.mark.parametrize(
    ("offences", "error", "match"),
    [
        ((), InvalidCommandError, "at least one"),
        ((1,), UnknownReferenceError, "not an offence.alleged"),
        ((4, 4), InvalidCommandError, "named twice"),
    ],
)
def test_a_request_naming_no_offence_or_anything_else_is_refused(
    case: Investigation, offences: tuple[int, ...], error: type[Exception], match: str
) -> None:
    offence(case, suspect(case))
    with pytest.raises(error, match=match) as caught:
        _request(case, *offences)
    assert caught.value.field == "offences"  # type: ignore[attr-defined]


def test_a_decision_to_charge_an_offence_outside_the_request_is_refused(
    case: Investigation,
) -> None:
    person = suspect(case)
    asked, other = offence(case, person), offence(case, person)
    request = _request(case, asked)
    with pytest.raises(InvalidCommandError, match=f"offence {other} is not one of request"):
        decide(case, request, "charge", (asked, other))
    assert case.charging_requests[request].decided is None


@pytest.mark.parametrize(
    ("outcome", "offences", "field"),
    [
        ("charge", (), "offences"),
        ("no_further_action", (4,), "offences"),
        ("caution", (), "outcome"),
    ],
)
def test_a_decision_whose_offences_do_not_fit_its_outcome_is_refused(
    case: Investigation, outcome: str, offences: tuple[int, ...], field: str
) -> None:
    request = _request(case, offence(case, suspect(case)))
    with pytest.raises(InvalidCommandError) as caught:
        decide(case, request, outcome, offences)
    assert caught.value.field == field


def test_a_decision_for_further_evidence_without_an_action_plan_is_refused(
    case: Investigation,
) -> None:
    request = _request(case, offence(case, suspect(case)))
    with pytest.raises(InvalidCommandError) as caught:
        case.record_charging_decision(
            request=request, outcome="further_evidence", test="threshold", reasons="Need CCTV."
        )
    assert caught.value.field == "action_plan"


def test_a_decision_on_a_record_that_is_no_request_is_refused(case: Investigation) -> None:
    seq = offence(case, suspect(case))
    with pytest.raises(UnknownReferenceError) as caught:
        decide(case, seq, "no_further_action")
    assert caught.value.field == "request"


def test_a_charging_decision_is_never_corrected(case: Investigation) -> None:
    request = _request(case, offence(case, suspect(case)))
    decision = decide(case, request, "no_further_action")
    for fields in ({"outcome": "charge"}, {"reasons": "Other reasons."}):
        with pytest.raises(InvalidCommandError, match="never corrected"):
            case.correct(seq=decision, reason="Changed my mind", fields=fields)


def test_charging_decision_signed_by_a_recorder_only_key_is_refused(
    case: Investigation, officer: InMemorySigner
) -> None:
    # Sealing refuses it under the default policy: the key lacks `prosecutor`.
    recorder_only = TrustStore(
        [entry(officer, "officer"), prosecutor_entry(frozenset({"recorder"}))]
    )
    request = _request(case, offence(case, suspect(case)))
    first = seal(case, officer, recorder_only)
    decide(case, request, "no_further_action")
    with pytest.raises(UnauthorisedSignerError, match=r"lacks a role for 'charging\.decided'"):
        seal(case, prosecutor_key(), recorder_only)
    # Sealed where the key holds the role, a verifier whose store does not grant it
    # refuses that record at the role step (V8), and no other.
    good = trust_with_prosecutor(officer)
    second = seal(case, prosecutor_key(), good)
    records = [s.state for batch in (first, second) for s in batch.stored_events]
    report = report_case(records, trust=recorder_only, at=LATER)
    assert [(e.step, e.seq, type(e)) for e in report.errors] == [("V8", case.version, KeyRoleError)]
    verified = verify_case(records, trust=good, at=LATER, payloads=payload_schemas())
    assert verified.size == case.version


def test_a_decision_keyed_in_by_an_officer_for_the_prosecutor_is_refused_at_sealing(
    case: Investigation, officer: InMemorySigner
) -> None:
    # On the prosecutor's behalf, the officer's key would sign it: it lacks the role.
    request = _request(case, offence(case, suspect(case)))
    case.record_charging_decision(
        request=request, outcome="no_further_action", test="full_code", reasons="r", by=PROSECUTOR
    )
    assert case.pending_events[-1].recorded_by == OFFICER.to_data()  # type: ignore[attr-defined]
    with pytest.raises(UnauthorisedSignerError, match="charging"):
        seal(case, officer, trust_with_prosecutor(officer))


def test_a_decided_request_loads_back_with_its_decision(
    case: Investigation, officer: InMemorySigner
) -> None:
    trust = trust_with_prosecutor(officer)
    person = suspect(case)
    seq = offence(case, person)
    request = _request(case, seq)
    batches = [seal(case, officer, trust)]
    decision = decide(case, request, "charge", (seq,))
    batches.append(seal(case, prosecutor_key(), trust))
    case.charge_offence(offence=seq, charged_at=T0, wording="As alleged.", decision=decision)
    batches.append(seal(case, officer, trust))
    stored = [s for batch in batches for s in batch.stored_events]
    loaded = load_investigation(case.id, stored, trust)
    assert loaded.charging_requests == case.charging_requests
    assert loaded.charging_decisions == case.charging_decisions
    assert loaded.offences == case.offences
    assert loaded.offences[seq].charged == case.version
    assert loaded.charging_decisions[decision].offences == (seq,)
