"""``casefile evidence add`` and ``evidence check``: files into a case, every blob re-checked."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casefile.cli._secrets import key_file_bytes
from casefile.evidence import FileSystemBlobStore
from casefile.signing import InMemorySigner
from cli._support import Demo, Run, run_cli


@dataclass(frozen=True)
class Store:
    """A private copy of the demo's case store, keys and trust store, free to change."""

    root: Path
    demo: Demo

    @property
    def db(self) -> Path:
        return self.root / "casefile.sqlite"

    @property
    def evidence(self) -> Path:
        return self.root / "evidence"


@pytest.fixture
def store(demo: Demo, tmp_path: Path) -> Store:
    root = tmp_path / "station"
    root.mkdir()
    shutil.copy(demo.db, root / "casefile.sqlite")
    return Store(root, demo)


def _add(store: Store, file: Path, exhibit: str, *extra: object, key: str = "pc-4721") -> Run:
    return run_cli(
        [
            "evidence", "add", "--db", store.db, "--case", "42NS1234526",
            "--trust", store.demo.trust, "--file", file, "--exhibit", exhibit,
            "--kind", "audio", "--media-type", "audio/wav",
            "--key", store.demo.root / "keys" / f"{key}.key",
            "--passphrase-file", store.demo.passphrase, *extra,
        ]
    )  # fmt: skip


def _blobs(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "sha256").rglob("*") if p.is_file())


def _exhibits(store: Store, *extra: object) -> Run:
    return run_cli(
        ["exhibits", "--db", store.db, "--case", "42NS1234526", "--trust", store.demo.trust,
         *extra]
    )  # fmt: skip


def test_added_file_is_stored_recorded_and_listed(store: Store, tmp_path: Path) -> None:
    clip = tmp_path / "999-call.wav"
    clip.write_bytes(b"RIFF" + bytes(range(256)) * 40)
    digest = hashlib.sha256(clip.read_bytes()).hexdigest()
    result = _add(store, clip, "SO/9", "--description", "999 call recording")
    assert result.code == 0, result.err
    assert digest in result.out
    assert "signed by northshire.police.example/officer/4721" in result.out
    # Streamed into the default store beside the SQLite file, named by its hash.
    assert [p.name for p in _blobs(store.evidence)] == [digest]
    table = _exhibits(store)
    assert table.code == 0, table.err
    row = next(line for line in table.out.splitlines() if line.startswith("SO/9 "))
    assert "999 call recording" in row
    assert digest[:12] in row
    register = json.loads(_exhibits(store, "--json").out)
    added = next(e for e in register["exhibits"] if e["reference"] == "SO/9")
    assert added["sha256"] == digest
    assert added["media_type"] == "audio/wav"


