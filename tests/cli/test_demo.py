"""``casefile demo``: the main job, end to end, and its all-or-nothing folder."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import wave
from pathlib import Path
from typing import Any

import pytest

from casefile.application import CasefileApp, StoreConfig
from casefile.cli import _demo_cmd
from casefile.errors import InputError
from casefile.projections import (
    ContinuityFindingKind,
    build_exhibit_register,
    continuity_statements,
    records_as_read,
)
from casefile.signing import load_trust_store
from cli._support import Demo, run_cli


def test_demo_records_exports_and_verifies_the_case(demo: Demo) -> None:
    lines = demo.output.splitlines()
    assert len(lines) < 54  # three bundles (two linked), the prosecution, the case file, DCF, trust
    assert "verified    yes" in demo.output
    assert "42NS1234526" in demo.output
    assert "continuity: no findings" in demo.output
    assert "  exhibits    7," in demo.output
    # At the centre every point to prove cites the case's records of its evidence.
    assert "each point to prove tied to its evidence" in demo.output
    assert "a correction (record 3 by record 28)" in demo.output
    for name in ("casefile.sqlite", "bundle/manifest.dsse.json", "bundle.zip", "keys/trust.json"):
        assert (demo.root / name).is_file(), name
    # The evidence store beside the case store: each file named by its own SHA-256.
    blobs = [p for p in (demo.root / "evidence" / "sha256").rglob("*") if p.is_file()]
    assert all(hashlib.sha256(p.read_bytes()).hexdigest() == p.name for p in blobs)
    kinds = sorted(p.read_bytes()[:4] for p in blobs)
    # The doorbell audio and the interview's recording, and four photographs.
    assert kinds == [b"RIFF"] * 2 + [b"\x89PNG"] * 4
    assert (demo.root / "bundle" / "views" / "exhibits.json").is_file()


def test_demo_audio_clip_is_a_valid_wav_carried_in_the_bundle(demo: Demo) -> None:
    register = json.loads((demo.root / "bundle" / "views" / "exhibits.json").read_text())
    clip = next(e for e in register["exhibits"] if e["reference"] == "DR/2")
    assert clip["media_type"] == "audio/wav"
    with wave.open(str(demo.root / "bundle" / "evidence" / clip["sha256"])) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        assert audio.getnframes() / audio.getframerate() >= 1


@pytest.mark.parametrize("name", ["bundle", "bundle.zip"])
def test_demo_bundle_verifies_with_the_trust_store(demo: Demo, name: str) -> None:
    result = run_cli(["verify", demo.root / name, "--json", "--trust", demo.trust])
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["verified"] is True
    assert report["records"] == 77  # the second bundle for the CPS ends with its handover
    assert report["errors"] == []
    assert report["evidence"] == {
        "bytes": report["evidence"]["bytes"],
        "files": 6,
        "verified": True,
    }
    kinds = {f["kind"] for f in report["findings"]}
    assert "trust_from_bundle" not in kinds
    # The booking keyed in on DC Reyes's behalf was confirmed by his own key.
    assert "acted_on_behalf_unconfirmed" not in kinds
    assert not kinds & {kind.value for kind in ContinuityFindingKind}


def _events(register: dict[str, Any], reference: str) -> list[dict[str, Any]]:
    exhibit = next(e for e in register["exhibits"] if e["reference"] == reference)
    return list(exhibit["events"])


def test_demo_exhibits_keep_an_unbroken_chain_of_custody(demo: Demo) -> None:
    register = json.loads((demo.root / "bundle" / "views" / "exhibits.json").read_text())
    assert register["findings"] == []
    assert [e["reference"] for e in register["exhibits"]] == [
        "SO/1", "SO/2", "MH/1", "DR/1", "DR/2", "DR/2/A", "DR/3",
    ]  # fmt: skip
    for exhibit in register["exhibits"][:5]:
        kinds = [e["type"] for e in exhibit["events"]]
        # Digital evidence is in its capturer's custody from capture: no seizure.
        assert kinds[:3] == ["evidence.captured", "exhibit.packaged", "exhibit.booked"]
        captured, packaged = (
            {k: e["by"][k] for k in ("name", "number", "organisation")}
            for e in exhibit["events"][:2]
        )
        assert captured == packaged
    # The booking of DR/1 was keyed in by the property officer for DC Reyes, who confirmed it.
    booked = _events(register, "DR/1")[2]
    assert (booked["by"]["name"], booked["recorded_by"]["name"]) == ("Daniel Reyes", "Janet Moss")
    assert booked["confirmed_by"] > booked["seq"]
    assert _events(register, "SO/1")[2]["recorded_by"] is None
    # Each booking or transfer the giver signed, its receiver confirmed with their own key.
    for ref, n in (("SO/1", 2), ("SO/2", 2), ("MH/1", 2), ("SO/2", 3), ("DR/2", 3)):
        handed = _events(register, ref)[n]
        assert handed["type"] in ("exhibit.booked", "exhibit.transferred"), (ref, n)
        assert handed["receipt_confirmed_by"] > handed["seq"], (ref, n)
    assert booked["receipt_confirmed_by"] is None  # keyed in by its receiver: hers already
    audio = _events(register, "DR/2")
    assert [e["type"] for e in audio[3:]] == [
        "exhibit.transferred", "exhibit.seal_opened", "exhibit.imaged", "exhibit.resealed",
    ]  # fmt: skip
    sealed = audio[1]["details"]["seal"]
    moved, opened, imaged, resealed = audio[3:]
    # The seal checked on transfer and quoted when opened is the one put on the bag.
    assert (
        moved["details"] | {"seal": sealed, "seal_checked": True, "seal_intact": True}
        == (moved["details"])
    )
    assert opened["details"]["seal"] == sealed
    assert resealed["details"]["old_seal"] == sealed
    assert moved["details"]["to"] == opened["by"]
    clip = next(e for e in register["exhibits"] if e["reference"] == "DR/2")
    assert imaged["details"]["source_sha256"] == clip["sha256"]
    assert imaged["details"]["output_sha256"] == clip["sha256"]
    copy = register["exhibits"][-2]
    assert (copy["source"], copy["root"], copy["original"]) == ("DR/2", "DR/2", False)
    assert copy["sha256"] == clip["sha256"]


def test_demo_exhibits_command_shows_the_same_clean_register(demo: Demo) -> None:
    result = run_cli(["exhibits", "--db", demo.db, "--case", "42NS1234526", "--trust", demo.trust])
    assert result.code == 0, result.err
    assert result.out.endswith("\ncontinuity: no findings\n")
    assert "NSS-113046" in result.out  # DR/2 under the lab's seal


def test_demo_keys_hold_officers_a_prosecutor_and_a_checkpoint_service(demo: Demo) -> None:
    trust = load_trust_store(demo.trust)
    ranks = sorted((e.holder.rank, e.holder.number) for e in trust.entries)
    assert ranks == [
        ("", "CPS-1187"),
        ("", "CPS-DIRECT"),
        ("", "FS-0417"),
        ("", "PS-2291"),
        ("", "SVC-01"),
        ("", "SVC-02"),
        ("DC", "3308"),
        ("PC", "4721"),
    ]
    roles = {e.name.rsplit("/", 1)[-1]: e.roles for e in trust.entries}
    # The officer in the case decides redactions; the investigating officer may erase.
    assert roles["4721"] == {"recorder", "redactor"}
    assert roles["3308"] == {"recorder", "supervisor"}
    assert roles["casefile-checkpoint"] == {"checkpoint"}
    # The capture intake records each attachment and signs the receipt a tablet keeps.
    assert roles["casefile-intake"] == {"recorder", "checkpoint"}
    # The prosecutor's key decides charges and unused material, and records nothing else.
    assert roles["CPS-1187"] == {"prosecutor"}
    # CPS Direct's key gives receipts for the bundles the CPS receives, and signs no record.
    assert roles["receipts"] == {"recipient"}
    [prosecutor] = [e for e in trust.entries if "prosecutor" in e.roles]
    assert prosecutor.holder.force == "Crown Prosecution Service"
    assert {r for e in trust.entries for r in e.roles} == {
        "recorder", "redactor", "supervisor", "checkpoint", "prosecutor", "recipient",
    }  # fmt: skip
    assert (demo.root / "keys" / "pc-4721.key").stat().st_mode & 0o077 == 0


def test_demo_case_is_listed_with_its_reference(demo: Demo) -> None:
    result = run_cli(["cases", "--db", demo.db, "--trust", demo.trust])
    assert result.code == 0, result.err
    assert "42NS1234526" in result.out
    assert "78 records" in result.out
    assert "charged" in result.out


def test_cases_shows_each_summary_field_offence_opened_and_last_activity(demo: Demo) -> None:
    # What the case index holds, and a listing is for: not only reference and status.
    for trust in (["--trust", demo.trust], []):
        result = run_cli(["cases", "--db", demo.db, *trust])
        assert result.code == 0, result.err
        (line,) = result.out.splitlines()
        assert line.endswith("  burglary")  # the offence the case was opened for
        assert re.search(r"opened \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC  last \d{4}-", line), line


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

    monkeypatch.setattr(_demo_cmd, "make_keys", fail)
    result = run_cli(["demo", "--out", tmp_path / "demo"])
    assert result.code == 2
    assert result.err == "casefile: error: the device ran out of battery\n"
    assert list(tmp_path.iterdir()) == []


def test_console_script_runs_the_demo_and_verifies_it(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("casefile")
    if not script.exists():
        # `make test` installs it; only an ad hoc run without the package may skip.
        if os.environ.get("CI") == "true":
            pytest.fail(f"the casefile console script is not installed: {script}")
        pytest.skip("the casefile console script is not installed beside this interpreter")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    demo = subprocess.run(
        [script, "demo", "--out", tmp_path / "d"], capture_output=True, text=True, env=env
    )
    assert demo.returncode == 0, demo.stderr
    out = tmp_path / "d"
    verify = subprocess.run(
        [script, "verify", "--json", out / "bundle.zip", "--trust", out / "keys" / "trust.json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert verify.returncode == 0, verify.stderr
    assert json.loads(verify.stdout)["verified"] is True
    assert "Traceback" not in demo.stderr + verify.stderr


def test_every_demo_continuity_statement_is_in_its_custodians_own_words(demo: Demo) -> None:
    # The receivers confirmed their receipts, so no statement quotes a giver's
    # record in brackets or leaves an act awaiting confirmation.
    app = CasefileApp(store=StoreConfig.sqlite(demo.db), trust=load_trust_store(demo.trust))
    try:
        verified = app.verify(app.find_case("42NS1234526"))
    finally:
        app.close()
    statements = continuity_statements(build_exhibit_register(records_as_read(verified.records)))
    assert len(statements) == 4
    text = "\n".join(s.text for s in statements)
    assert "[Record" not in text
    received = [s for s in statements if "I received exhibit" in s.text]
    assert {s.custodian.name for s in received} == {"Janet Moss", "Dr Priya Nair"}


def test_the_victims_statement_names_her_home_which_is_not_the_scene(demo: Demo) -> None:
    # What the CPS must not be sent: her home, in her own words. The scene it must keep.
    from casefile.cli._demo_case import VICTIM_HOME
    from casefile.signing import TextDisclosure

    app = CasefileApp(store=StoreConfig.sqlite(demo.db), trust=load_trust_store(demo.trust))
    try:
        texts = [
            d
            for d in app.disclosures(app.find_case("42NS1234526"))
            if isinstance(d, TextDisclosure)
        ]
        records = list(app.records(app.find_case("42NS1234526")))
    finally:
        app.close()
    bodies = [d.text or "" for d in texts if d.name == "body" and VICTIM_HOME in (d.text or "")]
    assert len(bodies) == 1
    report_location = next(d.text for d in texts if d.name == "location" and d.seq == 3)
    assert report_location is not None
    assert VICTIM_HOME not in report_location
    assert "Larch Close" in report_location
    # The scene is her late mother's house: no later text may call it her home.
    reasons = [d.text or "" for d in texts if d.name in ("reason", "correction_reason")]
    assert any("07:45" in reason for reason in reasons)
    assert not any("home" in reason for reason in reasons if "07:45" in reason)
    # Committed, never in clear: no record holds a word of it.
    for word in re.findall(r"[A-Za-z]{4,}", VICTIM_HOME):
        assert all(word.encode() not in raw for raw in records), word
