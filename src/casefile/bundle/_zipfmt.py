"""The canonical zip form of a bundle (docs/FORMAT.md §9.5): layouts and the writer.

One tree has one zip: members sorted by path, no directory entries, fixed
timestamps (1980-01-01 00:00:00) and attributes (regular file, 0644, made by
Unix), no comments, no extra fields except the zip64 record exactly when a
size or offset needs it, stored or deflated at level 6, and nothing before,
between or after the structures. :mod:`casefile.bundle._zipread` refuses
anything else, so that every byte of the archive is either checked against
the one expected value or covered by a CRC and the signed manifest.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO, Final

from casefile.errors import BundleError

__all__ = [
    "CENTRAL",
    "DEFLATED",
    "DOS_DATE",
    "DOS_TIME",
    "EOCD",
    "EOCD64",
    "EXTRA64_CENTRAL",
    "EXTRA64_LOCAL",
    "FILE_ATTR",
    "LOCAL",
    "LOCATOR64",
    "MADE_BY",
    "MADE_BY64",
    "SIG_CENTRAL",
    "SIG_EOCD",
    "SIG_EOCD64",
    "SIG_LOCAL",
    "SIG_LOCATOR64",
    "STORED",
    "U16",
    "U32",
    "VERSION",
    "VERSION64",
    "ZipWriter",
    "end_needs_zip64",
    "entry_needs_zip64",
]

STORED: Final = 0
DEFLATED: Final = 8

SIG_LOCAL: Final = b"PK\x03\x04"
SIG_CENTRAL: Final = b"PK\x01\x02"
SIG_EOCD: Final = b"PK\x05\x06"
SIG_EOCD64: Final = b"PK\x06\x06"
SIG_LOCATOR64: Final = b"PK\x06\x07"

# signature, version needed, flags, method, time, date, crc, csize, usize, name len, extra len
LOCAL: Final = struct.Struct("<4sHHHHHIIIHH")
# signature, made by, version needed, flags, method, time, date, crc, csize, usize,
# name len, extra len, comment len, disk, internal attr, external attr, local header offset
CENTRAL: Final = struct.Struct("<4sHHHHHHIIIHHHHHII")
# signature, disk, disk of the directory, entries here, entries, directory size, offset, comment len
EOCD: Final = struct.Struct("<4sHHHHIIH")
# signature, record size, made by, version needed, disk, disk of the directory,
# entries here, entries, directory size, directory offset
EOCD64: Final = struct.Struct("<4sQHHIIQQQQ")
# signature, disk of the zip64 end record, its offset, number of disks
LOCATOR64: Final = struct.Struct("<4sIQI")
EXTRA64_LOCAL: Final = struct.Struct("<HHQQ")
EXTRA64_CENTRAL: Final = struct.Struct("<HHQQQ")

U16: Final = 0xFFFF
U32: Final = 0xFFFFFFFF
VERSION: Final = 20
VERSION64: Final = 45
MADE_BY: Final = (3 << 8) | VERSION
MADE_BY64: Final = (3 << 8) | VERSION64
DOS_TIME: Final = 0
DOS_DATE: Final = (1 << 5) | 1
FILE_ATTR: Final = 0o100644 << 16

#: Sizes and offsets above this use the zip64 forms. Kept well below 2**32 so
#: that a deflated member can never outgrow its header; tests lower it to
#: exercise the zip64 forms with small files.
ZIP64_THRESHOLD: int = 0xF0000000

_DEFLATE_LEVEL: Final = 6


def entry_needs_zip64(usize: int, offset: int) -> bool:
    """Whether a member of this size at this offset takes the zip64 headers."""
    return usize > ZIP64_THRESHOLD or offset > ZIP64_THRESHOLD


def end_needs_zip64(count: int, cd_size: int, cd_offset: int) -> bool:
    """Whether the archive ends with the zip64 end record and locator."""
    return count >= U16 or cd_size > ZIP64_THRESHOLD or cd_offset > ZIP64_THRESHOLD


@dataclass(frozen=True, slots=True)
class _Written:
    name: bytes
    method: int
    crc: int
    csize: int
    usize: int
    offset: int


def _local_header(name: bytes, method: int, crc: int, csize: int, usize: int, zip64: bool) -> bytes:
    if zip64:
        extra = EXTRA64_LOCAL.pack(1, 16, usize, csize)
        fixed = LOCAL.pack(
            SIG_LOCAL, VERSION64, 0, method, DOS_TIME, DOS_DATE, crc, U32, U32, len(name), 20
        )
        return fixed + name + extra
    fixed = LOCAL.pack(
        SIG_LOCAL, VERSION, 0, method, DOS_TIME, DOS_DATE, crc, csize, usize, len(name), 0
    )
    return fixed + name


class ZipWriter:
    """Writes the canonical zip form to a seekable binary file, one streamed member at a time."""

    def __init__(self, out: BinaryIO, method: int) -> None:
        if method not in (STORED, DEFLATED):
            raise ValueError("compression must be zipfile.ZIP_STORED or zipfile.ZIP_DEFLATED")
        self._out = out
        self._method = method
        self._written: list[_Written] = []
        self._last = ""

    def add(self, name: str, chunks: Iterable[bytes], size: int) -> None:
        """Append member ``name`` (added in sorted order) of exactly ``size`` bytes."""
        if self._written and name <= self._last:
            raise ValueError("members must be added in sorted order, without duplicates")
        raw_name = name.encode("ascii")
        out = self._out
        offset = out.tell()
        zip64 = entry_needs_zip64(size, offset)
        # A placeholder header of the final length; rewritten once CRC and sizes are known.
        out.write(_local_header(raw_name, self._method, 0, 0, size, zip64))
        crc = 0
        usize = 0
        csize = 0
        compressor = (
            zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -15)
            if self._method == DEFLATED
            else None
        )
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            usize += len(chunk)
            data = compressor.compress(chunk) if compressor is not None else chunk
            csize += len(data)
            out.write(data)
        if compressor is not None:
            tail = compressor.flush()
            csize += len(tail)
            out.write(tail)
        if usize != size:
            raise BundleError(f"member {name!r}: {usize} bytes read where {size} were listed")
        if not zip64 and csize > U32:
            raise BundleError(f"member {name!r}: compressed size exceeds the zip32 limit")
        end = out.tell()
        out.seek(offset)
        out.write(_local_header(raw_name, self._method, crc, csize, usize, zip64))
        out.seek(end)
        self._written.append(_Written(raw_name, self._method, crc, csize, usize, offset))
        self._last = name

    def finish(self) -> None:
        """Write the central directory and the end records."""
        out = self._out
        cd_offset = out.tell()
        for w in self._written:
            if entry_needs_zip64(w.usize, w.offset):
                extra = EXTRA64_CENTRAL.pack(1, 24, w.usize, w.csize, w.offset)
                fields = (MADE_BY64, VERSION64, U32, U32, len(extra), U32)
            else:
                extra = b""
                fields = (MADE_BY, VERSION, w.csize, w.usize, 0, w.offset)
            made_by, version, csize, usize, xlen, offset = fields
            out.write(
                CENTRAL.pack(
                    SIG_CENTRAL,
                    made_by,
                    version,
                    0,
                    w.method,
                    DOS_TIME,
                    DOS_DATE,
                    w.crc,
                    csize,
                    usize,
                    len(w.name),
                    xlen,
                    0,
                    0,
                    0,
                    FILE_ATTR,
                    offset,
                )
            )
            out.write(w.name)
            out.write(extra)
        cd_end = out.tell()
        cd_size = cd_end - cd_offset
        count = len(self._written)
        if end_needs_zip64(count, cd_size, cd_offset):
            out.write(
                EOCD64.pack(
                    SIG_EOCD64, 44, MADE_BY64, VERSION64, 0, 0, count, count, cd_size, cd_offset
                )
            )
            out.write(LOCATOR64.pack(SIG_LOCATOR64, 0, cd_end, 1))
            out.write(EOCD.pack(SIG_EOCD, 0, 0, U16, U16, U32, U32, 0))
        else:
            out.write(EOCD.pack(SIG_EOCD, 0, 0, count, count, cd_size, cd_offset, 0))
