"""Inclusion proofs of single records (docs/FORMAT.md §9.9): what a third party is shown.

The proof is checked here twice: by the library, and by an independent reading of the
c2sp.org/tlog-proof format with a from-scratch RFC 9162 §2.1.3.2 check.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _casebuilder import AT, CaseBuilder, World, signer_from
from casefile.bundle import (
    DISCLOSE_ALL,
    BundleVerification,
    check_record_proof,
    prove_record,
    verify_bundle,
    write_bundle,
)
from casefile.errors import (
    CasefileError,
    CheckpointMismatchError,
    CheckpointSignatureError,
    ProofError,
)
from casefile.signing import TrustStore, parse_record

WORLD = World()
LOG = "test.police.uk/log"


def _verified(dest: Path, case: CaseBuilder) -> tuple[BundleVerification, str]:
    note = WORLD.checkpoint(case)
    write_bundle(
        dest,
        case_id=case.case_id,
        records=iter(case.records),
        disclosures=iter(case.disclosures),
        trust=WORLD.trust,
        checkpoint_note=note,
        signer=WORLD.log,
        disclosure_policy=DISCLOSE_ALL,
    )
    result = verify_bundle(dest, at=AT, trust=WORLD.trust, keep_history=True)
    return result, note


@pytest.fixture(scope="module")
def proven(tmp_path_factory: pytest.TempPathFactory) -> tuple[CaseBuilder, BundleVerification, str]:
    case = WORLD.case(11)
    result, note = _verified(tmp_path_factory.mktemp("p") / "b", case)
    return case, result, note


def _outside_reading(text: str) -> tuple[int, list[bytes], str]:
    """c2sp.org/tlog-proof@v1 read from the spec: header, index, hashes, blank line, note."""
    lines = text.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert not lines[1].startswith("extra ")
    assert lines[1].startswith("index ")
    index = int(lines[1][len("index ") :])
    blank = lines.index("", 2)
    hashes = [base64.b64decode(h, validate=True) for h in lines[2:blank]]
    return index, hashes, "\n".join(lines[blank + 1 :])


def _outside_root(leaf: bytes, index: int, size: int, proof: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2, from the RFC's text."""
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ValueError("too long")
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("too short")
    return r


@pytest.mark.parametrize("seq", [1, 6, 11])
def test_proof_of_a_record_is_a_tlog_proof_an_outside_reader_checks(
    proven: tuple[CaseBuilder, BundleVerification, str], seq: int
) -> None:
    case, result, note = proven
    text = prove_record(result, note, seq)
    index, hashes, carried = _outside_reading(text)
    assert (index, carried) == (seq - 1, note)
    _, size, root = note.split("\n")[:3]
    leaf = hashlib.sha256(b"\x00" + case.records[seq - 1]).digest()
    assert _outside_root(leaf, index, int(size), hashes) == base64.b64decode(root)
    shown = check_record_proof(text, case.records[seq - 1], trust=WORLD.trust, at=AT)
    assert (shown.seq, shown.case_id, shown.checkpoint.size) == (seq, case.case_id, 11)


def test_proof_presented_for_another_record_is_refused(
    proven: tuple[CaseBuilder, BundleVerification, str],
) -> None:
    case, result, note = proven
    text = prove_record(result, note, 4)
    with pytest.raises(ProofError):
        check_record_proof(text, case.records[4], trust=WORLD.trust, at=AT)


def test_proof_against_another_checkpoint_is_refused(
    proven: tuple[CaseBuilder, BundleVerification, str],
) -> None:
    case, result, note = proven
    shorter = WORLD.checkpoint(case, 10)
    text = prove_record(result, note, 4).replace(note, shorter)
    with pytest.raises(ProofError):
        check_record_proof(text, case.records[3], trust=WORLD.trust, at=AT)


def test_proof_of_an_altered_record_is_refused(
    proven: tuple[CaseBuilder, BundleVerification, str],
) -> None:
    case, result, note = proven
    text = prove_record(result, note, 4)
    # The same case re-signed with other words at record 4: a record the force never handed.
    other = CaseBuilder(case.case_id)
    for i in range(4):
        other.add(WORLD.alice if i % 2 == 0 else WORLD.bob, data={"text": f"altered {i}"})
    with pytest.raises(ProofError):
        check_record_proof(text, other.records[3], trust=WORLD.trust, at=AT)


