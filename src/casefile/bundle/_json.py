"""Canonical JSON for the manifest and its envelope: RFC 8785 (JCS), integers only.

:func:`dumps` is the only writer. It follows RFC 8785 for the values a manifest
holds (FORMAT.md §9.2): no whitespace, object members sorted by the UTF-16 code
units of their names, strings escaped only where JSON requires it, integers in
the I-JSON range. :func:`loads` parses, re-serialises and refuses any input
whose bytes differ, so that an extra space, an escaped letter, a reordered key,
``1.0`` or ``-0`` can never leave the meaning unchanged.
"""

from __future__ import annotations

import json
from typing import Any, Final

__all__ = ["MAX_DEPTH", "MAX_INTEGER", "CanonicalJSONError", "dumps", "loads"]

#: Integers beyond +/-(2**53 - 1) are not exact in an IEEE double, the number
#: type of RFC 8785 and of most JSON parsers (I-JSON, RFC 7493 §2.2).
MAX_INTEGER: Final = 2**53 - 1

#: The same nesting rule as the canonical encoding (FORMAT.md §1).
MAX_DEPTH: Final = 32

# RFC 8785 §3.2.2.2: the two-character escapes where ECMAScript has one,
# \u00xx with lower-case hex for the other controls, and nothing else escaped.
_ESCAPES: Final = {i: f"\\u{i:04x}" for i in range(0x20)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}


class CanonicalJSONError(ValueError):
    """Bytes (or a value) that are not the canonical JSON text of a value."""


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _utf16_units(name: str) -> bytes:
    # Big-endian code units compare, byte by byte, as the units themselves.
    return name.encode("utf-16-be", "surrogatepass")


def _string(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalJSONError(
            "contains a string that is not valid Unicode (lone surrogate)"
        ) from None
    return '"' + text.translate(_ESCAPES) + '"'


def _write(value: object, depth: int, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif type(value) is bool:
        out.append("true" if value else "false")
    elif type(value) is int:
        if not -MAX_INTEGER <= value <= MAX_INTEGER:
            raise CanonicalJSONError(f"integer {value} is outside ±(2**53 - 1)")
        out.append(str(value))
    elif type(value) is str:
        out.append(_string(value))
    elif type(value) is list:
        _check_depth(depth)
        _write_array(value, depth, out)
    elif type(value) is dict:
        _check_depth(depth)
        _write_object(value, depth, out)
    else:
        raise CanonicalJSONError(f"{type(value).__name__} is not a JSON value of the profile")


def _check_depth(depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise CanonicalJSONError(f"more than {MAX_DEPTH} nested arrays and objects")


def _write_array(items: list[Any], depth: int, out: list[str]) -> None:
    out.append("[")
    for i, item in enumerate(items):
        if i:
            out.append(",")
        _write(item, depth + 1, out)
    out.append("]")


def _write_object(members: dict[Any, Any], depth: int, out: list[str]) -> None:
    if any(type(name) is not str for name in members):
        raise CanonicalJSONError("an object member name is not a string")
    out.append("{")
    for i, name in enumerate(sorted(members, key=_utf16_units)):
        if i:
            out.append(",")
        out.append(_string(name))
        out.append(":")
        _write(members[name], depth + 1, out)
    out.append("}")


def dumps(value: object) -> bytes:
    """The canonical UTF-8 JSON of ``value`` (RFC 8785, integers only, no final newline)."""
    out: list[str] = []
    _write(value, 0, out)
    return "".join(out).encode("utf-8")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _no_float(text: str) -> Any:
    raise CanonicalJSONError(f"number {text[:40]!r} is not an integer")


def _no_constant(text: str) -> Any:
    raise CanonicalJSONError(f"{text} is not allowed")


def loads(data: bytes, *, max_size: int) -> Any:
    """Parse canonical JSON bytes; raise :class:`CanonicalJSONError` for anything else."""
    if len(data) > max_size:
        raise CanonicalJSONError(f"{len(data)} bytes exceeds the limit of {max_size}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalJSONError(f"not valid UTF-8 (at byte {exc.start})") from None
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except CanonicalJSONError:
        raise
    except _DuplicateKeyError as exc:
        raise CanonicalJSONError(f"duplicate key {exc.key[:40]!r}") from None
    except json.JSONDecodeError as exc:
        raise CanonicalJSONError(
            f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise CanonicalJSONError(f"more than {MAX_DEPTH} nested arrays and objects") from None
    except ValueError as exc:  # e.g. an integer literal of thousands of digits
        raise CanonicalJSONError(str(exc)[:200]) from None
    again = dumps(value)
    if again != data:
        raise CanonicalJSONError(
            "not in canonical form (RFC 8785: no whitespace, members sorted,"
            " no escape that is not required)"
        )
    return value
