"""B15: recipients' receipts inside the case, and witnesses' cosignatures of its checkpoint.

A ``receipt.recorded`` record carries a recipient's cosignature
(c2sp.org/tlog-cosignature) of a checkpoint they were handed. The bundle holds
every record, so the verifier computes the root of the records that checkpoint
covered (the case's history, :mod:`casefile.bundle._history`, snapshots it
after each handover, for B13 and B14 too) and holds the receipt to it: a receipt binds the sender to
that history, and a bundle whose records before the receipt differ fails here.
A receipt acknowledges a handover: the checkpoint it cosigns ends with a
``case.handed_over`` record (every bundle handed to a recipient does, B13).

A trust policy may also require ``k`` of ``n`` named witnesses to have
cosigned the bundle's own checkpoint; their lines follow the checkpoint's
signature in ``checkpoint.txt`` (V12 ignores them: their key ids are of type
0x04).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from casefile.bundle._history import CaseHistory
from casefile.errors import CosignatureError, NoteError
from casefile.signing._checkpoint import case_of_checkpoint, parse_checkpoint_body
from casefile.signing._cosignature import (
    COSIGNATURE_PAYLOAD_SIZE,
    Cosignature,
    cosignature_key_id,
    cosignature_of,
    parse_cosignature,
    verify_cosignature,
)
from casefile.signing._note import NoteSignature, split_note
from casefile.signing._trust import RECIPIENT_ROLE, WITNESS_ROLE, TrustEntry, TrustStore
from casefile.verifier._actor import COSIGNED_RECEIPT_TYPE, holder_identity, person_identity
from casefile.verifier._verified import VerifiedRecord

__all__ = ["ReceiptCheck", "cosigner_entry", "cosigner_keys", "receipt_time_problem"]

_COSIGNER_ROLES: Final = frozenset({RECIPIENT_ROLE, WITNESS_ROLE})
_WITNESS_ROLES: Final = frozenset({WITNESS_ROLE})


def _named_entry(
    trust: TrustStore, cosignature: Cosignature | NoteSignature, roles: frozenset[str]
) -> TrustEntry | None:
    entry = trust.by_name(cosignature.name)
    if entry is None or not entry.has_role(roles):
        return None
    if cosignature_key_id(entry.name, entry.public_key) != cosignature.key_id:
        return None
    return entry


def _signs_checkpoints(trust: TrustStore, entry: TrustEntry) -> bool:
    """True if ``entry`` may sign the case's checkpoints: it is the sender's key, and a
    cosignature by it is the sender vouching for itself, neither a receipt nor a witness."""
    return entry.has_role(trust.policy.checkpoint_roles)


def cosigner_entry(
    trust: TrustStore,
    cosignature: Cosignature | NoteSignature,
    roles: frozenset[str] = _COSIGNER_ROLES,
) -> TrustEntry | None:
    """The trust entry whose name and type-0x04 key id the cosignature (or a note's signature
    line) names, holding one of ``roles`` and no checkpoint role; None if there is none
    (signed-note: a line by an unknown key is ignored)."""
    entry = _named_entry(trust, cosignature, roles)
    if entry is None or _signs_checkpoints(trust, entry):
        return None
    return entry


def receipt_time_problem(
    name: str, cosigned_ns: int, recorded_ns: int, acknowledged_ns: int | None, skew_ns: int
) -> str | None:
    """B15's rules for a receipt's time, or None when they hold: ``name`` cosigned no later
    than the receipt was recorded, and no earlier than the latest record of the handover it
    acknowledges (when known), each within the clock skew."""
    if cosigned_ns > recorded_ns + skew_ns:
        return f"cosigned by {name} after the receipt was recorded"
    if acknowledged_ns is not None and cosigned_ns + skew_ns < acknowledged_ns:
        return f"cosigned by {name} before the handover it acknowledges"
    return None


def cosigner_keys(trust: TrustStore, note: str, receipts: Iterable[str]) -> set[bytes]:
    """Key ids of the trusted cosigners of ``note`` and of the ``receipts`` (cosignature lines):
    the entries a bundle's trust.json must carry for B15 (and B10) to find them."""
    found: set[bytes] = set()
    try:
        _, lines = split_note(note)
        cosignatures = [
            cosignature_of(line) for line in lines if len(line.payload) == COSIGNATURE_PAYLOAD_SIZE
        ]
    except NoteError:
        cosignatures = []
    for line in receipts:
        try:
            cosignatures.append(parse_cosignature(line))
        except NoteError:
            continue
    for cosignature in cosignatures:
        entry = cosigner_entry(trust, cosignature)
        if entry is not None:
            found.add(entry.key_id)
    return found


@dataclass(frozen=True, slots=True)
class _Receipt:
    seq: int
    time_ns: int
    data: dict[str, object]


