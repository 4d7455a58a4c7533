"""Streaming copy that hashes what it copies: the inner loop of every ingest.

Each chunk is read once into a reusable buffer, hashed from that buffer on the
calling thread and written from the same buffer by a writer thread, so hashing
and writing overlap (both release the GIL) and no byte is copied in Python.
A fixed number of buffers bounds memory whatever the input size.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Final

from casefile.errors import EvidenceError

from ._blob import CHUNK_SIZE

__all__ = ["PIPELINE_DEPTH", "CopyResult", "copy_and_hash"]

# Buffers in flight between the hashing and the writing thread; memory use is
# at most PIPELINE_DEPTH * chunk_size.
PIPELINE_DEPTH: Final = 4
# Every this many bytes the writer asks the kernel to start writing back what
# it wrote, so the final fsync waits for a short tail instead of the whole file.
_WRITEBACK_WINDOW: Final = 8 << 20
_fadvise = getattr(os, "posix_fadvise", None)
_DONTNEED: Final[int] = getattr(os, "POSIX_FADV_DONTNEED", 0)


@dataclass(frozen=True, slots=True)
class CopyResult:
    """What a copy saw: the SHA-256 and the number of bytes of the input."""

    sha256: bytes
    size: int


def _chunk_reader(stream: BinaryIO, source: str) -> Callable[[memoryview], int]:
    """A function that reads from ``stream`` into a view and returns the byte count."""
    readinto = getattr(stream, "readinto", None)
    if callable(readinto):
        return _via_readinto(readinto, source)
    return _via_read(stream, source)


def _via_readinto(
    readinto: Callable[[memoryview], object], source: str
) -> Callable[[memoryview], int]:
    def read(view: memoryview) -> int:
        n = readinto(view)
        if n is None:
            raise EvidenceError(f"{source}: stream has no data ready (non-blocking stream?)")
        if type(n) is not int or not 0 <= n <= len(view):
            raise EvidenceError(f"{source}: stream readinto returned {n!r}")
        return n

    return read


def _via_read(stream: BinaryIO, source: str) -> Callable[[memoryview], int]:
    # Streams without readinto cost one copy per chunk; file objects never take this path.
    def read(view: memoryview) -> int:
        data = stream.read(len(view))
        if data is None:
            raise EvidenceError(f"{source}: stream has no data ready (non-blocking stream?)")
        if not isinstance(data, bytes | bytearray) or len(data) > len(view):
            raise EvidenceError(f"{source}: stream read returned something other than bytes")
        view[: len(data)] = data
        return len(data)

    return read


def _fill(read: Callable[[memoryview], int], view: memoryview) -> int:
    """Fill ``view`` unless EOF comes first (short reads from pipes are common)."""
    total = 0
    while total < len(view):
        n = read(view[total:])
        if n == 0:
            break
        total += n
    return total


class _Writer:
    """Writes submitted buffers to ``fd`` on a background thread, in order."""

    def __init__(self, fd: int, chunk_size: int, depth: int, target: str) -> None:
        self._fd = fd
        self._chunk_size = chunk_size
        self._depth = depth
        self._target = target
        self._allocated = 0
        self._free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        self._full: queue.SimpleQueue[tuple[bytearray, int] | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._written = 0
        self._advised = 0
        self._thread = threading.Thread(target=self._run, name="casefile-blob-writer", daemon=True)
        self._thread.start()

    def take(self) -> bytearray:
        """A free buffer; allocates lazily so a small blob costs one buffer."""
        self._raise_if_failed()
        try:
            return self._free.get_nowait()
        except queue.Empty:
            pass
        if self._allocated < self._depth:
            self._allocated += 1
            return bytearray(self._chunk_size)
        buffer = self._free.get()
        self._raise_if_failed()
        return buffer

    def submit(self, buffer: bytearray, n: int) -> None:
        self._full.put((buffer, n))

    def close(self) -> None:
        """Wait until everything submitted is written; raise the writer's error if any."""
        self._stop()
        self._raise_if_failed()

    def abandon(self) -> None:
        """Stop the writer after a failure elsewhere, keeping that failure the one raised."""
        self._stop()

    def _stop(self) -> None:
        self._full.put(None)
        self._thread.join()

    def _raise_if_failed(self) -> None:
        error = self._error
        if error is not None:
            raise EvidenceError(f"{self._target}: write failed: {error}") from error

    def _run(self) -> None:
        while (item := self._full.get()) is not None:
            buffer, n = item
            if self._error is None:
                try:
                    self._write(memoryview(buffer)[:n])
                except BaseException as exc:  # reported to the hashing thread
                    self._error = exc
            # Always hand the buffer back so the hashing thread can never block forever.
            self._free.put(buffer)

    def _write(self, view: memoryview) -> None:
        self._written += len(view)
        while view:
            view = view[os.write(self._fd, view) :]
        if _fadvise is not None and self._written - self._advised >= _WRITEBACK_WINDOW:
            # On Linux DONTNEED starts writeback of the dirty range without waiting
            # and drops pages of the previous window, written back by now: the
            # copy neither piles up dirty pages nor evicts the reader's cache.
            start = max(0, self._advised - _WRITEBACK_WINDOW)
            with contextlib.suppress(OSError):
                _fadvise(self._fd, start, self._written - start, _DONTNEED)
            self._advised = self._written


def copy_and_hash(
    stream: BinaryIO,
    fd: int,
    *,
    source: str,
    target: str,
    max_bytes: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    depth: int = PIPELINE_DEPTH,
) -> CopyResult:
    """Copy ``stream`` to the file descriptor ``fd`` until EOF, hashing it with SHA-256.

    ``source`` and ``target`` name the two ends in error messages. Raises
    :class:`~casefile.errors.EvidenceError` when the input exceeds
    ``max_bytes``, reading it fails with ``OSError`` or a write fails; the
    caller owns ``fd`` and discards the partial output. Other exceptions raised
    by ``stream`` propagate unchanged.
    """
    read = _chunk_reader(stream, source)
    digest = hashlib.sha256()
    size = 0
    writer = _Writer(fd, chunk_size, depth, target)
    try:
        while True:
            buffer = writer.take()
            view = memoryview(buffer)
            try:
                n = _fill(read, view)
            except OSError as exc:
                raise EvidenceError(f"{source}: read failed after {size} bytes: {exc}") from exc
            if n == 0:
                break
            size += n
            if max_bytes is not None and size > max_bytes:
                raise EvidenceError(f"{source}: larger than the limit of {max_bytes} bytes")
            digest.update(view[:n])
            writer.submit(buffer, n)
            if n < chunk_size:
                break
    except BaseException:
        writer.abandon()
        raise
    writer.close()
    return CopyResult(digest.digest(), size)
