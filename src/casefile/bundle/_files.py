"""Durable, all-or-nothing file output for bundles: hashed sinks, fsync and no-clobber publish.

A bundle is written into a temporary sibling of its destination and moved into
place by one rename once every byte is on disk, so a crash or an error leaves
either the whole bundle or nothing, never a part.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
from pathlib import Path
from types import TracebackType

from casefile.bundle._layout import shown
from casefile.bundle._manifest import FileEntry
from casefile.errors import BundleError

__all__ = ["HashingSink", "check_destination", "fsync_dir", "publish_dir", "publish_file", "remove"]


class HashingSink:
    """A new file that counts and hashes what is written, and is fsynced on close."""

    def __init__(self, root: Path, path: str) -> None:
        self.path = path
        self._file = open(root / path, "xb")  # noqa: SIM115 - closed by finish() or __exit__
        self._digest = hashlib.sha256()
        self._size = 0

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        self._size += len(data)
        return self._file.write(data)

    def finish(self) -> FileEntry:
        """Flush to disk and return the file's manifest entry."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return FileEntry(self.path, self._size, self._digest.digest())

    def __enter__(self) -> HashingSink:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._file.close()


def fsync_dir(path: Path) -> None:
    """Make a directory's entries durable (where the platform can open directories)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        # Platforms that cannot open a directory (Windows) cannot fsync one either.
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_destination(dest: Path, *, directory: bool) -> None:
    """Refuse a destination that exists (for a directory bundle: unless it is empty)."""
    try:
        info = os.lstat(dest)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BundleError(f"{shown(str(dest))}: cannot inspect ({exc.strerror})") from None
    if directory and stat.S_ISDIR(info.st_mode):
        with os.scandir(dest) as listing:
            if next(listing, None) is None:
                return
        raise BundleError(f"{shown(str(dest))}: exists and is not empty; refusing to overwrite")
    raise BundleError(f"{shown(str(dest))}: already exists; refusing to overwrite")


def publish_dir(tmp: Path, dest: Path) -> None:
    """Move a finished bundle directory into place (replacing at most an empty directory)."""
    try:
        os.rename(tmp, dest)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise BundleError(
                f"{shown(str(dest))}: appeared while the bundle was written; refusing to overwrite"
            ) from None
        raise BundleError(f"{shown(str(dest))}: cannot move into place ({exc.strerror})") from None
    fsync_dir(dest.parent)


def publish_file(tmp: Path, dest: Path) -> None:
    """Move a finished file into place without ever replacing an existing file."""
    try:
        # A hard link fails if the name exists: an atomic no-clobber rename.
        os.link(tmp, dest)
    except FileExistsError:
        raise BundleError(f"{shown(str(dest))}: already exists; refusing to overwrite") from None
    except OSError:
        # File systems without hard links: check, then rename (a narrow race).
        check_destination(dest, directory=False)
        os.replace(tmp, dest)
    else:
        os.unlink(tmp)
    fsync_dir(dest.parent)


def remove(path: Path) -> None:
    """Best-effort removal of a temporary file or directory after a failure."""
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
