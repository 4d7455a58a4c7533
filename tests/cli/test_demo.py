"""``casefile demo``: the main job, end to end, and its all-or-nothing folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casefile.cli import _demo_cmd
from casefile.errors import InputError
from casefile.signing import load_trust_store
from cli._support import Demo, run_cli


def test_demo_records_exports_and_verifies_the_case(demo: Demo) -> None:
    lines = demo.output.splitlines()
    assert len(lines) < 25
    assert "verified    yes" in demo.output
    assert "42NS1234526" in demo.output
    for name in ("casefile.sqlite", "bundle/manifest.dsse.json", "bundle.zip", "keys/trust.json"):
        assert (demo.root / name).is_file(), name
    assert sorted(p.name for p in (demo.root / "evidence").iterdir()) == [
        "DR-1.png",
        "MH-1.png",
        "SO-1.png",
        "SO-2.png",
    ]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in (demo.root / "evidence").iterdir())


@pytest.mark.parametrize("name", ["bundle", "bundle.zip"])
def test_demo_bundle_verifies_with_the_trust_store(demo: Demo, name: str) -> None:
    result = run_cli(["verify", demo.root / name, "--json", "--trust", demo.trust])
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["verified"] is True
    assert report["records"] == 16
    assert report["errors"] == []
    assert report["evidence"] == {
        "bytes": report["evidence"]["bytes"],
        "files": 4,
        "verified": True,
    }
    assert "trust_from_bundle" not in {f["kind"] for f in report["findings"]}


def test_demo_keys_hold_two_officers_and_a_checkpoint_service(demo: Demo) -> None:
    trust = load_trust_store(demo.trust)
    ranks = sorted((e.holder.rank, e.holder.number) for e in trust.entries)
    assert ranks == [("", "SVC-01"), ("DC", "3308"), ("PC", "4721")]
    assert {r for e in trust.entries for r in e.roles} == {"recorder", "checkpoint"}
    assert (demo.root / "keys" / "pc-4721.key").stat().st_mode & 0o077 == 0


def test_demo_case_is_listed_with_its_reference(demo: Demo) -> None:
    result = run_cli(["cases", "--db", demo.db, "--trust", demo.trust])
    assert result.code == 0, result.err
    assert "42NS1234526" in result.out
    assert "16 records" in result.out
    assert "referred_to_cps" in result.out


def test_demo_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    result = run_cli(["demo", "--out", tmp_path])
    assert result.code == 2
    assert "refusing" in result.err
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_demo_fills_an_empty_folder_and_defaults_to_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli(["demo", "--out", empty]).code == 0
    assert (empty / "bundle.zip").is_file()
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    result = run_cli(["demo"])
    assert time.perf_counter() - started < 10
    assert result.code == 0, result.err
    made = [p for p in tmp_path.iterdir() if p.name.startswith("casefile-demo-")]
    assert len(made) == 1
    assert (made[0] / "bundle.zip").is_file()


def test_failed_demo_leaves_no_partial_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise InputError("the device ran out of battery")

    monkeypatch.setattr(_demo_cmd, "_make_keys", fail)
    result = run_cli(["demo", "--out", tmp_path / "demo"])
    assert result.code == 2
    assert result.err == "casefile: error: the device ran out of battery\n"
    assert list(tmp_path.iterdir()) == []


def test_console_script_runs_the_demo_and_verifies_it(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("casefile")
    if not script.exists():
        pytest.skip("the casefile console script is not installed beside this interpreter")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    demo = subprocess.run(
        [script, "demo", "--out", tmp_path / "d"], capture_output=True, text=True, env=env
    )
    assert demo.returncode == 0, demo.stderr
    verify = subprocess.run(
        [script, "verify", "--json", tmp_path / "d" / "bundle.zip"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert verify.returncode == 0, verify.stderr
    assert json.loads(verify.stdout)["verified"] is True
    assert "Traceback" not in demo.stderr + verify.stderr
