"""C2SP signed notes (``c2sp.org/signed-note``) with Ed25519 signatures.

A note is a text ending in a newline, a blank line, then one or more signature
lines ``— <name> base64(key id ‖ signature)``. :func:`open_note` returns the
text only after a trusted key has verified it; the text must be ignored
otherwise. Malformed notes raise :class:`~casefile.errors.NoteError`; notes
that parse but are not validly signed raise
:class:`~casefile.errors.CheckpointSignatureError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from casefile.errors import CheckpointSignatureError, NoteError
from casefile.signing._keys import SIGNATURE_SIZE, PublicKey, Signer, verify_signature

__all__ = [
    "MAX_NOTE_SIZE",
    "MAX_SIGNATURES",
    "NOTE_KEY_ID_SIZE",
    "NoteSignature",
    "NoteVerifier",
    "VerifiedNote",
    "check_key_name",
    "note_key_id",
    "open_note",
    "parse_signature_line",
    "sign_note",
    "split_note",
    "strict_b64decode",
]

#: Notes larger than this (in UTF-8 bytes) are refused before any parsing.
MAX_NOTE_SIZE: Final = 1024 * 1024
#: The spec requires accepting at least 16 signature lines; more than this is refused.
MAX_SIGNATURES: Final = 100
NOTE_KEY_ID_SIZE: Final = 4

_ED25519_TYPE: Final = b"\x01"
_SIG_PREFIX: Final = "\u2014 "  # em dash, space
_CONTROL: Final = re.compile(r"[\x00-\x09\x0b-\x1f]")
_SIG_BASE64_SIZE: Final = len(base64.b64encode(bytes(NOTE_KEY_ID_SIZE + SIGNATURE_SIZE)))


def strict_b64decode(text: str, what: str) -> bytes:
    """Decode standard padded base64 that re-encodes to exactly ``text``.

    Refusing non-canonical encodings (stray padding bits, missing padding,
    whitespace) keeps one note text per signed value, so a changed byte can
    never still verify.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise NoteError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def check_key_name(name: str) -> bytes:
    """Raise :class:`NoteError` unless ``name`` is a valid note key name; return its UTF-8."""
    if not isinstance(name, str) or not name:
        raise NoteError("a note key name must be a non-empty string")
    if "+" in name or any(ch.isspace() for ch in name) or _CONTROL.search(name):
        raise NoteError(f"note key name {name!r} contains a space, '+' or a control character")
    try:
        return name.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"note key name {name!r} is not encodable as UTF-8") from None


def note_key_id(name: str, public_key: PublicKey) -> bytes:
    """The 4-byte note key id: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ Ed25519 key)[:4]."""
    preimage = check_key_name(name) + b"\n" + _ED25519_TYPE + public_key.raw
    return hashlib.sha256(preimage).digest()[:NOTE_KEY_ID_SIZE]


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A trusted Ed25519 note key: its name, its 4-byte key id and its public key."""

    name: str
    public_key: PublicKey
    key_id: bytes = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.public_key, PublicKey):
            raise TypeError("public_key must be a PublicKey")
        object.__setattr__(self, "key_id", note_key_id(self.name, self.public_key))

    @classmethod
    def from_verifier_key(cls, text: str) -> NoteVerifier:
        """Parse a verifier key ``<name>+<hex key id>+<base64(0x01 ‖ key)>``.

        The key id must be the one the name and key imply (Ed25519 note keys
        have no other); a small-order or invalid key raises
        :class:`~casefile.errors.InvalidPublicKeyError`.
        """
        if not isinstance(text, str) or len(text) > 4096:
            raise NoteError("a verifier key is a short string")
        parts = text.split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key has three '+'-separated parts: name, key id, key")
        name, hex_id, b64_key = parts
        check_key_name(name)
        if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
            raise NoteError(f"verifier key {name}: key id {hex_id!r} is not 8 lowercase hex digits")
        material = strict_b64decode(b64_key, f"verifier key {name}: key")
        if material[:1] != _ED25519_TYPE:
            raise NoteError(f"verifier key {name}: not an Ed25519 (0x01) key")
        if len(material) != 33:
            raise NoteError(f"verifier key {name}: an Ed25519 key is 32 bytes")
        verifier = cls(name, PublicKey(material[1:]))
        if verifier.key_id.hex() != hex_id:
            raise NoteError(f"verifier key {name}: key id {hex_id} does not match the key")
        return verifier

    @property
    def verifier_key(self) -> str:
        """This key in verifier key text form (inverse of :meth:`from_verifier_key`)."""
        material = base64.b64encode(_ED25519_TYPE + self.public_key.raw).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{material}"


@dataclass(frozen=True, slots=True)
class VerifiedNote:
    """A note's text, returned only after at least one trusted key verified it.

    ``verifiers`` are the trusted keys whose signatures verified, in the order
    of their first signature line; ``signers`` are their names.
    """

    text: str
    verifiers: tuple[NoteVerifier, ...]

    @property
    def signers(self) -> tuple[str, ...]:
        """The names of the keys that verified the note."""
        return tuple(v.name for v in self.verifiers)


def _check_chars(text: str, what: str) -> bytes:
    """Refuse control characters other than newline; return the UTF-8 bytes."""
    match = _CONTROL.search(text)
    if match:
        raise NoteError(f"control character {match.group()!r} at offset {match.start()} of {what}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"{what} is not encodable as UTF-8") from None


def sign_note(text: str, name: str, signer: Signer) -> str:
    """Sign ``text`` with ``signer`` under key ``name``; return the signed note.

    The result is the text, a blank line and one signature line. The new
    signature is verified before it is returned, so a signer holding another
    key than it reports (a misconfigured HSM or KMS) fails here rather than at
    every reader.
    """
    name_bytes = check_key_name(name)
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    message = _check_chars(text, "note text")
    line = len(_SIG_PREFIX.encode()) + len(name_bytes) + 1 + _SIG_BASE64_SIZE + 1
    if len(message) + 1 + line > MAX_NOTE_SIZE:
        raise NoteError(f"signed note would exceed {MAX_NOTE_SIZE} bytes")
    public_key = signer.public_key
    signature = signer.sign(message)
    if not verify_signature(public_key.raw, message, signature):
        raise CheckpointSignatureError(f"signer for {name} produced a signature that fails")
    key_id = note_key_id(name, public_key)
    encoded = base64.b64encode(key_id + signature).decode("ascii")
    return f"{text}\n{_SIG_PREFIX}{name} {encoded}\n"


def _decode_note(note: str | bytes) -> str:
    if isinstance(note, bytes | bytearray | memoryview):
        raw = bytes(note)
        if len(raw) > MAX_NOTE_SIZE:
            raise NoteError(f"note exceeds {MAX_NOTE_SIZE} bytes")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError(f"note is not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(note, str):
        raise NoteError("a note is str or bytes")
    # A str of N characters has at least N UTF-8 bytes: refuse huge input unencoded.
    if len(note) > MAX_NOTE_SIZE or len(note.encode("utf-8", "surrogatepass")) > MAX_NOTE_SIZE:
        raise NoteError(f"note exceeds {MAX_NOTE_SIZE} bytes")
    return note


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line of a note, parsed but not verified.

    ``payload`` is what follows the 4-byte key id: the signature itself for
    Ed25519 note signatures, a timestamp and a signature for cosignatures.
    """

    name: str
    key_id: bytes
    payload: bytes
    number: int


