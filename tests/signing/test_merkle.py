"""RFC 9162 Merkle trees: public vectors, a real CT log, and properties against a reference."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _vectors import vector_path
from casefile.errors import ProofError
from casefile.signing._merkle import (
    EMPTY_ROOT,
    MAX_PROOF_HASHES,
    MerkleAccumulator,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


# --- a deliberately naive reference, straight from the RFC 9162 text ----------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes (the leaves are already hashed)."""
    if len(d) == 0:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:])).digest()


def ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def _leaves(n: int, salt: int = 0) -> list[bytes]:
    # Distinct leaves, so that moving an index can never land on an equal leaf.
    return [leaf_hash(salt.to_bytes(4, "big") + i.to_bytes(8, "big")) for i in range(n)]


def _flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --- known values --------------------------------------------------------------


def test_known_hashes_match_rfc6962_values() -> None:
    assert EMPTY_ROOT.hex() == ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle_root([]) == EMPTY_ROOT
    assert merkle_root([a]) == a
    assert merkle_root([a, b]) == node_hash(a, b)


def test_leaf_hash_of_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        merkle_root([b"\x00" * 32, b"\x00" * 31])
    acc = MerkleAccumulator()
    with pytest.raises(ValueError, match="32 bytes"):
        acc.append(b"\x00" * 33)
    assert acc.size == 0


def test_impossible_proof_requests_are_refused() -> None:
    leaves = _leaves(5)
    for index in (-1, 5):
        with pytest.raises(ValueError, match="outside"):
            inclusion_proof(leaves, index)
    for old_size in (0, 6, -1):
        with pytest.raises(ValueError, match="between 1"):
            consistency_proof(leaves, old_size)


# --- public vectors ------------------------------------------------------------


def _verdict(case: dict[str, Any]) -> ProofError | None:
    proof = [_b64(p) for p in case["proof"] or []]
    try:
        if "leafIdx" in case:
            verify_inclusion(
                _b64(case["leafHash"]),
                case["leafIdx"],
                case["treeSize"],
                proof,
                _b64(case["root"]),
            )
        else:
            verify_consistency(
                case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), proof
            )
    except ProofError as exc:
        return exc
    return None


@pytest.mark.parametrize("family", ["inclusion", "consistency"])
def test_verdicts_agree_with_every_transparency_dev_vector(family: str) -> None:
    folder = vector_path("merkle", family)
    files = sorted(folder.rglob("*.json"))
    disagreements = []
    for path in files:
        case = json.loads(path.read_text(encoding="utf-8"))
        error = _verdict(case)
        if (error is not None) != case["wantErr"]:
            disagreements.append(f"{path.relative_to(folder)} ({case['desc']}): {error}")
    assert disagreements == []
    # The folders hold about a hundred probes each: a silently empty glob must fail.
    assert len(files) >= 90


def test_vectors_include_both_verdicts() -> None:
    wanted = set()
    for family in ("inclusion", "consistency"):
        for path in vector_path("merkle", family).rglob("*.json"):
            wanted.add(json.loads(path.read_text(encoding="utf-8"))["wantErr"])
    assert wanted == {True, False}


# The argon2020 files are a real CT log's get-sth, get-entries (index 10000),
# get-proof-by-hash and get-sth-consistency?first=3654490 responses. The old
# size and root are those the upstream test (golang.org/x/mod/sumdb/tlog,
# ct_test.go) checks the consistency proof against.
ARGON_OLD_SIZE = 3654490
ARGON_OLD_ROOT = _b64("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=")


def _argon() -> dict[str, Any]:
    folder = vector_path("ct", "argon2020")
    return {
        name: json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        for name in ("sth", "entries", "proof", "consistency")
    }


def test_real_ct_inclusion_proof_verifies_and_a_forged_entry_does_not() -> None:
    data = _argon()
    sth, proof = data["sth"], data["proof"]
    entry = _b64(data["entries"]["entries"][0]["leaf_input"])
    path = [_b64(p) for p in proof["audit_path"]]
    root = _b64(sth["sha256_root_hash"])
    assert proof["leaf_index"] == 10000
    verify_inclusion(leaf_hash(entry), 10000, sth["tree_size"], path, root)
    forged = entry[:-1] + bytes([entry[-1] ^ 1])
    with pytest.raises(ProofError):
        verify_inclusion(leaf_hash(forged), 10000, sth["tree_size"], path, root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf_hash(entry), 10001, sth["tree_size"], path, root)


def test_real_ct_consistency_proof_verifies_and_a_rolled_back_root_does_not() -> None:
    data = _argon()
    sth = data["sth"]
    path = [_b64(p) for p in data["consistency"]["consistency"]]
    root = _b64(sth["sha256_root_hash"])
    size = sth["tree_size"]
    verify_consistency(ARGON_OLD_SIZE, size, ARGON_OLD_ROOT, root, path)
    with pytest.raises(ProofError):
        verify_consistency(ARGON_OLD_SIZE, size, _flip(ARGON_OLD_ROOT, 0), root, path)
    with pytest.raises(ProofError):
        verify_consistency(ARGON_OLD_SIZE + 1, size, ARGON_OLD_ROOT, root, path)


