"""Canonical JSON for the manifest and its envelope: one text per value.

:func:`dumps` is the only writer. :func:`loads` refuses duplicate keys, floats,
``NaN``/``Infinity`` and anything whose canonical re-serialisation differs
from the input bytes, so that a single changed byte (an extra space, an
escaped letter, a reordered key) can never leave the meaning unchanged.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["CanonicalJSONError", "dumps", "loads"]


class CanonicalJSONError(ValueError):
    """Bytes that are not the canonical JSON text of a value."""


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def dumps(value: object) -> bytes:
    """The canonical UTF-8 JSON of ``value``: sorted keys, two-space indent, final newline."""
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
    return (text + "\n").encode("utf-8")


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
        raise CanonicalJSONError("nested too deeply") from None
    except ValueError as exc:  # e.g. an integer literal of thousands of digits
        raise CanonicalJSONError(str(exc)[:200]) from None
    try:
        again = dumps(value)
    except (UnicodeEncodeError, ValueError):  # a lone surrogate from a "\ud800" escape
        raise CanonicalJSONError("contains a string that is not valid Unicode") from None
    if again != data:
        raise CanonicalJSONError(
            "not in canonical form (sorted keys, two-space indent, no escapes that need not be)"
        )
    return value
