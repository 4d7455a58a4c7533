"""All-or-nothing output: no clobbering, no partial files or folders left after a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from casefile.cli._files import replace_file, staged_directory, write_new_file
from casefile.errors import InputError


def test_write_new_file_never_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_new_file(target, b"first")
    with pytest.raises(InputError, match="refusing to overwrite"):
        write_new_file(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_write_new_file_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        write_new_file(tmp_path / "no" / "such" / "file", b"x")


def test_write_new_file_refuses_a_dangling_symlink(tmp_path: Path) -> None:
    # Following the link would create a file wherever it points.
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError):
        write_new_file(tmp_path / "link", b"x")
    assert not (tmp_path / "elsewhere").exists()


def test_replace_file_swaps_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "trust.json"
    target.write_bytes(b"old")
    replace_file(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["trust.json"]


def test_staged_directory_appears_only_when_complete(tmp_path: Path) -> None:
    dest = tmp_path / "demo"
    with staged_directory(dest) as stage:
        (stage / "a").write_text("a")
        assert not dest.exists()
    assert (dest / "a").read_text() == "a"


def test_failed_staged_directory_leaves_nothing(tmp_path: Path) -> None:
    def crash_half_way() -> None:
        with staged_directory(tmp_path / "demo") as stage:
            (stage / "half").write_text("half")
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        crash_half_way()
    assert list(tmp_path.iterdir()) == []


def test_staged_directory_refuses_a_non_empty_destination(tmp_path: Path) -> None:
    (tmp_path / "keep").write_text("x")
    with pytest.raises(InputError), staged_directory(tmp_path):
        pass
    assert [p.name for p in tmp_path.iterdir()] == ["keep"]
