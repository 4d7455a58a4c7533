"""Ed25519 keys, key ids and the :class:`Signer` extension point.

Verification always uses libsodium's strict rules (through PyNaCl); public keys
are validated when they are loaded, so a small-order or non-canonical key that
would let "anyone" sign can never enter a trust store.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Protocol, runtime_checkable

import nacl.bindings as sodium
import nacl.exceptions

from casefile.errors import InvalidPublicKeyError

__all__ = [
    "KEY_ID_SIZE",
    "PUBLIC_KEY_SIZE",
    "SIGNATURE_SIZE",
    "InMemorySigner",
    "PublicKey",
    "Signer",
    "key_id_of",
    "verify_signature",
]

PUBLIC_KEY_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64
KEY_ID_SIZE: Final = 32
_KEY_ID_TAG: Final = b"casefile:key-id:ed25519:v1\x00"


def key_id_of(public_key: bytes) -> bytes:
    """The 32-byte key id of a raw Ed25519 public key (docs/FORMAT.md, "Key ids")."""
    return hashlib.sha256(_KEY_ID_TAG + public_key).digest()


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True only if ``signature`` is a valid Ed25519 signature under libsodium's rules.

    This is the project's single, pinned verification rule (tests pin its
    verdicts on the Wycheproof and ed25519-speccheck vectors).
    """
    if len(signature) != SIGNATURE_SIZE or len(public_key) != PUBLIC_KEY_SIZE:
        return False
    try:
        sodium.crypto_sign_open(signature + message, public_key)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A validated Ed25519 public key (32 raw bytes)."""

    raw: bytes
    key_id: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        raw = self.raw
        if type(raw) is not bytes or len(raw) != PUBLIC_KEY_SIZE:
            raise InvalidPublicKeyError(f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes")
        # Rejects non-canonical encodings, points off the curve or outside the
        # prime-order subgroup, and small-order points.
        if not sodium.crypto_core_ed25519_is_valid_point(raw):
            raise InvalidPublicKeyError(
                "not a valid Ed25519 public key (off-curve, non-canonical or small-order point)"
            )
        object.__setattr__(self, "key_id", key_id_of(raw))

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True only if ``signature`` over ``message`` verifies under this key."""
        return verify_signature(self.raw, message, signature)

    def __repr__(self) -> str:
        return f"PublicKey({self.key_id.hex()[:16]}…)"


@runtime_checkable
class Signer(Protocol):
    """Whatever holds a private key: in memory, an HSM, a cloud KMS.

    ``sign`` returns the 64-byte Ed25519 signature of ``message`` (RFC 8032,
    pure Ed25519 — not pre-hashed).
    """

    @property
    def public_key(self) -> PublicKey: ...

    def sign(self, message: bytes) -> bytes: ...


class InMemorySigner:
    """A :class:`Signer` that keeps the Ed25519 seed in process memory."""

    __slots__ = ("_public_key", "_secret")

    def __init__(self, seed: bytes) -> None:
        if type(seed) is not bytes or len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        public, secret = sodium.crypto_sign_seed_keypair(seed)
        self._secret: bytes = secret
        self._public_key = PublicKey(public)

    @classmethod
    def generate(cls, random_bytes: Callable[[int], bytes] = os.urandom) -> InMemorySigner:
        """A new key from ``random_bytes`` (injectable for reproducible tests)."""
        return cls(random_bytes(32))

    @property
    def public_key(self) -> PublicKey:
        return self._public_key

    @property
    def seed(self) -> bytes:
        """The 32-byte private seed (handle with care: it is the private key)."""
        return bytes(self._secret[:32])

    def sign(self, message: bytes) -> bytes:
        return bytes(sodium.crypto_sign(message, self._secret)[:SIGNATURE_SIZE])

    def __repr__(self) -> str:
        return f"InMemorySigner({self._public_key.key_id.hex()[:16]}…)"
