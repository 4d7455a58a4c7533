"""Steps V12 and V13 of docs/FORMAT.md §8: the checkpoint over a walked case.

Run after the last record, against the state of the walk: its size, its
Merkle root, the latest time of its verified records and its trust store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casefile.errors import CheckpointMismatchError, CheckpointSignatureError, NoteError
from casefile.signing._checkpoint import (
    Checkpoint,
    case_of_checkpoint,
    checkpoint_verifiers,
    parse_checkpoint_body,
)
from casefile.signing._note import open_note

if TYPE_CHECKING:
    from casefile.verifier._engine import CaseVerification

__all__ = ["check_checkpoint"]


def check_checkpoint(walk: CaseVerification, note: bytes | str) -> Checkpoint | None:
    """V12 and V13 of ``walk``'s case against the records it has walked so far."""
    label = walk.case_label
    # A checkpoint was made after every record it covers: judged at the latest
    # record time, not the last in sequence (whose clock may lag an earlier one's).
    last = walk.latest_time if walk.latest_time is not None else walk.at
    verifiers = checkpoint_verifiers(walk.trust, last=last, at=walk.at)
    # V12: the note parses and is signed by a trusted checkpoint key.
    try:
        verified = open_note(note, verifiers)
        walk.checkpoint_signers = frozenset(v.public_key.key_id for v in verified.verifiers)
    except CheckpointSignatureError as exc:
        walk.fail(CheckpointSignatureError(exc.message, case_id=label, step="V12"))
        return None
    except NoteError as exc:
        walk.fail(CheckpointSignatureError(f"not a signed note: {exc}", case_id=label, step="V12"))
        return None
    # V13: signed text that is no casefile checkpoint cannot describe these records.
    try:
        checkpoint = parse_checkpoint_body(verified.text)
        named = str(case_of_checkpoint(checkpoint))
    except NoteError as exc:
        walk.fail(CheckpointMismatchError(f"not a checkpoint: {exc}", case_id=label, step="V13"))
        return None
    # V13: the checkpoint describes exactly these records.
    if label is None or named != label:
        walk.fail(
            CheckpointMismatchError(
                f"checkpoint origin {checkpoint.origin!r} does not name this case",
                case_id=label,
                step="V13",
            )
        )
    if walk.unread_tail:
        return checkpoint  # the records it covers could not all be read
    if checkpoint.size != walk.size:
        what = "records are missing from the tail" if checkpoint.size > walk.size else ""
        walk.fail(
            CheckpointMismatchError(
                f"checkpoint covers {checkpoint.size} records but {walk.size} are present"
                + (f" ({what})" if what else ""),
                case_id=label,
                seq=min(checkpoint.size, walk.size) + 1,
                step="V13",
            )
        )
    elif checkpoint.root != walk.merkle.root():
        walk.fail(
            CheckpointMismatchError(
                "checkpoint root does not match the Merkle root of the records",
                case_id=label,
                step="V13",
            )
        )
    return checkpoint
