"""Recording a recipient's receipt: what the command refuses before anything is signed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from _receiptcase import (
    CPS,
    CPS_NAME,
    CPS_PERSON,
    ENTRIES,
    TRUST,
    WITNESSES,
    body_of,
    checkpoint_note,
    clock,
    handed_over,
    seconds_after_t0,
)
from application.conftest import NAMESPACE, OFFICER, SECOND, T0
from casefile.application import CasefileApp, StoreConfig
from casefile.errors import CosignatureError, InvalidCommandError
from casefile.events._custody_values import Custodian
from casefile.signing._checkpoint import Checkpoint, parse_checkpoint_body
from casefile.signing._cosignature import append_cosignatures, cosign_checkpoint
from casefile.signing._trust import TrustEntry, TrustStore


@pytest.fixture
def app() -> Iterator[CasefileApp]:
    ticks = clock()
    made = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=lambda: next(ticks))
    yield made
    made.close()


def _line(body: str) -> str:
    return cosign_checkpoint(body, CPS_NAME, CPS, seconds_after_t0(60)).line


def _refused(app: CasefileApp, case_id: uuid.UUID, field: str, **kwargs: object) -> str:
    with pytest.raises(InvalidCommandError) as refused, app.session(case_id, OFFICER) as case:
        case.record_receipt(**{"recipient": CPS_PERSON, **kwargs})  # type: ignore[arg-type]
    assert refused.value.field == field
    return refused.value.problem


def test_receipt_of_another_case_is_refused(app: CasefileApp) -> None:
    case_id = handed_over(app)
    ours = parse_checkpoint_body(body_of(checkpoint_note(app, case_id)))
    other = Checkpoint(f"{NAMESPACE}/{uuid.UUID(int=7)}", ours.size, ours.root).body()
    problem = _refused(app, case_id, "checkpoint", checkpoint=other, cosignature=_line(other))
    assert "names case" in problem


def test_receipt_of_more_records_than_the_case_holds_is_refused(app: CasefileApp) -> None:
    case_id = handed_over(app)
    ours = parse_checkpoint_body(body_of(checkpoint_note(app, case_id)))
    longer = Checkpoint(ours.origin, ours.size + 5, ours.root).body()
    problem = _refused(app, case_id, "checkpoint", checkpoint=longer, cosignature=_line(longer))
    assert f"covers {ours.size + 5} records" in problem


@pytest.mark.parametrize("line", ["", "not a line", "\u2014 cps.example/r AAAA"])
def test_malformed_cosignature_line_is_refused(app: CasefileApp, line: str) -> None:
    case_id = handed_over(app)
    body = body_of(checkpoint_note(app, case_id))
    _refused(app, case_id, "cosignature", checkpoint=body, cosignature=line)


def test_receipt_recorded_by_the_recipient_themself_is_refused(app: CasefileApp) -> None:
    case_id = handed_over(app)
    body = body_of(checkpoint_note(app, case_id))
    officer = Custodian.from_holder(ENTRIES[0].holder)
    problem = _refused(
        app, case_id, "recipient", checkpoint=body, cosignature=_line(body), recipient=officer
    )
    assert "not by them" in problem


def test_a_receipt_is_never_corrected(app: CasefileApp) -> None:
    case_id = handed_over(app)
    handed = checkpoint_note(app, case_id)
    receipted = append_cosignatures(
        handed, (cosign_checkpoint(body_of(handed), CPS_NAME, CPS, seconds_after_t0(60)),)
    )
    seq = app.record_receipt(case_id, OFFICER, receipted=receipted)
    with pytest.raises(InvalidCommandError, match="not a correctable field"):
        app.correct(case_id, OFFICER, seq=seq, reason="typo", fields={"cosignature": "x"})


def test_record_receipt_takes_the_named_cosigner_among_several(app: CasefileApp) -> None:
    case_id = handed_over(app)
    handed = checkpoint_note(app, case_id)
    other = cosign_checkpoint(body_of(handed), ENTRIES[3].name, WITNESSES[0], seconds_after_t0(61))
    mine = cosign_checkpoint(body_of(handed), CPS_NAME, CPS, seconds_after_t0(60))
    receipted = append_cosignatures(handed, (other, mine))
    with pytest.raises(InvalidCommandError, match="holds 2 cosignatures"):
        app.record_receipt(case_id, OFFICER, receipted=receipted)
    seq = app.record_receipt(case_id, OFFICER, receipted=receipted, cosigner=CPS_NAME)
    with app.session(case_id, OFFICER) as case:
        assert seq in case.confirmations  # its cosignature confirms it


def test_record_receipt_by_a_key_not_valid_at_its_time_is_refused() -> None:
    late = [
        TrustEntry(
            public_key=e.public_key, name=e.name, holder=e.holder, roles=e.roles,
            valid_from=T0 + 3600 * SECOND if e.name == CPS_NAME else e.valid_from,
        )
        for e in ENTRIES
    ]  # fmt: skip
    ticks = clock()
    app = CasefileApp(store=StoreConfig.memory(), trust=TrustStore(late), clock=lambda: next(ticks))
    try:
        case_id = handed_over(app)
        handed = checkpoint_note(app, case_id)
        receipted = append_cosignatures(
            handed, (cosign_checkpoint(body_of(handed), CPS_NAME, CPS, seconds_after_t0(60)),)
        )
        with pytest.raises(CosignatureError, match="not valid at"):
            app.record_receipt(case_id, OFFICER, receipted=receipted)
    finally:
        app.close()


@pytest.mark.parametrize(
    ("cosigned", "why"),
    [
        (seconds_after_t0(3600), "after the receipt"),  # an hour after it is recorded
        (seconds_after_t0(-3600), "before the handover"),  # an hour before the handover
    ],
)
def test_receipt_that_b15_would_refuse_for_its_time_is_never_recorded(
    app: CasefileApp, cosigned: int, why: str
) -> None:
    # A record is never removed: a receipt B15 refuses would fail every later bundle of
    # the case, so its cosignature's time is held to B15's rules before it is recorded.
    case_id = handed_over(app)
    handed = checkpoint_note(app, case_id)
    receipted = append_cosignatures(
        handed, (cosign_checkpoint(body_of(handed), CPS_NAME, CPS, cosigned),)
    )
    before = sum(1 for _ in app.records(case_id))
    with pytest.raises(CosignatureError, match=why):
        app.record_receipt(case_id, OFFICER, receipted=receipted)
    assert sum(1 for _ in app.records(case_id)) == before