def test_capture_time_is_shown_to_the_second_and_recorded_to_the_nanosecond(
    store: Store, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.wav"
    clip.write_bytes(b"RIFF" + b"\x01" * 64)
    result = _add(store, clip, "SO/8", "--captured-at", "2026-03-01T14:05:09.123456789Z")
    assert result.code == 0, result.err
    assert "captured   2026-03-01 14:05:09 UTC\n" in result.out
    register = json.loads(_exhibits(store, "--json").out)
    added = next(e for e in register["exhibits"] if e["reference"] == "SO/8")
    assert "2026-03-01T14:05:09.123456789Z" in json.dumps(added)


def test_the_same_bytes_twice_are_stored_once(store: Store, tmp_path: Path) -> None:
    clip = tmp_path / "a.wav"
    clip.write_bytes(b"same bytes")
    assert _add(store, clip, "SO/8").code == 0
    again = _add(store, clip, "SO/9")
    assert again.code == 0, again.err
    assert "already in the store" in again.out
    assert len(_blobs(store.evidence)) == 1


def test_reused_reference_is_refused_before_anything_is_stored(
    store: Store, tmp_path: Path
) -> None:
    clip = tmp_path / "a.wav"
    clip.write_bytes(b"a second file under an existing reference")
    result = _add(store, clip, "SO/1")
    assert result.code == 2
    assert "SO/1 already exists" in result.err
    assert not store.evidence.exists() or _blobs(store.evidence) == []


def test_key_outside_the_trust_store_is_refused_before_anything_is_stored(
    store: Store, tmp_path: Path
) -> None:
    forged = tmp_path / "keys"
    forged.mkdir()
    (forged / "rogue.key").write_bytes(key_file_bytes(InMemorySigner.generate(), None))
    clip = tmp_path / "a.wav"
    clip.write_bytes(b"planted")
    argv = [
        "evidence", "add", "--db", store.db, "--case", "42NS1234526", "--trust",
        store.demo.trust, "--file", clip, "--exhibit", "SO/9", "--kind", "audio",
        "--media-type", "audio/wav", "--key", forged / "rogue.key",
    ]  # fmt: skip
    result = run_cli(argv)
    assert result.code == 2
    assert "not in the trust store" in result.err
    assert not store.evidence.exists()


@pytest.mark.parametrize(
    ("exhibit", "media_type", "problem"),
    [("so/1", "audio/wav", "not an exhibit reference"), ("SO/9", "wav", "not a media type")],
)
def test_malformed_reference_or_media_type_is_refused_before_anything_is_stored(
    store: Store, tmp_path: Path, exhibit: str, media_type: str, problem: str
) -> None:
    clip = tmp_path / "a.wav"
    clip.write_bytes(b"x")
    argv = _add_argv(store, clip, exhibit, media_type)
    result = run_cli(argv)
    assert result.code == 2
    assert problem in result.err
    assert not store.evidence.exists()


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--device", "", "device: must not be empty"),
        ("--location", "", "location: must not be empty"),
        ("--description", "x" * (1024 * 1024 + 1), "description: longer than"),
        ("--location", "cafe\u0301", "location: text is not NFC-normalised"),
    ],
)
def test_a_refused_description_of_the_capture_stores_no_file(
    store: Store, tmp_path: Path, option: str, value: str, problem: str
) -> None:
    # A file left in the evidence store that no record names is evidence of nothing.
    clip = tmp_path / "a.wav"
    clip.write_bytes(b"a clip whose record is refused")
    result = _add(store, clip, "SO/9", option, value)
    assert result.code == 2
    assert problem in result.err
    assert not store.evidence.exists() or _blobs(store.evidence) == []


def test_evidence_for_a_closed_case_is_refused_before_anything_is_stored(
    store: Store, tmp_path: Path
) -> None:
    from casefile.application import CasefileApp, StoreConfig
    from casefile.signing import load_private_key, load_trust_store

    officer = load_private_key(
        store.demo.root / "keys" / "dc-3308.key",
        store.demo.passphrase.read_bytes().rstrip(b"\n"),
    )
    app = CasefileApp(store=StoreConfig.sqlite(store.db), trust=load_trust_store(store.demo.trust))
    try:
        (case_id,) = app.list_cases()
        app.change_status(case_id, officer, status="closed", reason="No further action")
    finally:
        app.close()
    clip = tmp_path / "a.wav"
    clip.write_bytes(b"a clip for a closed case")
    result = _add(store, clip, "SO/9")
    assert result.code == 2
    assert "closed" in result.err
    assert not store.evidence.exists() or _blobs(store.evidence) == []


def _add_argv(store: Store, clip: Path, exhibit: str, media_type: str) -> list[object]:
    return [
        "evidence", "add", "--db", store.db, "--case", "42NS1234526", "--trust",
        store.demo.trust, "--file", clip, "--exhibit", exhibit, "--kind", "audio",
        "--media-type", media_type, "--key", store.demo.root / "keys" / "pc-4721.key",
        "--passphrase-file", store.demo.passphrase,
    ]  # fmt: skip


