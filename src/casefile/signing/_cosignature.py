"""C2SP checkpoint cosignatures (``c2sp.org/tlog-cosignature``, version 1, Ed25519).

A cosignature is a note signature line added under a checkpoint by someone
other than the log: here the recipient of a bundle (a *receipt*) or a witness.
Its key id is ``SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4]`` (signature type 0x04),
and its payload a ``timestamped_signature``: the cosigning time as a
big-endian u64 of POSIX seconds, then the Ed25519 signature of::

    cosignature/v1\\n
    time <seconds>\\n
    <the checkpoint's note text, final newline included>

Because the key id is of type 0x04, a checkpoint verifier that knows only the
log's 0x01 keys ignores cosignature lines (signed-note: unknown keys are
ignored), so cosignatures can be appended to a signed checkpoint without
invalidating it. docs/FORMAT.md §6.1 specifies this for casefile.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass
from typing import Final

from casefile.errors import CosignatureError, NoteError
from casefile.signing._keys import SIGNATURE_SIZE, PublicKey, Signer, verify_signature
from casefile.signing._note import (
    NOTE_KEY_ID_SIZE,
    NoteSignature,
    check_key_name,
    parse_signature_line,
    split_note,
)

__all__ = [
    "COSIGNATURE_HEADER",
    "COSIGNATURE_PAYLOAD_SIZE",
    "COSIGNATURE_TYPE",
    "MAX_COSIGNATURE_TIME",
    "Cosignature",
    "append_cosignatures",
    "cosign_checkpoint",
    "cosignature_key_id",
    "cosignature_message",
    "cosignature_of",
    "parse_cosignature",
    "verify_cosignature",
]

#: The signed-note signature type of timestamped Ed25519 cosignatures.
COSIGNATURE_TYPE: Final = 0x04
#: The first line of the signed message, for domain separation.
COSIGNATURE_HEADER: Final = "cosignature/v1"
#: The spec caps the u64 timestamp at 2^63-1.
MAX_COSIGNATURE_TIME: Final = 2**63 - 1

_PREFIX: Final = "\u2014 "
_NS_PER_SECOND: Final = 1_000_000_000
_TIMESTAMP: Final = struct.Struct(">Q")
#: What follows a cosignature line's key id: the u64 timestamp and the Ed25519 signature.
COSIGNATURE_PAYLOAD_SIZE: Final = _TIMESTAMP.size + SIGNATURE_SIZE


def _check_time(timestamp: object) -> int:
    if type(timestamp) is not int or not 0 <= timestamp <= MAX_COSIGNATURE_TIME:
        raise NoteError(f"a cosignature time is an integer from 0 to {MAX_COSIGNATURE_TIME}")
    return timestamp


def cosignature_key_id(name: str, public_key: PublicKey) -> bytes:
    """The 4-byte key id of a cosigner: SHA-256(name ‖ 0x0A ‖ 0x04 ‖ Ed25519 key)[:4]."""
    preimage = check_key_name(name) + b"\n" + bytes([COSIGNATURE_TYPE]) + public_key.raw
    return hashlib.sha256(preimage).digest()[:NOTE_KEY_ID_SIZE]


def cosignature_message(body: str, timestamp: int) -> bytes:
    """The bytes a cosigner signs: header line, time line, then the checkpoint's note text."""
    if not isinstance(body, str) or not body.endswith("\n"):
        raise NoteError("a cosigned checkpoint's text ends in a newline")
    return f"{COSIGNATURE_HEADER}\ntime {_check_time(timestamp)}\n{body}".encode()


@dataclass(frozen=True, slots=True)
class Cosignature:
    """One cosignature line, parsed; nothing about it is verified until
    :func:`verify_cosignature` has checked it against a trusted key."""

    name: str
    key_id: bytes
    timestamp: int
    signature: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if type(self.key_id) is not bytes or len(self.key_id) != NOTE_KEY_ID_SIZE:
            raise NoteError(f"a cosignature key id is {NOTE_KEY_ID_SIZE} bytes")
        _check_time(self.timestamp)
        if type(self.signature) is not bytes or len(self.signature) != SIGNATURE_SIZE:
            raise NoteError(f"a cosignature's signature is {SIGNATURE_SIZE} bytes")

    @property
    def time_ns(self) -> int:
        """The cosigning time in nanoseconds since the epoch, as records and keys are timed."""
        return self.timestamp * _NS_PER_SECOND

    @property
    def line(self) -> str:
        """The signature line, ``— <name> base64(key id ‖ time ‖ signature)``, no newline."""
        payload = self.key_id + _TIMESTAMP.pack(self.timestamp) + self.signature
        return f"{_PREFIX}{self.name} {base64.b64encode(payload).decode('ascii')}"


