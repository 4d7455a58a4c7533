"""Scratch files and folders that a killed process leaves behind, and cleaning them safely.

Ingests and exports write into a temporary file or folder and rename it into
place when complete. A process killed on the way leaves that scratch behind,
possibly gigabytes of it. Age does not tell a stale one from one that a slow
live process is still writing, so each writer holds an exclusive
:func:`fcntl.flock` lock on its scratch for as long as it writes (the kernel
drops it when the process dies, however it dies), and the cleaner removes only
what it can lock itself, without waiting.

Two races are closed. A cleaner removes an entry while it holds the lock, so
a writer that created the entry and locked it only afterwards finds its name
gone (or given to another inode) and starts again with a new one. And the
cleaner checks that the name still leads to the inode it locked, so it never
removes a newer entry that took the name.

Where :mod:`fcntl` does not exist (Windows) nothing is ever judged stale.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "Scratch",
    "ScratchSurvey",
    "clean_scratch",
    "new_locked_dir",
    "new_locked_file",
    "survey_scratch",
]

_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY: Final = getattr(os, "O_DIRECTORY", 0)
_ATTEMPTS: Final = 100


@dataclass(frozen=True, slots=True)
class Scratch:
    """One stale scratch entry: its path and how many bytes it holds."""

    path: Path
    size: int


@dataclass(frozen=True, slots=True)
class ScratchSurvey:
    """Stale scratch entries (found or removed), and how many live ones were left alone."""

    stale: tuple[Scratch, ...]
    live: int

    @property
    def count(self) -> int:
        """How many stale entries."""
        return len(self.stale)

    @property
    def size(self) -> int:
        """Their bytes in all."""
        return sum(entry.size for entry in self.stale)


def _try_lock(fd: int) -> bool:
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same(path: Path, fd: int) -> bool:
    try:
        named = os.lstat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _new_locked(
    parent: Path, prefix: str, suffix: str, create: Callable[[Path], int]
) -> tuple[int, Path]:
    """``create`` a new entry under a random name and lock it, retrying a name a cleaner took."""
    for _ in range(_ATTEMPTS):
        path = parent / f"{prefix}{secrets.token_hex(8)}{suffix}"
        try:
            fd = create(path)
        except FileExistsError:
            continue
        try:
            # Created unlocked for an instant: a cleaner may have removed it in between.
            if (_try_lock(fd) or fcntl is None) and _same(path, fd):
                return fd, path
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    raise FileExistsError(f"{parent}: no free scratch name after {_ATTEMPTS} attempts")


def new_locked_file(
    parent: Path, prefix: str, suffix: str, *, mode: int = 0o600
) -> tuple[int, Path]:
    """Create a new file ``parent/<prefix><random><suffix>``, locked for as long as ``fd`` is open.

    Returns the descriptor (read-write) and the path. Raises :class:`OSError`.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
    return _new_locked(parent, prefix, suffix, lambda path: os.open(path, flags, mode))


def new_locked_dir(parent: Path, prefix: str, suffix: str = "") -> tuple[int, Path]:
    """Create a new private folder ``parent/<prefix><random><suffix>``, locked while ``fd`` is open.

    Returns the folder's descriptor (close it to release the lock, after the
    folder has been renamed into place or removed) and its path. Raises
    :class:`OSError`.
    """

    def create(path: Path) -> int:
        path.mkdir(mode=0o700)
        return os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)

    return _new_locked(parent, prefix, suffix, create)


def _size(path: Path, info: os.stat_result) -> int:
    if not stat.S_ISDIR(info.st_mode):
        return info.st_size
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def _remove(path: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        shutil.rmtree(path)
    else:
        path.unlink()


def _visit(parent: Path, match: Callable[[str], bool], *, remove: bool) -> ScratchSurvey:
    stale: list[Scratch] = []
    live = 0
    try:
        names = sorted(entry.name for entry in os.scandir(parent) if match(entry.name))
    except OSError:
        return ScratchSurvey(
            (), 0
        )  # nothing to list is nothing stale: the caller's writes will say why
    for name in names:
        path = parent / name
        try:
            info = os.lstat(path)
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                continue  # never ours: links and special files are left alone
            extra = _DIRECTORY if stat.S_ISDIR(info.st_mode) else 0
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | extra)
        except OSError:
            continue  # gone meanwhile, or not ours to open
        try:
            if not _try_lock(fd):
                live += 1
                continue
            if not _same(path, fd):
                continue
            size = _size(path, info)
            if remove:
                # While the lock is held: a writer that locks after us finds its name gone.
                _remove(path, info)
            stale.append(Scratch(path, size))
        except OSError:
            continue
        finally:
            os.close(fd)
    return ScratchSurvey(tuple(stale), live)


def survey_scratch(parent: Path, match: Callable[[str], bool]) -> ScratchSurvey:
    """The stale entries of ``parent`` whose names ``match``: those no live process holds."""
    return _visit(parent, match, remove=False)


def clean_scratch(parent: Path, match: Callable[[str], bool]) -> ScratchSurvey:
    """Remove the stale entries of ``parent`` whose names ``match``; return what was removed."""
    return _visit(parent, match, remove=True)
