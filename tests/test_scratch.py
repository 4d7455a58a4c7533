"""Scratch files and folders: locked while written, cleaned only when no live process holds them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile import _scratch
from casefile._readfile import read_regular_file
from casefile._scratch import clean_scratch, new_locked_dir, new_locked_file, survey_scratch
from casefile.errors import InputError


def _ours(name: str) -> bool:
    return name.startswith("scratch-")


def test_a_held_file_is_left_and_removed_once_its_writer_is_gone(tmp_path: Path) -> None:
    fd, path = new_locked_file(tmp_path, "scratch-", ".part")
    os.write(fd, b"x" * 100)
    assert clean_scratch(tmp_path, _ours).live == 1
    assert path.exists()
    os.close(fd)
    assert survey_scratch(tmp_path, _ours).size == 100
    removed = clean_scratch(tmp_path, _ours)
    assert [s.path for s in removed.stale] == [path]
    assert not path.exists()


def test_a_held_folder_is_left_and_removed_once_its_writer_is_gone(tmp_path: Path) -> None:
    fd, path = new_locked_dir(tmp_path, "scratch-")
    (path / "inside").write_bytes(b"y" * 10)
    assert clean_scratch(tmp_path, _ours).count == 0
    os.close(fd)
    assert clean_scratch(tmp_path, _ours).size == 10
    assert list(tmp_path.iterdir()) == []


def test_a_link_or_other_name_is_never_followed_or_removed(tmp_path: Path) -> None:
    target = tmp_path / "precious"
    target.mkdir()
    (target / "file").write_text("keep")
    (tmp_path / "scratch-link").symlink_to(target)
    (tmp_path / "not-scratch").write_text("keep")
    assert clean_scratch(tmp_path, _ours).count == 0
    assert (target / "file").read_text() == "keep"
    assert (tmp_path / "scratch-link").is_symlink()
    assert (tmp_path / "not-scratch").exists()


def test_a_writer_whose_fresh_file_a_cleaner_took_starts_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _scratch._try_lock
    taken: list[str] = []

    def cleaner_got_there_first(fd: int) -> bool:
        if not taken:
            # Between the writer's create and its lock, a cleaner locked and removed the file.
            name = os.readlink(f"/proc/self/fd/{fd}")
            taken.append(name)
            os.unlink(name)
        return real(fd)

    monkeypatch.setattr(_scratch, "_try_lock", cleaner_got_there_first)
    fd, path = new_locked_file(tmp_path, "scratch-", ".part")
    try:
        assert str(path) != taken[0]
        assert path.exists()
        assert [p for p in tmp_path.iterdir()] == [path]
    finally:
        os.close(fd)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="pipe: cannot read the trust store: a FIFO"):
        read_regular_file(fifo, limit=10, what="trust store")


def test_a_device_is_refused_rather_than_read_without_end() -> None:
    with pytest.raises(InputError, match="a character device"):
        read_regular_file("/dev/zero", limit=10, what="key file")


@settings(max_examples=50)
@given(data=st.binary(max_size=300), limit=st.integers(0, 200))
def test_a_regular_file_is_read_no_further_than_one_past_the_limit(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, limit: int
) -> None:
    path = tmp_path_factory.mktemp("read") / "f"
    path.write_bytes(data)
    assert read_regular_file(path, limit=limit, what="file") == data[: limit + 1]
