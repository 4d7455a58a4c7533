"""Reading a small input file (trust store, key, passphrase) without ever blocking on it.

Opening a FIFO for reading waits for a writer, and reading a device may never
end: a path given by a user or a script is opened non-blocking, checked to be
a regular file on the open descriptor (so it cannot be swapped after a
check), and read no further than a limit.
"""

from __future__ import annotations

import os
import stat
from typing import Final

from casefile.errors import InputError

__all__ = ["read_regular_file"]

_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)
_KINDS: Final = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _refuse(
    path: str | os.PathLike[str], mode: int, what: str, error: type[InputError]
) -> InputError:
    kind = _KINDS.get(stat.S_IFMT(mode), "something else")
    return error(f"{os.fspath(path)}: cannot read the {what}: {kind}, not a regular file")


def read_regular_file(
    path: str | os.PathLike[str],
    *,
    limit: int,
    what: str,
    error: type[InputError] = InputError,
) -> bytes:
    """At most ``limit`` + 1 bytes of the regular file at ``path`` (the caller judges the size).

    Raises ``error`` (an :class:`~casefile.errors.InputError`) naming the path
    and ``what`` (e.g. "trust store") if it is a FIFO, a device, a directory
    or a socket; :class:`OSError` if it cannot be opened or read.
    """
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(path, info.st_mode, what, error)
        parts: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)
