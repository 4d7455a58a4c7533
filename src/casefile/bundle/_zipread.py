"""A hardened reader for the canonical bundle zip (docs/FORMAT.md §9.5).

Nothing is extracted and nothing is decompressed until the whole archive
structure has been checked: the end records, every central-directory entry
(names, types, sizes, compression ratios, limits) and every local header, which
must tile the archive from offset 0 to the central directory with neither gap
nor overlap. Overlapping entries (the CVE-2024-0450 zip bomb, which this
Python's ``zipfile`` does not detect) are therefore refused. Member data is
then streamed: a member never yields more than its declared size, whatever its
compressed stream holds, and its CRC-32 is checked at the end.

A fault in the structure is a :class:`~casefile.errors.BundleError` (an
unusable archive, refused before any trust question). A fault found in a
member's data once the structure has bounded it (a CRC-32 mismatch, a size
other than declared, a corrupt deflate stream) means that the member's content
was changed: it is a :class:`~casefile.errors.ManifestError` of step B4 naming
the member, a failed verification like a directory file that no longer matches
its manifest entry (docs/FORMAT.md §9.5).
"""

from __future__ import annotations

import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from casefile.bundle import _zipfmt as fmt
from casefile.bundle._layout import BundleLimits, check_member_name, member_cap, shown
from casefile.bundle._stream import CHUNK_SIZE
from casefile.errors import BundleError, ManifestError

__all__ = ["ReadAt", "ZipMember", "member_chunks", "read_directory"]

#: ``read_at(offset, n)`` returns up to ``n`` bytes of the archive from ``offset``.
ReadAt = Callable[[int, int], bytes]

_MAX_NAME: Final = 256
_SPECIAL: Final = {
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "FIFO",
    stat.S_IFSOCK: "socket",
}


@dataclass(frozen=True, slots=True)
class ZipMember:
    """A member whose headers passed every check; its data is not yet read."""

    name: str
    method: int
    crc: int
    csize: int
    usize: int
    offset: int
    data_offset: int


def _exact(read_at: ReadAt, offset: int, n: int, what: str) -> bytes:
    data = read_at(offset, n)
    if len(data) != n:
        raise BundleError(f"zip archive: truncated {what}")
    return data


def _end(read_at: ReadAt, size: int) -> tuple[int, int, int, int]:
    """(entries, directory size, offset, end) from strictly checked end records."""
    if size < fmt.EOCD.size:
        raise BundleError("zip archive: too short to be a zip archive")
    eocd_at = size - fmt.EOCD.size
    sig, disk, disk_cd, here, count, cd_size, cd_offset, comment = fmt.EOCD.unpack(
        _exact(read_at, eocd_at, fmt.EOCD.size, "end record")
    )
    if sig != fmt.SIG_EOCD:
        raise BundleError(
            "zip archive: no end record at the very end (not a zip, or trailing data or a comment)"
        )
    if disk or disk_cd or here != count or comment:
        raise BundleError("zip archive: multi-disk archive or archive comment")
    placeholders = (count, cd_size, cd_offset) == (fmt.U16, fmt.U32, fmt.U32)
    if not placeholders and (count == fmt.U16 or fmt.U32 in (cd_size, cd_offset)):
        raise BundleError("zip archive: partial zip64 placeholders in the end record")
    if placeholders:
        locator_at = eocd_at - fmt.LOCATOR64.size
        record_at = locator_at - fmt.EOCD64.size
        if record_at < 0:
            raise BundleError("zip archive: truncated zip64 end records")
        lsig, ldisk, loffset, disks = fmt.LOCATOR64.unpack(
            _exact(read_at, locator_at, fmt.LOCATOR64.size, "zip64 locator")
        )
        if lsig != fmt.SIG_LOCATOR64 or ldisk != 0 or disks != 1 or loffset != record_at:
            raise BundleError("zip archive: zip64 locator is not the expected one")
        fields = fmt.EOCD64.unpack(_exact(read_at, record_at, fmt.EOCD64.size, "zip64 end record"))
        esig, rsize, made_by, version, edisk, edisk_cd, here, count, cd_size, cd_offset = fields
        if (esig, rsize, made_by, version, edisk, edisk_cd) != (
            fmt.SIG_EOCD64,
            44,
            fmt.MADE_BY64,
            fmt.VERSION64,
            0,
            0,
        ) or here != count:
            raise BundleError("zip archive: zip64 end record is not the expected one")
        if not fmt.end_needs_zip64(count, cd_size, cd_offset):
            raise BundleError("zip archive: zip64 end record where none is needed")
        cd_end = record_at
    else:
        if fmt.end_needs_zip64(count, cd_size, cd_offset):
            raise BundleError("zip archive: end record lacks the zip64 form its sizes need")
        cd_end = eocd_at
    return count, cd_size, cd_offset, cd_end


