"""Who may sign what the case file presents as the prosecutor's, under the default policy."""

from __future__ import annotations

import itertools

import pytest

from casefile.application import CasefileApp, StoreConfig
from casefile.errors import CasefileError
from casefile.events._custody_values import Custodian
from casefile.projections import build_case_file
from casefile.signing import DEFAULT_POLICY, Holder, TrustStore
from casefile.verifier import verify_case
from projections._casefile_cases import (
    OFFICER,
    OFFICER_ENTRY,
    SECOND,
    T0,
    Prosecution,
    _entry,
    signer,
)

CPS = "Crown Prosecution Service"
CLERK = signer("cps-clerk")
LAWYER = signer("cps-lawyer")
LAWYER_HOLDER = Holder("Rita Lawyer", "Senior Crown Prosecutor", "CPS-7", CPS)
CLERK_ENTRY = _entry(
    CLERK, "cps.example/clerk", Holder("Carl Clerk", "", "CPS-2", CPS), {"prosecutor"}
)
LAWYER_ENTRY = _entry(LAWYER, "cps.example/rita-lawyer", LAWYER_HOLDER, {"prosecutor"})
TRUST = TrustStore([OFFICER_ENTRY, CLERK_ENTRY, LAWYER_ENTRY])


def _app() -> CasefileApp:
    ticks = itertools.count()
    return CasefileApp(
        store=StoreConfig.memory(), trust=TRUST, clock=lambda: T0 + SECOND * next(ticks)
    )


def test_the_default_policy_lets_a_prosecutor_confirm_what_was_keyed_on_their_behalf() -> None:
    assert "prosecutor" in DEFAULT_POLICY.roles_for("record.confirmed")
    assert "recorder" in DEFAULT_POLICY.roles_for("record.confirmed")
    assert DEFAULT_POLICY.roles_for("charging.decided") == frozenset({"prosecutor"})


def test_a_prosecutor_only_key_confirms_a_decision_keyed_for_them_and_the_file_shows_none() -> None:
    app, p = _app(), Prosecution()
    with app.open_session(
        OFFICER, channel="phone", reference="01YE1234526", kind="crime", offence="Burglary"
    ) as case:
        p.investigate(case)
        case_id = case.id
    with app.session(case_id, CLERK) as case:
        decision = case.record_charging_decision(
            request=p.request,
            outcome="charge",
            test="full_code",
            reasons="Sufficient evidence",
            offences=[p.offence],
            by=Custodian.from_holder(LAWYER_HOLDER),
        )
    unconfirmed = verify_case(app.records(case_id), trust=TRUST, at=app.now())
    assert "acted_on_behalf_unconfirmed" in {f.kind for f in unconfirmed.findings}
    kinds = {f.kind for f in build_case_file(unconfirmed.records).findings}
    assert "prosecutor_unconfirmed" in kinds
    with app.session(case_id, LAWYER) as case:
        case.confirm(seq=decision)
    verified = verify_case(app.records(case_id), trust=TRUST, at=app.now())
    assert "acted_on_behalf_unconfirmed" not in {f.kind for f in verified.findings}
    assert build_case_file(verified.records).findings == ()


def test_a_recorder_key_never_signs_a_charging_decision() -> None:
    app, p = _app(), Prosecution()
    with app.open_session(
        OFFICER, channel="phone", reference="01YE1234526", kind="crime", offence="Burglary"
    ) as case:
        p.investigate(case)
        case_id = case.id
    with pytest.raises(CasefileError), app.session(case_id, OFFICER) as case:
        case.record_charging_decision(
            request=p.request, outcome="charge", test="full_code", reasons="x", offences=[p.offence]
        )
