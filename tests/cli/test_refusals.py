"""Arguments the command refuses, or holds in bounds, instead of half-using or ignoring them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casefile.cli._demo_cmd import CHECKPOINT_NAME
from cli._support import Demo, evidence_add_argv, export_argv, run_cli


def _export(demo: Demo, out: Path, key: Path, name: str = CHECKPOINT_NAME) -> list[object]:
    return export_argv(demo, out, key=key, name=name)


# --- an argument that would be silently ignored ----------------------------------------------


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_export_refuses_an_evidence_dir_that_is_no_folder_even_when_unneeded(
    demo: Demo, tmp_path: Path, kind: str
) -> None:
    # The demo's store holds every file, so the folder would never be read.
    folder = tmp_path / "evidence-folder"
    if kind == "file":
        folder.write_bytes(b"")
    key = demo.root / "keys" / "checkpoint.key"
    result = run_cli([*_export(demo, tmp_path / "out", key), "--evidence-dir", folder])
    assert result.code == 2
    assert str(folder) in result.err
    assert "--evidence-dir" in result.err
    assert not (tmp_path / "out").exists()


def test_export_refuses_a_mistyped_disclosure_field_instead_of_withholding_it(
    demo: Demo, tmp_path: Path
) -> None:
    key = demo.root / "keys" / "checkpoint.key"
    result = run_cli([*_export(demo, tmp_path / "out", key), "--disclose", "nmae"])
    assert result.code == 2
    assert "'nmae'" in result.err
    assert "date_of_birth" in result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["file", "folder of other things"])
def test_evidence_add_refuses_a_store_that_is_no_store_before_touching_the_case(
    demo: Demo, tmp_path: Path, kind: str
) -> None:
    store = tmp_path / "not-a-store"
    if kind == "file":
        store.write_bytes(b"notes")
    else:
        store.mkdir()
        (store / "holiday.jpg").write_bytes(b"x")
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    result = run_cli(evidence_add_argv(demo, photo, "ZZ/2", "--store", store))
    assert result.code == 2
    assert result.err.startswith(f"casefile: error: {store}: not an evidence store")
    assert "Errno" not in result.err
    if kind != "file":
        assert sorted(p.name for p in store.iterdir()) == ["holiday.jpg"]


# --- filters that can match nothing --------------------------------------------------------------


def test_cases_refuses_a_mistyped_status_instead_of_reporting_no_cases(demo: Demo) -> None:
    result = run_cli(["cases", "--db", demo.db, "--status", "under-investigation"])
    assert result.code == 2
    assert "no cases match" not in result.err
    assert "under_investigation" in result.err


def test_cases_refuses_an_exhibit_filter_that_is_no_exhibit_reference(demo: Demo) -> None:
    result = run_cli(["cases", "--db", demo.db, "--exhibit", "SO1"])
    assert result.code == 2
    assert result.err.startswith("casefile: error: --exhibit: ")


def test_cases_status_choices_are_the_domains_case_statuses() -> None:
    from casefile.cli._cases_cmd import CASE_STATUSES
    from casefile.events import CaseStatus

    assert tuple(status.value for status in CaseStatus) == CASE_STATUSES


def test_top_level_help_lists_every_exit_status(demo: Demo) -> None:
    result = run_cli(["--help"])
    assert result.code == 0
    text = " ".join(result.out.split())
    assert "1 verification or fixity check failed" in text
    assert "3 internal error" in text


# --- times a person can read, and a capture that cannot have happened yet -------------------------


def test_evidence_captured_after_it_is_recorded_is_refused(demo: Demo, tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"a photograph from the future")
    result = run_cli(
        evidence_add_argv(demo, photo, "ZZ/3", "--captured-at", "2099-01-01T00:00:00Z")
    )
    assert result.code == 2
    assert "captured_at: 2099-01-01T00:00:00Z is later than the record's time" in result.err


def test_key_not_yet_valid_error_gives_the_time_as_a_date_not_nanoseconds(
    demo: Demo, tmp_path: Path
) -> None:
    key, trust = tmp_path / "late.key", tmp_path / "trust.json"
    made = run_cli([
        "keys", "new", "--name", "northshire.police.example/officer/9", "--holder-name", "L",
        "--rank", "PC", "--number", "9", "--force", "F", "--out", key, "--no-passphrase",
        "--add-to-trust", trust, "--valid-from", "2099-01-01T00:00:00Z",
    ])  # fmt: skip
    assert made.code == 2  # no such trust file yet: make it from the demo's
    trust.write_bytes(demo.trust.read_bytes())
    made = run_cli([
        "keys", "new", "--name", "northshire.police.example/officer/9", "--holder-name", "L",
        "--rank", "PC", "--number", "9", "--force", "F", "--out", key, "--no-passphrase",
        "--add-to-trust", trust, "--valid-from", "2099-01-01T00:00:00Z",
    ])  # fmt: skip
    assert made.code == 0, made.err
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    result = run_cli(evidence_add_argv(demo, photo, "ZZ/4", key=key, trust=trust, passphrase=False))
    assert result.code == 2
    assert "is not valid at 20" in result.err
    assert "Z (outside its window" in result.err


# --- a standard stream closed by the caller ----------------------------------------------------


def test_closed_stdout_records_nothing_instead_of_failing_after_signing(
    demo: Demo, tmp_path: Path
) -> None:
    import os
    import shutil
    import subprocess
    import sys

    copy = tmp_path / "demo"
    shutil.copytree(demo.root, copy)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    db = copy / "casefile.sqlite"
    before = db.read_bytes()
    program = "import sys; from casefile.cli import main; sys.exit(main())"
    argv = [
        sys.executable, "-c", program, "evidence", "add", "--db", db,
        "--case", "42NS1234526", "--file", photo, "--exhibit", "ZZ/5", "--kind", "photo",
        "--media-type", "image/jpeg", "--key", copy / "keys" / "pc-4721.key",
        "--trust", copy / "keys" / "trust.json",
        "--passphrase-file", copy / "keys" / "demo-passphrase.txt",
    ]  # fmt: skip
    completed = subprocess.run(
        argv,
        preexec_fn=lambda: os.close(1),  # the caller's stdout is closed
        stderr=subprocess.PIPE,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 2, completed.stderr
    assert b"standard output is closed" in completed.stderr
    assert db.read_bytes() == before


# --- keys new ----------------------------------------------------------------------------------


def _new_key(tmp_path: Path, name: str, *extra: object) -> list[object]:
    return [
        "keys", "new", "--name", name, "--holder-name", "X", "--rank", "PC", "--number", "1",
        "--force", "F", "--out", tmp_path / f"{name.rsplit('/', 1)[-1]}.key", "--no-passphrase",
        *extra,
    ]  # fmt: skip


def test_adding_a_key_under_a_taken_name_names_the_trust_store(tmp_path: Path) -> None:
    trust = tmp_path / "trust.json"
    assert run_cli(_new_key(tmp_path, "x.example/a", "--trust-entry", trust)).code == 0
    again = tmp_path / "again"
    again.mkdir()
    result = run_cli(_new_key(again, "x.example/a", "--add-to-trust", trust))
    assert result.code == 2
    assert result.err.startswith(f"casefile: error: {trust}: ")


def test_a_mistyped_role_is_refused_instead_of_making_a_key_that_signs_nothing(
    tmp_path: Path,
) -> None:
    result = run_cli(_new_key(tmp_path, "x.example/b", "--role", "recoder"))
    assert result.code == 2
    assert "'recoder'" in result.err
    assert "recorder" in result.err.split("'recoder'", 1)[1]
    assert not (tmp_path / "b.key").exists()


def test_a_role_the_policy_does_not_name_beside_a_usable_one_is_noted(tmp_path: Path) -> None:
    result = run_cli(_new_key(tmp_path, "x.example/c", "--role", "recorder", "--role", "checkpont"))
    assert result.code == 0, result.err
    assert "note: role 'checkpont' grants nothing" in result.err


def test_a_huge_worker_count_is_held_to_the_cores(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each worker keeps two chunks of records in flight: 100000 of them would read the
    # whole bundle into memory and start that many processes.
    import casefile.cli._verify_cmd as verify_cmd
    from casefile.verifier._pool import available_cores

    asked: list[int | None] = []
    real = verify_cmd.verify_bundle

    def spy(*args: object, **kwargs: object) -> object:
        asked.append(kwargs["workers"])  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(verify_cmd, "verify_bundle", spy)
    result = run_cli(["verify", demo.root / "bundle", "--trust", demo.trust, "--workers", 100000])
    assert result.code == 0, result.err
    assert asked == [available_cores()]


def test_export_names_the_exhibits_whose_files_it_could_not_include(
    demo: Demo, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "demo"
    shutil.copytree(demo.root, copy)
    exhibits = json.loads((copy / "bundle" / "views" / "exhibits.json").read_text())
    digest = next(e["sha256"] for e in exhibits["exhibits"] if e["reference"] == "SO/1")
    (copy / "evidence" / "sha256" / digest[:2] / digest[2:4] / digest).unlink()
    result = run_cli([
        "export", "--db", copy / "casefile.sqlite", "--case", "42NS1234526",
        "--out", tmp_path / "out", "--trust", copy / "keys" / "trust.json",
        "--checkpoint-key", copy / "keys" / "checkpoint.key", "--checkpoint-name",
        CHECKPOINT_NAME, "--passphrase-file", copy / "keys" / "demo-passphrase.txt",
    ])  # fmt: skip
    assert result.code == 0, result.err
    assert "missing    the file of SO/1 (not in the store or folder)" in result.out


def test_a_full_disk_while_writing_a_key_file_names_the_file_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = run_cli(_new_key(tmp_path, "x.example/d", "--trust-entry", tmp_path / "t.json"))
    assert result.code == 2
    assert result.err == f"casefile: error: {tmp_path / 'd.key'}: No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == []
