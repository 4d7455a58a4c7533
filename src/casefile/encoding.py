"""Canonical encoding: the only code that produces bytes that are hashed or signed.

The profile (docs/FORMAT.md, section "Canonical encoding") is a strict subset of
MessagePack in which every value has exactly one encoding:

* types: ``None``, ``bool``, ``int``, ``str``, ``bytes``, ``list`` and ``dict``
  with ``str`` keys; nothing else (no floats, no ext types, no tuples);
* integers within int64/uint64, in their shortest encoding;
* strings valid UTF-8 and NFC-normalised (others are refused, never silently
  normalised, so that what was signed is what was meant);
* map keys sorted by their UTF-8 bytes, without duplicates.

:func:`decode` enforces size and depth limits and rejects every non-canonical
variant by re-encoding the decoded value and comparing the bytes.
"""

from __future__ import annotations

import operator
import unicodedata
from typing import Any, Final

import msgpack

from casefile.errors import DecodeError, EncodeError

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_SIZE",
    "Value",
    "decode",
    "encode",
]

#: A value of the profile. (Recursive, so typed loosely; :func:`encode` checks.)
Value = None | bool | int | str | bytes | list[Any] | dict[str, Any]

DEFAULT_MAX_SIZE: Final = 16 * 1024 * 1024
DEFAULT_MAX_DEPTH: Final = 32

_INT_MIN: Final = -(2**63)
_INT_MAX: Final = 2**64 - 1


def encode(value: object, *, max_depth: int = DEFAULT_MAX_DEPTH) -> bytes:
    """Return the canonical bytes of ``value``.

    Raises :class:`EncodeError` naming the offending path if ``value`` lies
    outside the profile.
    """
    try:
        normalised = _fast(value, max_depth)
    except _Outside:
        # Slow second pass, only to name the offending path in the error.
        _explain_outside(value, "", 0, max_depth)
        raise EncodeError("$", "value outside the canonical profile") from None
    return _PACK(normalised)  # type: ignore[no-any-return]


class _Outside(Exception):
    pass


_PACK: Final = msgpack.Packer(use_bin_type=True, autoreset=True).pack
_is_nfc: Final = unicodedata.is_normalized


def _fast(value: Any, depth: int) -> Any:
    # The hot path: no path strings are built; any problem raises _Outside.
    kind = type(value)
    if kind is str:
        if value.isascii() or (_is_nfc("NFC", value) and _utf8_ok(value)):
            return value
        raise _Outside
    if kind is int:
        if _INT_MIN <= value <= _INT_MAX:
            return value
        raise _Outside
    if value is None or kind is bool or kind is bytes:
        return value
    if depth <= 0:
        raise _Outside
    if kind is dict:
        keys = sorted(value)
        changed = keys != list(value)
        children = []
        for key in keys:
            if type(key) is not str or not (key.isascii() or (_is_nfc("NFC", key) and _utf8_ok(key))):
                raise _Outside
            item = value[key]
            child = _fast(item, depth - 1)
            changed = changed or child is not item
            children.append(child)
        # Rebuild only when needed: msgpack keeps insertion order, so a map
        # whose keys are already sorted is emitted canonically as it is.
        return dict(zip(keys, children, strict=True)) if changed else value
    if kind is list:
        items = [_fast(item, depth - 1) for item in value]
        return value if all(map(operator.is_, items, value)) else items
    raise _Outside


def _utf8_ok(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _explain_outside(value: Any, path: str, depth: int, max_depth: int) -> None:
    """Raise EncodeError naming the first place where ``value`` leaves the profile."""
    kind = type(value)
    if value is None or kind is bool or kind is bytes:
        return
    if kind is int:
        if not _INT_MIN <= value <= _INT_MAX:
            raise EncodeError(path or "$", "integer outside int64/uint64 range")
        return
    if kind is str:
        _check_str(value, path)
        return
    if depth >= max_depth:
        raise EncodeError(path or "$", f"nested deeper than {max_depth} levels")
    if kind is list:
        for i, item in enumerate(value):
            _explain_outside(item, f"{path}[{i}]", depth + 1, max_depth)
        return
    if kind is dict:
        for key in sorted(value, key=_sort_key(path)):
            child = f"{path}.{key}" if path else key
            _check_str(key, child)
            _explain_outside(value[key], child, depth + 1, max_depth)
        return
    raise EncodeError(path or "$", f"{_type_name(value)} not allowed")


def _sort_key(path: str) -> Any:
    def key(k: object) -> str:
        if type(k) is not str:
            where = f"{path}.<key>" if path else "<key>"
            raise EncodeError(where, f"map key must be str, not {_type_name(k)}")
        # Python orders str by code point, which is the same as UTF-8 byte order.
        return k

    return key


def _check_str(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise EncodeError(path or "$", "string is not valid Unicode (lone surrogate)") from None
    if not unicodedata.is_normalized("NFC", text):
        raise EncodeError(path or "$", "string is not NFC-normalised")


def _type_name(value: object) -> str:
    kind = type(value)
    if kind is bool or isinstance(value, bool):
        return "bool subclass"
    return kind.__name__


def _reject_ext(code: int, data: bytes) -> object:
    raise DecodeError(f"ext type {code} not allowed")


def decode(
    data: bytes,
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Any:
    """Decode canonical bytes; raise :class:`DecodeError` for anything else.

    Rejects input longer than ``max_size``, nested deeper than ``max_depth``,
    with trailing bytes, floats, ext types, invalid or non-NFC strings, and any
    encoding that is not the single canonical one (unsorted or duplicate keys,
    non-minimal integers or lengths, bin/str confusion).
    """
    if type(data) is not bytes:
        if isinstance(data, bytearray | memoryview):
            data = bytes(data)
        else:
            raise DecodeError(f"expected bytes, not {type(data).__name__}")
    size = len(data)
    if size > max_size:
        raise DecodeError(f"{size} bytes exceeds the limit of {max_size}")
    if size == 0:
        raise DecodeError("empty input")
    try:
        value = msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=True,
            use_list=True,
            ext_hook=_reject_ext,
            max_str_len=size,
            max_bin_len=size,
            max_array_len=size,
            max_map_len=size,
            max_ext_len=0,
        )
    except DecodeError:
        raise
    except msgpack.ExtraData:
        raise DecodeError("trailing bytes after the value") from None
    except (RecursionError, msgpack.exceptions.StackError):
        raise DecodeError(f"nested deeper than {max_depth} levels") from None
    except UnicodeDecodeError:
        raise DecodeError("string is not valid UTF-8") from None
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise DecodeError(f"not valid MessagePack ({exc})") from None
    try:
        again = encode(value, max_depth=max_depth)
    except EncodeError as exc:
        raise DecodeError(exc.problem, exc.path) from None
    if again != data:
        raise DecodeError(_explain_non_canonical(data))
    return value


def _explain_non_canonical(data: bytes) -> str:
    """Name why bytes that decode are not canonical (slow path, errors only)."""
    problems: list[str] = []

    def pairs_hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            problems.append("duplicate map key")
        elif keys != sorted(keys):
            problems.append("map keys not in sorted order")
        return dict(pairs)

    try:
        msgpack.unpackb(
            data, raw=False, strict_map_key=False, ext_hook=_reject_ext, object_pairs_hook=pairs_hook
        )
    except Exception:  # noqa: S110 - diagnostics only; the caller already rejects
        pass
    if problems:
        return f"not canonical: {problems[0]}"
    return "not canonical: a value is not in its shortest encoding"
