"""The capture package: a device's capture stream as bytes (docs/FORMAT.md §12.2).

A package is the framing of ``records.bin`` (§9.1.1) applied to one sequence:
a head (the canonical encoding of a map naming the stream, its signed
checkpoint and how many records and disclosures follow), then the stored
records, then the disclosures. Nothing is re-serialised: the records and
disclosures are the device's stored bytes. Reading is bounded: a caller's
limit on the whole package, each element's own limit checked before it is
read, and every count checked against what follows.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from casefile.bundle._stream import FrameError, iter_frames, write_frame
from casefile.encoding import decode, encode
from casefile.errors import CapturePackageError, DecodeError
from casefile.signing._records import MAX_RECORD_SIZE
from casefile.signing._value import MAX_DISCLOSURE_SIZE

__all__ = [
    "CAPTURE_PACKAGE_FORMAT",
    "DEFAULT_MAX_PACKAGE_SIZE",
    "CapturePackage",
    "read_capture_package",
    "write_capture_package",
]

CAPTURE_PACKAGE_FORMAT: Final = "casefile-capture-package"
_VERSION: Final = 1
#: The largest package :func:`read_capture_package` takes unless told otherwise.
DEFAULT_MAX_PACKAGE_SIZE: Final = 1 << 30
_MAX_HEAD: Final = 64 * 1024
_MAX_CHECKPOINT: Final = 4096
_HEAD_KEYS: Final = frozenset({"checkpoint", "disclosures", "format", "records", "stream", "v"})


@dataclass(frozen=True, slots=True)
class CapturePackage:
    """A parsed package: nothing in it is verified yet."""

    stream: uuid.UUID
    checkpoint: str
    records: tuple[bytes, ...]
    disclosures: tuple[bytes, ...]


def write_capture_package(
    stream: uuid.UUID, checkpoint: str, records: Iterable[bytes], disclosures: Iterable[bytes]
) -> bytes:
    """The package of ``stream``: its stored records and disclosures, as stored."""
    kept_records, kept_disclosures = list(records), list(disclosures)
    head = {
        "checkpoint": checkpoint,
        "disclosures": len(kept_disclosures),
        "format": CAPTURE_PACKAGE_FORMAT,
        "records": len(kept_records),
        "stream": stream.bytes,
        "v": _VERSION,
    }
    out = io.BytesIO()
    write_frame(out, encode(head))
    for element in kept_records:
        write_frame(out, element)
    for element in kept_disclosures:
        write_frame(out, element)
    return out.getvalue()


def read_capture_package(
    data: bytes, *, max_size: int = DEFAULT_MAX_PACKAGE_SIZE
) -> CapturePackage:
    """Parse a package; raise :class:`CapturePackageError` naming the fault and where.

    Refuses anything over ``max_size`` bytes before reading it.
    """
    if type(data) is not bytes:
        raise CapturePackageError("a capture package is bytes")
    if len(data) > max_size:
        raise CapturePackageError(f"{len(data)} bytes exceeds the limit of {max_size}")
    stream = io.BytesIO(data)
    # C1: the head.
    head_frames = iter_frames(stream, max_size=_MAX_HEAD)
    try:
        head_bytes = next(head_frames, None)
    except FrameError as exc:
        raise CapturePackageError(f"head: {exc.problem}") from None
    if head_bytes is None:
        raise CapturePackageError("empty: no head")
    stream_id, checkpoint, n_records, n_disclosures = _head(head_bytes)
    # C2: exactly the records and disclosures the head counts, each within its limit.
    records = _elements(stream, n_records, MAX_RECORD_SIZE, "record")
    disclosures = _elements(stream, n_disclosures, MAX_DISCLOSURE_SIZE, "disclosure")
    if stream.read(1):
        raise CapturePackageError("bytes after the last element the head counts")
    return CapturePackage(stream_id, checkpoint, records, disclosures)


def _head(raw: bytes) -> tuple[uuid.UUID, str, int, int]:
    try:
        head = decode(raw, max_size=_MAX_HEAD, max_depth=1)
    except DecodeError as exc:
        raise CapturePackageError(f"head: {exc}") from None
    if type(head) is not dict or head.keys() != _HEAD_KEYS:
        raise CapturePackageError(f"head: a map of exactly {sorted(_HEAD_KEYS)}")
    if head["format"] != CAPTURE_PACKAGE_FORMAT:
        raise CapturePackageError(f"head.format: not {CAPTURE_PACKAGE_FORMAT!r}")
    if head["v"] != _VERSION or type(head["v"]) is not int:
        raise CapturePackageError(f"head.v: unsupported version {head['v']!r} (reads {_VERSION})")
    stream = head["stream"]
    if type(stream) is not bytes or len(stream) != 16:
        raise CapturePackageError("head.stream: not a 16-byte UUID")
    checkpoint = head["checkpoint"]
    if type(checkpoint) is not str or not 0 < len(checkpoint) <= _MAX_CHECKPOINT:
        raise CapturePackageError(f"head.checkpoint: not a note of 1 to {_MAX_CHECKPOINT} chars")
    counts = []
    for name in ("records", "disclosures"):
        value = head[name]
        if type(value) is not int or value < 0:
            raise CapturePackageError(f"head.{name}: not a count")
        counts.append(value)
    if counts[0] < 1:
        raise CapturePackageError("head.records: a package carries at least one record")
    return uuid.UUID(bytes=stream), checkpoint, counts[0], counts[1]


def _elements(stream: io.BytesIO, count: int, limit: int, what: str) -> tuple[bytes, ...]:
    # A count is only trusted as far as elements follow: nothing is reserved for it.
    found: list[bytes] = []
    frames = iter_frames(stream, max_size=limit)
    try:
        while len(found) < count:
            element = next(frames, None)
            if element is None:
                raise CapturePackageError(
                    f"{what} {len(found) + 1}: missing (the head counts {count})"
                )
            found.append(element)
    except FrameError as exc:
        raise CapturePackageError(f"{what} {len(found) + 1}: {exc.problem}") from None
    return tuple(found)
