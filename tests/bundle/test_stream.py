"""Framing of records.bin and disclosures.bin, and the hash-checking stream."""

from __future__ import annotations

import hashlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.bundle._stream import FrameError, buffered, checked, iter_frames, write_frame
from casefile.encoding import encode

# Lengths around every header width (bin8, bin16, bin32) without drawing megabytes of entropy.
element = st.one_of(
    st.binary(max_size=300),
    st.tuples(st.integers(65530, 65600), st.integers(0, 255)).map(lambda t: bytes([t[1]]) * t[0]),
)
elements = st.lists(element, max_size=6)


def _frame(items: list[bytes]) -> bytes:
    out = io.BytesIO()
    for item in items:
        write_frame(out, item)
    return out.getvalue()


@given(elements)
@settings(max_examples=60, deadline=None)
def test_frames_round_trip(items: list[bytes]) -> None:
    data = _frame(items)
    assert data == b"".join(encode(i) for i in items)
    assert list(iter_frames(io.BytesIO(data), max_size=1 << 20)) == items


@given(elements.filter(bool), st.data())
@settings(max_examples=80, deadline=None)
def test_truncated_tail_is_rejected(items: list[bytes], data: st.DataObject) -> None:
    framed = _frame(items)
    cut = data.draw(st.integers(1, len(framed)))
    stream = io.BytesIO(framed[: len(framed) - cut])
    # Either the cut falls on a frame boundary (fewer elements) or it is refused.
    try:
        got = list(iter_frames(stream, max_size=1 << 20))
    except FrameError:
        return
    assert got == items[: len(got)]
    assert len(got) < len(items)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\xc5\x00\x05hello", "shortest"),
        (b"\xc6\x00\x00\x00\x05hello", "shortest"),
        (b"\xa5hello", "does not start"),
        (b"\xc4", "truncated length"),
        (b"\xc4\x05hel", "truncated"),
    ],
)
def test_non_canonical_or_broken_frames_are_rejected(data: bytes, problem: str) -> None:
    with pytest.raises(FrameError, match=problem):
        list(iter_frames(io.BytesIO(data), max_size=100))


def test_oversized_element_is_rejected_before_it_is_read() -> None:
    class Refusing(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            if n is not None and n > 16:
                raise AssertionError("read the oversized element")
            return super().read(n)

    with pytest.raises(FrameError, match="exceeds the limit"):
        list(iter_frames(Refusing(b"\xc6\x01\x00\x00\x00" + b"x" * 20), max_size=1000))


def test_checked_stream_fails_at_its_end_when_the_bytes_differ() -> None:
    good = b"abc" * 1000
    digest = hashlib.sha256(good).digest()
    assert (
        buffered(
            checked(iter([good]), size=len(good), sha256=digest, on_mismatch=ValueError)
        ).read()
        == good
    )
    with pytest.raises(ValueError, match="SHA-256"):
        buffered(
            checked(iter([b"abd" * 1000]), size=len(good), sha256=digest, on_mismatch=ValueError)
        ).read()
    with pytest.raises(ValueError, match="longer"):
        list(checked(iter([good, b"x"]), size=len(good), sha256=digest, on_mismatch=ValueError))
    with pytest.raises(ValueError, match="where"):
        list(checked(iter([good[:-1]]), size=len(good), sha256=digest, on_mismatch=ValueError))
