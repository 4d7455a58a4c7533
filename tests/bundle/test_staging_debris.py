"""A killed export leaves its staging: the next export beside it removes it, never a live one."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from _bundlecase import EVIDENCE, World, make_bundle
from casefile.bundle import STAGING_PREFIX, clean_staging, stale_staging, write_bundle


class _Stalling(io.RawIOBase):
    """An evidence file that gives some bytes, then blocks for ever (a hung network share)."""

    def __init__(self, reached: Event) -> None:
        self._left = len(EVIDENCE) // 2
        self._reached = reached

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left:
            n = min(len(buffer), self._left)
            buffer[:n] = EVIDENCE[:n]
            self._left -= n
            return n
        self._reached.set()
        time.sleep(3600)
        return 0


def _export_forever(dest: str, reached: Event) -> None:
    world = World()
    case = world.case(6)
    write_bundle(
        Path(dest),
        case_id=case.case_id,
        records=iter(case.records),
        disclosures=iter(case.disclosures),
        trust=world.trust,
        checkpoint_note=world.checkpoint(case),
        signer=world.log,
        evidence={hashlib.sha256(EVIDENCE).digest(): lambda: _Stalling(reached)},  # type: ignore[arg-type, return-value]
    )


def _staging(parent: Path) -> list[Path]:
    return sorted(p for p in parent.iterdir() if p.name.startswith(STAGING_PREFIX))


@pytest.fixture
def stalled_export(tmp_path: Path) -> Iterator[tuple[Path, multiprocessing.process.BaseProcess]]:
    """A child process stuck mid-export into ``tmp_path/out/bundle``."""
    parent = tmp_path / "out"
    parent.mkdir()
    context = multiprocessing.get_context("fork")
    reached = context.Event()
    child = context.Process(
        target=_export_forever, args=(str(parent / "bundle"), reached), daemon=True
    )
    child.start()
    try:
        assert reached.wait(30), "the export never reached its evidence"
        yield parent, child
    finally:
        if child.is_alive():
            os.kill(child.pid or 0, signal.SIGKILL)
        child.join(10)


def test_a_live_exports_staging_is_never_removed(
    stalled_export: tuple[Path, multiprocessing.process.BaseProcess],
) -> None:
    parent, child = stalled_export
    (staging,) = _staging(parent)
    assert stale_staging(parent).count == 0
    cleaned = clean_staging(parent)
    assert (cleaned.count, cleaned.live) == (0, 1)
    # Another export beside it goes ahead and leaves the live one alone.
    make_bundle(parent / "other")
    assert _staging(parent) == [staging]
    assert (staging / "records.bin").is_file()
    assert child.is_alive()


def test_killed_exports_staging_is_removed_by_the_next_export_beside_it(
    stalled_export: tuple[Path, multiprocessing.process.BaseProcess],
) -> None:
    parent, child = stalled_export
    os.kill(child.pid or 0, signal.SIGKILL)
    child.join(10)
    (staging,) = _staging(parent)
    stale = stale_staging(parent)
    assert stale.count == 1
    assert stale.size >= (staging / "records.bin").stat().st_size > 0
    world = World()
    case = world.case(3)
    write_bundle(
        parent / "next",
        case_id=case.case_id,
        records=iter(case.records),
        disclosures=iter(case.disclosures),
        trust=world.trust,
        checkpoint_note=world.checkpoint(case),
        signer=world.log,
    )
    assert sorted(p.name for p in parent.iterdir()) == ["next"]
