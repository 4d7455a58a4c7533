"""``casefile redact`` and ``casefile export --audience``: shown, confirmed, recorded, applied."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from cli._support import Demo, export_argv, run_cli

STATEMENT = 7  # the victim's statement in the demo case


def _store(demo: Demo, tmp_path: Path) -> Path:
    db = tmp_path / "casefile.sqlite"
    shutil.copy(demo.db, db)
    return db


def _redact(demo: Demo, db: Path, *extra: object) -> list[object]:
    return [
        "redact", "--db", db, "--case", "42NS1234526", "--trust", demo.trust,
        "--record", STATEMENT, "--field", "body", *extra,
    ]  # fmt: skip


def _decide(demo: Demo, db: Path, *extra: object) -> list[object]:
    return _redact(
        demo, db, "--match", "Larch Close, Northam", "--audience", "court",
        "--reason", "irrelevant_personal_data", "--key", demo.root / "keys" / "pc-4721.key",
        "--passphrase-file", demo.passphrase, *extra,
    )  # fmt: skip


def test_show_numbers_each_unit_and_marks_what_the_audience_does_not_see(
    demo: Demo, tmp_path: Path
) -> None:
    db = _store(demo, tmp_path)
    whole = run_cli(_redact(demo, db, "--show"))
    assert whole.code == 0, whole.err
    assert "[0]I [1]live [2]alone [3]at [4]7 [5]Wren" in whole.out
    cps = run_cli(_redact(demo, db, "--show", "--audience", "cps"))
    assert cps.code == 0, cps.err
    marker = "[4-9][withheld 6 words: victim_or_witness_contact_details]"
    assert f"[3]at {marker}\n  [10]Since" in cps.out
    assert "Wren" not in cps.out


def test_decision_prints_the_runs_chosen_and_is_recorded_with_yes(
    demo: Demo, tmp_path: Path
) -> None:
    db = _store(demo, tmp_path)
    done = run_cli(_decide(demo, db, "--yes"))
    assert done.code == 0, done.err
    assert "withhold   units 24-26 (3 word(s)): 'Larch Close, Northam, '" in done.out
    assert "recorded   decision 45: withheld from court (irrelevant_personal_data)" in done.out
    out = tmp_path / "for-court"
    exported = run_cli([*export_argv(demo, out, "--audience", "court")[:2], db,
                        *export_argv(demo, out, "--audience", "court")[3:]])  # fmt: skip
    assert exported.code == 0, exported.err
    assert "audience   court" in exported.out
    report = json.loads(run_cli(["verify", out, "--trust", demo.trust, "--json"]).out)
    assert report["verified"] is True
    assert report["manifest"]["audience"] == "court"
    assert not [f for f in report["findings"] if f["kind"].startswith("redaction_")]
    text = run_cli(["verify", out, "--trust", demo.trust]).out
    assert "[withheld 3 words: irrelevant_personal_data]" in text
    assert "Wren Terrace" in text  # the court's decisions are not the CPS's


def test_decision_is_not_recorded_without_confirmation(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _store(demo, tmp_path)
    before = db.read_bytes()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    refused = run_cli(_decide(demo, db))
    assert refused.code == 2
    assert "give --yes" in refused.err
    assert "withhold   units 24-26" in refused.out  # shown before anything is asked
    assert db.read_bytes() == before


def test_decision_needs_a_key_holding_the_redactor_role(demo: Demo, tmp_path: Path) -> None:
    db = _store(demo, tmp_path)
    argv = _decide(demo, db, "--yes")
    argv[argv.index("--key") + 1] = demo.root / "keys" / "ps-2291.key"
    refused = run_cli(argv)
    assert refused.code == 2
    assert "redactor" in refused.err
    assert "Traceback" not in refused.err


def test_decision_without_a_choice_of_units_is_a_usage_error(demo: Demo, tmp_path: Path) -> None:
    db = _store(demo, tmp_path)
    refused = run_cli(_redact(demo, db, "--audience", "cps", "--reason", "other"))
    assert refused.code == 2
    assert "--match, --units, --offsets or --whole-field" in refused.err
