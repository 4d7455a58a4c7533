"""Bounded memory: writing, reading and verifying stream the records, whatever their number."""

from __future__ import annotations

import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from _bundlecase import AT, World, write_streamed_case
from casefile.bundle import open_bundle, verify_bundle, zip_bundle

WORLD = World()
SMALL, LARGE = 2_000, 20_000


def _peak(action: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _flat(small: int, large: int) -> bool:
    # Ten times the records, about the same peak: nothing grows with the case.
    return large < small * 1.5 + (1 << 20)


@pytest.fixture(scope="module")
def bundles() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for n in (SMALL, LARGE):
            write_streamed_case(root / str(n), WORLD, n)
            zip_bundle(root / str(n), root / f"{n}.zip")
        yield root


def test_verifying_a_large_bundle_keeps_memory_flat(bundles: Path) -> None:
    def verify(n: int) -> Callable[[], object]:
        def run() -> object:
            result = verify_bundle(bundles / str(n), at=AT, trust=WORLD.trust, workers=1)
            assert result.verified
            assert result.records == n
            return result

        return run

    small, large = _peak(verify(SMALL)), _peak(verify(LARGE))
    assert _flat(small, large), (small, large)


def test_reading_records_from_a_large_zip_keeps_memory_flat(bundles: Path) -> None:
    def read(n: int) -> Callable[[], object]:
        def run() -> object:
            with open_bundle(bundles / f"{n}.zip") as bundle:
                count = sum(1 for _ in bundle.records())
            assert count == n
            return count

        return run

    small, large = _peak(read(SMALL)), _peak(read(LARGE))
    assert _flat(small, large), (small, large)


def test_writing_a_large_bundle_keeps_memory_flat(tmp_path: Path) -> None:
    small = _peak(lambda: write_streamed_case(tmp_path / "small", WORLD, 500))
    large = _peak(lambda: write_streamed_case(tmp_path / "large", WORLD, 5_000))
    assert _flat(small, large), (small, large)
