"""Where a bundle's bytes come from: a directory or a zip archive, both read defensively.

A source lists its files once, when opened, checking every name and type
against the layout and the limits; afterwards it only streams the files it
listed, each no further than the size it listed. A directory is read without
following symbolic links, and a file is refused if it is no longer the one
listed (another inode, another type, another length).
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final, Protocol

from casefile.bundle._layout import (
    CAPTURES_DIR,
    EVIDENCE_DIR,
    TRUST_ROOT_DIR,
    VIEWS_DIR,
    BundleLimits,
    check_member_name,
    desktop_debris,
    member_cap,
    shown,
)
from casefile.bundle._stream import CHUNK_SIZE
from casefile.bundle._zipread import ZipMember, member_chunks, read_directory
from casefile.errors import BundleError

__all__ = ["DirectorySource", "Source", "ZipSource", "open_source"]

_OPEN_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    # A FIFO swapped in after listing must not block the open.
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)
_FOLDERS: Final = frozenset({EVIDENCE_DIR, VIEWS_DIR, TRUST_ROOT_DIR, CAPTURES_DIR})
_KINDS: Final = {
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "FIFO",
    stat.S_IFSOCK: "socket",
    stat.S_IFLNK: "symbolic link",
}


class Source(Protocol):
    """A bundle's files: their sizes as listed, and a checked stream of each."""

    kind: str
    files: Mapping[str, int]

    def chunks(self, path: str) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class _Tally:
    def __init__(self, limits: BundleLimits) -> None:
        self.limits = limits
        self.count = 0
        self.total = 0

    def add(self, name: str, size: int) -> None:
        limits = self.limits
        self.count += 1
        if self.count > limits.max_members:
            raise BundleError(f"bundle: more than the limit of {limits.max_members} files")
        cap = member_cap(name, limits)
        if size > cap:
            raise BundleError(f"member {shown(name)}: {size} bytes, more than the limit of {cap}")
        self.total += size
        if self.total > limits.max_total_size:
            raise BundleError(
                f"bundle: files add up to more than the limit of {limits.max_total_size} bytes"
            )


class DirectorySource:
    """A bundle laid out as a directory tree."""

    kind = "directory"

    def __init__(self, root: Path, limits: BundleLimits) -> None:
        self._root = root
        self._listed: dict[str, tuple[int, int, int]] = {}
        self._tally = _Tally(limits)
        self._scan(root, "")
        self.files: Mapping[str, int] = {name: v[0] for name, v in sorted(self._listed.items())}

    def _scan(self, folder: Path, prefix: str) -> None:
        entries: list[os.DirEntry[str]] = []
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    entries.append(entry)
                    # Stop early: a directory of millions of names is refused unlisted.
                    if len(entries) > self._tally.limits.max_members + len(_FOLDERS):
                        raise BundleError(
                            f"bundle: more than the limit of {self._tally.limits.max_members} files"
                        )
        except OSError as exc:
            where = shown(prefix or str(folder))
            raise BundleError(f"{where}: cannot list ({exc.strerror})") from None
        entries.sort(key=lambda e: e.name)
        for entry in entries:
            name = prefix + entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                raise BundleError(f"member {shown(name)}: cannot stat ({exc.strerror})") from None
            kind = stat.S_IFMT(info.st_mode)
            if kind in _KINDS:
                raise BundleError(f"member {shown(name)}: {_KINDS[kind]}, not a regular file")
            if kind == stat.S_IFDIR:
                if prefix or entry.name not in _FOLDERS:
                    debris = desktop_debris(name) or "unexpected directory"
                    raise BundleError(f"member {shown(name + '/')}: {debris}")
                self._scan(Path(entry.path), name + "/")
                continue
            if kind != stat.S_IFREG:
                raise BundleError(f"member {shown(name)}: not a regular file")
            check_member_name(name)
            self._tally.add(name, info.st_size)
            self._listed[name] = (info.st_size, info.st_dev, info.st_ino)

    def chunks(self, path: str) -> Iterator[bytes]:
        if path not in self._listed:
            raise BundleError(f"bundle has no file {shown(path)}")
        size, device, inode = self._listed[path]
        where = f"member {shown(path)}"
        try:
            fd = os.open(self._root / path, _OPEN_FLAGS)
        except OSError as exc:
            raise BundleError(f"{where}: cannot open ({exc.strerror})") from None
        return self._read(fd, where, size, device, inode)

    @staticmethod
    def _read(fd: int, where: str, size: int, device: int, inode: int) -> Iterator[bytes]:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != (device, inode):
                raise BundleError(f"{where}: replaced since the bundle was opened")
            left = size
            while left:
                data = os.read(fd, min(CHUNK_SIZE, left))
                if not data:
                    raise BundleError(f"{where}: shorter than when the bundle was opened")
                left -= len(data)
                yield data
            if os.read(fd, 1):
                raise BundleError(f"{where}: longer than when the bundle was opened")
        finally:
            os.close(fd)

    def close(self) -> None:
        """Nothing is held open between reads."""


class ZipSource:
    """A bundle packed as a canonical zip archive."""

    kind = "zip"

    def __init__(self, path: Path, limits: BundleLimits) -> None:
        try:
            # Non-blocking, so that a FIFO swapped in for the archive cannot hang the open.
            fd = os.open(path, _OPEN_FLAGS & ~getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            raise BundleError(f"{shown(str(path))}: cannot open ({exc.strerror})") from None
        self._file = os.fdopen(fd, "rb", buffering=0)
        self._lock = threading.Lock()
        try:
            info = os.fstat(self._file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise BundleError(f"{shown(str(path))}: not a regular file")
            try:
                self._members: dict[str, ZipMember] = read_directory(
                    self._read_at, info.st_size, limits
                )
            except BundleError as exc:
                # Archive tools re-pack with their own timestamps, flags and extras (D8).
                raise BundleError(
                    f"{exc}; this is not the exact zip form casefile writes: if the bundle "
                    "was re-zipped, unpack it and verify the folder"
                ) from None
        except BaseException:
            self._file.close()
            raise
        self.files: Mapping[str, int] = {n: m.usize for n, m in self._members.items()}

    def _read_at(self, offset: int, n: int) -> bytes:
        parts: list[bytes] = []
        # One handle serves several open members; each read names its offset.
        with self._lock:
            self._file.seek(offset)
            while n > 0:
                data = self._file.read(n)
                if not data:
                    break
                parts.append(data)
                n -= len(data)
        return b"".join(parts)

    def chunks(self, path: str) -> Iterator[bytes]:
        member = self._members.get(path)
        if member is None:
            raise BundleError(f"bundle has no file {shown(path)}")
        return member_chunks(self._read_at, member)

    def close(self) -> None:
        self._file.close()


def open_source(path: Path, limits: BundleLimits) -> Source:
    """A directory or zip source for ``path``; :class:`BundleError` if it is neither."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise BundleError(f"{shown(str(path))}: cannot open ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        return DirectorySource(path, limits)
    if stat.S_ISREG(info.st_mode):
        return ZipSource(path, limits)
    raise BundleError(f"{shown(str(path))}: neither a bundle directory nor a zip file")