# --- properties ----------------------------------------------------------------

hashes = st.lists(st.binary(min_size=32, max_size=32), max_size=70)


@given(hashes)
@settings(max_examples=150)
def test_root_equals_rfc_reference(leaves: list[bytes]) -> None:
    assert merkle_root(leaves) == ref_mth(leaves)


@given(st.integers(0, 300))
@settings(max_examples=25)
def test_accumulator_equals_batch_root_at_every_prefix(n: int) -> None:
    leaves = _leaves(n, salt=n)
    acc = MerkleAccumulator()
    assert acc.root() == EMPTY_ROOT
    for i, h in enumerate(leaves, 1):
        acc.append(h)
        assert acc.size == i
        assert acc.root() == merkle_root(leaves[:i])


def test_accumulator_matches_batch_root_across_many_buffer_flushes() -> None:
    chunk = MerkleAccumulator.CHUNK
    leaves = _leaves(4 * chunk + 3)
    acc = MerkleAccumulator()
    roots = []
    buffer = bytearray(32)
    for h in leaves:
        # One reused buffer, as a reader might pass: it must be copied, not kept.
        buffer[:] = h
        acc.append(buffer)  # type: ignore[arg-type]
        roots.append(acc.root())
    # Every prefix is checked against a streamed reference, in linear time.
    ref = MerkleAccumulator()
    for i, h in enumerate(leaves):
        ref.append(h)
        assert roots[i] == ref.root()
    for size in (1, chunk - 1, chunk, chunk + 1, 2 * chunk, 3 * chunk + 1, len(leaves)):
        assert roots[size - 1] == ref_mth(leaves[:size])


@given(st.integers(0, 3000), st.integers(1, 700))
@settings(max_examples=30)
def test_accumulator_extend_in_pieces_equals_batch_root(n: int, piece: int) -> None:
    leaves = _leaves(n, salt=n)
    acc = MerkleAccumulator()
    for start in range(0, n, piece):
        acc.extend(iter(leaves[start : start + piece]))
        assert acc.size == min(n, start + piece)
    assert acc.root() == merkle_root(leaves)


