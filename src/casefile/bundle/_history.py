"""A verified bundle's history: its record hashes, and what its handovers say of them.

The hashes of the records that passed B6, in order, are all that is needed to
compute the root of any prefix of the case, and so to check a handover's
checkpoint (B13), an earlier handover's checkpoint and consistency proof (B14),
that the bundle extends a checkpoint its recipient holds
(:func:`check_extends`), and to prove one record's inclusion.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from casefile._time import instant_ns
from casefile.errors import (
    HandoverError,
    InconsistentHistoryError,
    NoteError,
    RollbackError,
    VerificationError,
)
from casefile.signing._checkpoint import (
    Checkpoint,
    case_of_checkpoint,
    checkpoint_verifiers,
    parse_checkpoint_body,
)
from casefile.signing._merkle import (
    HASH_SIZE,
    MerkleAccumulator,
    consistency_proof,
    inclusion_proof,
    merkle_root,
)
from casefile.signing._note import VerifiedNote, open_note
from casefile.signing._trust import TrustStore

if TYPE_CHECKING:
    from casefile.bundle._result import BundleVerification

__all__ = [
    "HANDOVER_SCHEMA",
    "HANDOVER_TYPE",
    "CaseHistory",
    "Handover",
    "HistoryCollector",
    "check_extends",
    "check_handover",
    "describe",
    "manifest_origin",
    "open_case_checkpoint",
]

HANDOVER_TYPE: Final = "case.handed_over"
#: The schema whose handovers B13 and B14 check (schema 1 named no audience and no prefix).
HANDOVER_SCHEMA: Final = 2


@dataclass(frozen=True, slots=True)
class Handover:
    """A verified schema 2 handover record: who was given the case, for which audience."""

    seq: int
    recipient: str
    audience: str | None
    checkpoint: str


@dataclass(frozen=True, slots=True, eq=False)
class CaseHistory:
    """What a bundle whose records all verified says of its prefixes.

    ``roots`` and ``times`` hold, for the sizes that its handovers name
    (before and after each) and for the whole case, the Merkle root and the
    latest record time of that prefix: what B13 and B14 compare, gathered in
    O(log n) memory as the records stream. ``hashes`` (32 bytes per record)
    and ``latest`` (the latest time of each prefix) are kept only when asked
    (``verify_bundle(..., keep_history=True)``): :func:`check_extends` and
    :func:`~casefile.bundle.prove_record` compute any prefix from them.
    """

    size: int
    roots: Mapping[int, bytes]
    times: Mapping[int, int]
    handovers: tuple[Handover, ...] = ()
    hashes: bytes | None = None
    latest: array[int] | None = None

    def leaves(self, size: int | None = None) -> list[bytes]:
        """The record hashes (the Merkle leaves) of the first ``size`` records (all)."""
        hashes = self._kept()
        n = self.size if size is None else size
        return [hashes[i * HASH_SIZE : (i + 1) * HASH_SIZE] for i in range(n)]

    def root(self, size: int) -> bytes:
        """The Merkle root of the first ``size`` records (1 ≤ size ≤ the number of records)."""
        if not 1 <= size <= self.size:
            raise ValueError(f"no prefix of {size} records in a case of {self.size}")
        known = self.roots.get(size)
        return known if known is not None else merkle_root(self.leaves(size))

    def consistency(self, old_size: int) -> list[bytes]:
        """The RFC 9162 consistency proof from the first ``old_size`` records to all."""
        return consistency_proof(self.leaves(), old_size)

    def inclusion(self, seq: int) -> list[bytes]:
        """The RFC 9162 inclusion proof of record ``seq`` (from 1) in the tree of all records."""
        return inclusion_proof(self.leaves(), seq - 1)

    def latest_time(self, size: int) -> int:
        """The latest record time of the first ``size`` records."""
        known = self.times.get(size)
        if known is not None:
            return known
        if self.latest is None:
            raise ValueError("this history was not kept: verify with keep_history=True")
        return self.latest[size - 1]

    def _kept(self) -> bytes:
        if self.hashes is None:
            raise ValueError("this history was not kept: verify with keep_history=True")
        return self.hashes


class HistoryCollector:
    """Collects the history of the records that pass B6, as they pass, in order.

    Always the prefixes its handovers name (O(log n) memory for the roots);
    with ``keep`` every record hash and prefix time as well (40 bytes a record).
    """

    __slots__ = ("_acc", "_broken", "_handovers", "_hashes", "_last", "_latest", "_roots", "_times")

    def __init__(self, *, keep: bool = False) -> None:
        self._acc = MerkleAccumulator()
        self._hashes: bytearray | None = bytearray() if keep else None
        self._latest: array[int] | None = array("q") if keep else None
        self._last: int | None = None
        self._roots: dict[int, bytes] = {}
        self._times: dict[int, int] = {}
        self._handovers: list[Handover] = []
        self._broken = False

    def _snapshot(self) -> None:
        size = self._acc.size
        if size and size not in self._roots and self._last is not None:
            self._roots[size] = self._acc.root()
            self._times[size] = self._last

    def take(
        self, seq: int, event_type: str, schema: int, time_ns: int, data: Any, h: bytes
    ) -> None:
        # A record missing before this one leaves no prefix to compute a root of.
        if self._broken or seq != self._acc.size + 1:
            self._broken = True
            return
        handover = event_type == HANDOVER_TYPE and schema == HANDOVER_SCHEMA
        if handover:
            self._snapshot()  # B13: the records before it
        self._acc.append(h)
        self._last = time_ns if self._last is None else max(self._last, time_ns)
        if self._hashes is not None and self._latest is not None:
            self._hashes += h
            self._latest.append(self._last)
        if handover:
            self._snapshot()  # B14: the records up to it, as its own bundle held them
            self._handovers.append(
                Handover(seq, data["recipient"], data["audience"], data["checkpoint"])
            )

    def history(self, records: int) -> CaseHistory | None:
        """The history, when each of the ``records`` records passed B6; otherwise None."""
        if self._broken or self._acc.size != records or records == 0:
            return None
        self._snapshot()
        hashes = None if self._hashes is None else bytes(self._hashes)
        return CaseHistory(
            records, dict(self._roots), dict(self._times), tuple(self._handovers), hashes,
            self._latest,
        )  # fmt: skip


def describe(checkpoint: Checkpoint) -> str:
    """A checkpoint as a person compares it: origin, size and root."""
    root = base64.b64encode(checkpoint.root).decode("ascii")
    return f"{checkpoint.origin} size {checkpoint.size} root {root}"


def open_case_checkpoint(
    note: str | bytes, trust: TrustStore, *, last: int, at: int
) -> tuple[Checkpoint, VerifiedNote]:
    """Open a checkpoint note of a case as V12 and V13 judge one: signed by a key holding a
    checkpoint role, valid by ``at`` and neither expired nor revoked by ``last`` (the
    latest time of the records it covers), and a casefile checkpoint (§6).

    Signature lines of keys the store does not hold are ignored (signed-note).
    Raises :class:`~casefile.errors.NoteError` or
    :class:`~casefile.errors.CheckpointSignatureError`.
    """
    verified = open_note(note, checkpoint_verifiers(trust, last=last, at=at))
    checkpoint = parse_checkpoint_body(verified.text)
    case_of_checkpoint(checkpoint)
    return checkpoint, verified


def manifest_origin(note: str) -> str | None:
    """The origin of the manifest's checkpoint text, if it is a casefile checkpoint.

    The text is authenticated by the manifest's signature (B2); whether a
    trusted checkpoint key signed it is V12's question, not this one's.
    """
    try:
        checkpoint = parse_checkpoint_body(note.split("\n\n", 1)[0] + "\n")
        case_of_checkpoint(checkpoint)
    except NoteError:
        return None
    return checkpoint.origin


def check_handover(
    history: CaseHistory,
    *,
    case_id: uuid.UUID,
    origin: str | None,
    audience: str | None,
    trust: TrustStore,
    at: int,
    label: str | None,
) -> tuple[list[VerificationError], set[bytes]]:
    """B13 over a bundle whose records all verified: each schema 2 handover's checkpoint is
    the note over exactly the records before it, and a bundle for an audience ends with
    its handover for that audience. Returns the failures and the keys whose signatures
    counted (for B10)."""
    errors: list[VerificationError] = []
    used: set[bytes] = set()
    for handover in history.handovers:
        problem, keys = _handover_problem(handover, history, case_id, origin, trust, at)
        used |= keys
        if problem is not None:
            errors.append(HandoverError(problem, case_id=label, seq=handover.seq, step="B13"))
    if audience is not None:
        last = history.handovers[-1] if history.handovers else None
        n = history.size
        if last is None or last.seq != n:
            errors.append(
                HandoverError(
                    f"a bundle for {audience} must end with its handover; record {n} is no "
                    "case.handed_over of schema 2",
                    case_id=label,
                    seq=n,
                    step="B13",
                )
            )
        elif last.audience != audience:
            errors.append(
                HandoverError(
                    f"the handover names the audience {last.audience or 'none'}, the manifest "
                    f"{audience}",
                    case_id=label,
                    seq=n,
                    step="B13",
                )
            )
    return errors, used


def _handover_problem(
    handover: Handover,
    history: CaseHistory,
    case_id: uuid.UUID,
    origin: str | None,
    trust: TrustStore,
    at: int,
) -> tuple[str | None, set[bytes]]:
    before = handover.seq - 1
    if before == 0:
        # No record before it: nothing was handed over, and no record time bounds when
        # its checkpoint key must still have been valid (FORMAT §9.6 B13 step 1).
        return "a handover must follow at least one record: record 1 hands nothing over", set()
    try:
        named, verified = open_case_checkpoint(
            handover.checkpoint, trust, last=history.latest_time(before), at=at
        )
    except (NoteError, VerificationError) as exc:
        return f"the handover's checkpoint does not verify: {exc}", set()
    keys = {v.public_key.key_id for v in verified.verifiers}
    if case_of_checkpoint(named) != case_id or (origin is not None and named.origin != origin):
        return (
            f"the handover's checkpoint names the origin {named.origin!r}, the bundle's "
            f"{origin or case_id}",
            keys,
        )
    if named.size != before:
        return (
            f"the handover's checkpoint covers {named.size} records, not the {before} before it",
            keys,
        )
    if named.root != history.root(before):
        return (f"the handover's checkpoint root is not that of records 1-{before}", keys)
    return None, keys


def check_extends(
    verification: BundleVerification,
    previous: str | bytes,
    *,
    trust: TrustStore,
    at: int | datetime.datetime,
) -> Checkpoint:
    """Check that a verified bundle extends ``previous``, a checkpoint its recipient holds.

    ``verification`` is the result of :func:`~casefile.bundle.verify_bundle`
    that verified, called with ``keep_history=True``; ``previous`` is a
    checkpoint note (the ``checkpoint.txt`` of an earlier bundle, perhaps
    with cosignature lines of keys ``trust`` does not hold, which are
    ignored). The note must be signed by a
    checkpoint key of ``trust`` (as V12 judges one), name the bundle's origin,
    and its root must be that of the bundle's first records (an RFC 9162
    consistency proof from it to the bundle's checkpoint verifies).

    Returns the previous checkpoint. Raises a
    :class:`~casefile.errors.HistoryError` naming both checkpoints:
    :class:`~casefile.errors.RollbackError` when it is longer than the bundle,
    :class:`~casefile.errors.InconsistentHistoryError` when the bundle's case
    is not an extension of it; a
    :class:`~casefile.errors.CheckpointSignatureError` or
    :class:`~casefile.errors.NoteError` when it is not a trusted checkpoint.
    """
    at_ns = instant_ns(at, "at")
    history, new = verification.history, verification.checkpoint
    if not verification.verified or history is None or new is None:
        raise ValueError("check_extends needs the result of a bundle that verified")
    if history.hashes is None:
        raise ValueError("check_extends needs the bundle verified with keep_history=True")
    label = str(verification.case_id)
    old, _ = open_case_checkpoint(previous, trust, last=0, at=at_ns)
    if old.size == 0:
        raise InconsistentHistoryError(
            f"the previous checkpoint covers no record: {describe(old)}", case_id=label, step="B14"
        )
    # As V12: the key must not have lapsed by the latest record the old checkpoint covers.
    open_case_checkpoint(
        previous, trust, last=history.latest_time(min(old.size, history.size)), at=at_ns
    )
    both = f"previous {describe(old)}; this bundle {describe(new)}"
    if old.origin != new.origin:
        raise InconsistentHistoryError(
            f"the previous checkpoint is of another log: {both}", case_id=label, step="B14"
        )
    if old.size > new.size:
        raise RollbackError(
            f"this bundle is older than the previous checkpoint (rollback): {both}",
            case_id=label,
            step="B14",
        )
    if old.root != history.root(old.size):
        raise InconsistentHistoryError(
            f"the case was rewritten after the previous checkpoint: {both}",
            case_id=label,
            step="B14",
        )
    return old
