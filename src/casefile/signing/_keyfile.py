"""Private keys at rest: an Ed25519 seed sealed under a passphrase.

A key file is the canonical encoding (docs/FORMAT.md §1) of a map::

    {"format": "casefile-private-key", "v": 1, "kdf": "argon2id13",
     "ops": int, "mem": int, "salt": bytes(16), "nonce": bytes(24),
     "box": bytes(48), "public_key": bytes(32)}

The passphrase is stretched with Argon2id (libsodium ``crypto_pwhash``, ops and
mem as given) into a 32-byte key that seals the 32-byte seed with
XSalsa20-Poly1305 (``crypto_secretbox``). The public key is stored in clear so
a tool can say whose key a file holds without the passphrase; on opening, the
seed's own public key must equal it.

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
    "load_private_key",
    "read_public_key",
]

KEY_FILE_FORMAT: Final = "casefile-private-key"
_VERSION: Final = 1
_KDF: Final = "argon2id13"

OPSLIMIT_INTERACTIVE: Final[int] = sodium.crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE
MEMLIMIT_INTERACTIVE: Final[int] = sodium.crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE
OPSLIMIT_MODERATE: Final[int] = sodium.crypto_pwhash_argon2id_OPSLIMIT_MODERATE
MEMLIMIT_MODERATE: Final[int] = sodium.crypto_pwhash_argon2id_MEMLIMIT_MODERATE
#: The most a key file may ask of a reader (libsodium's SENSITIVE passes, MODERATE memory).
MAX_OPSLIMIT: Final[int] = sodium.crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE
MAX_MEMLIMIT: Final[int] = MEMLIMIT_MODERATE

_MIN_OPSLIMIT: Final[int] = sodium.crypto_pwhash_argon2id_OPSLIMIT_MIN
_MIN_MEMLIMIT: Final[int] = sodium.crypto_pwhash_argon2id_MEMLIMIT_MIN
_ALG: Final[int] = sodium.crypto_pwhash_ALG_ARGON2ID13
_SALT_SIZE: Final[int] = sodium.crypto_pwhash_SALTBYTES
_NONCE_SIZE: Final[int] = sodium.crypto_secretbox_NONCEBYTES
_KEY_SIZE: Final[int] = sodium.crypto_secretbox_KEYBYTES
_SEED_SIZE: Final = 32
_BOX_SIZE: Final[int] = _SEED_SIZE + sodium.crypto_secretbox_MACBYTES
# A key file is about 200 bytes; anything far larger is not one.
_MAX_FILE_SIZE: Final = 4096
_FIELDS: Final = frozenset(
    {"format", "v", "kdf", "ops", "mem", "salt", "nonce", "box", "public_key"}
)

_ARMOR_BEGIN: Final = "-----BEGIN CASEFILE PRIVATE KEY-----"
_ARMOR_END: Final = "-----END CASEFILE PRIVATE KEY-----"
_ARMOR_WIDTH: Final = 64


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
    return opslimit, memlimit


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
    or limits below INTERACTIVE or above the caps a reader accepts.
    """
    if type(seed) is not bytes or len(seed) != _SEED_SIZE:
        raise KeyFileError(f"seed: an Ed25519 seed is {_SEED_SIZE} bytes")
    signer = InMemorySigner(seed)
    if type(passphrase) is not bytes or not passphrase:
        raise KeyFileError("passphrase: must be non-empty bytes")
    # New files get at least the INTERACTIVE cost: a cheaper KDF would make
    # guessing the passphrase of a stolen file cheap.
    _check_limits(opslimit, memlimit, min_ops=OPSLIMIT_INTERACTIVE, min_mem=MEMLIMIT_INTERACTIVE)
    salt = random_bytes(_SALT_SIZE) if salt is None else salt
    nonce = random_bytes(_NONCE_SIZE) if nonce is None else nonce
    if type(salt) is not bytes or len(salt) != _SALT_SIZE:
        raise KeyFileError(f"salt: must be {_SALT_SIZE} bytes")
    if type(nonce) is not bytes or len(nonce) != _NONCE_SIZE:
        raise KeyFileError(f"nonce: must be {_NONCE_SIZE} bytes")
    key = _derive(passphrase, salt, opslimit, memlimit)
    box = bytes(sodium.crypto_secretbox(seed, nonce, key))
    return encode(
        {
            "format": KEY_FILE_FORMAT,
            "v": _VERSION,
            "kdf": _KDF,
            "ops": opslimit,
            "mem": memlimit,
            "salt": salt,
            "nonce": nonce,
            "box": box,
            "public_key": signer.public_key.raw,
        }
    )