def _file_type(name: str, external: int) -> None:
    where = f"member {shown(name)}"
    mode = external >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        raise BundleError(f"{where}: symbolic link")
    if kind in _SPECIAL:
        raise BundleError(f"{where}: {_SPECIAL[kind]}, not a regular file")
    if kind == stat.S_IFDIR or external & 0x10:
        raise BundleError(f"{where}: directory entry (a bundle lists files only)")
    if external != fmt.FILE_ATTR:
        raise BundleError(f"{where}: attributes 0x{external:08x} are not a bundle file's (0644)")


def _central_entry(data: bytes, pos: int) -> tuple[ZipMember, int, bool, int]:
    """Parse and check one central entry at ``pos``; return it, its length, zip64, flags."""
    if pos + fmt.CENTRAL.size > len(data):
        raise BundleError("zip archive: truncated central directory")
    (
        sig,
        made_by,
        version,
        flags,
        method,
        time,
        date,
        crc,
        csize,
        usize,
        nlen,
        xlen,
        clen,
        disk,
        internal,
        external,
        offset,
    ) = fmt.CENTRAL.unpack_from(data, pos)
    if sig != fmt.SIG_CENTRAL:
        raise BundleError("zip archive: bad central directory entry signature")
    if nlen > _MAX_NAME:
        raise BundleError(f"zip archive: member name of {nlen} bytes is too long")
    start = pos + fmt.CENTRAL.size
    raw_name = data[start : start + nlen]
    extra = data[start + nlen : start + nlen + xlen]
    if len(raw_name) != nlen or len(extra) != xlen:
        raise BundleError("zip archive: truncated central directory")
    try:
        name = raw_name.decode("ascii")
    except UnicodeDecodeError:
        shown_name = shown(raw_name.decode("ascii", "backslashreplace"))
        raise BundleError(f"member {shown_name}: non-ASCII name") from None
    check_member_name(name)
    _file_type(name, external)
    where = f"member {shown(name)}"
    if flags & 1:
        raise BundleError(f"{where}: encrypted")
    if flags:
        raise BundleError(f"{where}: general-purpose flags 0x{flags:04x} not allowed")
    if method not in (fmt.STORED, fmt.DEFLATED):
        raise BundleError(f"{where}: compression method {method} not allowed")
    zip64 = xlen != 0
    if zip64:
        if xlen != fmt.EXTRA64_CENTRAL.size or (csize, usize, offset) != (fmt.U32,) * 3:
            raise BundleError(f"{where}: extra field other than the canonical zip64 record")
        tag, length, usize, csize, offset = fmt.EXTRA64_CENTRAL.unpack(extra)
        if (tag, length) != (1, 24):
            raise BundleError(f"{where}: extra field other than the canonical zip64 record")
    if zip64 != fmt.entry_needs_zip64(usize, offset):
        raise BundleError(f"{where}: zip64 form used where it is not needed, or missing")
    expected = (fmt.MADE_BY64, fmt.VERSION64) if zip64 else (fmt.MADE_BY, fmt.VERSION)
    if (made_by, version) != expected:
        raise BundleError(f"{where}: unexpected zip version fields")
    if (time, date) != (fmt.DOS_TIME, fmt.DOS_DATE):
        raise BundleError(f"{where}: timestamp is not the fixed 1980-01-01 00:00:00")
    if clen or disk or internal:
        raise BundleError(f"{where}: comment, disk number or internal attributes not allowed")
    if method == fmt.STORED and csize != usize:
        raise BundleError(f"{where}: stored member whose sizes differ")
    member = ZipMember(name, method, crc, csize, usize, offset, -1)
    return member, fmt.CENTRAL.size + nlen + xlen + clen, zip64, flags


