"""The RFC 9162 Merkle tree (SHA-256): roots, streaming roots, proofs and their checks.

Leaves are given as leaf hashes (docs/FORMAT.md §5: a record's leaf hash is its
record hash). Proof verification follows RFC 9162 §2.1.3.2 and §2.1.4.2, with
the extra checks the transparency-dev vectors demand; every verification
failure raises :class:`~casefile.errors.ProofError` naming what failed.
Generation functions raise :class:`ValueError` for impossible arguments, which
are programming errors rather than hostile input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Final

from casefile.errors import ProofError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_PROOF_HASHES",
    "MerkleAccumulator",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE: Final = 32
#: No tree below 2**64 leaves has a proof longer than this; longer input is refused unread.
MAX_PROOF_HASHES: Final = 64

_sha256 = hashlib.sha256
_LEAF: Final = b"\x00"
_NODE: Final = b"\x01"

#: MTH({}) = SHA-256 of the empty string.
EMPTY_ROOT: Final = _sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 ‖ data)."""
    return _sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right): an interior node."""
    return _sha256(_NODE + left + right).digest()


def _check_leaf_hashes(leaf_hashes: Sequence[bytes]) -> None:
    # One C-level pass over the lengths: far cheaper than a per-item Python check.
    lengths = set(map(len, leaf_hashes))
    if lengths and lengths != {HASH_SIZE}:
        raise ValueError(f"every leaf hash must be {HASH_SIZE} bytes")


def _root(hashes: Sequence[bytes]) -> bytes:
    """MTH of already-checked leaf hashes, pairing level by level.

    Pairing neighbours and promoting an odd last node unchanged builds exactly
    the RFC 9162 tree (left subtree = largest power of two below n), with no
    per-node Python frames: each level is one list comprehension.
    """
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    sha = _sha256
    node = _NODE
    level: Sequence[bytes] = hashes
    while n > 1:
        # One iterator zipped with itself yields neighbouring pairs; an odd last node is left over.
        it = iter(level)
        nxt = [sha(node + a + b).digest() for a, b in zip(it, it, strict=False)]
        if n & 1:
            nxt.append(level[-1])
        level = nxt
        n = len(nxt)
    return bytes(level[0])


def merkle_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The RFC 9162 Merkle tree hash MTH over ``leaf_hashes`` (32 bytes each)."""
    _check_leaf_hashes(leaf_hashes)
    return _root(leaf_hashes)


class MerkleAccumulator:
    """Builds the Merkle root of a stream of leaf hashes in O(log n) memory.

    Leaf hashes wait in a buffer of ``CHUNK`` (a power of two); a full buffer
    is one perfect subtree, hashed level by level like :func:`merkle_root` and
    merged into a stack holding one subtree root per set bit of the flushed
    size. :meth:`root` folds the stack right to left onto the root of the
    buffer, which is MTH of every leaf appended so far. Memory stays below
    ``CHUNK`` + 64 hashes whatever the number of leaves.
    """

    CHUNK: Final = 256
    _CHUNK_BITS: Final = 8

    __slots__ = ("_pending", "_size", "_stack")

    def __init__(self) -> None:
        self._size = 0  # leaves already folded into _stack, a multiple of CHUNK
        self._stack: list[bytes] = []
        self._pending: list[bytes] = []

    @property
    def size(self) -> int:
        """The number of leaves appended."""
        return self._size + len(self._pending)

    def append(self, leaf_hash: bytes) -> None:
        """Add the next leaf hash (32 bytes)."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"a leaf hash must be {HASH_SIZE} bytes")
        pending = self._pending
        # Copy mutable buffers: the caller may reuse them before the flush.
        pending.append(leaf_hash if type(leaf_hash) is bytes else bytes(leaf_hash))
        if len(pending) == self.CHUNK:
            self._flush()

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append every leaf hash of ``leaf_hashes`` in order.

        If one of them is not 32 bytes, the ones before it are appended and
        :class:`ValueError` is raised.
        """
        it = iter(leaf_hashes)
        pending = self._pending
        while True:
            chunk = list(islice(it, self.CHUNK - len(pending)))
            if not chunk:
                return
            if set(map(type, chunk)) != {bytes} or set(map(len, chunk)) != {HASH_SIZE}:
                for h in chunk:
                    self.append(h)
                continue
            pending.extend(chunk)
            if len(pending) == self.CHUNK:
                self._flush()

    def _flush(self) -> None:
        h = _root(self._pending)
        self._pending.clear()
        stack = self._stack
        n = self._size >> self._CHUNK_BITS
        sha = _sha256
        # Each trailing one bit of the flushed size is a complete subtree to merge.
        while n & 1:
            h = sha(_NODE + stack.pop() + h).digest()
            n >>= 1
        stack.append(h)
        self._size += self.CHUNK

    def root(self) -> bytes:
        """MTH of the leaves appended so far (``EMPTY_ROOT`` when none)."""
        parts = list(self._stack)
        if self._pending:
            parts.append(_root(self._pending))
        if not parts:
            return EMPTY_ROOT
        h = parts[-1]
        for left in reversed(parts[:-1]):
            h = _sha256(_NODE + left + h).digest()
        return h


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of RFC 9162 §2.1.3.1: sibling hashes from the leaf up."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} is outside a tree of {n} leaves")
    _check_leaf_hashes(leaf_hashes)
    path: list[bytes] = []
    lo, hi = 0, n
    # Descend from the root; the recursion's appends come out deepest first.
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            path.append(_root(leaf_hashes[mid:hi]))
            hi = mid
        else:
            path.append(_root(leaf_hashes[lo:mid]))
            lo = mid
    path.reverse()
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]) of RFC 9162 §2.1.4.1.

    ``old_size`` must be between 1 and n: a proof from the empty tree proves
    nothing and :func:`verify_consistency` refuses one.
    """
    n = len(leaf_hashes)
    if not 0 < old_size <= n:
        raise ValueError(f"old size {old_size} is not between 1 and the tree size {n}")
    _check_leaf_hashes(leaf_hashes)
    path: list[bytes] = []
    lo, hi, m, whole = 0, n, old_size, True
    while True:
        size = hi - lo
        if m == size:
            if not whole:
                path.append(_root(leaf_hashes[lo:hi]))
            break
        k = _split(size)
        if m <= k:
            path.append(_root(leaf_hashes[lo + k : hi]))
            hi = lo + k
        else:
            path.append(_root(leaf_hashes[lo : lo + k]))
            lo += k
            m -= k
            whole = False
    path.reverse()
    return path


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ProofError(f"{what} is not a {HASH_SIZE}-byte hash")


def _check_proof(proof: Sequence[bytes], expected: int) -> None:
    if len(proof) > MAX_PROOF_HASHES or len(proof) != expected:
        raise ProofError(f"proof has {len(proof)} hashes, the tree shape needs {expected}")
    for i, p in enumerate(proof):
        _check_hash(p, f"proof hash {i}")


def _inclusion_length(index: int, size: int) -> int:
    # Below the highest bit where index and the last index differ, every level
    # has a sibling; above it, only levels where index has a left sibling do.
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``tree_size`` with ``root``.

    RFC 9162 §2.1.3.2. Returns None on success, raises :class:`ProofError`.
    """
    # Extra checks: sizes, 32-byte hashes and the exact proof length.
    if index < 0 or tree_size < 0:
        raise ProofError("negative leaf index or tree size")
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root, "root")
    # Step 1: the index must lie inside the tree.
    if index >= tree_size:
        raise ProofError(f"leaf index {index} is outside a tree of {tree_size} leaves")
    _check_proof(proof, _inclusion_length(index, tree_size))
    # Step 2.
    fn, sn = index, tree_size - 1
    # Step 3.
    r = bytes(leaf_hash)
    sha = _sha256
    # Step 4.
    for p in proof:
        # 4a.
        if sn == 0:
            raise ProofError("proof is longer than the path to the root")
        # 4b.
        if fn & 1 or fn == sn:
            r = sha(_NODE + p + r).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = sha(_NODE + r + p).digest()
        # 4c.
        fn >>= 1
        sn >>= 1
    # Step 5.
    if sn != 0:
        raise ProofError("proof is shorter than the path to the root")
    if r != root:
        raise ProofError(f"inclusion proof for leaf {index} does not lead to the root")


