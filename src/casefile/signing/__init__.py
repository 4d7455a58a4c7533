"""Keys, trust, record sealing, Merkle trees and checkpoints: pure functions over bytes.

This layer performs no I/O and never imports ``eventsourcing``.
"""

from casefile.signing._keys import (
    KEY_ID_SIZE,
    PUBLIC_KEY_SIZE,
    SIGNATURE_SIZE,
    InMemorySigner,
    PublicKey,
    Signer,
    key_id_of,
    verify_signature,
)

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