def _check_size(member: ZipMember, limits: BundleLimits) -> None:
    where = f"member {shown(member.name)}"
    cap = member_cap(member.name, limits)
    if member.usize > cap:
        raise BundleError(f"{where}: declares {member.usize} bytes, more than the limit of {cap}")
    if (
        member.method == fmt.DEFLATED
        and member.usize > limits.ratio_floor
        and member.usize > member.csize * limits.max_ratio
    ):
        raise BundleError(
            f"{where}: inflates {member.csize} bytes to {member.usize}, a ratio above "
            f"{limits.max_ratio} (zip bomb)"
        )


def _local(read_at: ReadAt, member: ZipMember, zip64: bool) -> int:
    """Check the local header against the central entry; return the data offset."""
    where = f"member {shown(member.name)}"
    head = read_at(member.offset, fmt.LOCAL.size)
    if len(head) != fmt.LOCAL.size:
        raise BundleError(f"{where}: truncated local header")
    sig, version, flags, method, time, date, crc, csize, usize, nlen, xlen = fmt.LOCAL.unpack(head)
    raw_name = member.name.encode("ascii")
    name_extra = read_at(member.offset + fmt.LOCAL.size, nlen + xlen)
    if zip64:
        expected = (fmt.VERSION64, fmt.U32, fmt.U32, fmt.EXTRA64_LOCAL.size)
        extra = fmt.EXTRA64_LOCAL.pack(1, 16, member.usize, member.csize)
    else:
        expected = (fmt.VERSION, member.csize, member.usize, 0)
        extra = b""
    if (
        sig != fmt.SIG_LOCAL
        or (version, csize, usize, xlen) != expected
        or (flags, method, time, date, crc)
        != (0, member.method, fmt.DOS_TIME, fmt.DOS_DATE, member.crc)
        or nlen != len(raw_name)
        or name_extra != raw_name + extra
    ):
        raise BundleError(f"{where}: local header disagrees with the central directory")
    return member.offset + fmt.LOCAL.size + len(raw_name) + len(extra)


