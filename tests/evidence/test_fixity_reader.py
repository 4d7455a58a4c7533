"""The verifying reader: bytes altered at rest never reach EOF as good."""

from __future__ import annotations

import hashlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.errors import FixityError
from casefile.evidence import FixityReader
from casefile.evidence._fixity_reader import open_verifying


def _raw(data: bytes) -> io.RawIOBase:
    # BytesIO has the readinto a raw file has; the reader needs nothing more.
    return io.BytesIO(data)  # type: ignore[return-value]


@settings(max_examples=60)
@given(st.binary(max_size=5000), st.integers(min_value=1, max_value=4096))
def test_intact_content_reads_back_and_verifies(data: bytes, step: int) -> None:
    reader = FixityReader(_raw(data), hashlib.sha256(data).digest(), "blob")
    out = bytearray()
    while chunk := reader.read(step):
        out += chunk
    assert bytes(out) == data
    assert reader.verified


@settings(max_examples=60)
@given(st.binary(min_size=1, max_size=3000), st.data())
def test_bit_flip_fails_at_eof(data: bytes, draw: st.DataObject) -> None:
    position = draw.draw(st.integers(min_value=0, max_value=len(data) - 1))
    bit = draw.draw(st.integers(min_value=0, max_value=7))
    tampered = bytearray(data)
    tampered[position] ^= 1 << bit
    with (
        open_verifying(_raw(bytes(tampered)), hashlib.sha256(data).digest(), "blob X") as f,
        pytest.raises(FixityError, match="blob X: fixity check failed on read"),
    ):
        f.read()


@settings(max_examples=40)
@given(st.binary(min_size=1, max_size=3000), st.data())
def test_truncation_fails_at_eof(data: bytes, draw: st.DataObject) -> None:
    keep = draw.draw(st.integers(min_value=0, max_value=len(data) - 1))
    with (
        open_verifying(_raw(data[:keep]), hashlib.sha256(data).digest(), "blob") as f,
        pytest.raises(FixityError, match=f"{keep} bytes hash to"),
    ):
        f.read()


def test_appended_bytes_fail_at_eof() -> None:
    data = b"statement of PC 1234"
    with (
        open_verifying(_raw(data + b"!"), hashlib.sha256(data).digest(), "blob") as f,
        pytest.raises(FixityError),
    ):
        f.read()


def test_retry_after_a_failure_never_becomes_a_clean_eof() -> None:
    reader = FixityReader(_raw(b"forged"), hashlib.sha256(b"genuine").digest(), "blob")
    with pytest.raises(FixityError):
        reader.read()
    for _ in range(3):
        with pytest.raises(FixityError):
            reader.read(10)
    assert not reader.verified


def test_seeking_is_refused_so_bytes_cannot_be_skipped() -> None:
    data = b"0123456789"
    with open_verifying(_raw(data), hashlib.sha256(data).digest(), "blob") as f:
        assert not f.seekable()
        with pytest.raises(io.UnsupportedOperation):
            f.seek(5)


def test_close_closes_the_underlying_file() -> None:
    raw = _raw(b"x")
    reader = open_verifying(raw, hashlib.sha256(b"x").digest(), "blob")
    reader.close()
    assert raw.closed
