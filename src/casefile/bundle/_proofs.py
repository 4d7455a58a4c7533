"""Inclusion proofs of single records: C2SP tlog-proof files (docs/FORMAT.md §9.9).

:func:`prove_record` writes, for one record of a bundle that verified, a
``c2sp.org/tlog-proof@v1`` text against the bundle's checkpoint;
:func:`check_record_proof` checks one with nothing but the record's bytes and
a trust store, as a third party given the two would.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from casefile._time import instant_ns
from casefile.bundle._result import BundleVerification
from casefile.errors import (
    BadSignatureError,
    CheckpointMismatchError,
    KeyNotValidError,
    KeyRoleError,
    NoteError,
    UnknownKeyError,
)
from casefile.signing._checkpoint import (
    Checkpoint,
    case_of_checkpoint,
    checkpoint_verifiers,
    format_tlog_proof,
    parse_tlog_proof,
    verify_tlog_proof,
)
from casefile.signing._keys import verify_signature
from casefile.signing._records import parse_record, signing_input
from casefile.signing._trust import TrustStore

__all__ = ["ProvenRecord", "check_record_proof", "prove_record"]


def prove_record(verification: BundleVerification, checkpoint_note: str, seq: int) -> str:
    """The tlog-proof text for record ``seq`` (from 1) of a bundle that verified.

    ``verification`` is that bundle's :class:`~casefile.bundle.BundleVerification`
    (verified with ``keep_history=True``) and ``checkpoint_note`` its
    ``checkpoint.txt``, carried verbatim. Raises ValueError if the bundle did
    not verify or has no record ``seq``.
    """
    history = verification.history
    if not verification.verified or history is None:
        raise ValueError("prove_record needs the result of a bundle that verified")
    if history.hashes is None:
        raise ValueError("prove_record needs the bundle verified with keep_history=True")
    if type(seq) is not int or not 1 <= seq <= history.size:
        raise ValueError(f"the bundle holds records 1 to {history.size}, not {seq!r}")
    return format_tlog_proof(seq - 1, history.inclusion(seq), checkpoint_note)


@dataclass(frozen=True, slots=True)
class ProvenRecord:
    """A record shown to be in a checkpoint: which case, which record, signed by whom."""

    case_id: uuid.UUID
    seq: int
    event_type: str
    signer: str
    checkpoint: Checkpoint


def check_record_proof(
    proof: str | bytes, record: bytes, *, trust: TrustStore, at: int | datetime.datetime
) -> ProvenRecord:
    """Check a tlog-proof for ``record`` (its stored bytes) against ``trust``.

    Steps of docs/FORMAT.md §9.9: the leaf hash is the record's hash; a
    trusted checkpoint key valid by ``at`` and neither expired nor revoked by the
    record's time (V12's rule, the record's time standing for the latest one the
    checkpoint covers) signs the checkpoint, whose origin
    names the record's case; the inclusion proof binds the leaf at the proof's
    index (the record's ``seq`` minus 1) to the checkpoint's root; the
    record's own signature verifies under a key the store holds, valid at the
    record's time and with a role that may sign its type. Raises a
    :class:`~casefile.errors.VerificationError` (or
    :class:`~casefile.errors.NoteError` for a text that is no tlog-proof).
    """
    at_ns = instant_ns(at, "at")
    parsed = parse_tlog_proof(proof)
    rec = parse_record(record)
    header = rec.header
    label = str(header.case_id)
    # As V12, with the record's time as the latest known: a checkpoint was made after
    # every record it covers, so its key was neither expired nor revoked by this one's.
    verifiers = checkpoint_verifiers(trust, last=header.time_ns, at=at_ns)
    checkpoint, _ = verify_tlog_proof(parsed, rec.hash, verifiers)
    try:
        named = case_of_checkpoint(checkpoint)
    except NoteError as exc:
        raise CheckpointMismatchError(f"not a casefile checkpoint: {exc}", case_id=label) from None
    if named != header.case_id:
        raise CheckpointMismatchError("the checkpoint names another case", case_id=label)
    if parsed.index != header.seq - 1:
        raise CheckpointMismatchError(
            f"the proof is for leaf {parsed.index}, the record is number {header.seq}",
            case_id=label,
        )
    entry = trust.get(header.key_id)
    if entry is None:
        raise UnknownKeyError("the record's key is not in the trust store", case_id=label)
    if not verify_signature(entry.public_key.raw, signing_input(rec.header_bytes), rec.signature):
        raise BadSignatureError("the record's signature does not verify", case_id=label)
    if not entry.valid_at(header.time_ns):
        raise KeyNotValidError(f"the key of {entry.name} was not valid then", case_id=label)
    if not entry.has_role(trust.policy.roles_for(header.event_type)):
        raise KeyRoleError(f"the key of {entry.name} may not sign {header.event_type}")
    return ProvenRecord(header.case_id, header.seq, header.event_type, entry.name, checkpoint)
