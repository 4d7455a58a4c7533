"""Text from hostile input made safe for one line of a terminal."""

from __future__ import annotations

import unicodedata
from typing import Final

__all__ = ["one_line"]

_MAX: Final = 2000
# Line and paragraph separators; the format characters (category Cf: bidirectional
# controls and marks, zero-width characters) are escaped too, as in trust-store names,
# because they make two different texts look identical or reorder what follows.
_SEPARATORS: Final = frozenset({0x2028, 0x2029})


def one_line(text: str, *, limit: int = _MAX) -> str:
    """``text`` on one line: control characters escaped (no terminal escapes), length capped.

    Private-use code points (0xE000+) pass; lone surrogates, which a terminal
    cannot print and which would make a strict stream fail, are escaped.
    """
    out = []
    for ch in text[: limit + 1]:
        code = ord(ch)
        if ch in "\n\r\t":
            out.append(" ")
        elif (
            code < 0x20
            or 0x7F <= code < 0xA0
            or 0xD800 <= code < 0xE000
            or code in _SEPARATORS
            or (code > 0xA0 and unicodedata.category(ch) == "Cf")
        ):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    shown = "".join(out)
    return shown if len(text) <= limit else shown[:limit] + "…"
