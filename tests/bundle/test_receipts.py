"""B15: a recipient's receipt binds the sender, and a witness policy binds the checkpoint.

Each case is recorded through the application, handed over (a handover record,
then a bundle whose checkpoint covers it), cosigned by the CPS with its own key
and the receipt recorded; attacks then bend one part and B15 must refuse.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from _receiptcase import (
    CPS,
    CPS_NAME,
    CPS_PERSON,
    LATER,
    TRUST,
    WITNESS_NAMES,
    WITNESSES,
    body_of,
    checkpoint_note,
    clock,
    handed_over,
    seconds_after_t0,
    witness_policy,
)
from application.conftest import CHECKPOINTER, OFFICER
from casefile.application import CasefileApp, StoreConfig
from casefile.bundle import check_extends, verify_bundle, write_bundle
from casefile.bundle._layout import TRUST as TRUST_FILE
from casefile.errors import InvalidCommandError, RollbackError
from casefile.events._custody_values import Custodian
from casefile.signing._checkpoint import Checkpoint, parse_checkpoint_body
from casefile.signing._cosignature import (
    Cosignature,
    append_cosignatures,
    cosign_checkpoint,
)
from casefile.signing._trust import TrustStore
from casefile.signing._trust_json import dump_trust_store, parse_trust_store
from cli._support import run_cli
from independent._spec_verifier import verify_dir


@pytest.fixture
def app() -> Iterator[CasefileApp]:
    ticks = clock()
    made = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=lambda: next(ticks))
    yield made
    made.close()


def _bundle(app: CasefileApp, case_id: uuid.UUID, dest: Path, note: str | None = None) -> Path:
    write_bundle(
        dest,
        case_id=case_id,
        records=app.records(case_id),
        disclosures=iter(()),
        trust=TRUST,
        checkpoint_note=note or checkpoint_note(app, case_id),
        signer=CHECKPOINTER,
    )
    return dest


def _b15(path: Path, trust: TrustStore = TRUST) -> list[str]:
    """B15's messages; the verifier written from FORMAT.md alone must fail the same records."""
    report = verify_bundle(path, at=LATER, trust=trust, report=True)
    outside = verify_dir(path, dump_trust_store(trust).encode(), LATER)
    assert outside.verified == report.verified
    ours = [e for e in report.errors if e.step == "B15"]
    theirs = [(seq, kind) for step, kind, seq in outside.failures if step == "B15"]
    assert theirs == [(e.seq, e.kind) for e in ours]
    return [e.message for e in ours]


def _record(app: CasefileApp, case_id: uuid.UUID, body: str, line: str) -> int:
    with app.session(case_id, OFFICER) as case:
        return case.record_receipt(checkpoint=body, cosignature=line, recipient=CPS_PERSON)


