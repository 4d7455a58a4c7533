"""The canonical encoding: one encoding per value, everything else refused."""

from __future__ import annotations

import struct
import unicodedata
from typing import Any

import msgpack
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from casefile.encoding import decode, encode
from casefile.errors import DecodeError, EncodeError

nfc_text = st.text(max_size=40).filter(lambda s: unicodedata.is_normalized("NFC", s))
ints = st.integers(min_value=-(2**63), max_value=2**64 - 1)
scalars = st.none() | st.booleans() | ints | nfc_text | st.binary(max_size=40)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(nfc_text, children, max_size=5)
    ),
    max_leaves=30,
)


def _str_header(n: int, wide: bool) -> bytes:
    if wide:
        return b"\xda" + struct.pack(">H", n)
    if n < 32:
        return bytes([0xA0 | n])
    return b"\xd9" + bytes([n])


@given(values)
def test_every_value_round_trips_byte_exactly(value: Any) -> None:
    data = encode(value)
    assert decode(data) == value
    assert encode(decode(data)) == data


@given(st.dictionaries(nfc_text, scalars, min_size=2, max_size=6))
def test_unsorted_map_keys_are_rejected(mapping: dict[str, Any]) -> None:
    canonical = encode(mapping)
    reordered = dict(reversed(list(dict(sorted(mapping.items())).items())))
    forged = msgpack.packb(reordered, use_bin_type=True)
    assume(forged != canonical)
    with pytest.raises(DecodeError, match="sorted order"):
        decode(forged)


@given(nfc_text, scalars, scalars)
def test_duplicate_map_keys_are_rejected(key: str, first: Any, second: Any) -> None:
    key_bytes = msgpack.packb(key)
    forged = (
        b"\x82"
        + key_bytes
        + msgpack.packb(first, use_bin_type=True)
        + key_bytes
        + msgpack.packb(second, use_bin_type=True)
    )
    with pytest.raises(DecodeError, match="duplicate"):
        decode(forged)


@given(st.integers(min_value=0, max_value=127))
def test_non_minimal_integers_are_rejected(n: int) -> None:
    for forged in (b"\xcc" + bytes([n]), b"\xcd" + struct.pack(">H", n), b"\xd0" + bytes([n])):
        with pytest.raises(DecodeError, match="shortest"):
            decode(forged)


@given(st.text(min_size=0, max_size=20).filter(lambda s: unicodedata.is_normalized("NFC", s)))
def test_non_minimal_string_lengths_are_rejected(text: str) -> None:
    raw = text.encode()
    assume(len(raw) < 256)
    with pytest.raises(DecodeError):
        decode(_str_header(len(raw), wide=True) + raw)


@given(st.floats(allow_nan=True))
def test_floats_are_rejected(number: float) -> None:
    with pytest.raises(DecodeError, match="float"):
        decode(msgpack.packb(number))


@given(st.floats(allow_nan=True, width=32))
def test_single_precision_floats_are_rejected(number: float) -> None:
    with pytest.raises(DecodeError, match="float"):
        decode(msgpack.packb(number, use_single_float=True))


def test_float_equal_to_an_integer_is_still_rejected() -> None:
    with pytest.raises(DecodeError, match="float"):
        decode(msgpack.packb(1.0))


@given(st.integers(min_value=0, max_value=127), st.binary(max_size=20))
def test_ext_types_are_rejected(code: int, payload: bytes) -> None:
    with pytest.raises(DecodeError):
        decode(msgpack.packb(msgpack.ExtType(code, payload)))


def test_msgpack_timestamps_are_rejected() -> None:
    forged = msgpack.packb(msgpack.Timestamp(1, 0), datetime=False)
    with pytest.raises(DecodeError, match="ext"):
        decode(forged)


def test_non_nfc_string_is_rejected_on_decode_and_encode() -> None:
    decomposed = "Zoe\u0301"
    with pytest.raises(DecodeError, match="NFC"):
        decode(msgpack.packb(decomposed))
    with pytest.raises(EncodeError, match="NFC"):
        encode({"name": decomposed})


@given(st.binary(min_size=1, max_size=30))
def test_bytes_smuggled_as_string_never_decode_as_bytes(payload: bytes) -> None:
    # Old-style msgpack packs bytes as "raw" str: that must never come back as bytes.
    forged = msgpack.packb(payload, use_bin_type=False)
    try:
        value = decode(forged)
    except DecodeError:
        return
    assert type(value) is str


