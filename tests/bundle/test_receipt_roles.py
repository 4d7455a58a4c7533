"""B15: a key that signs a case's checkpoints is the sender's, so it can neither receipt its own
handover nor count as a witness of its own checkpoint, whatever other role a trust list gives it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from _receiptcase import (
    ENTRIES,
    TRUST,
    WITNESS_NAMES,
    WITNESSES,
    body_of,
    checkpoint_note,
    clock,
    handed_over,
    seconds_after_t0,
)
from application.conftest import CHECKPOINTER, OFFICER
from casefile.application import CasefileApp, StoreConfig
from casefile.bundle import verify_bundle, write_bundle
from casefile.events._custody_values import Custodian
from casefile.signing._cosignature import append_cosignatures, cosign_checkpoint
from casefile.signing._trust import TrustPolicy, TrustStore
from casefile.signing._trust_json import dump_trust_store
from independent._spec_verifier import verify_dir

# The checkpoint service's key, given the recipient and witness roles as well.
SUITE = next(e for e in ENTRIES if e.name == "custody-suite")
BOTH = dataclasses.replace(SUITE, roles=frozenset({"checkpoint", "recipient", "witness"}))
DOUBLE = [BOTH if e is SUITE else e for e in ENTRIES]


@pytest.fixture
def app() -> Iterator[CasefileApp]:
    ticks = clock()
    made = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=lambda: next(ticks))
    yield made
    made.close()


def _bundle(app: CasefileApp, case_id: uuid.UUID, dest: Path, trust: TrustStore, note: str) -> Path:
    write_bundle(
        dest,
        case_id=case_id,
        records=app.records(case_id),
        disclosures=iter(()),
        trust=trust,
        checkpoint_note=note,
        signer=CHECKPOINTER,
    )
    return dest


def _b15(path: Path, trust: TrustStore) -> list[str]:
    at = max(e.valid_from for e in trust.entries) + 10**15
    report = verify_bundle(path, at=at, trust=trust, report=True)
    outside = verify_dir(path, dump_trust_store(trust).encode(), at)
    ours = [e for e in report.errors if e.step == "B15"]
    theirs = [(seq, kind) for step, kind, seq in outside.failures if step == "B15"]
    assert theirs == [(e.seq, e.kind) for e in ours]
    assert outside.verified == report.verified
    return [e.message for e in ours]


def test_sender_receipting_its_own_handover_with_its_checkpoint_key_is_refused(
    app: CasefileApp, tmp_path: Path
) -> None:
    trust = TrustStore(DOUBLE)
    case_id = handed_over(app)
    body = body_of(checkpoint_note(app, case_id))
    line = cosign_checkpoint(body, SUITE.name, CHECKPOINTER, seconds_after_t0(60)).line
    by = Custodian.from_holder(SUITE.holder, role="recipient")
    with app.session(case_id, OFFICER) as case:
        case.record_receipt(checkpoint=body, cosignature=line, recipient=by)
    note = checkpoint_note(app, case_id)
    (problem,) = _b15(_bundle(app, case_id, tmp_path / "b", trust, note), trust)
    assert "also signs the case's checkpoints" in problem


def test_checkpoint_key_cosigning_its_own_checkpoint_is_no_witness(
    app: CasefileApp, tmp_path: Path
) -> None:
    names = frozenset({*WITNESS_NAMES, SUITE.name})
    policy = TrustPolicy(
        TRUST.policy.record_roles, TRUST.policy.checkpoint_roles, names, witness_threshold=2
    )
    trust = TrustStore(DOUBLE, policy)
    case_id = handed_over(app)
    note = checkpoint_note(app, case_id)
    lines = (
        cosign_checkpoint(body_of(note), WITNESS_NAMES[0], WITNESSES[0], seconds_after_t0(30)),
        cosign_checkpoint(body_of(note), SUITE.name, CHECKPOINTER, seconds_after_t0(30)),
    )
    path = _bundle(app, case_id, tmp_path / "w", trust, append_cosignatures(note, lines))
    (problem,) = _b15(path, trust)
    assert "1 did (witness.example/w0)" in problem
    assert "custody-suite also signs the case's checkpoints" in problem
