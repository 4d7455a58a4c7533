"""Hostile zip archives: each is refused, by name, before anything is extracted or trusted."""

from __future__ import annotations

import contextlib
import stat
import struct
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _bundlecase import Member, craft_zip, deflate_zeros, make_bundle
from casefile.bundle import BundleLimits, _zipread, open_bundle, zip_bundle
from casefile.bundle import _zipfmt as fmt
from casefile.errors import BundleError, ManifestError

MANIFEST = Member("manifest.dsse.json", b"{}\n")


def _refused(tmp_path: Path, archive: bytes, match: str, limits: BundleLimits | None = None) -> str:
    path = tmp_path / "hostile.zip"
    path.write_bytes(archive)
    with pytest.raises(BundleError, match=match) as caught:
        open_bundle(path, limits=limits)
    return str(caught.value)


@pytest.fixture
def no_inflating(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any member is decompressed."""

    def refuse(*args: object) -> object:
        raise AssertionError("a member was inflated")

    monkeypatch.setattr(_zipread.zlib, "decompressobj", refuse)


def test_crafted_canonical_archive_is_accepted(tmp_path: Path) -> None:
    # The crafting helper itself must produce what the reader accepts, or the
    # refusals below would prove nothing.
    path = tmp_path / "ok.zip"
    members = [
        MANIFEST,
        Member("views/a.txt", b"hello", fmt.DEFLATED),
        Member("views/empty", b"", fmt.DEFLATED),
        Member("views/none", b""),
    ]
    path.write_bytes(craft_zip(members))
    with open_bundle(path) as bundle:
        assert bundle.files == {
            "manifest.dsse.json": 3,
            "views/a.txt": 5,
            "views/empty": 0,
            "views/none": 0,
        }
        assert b"".join(bundle.raw_chunks("views/a.txt")) == b"hello"
        assert b"".join(bundle.raw_chunks("views/empty")) == b""
        assert b"".join(bundle.raw_chunks("views/none")) == b""


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil", "traversal"),
        ("/abs", "absolute"),
        ("a/../../b", "traversal"),
        ("views/../../etc/passwd", "traversal"),
        ("..\\evil", "backslash"),
        ("C:/evil", "drive letter"),
        ("views/./a", "'\\.' path component"),
        ("views//a", "empty"),
        ("views/a\x00.txt", "control character"),
        ("evidence/short", "unexpected file"),
        ("views/sub/a.txt", "unexpected file"),
        ("views/", "directory entry"),
    ],
)
def test_zip_slip_member_is_refused(tmp_path: Path, name: str, reason: str) -> None:
    message = _refused(tmp_path, craft_zip([MANIFEST, Member(name, b"x")]), reason)
    assert repr(name)[1:-1] in message


def test_non_ascii_member_name_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, craft_zip([MANIFEST, Member("views/caf\u00e9", b"x")]), "non-ASCII")


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        (stat.S_IFLNK | 0o777, "symbolic link"),
        (stat.S_IFCHR | 0o644, "character device"),
        (stat.S_IFBLK | 0o644, "block device"),
        (stat.S_IFIFO | 0o644, "FIFO"),
        (stat.S_IFSOCK | 0o644, "socket"),
        (stat.S_IFDIR | 0o755, "directory"),
        (stat.S_IFREG | 0o755, "attributes"),
    ],
)
def test_symlink_member_is_refused(tmp_path: Path, mode: int, reason: str) -> None:
    member = Member("views/link", b"/etc/passwd", external=mode << 16)
    assert "views/link" in _refused(tmp_path, craft_zip([MANIFEST, member]), reason)


def test_duplicate_member_names_are_refused(tmp_path: Path) -> None:
    archive = craft_zip([MANIFEST, Member("views/a", b"1"), Member("views/a", b"2")])
    _refused(tmp_path, archive, "duplicate")


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path, no_inflating: None) -> None:
    size = 16 << 20
    bomb = Member(
        "views/bomb.bin", bytes(0), fmt.DEFLATED, payload=deflate_zeros(size), usize=size, crc=0
    )
    _refused(tmp_path, craft_zip([MANIFEST, bomb]), r"ratio above 100 \(zip bomb\)")


def _deflated_claim(csize: int, usize: int) -> Member:
    # Only the declared sizes matter here: nothing is inflated when opening.
    return Member("views/v.bin", b"", fmt.DEFLATED, payload=bytes(csize), usize=usize, crc=0)


@pytest.mark.parametrize(("csize", "usize"), [(1, 1 << 20), (20_000, 2_000_000)])
def test_member_at_the_zip_bomb_thresholds_is_accepted(
    tmp_path: Path, no_inflating: None, csize: int, usize: int
) -> None:
    # 1 MiB inflated (any ratio), or exactly 100 times the compressed data, is allowed.
    path = tmp_path / "edge.zip"
    path.write_bytes(craft_zip([MANIFEST, _deflated_claim(csize, usize)]))
    with open_bundle(path) as bundle:
        assert bundle.files["views/v.bin"] == usize


@pytest.mark.parametrize(("csize", "usize"), [(1, (1 << 20) + 1), (20_000, 2_000_001)])
def test_member_one_byte_past_the_zip_bomb_thresholds_is_refused(
    tmp_path: Path, no_inflating: None, csize: int, usize: int
) -> None:
    # The limit is on the declared uncompressed size against the compressed data's length.
    archive = craft_zip([MANIFEST, _deflated_claim(csize, usize)])
    _refused(tmp_path, archive, rf"inflates {csize} bytes to {usize}, a ratio above 100")


def test_member_declared_beyond_the_size_cap_is_refused_before_inflating(
    tmp_path: Path, no_inflating: None
) -> None:
    size = 8 << 20
    big = Member(
        "views/big.bin", bytes(0), fmt.DEFLATED, payload=deflate_zeros(size), usize=size, crc=0
    )
    limits = BundleLimits(max_view_size=1 << 20, max_ratio=10_000)
    _refused(tmp_path, craft_zip([MANIFEST, big]), "more than the limit", limits)


def test_total_size_cap_is_enforced(tmp_path: Path) -> None:
    members = [MANIFEST, *(Member(f"views/{i}", bytes(600)) for i in range(3))]
    _refused(tmp_path, craft_zip(members), "add up to more", BundleLimits(max_total_size=1500))


def test_overlapping_zip_entries_are_refused(tmp_path: Path, no_inflating: None) -> None:
    # Two central entries sharing one local header and its data: the
    # overlapping-entry construction behind CVE-2024-0450 zip bombs.
    archive = craft_zip([MANIFEST, Member("views/a", b"data"), Member("views/b", b"data")])
    first = archive.index(b"PK\x01\x02", 0)
    second = archive.index(b"PK\x01\x02", first + 1)
    third = archive.index(b"PK\x01\x02", second + 1)
    offset_of_a = struct.unpack_from("<I", archive, second + 42)[0]
    hostile = bytearray(archive)
    struct.pack_into("<I", hostile, third + 42, offset_of_a)
    _refused(tmp_path, bytes(hostile), "overlaps")


def test_hidden_bytes_between_members_are_refused(tmp_path: Path) -> None:
    archive = craft_zip([MANIFEST, Member("views/a", b"data")])
    second = archive.index(b"PK\x03\x04", 1)
    hostile = bytearray(archive[:second] + b"JUNK" + archive[second:])
    # Shift the later offsets so that only the gap is wrong.
    cd = hostile.index(b"PK\x01\x02")
    cd2 = hostile.index(b"PK\x01\x02", cd + 1)
    struct.pack_into("<I", hostile, cd2 + 42, second + 4)
    eocd = hostile.rindex(b"PK\x05\x06")
    struct.pack_into("<I", hostile, eocd + 16, cd)
    _refused(tmp_path, bytes(hostile), "unaccounted bytes")


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    members = [MANIFEST, *(Member(f"views/{i:03d}", b"x") for i in range(11))]
    _refused(
        tmp_path,
        craft_zip(members),
        "12 members, more than the limit of 10",
        BundleLimits(max_members=10),
    )


def test_member_count_is_checked_before_the_directory_is_read(tmp_path: Path) -> None:
    archive = bytearray(craft_zip([MANIFEST]))
    eocd = len(archive) - fmt.EOCD.size
    # Claim a vast directory: the claim alone is refused, nothing is read for it.
    archive[eocd:] = fmt.EOCD.pack(fmt.SIG_EOCD, 0, 0, 60000, 60000, 60000 * 46, 0, 0)
    _refused(tmp_path, bytes(archive), "more than the limit", BundleLimits(max_members=100))


def test_member_larger_than_declared_is_not_read_past_the_cap(tmp_path: Path) -> None:
    # The header declares 1000 bytes; the deflate stream holds 64 MiB of zeros.
    declared = 1000
    liar = Member(
        "views/liar.bin",
        bytes(0),
        fmt.DEFLATED,
        payload=deflate_zeros(64 << 20),
        usize=declared,
        crc=zlib.crc32(bytes(declared)),
    )
    path = tmp_path / "liar.zip"
    path.write_bytes(craft_zip([MANIFEST, liar]))
    received: list[int] = []

    def drain(chunks: Iterator[bytes]) -> None:
        for chunk in chunks:
            received.append(len(chunk))

    with open_bundle(path) as bundle:
        tracemalloc.start()
        try:
            # Safely stopped, so a content fault (B4), not an unusable archive.
            with pytest.raises(ManifestError, match="inflates beyond its declared 1000 bytes"):
                drain(bundle.raw_chunks("views/liar.bin"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert sum(received) <= declared
    assert peak < 8 << 20


def test_member_shorter_than_declared_fails_as_changed_content(tmp_path: Path) -> None:
    short = Member("views/short", b"abc", fmt.DEFLATED, usize=10)
    path = tmp_path / "short.zip"
    path.write_bytes(craft_zip([MANIFEST, short]))
    with open_bundle(path) as bundle, pytest.raises(ManifestError, match="3 bytes where 10") as e:
        b"".join(bundle.raw_chunks("views/short"))
    assert e.value.step == "B4"
    assert e.value.message.startswith("views/short: ")


def test_corrupt_member_fails_its_crc_as_changed_content(tmp_path: Path) -> None:
    path = tmp_path / "crc.zip"
    path.write_bytes(craft_zip([MANIFEST, Member("views/a", b"hello", crc=1)]))
    received: list[bytes] = []

    def drain(chunks: Iterator[bytes]) -> None:
        received.extend(chunks)

    with open_bundle(path) as bundle, pytest.raises(ManifestError, match="CRC-32") as caught:
        drain(bundle.raw_chunks("views/a"))
    assert caught.value.step == "B4"
    assert caught.value.message.startswith("views/a: ")
    # Every byte is handed on before the verdict, so a verifier can still walk them.
    assert b"".join(received) == b"hello"


def test_changed_manifest_member_still_opens_and_fails_at_b1(tmp_path: Path) -> None:
    path = tmp_path / "crc.zip"
    path.write_bytes(craft_zip([Member("manifest.dsse.json", b"{}\n", crc=1)]))
    with open_bundle(path) as bundle:
        with pytest.raises(ManifestError, match=r"manifest\.dsse\.json: zip member fails its CRC"):
            bundle.envelope()
        with pytest.raises(ManifestError, match="CRC-32") as caught:
            list(bundle.raw_chunks("manifest.dsse.json"))
        assert caught.value.step == "B4"


@pytest.mark.parametrize(("method", "flags"), [(12, 0), (fmt.STORED, 1), (fmt.STORED, 0x08)])
def test_unsupported_method_or_flags_are_refused(tmp_path: Path, method: int, flags: int) -> None:
    archive = bytearray(craft_zip([MANIFEST, Member("views/a", b"x")]))
    cd = archive.index(b"PK\x01\x02", archive.index(b"PK\x01\x02") + 1)
    struct.pack_into("<HH", archive, cd + 8, flags, method)
    _refused(tmp_path, bytes(archive), "method|flags|encrypted")


def test_archive_comment_and_trailing_data_are_refused(tmp_path: Path) -> None:
    archive = craft_zip([MANIFEST])
    _refused(tmp_path, archive + b"trailing", "end record")
    with_comment = archive[:-2] + struct.pack("<H", 4) + b"note"
    _refused(tmp_path, with_comment, "end record")


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, b"just some text, not an archive at all", "end record")
    _refused(tmp_path, b"PK", "too short")


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_never_crash_the_reader(data: bytes) -> None:
    # Any input is either a valid archive or a BundleError: never another exception.
    with contextlib.suppress(BundleError):
        _zipread.read_directory(lambda o, n: data[o : o + n], len(data), BundleLimits())


@given(st.data())
@settings(max_examples=150, deadline=None)
def test_flipped_byte_is_an_unusable_archive_in_the_structure_and_a_changed_member_in_its_data(
    data: st.DataObject,
) -> None:
    archive = craft_zip([MANIFEST, Member("views/a", b"hello world", fmt.DEFLATED)])
    expected = {"manifest.dsse.json": b"{}\n", "views/a": b"hello world"}
    regions = {
        m.name: range(m.data_offset, m.data_offset + m.csize)
        for m in _zipread.read_directory(
            lambda o, n: archive[o : o + n], len(archive), BundleLimits()
        ).values()
    }
    position = data.draw(st.integers(0, len(archive) - 1))
    mutated = bytearray(archive)
    mutated[position] ^= data.draw(st.integers(1, 255))
    blob = bytes(mutated)

    def read_at(offset: int, n: int) -> bytes:
        return blob[offset : offset + n]

    hit = next((name for name, region in regions.items() if position in region), None)
    if hit is None:
        # Every structural byte is checked against its one allowed value.
        with pytest.raises(BundleError):
            _zipread.read_directory(read_at, len(blob), BundleLimits())
        return
    members = _zipread.read_directory(read_at, len(blob), BundleLimits())
    for name, member in members.items():
        if name != hit:
            assert b"".join(_zipread.member_chunks(read_at, member)) == expected[name]
            continue
        failure: ManifestError | None = None
        content = bytearray()
        try:
            for chunk in _zipread.member_chunks(read_at, member):
                content += chunk
        except ManifestError as exc:
            failure = exc
        if failure is None:
            # Only a bit of deflate padding may change without effect; the tree must be unchanged.
            assert content == expected[name]
        else:
            assert failure.step == "B4"
            assert failure.message.startswith(f"{name}: zip member ")


def test_real_bundle_zip_passes_the_structure_checks(tmp_path: Path) -> None:
    make_bundle(tmp_path / "b")
    zip_bundle(tmp_path / "b", tmp_path / "b.zip")
    with open_bundle(tmp_path / "b.zip") as bundle:
        for name in bundle.files:
            assert sum(len(c) for c in bundle.raw_chunks(name)) == bundle.files[name]
