"""Every way of tampering with a case is rejected with its specific error."""

from __future__ import annotations

import multiprocessing
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from _casebuilder import AT, T0, CaseBuilder, World, entry_for
from casefile.errors import (
    BadSignatureError,
    BrokenLinkError,
    CheckpointMismatchError,
    CheckpointSignatureError,
    DisclosureError,
    KeyNotValidError,
    KeyRoleError,
    MalformedRecordError,
    SequenceError,
    UnknownKeyError,
    UnknownSchemaError,
    VerificationError,
    WrongCaseError,
)
from casefile.signing._commitments import Disclosure
from casefile.signing._records import parse_record, signing_input
from casefile.signing._trust import TrustStore
from casefile.verifier import _pool, _worker, report_case, verify_case

WORLD = World()
CASE = WORLD.case(12)
CHECKPOINT = WORLD.checkpoint(CASE)
CASE_LABEL = str(CASE.case_id)


def verify(records: list[bytes], **kw: object) -> object:
    kw.setdefault("trust", WORLD.trust)
    kw.setdefault("at", AT)
    kw.setdefault("disclosures", CASE.disclosures)
    return verify_case(records, workers=1, **kw)  # type: ignore[arg-type]


def expect(error: type[VerificationError], seq: int | None, records: list[bytes], **kw: object):
    with pytest.raises(error) as caught:
        verify(records, **kw)
    assert caught.value.case_id == CASE_LABEL
    assert caught.value.seq == seq
    return caught.value


def test_untouched_case_verifies_with_every_disclosure() -> None:
    case = verify(CASE.records, checkpoint=CHECKPOINT)
    assert case.size == 12
    assert case.records[0].disclosed == {"date_of_birth": "1990-01-01", "name": "Person 0"}
    assert case.checkpoint is not None
    assert case.checkpoint.size == 12


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=1, max_value=8), st.integers(min_value=1, max_value=5), st.booleans())
def test_no_false_alarms_on_any_untouched_case(n: int, case_int: int, disclose: bool) -> None:
    builder = WORLD.case(n, case_id=uuid.UUID(int=case_int))
    report = report_case(
        builder.records,
        trust=WORLD.trust,
        at=AT,
        disclosures=builder.disclosures if disclose else (),
        checkpoint=WORLD.checkpoint(builder),
        workers=1,
    )
    assert report.verified, report.errors
    assert report.size == n


@settings(max_examples=150)
@given(st.data())
def test_bit_flip_anywhere_is_rejected_at_that_record(data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(CASE.records) - 1))
    record = CASE.records[index]
    bit = data.draw(st.integers(min_value=0, max_value=len(record) * 8 - 1))
    flipped = bytearray(record)
    flipped[bit // 8] ^= 1 << (bit % 8)
    records = list(CASE.records)
    records[index] = bytes(flipped)
    with pytest.raises(VerificationError) as caught:
        verify(records, checkpoint=CHECKPOINT)
    assert caught.value.seq == index + 1


@given(st.integers(min_value=0, max_value=10))
def test_dropped_record_is_rejected(index: int) -> None:
    records = CASE.records[:index] + CASE.records[index + 1 :]
    expect(SequenceError, index + 1, records)


@given(st.integers(min_value=0, max_value=11))
def test_duplicated_record_is_rejected(index: int) -> None:
    records = CASE.records[: index + 1] + CASE.records[index:]
    expect(SequenceError, index + 2, records)


@given(st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=11))
def test_reordered_records_are_rejected(index: int, gap: int) -> None:
    other = min(index + gap, 11)
    if other == index:
        return
    records = list(CASE.records)
    records[index], records[other] = records[other], records[index]
    expect(SequenceError, index + 1, records)


def test_inserted_record_signed_by_a_trusted_insider_breaks_the_link() -> None:
    # An insider re-seals a forged record 5 on the real record 4: valid
    # signature, right sequence and link, but the real record 6 no longer links.
    forged = CaseBuilder(CASE.case_id)
    for rec in CASE.sealed[:4]:
        forged.records.append(rec.raw)
        forged.sealed.append(rec)
    forged.add(WORLD.bob, data={"text": "forged"})
    records = forged.records + CASE.records[5:]
    expect(BrokenLinkError, 6, records, disclosures=())


def test_truncated_tail_is_rejected_given_a_checkpoint() -> None:
    kept = [d for d in CASE.disclosures if d.seq <= 10]
    error = expect(
        CheckpointMismatchError, 11, CASE.records[:10], checkpoint=CHECKPOINT, disclosures=kept
    )
    assert "missing from the tail" in str(error)


def test_extended_tail_is_rejected_given_a_checkpoint() -> None:
    expect(CheckpointMismatchError, 11, CASE.records, checkpoint=WORLD.checkpoint(CASE, 10))


def test_rewritten_history_with_same_size_fails_the_checkpoint_root() -> None:
    # Someone rebuilds the whole case with one altered record, re-signing
    # everything with trusted keys: only the checkpoint given earlier catches it.
    rebuilt = CaseBuilder(CASE.case_id)
    for i in range(12):
        signer = WORLD.alice if i % 2 == 0 else WORLD.bob
        rebuilt.add(signer, data={"text": "rewritten" if i == 3 else f"note {i + 1}"})
    with pytest.raises(CheckpointMismatchError, match="root"):
        verify(rebuilt.records, checkpoint=CHECKPOINT, disclosures=())


def test_record_of_another_case_spliced_in_is_rejected() -> None:
    other = WORLD.case(12, case_id=uuid.UUID(int=999))
    records = list(CASE.records)
    records[6] = other.records[6]
    expect(WrongCaseError, 7, records, disclosures=())


def test_signature_replaced_by_another_trusted_keys_signature_is_rejected() -> None:
    parsed = parse_record(CASE.records[4])
    other_signer = WORLD.alice if parsed.header.key_id == WORLD.bob.public_key.key_id else WORLD.bob
    new_sig = other_signer.sign(signing_input(parsed.header_bytes))
    records = list(CASE.records)
    records[4] = CASE.records[4][: -len(new_sig)] + new_sig
    expect(BadSignatureError, 5, records)


def test_key_removed_from_trust_store_is_rejected() -> None:
    trust = WORLD.trust
    kept = [e for e in trust.entries if e.key_id != WORLD.bob.public_key.key_id]
    expect(UnknownKeyError, 2, CASE.records, trust=TrustStore(kept, trust.policy))


@pytest.mark.parametrize(
    ("window", "why"),
    [
        ({"valid_from": T0 + 365 * 24 * 3600 * 10**9}, "not yet valid"),
        ({"valid_until": T0 + 60 * 10**9}, "expired"),
        ({"revoked_at": T0 + 60 * 10**9}, "revoked"),
    ],
)
def test_key_used_outside_its_validity_window_is_rejected(window: dict, why: str) -> None:
    trust = WORLD.trust
    entries = [
        entry_for(WORLD.bob, e.name, e.roles, **window)
        if e.key_id == WORLD.bob.public_key.key_id
        else e
        for e in trust.entries
    ]
    expect(KeyNotValidError, 2, CASE.records, trust=TrustStore(entries, trust.policy))


def test_key_without_the_role_for_the_event_type_is_rejected() -> None:
    trust = WORLD.trust
    entries = [
        entry_for(WORLD.bob, e.name, frozenset({"viewer"}))
        if e.key_id == WORLD.bob.public_key.key_id
        else e
        for e in trust.entries
    ]
    expect(KeyRoleError, 2, CASE.records, trust=TrustStore(entries, trust.policy))


def test_unregistered_event_type_is_rejected_when_types_are_given() -> None:
    expect(UnknownSchemaError, 1, CASE.records, known_types={"case.opened": frozenset({1})})


@given(
    st.sampled_from([i for i, d in enumerate(CASE.disclosures) if isinstance(d, Disclosure)]),
    st.text(min_size=1, max_size=10),
)
def test_altered_disclosure_is_rejected(index: int, new_value: str) -> None:
    original = CASE.disclosures[index]
    assert isinstance(original, Disclosure)
    if new_value == original.value:
        return
    disclosures = list(CASE.disclosures)
    disclosures[index] = Disclosure(
        original.case_id, original.seq, original.name, original.salt, new_value
    )
    expect(DisclosureError, original.seq, CASE.records, disclosures=disclosures)


def test_disclosure_for_a_missing_commitment_is_rejected() -> None:
    d = CASE.disclosures[0]
    fake = Disclosure(d.case_id, 2, "name", d.salt, d.value)
    disclosures = [*CASE.disclosures[:2], fake, *CASE.disclosures[2:]]
    expect(DisclosureError, 2, CASE.records, disclosures=disclosures)


def test_withheld_disclosures_verify_and_are_reported_as_a_finding() -> None:
    case = verify(CASE.records, disclosures=())
    assert [f.kind for f in case.findings] == ["withheld_fields"]
    assert case.records[0].disclosed == {}


def test_checkpoint_signed_by_an_officer_key_is_rejected() -> None:
    forged = CASE.checkpoint(WORLD.alice, "test.police.uk/officer/alice")
    expect(CheckpointSignatureError, None, CASE.records, checkpoint=forged)


def test_checkpoint_for_another_case_is_rejected() -> None:
    other = WORLD.case(12, case_id=uuid.UUID(int=4242))
    with pytest.raises(CheckpointMismatchError, match="origin"):
        verify(CASE.records, checkpoint=WORLD.checkpoint(other))


def test_garbage_record_is_malformed_and_named_by_position() -> None:
    records = [*CASE.records[:3], b"\x00not a record", *CASE.records[4:]]
    expect(MalformedRecordError, 4, records)


