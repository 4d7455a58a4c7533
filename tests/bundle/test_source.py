"""Hostile bundle directories: links, special files, stray files, files swapped under the reader."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from _bundlecase import make_bundle
from casefile.bundle import BundleLimits, open_bundle
from casefile.errors import BundleError


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    make_bundle(tmp_path / "b")
    return tmp_path / "b"


def test_symlink_in_a_bundle_directory_is_refused(bundle_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("outside the bundle")
    (bundle_dir / "views" / "link.json").symlink_to(secret)
    with pytest.raises(BundleError, match=r"views/link\.json.*symbolic link"):
        open_bundle(bundle_dir)


def test_symlinked_subdirectory_is_refused(bundle_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    os.rename(bundle_dir / "views", tmp_path / "elsewhere" / "views")
    (bundle_dir / "views").symlink_to(tmp_path / "elsewhere" / "views")
    with pytest.raises(BundleError, match="symbolic link"):
        open_bundle(bundle_dir)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_in_a_bundle_directory_is_refused(bundle_dir: Path) -> None:
    os.mkfifo(bundle_dir / "views" / "pipe")
    with pytest.raises(BundleError, match="FIFO"):
        open_bundle(bundle_dir)


@pytest.mark.parametrize(
    "relative", ["notes.txt", "evidence/not-a-hash", "views/.hidden", "views/sub/deep.json"]
)
def test_unexpected_file_is_refused(bundle_dir: Path, relative: str) -> None:
    (bundle_dir / relative).parent.mkdir(parents=True, exist_ok=True)
    (bundle_dir / relative).write_bytes(b"x")
    with pytest.raises(BundleError, match="unexpected"):
        open_bundle(bundle_dir)


def test_unexpected_directory_is_refused(bundle_dir: Path) -> None:
    (bundle_dir / "extra").mkdir()
    with pytest.raises(BundleError, match="unexpected directory"):
        open_bundle(bundle_dir)


def test_directory_without_a_manifest_is_not_a_bundle(bundle_dir: Path) -> None:
    (bundle_dir / "manifest.dsse.json").unlink()
    with pytest.raises(BundleError, match="not a bundle"):
        open_bundle(bundle_dir)


def test_too_many_files_are_refused(bundle_dir: Path) -> None:
    for i in range(10):
        (bundle_dir / "views" / f"{i}.txt").write_bytes(b"x")
    with pytest.raises(BundleError, match="more than the limit of 12 files"):
        open_bundle(bundle_dir, limits=BundleLimits(max_members=12))


def test_oversized_file_is_refused_unread(bundle_dir: Path) -> None:
    with open(bundle_dir / "views" / "big.bin", "wb") as handle:
        handle.truncate(2 << 20)  # sparse: large on paper, nothing to read
    with pytest.raises(BundleError, match=r"views/big\.bin.*more than the limit"):
        open_bundle(bundle_dir, limits=BundleLimits(max_view_size=1 << 20))


def test_file_replaced_after_opening_is_refused(bundle_dir: Path) -> None:
    with open_bundle(bundle_dir) as bundle:
        replacement = bundle_dir / "views" / "new"
        replacement.write_bytes(b'{"case": "test"}\n')
        os.replace(replacement, bundle_dir / "views" / "casefile.json")
        with pytest.raises(BundleError, match="replaced"):
            b"".join(bundle.raw_chunks("views/casefile.json"))


def test_file_grown_after_opening_is_refused(bundle_dir: Path) -> None:
    with open_bundle(bundle_dir) as bundle:
        with open(bundle_dir / "records.bin", "ab") as handle:
            handle.write(b"\xc4\x01\x00")
        with pytest.raises(BundleError, match="longer than when the bundle was opened"):
            b"".join(bundle.raw_chunks("records.bin"))


def test_file_shrunk_after_opening_is_refused(bundle_dir: Path) -> None:
    with open_bundle(bundle_dir) as bundle:
        os.truncate(bundle_dir / "records.bin", 10)
        with pytest.raises(BundleError, match="shorter"):
            b"".join(bundle.raw_chunks("records.bin"))


def test_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="cannot open"):
        open_bundle(tmp_path / "absent")
