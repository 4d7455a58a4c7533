"""Which path an error is about, for the messages and the JSON error report of the command.

Library errors say what is wrong; the command knows which of its arguments
was being read. :func:`about` attaches that path to an error passing through,
and :func:`error_json` shapes the error for a ``--json`` caller.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final, TextIO, cast

from casefile._time import rfc3339_to_ns
from casefile.errors import CasefileError, TimeFormatError

__all__ = ["about", "error_json", "named_stream", "path_of", "rfc3339_option"]

_ATTRIBUTE: Final = "_casefile_cli_path"


@contextlib.contextmanager
def about(path: Path | str | object) -> Iterator[None]:
    """Mark a casefile or OS error raised in the block as being about ``path`` (the first wins).

    ``path`` may also be a token key's URI, shown by its ``str()`` (which masks a PIN).
    """
    try:
        yield
    except (CasefileError, OSError) as exc:
        if getattr(exc, _ATTRIBUTE, None) is None:
            shown = os.fspath(path) if isinstance(path, str | os.PathLike) else str(path)
            setattr(exc, _ATTRIBUTE, shown)
        raise


def path_of(exc: BaseException) -> str | None:
    """The path an error is about, if the command or the OS said so."""
    marked = getattr(exc, _ATTRIBUTE, None)
    if type(marked) is str:
        return marked
    if isinstance(exc, OSError) and exc.filename is not None:
        return os.fsdecode(exc.filename)
    return None


def error_json(kind: str, message: str, path: str | None) -> dict[str, object]:
    """``{"verified": false, "error": {...}}``: what ``--json`` prints if nothing was checked."""
    return {"verified": False, "error": {"kind": kind, "message": message, "path": path}}


def rfc3339_option(option: str, text: str) -> int:
    """The RFC 3339 time given to ``option`` as integer ns; an error names the option."""
    try:
        return rfc3339_to_ns(text)
    except TimeFormatError as exc:
        raise TimeFormatError(f"{option}: {exc}") from None


class _NamedStream(io.TextIOBase):
    """A text stream whose write errors say which stream failed (a full disk behind stdout)."""

    def __init__(self, stream: TextIO, name: str) -> None:
        super().__init__()
        self._stream = stream
        self._name = name

    def write(self, text: str) -> int:
        with about(self._name):
            return self._stream.write(text)

    def flush(self) -> None:
        with about(self._name):
            self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()


def named_stream(stream: TextIO, name: str) -> TextIO:
    """``stream``, whose OS errors on writing name ``name`` (e.g. "standard output")."""
    return cast("TextIO", _NamedStream(stream, name))
