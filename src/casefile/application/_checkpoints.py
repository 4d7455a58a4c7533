"""Checkpoints of a case: signing one over its records, and checking one handed over.

A checkpoint note is what a recipient is given (and what a handover records):
:meth:`CheckpointCommands.checkpoint` signs one over the authenticated chain,
and :meth:`CheckpointCommands._check_checkpoint` accepts a note only as the
verifier would judge it (V12, V13).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from casefile._time import instant_ns
from casefile.bundle._receipts import cosigner_entry, receipt_time_problem
from casefile.errors import (
    CheckpointMismatchError,
    CosignatureError,
    InvalidCommandError,
    NoteError,
    UnauthorisedSignerError,
)
from casefile.events import authenticate_chain
from casefile.events._custody_values import Custodian
from casefile.events._values import Instant, check_uuid
from casefile.signing._checkpoint import (
    Checkpoint,
    case_of_checkpoint,
    case_origin,
    checkpoint_verifiers,
    open_checkpoint,
    sign_checkpoint,
)
from casefile.signing._cosignature import (
    COSIGNATURE_PAYLOAD_SIZE,
    Cosignature,
    cosignature_of,
    verify_cosignature,
)
from casefile.signing._keys import Signer
from casefile.signing._merkle import merkle_root
from casefile.signing._note import split_note
from casefile.verifier._engine import DEFAULT_CLOCK_SKEW_NS

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from casefile.application._recorders import CaseRecorder
    from casefile.events import Investigation
    from casefile.signing._trust import TrustEntry, TrustStore

__all__ = ["CheckpointCommands"]


class CheckpointCommands:
    """The checkpoint commands of :class:`~casefile.application.CasefileApp`."""

    trust: TrustStore
    _cases: CaseRecorder
    _clock: Callable[[], int]
    session: Callable[[uuid.UUID, Signer], AbstractContextManager[Investigation]]

    def checkpoint(
        self,
        case_id: uuid.UUID,
        checkpoint_signer: Signer,
        name: str,
        origin_namespace: str,
        *,
        size: int | None = None,
    ) -> str:
        """A signed C2SP checkpoint note over the case's records as they stand (or its
        first ``size`` records).

        The chain is authenticated first; ``checkpoint_signer`` must be the
        trusted key named ``name`` holding a checkpoint role. The origin is
        ``<origin_namespace>/<case-uuid>``; a namespace outside FORMAT.md §6
        (1-128 of ``[a-z0-9.-]``, starting and ending with a letter or digit)
        raises :class:`~casefile.errors.InvalidCommandError`.
        """
        case_id = check_uuid(case_id, "case_id")
        entry = self.trust.get(checkpoint_signer.public_key.key_id)
        if entry is None or entry.name != name:
            raise UnauthorisedSignerError(f"the checkpoint key is not the trusted key {name!r}")
        if entry.roles.isdisjoint(self.trust.policy.checkpoint_roles):
            raise UnauthorisedSignerError(f"key of {name} lacks a checkpoint role")
        if not entry.valid_at(self._clock()):
            raise UnauthorisedSignerError(f"key of {name} is not valid now")
        try:
            origin = case_origin(origin_namespace, case_id)
        except NoteError as exc:
            raise InvalidCommandError("origin_namespace", str(exc)) from None
        chain = authenticate_chain(case_id, self._cases.select_events(case_id), self.trust)
        if size is not None:
            if not 1 <= size <= len(chain):
                raise InvalidCommandError("size", f"the case has {len(chain)} records, not {size}")
            chain = chain[:size]
        checkpoint = Checkpoint(
            origin=origin,
            size=len(chain),
            root=merkle_root([link.hash for link in chain]),
        )
        return sign_checkpoint(checkpoint, name, checkpoint_signer)

    def _check_checkpoint(self, case_id: uuid.UUID, note: str) -> int:
        """Check ``note`` as V12 and V13 would over the case's first records; return the
        latest time of the records it covers."""
        if type(note) is not str:
            raise InvalidCommandError("checkpoint", "expected the signed note text")
        checkpoint, _signers = open_checkpoint(note, checkpoint_verifiers(self.trust))
        label = str(case_id)
        chain = authenticate_chain(case_id, self._cases.select_events(case_id), self.trust)
        try:
            named = case_of_checkpoint(checkpoint)
        except NoteError as exc:
            raise CheckpointMismatchError(f"not a checkpoint: {exc}", case_id=label) from None
        if named != case_id:
            raise CheckpointMismatchError("checkpoint names another case", case_id=label)
        if not 1 <= checkpoint.size <= len(chain):
            raise CheckpointMismatchError(
                f"checkpoint covers {checkpoint.size} records; the case has {len(chain)}",
                case_id=label,
            )
        if merkle_root([link.hash for link in chain[: checkpoint.size]]) != checkpoint.root:
            raise CheckpointMismatchError("checkpoint root is not this case's", case_id=label)
        # As the verifier judges it (V12): a key valid by now, neither expired nor revoked
        # by the latest record the note covers (record times may go backwards), signed it.
        now, last = self._clock(), max(link.time_ns for link in chain[: checkpoint.size])
        open_checkpoint(note, checkpoint_verifiers(self.trust, last=last, at=now))
        return last

    def record_receipt(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        *,
        receipted: str,
        cosigner: str | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record the receipt in ``receipted``, the checkpoint a recipient cosigned and returned.

        ``receipted`` is this case's signed checkpoint note with the recipient's
        cosignature line appended (``casefile receipt --out``). The note must
        verify as :meth:`record_handover` requires; the cosignature is that of
        ``cosigner`` (a trust entry name), or the only one by a trusted key with
        the role ``recipient`` or ``witness``, and must verify under that key,
        valid at the cosignature's time. ``signer`` keys the record for the
        recipient (FORMAT.md §10.4 ``receipt.recorded``). Returns its seq.
        """
        case_id = check_uuid(case_id, "case_id")
        acknowledged = self._check_checkpoint(case_id, receipted)
        text, lines = split_note(receipted)
        found: list[tuple[Cosignature, TrustEntry]] = []
        for line in lines:
            if len(line.payload) != COSIGNATURE_PAYLOAD_SIZE:
                continue
            cosignature = cosignature_of(line)
            entry = cosigner_entry(self.trust, cosignature)
            if entry is not None and (cosigner is None or entry.name == cosigner):
                found.append((cosignature, entry))
        if len(found) != 1:
            wanted = "the role recipient or witness" if cosigner is None else f"name {cosigner}"
            raise InvalidCommandError(
                "receipted",
                f"holds {len(found)} cosignatures by trusted keys of {wanted}; one is needed",
            )
        cosignature, entry = found[0]
        verify_cosignature(cosignature, text, entry.public_key)
        if not entry.valid_at(cosignature.time_ns):
            raise CosignatureError(
                f"the key of {entry.name} was not valid at its cosignature's time",
                case_id=str(case_id),
            )
        # A record is never removed: a receipt whose time B15 refuses would fail every
        # later bundle of the case, so it is refused here, before it is recorded.
        when = self._clock() if at is None else instant_ns(at, "at")
        problem = receipt_time_problem(
            entry.name, cosignature.time_ns, when, acknowledged, DEFAULT_CLOCK_SKEW_NS
        )
        if problem is not None:
            raise CosignatureError(problem, case_id=str(case_id))
        recipient = Custodian.from_holder(entry.holder, role="recipient")
        with self.session(case_id, signer) as case:
            return case.record_receipt(
                checkpoint=text, cosignature=cosignature.line, recipient=recipient, at=when
            )