def read_directory(read_at: ReadAt, size: int, limits: BundleLimits) -> dict[str, ZipMember]:
    """Check the whole archive structure; return its members by name, in archive order."""
    count, cd_size, cd_offset, cd_end = _end(read_at, size)
    if count > limits.max_members:
        raise BundleError(
            f"zip archive: {count} members, more than the limit of {limits.max_members}"
        )
    if cd_offset + cd_size != cd_end:
        raise BundleError("zip archive: central directory does not end where the end record begins")
    if cd_size > count * (fmt.CENTRAL.size + _MAX_NAME + fmt.EXTRA64_CENTRAL.size):
        raise BundleError("zip archive: central directory larger than its entries can be")
    data = _exact(read_at, cd_offset, cd_size, "central directory")
    members: dict[str, ZipMember] = {}
    zip64s: list[bool] = []
    pos = 0
    total = 0
    last = ""
    for _ in range(count):
        member, length, zip64, _flags = _central_entry(data, pos)
        pos += length
        if member.name in members:
            raise BundleError(f"member {shown(member.name)}: duplicate name")
        if members and member.name < last:
            raise BundleError(f"member {shown(member.name)}: members are not sorted by name")
        last = member.name
        _check_size(member, limits)
        total += member.usize
        if total > limits.max_total_size:
            raise BundleError(
                "zip archive: members add up to more than the limit of "
                f"{limits.max_total_size} bytes"
            )
        members[member.name] = member
        zip64s.append(zip64)
    if pos != cd_size:
        raise BundleError("zip archive: central directory holds bytes beyond its entries")
    # Members must tile the archive: each begins exactly where the previous one
    # ended. Shared or overlapping data (the overlapping-entry zip bomb) and
    # hidden bytes between members are both refused.
    expected = 0
    previous = "the start of the archive"
    out: dict[str, ZipMember] = {}
    for (name, member), zip64 in zip(members.items(), zip64s, strict=True):
        if member.offset < expected:
            raise BundleError(
                f"member {shown(name)}: overlaps {previous} (overlapping entries, a zip bomb shape)"
            )
        if member.offset > expected:
            raise BundleError(f"member {shown(name)}: unaccounted bytes after {previous}")
        data_offset = _local(read_at, member, zip64)
        expected = data_offset + member.csize
        previous = f"member {shown(name)}"
        out[name] = ZipMember(
            name, member.method, member.crc, member.csize, member.usize, member.offset, data_offset
        )
    if expected != cd_offset:
        what = "overlaps" if expected > cd_offset else "leaves bytes before"
        raise BundleError(f"zip archive: {previous} {what} the central directory")
    return out


def _changed(member: ZipMember, problem: str) -> ManifestError:
    # The member's data, bounded by the checked structure, is not what was packed.
    # Names passed check_member_name: plain ASCII of the layout, safe to show as they are.
    return ManifestError(f"{member.name}: zip member {problem}", step="B4")


def member_chunks(read_at: ReadAt, member: ZipMember) -> Iterator[bytes]:
    """Stream a member's bytes, never more than its declared size; check length and CRC-32.

    Data that fails these checks raises :class:`ManifestError` (step B4) once
    every byte that passed has been yielded; an archive that ends inside the
    member (it shrank since it was opened) raises :class:`BundleError`.
    """
    where = f"member {shown(member.name)}"
    crc = 0
    produced = 0
    position = member.data_offset
    left = member.csize

    def raw(n: int) -> bytes:
        nonlocal position, left
        data = read_at(position, min(n, left))
        if not data:
            raise BundleError(f"{where}: archive ends inside the member's data")
        position += len(data)
        left -= len(data)
        return data

    if member.method == fmt.STORED:
        while left:
            chunk = raw(CHUNK_SIZE)
            crc = zlib.crc32(chunk, crc)
            produced += len(chunk)
            yield chunk
    else:
        inflater = zlib.decompressobj(-15)
        while not inflater.eof:
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            elif left:
                data = raw(CHUNK_SIZE)
            else:
                data = b""
            # Never ask for more than one byte past the declared size: a
            # stream that would inflate further is refused at that byte.
            room = min(CHUNK_SIZE, member.usize - produced + 1)
            try:
                chunk = inflater.decompress(data, room)
            except zlib.error as exc:
                raise _changed(member, f"holds corrupt deflate data ({exc})") from None
            produced += len(chunk)
            if produced > member.usize:
                raise _changed(member, f"inflates beyond its declared {member.usize} bytes")
            if chunk:
                crc = zlib.crc32(chunk, crc)
                yield chunk
            elif not data:
                raise _changed(member, "holds a truncated deflate stream")
        if left or inflater.unused_data or inflater.unconsumed_tail:
            raise _changed(member, "holds data after the end of its deflate stream")
    if produced != member.usize:
        raise _changed(member, f"inflates to {produced} bytes where {member.usize} were declared")
    if crc != member.crc:
        raise _changed(member, "fails its CRC-32 (its content was changed)")
