"""Private keys at rest: an Ed25519 seed sealed under a passphrase.

The file format is specified byte by byte in docs/FORMAT.md §11; the steps a
reader takes are numbered there (K1-K8) and marked below. In short, a key file
is the canonical encoding (§1) of ``{"box": bytes(48), "header": bytes}``,
where ``header`` is itself the canonical encoding of::

    {"aead": "xchacha20poly1305-ietf", "format": "casefile-private-key",
     "kdf": "argon2id13", "mem": int, "nonce": bytes(24), "ops": int,
     "public_key": bytes(32), "salt": bytes(16), "v": 2}

The passphrase is stretched with Argon2id (libsodium ``crypto_pwhash``, ops
passes over mem bytes) into a 32-byte key that seals the 32-byte seed with
XChaCha20-Poly1305, the stored header bytes being the associated data. Every
byte of the file is therefore authenticated: a changed format, KDF name, cost,
salt, nonce or public key fails to open exactly as a changed ciphertext does.
The public key is readable without the passphrase so that a tool can say whose
key a file holds; on opening, the seed's own public key must also equal it.

Cost: the default is libsodium's INTERACTIVE level (2 passes, 64 MiB, about
0.1 s here); pass ``opslimit=OPSLIMIT_MODERATE, memlimit=MEMLIMIT_MODERATE``
(3 passes, 256 MiB, about 0.5 s) for keys kept on shared storage. Nothing
cheaper than INTERACTIVE is written. Files asking for more than 4 passes or
256 MiB are refused before any work is done, so a hostile file cannot make a
reader allocate gigabytes or spin for minutes.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import nacl.bindings as sodium
import nacl.exceptions

from casefile.encoding import decode, encode
from casefile.errors import DecodeError, InvalidPublicKeyError, KeyFileError
from casefile.signing._keys import PUBLIC_KEY_SIZE, InMemorySigner, PublicKey

__all__ = [
    "KEY_FILE_FORMAT",
    "MAX_MEMLIMIT",
    "MAX_OPSLIMIT",
    "MEMLIMIT_INTERACTIVE",
    "MEMLIMIT_MODERATE",
    "OPSLIMIT_INTERACTIVE",
    "OPSLIMIT_MODERATE",
    "armor_private_key",
    "dearmor_private_key",
    "decrypt_private_key",
    "encrypt_private_key",
    "is_armored",
    "load_private_key",
    "read_public_key",
]

KEY_FILE_FORMAT: Final = "casefile-private-key"
_VERSION: Final = 2
_KDF: Final = "argon2id13"
_AEAD: Final = "xchacha20poly1305-ietf"

OPSLIMIT_INTERACTIVE: Final[int] = sodium.crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE
MEMLIMIT_INTERACTIVE: Final[int] = sodium.crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE
OPSLIMIT_MODERATE: Final[int] = sodium.crypto_pwhash_argon2id_OPSLIMIT_MODERATE
MEMLIMIT_MODERATE: Final[int] = sodium.crypto_pwhash_argon2id_MEMLIMIT_MODERATE
#: The most a key file may ask of a reader (libsodium's SENSITIVE passes, MODERATE memory).
MAX_OPSLIMIT: Final[int] = sodium.crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE
MAX_MEMLIMIT: Final[int] = MEMLIMIT_MODERATE

_MIN_OPSLIMIT: Final[int] = sodium.crypto_pwhash_argon2id_OPSLIMIT_MIN
_MIN_MEMLIMIT: Final[int] = sodium.crypto_pwhash_argon2id_MEMLIMIT_MIN
# Argon2 counts memory in KiB and libsodium rounds bytes down to them, so two
# byte counts within one KiB would derive the same key: only whole KiB are valid.
_MEM_UNIT: Final = 1024
_ALG: Final[int] = sodium.crypto_pwhash_ALG_ARGON2ID13
_SALT_SIZE: Final[int] = sodium.crypto_pwhash_SALTBYTES
_NONCE_SIZE: Final[int] = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_KEY_SIZE: Final[int] = sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
_SEED_SIZE: Final = 32
_BOX_SIZE: Final[int] = _SEED_SIZE + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES
# A key file is about 250 bytes; anything far larger is not one.
_MAX_FILE_SIZE: Final = 4096
_FILE_FIELDS: Final = frozenset({"box", "header"})
_HEADER_FIELDS: Final = frozenset(
    {"aead", "format", "kdf", "mem", "nonce", "ops", "public_key", "salt", "v"}
)

_ARMOR_BEGIN: Final = "-----BEGIN CASEFILE PRIVATE KEY-----"
_ARMOR_END: Final = "-----END CASEFILE PRIVATE KEY-----"
_ARMOR_WIDTH: Final = 64


@dataclass(frozen=True)
class _SealedKey:
    """A key file that passed every check that needs no passphrase (K1-K5)."""

    header: bytes
    box: bytes
    ops: int
    mem: int
    salt: bytes
    nonce: bytes
    public_key: PublicKey


def _derive(passphrase: bytes, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return bytes(sodium.crypto_pwhash_alg(_KEY_SIZE, passphrase, salt, opslimit, memlimit, _ALG))


def _check_limits(
    opslimit: object, memlimit: object, *, min_ops: int, min_mem: int
) -> tuple[int, int]:
    if type(opslimit) is not int or not min_ops <= opslimit <= MAX_OPSLIMIT:
        raise KeyFileError(
            f"ops: {opslimit!r} outside the accepted Argon2id passes {min_ops}-{MAX_OPSLIMIT}"
        )
    if type(memlimit) is not int or not min_mem <= memlimit <= MAX_MEMLIMIT:
        raise KeyFileError(
            f"mem: {memlimit!r} outside the accepted Argon2id memory {min_mem}-{MAX_MEMLIMIT} bytes"
        )
    if memlimit % _MEM_UNIT:
        raise KeyFileError(f"mem: {memlimit} is not a whole number of KiB ({_MEM_UNIT} bytes)")
    return opslimit, memlimit


def _check_passphrase(passphrase: object) -> bytes:
    if type(passphrase) is not bytes or not passphrase:
        raise KeyFileError("passphrase: must be non-empty bytes")
    return passphrase


def encrypt_private_key(
    seed: bytes,
    passphrase: bytes,
    *,
    opslimit: int = OPSLIMIT_INTERACTIVE,
    memlimit: int = MEMLIMIT_INTERACTIVE,
    salt: bytes | None = None,
    nonce: bytes | None = None,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> bytes:
    """Seal the 32-byte Ed25519 ``seed`` under ``passphrase``; return the key file bytes.

    ``salt`` (16 bytes) and ``nonce`` (24 bytes) are drawn from ``random_bytes``
    unless given (tests inject them for reproducible files). Raises
    :class:`KeyFileError` for a seed that is not 32 bytes, an empty passphrase,
    limits below INTERACTIVE or above the caps a reader accepts, or memory that
    is not a whole number of KiB.
    """
    if type(seed) is not bytes or len(seed) != _SEED_SIZE:
        raise KeyFileError(f"seed: an Ed25519 seed is {_SEED_SIZE} bytes")
    signer = InMemorySigner(seed)
    _check_passphrase(passphrase)
    # New files get at least the INTERACTIVE cost: a cheaper KDF would make
    # guessing the passphrase of a stolen file cheap.
    _check_limits(opslimit, memlimit, min_ops=OPSLIMIT_INTERACTIVE, min_mem=MEMLIMIT_INTERACTIVE)
    salt = random_bytes(_SALT_SIZE) if salt is None else salt
    nonce = random_bytes(_NONCE_SIZE) if nonce is None else nonce
    if type(salt) is not bytes or len(salt) != _SALT_SIZE:
        raise KeyFileError(f"salt: must be {_SALT_SIZE} bytes")
    if type(nonce) is not bytes or len(nonce) != _NONCE_SIZE:
        raise KeyFileError(f"nonce: must be {_NONCE_SIZE} bytes")
    header = encode(
        {
            "aead": _AEAD,
            "format": KEY_FILE_FORMAT,
            "kdf": _KDF,
            "mem": memlimit,
            "nonce": nonce,
            "ops": opslimit,
            "public_key": signer.public_key.raw,
            "salt": salt,
            "v": _VERSION,
        }
    )
    key = _derive(passphrase, salt, opslimit, memlimit)
    box = bytes(sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(seed, header, nonce, key))
    return encode({"box": box, "header": header})


def _bytes_field(fields: dict[str, Any], name: str, size: int) -> bytes:
    value = fields[name]
    if type(value) is not bytes or len(value) != size:
        raise KeyFileError(f"{name}: expected {size} bytes")
    return value


def _check_fields(fields: dict[str, Any], expected: frozenset[str], where: str) -> None:
    if set(fields) != expected:
        missing = sorted(expected - set(fields))
        unknown = sorted(set(fields) - expected)
        raise KeyFileError(f"{where}: missing {missing}, unknown {unknown}")


def _check_version(fields: dict[str, Any]) -> None:
    version = fields.get("v")
    if type(version) is not int or version != _VERSION:
        raise KeyFileError(
            f"v: unsupported key file version {version!r} (this library reads version "
            f"{_VERSION}; seal the key again with it)"
        )


def _decode_map(data: bytes, what: str) -> dict[str, Any]:
    try:
        fields = decode(data, max_size=_MAX_FILE_SIZE, max_depth=2)
    except DecodeError as exc:
        raise KeyFileError(f"{what} ({exc})") from None
    if type(fields) is not dict:
        raise KeyFileError(what)
    return fields


def _parse(data: bytes) -> _SealedKey:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise KeyFileError(f"expected bytes, not {type(data).__name__}")
    # K1: one canonical map of at most 4096 bytes.
    outer = _decode_map(bytes(data), "not a casefile private key file")
    # K2: {box, header}. A version 1 file was one flat map naming its format:
    # refuse it by its version rather than as a stranger.
    if outer.get("format") == KEY_FILE_FORMAT:
        _check_version(outer)
    _check_fields(outer, _FILE_FIELDS, "fields")
    header = outer["header"]
    if type(header) is not bytes:
        raise KeyFileError("header: expected bytes")
    box = _bytes_field(outer, "box", _BOX_SIZE)
    # K3: the header is a canonical map naming this format, version and algorithms.
    fields = _decode_map(header, "header: not a casefile private key header")
    if fields.get("format") != KEY_FILE_FORMAT:
        raise KeyFileError("not a casefile private key file")
    _check_version(fields)
    _check_fields(fields, _HEADER_FIELDS, "header fields")
    if fields["kdf"] != _KDF:
        raise KeyFileError(f"kdf: unsupported key derivation {fields['kdf']!r}")
    if fields["aead"] != _AEAD:
        raise KeyFileError(f"aead: unsupported cipher {fields['aead']!r}")
    # K4: the cost caps, before any work. Only the upper caps protect a reader:
    # a cheaper file costs it nothing.
    ops, mem = _check_limits(
        fields["ops"], fields["mem"], min_ops=_MIN_OPSLIMIT, min_mem=_MIN_MEMLIMIT
    )
    # K5: sizes, and a public key that is a valid prime-order point.
    salt = _bytes_field(fields, "salt", _SALT_SIZE)
    nonce = _bytes_field(fields, "nonce", _NONCE_SIZE)
    try:
        public_key = PublicKey(_bytes_field(fields, "public_key", PUBLIC_KEY_SIZE))
    except InvalidPublicKeyError as exc:
        raise KeyFileError(f"public_key: {exc}") from None
    return _SealedKey(header, box, ops, mem, salt, nonce, public_key)


def read_public_key(data: bytes) -> PublicKey:
    """The public key a key file names, read without the passphrase.

    The claim is checked against the sealed seed only by :func:`decrypt_private_key`.
    """
    return _parse(data).public_key


def decrypt_private_key(data: bytes, passphrase: bytes) -> InMemorySigner:
    """Open a key file with ``passphrase``; return a signer holding its key.

    Raises :class:`KeyFileError` for anything but a well-formed file within
    the cost caps, unchanged in any byte, opened with the right passphrase, and
    when the stored public key is not the seed's.
    """
    sealed = _parse(data)
    _check_passphrase(passphrase)
    # K6: the key, stretched from the passphrase with the header's own settings.
    key = _derive(passphrase, sealed.salt, sealed.ops, sealed.mem)
    # K7: the seed, authenticated together with the header bytes as stored.
    try:
        seed = bytes(
            sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                sealed.box, sealed.header, sealed.nonce, key
            )
        )
    except nacl.exceptions.CryptoError:
        raise KeyFileError("wrong passphrase or corrupted key file") from None
    # K8: a file sealed by someone who knew the passphrase may still misname its key.
    signer = InMemorySigner(seed)
    if signer.public_key != sealed.public_key:
        raise KeyFileError("public_key: does not match the private key in the file")
    return signer


def armor_private_key(data: bytes) -> str:
    """The key file bytes as ASCII text between BEGIN/END lines (for copy and paste)."""
    encoded = base64.b64encode(data).decode("ascii")
    lines = [encoded[i : i + _ARMOR_WIDTH] for i in range(0, len(encoded), _ARMOR_WIDTH)]
    return "\n".join([_ARMOR_BEGIN, *lines, _ARMOR_END]) + "\n"


def dearmor_private_key(text: str) -> bytes:
    """The key file bytes inside armored ``text``; raise :class:`KeyFileError` if malformed."""
    if type(text) is not str or len(text) > 2 * _MAX_FILE_SIZE:
        raise KeyFileError("armored key: expected text of at most a few kilobytes")
    # Tolerate the CRLF line ends a copy through another system may add.
    lines = text.replace("\r\n", "\n").strip("\n").split("\n")
    if len(lines) < 3 or lines[0] != _ARMOR_BEGIN or lines[-1] != _ARMOR_END:
        raise KeyFileError(f"armored key: expected {_ARMOR_BEGIN} ... {_ARMOR_END}")
    body = "".join(lines[1:-1])
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError("armored key: not valid base64") from None
    if armor_private_key(data) != "\n".join(lines) + "\n":
        raise KeyFileError("armored key: not in the canonical armored form")
    return data


def is_armored(data: bytes) -> bool:
    """True if ``data`` starts as an armored key file does (:func:`armor_private_key`)."""
    return data.startswith(_ARMOR_BEGIN.encode("ascii"))


def load_private_key(path: str | os.PathLike[str], passphrase: bytes) -> InMemorySigner:
    """Read a key file (binary or armored) at ``path`` and open it with ``passphrase``."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(2 * _MAX_FILE_SIZE + 1)
    except OSError as exc:
        raise KeyFileError(f"{os.fspath(path)}: cannot read ({exc.strerror})") from None
    try:
        if is_armored(data):
            data = dearmor_private_key(data.decode("ascii", "replace"))
        return decrypt_private_key(data, passphrase)
    except KeyFileError as exc:
        raise KeyFileError(f"{os.fspath(path)}: {exc}") from None
