"""The filesystem blob store, attacked from the outside: tampering, crashes, hostile names."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import BinaryIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.errors import CasefileError, EvidenceError, FixityError
from casefile.evidence import (
    BlobInfo,
    BlobStore,
    FileSystemBlobStore,
    FixityStatus,
    sha256_from_hex,
)

SRC = Path(__file__).resolve().parents[2] / "src"


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def blob_file(store: FileSystemBlobStore, digest: bytes) -> Path:
    h = digest.hex()
    return store.root / "sha256" / h[:2] / h[2:4] / h


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if not p.is_dir())


def drain(stream: BinaryIO, step: int) -> bytes:
    """Read ``stream`` to EOF in ``step``-byte reads, as a streaming consumer would."""
    out = bytearray()
    while chunk := stream.read(step):
        out += chunk
    return bytes(out)


def tamper(path: Path, edit: bytes | None = None, *, truncate_to: int | None = None) -> None:
    os.chmod(path, 0o600)
    if truncate_to is not None:
        os.truncate(path, truncate_to)
    if edit is not None:
        path.write_bytes(edit)


@pytest.fixture
def store(tmp_path: Path) -> FileSystemBlobStore:
    return FileSystemBlobStore(tmp_path / "store")


@pytest.fixture(scope="module")
def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared-store")


class InterruptedUploadError(Exception):
    pass


class FailingStream(io.RawIOBase):
    """Produces ``good`` bytes, then raises, as a dropped upload or a dying device would."""

    def __init__(self, good: int) -> None:
        super().__init__()
        self.left = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        if self.left == 0:
            raise InterruptedUploadError("connection lost")
        view = memoryview(buffer).cast("B")  # type: ignore[arg-type]
        n = min(len(view), self.left)
        view[:n] = b"\xab" * n
        self.left -= n
        return n


# --- round trip and dedup ----------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=4000), st.sampled_from([1, 7, 64, 1 << 20]))
def test_round_trip_returns_the_exact_bytes(shared_root: Path, data: bytes, chunk: int) -> None:
    store = FileSystemBlobStore(shared_root / f"chunk-{chunk}", chunk_size=chunk)
    info = store.put_stream(io.BytesIO(data))
    assert info == BlobInfo(sha(data), len(data))
    assert store.contains(info.sha256)
    assert store.info(info.sha256) == info
    assert store.verify(info.sha256) == info
    with store.open(info.sha256) as f:
        assert f.read() == data


def test_empty_blob_is_a_blob(store: FileSystemBlobStore) -> None:
    info = store.put_stream(io.BytesIO(b""))
    assert info == BlobInfo(sha(b""), 0)
    with store.open(info.sha256) as f:
        assert f.read() == b""


def test_store_satisfies_the_protocol(store: FileSystemBlobStore) -> None:
    assert isinstance(store, BlobStore)


def test_same_bytes_are_stored_once(store: FileSystemBlobStore, tmp_path: Path) -> None:
    data = os.urandom(3000)
    source = tmp_path / "photo.jpg"
    source.write_bytes(data)
    first = store.import_file(source)
    again = store.import_file(source)
    via_stream = store.put_stream(io.BytesIO(data))
    assert first.stored
    assert not again.stored
    assert first.blob == again.blob == via_stream
    assert files_under(store.root / "sha256") == [blob_file(store, sha(data))]
    assert files_under(store.root / "tmp") == []


def test_stored_blobs_are_read_only(store: FileSystemBlobStore) -> None:
    info = store.put_stream(io.BytesIO(b"seized phone image"))
    mode = stat.S_IMODE(os.stat(blob_file(store, info.sha256)).st_mode)
    assert mode & 0o222 == 0
    assert mode == 0o440


def test_iter_blobs_lists_every_blob_in_order(store: FileSystemBlobStore) -> None:
    digests = {store.put_stream(io.BytesIO(bytes([i]) * i)).sha256 for i in range(20)}
    assert list(store.iter_blobs()) == sorted(digests)


# --- fixity ------------------------------------------------------------------


def test_truncated_blob_fails_fixity_on_read(store: FileSystemBlobStore) -> None:
    data = os.urandom(5000)
    info = store.put_stream(io.BytesIO(data))
    tamper(blob_file(store, info.sha256), truncate_to=4000)
    with store.open(info.sha256) as f, pytest.raises(FixityError) as caught:
        f.read()
    assert info.hex in str(caught.value)
    with pytest.raises(FixityError, match="4000 bytes hash to"):
        store.verify(info.sha256)


def test_bit_flipped_blob_fails_fixity_check(store: FileSystemBlobStore) -> None:
    data = os.urandom(5000)
    info = store.put_stream(io.BytesIO(data))
    path = blob_file(store, info.sha256)
    flipped = bytearray(data)
    flipped[2500] ^= 0x10
    tamper(path, bytes(flipped))
    with pytest.raises(FixityError, match=f"blob {info.hex} at .*{info.hex}"):
        store.verify(info.sha256)
    with store.open(info.sha256) as f, pytest.raises(FixityError):
        drain(f, 1000)
    report = store.fixity_report()
    assert not report.ok
    (failure,) = report.failures
    assert failure.status is FixityStatus.MISMATCH
    assert failure.sha256 == info.sha256
    assert failure.actual_sha256 == sha(bytes(flipped))
    assert failure.path == f"sha256/{info.hex[:2]}/{info.hex[2:4]}/{info.hex}"


def test_whole_store_report_finds_every_problem(store: FileSystemBlobStore) -> None:
    good = store.put_stream(io.BytesIO(b"good"))
    bad = store.put_stream(io.BytesIO(b"bad"))
    tamper(blob_file(store, bad.sha256), b"BAD")
    blobs = store.root / "sha256"
    (blobs / "README").write_text("not a blob")
    misplaced = blobs / "00" / "00" / good.hex
    misplaced.parent.mkdir(parents=True)
    misplaced.write_bytes(b"good")
    link = blob_file(store, sha(b"elsewhere"))
    link.parent.mkdir(parents=True)
    link.symlink_to(blob_file(store, good.sha256))

    report = store.fixity_report()
    by_path = {r.path: r.status for r in report.results}
    assert by_path == {
        "sha256/README": FixityStatus.UNEXPECTED,
        f"sha256/00/00/{good.hex}": FixityStatus.UNEXPECTED,
        f"sha256/{good.hex[:2]}/{good.hex[2:4]}/{good.hex}": FixityStatus.OK,
        f"sha256/{bad.hex[:2]}/{bad.hex[2:4]}/{bad.hex}": FixityStatus.MISMATCH,
        f"sha256/{link.name[:2]}/{link.name[2:4]}/{link.name}": FixityStatus.UNEXPECTED,
    }
    assert report.blobs_checked == 1
    assert report.bytes_checked == 4
    # Stray entries are never listed as blobs.
    assert sorted(store.iter_blobs()) == sorted([good.sha256, bad.sha256])


def test_symlink_planted_under_a_blob_name_is_not_followed(
    store: FileSystemBlobStore, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret outside the store")
    digest = sha(b"secret outside the store")
    path = blob_file(store, digest)
    path.parent.mkdir(parents=True)
    path.symlink_to(outside)
    assert not store.contains(digest)
    with pytest.raises(EvidenceError, match="symbolic link"):
        store.open(digest)
    with pytest.raises(EvidenceError, match="not a regular file"):
        store.info(digest)
    with pytest.raises(EvidenceError, match="not a regular file"):
        store.put_stream(io.BytesIO(b"secret outside the store"))


def test_damaged_copy_is_not_silently_replaced_by_a_new_ingest(
    store: FileSystemBlobStore,
) -> None:
    info = store.put_stream(io.BytesIO(b"original exhibit"))
    tamper(blob_file(store, info.sha256), truncate_to=3)
    with pytest.raises(FixityError, match="damaged"):
        store.put_stream(io.BytesIO(b"original exhibit"))
    assert blob_file(store, info.sha256).stat().st_size == 3
    assert files_under(store.root / "tmp") == []


# --- refused and interrupted ingests ----------------------------------------


def test_interrupted_ingest_leaves_no_blob_under_a_valid_name(store: FileSystemBlobStore) -> None:
    with pytest.raises(InterruptedUploadError):
        store.put_stream(FailingStream(3 * (1 << 20) + 5))  # type: ignore[arg-type]
    assert files_under(store.root) == []
    assert list(store.iter_blobs()) == []


def test_killed_ingest_leaves_no_blob_under_a_valid_name(tmp_path: Path) -> None:
    root = tmp_path / "store"
    child = textwrap.dedent(
        f"""
        import sys, io
        sys.path.insert(0, {str(SRC)!r})
        from casefile.evidence import FileSystemBlobStore

        class Endless(io.RawIOBase):
            def readable(self):
                return True
            def readinto(self, b):
                n = len(b)
                b[:n] = b"\\x5a" * n
                return n

        store = FileSystemBlobStore({str(root)!r})
        print("ready", flush=True)
        store.put_stream(Endless())
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        deadline = time.monotonic() + 20
        tmp = root / "tmp"
        while time.monotonic() < deadline:
            if any(p.stat().st_size > 4 << 20 for p in tmp.iterdir()):
                break
            time.sleep(0.01)
        else:
            pytest.fail("the child never got going")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert files_under(root / "sha256") == []
    # A reopened store works and the leftover is only ever a temporary file.
    reopened = FileSystemBlobStore(root)
    assert list(reopened.iter_blobs()) == []
    assert reopened.fixity_report().results == ()
    assert all(p.name.startswith("ingest-") for p in files_under(tmp))