def test_receipt_of_the_first_handover_travels_in_the_second_bundle_and_verifies(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id = handed_over(app)
    handed = checkpoint_note(app, case_id)
    receipted = append_cosignatures(
        handed, (cosign_checkpoint(body_of(handed), CPS_NAME, CPS, seconds_after_t0(60)),)
    )
    seq = app.record_receipt(case_id, OFFICER, receipted=receipted)
    app.add_note(case_id, OFFICER, text="after the receipt")
    path = _bundle(app, case_id, tmp_path / "second")
    result = verify_bundle(path, at=LATER, trust=TRUST)
    assert result.verified
    assert _b15(path) == []
    # V15: confirmed by its own cosignature, so no finding awaits a record.confirmed.
    assert all(f.seq != seq for f in result.findings)
    # B10: the recipient's key travels in the bundle's trust.json.
    carried = parse_trust_store((path / TRUST_FILE).read_bytes())
    assert carried.by_name(CPS_NAME) is not None


def test_forged_cosignature_is_refused(app: CasefileApp, tmp_path: Path) -> None:
    case_id = handed_over(app)
    body = body_of(checkpoint_note(app, case_id))
    made = cosign_checkpoint(body, CPS_NAME, CPS, seconds_after_t0(60))
    forged = Cosignature(made.name, made.key_id, made.timestamp, bytes(64))
    _record(app, case_id, body, forged.line)
    (problem,) = _b15(_bundle(app, case_id, tmp_path / "b"))
    assert "does not verify" in problem


def test_replayed_cosignature_over_another_checkpoint_is_refused(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id = handed_over(app)
    first = body_of(checkpoint_note(app, case_id))
    app.add_note(case_id, OFFICER, text="more")
    app.record_handover(case_id, OFFICER, recipient="CPS", checkpoint=checkpoint_note(app, case_id))
    second = body_of(checkpoint_note(app, case_id))
    # The CPS receipted the first handover; the sender presents it as a receipt for the second.
    line = cosign_checkpoint(first, CPS_NAME, CPS, seconds_after_t0(60)).line
    _record(app, case_id, second, line)
    (problem,) = _b15(_bundle(app, case_id, tmp_path / "b"))
    assert "does not verify" in problem


def test_replayed_cosignature_over_another_origin_is_refused(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id = handed_over(app)
    ours = parse_checkpoint_body(body_of(checkpoint_note(app, case_id)))
    theirs = Checkpoint(f"other.police.uk/{case_id}", ours.size, ours.root).body()
    line = cosign_checkpoint(theirs, CPS_NAME, CPS, seconds_after_t0(60)).line
    _record(app, case_id, theirs, line)  # as cosigned: the origin is not the bundle's
    _record(app, case_id, ours.body(), line)  # as ours: the signature is not over it
    problems = _b15(_bundle(app, case_id, tmp_path / "b"))
    assert len(problems) == 2
    assert "origin 'other.police.uk/" in problems[0]
    assert "does not verify" in problems[1]


def test_receipt_for_a_history_the_sender_then_rewrote_is_refused(tmp_path: Path) -> None:
    # Same case id, same keys, another history: the receipt the CPS gave for the
    # first no longer matches the records before it.
    ticks = clock()
    first = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=lambda: next(ticks))
    rewritten = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=lambda: next(ticks))
    case_id = handed_over(first)
    handed_over(rewritten, case_id)  # notes at other times: other records
    body = body_of(checkpoint_note(first, case_id))
    assert body != body_of(checkpoint_note(rewritten, case_id))
    _record(
        rewritten, case_id, body, cosign_checkpoint(body, CPS_NAME, CPS, seconds_after_t0(60)).line
    )
    (problem,) = _b15(_bundle(rewritten, case_id, tmp_path / "b"))
    assert "not this case's" in problem
    first.close()
    rewritten.close()


def test_receipt_by_a_key_without_the_recipient_or_witness_role_is_refused(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id = handed_over(app)
    body = body_of(checkpoint_note(app, case_id))
    line = cosign_checkpoint(body, "pc-1234", OFFICER, seconds_after_t0(60)).line
    _record(app, case_id, body, line)
    (problem,) = _b15(_bundle(app, case_id, tmp_path / "b"))
    assert "no trusted key holding the role recipient or witness" in problem
    # The application refuses to record it in the first place.
    receipted = append_cosignatures(checkpoint_note(app, case_id), ())
    with pytest.raises(InvalidCommandError, match="holds 0 cosignatures"):
        app.record_receipt(case_id, OFFICER, receipted=receipted)


def test_receipt_naming_another_person_than_the_cosigner_is_refused(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id = handed_over(app)
    body = body_of(checkpoint_note(app, case_id))
    line = cosign_checkpoint(body, CPS_NAME, CPS, seconds_after_t0(60)).line
    other = Custodian("Someone Else", "999", "Crown Prosecution Service", role="recipient")
    with app.session(case_id, OFFICER) as case:
        case.record_receipt(checkpoint=body, cosignature=line, recipient=other)
    (problem,) = _b15(_bundle(app, case_id, tmp_path / "b"))
    assert "someone else than" in problem


def test_receipt_cosigned_after_it_was_recorded_is_refused(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id = handed_over(app)
    body = body_of(checkpoint_note(app, case_id))
    _record(app, case_id, body, cosign_checkpoint(body, CPS_NAME, CPS, seconds_after_t0(3600)).line)
    (problem,) = _b15(_bundle(app, case_id, tmp_path / "b"))
    assert "after the receipt was recorded" in problem


def test_receipt_of_a_checkpoint_that_ends_in_no_handover_is_refused(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id = handed_over(app)
    app.add_note(case_id, OFFICER, text="not handed over")
    body = body_of(checkpoint_note(app, case_id))
    with pytest.raises(InvalidCommandError, match="do not end with a handover"):
        _record(
            app, case_id, body, cosign_checkpoint(body, CPS_NAME, CPS, seconds_after_t0(60)).line
        )


# --- witnesses ---------------------------------------------------------------------


def _witnessed(app: CasefileApp, tmp_path: Path, *cosigners: tuple[int, int]) -> Path:
    """A bundle whose checkpoint carries the cosignatures of (witness, second) pairs."""
    case_id = handed_over(app)
    note = checkpoint_note(app, case_id)
    lines = tuple(
        cosign_checkpoint(body_of(note), WITNESS_NAMES[w], WITNESSES[w], seconds_after_t0(s))
        for w, s in cosigners
    )
    return _bundle(app, case_id, tmp_path / "w", append_cosignatures(note, lines))


def test_checkpoint_cosigned_by_k_witnesses_meets_thewitness_policy(
    app: CasefileApp, tmp_path: Path
) -> None:
    path = _witnessed(app, tmp_path, (0, 30), (2, 31))
    assert verify_bundle(path, at=LATER, trust=witness_policy(2)).verified
    assert _b15(path, witness_policy(2)) == []
    # The witnesses' keys travel with the bundle (B10 looks for them).
    carried = parse_trust_store((path / TRUST_FILE).read_bytes())
    assert {WITNESS_NAMES[0], WITNESS_NAMES[2]} <= {e.name for e in carried}


def test_witness_policy_not_met_with_k_minus_one_witnesses_is_refused(
    app: CasefileApp, tmp_path: Path
) -> None:
    path = _witnessed(app, tmp_path, (1, 30))
    (problem,) = _b15(path, witness_policy(2))
    assert "needs 2 of the 3 named witnesses" in problem
    assert "1 did (witness.example/w1)" in problem


def test_one_witness_cosigning_twice_counts_once(app: CasefileApp, tmp_path: Path) -> None:
    path = _witnessed(app, tmp_path, (1, 30), (1, 40))
    (problem,) = _b15(path, witness_policy(2))
    assert "1 did" in problem


def test_forged_witness_cosignature_is_refused(app: CasefileApp, tmp_path: Path) -> None:
    case_id = handed_over(app)
    note = checkpoint_note(app, case_id)
    good = cosign_checkpoint(body_of(note), WITNESS_NAMES[0], WITNESSES[0], seconds_after_t0(30))
    made = cosign_checkpoint(body_of(note), WITNESS_NAMES[1], WITNESSES[1], seconds_after_t0(30))
    forged = Cosignature(made.name, made.key_id, made.timestamp + 1, made.signature)
    path = _bundle(app, case_id, tmp_path / "w", append_cosignatures(note, (good, forged)))
    problems = _b15(path, witness_policy(1))
    assert len(problems) == 1
    assert "does not verify" in problems[0]


def test_witness_cosignature_is_ignored_without_a_policy_and_v12_still_passes(
    app: CasefileApp, tmp_path: Path
) -> None:
    path = _witnessed(app, tmp_path, (0, 30))
    assert verify_bundle(path, at=LATER, trust=TRUST).verified
    assert _b15(path) == []


# --- a receipt binds the sender outside the bundle too: verify --previous --------------------


def test_rollback_to_shorter_bundle_with_receipt_for_longer_is_refused(
    app: CasefileApp, tmp_path: Path
) -> None:
    # The sender hands over an older, shorter bundle after the CPS receipted a longer one.
    case_id = app.open_case(OFFICER, offence="Burglary", channel="online", reference="01YE0000126")
    app.add_note(case_id, OFFICER, text="first")
    shorter = _bundle(app, case_id, tmp_path / "shorter")
    app.add_note(case_id, OFFICER, text="second")
    app.record_handover(case_id, OFFICER, recipient="CPS", checkpoint=checkpoint_note(app, case_id))
    handed = checkpoint_note(app, case_id)
    receipted = append_cosignatures(
        handed, (cosign_checkpoint(body_of(handed), CPS_NAME, CPS, seconds_after_t0(60)),)
    )
    kept = tmp_path / "receipted.txt"
    kept.write_text(receipted, "utf-8")
    result = verify_bundle(shorter, at=LATER, trust=TRUST, keep_history=True)
    assert result.verified  # on its own, the older bundle verifies
    with pytest.raises(RollbackError, match="rollback"):
        check_extends(result, receipted, trust=TRUST, at=LATER)
    trust_file = tmp_path / "trust.json"
    trust_file.write_text(dump_trust_store(TRUST), "utf-8")
    at = "2030-01-01T00:00:00Z"
    refused = run_cli(["verify", shorter, "--trust", trust_file, "--previous", kept, "--at", at])
    assert refused.code == 1, refused.err + refused.out
    assert "rollback" in refused.out + refused.err
    # The receipted checkpoint itself is accepted as --previous (its cosignature line ignored).
    longer = _bundle(app, case_id, tmp_path / "longer", handed)
    accepted = run_cli(["verify", longer, "--trust", trust_file, "--previous", kept, "--at", at])
    assert accepted.code == 0, accepted.out


def test_witness_cosignature_from_before_the_last_record_does_not_count(
    app: CasefileApp, tmp_path: Path
) -> None:
    # Witness 0 cosigned at T0, before the case's records were made: it cannot have seen them.
    path = _witnessed(app, tmp_path, (0, -3600), (1, 30))
    (problem,) = _b15(path, witness_policy(2))
    assert "1 did (witness.example/w1)" in problem
    assert "witness.example/w0 cosigned before the last record was made" in problem
