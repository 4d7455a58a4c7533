"""Edges of the command line: FIFOs, re-zipped and desktop-copied bundles, trust, JSON errors."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from casefile._scratch import new_locked_dir
from casefile.bundle import STAGING_PREFIX
from cli._support import Demo, Run, run_cli
from cli._support import export_argv as _export


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block blocks, as a FIFO read would."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"blocked for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def _refused_at_once(argv: list[object]) -> Run:
    with _deadline(20):
        result = run_cli(argv)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    return result


# --- non-regular files ------------------------------------------------------------------


def test_fifo_as_trust_store_is_refused_instead_of_hanging(demo: Demo, fifo: Path) -> None:
    result = _refused_at_once(["verify", demo.root / "bundle", "--trust", fifo])
    message = f"{fifo}: cannot read the trust store: a FIFO (named pipe), not a regular file"
    assert message in result.err


@pytest.mark.parametrize("option", ["--checkpoint-key", "--passphrase-file", "--db", "--trust"])
def test_fifo_as_any_export_input_is_refused_instead_of_hanging(
    demo: Demo, fifo: Path, tmp_path: Path, option: str
) -> None:
    argv = _export(demo, tmp_path / "out")
    argv[argv.index(option) + 1] = fifo
    result = _refused_at_once(argv)
    assert str(fifo) in result.err
    assert "FIFO" in result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", ["--trust", "--checkpoint-key", "--passphrase-file", "--db"])
def test_endless_device_as_trust_key_passphrase_or_store_is_refused_instead_of_read(
    demo: Demo, tmp_path: Path, option: str
) -> None:
    # /dev/zero never ends: read as a file, it would fill memory or hang.
    argv = _export(demo, tmp_path / "out")
    argv[argv.index(option) + 1] = "/dev/zero"
    result = _refused_at_once(argv)
    assert "/dev/zero: cannot read the" in result.err
    assert "a character device, not a regular file" in result.err
    assert not (tmp_path / "out").exists()


def test_directory_as_trust_store_is_refused_naming_it(demo: Demo, tmp_path: Path) -> None:
    result = _refused_at_once(["verify", demo.root / "bundle", "--trust", tmp_path])
    assert f"{tmp_path}: cannot read the trust store: a directory" in result.err


# --- bundles that went through other hands ---------------------------------------------


def test_rezipped_bundle_is_refused_with_advice_to_unpack_and_verify_the_folder(
    demo: Demo, tmp_path: Path
) -> None:
    rezipped = tmp_path / "rezipped.zip"
    with (
        zipfile.ZipFile(demo.root / "bundle.zip") as good,
        zipfile.ZipFile(rezipped, "w", zipfile.ZIP_DEFLATED) as again,
    ):
        for name in good.namelist():
            again.writestr(name, good.read(name))
    result = run_cli(["verify", rezipped, "--trust", demo.trust])
    assert result.code == 2
    assert str(rezipped) in result.err
    assert "unpack it and verify the folder" in result.err


@pytest.mark.parametrize("debris", [".DS_Store", "._records.bin", "Thumbs.db"])
def test_desktop_file_in_a_copied_bundle_folder_is_named_with_what_to_do(
    demo: Demo, tmp_path: Path, debris: str
) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(demo.root / "bundle", copy)
    (copy / debris).write_bytes(b"\x00\x00\x00\x01Bud1")
    result = run_cli(["verify", copy, "--trust", demo.trust])
    assert result.code == 2
    assert str(copy) in result.err
    assert repr(debris) in result.err
    assert "added by a desktop file manager" in result.err
    assert "delete it" in result.err


def test_macosx_folder_in_a_copied_bundle_is_named_with_what_to_do(
    demo: Demo, tmp_path: Path
) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(demo.root / "bundle", copy)
    (copy / "__MACOSX").mkdir()
    (copy / "__MACOSX" / "._records.bin").write_bytes(b"x")
    result = run_cli(["verify", copy, "--trust", demo.trust])
    assert result.code == 2
    assert "'__MACOSX/': added by a desktop file manager" in result.err


def test_truncated_zip_error_names_the_bundle(demo: Demo, tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes((demo.root / "bundle.zip").read_bytes()[:-10])
    result = run_cli(["verify", cut, "--trust", demo.trust])
    assert result.code == 2
    assert result.err.startswith(f"casefile: error: {str(cut)!r}: zip archive:")


def test_corrupt_database_error_names_the_file(demo: Demo, tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite"
    data = bytearray(demo.db.read_bytes())
    data[16:100] = b"\xff" * 84  # the header's page size and format bytes
    broken.write_bytes(bytes(data))
    argv = _export(demo, tmp_path / "out")
    argv[argv.index("--db") + 1] = broken
    result = run_cli(argv)
    assert result.code == 2
    assert f"case store {broken}:" in result.err
    with contextlib.suppress(sqlite3.DatabaseError):
        sqlite3.connect(broken).execute("SELECT 1 FROM sqlite_master").fetchall()


# --- trust ------------------------------------------------------------------------------------


def test_verify_without_trust_exits_2_and_says_how_to_supply_it(demo: Demo) -> None:
    result = run_cli(["verify", demo.root / "bundle"])
    assert result.code == 2
    assert result.out == ""
    assert "--trust FILE" in result.err
    assert "--trust-bundle" in result.err


def test_trust_bundle_says_integrity_only_in_both_reports(demo: Demo) -> None:
    human = run_cli(["verify", demo.root / "bundle", "--trust-bundle"])
    assert human.code == 0, human.err
    assert "integrity only: keys vouched for by the bundle itself, not by you" in human.out
    report = json.loads(run_cli(["verify", demo.root / "bundle", "--trust-bundle", "--json"]).out)
    assert report["trust"]["integrity_only"] is True
    supplied = run_cli(["verify", demo.root / "bundle", "--trust", demo.trust, "--json"])
    assert json.loads(supplied.out)["trust"] == {"integrity_only": False, "source": "supplied"}
    assert (
        "integrity only" not in run_cli(["verify", demo.root / "bundle", "--trust", demo.trust]).out
    )


def test_trust_and_trust_bundle_together_are_a_usage_error(demo: Demo) -> None:
    result = run_cli(["verify", demo.root / "bundle", "--trust", demo.trust, "--trust-bundle"])
    assert result.code == 2


# --- JSON errors -------------------------------------------------------------------------------


def _json_error(result: Run) -> dict[str, object]:
    assert result.code == 2, result.err
    document = json.loads(result.out)  # the whole of stdout is one JSON document
    assert document["verified"] is False
    error = document["error"]
    assert isinstance(error, dict)
    assert set(error) == {"kind", "message", "path"}
    return error


def test_unusable_bundle_under_json_still_prints_a_json_error_naming_the_path(
    demo: Demo, tmp_path: Path
) -> None:
    missing = tmp_path / "nothing.zip"
    error = _json_error(run_cli(["verify", missing, "--trust", demo.trust, "--json"]))
    assert error["path"] == str(missing)
    assert error["kind"] == "BundleError"


def test_bad_trust_store_under_json_names_the_trust_store(demo: Demo, tmp_path: Path) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text("{")
    error = _json_error(run_cli(["verify", demo.root / "bundle", "--trust", trust, "--json"]))
    assert error["path"] == str(trust)


def test_missing_trust_and_usage_errors_under_json_print_a_json_error(demo: Demo) -> None:
    assert "--trust" in str(_json_error(run_cli(["verify", demo.root / "bundle", "--json"])))
    usage = _json_error(run_cli(["verify", "--json", "--workers", "many", "x"]))
    assert usage["kind"] == "usage"


# --- what killed exports leave ------------------------------------------------------------------


def _staging_left_by_a_killed_export(parent: Path) -> Path:
    fd, path = new_locked_dir(parent, STAGING_PREFIX)
    (path / "bundle.zip").write_bytes(b"\x00" * 5000)
    os.close(fd)  # the process died: its lock went with it
    return path


def test_export_removes_what_killed_exports_left_beside_its_destination(
    demo: Demo, tmp_path: Path
) -> None:
    stale = _staging_left_by_a_killed_export(tmp_path)
    live_fd, live = new_locked_dir(tmp_path, STAGING_PREFIX)  # an export still running
    try:
        result = run_cli([*_export(demo, tmp_path / "case.zip"), "--zip"])
        assert result.code == 0, result.err
        assert not stale.exists()
        assert live.is_dir()
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["case.zip", live.name])
    finally:
        os.close(live_fd)


def test_clean_command_removes_stale_export_staging_and_says_how_much(tmp_path: Path) -> None:
    _staging_left_by_a_killed_export(tmp_path)
    (tmp_path / "unrelated.txt").write_text("kept")
    result = run_cli(["clean", tmp_path])
    assert result.code == 0, result.err
    assert "removed    1 stale staging entry(ies), 5000 bytes" in result.out
    assert [p.name for p in tmp_path.iterdir()] == ["unrelated.txt"]


def test_an_error_met_while_verifying_names_the_bundle_it_is_about(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casefile.cli import _verify_cmd
    from casefile.errors import BundleError

    def replaced(*args: object, **kwargs: object) -> None:
        raise BundleError("member 'records.bin': replaced since the bundle was opened")

    monkeypatch.setattr(_verify_cmd, "verify_bundle", replaced)
    bundle = demo.root / "bundle"
    result = run_cli(["verify", bundle, "--trust", demo.trust])
    assert result.code == 2
    assert result.err.startswith(f"casefile: error: {bundle}: member 'records.bin': replaced")
    error = _json_error(run_cli(["verify", bundle, "--trust", demo.trust, "--json"]))
    assert error["path"] == str(bundle)


def test_fifo_as_previous_checkpoint_is_refused_instead_of_hanging(demo: Demo, fifo: Path) -> None:
    argv = ["verify", demo.root / "bundle", "--trust", demo.trust, "--previous", fifo]
    result = _refused_at_once(argv)
    message = f"{fifo}: cannot read the previous checkpoint: a FIFO (named pipe), not a regular"
    assert message in result.err