def test_crash_before_rename_leaves_no_blob(
    store: FileSystemBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def power_cut(src: object, dst: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(EvidenceError, match="cannot store blob"):
        store.put_stream(io.BytesIO(b"x" * 10_000))
    assert files_under(store.root) == []


def test_expected_hash_mismatch_keeps_nothing(store: FileSystemBlobStore) -> None:
    claimed = sha(b"what the officer recorded")
    with pytest.raises(FixityError) as caught:
        store.put_stream(io.BytesIO(b"what arrived"), expected_sha256=claimed)
    message = str(caught.value)
    assert claimed.hex() in message
    assert sha(b"what arrived").hex() in message
    assert files_under(store.root) == []


def test_expected_hash_match_is_stored(store: FileSystemBlobStore) -> None:
    info = store.put_stream(io.BytesIO(b"as recorded"), expected_sha256=sha(b"as recorded"))
    assert store.contains(info.sha256)


def test_oversized_ingest_is_refused(store: FileSystemBlobStore, tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="larger than the limit of 1000 bytes"):
        store.put_stream(io.BytesIO(b"v" * 1001), max_bytes=1000)
    source = tmp_path / "video.mp4"
    source.write_bytes(b"v" * 1001)
    with pytest.raises(EvidenceError, match=f"{source}: 1001 bytes, larger than"):
        store.put_path(source, max_bytes=1000)
    assert files_under(store.root) == []
    assert store.put_stream(io.BytesIO(b"v" * 1000), max_bytes=1000).size == 1000


@pytest.mark.parametrize("limit", [-1, 1.5, "10"])
def test_nonsense_limit_is_refused(store: FileSystemBlobStore, limit: object) -> None:
    with pytest.raises(EvidenceError, match="max_bytes"):
        store.put_stream(io.BytesIO(b""), max_bytes=limit)  # type: ignore[arg-type]


# --- hostile names and paths -------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd",
        b"../../../../etc/passwd".ljust(32, b"\0"),  # 32 bytes, but hashed to hex, never a path
        b"../../etc/passwd",
        ("a" * 62 + "/.."),
        ("00" * 31 + "..").encode(),
    ],
)
def test_hash_name_with_path_traversal_is_refused(
    store: FileSystemBlobStore, name: str | bytes
) -> None:
    for method in (store.open, store.contains, store.info, store.verify):
        if isinstance(name, bytes) and len(name) == 32:
            # A 32-byte name is a digest; as a path it is 64 hex digits inside the store.
            assert not store.contains(name)
            with pytest.raises(EvidenceError, match=f"no blob {name.hex()}"):
                store.info(name)
            break
        with pytest.raises(EvidenceError, match="must be 32 raw bytes"):
            method(name)  # type: ignore[arg-type]
    if isinstance(name, str):
        with pytest.raises(EvidenceError):
            sha256_from_hex(name)


