"""The record stream is read in chunks bounded by bytes as well as by count.

A record may be 16 MiB (docs/FORMAT.md V1); a chunk of 1024 such records held
before the first one is checked would be 16 GiB, so a hostile records.bin of
large elements could exhaust memory before any verdict.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.verifier import _pool
from casefile.verifier._pool import CHUNK_BYTES, CHUNK_SIZE, parse_stream


class _Counting:
    """Yields the same large (unparsable) record again and again, counting how many were taken."""

    def __init__(self, size: int, count: int) -> None:
        self.raw = b"\x00" * size
        self.count = count
        self.taken = 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.count):
            self.taken += 1
            yield self.raw


@pytest.mark.parametrize("workers", [1, 4])
def test_large_records_are_not_read_a_thousand_at_a_time(workers: int) -> None:
    source = _Counting(1 << 20, 3 * CHUNK_SIZE)
    results = parse_stream(source, {}, workers)
    _raw, first = next(results)
    assert len(first) == 2  # malformed: (problem, step)
    held = source.taken * len(source.raw)
    assert held <= CHUNK_BYTES + len(source.raw)
    results.close()


def test_large_records_in_worker_processes_are_held_a_bounded_number_of_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_pool, "PARALLEL_AFTER_CHUNKS", 0)
    workers = 2
    source = _Counting(1 << 20, 200)
    results = parse_stream(source, {}, workers)
    next(results)
    # The first chunk and at most 2 * workers chunks in flight, each bounded by bytes.
    chunk_records = CHUNK_BYTES // len(source.raw)
    assert source.taken <= (2 * workers + 1) * chunk_records
    assert sum(1 for _ in results) == 199


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2 * 1024 * 1024), max_size=24))
def test_every_record_comes_back_once_in_order_whatever_the_sizes(sizes: list[int]) -> None:
    records = [bytes([i % 251]) * size for i, size in enumerate(sizes)]
    out = [raw for raw, _result in parse_stream(iter(records), {}, 1)]
    assert [id(r) for r in out] == [id(r) for r in records]
