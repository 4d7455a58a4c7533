"""What the command says when an input is wrong: which file or option, and no more than it knows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casefile.cli._demo_cmd import CHECKPOINT_NAME
from cli._support import Demo, evidence_add_argv, export_argv, run_cli

_OFFICER = "northshire.police.example/officer/4721"


def _export(demo: Demo, out: Path, key: Path, name: str = CHECKPOINT_NAME) -> list[object]:
    return export_argv(demo, out, key=key, name=name)


# --- which store lacks the case -----------------------------------------------------------


@pytest.mark.parametrize("case", ["NO-SUCH-REF", "00000000-0000-4000-8000-000000000000"])
def test_unknown_case_error_names_the_case_store_it_looked_in(demo: Demo, case: str) -> None:
    result = run_cli(["exhibits", "--db", demo.db, "--case", case, "--trust", demo.trust])
    assert result.code == 2
    assert str(demo.db) in result.err


def test_cases_on_a_store_that_is_no_casefile_store_names_the_file(
    demo: Demo, tmp_path: Path
) -> None:
    import sqlite3

    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    result = run_cli(["cases", "--db", other])
    assert result.code == 2
    assert str(other) in result.err, result.err


# --- time options name themselves -----------------------------------------------------------


def test_bad_time_for_verify_at_names_the_option(demo: Demo) -> None:
    result = run_cli(["verify", demo.root / "bundle", "--trust", demo.trust, "--at", "yesterday"])
    assert result.code == 2
    assert result.err.startswith("casefile: error: --at: ")
    assert "RFC 3339" in result.err


def test_seconds_given_as_capture_time_name_the_option(demo: Demo, tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    result = run_cli(evidence_add_argv(demo, photo, "ZZ/1", "--captured-at", "1700000000"))
    assert result.code == 2
    assert "--captured-at" in result.err


def test_bad_validity_time_for_a_new_key_names_the_option(tmp_path: Path) -> None:
    result = run_cli([
        "keys", "new", "--name", "x.example/k", "--holder-name", "X", "--rank", "PC",
        "--number", "1", "--force", "F", "--out", tmp_path / "k.key", "--no-passphrase",
        "--valid-until", "2027",
    ])  # fmt: skip
    assert result.code == 2
    assert "--valid-until" in result.err
    assert not (tmp_path / "k.key").exists()


def test_new_key_report_shows_its_validity_to_the_second(tmp_path: Path) -> None:
    result = run_cli([
        "keys", "new", "--name", "x.example/k", "--holder-name", "X", "--rank", "PC",
        "--number", "1", "--force", "F", "--out", tmp_path / "k.key", "--no-passphrase",
        "--trust-entry", tmp_path / "t.json", "--valid-from", "2026-01-01T00:00:00.123456789Z",
    ])  # fmt: skip
    assert result.code == 0, result.err
    assert "valid     from 2026-01-01 00:00:00 UTC" in result.out
    assert "123456789" not in result.out


# --- the checkpoint key: which file disagrees with which ------------------------------------


def test_export_with_another_officers_key_as_checkpoint_key_names_the_key_file(
    demo: Demo, tmp_path: Path
) -> None:
    key = demo.root / "keys" / "pc-4721.key"
    result = run_cli(_export(demo, tmp_path / "out", key))
    assert result.code == 2
    assert str(key) in result.err
    assert _OFFICER in result.err
    assert CHECKPOINT_NAME in result.err
    assert not (tmp_path / "out").exists()


def test_export_with_a_checkpoint_name_the_trust_store_lacks_names_the_trust_store(
    demo: Demo, tmp_path: Path
) -> None:
    key = demo.root / "keys" / "checkpoint.key"
    result = run_cli(_export(demo, tmp_path / "out", key, name="nobody.example/k"))
    assert result.code == 2
    assert str(demo.trust) in result.err
    assert "--checkpoint-name" in result.err


def test_export_with_a_key_lacking_the_checkpoint_role_names_the_trust_store(
    demo: Demo, tmp_path: Path
) -> None:
    key = demo.root / "keys" / "pc-4721.key"
    result = run_cli(_export(demo, tmp_path / "out", key, name=_OFFICER))
    assert result.code == 2
    assert str(demo.trust) in result.err
    assert "checkpoint role" in result.err


def test_evidence_add_with_an_untrusted_key_names_the_key_file(demo: Demo, tmp_path: Path) -> None:
    key = tmp_path / "stranger.key"
    made = run_cli([
        "keys", "new", "--name", "other.example/k", "--holder-name", "X", "--rank", "PC",
        "--number", "1", "--force", "Other", "--out", key, "--no-passphrase",
        "--trust-entry", tmp_path / "other.json",
    ])  # fmt: skip
    assert made.code == 0, made.err
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    result = run_cli(evidence_add_argv(demo, photo, "ZZ/1", key=key, passphrase=False))
    assert result.code == 2
    assert str(key) in result.err


# --- --json on every command that takes it ---------------------------------------------------


def test_evidence_check_json_failure_still_prints_a_json_error(tmp_path: Path) -> None:
    result = run_cli(["evidence", "check", "--store", tmp_path / "absent", "--json"])
    assert result.code == 2
    document = json.loads(result.out)
    assert document["error"]["kind"] == "InputError"
    assert str(tmp_path / "absent") in document["error"]["message"]


def test_exhibits_json_failure_still_prints_a_json_error(demo: Demo) -> None:
    result = run_cli(
        ["exhibits", "--db", demo.db, "--case", "NO-SUCH", "--trust", demo.trust, "--json"]
    )
    assert result.code == 2
    assert json.loads(result.out)["verified"] is False


# --- a report claims only what was checked ---------------------------------------------------


def test_report_of_an_unauthentic_manifest_does_not_claim_evidence_mismatched(demo: Demo) -> None:
    # Verified at a time before the checkpoint key was valid: B2 fails, nothing else is read.
    result = run_cli(
        ["verify", demo.root / "bundle", "--trust", demo.trust, "--at", "1970-01-01T00:00:00Z"]
    )
    assert result.code == 1
    assert "NOT all match" not in result.out
    assert "records      0" not in result.out
    assert "evidence     not checked" in result.out


# --- a PostgreSQL server that is not there -----------------------------------------------------


def test_unreachable_postgres_fails_within_the_timeout_naming_server_and_reason() -> None:
    import socket
    import time

    with socket.socket() as probe:  # a port nothing listens on once this socket is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    result = run_cli([
        "cases", "--postgres-dbname", "nowhere", "--postgres-host", "127.0.0.1",
        "--postgres-port", port, "--postgres-connect-timeout", "1",
    ])  # fmt: skip
    assert time.monotonic() - started < 8
    assert result.code == 2
    assert f"PostgreSQL nowhere@127.0.0.1:{port}" in result.err
    assert "refused" in result.err.lower()


def test_commands_wait_for_postgres_seconds_not_the_library_half_minute() -> None:
    from casefile.cli._main import build_parser

    args = build_parser().parse_args(["cases", "--postgres-dbname", "x"])
    assert args.postgres_connect_timeout <= 10


def test_a_trust_store_lacking_the_cases_signers_says_what_it_must_hold(
    demo: Demo, tmp_path: Path
) -> None:
    # What a stranger does after the README's keys new: that one key as the only trust.
    trust = tmp_path / "trust.json"
    made = run_cli([
        "keys", "new", "--name", "force.example/officer/1234", "--holder-name", "A Officer",
        "--rank", "PC", "--number", "1234", "--force", "Example Police",
        "--out", tmp_path / "officer.key", "--no-passphrase", "--trust-entry", trust,
    ])  # fmt: skip
    assert made.code == 0, made.err
    result = run_cli(["exhibits", "--db", demo.db, "--case", "42NS1234526", "--trust", trust])
    assert result.code == 1
    assert f"{trust} must hold the key of everyone who signed the case" in result.err


def test_a_planted_file_name_with_terminal_escapes_is_shown_escaped(
    demo: Demo, tmp_path: Path
) -> None:
    import shutil

    store = tmp_path / "evidence"
    shutil.copytree(demo.root / "evidence", store)
    prefix = next(p for p in sorted((store / "sha256").iterdir()) if p.is_dir())
    (prefix / "evil\x1b[31mRED\nFAKE      line").write_bytes(b"")
    result = run_cli(["evidence", "check", "--store", store])
    assert result.code == 1
    assert "\x1b" not in result.out
    assert "FAKE" in result.out
    assert not any(line.startswith("FAKE") for line in result.out.splitlines())


# --- a full disk behind standard output ----------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this platform")
@pytest.mark.parametrize("buffered", [True, False])
def test_full_disk_behind_stdout_is_named_without_a_traceback(demo: Demo, buffered: bool) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    program = "import sys; from casefile.cli import main; sys.exit(main())"
    argv = [sys.executable, "-c", program, "verify", demo.root / "bundle", "--trust", demo.trust]
    with Path("/dev/full").open("w") as full:  # a Linux device whose every write fails: ENOSPC
        completed = subprocess.run(
            argv, stdout=full, stderr=subprocess.PIPE, env=env, check=False, timeout=120
        )
    assert completed.returncode == 2
    assert completed.stderr == b"casefile: error: standard output: No space left on device\n"


def test_verify_report_says_the_time_it_judged_key_validity_at_to_the_second(demo: Demo) -> None:
    result = run_cli([
        "verify", demo.root / "bundle", "--trust", demo.trust,
        "--at", "2026-12-31T23:59:59.999999999Z",
    ])  # fmt: skip
    assert "  as of        2026-12-31 23:59:59 UTC\n" in result.out
    assert "999999999" not in result.out


def test_an_empty_case_argument_names_the_option(demo: Demo) -> None:
    result = run_cli(["exhibits", "--db", demo.db, "--case", "", "--trust", demo.trust])
    assert result.code == 2
    assert result.err.startswith("casefile: error: --case: ")
