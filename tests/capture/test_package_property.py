"""The capture package parser takes any bytes; attaching is idempotent under any resends."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _captureworld import INTAKE, SCENE, centre, device, open_case
from casefile.bundle._capture_package import (
    CapturePackage,
    read_capture_package,
    write_capture_package,
)
from casefile.bundle._stream import write_frame
from casefile.encoding import encode
from casefile.errors import CapturePackageError

_NOTE = "casefile.test.police.uk/00000000-0000-4000-8000-000000000001\n1\n" + "A" * 43 + "=\n"
_elements = st.lists(st.binary(max_size=64), max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_any_bytes_parse_or_fail_with_a_capture_package_error(data: bytes) -> None:
    try:
        parsed: CapturePackage | str = read_capture_package(data)
    except CapturePackageError as exc:
        parsed = str(exc)
    # A clear error names what is wrong; a parse is a package.
    assert isinstance(parsed, CapturePackage) or parsed


@settings(max_examples=200, deadline=None)
@given(st.uuids(), st.lists(st.binary(max_size=64), min_size=1, max_size=4), _elements)
def test_a_written_package_reads_back_byte_for_byte(
    stream: uuid.UUID, records: list[bytes], disclosures: list[bytes]
) -> None:
    parsed = read_capture_package(write_capture_package(stream, _NOTE, records, disclosures))
    assert parsed == CapturePackage(stream, _NOTE, tuple(records), tuple(disclosures))


@settings(max_examples=200, deadline=None)
@given(
    st.uuids(),
    st.lists(st.binary(max_size=64), min_size=1, max_size=4),
    _elements,
    st.data(),
)
def test_a_truncated_or_extended_package_is_refused(
    stream: uuid.UUID, records: list[bytes], disclosures: list[bytes], data: st.DataObject
) -> None:
    whole = write_capture_package(stream, _NOTE, records, disclosures)
    cut = data.draw(st.integers(0, len(whole) - 1))
    with pytest.raises(CapturePackageError):
        read_capture_package(whole[:cut])
    with pytest.raises(CapturePackageError, match="after the last element"):
        read_capture_package(whole + encode(b"smuggled"))


def test_a_head_counting_more_records_than_follow_is_refused_without_reserving_memory() -> None:
    out = io.BytesIO()
    head = {
        "checkpoint": _NOTE,
        "disclosures": 0,
        "format": "casefile-capture-package",
        "records": 2**62,
        "stream": bytes(16),
        "v": 1,
    }
    write_frame(out, encode(head))
    write_frame(out, b"one record")
    with pytest.raises(CapturePackageError, match="record 2: missing"):
        read_capture_package(out.getvalue())


def test_a_package_over_the_callers_limit_is_refused_before_it_is_read() -> None:
    package = write_capture_package(uuid.UUID(int=1), _NOTE, [b"x" * 1000], [])
    with pytest.raises(CapturePackageError, match="exceeds the limit of 100"):
        read_capture_package(package, max_size=100)


# --- idempotent attach ----------------------------------------------------------------------

_steps = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.integers(1, 3)),
        st.tuples(st.just("send"), st.just(0)),
        st.tuples(st.just("resend"), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(_steps)
def test_resends_and_extensions_attach_every_record_exactly_once(
    steps: list[tuple[str, int]],
) -> None:
    with TemporaryDirectory() as folder:
        app = centre()
        case_id = open_case(app)
        dev = device(Path(folder))
        stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
        sent: list[bytes] = []
        for action, n in steps:
            if action == "record":
                with dev.session(stream, SCENE) as capture:
                    for i in range(n):
                        capture.add_note(text=f"note {i}")
                continue
            if action == "send" or not sent:
                sent.append(dev.capture_package(stream, signer=SCENE, name="pc-1001"))
                package = sent[-1]
            else:
                package = sent[n % len(sent)]
            app.attach_capture(package, signer=INTAKE, name="intake-0001")
        verified = app.verify(case_id)
        spans = [
            (r.data["from_size"], r.data["size"])
            for r in verified.records
            if r.event_type == "capture.attached"
        ]
        # Each binding starts where the last ended: no record is bound twice or skipped.
        covered = [seq for start, end in spans for seq in range(start + 1, end + 1)]
        assert covered == list(range(1, len(covered) + 1))
        biggest = max((len(read_capture_package(p).records) for p in sent), default=0)
        assert len(covered) == biggest
        assert list(app.records(stream)) == list(dev._store.records(stream))[:biggest]
