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

import contextlib
import unicodedata
from typing import Any, Final

import msgpack

from casefile.errors import DecodeError, EncodeError

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_SIZE",
    "Value",
    "decode",
    "decode_authenticated",
    "encode",
]

#: A value of the profile. (Recursive, so typed loosely; :func:`encode` checks.)
Value = None | bool | int | str | bytes | list[Any] | dict[str, Any]

DEFAULT_MAX_SIZE: Final = 16 * 1024 * 1024
#: At most this many arrays and maps may nest, one inside the other: a scalar at
#: top level has depth 0, each enclosing array or map adds 1 (FORMAT.md §1).
DEFAULT_MAX_DEPTH: Final = 32

_INT_MIN: Final = -(2**63)
_INT_MAX: Final = 2**64 - 1


def encode(value: object, *, max_depth: int = DEFAULT_MAX_DEPTH) -> bytes:
    """Return the canonical bytes of ``value``.

    Raises :class:`EncodeError` naming the offending path if ``value`` lies
    outside the profile.
    """
    try:
        if not _check(value, max_depth):
            value = _sorted_copy(value)
        return _PACK(value)  # type: ignore[no-any-return]
    except (_OutsideProfileError, OverflowError, TypeError, ValueError):
        # Slow second pass, only to name the offending path in the error.
        _explain_outside(value, "", 0, max_depth)
        raise EncodeError("$", "value outside the canonical profile") from None


class _OutsideProfileError(Exception):
    pass


_PACK: Final = msgpack.Packer(use_bin_type=True, autoreset=True, strict_types=True).pack
_is_nfc: Final = unicodedata.is_normalized
_NONE_TYPE: Final = type(None)
_SCALARS: Final = frozenset({int, bytes, bool, _NONE_TYPE})


def _text_ok(text: str) -> bool:
    return text.isascii() or (_is_nfc("NFC", text) and _utf8_ok(text))


def _check(value: Any, max_depth: int) -> bool:
    """Check types and strings of ``value``; return whether every map is sorted.

    The hot path of encoding and decoding: iterative, with scalars checked
    inline, because a call per value would cost more than the packing itself.
    Integer range is left to msgpack, which refuses what does not fit 64 bits.
    Raises _OutsideProfileError for anything outside the profile.
    """
    in_order = True
    stack: list[tuple[Any, int]] = [(value, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth >= max_depth:
            raise _OutsideProfileError
        if type(node) is dict:
            if in_order:
                keys = list(node)
                in_order = keys == sorted(keys)
            for key, child in node.items():
                if type(key) is not str or not (key.isascii() or _text_ok(key)):
                    raise _OutsideProfileError
                kind = type(child)
                if kind is str:
                    if not (child.isascii() or _text_ok(child)):
                        raise _OutsideProfileError
                elif kind is dict or kind is list:
                    push((child, depth + 1))
                elif not (kind is int or kind is bytes or kind is bool or kind is _NONE_TYPE):
                    raise _OutsideProfileError
        elif type(node) is list:
            # A text's units are a long list of short strings: when all of them
            # are ASCII, one C-level join and test stands for a loop over each.
            # (join takes str subclasses too; strict packing refuses those.)
            try:
                if "".join(node).isascii():
                    continue
            except TypeError:
                pass  # not all strings: checked one by one below
            for child in node:
                kind = type(child)
                if kind is str:
                    if not (child.isascii() or _text_ok(child)):
                        raise _OutsideProfileError
                elif kind is dict or kind is list:
                    push((child, depth + 1))
                elif not (kind is int or kind is bytes or kind is bool or kind is _NONE_TYPE):
                    raise _OutsideProfileError
        elif type(node) is str:
            if not _text_ok(node):
                raise _OutsideProfileError
        elif type(node) not in _SCALARS:
            raise _OutsideProfileError
    return in_order


def _sorted_copy(value: Any) -> Any:
    # Only for values already checked by _check: rebuild maps in key order,
    # since msgpack emits a map in insertion order. Scalars are copied inline.
    if type(value) is dict:
        out = {}
        for key in sorted(value):
            child = value[key]
            kind = type(child)
            out[key] = _sorted_copy(child) if kind is dict or kind is list else child
        return out
    if type(value) is list:
        return [
            _sorted_copy(child) if type(child) is dict or type(child) is list else child
            for child in value
        ]
    return value


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
        raise EncodeError(path or "$", f"more than {max_depth} nested arrays and maps")
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
        raise DecodeError(f"more than {max_depth} nested arrays and maps") from None
    except UnicodeDecodeError:
        raise DecodeError("string is not valid UTF-8") from None
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise DecodeError(f"not valid MessagePack ({exc})") from None
    try:
        in_order = _check(value, max_depth)
        again = _PACK(value) if in_order else b""
    except (_OutsideProfileError, OverflowError, TypeError, ValueError):
        try:
            _explain_outside(value, "", 0, max_depth)
        except EncodeError as exc:
            raise DecodeError(exc.problem, exc.path) from None
        raise DecodeError("value outside the canonical profile") from None
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

    # Diagnostics only: the caller rejects the input whatever happens here.
    with contextlib.suppress(Exception):
        msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=False,
            ext_hook=_reject_ext,
            object_pairs_hook=pairs_hook,
        )
    if problems:
        return f"not canonical: {problems[0]}"
    return "not canonical: a value is not in its shortest encoding"


def decode_authenticated(data: bytes, *, max_size: int = DEFAULT_MAX_SIZE) -> Any:
    """Decode bytes whose integrity a signature already vouches for.

    Strict about types (UTF-8 checked, ext types refused, size bounded) but
    without :func:`decode`'s canonical comparison, which a routine load of a
    chain whose head signature covers every byte can skip. Anything that
    arrives from outside goes through :func:`decode`.
    """
    size = len(data)
    if size > max_size:
        raise DecodeError(f"{size} bytes exceeds the limit of {max_size}")
    try:
        return msgpack.unpackb(
            data, raw=False, strict_map_key=True, use_list=True, ext_hook=_reject_ext
        )
    except DecodeError:
        raise
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise DecodeError(f"not valid MessagePack ({exc})") from None