def split_note(note: str | bytes) -> tuple[str, tuple[NoteSignature, ...]]:
    """Parse a signed note into its text and its signature lines, verifying nothing.

    Steps 1-3 of :func:`open_note`. The text must not be interpreted until a
    trusted key has verified it.
    """
    # Step 1.
    whole = _decode_note(note)
    _check_chars(whole, "note")
    # Step 2.
    split = whole.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = whole[: split + 1], whole[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("note must end in newline-terminated signature lines")
    lines = block[:-1].split("\n")
    # Step 3.
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has {len(lines)} signature lines, more than {MAX_SIGNATURES}")
    return text, tuple(parse_signature_line(line, number) for number, line in enumerate(lines, 1))


def parse_signature_line(line: str, number: int = 1) -> NoteSignature:
    """Parse one ``— <name> <base64>`` line (without its newline); ``number`` names it in errors."""
    if not line.startswith(_SIG_PREFIX):
        raise NoteError(f"signature line {number} does not start with an em dash and a space")
    name, space, encoded = line[len(_SIG_PREFIX) :].partition(" ")
    if not space:
        raise NoteError(f"signature line {number} has no signature after the key name")
    check_key_name(name)
    _check_chars(line, f"signature line {number}")
    raw = strict_b64decode(encoded, f"signature line {number}")
    if len(raw) < NOTE_KEY_ID_SIZE + 1:
        raise NoteError(f"signature line {number} is too short to hold a key id and signature")
    return NoteSignature(name, raw[:NOTE_KEY_ID_SIZE], raw[NOTE_KEY_ID_SIZE:], number)


def open_note(note: str | bytes, verifiers: Iterable[NoteVerifier]) -> VerifiedNote:
    """Verify a signed note against trusted ``verifiers`` and return its text.

    1. The note is at most ``MAX_NOTE_SIZE`` bytes of UTF-8 without control
       characters other than newline.
    2. The last blank line splits it into text (ending in a newline) and a
       non-empty block of newline-terminated signature lines.
    3. Each signature line is ``— <name> <base64>``, with a valid name and
       canonical base64 of at least 5 bytes; at most ``MAX_SIGNATURES`` lines.
    4. Lines whose (name, key id) is not a trusted key are ignored (among
       them cosignatures, whose key ids are of another signature type).
    5. Every line from a trusted key must verify, or the note is rejected.
    6. At least one trusted key must have verified the note.
    """
    trusted = {(v.name, v.key_id): v for v in verifiers}
    text, signatures = split_note(note)  # steps 1-3
    text_bytes = text.encode("utf-8")
    verified: dict[tuple[str, bytes], NoteVerifier] = {}
    for line in signatures:
        # Step 4.
        key = (line.name, line.key_id)
        verifier = trusted.get(key)
        if verifier is None:
            continue
        # Step 5: every line from a trusted key is checked, repeats included.
        if not verify_signature(verifier.public_key.raw, text_bytes, line.payload):
            raise CheckpointSignatureError(
                f"signature line {line.number} by trusted key {line.name} ({key[1].hex()})"
                " does not verify"
            )
        verified.setdefault(key, verifier)
    # Step 6.
    if not verified:
        raise CheckpointSignatureError("no trusted key has signed the note")
    return VerifiedNote(text=text, verifiers=tuple(verified.values()))