@dataclass(slots=True)
class ReceiptCheck:
    """B15 over the records that verified, taken in order, then the bundle's checkpoint."""

    trust: TrustStore
    case_id: uuid.UUID
    clock_skew_ns: int
    #: Key ids of the cosigners whose cosignatures counted (B10 looks for them).
    used_keys: set[bytes] = field(default_factory=set)
    _receipts: list[_Receipt] = field(default_factory=list)

    def take(self, record: VerifiedRecord) -> None:
        """Take the next record that verified; only receipts are kept."""
        if record.event_type == COSIGNED_RECEIPT_TYPE:
            self._receipts.append(_Receipt(record.seq, record.time_ns, dict(record.data)))

    def failures(
        self, note: str, at: int, latest: int | None, history: CaseHistory | None
    ) -> Iterator[CosignatureError]:
        """B15's failures: each receipt that does not hold, then the witness policy.

        ``history`` is None when a record failed B6: the case's roots are then
        not known, and that failure is reported already.
        """
        label = str(self.case_id)
        try:  # the origin the manifest's checkpoint names, whether or not V13 passed
            origin: str | None = split_note(note)[0].split("\n", 1)[0]
        except NoteError:
            origin = None
        # One set, not a walk over every handover for each receipt (quadratic in a long case).
        handed = set() if history is None else {h.seq for h in history.handovers}
        for receipt in self._receipts:
            problem = self._receipt_problem(receipt, origin, history, handed)
            if problem is not None:
                yield CosignatureError(problem, case_id=label, seq=receipt.seq, step="B15")
        for problem in self._witness_problems(note, at, latest):
            yield CosignatureError(problem, case_id=label, step="B15")

    def _receipt_problem(
        self, receipt: _Receipt, origin: str | None, history: CaseHistory | None, handed: set[int]
    ) -> str | None:
        body, line, by = (receipt.data.get(k) for k in ("checkpoint", "cosignature", "by"))
        if type(body) is not str or type(line) is not str:
            return "the receipt holds no checkpoint text and cosignature line"
        try:
            cosigned = parse_checkpoint_body(body)
            named = case_of_checkpoint(cosigned)
            cosignature = parse_cosignature(line)
        except NoteError as exc:
            return f"the receipt's {exc}"
        if named != self.case_id or (origin is not None and cosigned.origin != origin):
            return (
                f"the receipt cosigns a checkpoint of origin {cosigned.origin!r}, not this case's"
            )
        entry = _named_entry(self.trust, cosignature, _COSIGNER_ROLES)
        if entry is None:
            return (
                f"the cosignature by {cosignature.name} ({cosignature.key_id.hex()}) is by no "
                "trusted key holding the role recipient or witness"
            )
        if _signs_checkpoints(self.trust, entry):
            return (
                f"the cosignature by {entry.name} is by a key that also signs the case's "
                "checkpoints: a sender cannot receipt its own handover"
            )
        try:
            verify_cosignature(cosignature, body, entry.public_key)
        except CosignatureError as exc:
            return exc.message
        time_ns = cosignature.time_ns
        if not entry.valid_at(time_ns):
            return f"the key of {entry.name} was not valid at the cosignature's time"
        late = receipt_time_problem(entry.name, time_ns, receipt.time_ns, None, self.clock_skew_ns)
        if late is not None:
            return late
        if person_identity(by) != holder_identity(entry.holder):
            return f"names as the recipient someone else than {entry.name}'s holder"
        if cosigned.size >= receipt.seq:
            return f"cosigns {cosigned.size} records, not only records before the receipt"
        if history is not None:
            if cosigned.size not in handed:
                return f"cosigns {cosigned.size} records, which do not end with a handover"
            if cosigned.root != history.root(cosigned.size):
                return (
                    f"cosigns a root of {cosigned.size} records that is not this case's: "
                    "the records it acknowledged were changed"
                )
            early = receipt_time_problem(
                entry.name,
                time_ns,
                receipt.time_ns,
                history.latest_time(cosigned.size),
                self.clock_skew_ns,
            )
            if early is not None:
                return early
        self.used_keys.add(entry.key_id)
        return None

    def _witness_problems(self, note: str, at: int, latest: int | None) -> Iterator[str]:
        policy = self.trust.policy
        if not policy.witness_threshold:
            return
        try:
            text, lines = split_note(note)
        except NoteError:
            return  # V12 reports it
        counted: dict[str, bytes] = {}
        uncounted: list[str] = []
        for line in lines:
            if line.name not in policy.witnesses:
                continue
            entry = _named_entry(self.trust, line, _WITNESS_ROLES)
            if entry is None:
                continue  # no witness key under that name and key id: ignored (signed-note)
            if _signs_checkpoints(self.trust, entry):
                uncounted.append(f"{entry.name} also signs the case's checkpoints")
                continue
            try:
                cosignature = cosignature_of(line)
                verify_cosignature(cosignature, text, entry.public_key)
            except (NoteError, CosignatureError) as exc:
                yield f"witness cosignature line {line.number}: {exc}"
                continue
            # A cosignature that verifies but cannot count is no failure of its own: it is
            # named if the policy then goes unmet.
            time_ns = cosignature.time_ns
            if not entry.valid_at(time_ns):
                uncounted.append(f"{entry.name}'s key was not valid at its time")
            elif time_ns > at + self.clock_skew_ns:
                uncounted.append(f"{entry.name} cosigned after the verification time")
            elif time_ns + self.clock_skew_ns < (at if latest is None else latest):
                uncounted.append(f"{entry.name} cosigned before the last record was made")
            else:
                counted[entry.name] = entry.key_id
        if len(counted) < policy.witness_threshold:
            shown = ", ".join(sorted(counted)) or "none"
            why = f"; not counted: {'; '.join(uncounted)}" if uncounted else ""
            yield (
                f"the trust policy needs {policy.witness_threshold} of the "
                f"{len(policy.witnesses)} named witnesses to cosign the checkpoint; "
                f"{len(counted)} did ({shown}){why}"
            )
        self.used_keys.update(counted.values())
