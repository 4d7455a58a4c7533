"""Durable, all-or-nothing file output for bundles: hashed sinks, fsync and no-clobber publish.

A bundle is written into a temporary sibling of its destination and moved into
place by one rename once every byte is on disk, so a crash or an error leaves
either the whole bundle or nothing, never a part.

A bundle is made to be handed over, so it ends readable by others as far as the
process umask allows: directories :data:`DIR_MODE` and files :data:`FILE_MODE`,
less the bits the umask withholds, set before the rename (a temporary directory
stays private while it is written). The umask is read from the mode of
something freshly created, never with ``os.umask``, which can only read it by
changing it, a race with any other thread creating files at that moment.
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
from typing import Final

from casefile._scratch import ScratchSurvey, clean_scratch, new_locked_file, survey_scratch
from casefile.bundle._layout import shown
from casefile.bundle._manifest import FileEntry
from casefile.errors import BundleError

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "STAGING_PREFIX",
    "HashingSink",
    "allowed_bits",
    "check_destination",
    "clean_staging",
    "fsync_dir",
    "new_sibling_file",
    "publish_dir",
    "publish_file",
    "remove",
    "set_mode",
    "stale_staging",
]

#: The name prefix of everything an export writes beside its destination before publishing it.
STAGING_PREFIX: Final = ".casefile-staging-"
#: The mode of a finished bundle directory (and its folders), less what the umask withholds.
DIR_MODE: Final = 0o755
#: The mode of every file of a bundle, and of a bundle zip, less what the umask withholds.
FILE_MODE: Final = 0o644


def set_mode(fd: int, path: Path, mode: int) -> None:
    """Set the permission bits of an open file (by its path where fds cannot be used)."""
    if os.chmod in os.supports_fd:
        os.chmod(fd, mode)
    else:
        os.chmod(path, mode)


def allowed_bits(folder: Path) -> int:
    """The permission bits the umask (or a default ACL) leaves to what is created in ``folder``.

    Read from a probe directory made with mode 0777 and removed at once, so that
    the execute bits are known too. ``folder`` must be one this process alone
    writes to (a fresh private temporary directory), so that the probe's name
    cannot clash.
    """
    probe = folder / ".mode-probe"
    os.mkdir(probe, 0o777)
    try:
        return stat.S_IMODE(os.lstat(probe).st_mode) & 0o777
    finally:
        os.rmdir(probe)


def new_sibling_file(dest: Path) -> tuple[int, Path]:
    """Create a new empty temporary file beside ``dest``; return its descriptor and path.

    It is created with mode 0666, never over an existing name, so its mode is
    what the umask allows a file: :data:`FILE_MODE` masked by it is the mode
    the finished file gets. It is locked while the descriptor is open, so that
    :func:`clean_staging` never removes it under a live writer.
    """
    try:
        return new_locked_file(dest.parent, STAGING_PREFIX, ".tmp", mode=0o666)
    except OSError as exc:
        problem = exc.strerror or str(exc)
        raise BundleError(
            f"{shown(str(dest.parent))}: cannot create a file here ({problem})"
        ) from None


def _is_staging(name: str) -> bool:
    return name.startswith(STAGING_PREFIX)


def stale_staging(parent: str | os.PathLike[str]) -> ScratchSurvey:
    """The staging folders and files that killed exports left in ``parent``."""
    return survey_scratch(Path(parent), _is_staging)


def clean_staging(parent: str | os.PathLike[str]) -> ScratchSurvey:
    """Remove what killed exports left in ``parent``; never what a live export is writing."""
    return clean_scratch(Path(parent), _is_staging)


class HashingSink:
    """A new file that counts and hashes what is written, and is fsynced on close.

    ``mode`` is the file's final permission bits, set before it is fsynced.
    """

    def __init__(self, root: Path, path: str, *, mode: int) -> None:
        self.path = path
        self._where = root / path
        self._file = open(self._where, "xb")  # noqa: SIM115 - closed by finish() or __exit__
        self._mode = mode
        self._digest = hashlib.sha256()
        self._size = 0

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        self._size += len(data)
        return self._file.write(data)

    def finish(self) -> FileEntry:
        """Flush to disk and return the file's manifest entry."""
        self._file.flush()
        set_mode(self._file.fileno(), self._where, self._mode)
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
