"""Bounded memory: writing, reading and verifying stream the records, whatever their number."""

from __future__ import annotations

import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from _bundlecase import AT, World, write_streamed_case
from casefile.bundle import open_bundle, verify_bundle, zip_bundle

WORLD = World()
SMALL, LARGE = 2_000, 20_000


def _peak(action: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _flat(small: int, large: int) -> bool:
    # Ten times the records, about the same peak: nothing grows with the case.
    return large < small * 1.5 + (1 << 20)


@pytest.fixture(scope="module")
def bundles() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for n in (SMALL, LARGE):
            # V14 keeps every commitment of a case (its legitimate content, 32 bytes and a
            # set entry each): these notes commit none, so anything else that grew would show.
            write_streamed_case(root / str(n), WORLD, n, texts=False)
            zip_bundle(root / str(n), root / f"{n}.zip")
        yield root


def test_verifying_a_large_bundle_keeps_memory_flat(bundles: Path) -> None:
    def verify(n: int) -> Callable[[], object]:
        def run() -> object:
            result = verify_bundle(bundles / str(n), at=AT, trust=WORLD.trust, workers=1)
            assert result.verified
            assert result.records == n
            return result

        return run

    small, large = _peak(verify(SMALL)), _peak(verify(LARGE))
    assert _flat(small, large), (small, large)


def test_reading_records_from_a_large_zip_keeps_memory_flat(bundles: Path) -> None:
    def read(n: int) -> Callable[[], object]:
        def run() -> object:
            with open_bundle(bundles / f"{n}.zip") as bundle:
                count = sum(1 for _ in bundle.records())
            assert count == n
            return count

        return run

    small, large = _peak(read(SMALL)), _peak(read(LARGE))
    assert _flat(small, large), (small, large)


def test_writing_a_large_bundle_keeps_memory_flat(tmp_path: Path) -> None:
    small = _peak(lambda: write_streamed_case(tmp_path / "small", WORLD, 500))
    large = _peak(lambda: write_streamed_case(tmp_path / "large", WORLD, 5_000))
    assert _flat(small, large), (small, large)


def _forged_bundle(dest: Path, n: int) -> None:
    """A bundle whose records.bin holds ``n`` framed forgeries under a re-signed manifest.

    Each names a trusted key and a new event type, and carries a signature that
    fails: everything a verifier might be tempted to remember differs per record.
    """
    import hashlib

    from casefile.bundle._dsse import seal_envelope
    from casefile.bundle._manifest import FileEntry, Manifest, manifest_bytes
    from casefile.encoding import encode
    from casefile.signing._records import ZERO_HASH

    write_streamed_case(dest, WORLD, 1)
    with open_bundle(dest) as bundle:
        m = bundle.manifest
    digest, size = hashlib.sha256(), 0
    with open(dest / "records.bin", "wb") as out:
        for i in range(n):
            header = {
                "v": 2,
                "case": m.case_id.bytes,
                "seq": i + 1,
                "prev": ZERO_HASH,
                "type": f"forged.t{i}",
                "schema": 1,
                "time": AT + i,
                "key": WORLD.alice.public_key.key_id,
                "data": {"pad": "x" * 64},
                "pd": {"name": i.to_bytes(32, "big")},
            }
            frame = encode(encode({"rec": encode(header), "sig": bytes(64)}))
            digest.update(frame)
            size += len(frame)
            out.write(frame)
    files = tuple(
        FileEntry("records.bin", size, digest.digest()) if f.path == "records.bin" else f
        for f in m.files
    )
    manifest = Manifest(m.case_id, n, m.checkpoint, m.disclosure_policy, files)
    (dest / "manifest.dsse.json").write_bytes(seal_envelope(manifest_bytes(manifest), WORLD.log))


@pytest.mark.slow
def test_records_failing_verification_under_a_resigned_manifest_keep_memory_flat(
    tmp_path: Path,
) -> None:
    def report(n: int) -> Callable[[], object]:
        _forged_bundle(tmp_path / str(n), n)

        def run() -> object:
            result = verify_bundle(
                tmp_path / str(n), at=AT, trust=WORLD.trust, workers=1, report=True
            )
            assert not result.verified
            assert result.truncated_errors
            return result

        return run

    small_run, large_run = report(5_000), report(50_000)
    small, large = _peak(small_run), _peak(large_run)
    assert _flat(small, large), (small, large)