def parse_cosignature(line: str) -> Cosignature:
    """Parse one cosignature line (a final newline is allowed); verify nothing.

    The base64 must be canonical and hold exactly 4 + 8 + 64 bytes, and the
    timestamp must not exceed 2^63-1; otherwise :class:`NoteError`.
    """
    if not isinstance(line, str) or len(line) > 4096:
        raise NoteError("a cosignature line is a short string")
    if line.endswith("\n"):
        line = line[:-1]
    if "\n" in line:
        raise NoteError("a cosignature is one line")
    return cosignature_of(parse_signature_line(line))


def cosignature_of(parsed: NoteSignature) -> Cosignature:
    """Read a note's signature line (from :func:`split_note`) as a cosignature; verify nothing."""
    if len(parsed.payload) != COSIGNATURE_PAYLOAD_SIZE:
        raise NoteError(
            f"cosignature by {parsed.name}: {NOTE_KEY_ID_SIZE + len(parsed.payload)} bytes,"
            f" not {NOTE_KEY_ID_SIZE + COSIGNATURE_PAYLOAD_SIZE} (key id, time, Ed25519 signature)"
        )
    (timestamp,) = _TIMESTAMP.unpack(parsed.payload[: _TIMESTAMP.size])
    if timestamp > MAX_COSIGNATURE_TIME:
        raise NoteError(f"cosignature by {parsed.name}: time {timestamp} exceeds 2^63-1")
    return Cosignature(parsed.name, parsed.key_id, timestamp, parsed.payload[_TIMESTAMP.size :])


def cosign_checkpoint(body: str, name: str, signer: Signer, timestamp: int) -> Cosignature:
    """Cosign checkpoint note text ``body`` at POSIX second ``timestamp`` under key ``name``.

    The time is the caller's (injected, never read from a clock here). The new
    cosignature is verified before it is returned, so that a signer holding
    another key than it reports fails here rather than at every reader.
    """
    message = cosignature_message(body, timestamp)
    public_key = signer.public_key
    cosignature = Cosignature(
        name=name,
        key_id=cosignature_key_id(name, public_key),
        timestamp=timestamp,
        signature=signer.sign(message),
    )
    verify_cosignature(cosignature, body, public_key)
    return cosignature


def verify_cosignature(cosignature: Cosignature, body: str, public_key: PublicKey) -> None:
    """Raise :class:`CosignatureError` unless ``cosignature`` is ``public_key``'s over ``body``.

    The key id must be the one the cosignature's name and ``public_key``
    imply, and the signature must verify (strict Ed25519) over
    :func:`cosignature_message`.
    """
    if cosignature.key_id != cosignature_key_id(cosignature.name, public_key):
        raise CosignatureError(
            f"cosignature by {cosignature.name}: key id {cosignature.key_id.hex()} is not"
            " that of the trusted key of this name"
        )
    message = cosignature_message(body, cosignature.timestamp)
    if not verify_signature(public_key.raw, message, cosignature.signature):
        raise CosignatureError(
            f"cosignature by {cosignature.name} at time {cosignature.timestamp} does not verify"
            " over this checkpoint"
        )


def append_cosignatures(note: str, cosignatures: tuple[Cosignature, ...]) -> str:
    """``note`` (a signed checkpoint) with ``cosignatures`` appended as signature lines.

    The note must parse as a signed note; a line it already holds is not
    repeated. The note's own signatures are not checked here: the reader does.
    """
    _, existing = split_note(note)
    present = {(s.name, s.key_id, s.payload) for s in existing}
    lines: list[str] = []
    for c in cosignatures:
        key = (c.name, c.key_id, _TIMESTAMP.pack(c.timestamp) + c.signature)
        if key not in present:
            present.add(key)
            lines.append(c.line + "\n")
    result = note + "".join(lines)
    split_note(result)  # the size and line limits still hold
    return result