def test_proof_whose_checkpoint_no_trusted_key_signed_is_refused(
    proven: tuple[CaseBuilder, BundleVerification, str],
) -> None:
    case, result, note = proven
    forged = case.checkpoint(signer_from("stranger"), LOG)
    text = prove_record(result, note, 4).replace(note, forged)
    with pytest.raises(CasefileError):
        check_record_proof(text, case.records[3], trust=WORLD.trust, at=AT)


def test_proof_of_a_record_of_another_case_is_refused(
    proven: tuple[CaseBuilder, BundleVerification, str],
) -> None:
    case, result, note = proven
    text = prove_record(result, note, 1)
    other = WORLD.case(3, case_id=case.case_id.__class__(int=4242))
    with pytest.raises((ProofError, CheckpointMismatchError)):
        check_record_proof(text, other.records[0], trust=WORLD.trust, at=AT)


def test_proof_checked_with_a_store_lacking_the_signer_is_refused(
    proven: tuple[CaseBuilder, BundleVerification, str],
) -> None:
    case, result, note = proven
    text = prove_record(result, note, 1)
    only_log = TrustStore([e for e in WORLD.trust.entries if "log" in e.name])
    with pytest.raises(CasefileError, match="not in the trust store"):
        check_record_proof(text, case.records[0], trust=only_log, at=AT)


def _log_revoked(at_ns: int) -> TrustStore:
    entries = [replace(e, revoked_at=at_ns) if "log" in e.name else e for e in WORLD.trust.entries]
    return TrustStore(entries, WORLD.trust.policy)


def test_proof_whose_checkpoint_key_was_revoked_by_the_record_time_is_refused(
    proven: tuple[CaseBuilder, BundleVerification, str],
) -> None:
    # A compromised checkpoint key, revoked at or before the record was made, cannot have
    # signed a checkpoint over it: V12's rule, with the record's time the latest one known.
    case, result, note = proven
    text = prove_record(result, note, 4)
    made = parse_record(case.records[3]).header.time_ns
    with pytest.raises(CasefileError, match="no trusted key has signed"):
        check_record_proof(text, case.records[3], trust=_log_revoked(made), at=AT)
    shown = check_record_proof(text, case.records[3], trust=_log_revoked(made + 1), at=AT)
    assert shown.seq == 4


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_changed_byte_of_a_proof_is_refused_or_unparsable(
    proven: tuple[CaseBuilder, BundleVerification, str], data: st.DataObject
) -> None:
    case, result, note = proven
    seq = data.draw(st.integers(min_value=1, max_value=11), label="record")
    raw = bytearray(prove_record(result, note, seq).encode("utf-8"))
    at = data.draw(st.integers(min_value=0, max_value=len(raw) - 1), label="byte")
    raw[at] ^= data.draw(st.integers(min_value=1, max_value=255), label="flip")
    try:
        shown = check_record_proof(bytes(raw), case.records[seq - 1], trust=WORLD.trust, at=AT)
    except CasefileError:
        return
    # A change the format cannot see: only in a signature line of a key not in the store.
    assert shown.seq == seq
    assert (
        bytes(raw).split(b"\n\n", 1)[0]
        == prove_record(result, note, seq).encode().split(b"\n\n", 1)[0]
    )


def test_proof_whose_checkpoint_key_was_revoked_before_the_record_was_made_is_refused(
    proven: tuple[CaseBuilder, BundleVerification, str],
) -> None:
    # A checkpoint covers records made before it, so a key revoked (its compromise begun)
    # before the record was made cannot have signed a checkpoint of it, as V12 judges a
    # bundle's: otherwise a stolen checkpoint key could still vouch for any tree.
    case, result, note = proven
    text = prove_record(result, note, 4)
    made = parse_record(case.records[3]).header.time_ns
    trust = TrustStore(
        [
            dataclasses.replace(e, revoked_at=made - 1) if "log" in e.name else e
            for e in WORLD.trust.entries
        ]
    )
    with pytest.raises(CheckpointSignatureError):
        check_record_proof(text, case.records[3], trust=trust, at=AT)
    expired = TrustStore(
        [
            dataclasses.replace(e, valid_until=made) if "log" in e.name else e
            for e in WORLD.trust.entries
        ]
    )
    with pytest.raises(CheckpointSignatureError):
        check_record_proof(text, case.records[3], trust=expired, at=AT)