def test_accumulator_memory_stays_bounded() -> None:
    acc = MerkleAccumulator()
    acc.extend(_leaves(20_000))
    held = len(acc._stack) + len(acc._pending)
    assert held <= MerkleAccumulator.CHUNK + 64
    assert len(acc._stack) == bin(20_000 // MerkleAccumulator.CHUNK).count("1")


def test_accumulator_extend_stops_at_a_bad_leaf_hash() -> None:
    leaves = _leaves(5)
    acc = MerkleAccumulator()
    with pytest.raises(ValueError, match="32 bytes"):
        acc.extend([*leaves[:3], b"short", leaves[4]])
    assert acc.size == 3
    assert acc.root() == merkle_root(leaves[:3])


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[list[bytes], int]:
    n = draw(st.integers(1, 130))
    return _leaves(n, salt=n), draw(st.integers(0, n - 1))


@st.composite
def tree_and_old_size(draw: st.DrawFn) -> tuple[list[bytes], int]:
    n = draw(st.integers(1, 130))
    return _leaves(n, salt=n), draw(st.integers(1, n))


@given(tree_and_index())
@settings(max_examples=150)
def test_generated_inclusion_proofs_match_reference_and_verify(
    case: tuple[list[bytes], int],
) -> None:
    leaves, index = case
    proof = inclusion_proof(leaves, index)
    assert proof == ref_path(index, leaves)
    verify_inclusion(leaves[index], index, len(leaves), proof, ref_mth(leaves))


@given(tree_and_old_size())
@settings(max_examples=150)
def test_generated_consistency_proofs_match_reference_and_verify(
    case: tuple[list[bytes], int],
) -> None:
    leaves, m = case
    proof = consistency_proof(leaves, m)
    assert proof == ref_subproof(m, leaves, True)
    old_root, new_root = merkle_root(leaves[:m]), merkle_root(leaves)
    verify_consistency(m, len(leaves), old_root, new_root, proof)


@given(tree_and_index(), st.integers(0, 2**16), st.integers(0, 2**16))
@settings(max_examples=150)
def test_any_bit_flip_in_an_inclusion_proof_or_root_is_rejected(
    case: tuple[list[bytes], int], which: int, bit: int
) -> None:
    leaves, index = case
    n, root = len(leaves), merkle_root(leaves)
    proof = inclusion_proof(leaves, index)
    # Positions: each proof hash, then the root, then the leaf itself.
    slot = which % (len(proof) + 2)
    if slot < len(proof):
        proof[slot] = _flip(proof[slot], bit)
        with pytest.raises(ProofError):
            verify_inclusion(leaves[index], index, n, proof, root)
    elif slot == len(proof):
        with pytest.raises(ProofError):
            verify_inclusion(leaves[index], index, n, proof, _flip(root, bit))
    else:
        with pytest.raises(ProofError):
            verify_inclusion(_flip(leaves[index], bit), index, n, proof, root)


@given(tree_and_index(), st.integers(1, 200))
@settings(max_examples=150)
def test_moving_the_leaf_index_is_rejected(case: tuple[list[bytes], int], delta: int) -> None:
    leaves, index = case
    n, root = len(leaves), merkle_root(leaves)
    proof = inclusion_proof(leaves, index)
    for other in {(index + delta) % n, index - delta, index + delta} - {index}:
        with pytest.raises(ProofError):
            verify_inclusion(leaves[index], other, n, proof, root)


@given(tree_and_index(), st.booleans())
@settings(max_examples=100)
def test_truncated_or_padded_inclusion_proof_is_rejected(
    case: tuple[list[bytes], int], pad: bool
) -> None:
    leaves, index = case
    proof = inclusion_proof(leaves, index)
    if pad:
        proof.append(leaves[0])
    elif proof:
        proof.pop()
    else:
        return
    with pytest.raises(ProofError, match="hashes"):
        verify_inclusion(leaves[index], index, len(leaves), proof, merkle_root(leaves))


@given(tree_and_old_size(), st.integers(0, 2**16), st.integers(0, 2**16))
@settings(max_examples=150)
def test_any_bit_flip_in_a_consistency_proof_or_root_is_rejected(
    case: tuple[list[bytes], int], which: int, bit: int
) -> None:
    leaves, m = case
    n = len(leaves)
    old_root, new_root = merkle_root(leaves[:m]), merkle_root(leaves)
    proof = consistency_proof(leaves, m)
    slot = which % (len(proof) + 2)
    if slot < len(proof):
        proof[slot] = _flip(proof[slot], bit)
        with pytest.raises(ProofError):
            verify_consistency(m, n, old_root, new_root, proof)
    elif slot == len(proof):
        with pytest.raises(ProofError):
            verify_consistency(m, n, _flip(old_root, bit), new_root, proof)
    else:
        with pytest.raises(ProofError):
            verify_consistency(m, n, old_root, _flip(new_root, bit), proof)


@given(tree_and_old_size())
@settings(max_examples=100)
def test_rewritten_history_fails_consistency(case: tuple[list[bytes], int]) -> None:
    leaves, m = case
    n = len(leaves)
    # The log rewrites one old entry, then shows a proof from its new tree.
    forked = list(leaves)
    forked[m - 1] = leaf_hash(b"rewritten")
    proof = consistency_proof(forked, m)
    with pytest.raises(ProofError):
        verify_consistency(m, n, merkle_root(leaves[:m]), merkle_root(forked), proof)


def test_empty_old_tree_is_refused_even_with_equal_sizes() -> None:
    with pytest.raises(ProofError, match="non-empty old tree"):
        verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(ProofError, match="non-empty old tree"):
        verify_consistency(0, 5, EMPTY_ROOT, merkle_root(_leaves(5)), [])


def test_shrinking_tree_is_refused() -> None:
    leaves = _leaves(4)
    with pytest.raises(ProofError, match="smaller"):
        verify_consistency(4, 3, merkle_root(leaves), merkle_root(leaves[:3]), [])


def test_oversized_proof_is_refused_before_hashing() -> None:
    leaves = _leaves(3)
    huge = [leaves[0]] * (MAX_PROOF_HASHES + 1)
    with pytest.raises(ProofError, match="hashes"):
        verify_inclusion(leaves[0], 0, 3, huge, merkle_root(leaves))
    with pytest.raises(ProofError, match="hashes"):
        verify_consistency(1, 3, leaves[0], merkle_root(leaves), huge)


def test_short_hashes_in_a_proof_are_refused() -> None:
    leaves = _leaves(4)
    proof = inclusion_proof(leaves, 1)
    proof[0] = proof[0][:31]
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(leaves[1], 1, 4, proof, merkle_root(leaves))


def test_negative_index_is_refused() -> None:
    leaves = _leaves(4)
    with pytest.raises(ProofError, match="negative"):
        verify_inclusion(leaves[0], -4, 4, inclusion_proof(leaves, 0), merkle_root(leaves))


def test_index_beyond_tree_size_is_refused() -> None:
    leaves = _leaves(4)
    with pytest.raises(ProofError, match="outside"):
        verify_inclusion(leaves[3], 4, 4, inclusion_proof(leaves, 3), merkle_root(leaves))


def test_root_of_wrong_length_is_refused_by_name() -> None:
    leaves = _leaves(4)
    root = merkle_root(leaves)
    with pytest.raises(ProofError, match="root is not a 32-byte hash"):
        verify_inclusion(leaves[0], 0, 4, inclusion_proof(leaves, 0), root + b"\x00")
    with pytest.raises(ProofError, match="new root is not a 32-byte hash"):
        verify_consistency(2, 4, merkle_root(leaves[:2]), root[:31], consistency_proof(leaves, 2))