@given(values, st.binary(min_size=1, max_size=8))
def test_trailing_bytes_are_rejected(value: Any, junk: bytes) -> None:
    with pytest.raises(DecodeError, match="trailing"):
        decode(encode(value) + junk)


@given(values, st.data())
def test_truncated_encoding_is_rejected(value: Any, data: st.DataObject) -> None:
    encoded = encode(value)
    cut = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1))
    with pytest.raises(DecodeError):
        decode(encoded[:cut])


def test_deep_nesting_is_rejected_not_recursed() -> None:
    with pytest.raises(DecodeError, match="nested"):
        decode(b"\x91" * 40 + b"\xc0")
    with pytest.raises(DecodeError):
        decode(b"\x91" * 100_000 + b"\xc0")


def test_oversized_input_is_rejected_before_parsing() -> None:
    with pytest.raises(DecodeError, match="exceeds"):
        decode(encode(b"x" * 100), max_size=50)


def test_huge_declared_length_is_rejected_without_allocating() -> None:
    with pytest.raises(DecodeError):
        decode(b"\xdd\xff\xff\xff\xff")
    with pytest.raises(DecodeError):
        decode(b"\xc6\xff\xff\xff\xff")


@pytest.mark.parametrize(
    ("value", "path", "problem"),
    [
        ({"data": {"people": [1, 2, {"dob": 1.5}]}}, "data.people[2].dob", "float not allowed"),
        ({"a": (1, 2)}, "a", "tuple not allowed"),
        ({"a": {1: "x"}}, "a.<key>", "map key must be str"),
        ({"n": 2**64}, "n", "outside int64/uint64"),
        ({"s": "bad\ud800"}, "s", "lone surrogate"),
        ({"set": {1}}, "set", "set not allowed"),
    ],
)
def test_encoder_names_the_offending_path(value: Any, path: str, problem: str) -> None:
    with pytest.raises(EncodeError) as caught:
        encode(value)
    assert caught.value.path == path
    assert problem in str(caught.value)


def test_bool_and_int_encode_differently() -> None:
    assert encode(True) != encode(1)
    assert decode(encode(True)) is True


def test_known_canonical_bytes() -> None:
    # Pinned by hand from the profile: sorted keys, shortest forms, bin for bytes.
    assert encode({"b": 1, "a": [b"x", None, True, -1, 300]}).hex() == (
        "82" + "a161" + "95" + "c40178" + "c0" + "c3" + "ff" + "cd012c" + "a162" + "01"
    )


def _nested(depth: int, innermost: Any) -> Any:
    # Alternate arrays and maps, so that both kinds count toward the depth.
    value = innermost
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize("innermost", [None, [], {}])
def test_thirty_two_nested_containers_are_the_most_allowed(innermost: Any) -> None:
    # An empty innermost container is itself one of the 32.
    depth = 32 if innermost is None else 31
    value = _nested(depth, innermost)
    assert decode(encode(value)) == value


@pytest.mark.parametrize("innermost", [None, [], {}])
def test_thirty_three_nested_containers_are_refused_by_encoder_and_decoder(
    innermost: Any,
) -> None:
    depth = 33 if innermost is None else 32
    value = _nested(depth, innermost)
    with pytest.raises(EncodeError, match="more than 32 nested arrays and maps"):
        encode(value)
    # The same bytes as the encoder would write them, built by hand: a fixmap
    # {"k": ...} is 0x81 0xa1 "k", a fixarray of one item 0x91.
    prefix = b"".join(b"\x91" if level % 2 else b"\x81\xa1k" for level in reversed(range(depth)))
    raw = prefix + (b"\xc0" if innermost is None else (b"\x90" if innermost == [] else b"\x80"))
    with pytest.raises(DecodeError, match="more than 32 nested arrays and maps"):
        decode(raw)
    assert encode(value, max_depth=64) == raw


@given(
    st.lists(st.text(alphabet=st.characters(max_codepoint=127), max_size=8), max_size=20),
    st.data(),
)
def test_one_bad_string_among_ascii_units_is_still_refused(units: list[str], data: Any) -> None:
    # A list of ASCII strings is checked in one pass; a string outside the
    # profile, or a str subclass, anywhere in it must still be refused.
    at = data.draw(st.integers(min_value=0, max_value=len(units)))

    class Word(str):
        pass

    for bad in ("e\u0301", "\ud800", Word("x")):
        with pytest.raises(EncodeError):
            encode([*units[:at], bad, *units[at:]])
    assert decode(encode(units)) == units
