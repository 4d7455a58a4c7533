"""All-or-nothing output for the command line: new files, replaced files, staged directories.

Every file the command writes goes first to a temporary sibling, is flushed
to disk, and only then takes its name (a hard link, which fails if the name
exists, or a rename), so an interrupted run leaves the old state or the new
one, never a part of a file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from casefile.cli._errors import about
from casefile.errors import InputError

__all__ = [
    "check_new_path",
    "replace_file",
    "staged_directory",
    "write_new_file",
]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # platforms that cannot open a directory cannot fsync one either
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def check_new_path(path: Path, *, allow_empty_dir: bool = False) -> None:
    """Refuse ``path`` if something is already there (an empty directory may be allowed)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise InputError(f"{path}: the folder {path.parent} does not exist") from None
        return
    if allow_empty_dir and path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
        return
    raise InputError(f"{path}: already exists; refusing to overwrite")


def _temp_file(path: Path, data: bytes, mode: int) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        # A failed write (a full disk) says only why: name the file it was for.
        with about(path), os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def write_new_file(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` as a new file at ``path``; refuse (InputError) if the name exists."""
    check_new_path(path)
    tmp = _temp_file(path, data, mode)
    try:
        try:
            # A hard link fails if the name exists: a rename that never clobbers.
            os.link(tmp, path)
        except FileExistsError:
            raise InputError(f"{path}: already exists; refusing to overwrite") from None
        except OSError:
            # File systems without hard links: check again, then rename (a narrow race).
            check_new_path(path)
            os.rename(tmp, path)
    finally:
        _discard(tmp)
    _fsync_dir(path.parent)


def replace_file(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Replace the file at ``path`` with ``data`` in one rename."""
    tmp = _temp_file(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise
    _fsync_dir(path.parent)


@contextlib.contextmanager
def staged_directory(dest: Path) -> Iterator[Path]:
    """A temporary sibling of ``dest`` to fill; renamed to ``dest`` if the block succeeds.

    ``dest`` must not exist, or be an empty directory. If the block raises, the
    temporary directory and everything in it is removed.
    """
    check_new_path(dest, allow_empty_dir=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        yield tmp
        _fsync_dir(tmp)
        try:
            # Replaces at most an empty directory: a non-empty one makes rename fail.
            os.rename(tmp, dest)
        except OSError as exc:
            raise InputError(f"{dest}: cannot move into place ({exc.strerror})") from None
    except BaseException:
        _discard(tmp)
        raise
    _fsync_dir(dest.parent)
