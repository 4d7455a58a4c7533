"""``handovers.json``: the earlier handovers of a case to a bundle's recipient (B14).

Each entry is the checkpoint the recipient was given then (over the records
up to and including that handover) and an RFC 9162 consistency proof from it
to the bundle's checkpoint. A recipient holding only those checkpoints checks
the proofs; the verifier, holding every record, also recomputes each root.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from casefile.bundle._history import CaseHistory, Handover, open_case_checkpoint
from casefile.bundle._json import CanonicalJSONError, dumps, loads
from casefile.bundle._layout import MAX_HANDOVERS_SIZE
from casefile.errors import HandoverError, NoteError, ProofError, VerificationError
from casefile.signing._checkpoint import case_of_checkpoint
from casefile.signing._merkle import HASH_SIZE, MAX_PROOF_HASHES, verify_consistency
from casefile.signing._trust import TrustStore

__all__ = [
    "HANDOVERS_FORMAT",
    "HANDOVERS_VERSION",
    "EarlierHandover",
    "check_earlier_handovers",
    "earlier_handovers",
    "earlier_to_recipient",
    "own_handover",
    "parse_handovers",
]

HANDOVERS_FORMAT: Final = "casefile-handovers"
HANDOVERS_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class EarlierHandover:
    """One entry of handovers.json: the checkpoint given at handover ``seq``, and the proof
    that the bundle's checkpoint extends it."""

    seq: int
    checkpoint: str
    consistency: tuple[bytes, ...]

    def to_json(self) -> dict[str, object]:
        proof = [base64.b64encode(h).decode("ascii") for h in self.consistency]
        return {"checkpoint": self.checkpoint, "consistency": proof, "seq": self.seq}


def own_handover(history: CaseHistory) -> Handover | None:
    """The handover that ends the bundle (the last record), if it is one."""
    last = history.handovers[-1] if history.handovers else None
    return last if last is not None and last.seq == history.size else None


def earlier_to_recipient(history: CaseHistory) -> list[Handover]:
    """The handovers before the bundle's own to the same recipient (byte for byte)."""
    own = own_handover(history)
    if own is None:
        return []
    return [h for h in history.handovers if h.seq < own.seq and h.recipient == own.recipient]


def earlier_handovers(history: CaseHistory, note_for: Callable[[int], str]) -> bytes | None:
    """The content of handovers.json for a bundle of ``history`` (None: it has none).

    ``note_for(size)`` signs the checkpoint over the first ``size`` records
    (Ed25519 is deterministic: with an unchanged key, the very note the
    recipient was given then).
    """
    earlier = earlier_to_recipient(history)
    if not earlier:
        return None
    entries = [
        EarlierHandover(h.seq, note_for(h.seq), tuple(history.consistency(h.seq))) for h in earlier
    ]
    return dumps(
        {
            "format": HANDOVERS_FORMAT,
            "handovers": [e.to_json() for e in entries],
            "version": HANDOVERS_VERSION,
        }
    )


def _b64_hash(value: object, where: str) -> bytes:
    if type(value) is not str:
        raise HandoverError(f"{where}: expected a base64 hash", step="B14")
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error, or a bare ValueError for a str outside ASCII
        raise HandoverError(f"{where}: not base64", step="B14") from None
    if len(raw) != HASH_SIZE or base64.b64encode(raw).decode("ascii") != value:
        raise HandoverError(f"{where}: not a canonical base64 {HASH_SIZE}-byte hash", step="B14")
    return raw


def parse_handovers(data: bytes) -> tuple[EarlierHandover, ...]:
    """Parse handovers.json strictly (canonical JSON of exactly its shape); nothing verified."""
    try:
        doc: Any = loads(data, max_size=MAX_HANDOVERS_SIZE)
    except CanonicalJSONError as exc:
        raise HandoverError(f"handovers.json: {exc}", step="B14") from None
    if type(doc) is not dict or sorted(doc) != ["format", "handovers", "version"]:
        raise HandoverError("handovers.json: not {format, handovers, version}", step="B14")
    if doc["format"] != HANDOVERS_FORMAT or doc["version"] != HANDOVERS_VERSION:
        raise HandoverError(
            f"handovers.json: not {HANDOVERS_FORMAT} version {HANDOVERS_VERSION}", step="B14"
        )
    items = doc["handovers"]
    if type(items) is not list or not items:
        raise HandoverError("handovers.json: handovers is not a non-empty array", step="B14")
    out = []
    for i, item in enumerate(items):
        where = f"handovers.json handovers[{i}]"
        if type(item) is not dict or sorted(item) != ["checkpoint", "consistency", "seq"]:
            raise HandoverError(f"{where}: not {{checkpoint, consistency, seq}}", step="B14")
        seq, note, proof = item["seq"], item["checkpoint"], item["consistency"]
        if type(seq) is not int or seq < 1 or type(note) is not str:
            raise HandoverError(f"{where}: seq or checkpoint of the wrong type", step="B14")
        if type(proof) is not list or len(proof) > MAX_PROOF_HASHES:
            raise HandoverError(f"{where}: consistency is not a proof", step="B14")
        hashes = tuple(_b64_hash(h, f"{where}.consistency[{j}]") for j, h in enumerate(proof))
        out.append(EarlierHandover(seq, note, hashes))
    return tuple(out)


def check_earlier_handovers(
    history: CaseHistory,
    data: bytes | None,
    *,
    case_id: uuid.UUID,
    origin: str | None,
    trust: TrustStore,
    at: int,
    label: str | None,
) -> tuple[list[VerificationError], set[bytes]]:
    """B14: handovers.json names exactly the earlier handovers of the case to the bundle's
    recipient, each with its checkpoint and a consistency proof to the bundle's records."""
    earlier = earlier_to_recipient(history)
    if data is None:
        if not earlier:
            return [], set()
        seqs = ", ".join(str(h.seq) for h in earlier)
        return [
            HandoverError(
                f"handovers.json is missing: the recipient was handed this case before "
                f"(handover records {seqs})",
                case_id=label,
                step="B14",
            )
        ], set()
    try:
        entries = parse_handovers(data)
    except HandoverError as exc:
        return [HandoverError(exc.message, case_id=label, step="B14")], set()
    wanted, given = [h.seq for h in earlier], [e.seq for e in entries]
    if given != wanted:
        return [
            HandoverError(
                f"handovers.json names the handovers {given or 'none'}; the earlier handovers of "
                f"the case to this recipient are {wanted or 'none'}",
                case_id=label,
                step="B14",
            )
        ], set()
    errors: list[VerificationError] = []
    used: set[bytes] = set()
    new_root = history.root(history.size)
    for entry in entries:
        problem = _entry_problem(entry, history, new_root, case_id, origin, trust, at, used)
        if problem is not None:
            errors.append(HandoverError(problem, case_id=label, seq=entry.seq, step="B14"))
    return errors, used


def _entry_problem(
    entry: EarlierHandover,
    history: CaseHistory,
    new_root: bytes,
    case_id: uuid.UUID,
    origin: str | None,
    trust: TrustStore,
    at: int,
    used: set[bytes],
) -> str | None:
    s = entry.seq
    try:
        given, verified = open_case_checkpoint(
            entry.checkpoint, trust, last=history.latest_time(s), at=at
        )
    except (NoteError, VerificationError) as exc:
        return f"the checkpoint of the earlier handover does not verify: {exc}"
    used.update(v.public_key.key_id for v in verified.verifiers)
    if case_of_checkpoint(given) != case_id or (origin is not None and given.origin != origin):
        return f"the checkpoint of the earlier handover names the origin {given.origin!r}"
    if given.size != s or given.root != history.root(s):
        return f"the checkpoint of the earlier handover is not that of records 1-{s}"
    try:
        verify_consistency(s, history.size, given.root, new_root, entry.consistency)
    except ProofError as exc:
        return f"the consistency proof from the earlier handover fails: {exc}"
    return None
