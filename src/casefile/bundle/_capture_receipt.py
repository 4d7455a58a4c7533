"""The attach receipt: the centre's signed word that a capture joined a case (docs/FORMAT.md §12.6).

A receipt is a C2SP signed note whose text names the capture (its checkpoint's
origin, size and root), the case, the ``capture.attached`` record that binds it,
the time of receipt and the findings recorded there. Its first line can never
be a checkpoint origin (it holds spaces), so a receipt is never taken for a
checkpoint, nor a checkpoint for a receipt.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final

from casefile.errors import CaptureError, CheckpointSignatureError, NoteError
from casefile.signing._checkpoint import Checkpoint, case_of_checkpoint, parse_decimal
from casefile.signing._keys import Signer
from casefile.signing._merkle import HASH_SIZE
from casefile.signing._note import NoteVerifier, open_note, sign_note, strict_b64decode
from casefile.signing._trust import TrustStore

__all__ = ["RECEIPT_HEADER", "AttachReceipt", "findings_of", "open_receipt", "sign_receipt"]

RECEIPT_HEADER: Final = "casefile capture receipt v1"
_MAX_FINDINGS: Final = 10_000


@dataclass(frozen=True, slots=True)
class AttachReceipt:
    """What the centre attached: records 1 to ``size`` of the capture behind ``origin``
    (Merkle ``root``) are part of case ``case_id`` from record ``seq``, received at
    ``received`` (ns), with ``findings`` ((kind, capture seq) pairs). ``note`` is the
    signed note (empty until signed)."""

    origin: str
    size: int
    root: bytes
    case_id: uuid.UUID
    seq: int
    received: int
    findings: tuple[tuple[str, int], ...]
    note: str = ""

    @property
    def stream(self) -> uuid.UUID:
        """The capture stream's id, read from the origin."""
        return case_of_checkpoint(Checkpoint(self.origin, self.size, self.root))

    def body(self) -> str:
        """The note text (docs/FORMAT.md §12.6)."""
        lines = [
            RECEIPT_HEADER,
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode("ascii"),
            str(self.case_id),
            str(self.seq),
            str(self.received),
            str(len(self.findings)),
            *(f"{kind} {seq}" for kind, seq in self.findings),
        ]
        return "\n".join(lines) + "\n"

    def to_bytes(self) -> bytes:
        """The signed note as UTF-8 bytes: what the device is given."""
        return self.note.encode("utf-8")


def sign_receipt(receipt: AttachReceipt, name: str, signer: Signer) -> AttachReceipt:
    """``receipt`` with its note signed by ``signer`` under key ``name``."""
    return replace(receipt, note=sign_note(receipt.body(), name, signer))


def open_receipt(note: bytes | str, trust: TrustStore, *, at: int) -> AttachReceipt:
    """Verify a receipt note under ``trust`` and parse it, or raise :class:`CaptureError`.

    R1: a signature by a trusted key holding a checkpoint role verifies, over a
    receipt's text; R2: that key was valid at the time of receipt the text
    states, and had not started after ``at``; R3: the origin names a stream.
    (R4, the stream's own records, is the device's: :meth:`DeviceApp.accept_receipt`.)
    """
    policy = trust.policy
    candidates = [e for e in trust.entries if not e.roles.isdisjoint(policy.checkpoint_roles)]
    try:
        # R1
        verified = open_note(note, [NoteVerifier(e.name, e.public_key) for e in candidates])
        # R1: the text is read only once a trusted key vouches for it
        receipt = _parse(verified.text)
    except (NoteError, CheckpointSignatureError) as exc:
        raise CaptureError(f"receipt: {exc}", step="R1") from None
    # R2: the key that signed was valid when the receipt says the package arrived.
    valid = [e for e in candidates if e.name in verified.signers]
    if not any(e.valid_at(receipt.received) and e.valid_from <= at for e in valid):
        raise CaptureError(
            "receipt: no signing key was valid at the stated time of receipt", step="R2"
        )
    # R3: the origin names a stream.
    try:
        receipt.stream  # noqa: B018 - read for its check
    except (NoteError, ValueError) as exc:
        raise CaptureError(f"receipt: {exc}", step="R3") from None
    return replace(receipt, note=note.decode("utf-8") if isinstance(note, bytes) else note)


def _parse(text: str) -> AttachReceipt:
    if not text.endswith("\n"):
        raise NoteError("receipt text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 8 or lines[0] != RECEIPT_HEADER:
        raise NoteError("not a capture receipt")
    origin = lines[1]
    size = parse_decimal(lines[2], "receipt size")
    root = strict_b64decode(lines[3], "receipt root")
    if len(root) != HASH_SIZE:
        raise NoteError("receipt root is not 32 bytes")
    try:
        case_id = uuid.UUID(lines[4])
    except ValueError:
        raise NoteError("receipt case: not a UUID") from None
    if str(case_id) != lines[4]:
        raise NoteError("receipt case: not in lowercase hyphenated form")
    seq = parse_decimal(lines[5], "receipt record")
    received = _parse_signed(lines[6])
    count = parse_decimal(lines[7], "receipt findings")
    if count > _MAX_FINDINGS or len(lines) != 8 + count:
        raise NoteError("receipt findings: the count does not match the lines")
    findings = tuple(_finding(line) for line in lines[8:])
    return AttachReceipt(origin, size, root, case_id, seq, received, findings)


def _parse_signed(text: str) -> int:
    negative = text.startswith("-")
    value = parse_decimal(text[1:] if negative else text, "receipt time")
    return -value if negative else value


def _finding(line: str) -> tuple[str, int]:
    kind, _, seq = line.partition(" ")
    if not kind or not kind.replace("_", "").isalpha() or not kind.islower():
        raise NoteError(f"receipt finding {line!r}: not '<kind> <seq>'")
    return kind, parse_decimal(seq, "receipt finding seq")


def findings_of(rows: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """Findings in the receipt's order: by capture seq, then kind."""
    return tuple(sorted(rows, key=lambda row: (row[1], row[0])))
