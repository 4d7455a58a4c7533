"""Canonical JSON (FORMAT.md §9.2, RFC 8785): checked against an encoder written from the spec.

The reference encoder below is written from the text of §9.2 alone, not from
the library's code: it escapes character by character and orders member names
by UTF-16 code units computed by hand. Manifests, envelopes and arbitrary
values must come out byte for byte the same from both, and every other
spelling of a value must be refused by the reader.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _casebuilder import signer_from
from casefile.bundle import DisclosurePolicy, FileEntry, Manifest
from casefile.bundle._dsse import parse_envelope, seal_envelope
from casefile.bundle._json import CanonicalJSONError, dumps, loads
from casefile.bundle._manifest import manifest_bytes, parse_manifest

_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _reference_string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError("lone surrogate")
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif code < 0x20:
            out.append("\\u00" + "0123456789abcdef"[code >> 4] + "0123456789abcdef"[code & 15])
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _utf16_code_units(name: str) -> list[int]:
    units: list[int] = []
    for char in name:
        code = ord(char)
        if code < 0x10000:
            units.append(code)
        else:
            code -= 0x10000
            units += [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]
    return units


def reference(value: Any) -> bytes:
    """RFC 8785 for null, booleans, integers, strings, arrays and objects."""

    def text(v: Any) -> str:
        if v is None:
            return "null"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if isinstance(v, int):
            if abs(v) > 2**53 - 1:
                raise ValueError("integer out of range")
            return ("-" if v < 0 else "") + str(abs(v))
        if isinstance(v, str):
            return _reference_string(v)
        if isinstance(v, list):
            return "[" + ",".join(text(item) for item in v) + "]"
        names = sorted(v, key=_utf16_code_units)
        return "{" + ",".join(_reference_string(n) + ":" + text(v[n]) for n in names) + "}"

    return text(value).encode("utf-8")


# Characters where the escape rules and the two sort orders matter most.
_tricky = st.sampled_from(
    [
        *('"', "\\", "/", "\b", "\x00", "\x1f", "\x7f", "\u2028", "\u2029", "é", "\ufeff"),
        *("\uffff", "\ue000", "\U00010000", "\U0001f600", "\U0010ffff", "a", " "),
    ]
)
_texts = st.text(
    alphabet=st.one_of(_tricky, st.characters(blacklist_categories=("Cs",))), max_size=12
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | _texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_texts, inner, max_size=5),
    max_leaves=25,
)


@given(json_values)
@settings(max_examples=300)
def test_library_agrees_with_an_encoder_written_from_the_spec(value: Any) -> None:
    data = dumps(value)
    assert data == reference(value)
    assert loads(data, max_size=1 << 20) == value


_field_names = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
_files = st.lists(
    st.tuples(st.binary(min_size=32, max_size=32), st.integers(0, 2**40)),
    max_size=4,
    unique_by=lambda item: item[0],
).map(
    lambda items: tuple(
        sorted(
            [FileEntry(p, 3, hashlib.sha256(p.encode()).digest()) for p in _REQUIRED]
            + [FileEntry(f"evidence/{d.hex()}", size, d) for d, size in items],
            key=lambda f: f.path.encode(),
        )
    )
)
_REQUIRED = ("checkpoint.txt", "disclosures.bin", "records.bin", "trust.json")
manifests = st.builds(
    Manifest,
    st.uuids(),
    st.integers(1, 2**40),
    _texts.filter(bool),
    st.one_of(
        st.just(DisclosurePolicy("all")),
        st.just(DisclosurePolicy("none")),
        st.lists(_field_names, min_size=1, max_size=5).map(DisclosurePolicy.only),
    ),
    _files,
)


@given(manifests)
@settings(max_examples=100)
def test_manifest_and_envelope_bytes_agree_with_the_spec(manifest: Manifest) -> None:
    payload = manifest_bytes(manifest)
    assert payload == reference(manifest.to_json())
    assert parse_manifest(payload, max_files=100) == manifest
    signer = signer_from("log")
    sealed = seal_envelope(payload, signer)
    envelope = parse_envelope(sealed)
    assert sealed == reference(
        {
            "payload": _b64(payload),
            "payloadType": "application/vnd.casefile.manifest.v1+json",
            "signatures": [{"keyid": envelope.key_id.hex(), "sig": _b64(envelope.signature)}],
        }
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_member_names_sort_by_utf16_code_units_not_code_points() -> None:
    # U+FFFF is one unit 0xFFFF; U+10000 is the pair 0xD800 0xDC00, which sorts first.
    # By code points (or UTF-8 bytes) the order would be the other way round.
    data = dumps({"\uffff": 1, "\U00010000": 2, "\ue000": 3})
    assert data == '{"\U00010000":2,"\ue000":3,"\uffff":1}'.encode()
    with pytest.raises(CanonicalJSONError, match="canonical form"):
        loads('{"\ue000":3,"\uffff":1,"\U00010000":2}'.encode(), max_size=100)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('"\\/', '"\\"\\\\/"'),
        ("\b\t\n\f\r", '"\\b\\t\\n\\f\\r"'),
        ("\x00\x1f", '"\\u0000\\u001f"'),
        ("\x7f\u2028\u2029é\U0001f600", '"\x7f\u2028\u2029é\U0001f600"'),
        (-(2**53) + 1, "-9007199254740991"),
        ([], "[]"),
        ({}, "{}"),
    ],
)
def test_each_character_class_has_its_one_spelling(value: Any, text: str) -> None:
    assert dumps(value) == text.encode("utf-8")
    assert loads(text.encode("utf-8"), max_size=100) == value


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": 1}',  # whitespace after the colon
        b'{"a":1} ',  # trailing space
        b'{"a":1}\n',  # final newline
        b'{\n  "a": 1\n}',  # indented
        b'{"b":1,"a":2}',  # members out of order
        b'"\\u00e9"',  # escaped non-ASCII
        b'"\\u0041"',  # escaped ASCII letter
        b'"\\/"',  # escaped solidus
        b'"\\u001F"',  # upper-case hex
        b'"\\u000a"',  # \u escape where a short escape exists
        b'"\x7f"'.replace(b"\x7f", b"\\u007f"),  # DEL escaped
        b'{"a":1.0}',
        b'{"a":1e2}',
        b'{"a":-0}',
        b'{"a":01}',
        b"9007199254740992",  # beyond the I-JSON range
        b"-9007199254740992",
        b"\xef\xbb\xbf{}",  # byte order mark
        b'"\\ud800"',  # lone surrogate
        b'{"a":1,"a":1}',
        b"NaN",
        b"[" * 33 + b"]" * 33,
    ],
)
def test_non_canonical_spelling_is_refused(text: bytes) -> None:
    with pytest.raises(CanonicalJSONError):
        loads(text, max_size=1000)


def test_thirty_two_nested_arrays_are_the_most_allowed() -> None:
    assert loads(b"[" * 32 + b"]" * 32, max_size=100) is not None
    nested: Any = []
    for _ in range(32):
        nested = [nested]
    with pytest.raises(CanonicalJSONError, match="more than 32 nested"):
        dumps(nested)


@given(json_values, st.sampled_from(["indent", "spaced", "ascii", "newline", "reversed"]))
@settings(max_examples=300)
def test_other_spellings_of_the_same_value_are_refused(value: Any, style: str) -> None:
    canonical = dumps(value)
    if style == "indent":
        other = json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)
    elif style == "spaced":
        other = json.dumps(value, ensure_ascii=False)
    elif style == "ascii":
        other = json.dumps(value, separators=(",", ":"), ensure_ascii=True)
    elif style == "newline":
        other = canonical.decode() + "\n"
    else:
        other = _reversed_members(canonical.decode())
    data = other.encode("utf-8")
    if data == canonical:
        return  # this style happens to spell this value canonically
    with pytest.raises(CanonicalJSONError):
        loads(data, max_size=1 << 20)


def _reversed_members(text: str) -> str:
    def reverse(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: reverse(v[k]) for k in reversed(list(v))}
        if isinstance(v, list):
            return [reverse(x) for x in v]
        return v

    return json.dumps(reverse(json.loads(text)), separators=(",", ":"), ensure_ascii=False)


def test_writer_refuses_what_has_no_canonical_form() -> None:
    for value in (1.5, 2**53, "\ud800", {1: "a"}, (1, 2), b"x"):
        with pytest.raises(CanonicalJSONError):
            dumps(value)


def test_lone_surrogate_in_a_member_name_is_refused() -> None:
    with pytest.raises(CanonicalJSONError, match="lone surrogate"):
        dumps({"\udc00": 1})
