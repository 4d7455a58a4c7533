"""The copy-and-hash loop: exact bytes, bounded memory, and failures that never hang."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.errors import EvidenceError
from casefile.evidence import CHUNK_SIZE
from casefile.evidence._ingest import PIPELINE_DEPTH, copy_and_hash

MiB = 1 << 20


class PatternStream(io.RawIOBase):
    """``size`` bytes of a repeated random pattern, generated without allocating per read."""

    def __init__(self, size: int, pattern: bytes) -> None:
        super().__init__()
        self.remaining = size
        self._pattern = memoryview(pattern)
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        view = memoryview(buffer).cast("B")  # type: ignore[arg-type]
        n = min(len(view), self.remaining)
        done = 0
        while done < n:
            take = min(n - done, len(self._pattern) - self._offset)
            view[done : done + take] = self._pattern[self._offset : self._offset + take]
            self._offset = (self._offset + take) % len(self._pattern)
            done += take
        self.remaining -= n
        return n


class ShortReads(io.RawIOBase):
    """Hands out data in the given read sizes, like a pipe or a socket."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        super().__init__()
        self._data = data
        self._sizes = sizes or [1]
        self._pos = 0
        self._i = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        view = memoryview(buffer).cast("B")  # type: ignore[arg-type]
        size = min(self._sizes[self._i % len(self._sizes)], len(view))
        self._i += 1
        chunk = self._data[self._pos : self._pos + size]
        view[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


class ReadOnly:
    """A stream with ``read`` but no ``readinto``."""

    def __init__(self, data: bytes) -> None:
        self._io = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._io.read(n)


@pytest.fixture
def out() -> Iterator[tuple[int, Path]]:
    fd, name = tempfile.mkstemp()
    try:
        yield fd, Path(name)
    finally:
        os.close(fd)
        os.unlink(name)


def _copy(stream: object, fd: int, **kw: object) -> tuple[bytes, int]:
    result = copy_and_hash(cast(BinaryIO, stream), fd, source="in", target="out", **kw)  # type: ignore[arg-type]
    return result.sha256, result.size


@settings(max_examples=50, deadline=None)
@given(
    st.binary(max_size=3000),
    st.lists(st.integers(min_value=1, max_value=700), max_size=5),
    st.integers(min_value=1, max_value=512),
)
def test_short_reads_are_copied_exactly(data: bytes, sizes: list[int], chunk: int) -> None:
    fd, name = tempfile.mkstemp()
    try:
        digest, size = _copy(ShortReads(data, sizes), fd, chunk_size=chunk)
        assert (digest, size) == (hashlib.sha256(data).digest(), len(data))
        assert Path(name).read_bytes() == data
    finally:
        os.close(fd)
        os.unlink(name)


def test_stream_without_readinto_is_copied(out: tuple[int, Path]) -> None:
    data = os.urandom(3 * 1000 + 7)
    digest, _ = _copy(ReadOnly(data), out[0], chunk_size=1000)
    assert digest == hashlib.sha256(data).digest()
    assert out[1].read_bytes() == data


def test_non_blocking_stream_with_no_data_is_refused(out: tuple[int, Path]) -> None:
    class WouldBlock(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: object) -> None:
            return None

    with pytest.raises(EvidenceError, match="no data ready"):
        _copy(WouldBlock(), out[0])


@pytest.mark.parametrize("bogus", [-1, CHUNK_SIZE + 1, "3", 2.0])
def test_stream_lying_about_its_read_count_is_refused(out: tuple[int, Path], bogus: object) -> None:
    class Liar(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: object) -> object:
            return bogus

    with pytest.raises(EvidenceError, match="readinto returned"):
        _copy(Liar(), out[0])


def test_stream_returning_more_than_asked_is_refused(out: tuple[int, Path]) -> None:
    class Flood:
        def read(self, n: int = -1) -> bytes:
            return b"x" * (n + 1)

    with pytest.raises(EvidenceError, match="other than bytes"):
        _copy(Flood(), out[0], chunk_size=16)


def test_read_error_names_the_source_and_offset(out: tuple[int, Path]) -> None:
    class Broken(io.RawIOBase):
        calls = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: object) -> int:
            self.calls += 1
            if self.calls > 2:
                raise OSError(5, "Input/output error")
            memoryview(buffer).cast("B")[:10] = b"0123456789"  # type: ignore[arg-type]
            return 10

    with pytest.raises(EvidenceError, match="in: read failed after 20 bytes"):
        _copy(Broken(), out[0], chunk_size=10)


def test_write_failure_is_reported_not_hung() -> None:
    # A read-only descriptor makes every write fail, as a full disk would.
    fd, name = tempfile.mkstemp()
    os.close(fd)
    ro = os.open(name, os.O_RDONLY)
    try:
        stream = PatternStream(64 * 1024, os.urandom(4096))
        with pytest.raises(EvidenceError, match="out: write failed"):
            _copy(stream, ro, chunk_size=1024)
    finally:
        os.close(ro)
        os.unlink(name)


def test_oversized_stream_is_refused_after_at_most_one_extra_chunk(out: tuple[int, Path]) -> None:
    stream = PatternStream(10 * MiB, os.urandom(MiB))
    with pytest.raises(EvidenceError, match="larger than the limit of 100 bytes"):
        _copy(stream, out[0], max_bytes=100, chunk_size=64)
    assert stream.remaining >= 10 * MiB - (100 + 64)


def _peak_while_copying(size: int, fd: int, pattern: bytes) -> tuple[int, bytes]:
    stream = PatternStream(size, pattern)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = copy_and_hash(cast(BinaryIO, stream), fd, source="in", target="out")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.size == size
    return peak, result.sha256


def test_ingest_memory_is_flat_whatever_the_size(out: tuple[int, Path]) -> None:
    pattern = os.urandom(MiB)
    small_peak, _ = _peak_while_copying(MiB, out[0], pattern)
    os.ftruncate(out[0], 0)
    os.lseek(out[0], 0, os.SEEK_SET)
    size = 200 * MiB + 12345
    big_peak, digest = _peak_while_copying(size, out[0], pattern)
    expected = hashlib.sha256()
    for _ in range(size // MiB):
        expected.update(pattern)
    expected.update(pattern[: size % MiB])
    assert digest == expected.digest()
    # The buffers in flight, plus change: a few MB for 200 MB, and no growth with size.
    bound = PIPELINE_DEPTH * CHUNK_SIZE + 256 * 1024
    assert big_peak < bound, f"peak {big_peak} bytes for a {size}-byte stream"
    assert big_peak - small_peak <= (PIPELINE_DEPTH - 1) * CHUNK_SIZE + 64 * 1024