def _consistency_length(old_size: int, new_size: int) -> int:
    # The old tree's last leaf's path in the new tree, minus the levels inside
    # the old tree's rightmost perfect subtree, plus that subtree's own hash
    # unless it is the whole old tree (then the verifier knows it: old_root).
    shift = (old_size & -old_size).bit_length() - 1
    length = _inclusion_length(old_size - 1, new_size) - shift
    return length if old_size == 1 << shift else length + 1


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Check that the tree of ``new_size`` with ``new_root`` extends the one of ``old_size``.

    RFC 9162 §2.1.4.2, plus the checks the public vectors require:
    ``old_size`` must be at least 1 (a proof from the empty tree proves
    nothing); equal sizes need an empty proof and byte-identical roots; proof
    hashes and the roots being compared are 32 bytes; the proof length must
    match the tree shape. Returns None on success, raises :class:`ProofError`.
    """
    if old_size < 1:
        raise ProofError(f"old tree size {old_size}: consistency needs a non-empty old tree")
    if new_size < old_size:
        raise ProofError(f"new tree size {new_size} is smaller than old size {old_size}")
    if old_size == new_size:
        if len(proof) != 0:
            raise ProofError("equal tree sizes need an empty consistency proof")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same tree size {old_size}")
        return
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    # Step 1: an empty proof cannot link two different sizes.
    if len(proof) == 0:
        raise ProofError("empty consistency proof for different tree sizes")
    _check_proof(proof, _consistency_length(old_size, new_size))
    # Step 2: when the old tree is a perfect subtree its root is the seed.
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, bytes(old_root))
    # Step 3.
    fn, sn = old_size - 1, new_size - 1
    # Step 4.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Step 5.
    fr = sr = bytes(path[0])
    sha = _sha256
    # Step 6.
    for c in path[1:]:
        # 6a.
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree shape allows")
        # 6b.
        if fn & 1 or fn == sn:
            fr = sha(_NODE + c + fr).digest()
            sr = sha(_NODE + c + sr).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = sha(_NODE + sr + c).digest()
        # 6c.
        fn >>= 1
        sn >>= 1
    # Step 7.
    if sn != 0:
        raise ProofError("consistency proof is shorter than the tree shape needs")
    if fr != old_root:
        raise ProofError(f"consistency proof does not reproduce the old root of size {old_size}")
    if sr != new_root:
        raise ProofError(f"consistency proof does not reproduce the new root of size {new_size}")
