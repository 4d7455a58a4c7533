"""The manifest envelope parser under hostile input (step B1, before any signature is checked).

The envelope is read before anything in the bundle is authenticated, so its
cost must follow the few values a real envelope holds, not the number of
values an attacker can pack into the 64 MiB the manifest file may take.
"""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _casebuilder import signer_from
from casefile.bundle._dsse import parse_envelope, seal_envelope
from casefile.errors import ManifestError

SIGNER = signer_from("envelope")


@pytest.mark.parametrize("item", [b"{}", b"[]", b'"ab"', b"12345678", b"null"])
def test_envelope_of_a_million_tiny_values_is_refused_without_building_them(item: bytes) -> None:
    # 2 MB of "[{},{},...]" once cost 30 times its size in objects (2 GB for a
    # 64 MiB manifest file) and seconds of re-serialisation, unauthenticated.
    data = b"[" + b",".join([item] * (2_000_000 // (len(item) + 1))) + b"]\n"
    tracemalloc.start()
    try:
        with pytest.raises(ManifestError) as caught:
            parse_envelope(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.step == "B1"
    assert peak < len(data)


def test_a_real_envelope_still_parses() -> None:
    payload = b'{\n  "a": 1\n}\n' * 1000
    envelope = parse_envelope(seal_envelope(payload, SIGNER))
    assert envelope.payload == payload


@settings(max_examples=50)
@given(st.binary(max_size=300))
def test_any_bytes_are_an_envelope_or_a_b1_failure(data: bytes) -> None:
    try:
        parse_envelope(data)
    except ManifestError as exc:
        assert exc.step == "B1"  # noqa: PT017 - every refusal must name B1
