"""A killed export leaves its staging: the next export beside it removes it, never a live one."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
from collections.abc import Iterator
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from _bundlecase import EVIDENCE, World, make_bundle
from _stalled import Stalling, stalled_child
from casefile.bundle import STAGING_PREFIX, clean_staging, stale_staging, write_bundle


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
        evidence={
            hashlib.sha256(EVIDENCE).digest(): lambda: Stalling(
                EVIDENCE[: len(EVIDENCE) // 2], reached
            )
        },  # type: ignore[arg-type, return-value]
    )


def _staging(parent: Path) -> list[Path]:
    return sorted(p for p in parent.iterdir() if p.name.startswith(STAGING_PREFIX))


@pytest.fixture
def stalled_export(tmp_path: Path) -> Iterator[tuple[Path, multiprocessing.process.BaseProcess]]:
    """A child process stuck mid-export into ``tmp_path/out/bundle``."""
    parent = tmp_path / "out"
    parent.mkdir()
    with stalled_child(_export_forever, str(parent / "bundle"), what="export") as child:
        yield parent, child


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
