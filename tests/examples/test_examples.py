"""The examples run as a user would run them: each alone, and one after another."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(script: str, *args: object, code: int = 0) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, EXAMPLES / script, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_officer_visit_records_one_transaction(tmp_path: Path) -> None:
    out = _run("officer_visit.py", tmp_path)
    assert "7 records stored in one transaction" in out
    assert (tmp_path / "cases.sqlite").is_file()
    assert (tmp_path / "trust.json").is_file()
    blobs = [p for p in (tmp_path / "evidence" / "sha256").rglob("*") if p.is_file()]
    assert len(blobs) == 1
    # A second visit is a second case under the same keys.
    assert "42EX0000226" in _run("officer_visit.py", tmp_path)


def test_cps_handover_alone_writes_a_verified_bundle_and_zip(tmp_path: Path) -> None:
    out = _run("cps_handover.py", tmp_path)
    assert "(verified: True)" in out
    assert (tmp_path / "handover" / "manifest.dsse.json").is_file()
    assert (tmp_path / "handover.zip").is_file()
    assert "1 exhibit(s) with 0 continuity finding(s)" in out
    register = json.loads((tmp_path / "handover" / "views" / "exhibits.json").read_text())
    [exhibit] = register["exhibits"]
    assert exhibit["reference"] == "SO/1"
    assert exhibit["sealed"] is True
    assert exhibit["custodian"]["name"] == "Sarah Okafor"
    # Handing over again would overwrite: refused, and the first bundle stays.
    before = (tmp_path / "handover.zip").read_bytes()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    again = subprocess.run(
        [sys.executable, EXAMPLES / "cps_handover.py", tmp_path],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert again.returncode != 0
    assert (tmp_path / "handover.zip").read_bytes() == before


def test_audit_verify_alone_runs_the_chain_and_lists_who_recorded_what(tmp_path: Path) -> None:
    out = _run("audit_verify.py", tmp_path)
    assert "verified: yes" in out
    assert "case.opened" in out
    assert "PC 4721 Sarah Okafor" in out
    assert "withheld_fields" in out


def test_examples_build_on_each_other(tmp_path: Path) -> None:
    _run("officer_visit.py", tmp_path)
    _run("officer_visit.py", tmp_path)
    assert "42EX0000126" in _run("cps_handover.py", tmp_path, "--reference", "42EX0000126")
    out = _run("audit_verify.py", tmp_path, tmp_path / "handover")
    assert "verified: yes" in out


def test_continuity_gap_reports_the_gap_and_the_misread_seal_of_verified_records() -> None:
    out = _run("continuity_gap.py")
    lines = out.splitlines()
    assert "refused by the Investigation: seal 'NS-0073321'" in out
    # The suspect joins the case (record 2) before their phone is seized from them.
    assert "integrity: verified, 6 records" in out
    assert "continuity: 2 finding(s)" in lines
    gap = next(line for line in lines if line.lstrip().startswith("unexplained_gap:"))
    assert "AW/1, record 5" in gap
    mismatch = next(line for line in lines if line.lstrip().startswith("seal_mismatch:"))
    assert "AW/1, record 6" in mismatch
    assert "NS-0073321" in mismatch
    assert "NS-0073312" in mismatch


def test_continuity_gap_within_a_longer_policy_is_no_gap() -> None:
    out = _run("continuity_gap.py", "--max-gap-days", "60")
    assert "continuity: 1 finding(s)" in out.splitlines()
    assert "unexplained_gap" not in out
    assert "seal_mismatch" in out


@pytest.fixture
def handed_over(tmp_path: Path) -> Path:
    _run("cps_handover.py", tmp_path)
    return tmp_path


def test_audit_of_a_tampered_bundle_fails(handed_over: Path) -> None:
    records = handed_over / "handover" / "records.bin"
    data = bytearray(records.read_bytes())
    data[len(data) // 2] ^= 0x01
    records.write_bytes(bytes(data))
    out = _run("audit_verify.py", handed_over, handed_over / "handover", code=1)
    assert "verified: NO" in out
    assert "error: record" in out


def test_cps_casefile_reads_the_mg6c_of_a_verified_bundle(tmp_path: Path) -> None:
    out = _run("cps_casefile.py", tmp_path)
    lines = out.splitlines()
    assert lines[0] == "bundle bundle-cps.zip: verified: yes"
    assert "MG6C non-sensitive unused material, revision 1, certified by Daniel Reyes" in lines
    items = [line.split() for line in lines if line.startswith("    ")]
    assert [words[0] for words in items] == ["1", "2"]
    assert "clearly_not_disclosable (Aisha Bello, Crown Prosecution Service)" in lines[3]
    assert "disclose (Aisha Bello, Crown Prosecution Service)" in lines[4]
    # The sensitive item is on the MG6D, never on the schedule the defence will be served.
    assert "Intelligence report" not in out
    assert "finding:" not in out  # the records keep the rules between them


def test_cps_casefile_builds_nothing_from_a_tampered_bundle(tmp_path: Path) -> None:
    _run("cps_casefile.py", tmp_path)
    opened = tmp_path / "opened"
    with zipfile.ZipFile(tmp_path / "bundle-cps.zip") as archive:
        archive.extractall(opened)
    records = opened / "records.bin"
    data = bytearray(records.read_bytes())
    data[len(data) // 2] ^= 0x01
    records.write_bytes(bytes(data))
    out = _run("cps_casefile.py", tmp_path, opened, code=1)
    assert "verified: NO" in out
    assert "MG6C" not in out


def test_cps_casefile_reads_a_bundle_with_the_trust_store_it_is_given(tmp_path: Path) -> None:
    # A bundle handed over elsewhere comes with its own trust store: --trust names it.
    _run("cps_casefile.py", tmp_path / "police")
    out = _run(
        "cps_casefile.py",
        tmp_path / "cps",
        tmp_path / "police" / "bundle-cps.zip",
        "--trust",
        tmp_path / "police" / "trust.json",
    )
    assert out.splitlines()[0] == "bundle bundle-cps.zip: verified: yes"


def test_cps_casefile_names_a_missing_trust_store_without_a_traceback(tmp_path: Path) -> None:
    _run("cps_casefile.py", tmp_path / "police")
    done = subprocess.run(
        [sys.executable, EXAMPLES / "cps_casefile.py", tmp_path / "cps",
         tmp_path / "police" / "bundle-cps.zip"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert str(tmp_path / "cps" / "trust.json") in done.stderr