def test_expected_hash_must_be_a_digest(store: FileSystemBlobStore) -> None:
    with pytest.raises(EvidenceError, match="expected_sha256"):
        store.put_stream(io.BytesIO(b"x"), expected_sha256=sha(b"x").hex())  # type: ignore[arg-type]


def test_missing_blob_is_named(store: FileSystemBlobStore) -> None:
    digest = sha(b"never stored")
    assert not store.contains(digest)
    for method in (store.open, store.info, store.verify):
        with pytest.raises(EvidenceError, match=f"no blob {digest.hex()}"):
            method(digest)


def test_import_refuses_what_is_not_a_regular_file(
    store: FileSystemBlobStore, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it for reading would hang without O_NONBLOCK
    for path in (fifo, tmp_path, Path("/dev/zero")):
        with pytest.raises(EvidenceError, match="not a regular file"):
            store.import_file(path)
    with pytest.raises(EvidenceError, match=r"cannot open .*missing"):
        store.import_file(tmp_path / "missing")


def test_store_refuses_a_symlinked_blob_directory(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "store" / "sha256").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(EvidenceError, match="not a directory"):
        FileSystemBlobStore(tmp_path / "store")


def test_store_refuses_a_writable_blob_mode(tmp_path: Path) -> None:
    for mode in (0o644, 0o000, 0o555):
        with pytest.raises(EvidenceError, match="blob_mode"):
            FileSystemBlobStore(tmp_path / "s", blob_mode=mode)


def test_every_error_is_a_casefile_error(store: FileSystemBlobStore) -> None:
    with pytest.raises(CasefileError):
        store.open(b"short")


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    block = os.urandom(1 << 20)
    with path.open("wb") as f:
        for _ in range(9):
            f.write(block)
        f.write(block[:12345])
    return path


def test_multi_chunk_file_round_trips(store: FileSystemBlobStore, big_file: Path) -> None:
    info = store.put_path(big_file)
    assert info.sha256 == sha(big_file.read_bytes())
    with store.open(info.sha256) as f:
        assert sha(drain(f, 300_000)) == info.sha256
    assert store.fixity_report().ok
