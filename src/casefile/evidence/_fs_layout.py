"""On-disk layout of the filesystem blob store, and the checks that walk it.

Blobs live at ``sha256/ab/cd/<64 lowercase hex digits>``. The walk classifies
every entry it finds: a well-named regular file is a blob; anything else
(stray files, misplaced or misnamed files, symbolic links, unreadable
directories) is reported, never followed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ._fixity_report import FixityResult, FixityStatus

__all__ = [
    "BLOBS_DIR",
    "O_NOFOLLOW",
    "Entry",
    "blob_path",
    "check_entry",
    "drop_cache",
    "fsync_dir",
    "hash_fd",
    "open_regular",
    "walk",
]

BLOBS_DIR: Final = "sha256"
O_NOFOLLOW: Final[int] = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY: Final[int] = getattr(os, "O_DIRECTORY", 0)
_O_NONBLOCK: Final[int] = getattr(os, "O_NONBLOCK", 0)
_LEVEL: Final = re.compile(r"[0-9a-f]{2}", re.ASCII)
_NAME: Final = re.compile(r"[0-9a-f]{64}", re.ASCII)
_fadvise = getattr(os, "posix_fadvise", None)


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry met by :func:`walk`: a blob (``digest`` set) or a ``problem``."""

    rel: str
    path: Path
    digest: bytes | None
    problem: FixityResult | None


def blob_path(blobs: Path, digest: bytes) -> Path:
    """Where the blob named ``digest`` (already validated) lives under ``blobs``."""
    name = digest.hex()
    return blobs / name[:2] / name[2:4] / name


def fsync_dir(path: Path) -> None:
    """Make a rename or creation inside ``path`` durable."""
    if os.name == "nt":  # directories cannot be opened there, and NTFS journals renames
        return
    fd = os.open(path, os.O_RDONLY | _O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def drop_cache(fd: int) -> None:
    """Advise the kernel to drop the file's cached pages (evidence is written once, read rarely)."""
    if _fadvise is not None:
        with contextlib.suppress(OSError):
            _fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def open_regular(path: Path) -> int | None:
    """Open ``path`` for reading without following a symbolic link or blocking on a FIFO.

    Returns None (and opens nothing) if it is not a regular file; raises
    ``OSError`` as :func:`os.open` does (``ELOOP`` for a symbolic link).
    """
    fd = os.open(path, os.O_RDONLY | O_NOFOLLOW | _O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def hash_fd(fd: int, chunk_size: int) -> tuple[bytes, int]:
    """SHA-256 and length of everything readable from ``fd``, in constant memory."""
    digest = hashlib.sha256()
    buffer = bytearray(chunk_size)
    view = memoryview(buffer)
    size = 0
    while n := os.readv(fd, [buffer]):
        digest.update(view[:n])
        size += n
    return digest.digest(), size


def check_entry(entry: Entry, chunk_size: int) -> FixityResult:
    """Re-hash one walked entry; a result, never an exception."""
    if entry.problem is not None:
        return entry.problem
    digest = entry.digest
    rel = entry.rel
    if digest is None:  # pragma: no cover - walk sets a digest or a problem
        return FixityResult(rel, FixityStatus.UNEXPECTED, detail="not a blob")
    try:
        fd = open_regular(entry.path)
        if fd is None:
            return FixityResult(rel, FixityStatus.UNEXPECTED, digest, detail="not a regular file")
        try:
            actual, size = hash_fd(fd, chunk_size)
        finally:
            os.close(fd)
    except OSError as exc:
        return FixityResult(rel, FixityStatus.UNREADABLE, digest, detail=str(exc))
    if actual != digest:
        detail = f"{size} bytes hash to {actual.hex()}"
        return FixityResult(rel, FixityStatus.MISMATCH, digest, size, actual, detail)
    return FixityResult(rel, FixityStatus.OK, digest, size, actual)


def walk(blobs: Path) -> Iterator[Entry]:
    """Every entry under ``blobs`` in name order, classified (see the module docstring)."""
    for first in _scan(blobs, BLOBS_DIR):
        if isinstance(first, Entry):
            yield first
            continue
        rel1 = f"{BLOBS_DIR}/{first.name}"
        if not _is_level(first):
            yield _stray(rel1, first, "not a blob directory")
            continue
        for second in _scan(Path(first.path), rel1):
            if isinstance(second, Entry):
                yield second
                continue
            rel2 = f"{rel1}/{second.name}"
            if not _is_level(second):
                yield _stray(rel2, second, "not a blob directory")
                continue
            for item in _scan(Path(second.path), rel2):
                if isinstance(item, Entry):
                    yield item
                    continue
                rel = f"{rel2}/{item.name}"
                name = item.name
                if not _NAME.fullmatch(name) or name[:4] != first.name + second.name:
                    yield _stray(rel, item, "not named by its own address")
                elif not item.is_file(follow_symlinks=False):
                    yield _stray(rel, item, "not a regular file")
                else:
                    yield Entry(rel, Path(item.path), bytes.fromhex(name), None)


def _is_level(entry: os.DirEntry[str]) -> bool:
    return bool(_LEVEL.fullmatch(entry.name)) and entry.is_dir(follow_symlinks=False)


def _scan(directory: Path, rel: str) -> Iterator[os.DirEntry[str] | Entry]:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        problem = FixityResult(rel, FixityStatus.UNREADABLE, detail=str(exc))
        yield Entry(rel, directory, None, problem)
        return
    yield from entries


def _stray(rel: str, entry: os.DirEntry[str], detail: str) -> Entry:
    problem = FixityResult(rel, FixityStatus.UNEXPECTED, detail=detail)
    return Entry(rel, Path(entry.path), None, problem)
