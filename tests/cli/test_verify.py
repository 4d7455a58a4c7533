"""``casefile verify``: exit 0 verified, 1 failed (naming the record), 2 unusable; no traceback."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.cli import _verify_cmd
from cli._support import Demo, run_cli


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0x01
    path.write_bytes(bytes(data))


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err
    assert err.count("\n") <= 1


def test_flipped_byte_in_records_fails_naming_the_record(bundle_copy: Path) -> None:
    records = bundle_copy / "records.bin"
    _flip(records, records.stat().st_size // 2)
    result = run_cli(["verify", "--trust-bundle", bundle_copy, "--json"])
    assert result.code == 1
    report = json.loads(result.out)
    assert report["verified"] is False
    assert {"B4"} <= {e["step"] for e in report["errors"]}
    named = [e for e in report["errors"] if e["seq"] is not None]
    assert named, report["errors"]
    assert all(set(e) >= {"seq", "kind", "step", "message"} for e in report["errors"])


def test_tampered_bundle_report_says_no_and_lists_the_errors(bundle_copy: Path) -> None:
    _flip(bundle_copy / "records.bin", 200)
    result = run_cli(["verify", "--trust-bundle", bundle_copy])
    assert result.code == 1
    assert result.out.startswith("verified: NO\n")
    assert "step B4" in result.out
    _no_traceback(result.err)


def test_removed_evidence_file_fails(bundle_copy: Path) -> None:
    victim = next((bundle_copy / "evidence").iterdir())
    victim.unlink()
    result = run_cli(["verify", "--trust-bundle", bundle_copy, "--json"])
    assert result.code == 1
    assert "missing" in json.dumps(json.loads(result.out)["errors"])


def test_keys_the_auditor_does_not_trust_fail(demo: Demo, tmp_path: Path) -> None:
    made = run_cli(
        [
            "keys", "new", "--name", "other.example/checkpoint", "--holder-name", "Other",
            "--rank", "", "--number", "1", "--force", "Other", "--role", "checkpoint",
            "--out", tmp_path / "k", "--no-passphrase", "--trust-entry", tmp_path / "t.json",
        ]
    )  # fmt: skip
    assert made.code == 0, made.err
    result = run_cli(["verify", demo.root / "bundle.zip", "--trust", tmp_path / "t.json", "--json"])
    assert result.code == 1
    assert json.loads(result.out)["errors"][0]["step"] == "B2"


def test_without_trust_the_bundle_keys_are_used_and_said_so(demo: Demo) -> None:
    result = run_cli(["verify", "--trust-bundle", demo.root / "bundle", "--json"])
    assert result.code == 0
    kinds = {f["kind"] for f in json.loads(result.out)["findings"]}
    assert "trust_from_bundle" in kinds
    human = run_cli(["verify", "--trust-bundle", demo.root / "bundle"])
    assert "trust_from_bundle" in human.out
    assert human.out.startswith("verified: yes")


def test_at_before_the_keys_were_valid_fails(demo: Demo) -> None:
    result = run_cli(
        ["verify", "--trust-bundle", demo.root / "bundle.zip", "--at", "2000-01-01T00:00:00Z"]
    )
    assert result.code == 1


@pytest.mark.parametrize("at", ["yesterday", "2026-01-01 00:00:00", "2026-02-30T00:00:00Z"])
def test_malformed_at_is_unusable_input(demo: Demo, at: str) -> None:
    result = run_cli(["verify", "--trust-bundle", demo.root / "bundle.zip", "--at", at])
    assert result.code == 2
    assert result.err.startswith("casefile: error: ")
    _no_traceback(result.err)


def test_nonexistent_path_is_unusable_input(tmp_path: Path) -> None:
    result = run_cli(["verify", "--trust-bundle", tmp_path / "nothing-here.zip"])
    assert result.code == 2
    _no_traceback(result.err)


@settings(max_examples=25, deadline=None)
@given(garbage=st.binary(max_size=2048))
def test_garbage_file_is_unusable_input(
    garbage: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("garbage") / "bundle.zip"
    path.write_bytes(b"PK\x03\x04" + garbage)
    result = run_cli(["verify", "--trust-bundle", path, "--json"])
    assert result.code == 2
    assert json.loads(result.out)["error"]["path"] == str(path)
    _no_traceback(result.err)


def test_bad_trust_file_is_unusable_input(demo: Demo, tmp_path: Path) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text('{"format": "casefile-trust-store", "version": 1, "keys": [], "keys": []}')
    result = run_cli(["verify", demo.root / "bundle.zip", "--trust", trust])
    assert result.code == 2
    assert "duplicate" in result.err
    _no_traceback(result.err)


@pytest.mark.parametrize("evil", ["../escaped.txt", "/absolute/escape.txt", "evidence/../../x"])
def test_zip_slip_bundle_is_refused_and_writes_nothing(
    demo: Demo, tmp_path: Path, evil: str
) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    archive = inner / "slip.zip"
    with zipfile.ZipFile(demo.root / "bundle.zip") as good, zipfile.ZipFile(archive, "w") as bad:
        for name in good.namelist():
            bad.writestr(name, good.read(name))
        bad.writestr(evil, b"owned")
    result = run_cli(["verify", "--trust-bundle", archive])
    assert result.code == 2
    assert "casefile: error:" in result.err
    _no_traceback(result.err)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["inner", "slip.zip"]


def test_workers_must_be_positive(demo: Demo) -> None:
    assert run_cli(["verify", "--trust-bundle", demo.root / "bundle", "--workers", "0"]).code == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_for_large_bundles_on_a_terminal() -> None:
    big = _verify_cmd.PROGRESS_THRESHOLD
    with _verify_cmd._progress(big, io.StringIO()) as progress:
        assert progress is None
    with _verify_cmd._progress(big - 1, _Terminal()) as progress:
        assert progress is None
    terminal = _Terminal()
    with _verify_cmd._progress(big, terminal) as progress:
        assert progress is not None
        progress(big // 2)
        progress(big)
    assert "verifying" in terminal.getvalue()


def test_empty_trust_json_under_a_resigned_manifest_fails_with_the_auditors_trust(
    tmp_path: Path,
) -> None:
    from _bundlecase import AT, World, make_bundle, replace_and_resign
    from casefile._time import ns_to_rfc3339
    from casefile.signing import dump_trust_store

    world = World()
    make_bundle(tmp_path / "b", world)
    replace_and_resign(tmp_path / "b", "trust.json", b"{}", world)
    (tmp_path / "auditor.json").write_text(dump_trust_store(world.trust), encoding="utf-8")
    auditor = tmp_path / "auditor.json"
    result = run_cli(["verify", tmp_path / "b", "--trust", auditor, "--at", ns_to_rfc3339(AT)])
    assert result.code == 1
    assert result.out.startswith("verified: NO\n")
    assert "step B10" in result.out
    _no_traceback(result.err)