def test_report_lists_every_error_and_keeps_walking() -> None:
    records = list(CASE.records)
    records[2] = records[2][:-1] + bytes([records[2][-1] ^ 1])
    del records[8]
    report = report_case(
        records, trust=WORLD.trust, at=AT, disclosures=CASE.disclosures, checkpoint=CHECKPOINT
    )
    assert not report.verified
    kinds = [(e.kind, e.seq) for e in report.errors]
    assert ("bad_signature", 3) in kinds
    assert ("broken_link", 4) in kinds
    assert ("sequence", 9) in kinds
    assert len([k for k in kinds if k[0] == "sequence"]) == 1
    assert any(e.kind == "checkpoint_mismatch" for e in report.errors)


def test_parallel_and_serial_verification_agree_on_a_large_tampered_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small chunks so that this case takes the process-pool path; the spy
    # proves it did.
    monkeypatch.setattr(_pool, "CHUNK_SIZE", 256)
    monkeypatch.setattr(_pool, "PARALLEL_AFTER_CHUNKS", 2)
    pools: list[object] = []

    class SpyPool(_pool.ProcessPoolExecutor):
        def __init__(self, *args: object, **kwargs: object) -> None:
            pools.append(self)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_pool, "ProcessPoolExecutor", SpyPool)
    # The forked pool, even if an earlier test left a thread running.
    monkeypatch.setattr(_pool, "_fork_context", lambda: multiprocessing.get_context("fork"))
    big = WORLD.case(2600, case_id=uuid.UUID(int=77), personal=False)
    checkpoint = WORLD.checkpoint(big)
    serial = verify_case(big.records, trust=WORLD.trust, at=AT, checkpoint=checkpoint, workers=1)
    assert not pools
    parallel = verify_case(big.records, trust=WORLD.trust, at=AT, checkpoint=checkpoint, workers=2)
    assert len(pools) == 1
    assert serial.root == parallel.root
    assert serial.size == parallel.size == 2600
    assert [r.hash for r in serial.records] == [r.hash for r in parallel.records]
    records = list(big.records)
    records[2345] = records[2345][:-1] + bytes([records[2345][-1] ^ 0x80])
    for workers in (1, 2):
        with pytest.raises(BadSignatureError) as caught:
            verify_case(records, trust=WORLD.trust, at=AT, workers=workers)
        assert caught.value.seq == 2346


def test_small_inputs_are_verified_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # Below the threshold no worker process is started, whatever `workers` says.
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process pool was started for a small input")

    monkeypatch.setattr(_pool, "ProcessPoolExecutor", refuse)
    monkeypatch.setattr(_worker, "_start", refuse)
    case = verify_case(CASE.records, trust=WORLD.trust, at=AT, workers=8)
    assert case.size == len(CASE.records)


class TamperMachine(RuleBasedStateMachine):
    """Grow a case; the untouched case always verifies, any tampering never does."""

    def __init__(self) -> None:
        super().__init__()
        self.case = CaseBuilder(uuid.UUID(int=31337))

    @rule(officer=st.sampled_from(["alice", "bob"]), personal=st.booleans())
    def append(self, officer: str, personal: bool) -> None:
        signer = WORLD.alice if officer == "alice" else WORLD.bob
        if personal:
            person = uuid.UUID(int=len(self.case.records) + 1).bytes
            data = {"person_id": person, "role": "witness"}
            self.case.add(signer, "person.added", data, personal={"name": "Sam Roe"})
        else:
            self.case.add(signer)

    @invariant()
    def untouched_case_verifies(self) -> None:
        if self.case.records:
            report = report_case(
                self.case.records,
                trust=WORLD.trust,
                at=AT,
                disclosures=self.case.disclosures,
                checkpoint=WORLD.checkpoint(self.case),
                workers=1,
            )
            assert report.verified, report.errors

    @precondition(lambda self: len(self.case.records) >= 2)
    @rule(data=st.data())
    def any_single_tampering_is_caught(self, data: st.DataObject) -> None:
        records = list(self.case.records)
        n = len(records)
        i = data.draw(st.integers(min_value=0, max_value=n - 1))
        how = data.draw(st.sampled_from(["drop", "duplicate", "swap", "truncate", "flip"]))
        if how == "drop":
            del records[i]
        elif how == "duplicate":
            records.insert(i, records[i])
        elif how == "swap":
            j = (i + 1) % n
            records[i], records[j] = records[j], records[i]
        elif how == "truncate":
            records = records[:i]
        else:
            records[i] = records[i][:-1] + bytes([records[i][-1] ^ 1])
        report = report_case(
            records,
            trust=WORLD.trust,
            at=AT,
            disclosures=self.case.disclosures,
            checkpoint=WORLD.checkpoint(self.case),
            workers=1,
        )
        assert not report.verified


TamperMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=12, deadline=None)
test_tamper_machine = TamperMachine.TestCase


def test_checkpoint_by_a_log_key_revoked_before_the_last_record_is_rejected() -> None:
    trust = WORLD.trust
    entries = [
        entry_for(WORLD.log, e.name, e.roles, revoked_at=T0 + 3900 * 10**9)
        if e.key_id == WORLD.log.public_key.key_id
        else e
        for e in trust.entries
    ]
    expect(
        CheckpointSignatureError,
        None,
        CASE.records,
        trust=TrustStore(entries, trust.policy),
        checkpoint=CHECKPOINT,
    )