def test_a_fifo_or_missing_file_is_refused(store: Store, tmp_path: Path) -> None:
    assert "no such file" in _add(store, tmp_path / "missing.wav", "SO/9").err
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = _add(store, fifo, "SO/9")
    assert result.code == 2
    assert "Traceback" not in result.err


def test_clean_store_checks_out(store: Store, tmp_path: Path) -> None:
    for n in range(3):
        clip = tmp_path / f"{n}.wav"
        clip.write_bytes(f"clip {n}".encode())
        assert _add(store, clip, f"SO/{n + 7}").code == 0
    result = run_cli(["evidence", "check", "--store", store.evidence])
    assert result.code == 0, result.out
    assert "3 blob(s) matched" in result.out
    assert "all match" in result.out
    report = json.loads(run_cli(["evidence", "check", "--store", store.evidence, "--json"]).out)
    assert report["ok"] is True
    assert report["blobs_checked"] == 3
    assert report["failures"] == []


def _tamper(blob: Path) -> None:
    blob.chmod(0o600)
    data = bytearray(blob.read_bytes())
    data[0] ^= 0x01
    blob.write_bytes(bytes(data))


def test_tampered_blob_fails_the_check_and_is_named(store: Store, tmp_path: Path) -> None:
    for n in range(2):
        clip = tmp_path / f"{n}.wav"
        clip.write_bytes(f"clip {n}".encode())
        assert _add(store, clip, f"SO/{n + 7}").code == 0
    victim = _blobs(store.evidence)[0]
    _tamper(victim)
    result = run_cli(["evidence", "check", "--store", store.evidence])
    assert result.code == 1
    assert f"MISMATCH   sha256/{victim.name[:2]}/{victim.name[2:4]}/{victim.name}" in result.out
    assert "1 problem(s)" in result.out
    report = json.loads(run_cli(["evidence", "check", "--store", store.evidence, "--json"]).out)
    assert report["ok"] is False
    assert report["blobs_checked"] == 1
    [failure] = report["failures"]
    assert failure["status"] == "mismatch"
    assert failure["sha256"] == victim.name
    assert failure["actual_sha256"] == hashlib.sha256(victim.read_bytes()).hexdigest()


def test_stray_file_planted_in_a_store_fails_the_check(store: Store, tmp_path: Path) -> None:
    clip = tmp_path / "a.wav"
    clip.write_bytes(b"clip")
    assert _add(store, clip, "SO/9").code == 0
    (store.evidence / "sha256" / "planted.txt").write_text("not evidence")
    result = run_cli(["evidence", "check", "--store", store.evidence, "--json"])
    assert result.code == 1
    [failure] = json.loads(result.out)["failures"]
    assert failure == failure | {"path": "sha256/planted.txt", "status": "unexpected"}


def test_checking_a_folder_that_is_not_a_store_creates_nothing(tmp_path: Path) -> None:
    (tmp_path / "holiday.jpg").write_bytes(b"\xff\xd8")
    result = run_cli(["evidence", "check", "--store", tmp_path])
    assert result.code == 2
    assert "not an evidence store" in result.err
    assert [p.name for p in tmp_path.iterdir()] == ["holiday.jpg"]
    assert run_cli(["evidence", "check", "--store", tmp_path / "missing"]).code == 2
    assert not (tmp_path / "missing").exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flips=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=4))
def test_any_flipped_byte_in_a_blob_is_caught(
    flips: list[int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("store")
    blobs = FileSystemBlobStore(root)
    info = blobs.put_stream(io.BytesIO(bytes(range(256)) * 8))
    blob = _blobs(root)[0]
    blob.chmod(0o600)
    data = bytearray(blob.read_bytes())
    for offset in flips:
        data[offset % len(data)] ^= 1 << (offset % 8)
    blob.write_bytes(bytes(data))
    result = run_cli(["evidence", "check", "--store", root, "--json"])
    changed = hashlib.sha256(bytes(data)).digest() != info.sha256
    assert result.code == (1 if changed else 0)
    if changed:
        assert json.loads(result.out)["failures"][0]["sha256"] == info.hex
