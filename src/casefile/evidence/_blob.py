"""Blob identity: the :class:`BlobInfo` value, hash-name checks and the :class:`BlobStore` protocol.

A blob is named by the SHA-256 of its bytes and nothing else, so a name can be
checked against the content at any time by anyone. Every name that reaches a
store passes :func:`check_sha256` first: only exactly 32 bytes are accepted,
and text names only through :func:`sha256_from_hex`, so no caller-supplied
string ever becomes part of a filesystem path or object key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from os import PathLike
from typing import BinaryIO, Final, Protocol, runtime_checkable

from casefile.errors import EvidenceError

__all__ = [
    "CHUNK_SIZE",
    "SHA256_SIZE",
    "BlobInfo",
    "BlobStore",
    "check_sha256",
    "sha256_from_hex",
]

SHA256_SIZE: Final = 32
# Large enough that per-call overhead vanishes against hashing, small enough
# that a handful of in-flight buffers keeps memory flat.
CHUNK_SIZE: Final = 1 << 20

_HEX_DIGEST: Final = re.compile(r"[0-9a-fA-F]{64}", re.ASCII)
_SHOWN: Final = 80


def _describe(value: object) -> str:
    """A short, safe description of a rejected name (never the whole of a hostile value)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return f"{type(value).__name__} of {len(value)} bytes"
    if isinstance(value, str):
        shown = value if len(value) <= _SHOWN else value[:_SHOWN] + "..."
        return f"text {shown!r}"
    return type(value).__name__


def check_sha256(value: object, what: str = "blob hash") -> bytes:
    """Return ``value`` if it is a raw SHA-256 digest (exactly 32 ``bytes``).

    Raises :class:`~casefile.errors.EvidenceError` otherwise. Text, hex or
    bytes of any other length are refused rather than interpreted.
    """
    if type(value) is not bytes or len(value) != SHA256_SIZE:
        raise EvidenceError(
            f"{what} must be {SHA256_SIZE} raw bytes of SHA-256, got {_describe(value)}"
        )
    return value


def sha256_from_hex(text: str) -> bytes:
    """Parse a SHA-256 digest written as exactly 64 hexadecimal digits.

    Either case is accepted; anything else (whitespace, separators, path
    characters, a different length) raises :class:`~casefile.errors.EvidenceError`.
    """
    if not isinstance(text, str) or _HEX_DIGEST.fullmatch(text) is None:
        raise EvidenceError(f"not a SHA-256 digest of 64 hex digits: {_describe(text)}")
    return bytes.fromhex(text)


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """A stored blob: its SHA-256 and its size in bytes."""

    sha256: bytes
    size: int

    def __post_init__(self) -> None:
        check_sha256(self.sha256)
        if type(self.size) is not int or self.size < 0:
            raise EvidenceError(f"blob {self.sha256.hex()}: size must be a non-negative int")

    @property
    def hex(self) -> str:
        """The digest as 64 lowercase hex digits (the blob's name in text)."""
        return self.sha256.hex()


@runtime_checkable
class BlobStore(Protocol):
    """A content-addressed store of evidence bytes, referenced by SHA-256.

    Implementations stream: no method holds a whole blob in memory. Writes are
    all-or-nothing: a failed or refused ingest leaves no blob behind. Reads
    re-check fixity, so bytes altered at rest are reported, never served as
    good. :class:`FileSystemBlobStore` is the reference implementation; an
    object-storage backend implements the same seven methods.
    """

    def put_stream(
        self,
        stream: BinaryIO,
        *,
        expected_sha256: bytes | None = None,
        max_bytes: int | None = None,
    ) -> BlobInfo:
        """Store everything read from ``stream`` until EOF and return its identity.

        Raises :class:`~casefile.errors.FixityError` when ``expected_sha256``
        is given and differs from the content's hash, and
        :class:`~casefile.errors.EvidenceError` when the stream is longer than
        ``max_bytes``; in both cases nothing is kept. Storing bytes that are
        already present is a no-op returning the same :class:`BlobInfo`.
        """
        ...

    def put_path(
        self,
        path: str | PathLike[str],
        *,
        expected_sha256: bytes | None = None,
        max_bytes: int | None = None,
    ) -> BlobInfo:
        """Store the content of the regular file at ``path`` (as :meth:`put_stream`)."""
        ...

    def open(self, sha256: bytes) -> BinaryIO:
        """Open a blob for sequential reading, re-checking its hash as it is read.

        The reader raises :class:`~casefile.errors.FixityError` at end of file
        if the bytes read do not hash to ``sha256``: a consumer must read to
        EOF before relying on what it read.
        """
        ...

    def contains(self, sha256: bytes) -> bool:
        """True if a blob named ``sha256`` is stored."""
        ...

    def info(self, sha256: bytes) -> BlobInfo:
        """The stored blob's identity, without re-hashing it."""
        ...

    def verify(self, sha256: bytes) -> BlobInfo:
        """Re-hash a stored blob; return its identity or raise ``FixityError``."""
        ...

    def iter_blobs(self) -> Iterator[bytes]:
        """The digests of all stored blobs, in ascending order."""
        ...
