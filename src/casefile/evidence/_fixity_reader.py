"""A reader that re-checks a blob's SHA-256 while the blob is streamed out.

Evidence is served in the same pass that verifies it: hashing as the bytes go
by costs no extra read, and a blob altered at rest (truncated, bit-flipped,
replaced) raises :class:`~casefile.errors.FixityError` at end of file instead
of being handed on as good.
"""

from __future__ import annotations

import hashlib
import io
from typing import TYPE_CHECKING, BinaryIO, Final

from casefile.errors import FixityError

from ._blob import CHUNK_SIZE, check_sha256

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["FixityReader", "open_verifying"]

_UNCHECKED: Final = 0
_GOOD: Final = 1
_BAD: Final = 2


class FixityReader(io.RawIOBase):
    """Raw, read-only, forward-only stream over ``file`` that verifies at EOF.

    Seeking is refused because a hash computed over a stream that skipped or
    re-read bytes would prove nothing. Once a mismatch is found, every further
    read raises again, so a retry can never turn the failure into a clean EOF.
    """

    def __init__(self, file: io.RawIOBase, sha256: bytes, label: str) -> None:
        super().__init__()
        self._file = file
        self._expected = check_sha256(sha256)
        self._label = label
        self._hash = hashlib.sha256()
        self._size = 0
        self._state = _UNCHECKED
        self._failure = ""

    @property
    def verified(self) -> bool:
        """True once the whole blob has been read and its hash matched."""
        return self._state == _GOOD

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        if self._state == _BAD:
            raise FixityError(self._failure)
        if self._state == _GOOD:
            return 0
        n = self._file.readinto(buffer)
        if n is None:
            # Only a non-blocking descriptor returns None; blobs are regular files.
            raise OSError(f"{self._label}: read returned no data")
        if n:
            self._hash.update(memoryview(buffer).cast("B")[:n])
            self._size += n
            return n
        self._check()
        return 0

    def _check(self) -> None:
        actual = self._hash.digest()
        if actual == self._expected:
            self._state = _GOOD
            return
        self._state = _BAD
        self._failure = (
            f"{self._label}: fixity check failed on read: {self._size} bytes hash to "
            f"{actual.hex()}, not {self._expected.hex()}"
        )
        raise FixityError(self._failure)

    def close(self) -> None:
        if not self.closed:
            try:
                self._file.close()
            finally:
                super().close()


def open_verifying(file: io.RawIOBase, sha256: bytes, label: str) -> BinaryIO:
    """Wrap an open raw file in a buffered :class:`FixityReader` for ``sha256``.

    ``label`` names the blob (and where it lives) in error messages. The
    returned stream owns ``file`` and closes it.
    """
    return io.BufferedReader(FixityReader(file, sha256, label), buffer_size=CHUNK_SIZE)
