"""A killed ingest leaves a temporary file: check reports it, clean removes it, never a live one."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from _stalled import Stalling, stalled_child
from casefile.evidence import FileSystemBlobStore
from cli._support import run_cli

_CHUNK = 4096
_SENT = 5 * _CHUNK


def _ingest_forever(root: str, reached: Event) -> None:
    store = FileSystemBlobStore(root, chunk_size=_CHUNK)
    store.put_stream(Stalling(b"\x42" * _SENT, reached))  # type: ignore[arg-type]


def _parts(root: Path) -> list[Path]:
    return sorted((root / "tmp").glob("ingest-*.part"))


@pytest.fixture
def stalled_ingest(tmp_path: Path) -> Iterator[tuple[Path, multiprocessing.process.BaseProcess]]:
    """A child process stuck mid-ingest into a store under ``tmp_path``, with bytes written."""
    root = tmp_path / "evidence"
    FileSystemBlobStore(root)
    with stalled_child(_ingest_forever, str(root), what="ingest") as child:
        deadline = time.monotonic() + 30
        while not (_parts(root) and _parts(root)[0].stat().st_size > 0):
            assert time.monotonic() < deadline, "the ingest wrote nothing"
            time.sleep(0.01)
        yield root, child


def test_a_live_ingests_file_is_never_removed(
    stalled_ingest: tuple[Path, multiprocessing.process.BaseProcess],
) -> None:
    root, child = stalled_ingest
    store = FileSystemBlobStore(root)
    assert store.stale_temp_files().count == 0
    cleaned = store.clean_temp_files()
    assert cleaned.count == 0
    assert cleaned.live == 1
    assert len(_parts(root)) == 1
    assert child.is_alive()


def test_killed_ingest_debris_is_reported_by_check_and_removed_by_clean(
    stalled_ingest: tuple[Path, multiprocessing.process.BaseProcess],
) -> None:
    root, child = stalled_ingest
    os.kill(child.pid or 0, signal.SIGKILL)
    child.join(10)
    left = _parts(root)
    assert len(left) == 1
    size = left[0].stat().st_size
    assert size > 0

    human = run_cli(["evidence", "check", "--store", root])
    assert human.code == 0, human.err
    assert f"leftovers  1 temporary file(s) of killed ingests, {size} bytes" in human.out
    assert "casefile evidence clean" in human.out
    report = json.loads(run_cli(["evidence", "check", "--store", root, "--json"]).out)
    assert report["stale_temp_files"] == {"bytes": size, "count": 1}

    cleaned = run_cli(["evidence", "clean", "--store", root])
    assert cleaned.code == 0, cleaned.err
    assert f"removed    1 stale temporary file(s), {size} bytes" in cleaned.out
    assert _parts(root) == []
    again = json.loads(run_cli(["evidence", "check", "--store", root, "--json"]).out)
    assert again["stale_temp_files"] == {"bytes": 0, "count": 0}


def test_an_ingest_still_stores_after_a_clean_ran_beside_it(tmp_path: Path) -> None:
    store = FileSystemBlobStore(tmp_path / "evidence")
    assert store.clean_temp_files().count == 0
    info = store.put_stream(io.BytesIO(b"exhibit bytes"))
    assert store.contains(info.sha256)
    assert store.stale_temp_files().count == 0
    assert _parts(tmp_path / "evidence") == []
