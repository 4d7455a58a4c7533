"""Streams over bundle files: chunked readers, hash re-checks and msgpack bin framing.

``records.bin`` and ``disclosures.bin`` are sequences of canonical MessagePack
byte strings (bin8/bin16/bin32, shortest form). :func:`iter_frames` reads them
one element at a time, so memory is bounded by the largest element allowed,
never by the file.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, BinaryIO, Final, Protocol

from casefile.encoding import encode

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "CHUNK_SIZE",
    "ChunkReader",
    "FrameError",
    "Writable",
    "buffered",
    "checked",
    "iter_frames",
    "write_frame",
]

CHUNK_SIZE: Final = 1 << 20

_BIN8: Final = 0xC4
_BIN16: Final = 0xC5
_BIN32: Final = 0xC6


class FrameError(Exception):
    """A framing fault at element ``index`` (0-based); callers map it to their error."""

    def __init__(self, index: int, problem: str) -> None:
        self.index = index
        self.problem = problem
        super().__init__(f"element {index + 1}: {problem}")


class ChunkReader(io.RawIOBase):
    """A read-only raw stream over an iterator of byte chunks.

    Errors raised by the iterator (size or hash checks at end of file) surface
    from ``read``, so a consumer can never see a clean end of a bad file.
    """

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = memoryview(b"")
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        while not self._pending and not self._done:
            try:
                self._pending = memoryview(next(self._chunks))
            except StopIteration:
                self._done = True
        n = min(len(view), len(self._pending))
        view[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        super().close()


def buffered(chunks: Iterator[bytes]) -> io.BufferedReader:
    """A buffered binary file over ``chunks``."""
    return io.BufferedReader(ChunkReader(chunks), CHUNK_SIZE)


def checked(
    chunks: Iterator[bytes],
    *,
    size: int,
    sha256: bytes,
    on_mismatch: Callable[[str], Exception],
) -> Iterator[bytes]:
    """Pass ``chunks`` through, then raise ``on_mismatch(problem)`` unless size and hash match.

    The bytes are handed on as they are read; only reaching the end proves them.
    """
    digest = hashlib.sha256()
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > size:
            raise on_mismatch(f"longer than the {size} bytes expected")
        digest.update(chunk)
        yield chunk
    if seen != size:
        raise on_mismatch(f"{seen} bytes where {size} were expected")
    if digest.digest() != sha256:
        raise on_mismatch("SHA-256 differs from the one expected")


class Writable(Protocol):
    """Anything with a binary ``write``."""

    def write(self, data: bytes, /) -> int: ...


def write_frame(out: Writable, element: bytes) -> int:
    """Write one element as a canonical MessagePack byte string; return the bytes written."""
    framed = encode(element)
    out.write(framed)
    return len(framed)


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    data = stream.read(n)
    return data if data is not None else b""


def iter_frames(stream: BinaryIO, *, max_size: int) -> Iterator[bytes]:
    """Yield each element of a framed file; raise :class:`FrameError` at the first fault.

    Refuses any head other than bin8/bin16/bin32, a length not in its shortest
    form, an element over ``max_size`` (before reading it) and a truncated tail.
    """
    index = 0
    while True:
        head = _read_exact(stream, 1)
        if not head:
            return
        tag = head[0]
        if tag == _BIN8:
            width, floor = 1, 0
        elif tag == _BIN16:
            width, floor = 2, 1 << 8
        elif tag == _BIN32:
            width, floor = 4, 1 << 16
        else:
            raise FrameError(index, f"byte 0x{tag:02x} does not start a MessagePack byte string")
        raw_length = _read_exact(stream, width)
        if len(raw_length) != width:
            raise FrameError(index, "truncated length")
        length = int.from_bytes(raw_length, "big")
        if length < floor:
            raise FrameError(index, "length not in its shortest encoding")
        if length > max_size:
            raise FrameError(index, f"{length} bytes exceeds the limit of {max_size}")
        element = _read_exact(stream, length)
        if len(element) != length:
            raise FrameError(index, f"truncated: {len(element)} of {length} bytes")
        yield element
        index += 1