def _bytes_field(fields: dict[str, Any], name: str, size: int) -> bytes:
    value = fields[name]
    if type(value) is not bytes or len(value) != size:
        raise KeyFileError(f"{name}: expected {size} bytes")
    return value


def _parse(data: bytes) -> dict[str, Any]:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise KeyFileError(f"expected bytes, not {type(data).__name__}")
    try:
        fields = decode(bytes(data), max_size=_MAX_FILE_SIZE, max_depth=2)
    except DecodeError as exc:
        raise KeyFileError(f"not a casefile private key file ({exc})") from None
    if type(fields) is not dict or fields.get("format") != KEY_FILE_FORMAT:
        raise KeyFileError("not a casefile private key file")
    if fields.get("v") != _VERSION or type(fields.get("v")) is not int:
        raise KeyFileError(f"v: unsupported key file version {fields.get('v')!r}")
    if set(fields) != _FIELDS:
        missing = sorted(_FIELDS - set(fields))
        unknown = sorted(set(fields) - _FIELDS)
        raise KeyFileError(f"fields: missing {missing}, unknown {unknown}")
    if fields["kdf"] != _KDF:
        raise KeyFileError(f"kdf: unsupported key derivation {fields['kdf']!r}")
    # Only the upper caps matter for a reader: a cheaper file costs it nothing.
    _check_limits(fields["ops"], fields["mem"], min_ops=_MIN_OPSLIMIT, min_mem=_MIN_MEMLIMIT)
    _bytes_field(fields, "salt", _SALT_SIZE)
    _bytes_field(fields, "nonce", _NONCE_SIZE)
    _bytes_field(fields, "box", _BOX_SIZE)
    _bytes_field(fields, "public_key", PUBLIC_KEY_SIZE)
    return fields


def _claimed_key(fields: dict[str, Any]) -> PublicKey:
    try:
        return PublicKey(fields["public_key"])
    except InvalidPublicKeyError as exc:
        raise KeyFileError(f"public_key: {exc}") from None


def read_public_key(data: bytes) -> PublicKey:
    """The public key a key file names, read without the passphrase.

    The claim is checked against the sealed seed only by :func:`decrypt_private_key`.
    """
    return _claimed_key(_parse(data))


def decrypt_private_key(data: bytes, passphrase: bytes) -> InMemorySigner:
    """Open a key file with ``passphrase``; return a signer holding its key.

    Raises :class:`KeyFileError` for anything but a well-formed file within
    the cost caps opened with the right passphrase, and when the stored public
    key is not the seed's.
    """
    fields = _parse(data)
    claimed = _claimed_key(fields)
    if type(passphrase) is not bytes or not passphrase:
        raise KeyFileError("passphrase: must be non-empty bytes")
    key = _derive(passphrase, fields["salt"], fields["ops"], fields["mem"])
    try:
        seed = bytes(sodium.crypto_secretbox_open(fields["box"], fields["nonce"], key))
    except nacl.exceptions.CryptoError:
        raise KeyFileError("wrong passphrase or corrupted key file") from None
    signer = InMemorySigner(seed)
    if signer.public_key != claimed:
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


def load_private_key(path: str | os.PathLike[str], passphrase: bytes) -> InMemorySigner:
    """Read a key file (binary or armored) at ``path`` and open it with ``passphrase``."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(2 * _MAX_FILE_SIZE + 1)
    except OSError as exc:
        raise KeyFileError(f"{os.fspath(path)}: cannot read ({exc.strerror})") from None
    try:
        if data.startswith(_ARMOR_BEGIN.encode("ascii")):
            data = dearmor_private_key(data.decode("ascii", "replace"))
        return decrypt_private_key(data, passphrase)
    except KeyFileError as exc:
        raise KeyFileError(f"{os.fspath(path)}: {exc}") from None
