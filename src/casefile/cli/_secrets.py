"""Passphrases and private key files as the command line reads and writes them.

Key files are normally sealed under a passphrase (:mod:`casefile.signing`'s
Argon2id key files). ``--no-passphrase`` writes an *unencrypted* key file
instead, only when explicitly asked: the canonical encoding of
``{"format": "casefile-private-key-unencrypted", "v": 1, "seed": bytes(32),
"public_key": bytes(32)}``, written readable by its owner only. Passphrases
come from a file (its first line) or from the terminal, never from the
command line, where other users could read them.

Wherever a key file is taken, an RFC 7512 ``pkcs11:`` URI may name a key held
in a token instead (:class:`~casefile.signing.Pkcs11Signer`). Its PIN comes from
the URI's ``pin-source`` file or the terminal (``pin-value`` works, but puts the
PIN where other users can read it); its module from ``module-path`` or the
``CASEFILE_PKCS11_MODULE`` environment variable.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final

from casefile._readfile import read_regular_file
from casefile.encoding import decode, encode
from casefile.errors import DecodeError, InputError, KeyFileError, TokenKeyError
from casefile.signing import (
    InMemorySigner,
    Pkcs11Signer,
    Pkcs11Uri,
    Signer,
    dearmor_private_key,
    decrypt_private_key,
    encrypt_private_key,
    is_pkcs11_uri,
)
from casefile.signing._keyfile import is_armored

__all__ = [
    "MODULE_VARIABLE",
    "UNENCRYPTED_KEY_FORMAT",
    "close_token_signers",
    "encode_unencrypted_key",
    "key_argument",
    "key_file_bytes",
    "load_signer",
    "passphrase_reader",
    "pin_reader",
    "read_passphrase_file",
    "token_module",
]

#: The PKCS#11 module used when a ``pkcs11:`` URI names none.
MODULE_VARIABLE: Final = "CASEFILE_PKCS11_MODULE"

UNENCRYPTED_KEY_FORMAT: Final = "casefile-private-key-unencrypted"
_MAX_KEY_FILE: Final = 8192
_MAX_PASSPHRASE_FILE: Final = 4096


def read_passphrase_file(path: Path) -> bytes:
    """The passphrase in the first line of ``path`` (without its line end), as UTF-8 bytes."""
    try:
        data = read_regular_file(path, limit=_MAX_PASSPHRASE_FILE, what="passphrase file")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the passphrase file ({exc.strerror})") from None
    if len(data) > _MAX_PASSPHRASE_FILE:
        raise InputError(f"{path}: a passphrase file holds one line, not {_MAX_PASSPHRASE_FILE}+ B")
    line = data.split(b"\n", 1)[0].removesuffix(b"\r")
    if not line:
        raise InputError(f"{path}: the first line (the passphrase) is empty")
    return line


def _prompt(confirm: bool) -> bytes:
    if not sys.stdin.isatty():
        raise InputError(
            "a passphrase is needed: give --passphrase-file, or run in a terminal to be asked"
        )
    first = getpass.getpass("Passphrase: ")
    if not first:
        raise InputError("the passphrase must not be empty")
    if confirm and getpass.getpass("Passphrase again: ") != first:
        raise InputError("the two passphrases differ")
    return first.encode("utf-8")


def passphrase_reader(path: Path | None, *, confirm: bool = False) -> Callable[[], bytes]:
    """A function giving the passphrase from ``path``, or else asked at the terminal.

    It is called only when a passphrase is actually needed, so a command whose
    key file is unencrypted never prompts.
    """
    if path is not None:
        return lambda: read_passphrase_file(path)
    return lambda: _prompt(confirm)


def encode_unencrypted_key(signer: InMemorySigner) -> bytes:
    """The bytes of an unencrypted key file holding ``signer``'s key."""
    return encode(
        {
            "format": UNENCRYPTED_KEY_FORMAT,
            "public_key": signer.public_key.raw,
            "seed": signer.seed,
            "v": 1,
        }
    )


def key_file_bytes(signer: InMemorySigner, passphrase: bytes | None) -> bytes:
    """A key file for ``signer``: sealed under ``passphrase``, or unencrypted when it is None."""
    if passphrase is None:
        return encode_unencrypted_key(signer)
    return encrypt_private_key(signer.seed, passphrase)


def _unencrypted(data: bytes) -> InMemorySigner | None:
    try:
        fields = decode(data, max_size=_MAX_KEY_FILE, max_depth=2)
    except DecodeError:
        return None
    if type(fields) is not dict or fields.get("format") != UNENCRYPTED_KEY_FORMAT:
        return None
    if set(fields) != {"format", "public_key", "seed", "v"} or fields["v"] != 1:
        raise KeyFileError("unencrypted key file: unexpected fields or version")
    seed, public = fields["seed"], fields["public_key"]
    if type(seed) is not bytes or len(seed) != 32:
        raise KeyFileError("unencrypted key file: seed: expected 32 bytes")
    signer = InMemorySigner(seed)
    if public != signer.public_key.raw:
        raise KeyFileError("unencrypted key file: public_key does not match the seed")
    return signer


# Token sessions opened by this command, closed (logging out) when it ends.
_token_signers: list[Pkcs11Signer] = []


def key_argument(text: str) -> Path | Pkcs11Uri:
    """An argparse type: a ``pkcs11:`` URI, parsed, or else a key file's path."""
    if not is_pkcs11_uri(text):
        return Path(text)
    try:
        return Pkcs11Uri.parse(text)
    except TokenKeyError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def token_module() -> str | None:
    """The module named by ``CASEFILE_PKCS11_MODULE``, if set."""
    return os.environ.get(MODULE_VARIABLE) or None


def pin_reader(uri: Pkcs11Uri) -> Callable[[], str]:
    """A function asking the token's PIN at the terminal (when the URI names no PIN file)."""

    def ask() -> str:
        if not sys.stdin.isatty():
            raise TokenKeyError(
                f"{uri}: the token's PIN is needed: give pin-source=file:PATH in the URI, "
                "or run in a terminal to be asked"
            )
        pin = getpass.getpass(f"PIN of token {uri.token or ''}: ")
        if not pin:
            raise TokenKeyError(f"{uri}: the PIN must not be empty")
        return pin

    return ask


def close_token_signers() -> None:
    """Close every token session the command opened (the command has ended)."""
    while _token_signers:
        _token_signers.pop().close()


def load_signer(source: Path | Pkcs11Uri, passphrase: Callable[[], bytes]) -> Signer:
    """Open the key file at ``source``, or the token key it names.

    ``passphrase`` is asked for only if a key file is sealed; a token's PIN
    comes from :func:`pin_reader`.
    """
    if isinstance(source, Pkcs11Uri):
        signer = Pkcs11Signer.open(source, pin=pin_reader(source), module_path=token_module())
        _token_signers.append(signer)
        return signer
    return _load_key_file(source, passphrase)


def _load_key_file(path: Path, passphrase: Callable[[], bytes]) -> InMemorySigner:
    try:
        data = read_regular_file(path, limit=_MAX_KEY_FILE, what="key file", error=KeyFileError)
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the key file ({exc.strerror})") from None
    if len(data) > _MAX_KEY_FILE:
        raise KeyFileError(f"{path}: too large to be a key file")
    try:
        if is_armored(data):
            data = dearmor_private_key(data.decode("ascii", "replace"))
        plain = _unencrypted(data)
        if plain is not None:
            return plain
        return decrypt_private_key(data, passphrase())
    except KeyFileError as exc:
        raise KeyFileError(f"{path}: {exc}") from None
