"""``casefile exhibits``: the MG12-style table from verified records, with continuity findings."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.cli._exhibits_cmd import exhibit_table, findings_lines
from casefile.findings import Finding
from casefile.projections import RecordView, build_exhibit_register
from cli._support import Demo, Run, run_cli


def _exhibits(demo: Demo, db: Path, *extra: object) -> Run:
    return run_cli(["exhibits", "--db", db, "--case", "42NS1234526", "--trust", demo.trust, *extra])


@pytest.fixture
def db_copy(demo: Demo, tmp_path: Path) -> Path:
    target = tmp_path / "casefile.sqlite"
    shutil.copy(demo.db, target)
    return target


def test_table_lists_every_exhibit_then_the_continuity(demo: Demo) -> None:
    result = _exhibits(demo, demo.db)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("case 42NS1234526 (")
    heading = next(line for line in lines if line.startswith("REF "))
    for column in ("DESCRIPTION", "CUSTODIAN", "LOCATION", "SEAL", "STATUS", "SHA-256"):
        assert column in heading
    register = json.loads(_exhibits(demo, demo.db, "--json").out)
    refs = [e["reference"] for e in register["exhibits"]]
    assert len(refs) >= 4
    rows = [line.split()[0] for line in lines[lines.index(heading) + 1 :] if line][: len(refs)]
    assert rows == refs
    # Every column lines up under its heading.
    start = heading.index("SHA-256")
    for exhibit in register["exhibits"]:
        row = next(line for line in lines if line.startswith(exhibit["reference"] + " "))
        assert row[start:] == exhibit["sha256"][:12]
    assert lines[-1] == "continuity: no findings"


def test_human_table_shows_the_time_to_the_second_not_the_nanosecond(demo: Demo) -> None:
    first = _exhibits(demo, demo.db).out.splitlines()[0]
    assert re.search(r", as of [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC$", first)


def test_json_is_the_register_view(demo: Demo) -> None:
    result = _exhibits(demo, demo.db, "--json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["format"] == "casefile-exhibit-register"
    assert document["version"] == 1
    assert document["findings"] == []
    assert result.out.endswith("}\n")


def test_tampered_record_in_the_store_fails_verification(demo: Demo, db_copy: Path) -> None:
    with sqlite3.connect(db_copy) as conn:
        version, state = conn.execute(
            "SELECT originator_version, state FROM casefile_events WHERE originator_version=3"
        ).fetchone()
        changed = bytearray(state)
        changed[-5] ^= 0x01
        conn.execute(
            "UPDATE casefile_events SET state=? WHERE originator_version=?",
            (bytes(changed), version),
        )
    result = _exhibits(demo, db_copy)
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("casefile: error: verification failed")
    assert "Traceback" not in result.err


def test_wrong_trust_store_is_refused(demo: Demo, tmp_path: Path) -> None:
    (tmp_path / "trust.json").write_text("{}")
    argv = ["exhibits", "--db", demo.db, "--case", "42NS1234526", "--trust"]
    result = run_cli([*argv, tmp_path / "trust.json"])
    assert result.code == 2
    assert "Traceback" not in result.err


def test_description_cannot_inject_terminal_escapes_or_rows(
    demo: Demo, db_copy: Path, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.wav"
    clip.write_bytes(b"clip")
    added = run_cli(
        [
            "evidence", "add", "--db", db_copy, "--case", "42NS1234526", "--trust", demo.trust,
            "--file", clip, "--exhibit", "SO/9", "--kind", "audio", "--media-type", "audio/wav",
            "--key", demo.root / "keys" / "pc-4721.key", "--passphrase-file", demo.passphrase,
            "--description", "\x1b[2J\nFAKE/1  forged row\u202e",
        ]
    )  # fmt: skip
    assert added.code == 0, added.err
    result = _exhibits(demo, db_copy)
    assert result.code == 0, result.err
    assert "\x1b" not in result.out
    assert "\u202e" not in result.out
    assert not any(line.startswith("FAKE/1") for line in result.out.splitlines())


def _captured(seq: int, description: str, place: str) -> RecordView:
    data = {
        "exhibit": f"AB/{seq}",
        "sha256": hashlib.sha256(str(seq).encode()).digest(),
        "media_type": "image/png",
        "description": description,
        "location": place,
    }
    return RecordView("evidence.captured", seq, seq * 10**9, data)


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.tuples(st.text(max_size=80), st.text(max_size=80)), min_size=1, max_size=5)
)
def test_any_text_in_records_keeps_one_aligned_row_per_exhibit(
    texts: list[tuple[str, str]],
) -> None:
    register = build_exhibit_register([_captured(n + 1, d, p) for n, (d, p) in enumerate(texts)])
    lines = exhibit_table(register)
    assert len(lines) == len(register.exhibits) + 1
    start = lines[0].index("SHA-256")
    for line, exhibit in zip(lines[1:], register.exhibits, strict=True):
        assert line.startswith(exhibit.reference + " ")
        assert line[start:] == (exhibit.sha256 or b"").hex()[:12]
        assert all(ch >= " " and not 0x7F <= ord(ch) < 0xA0 for ch in line)


def test_findings_are_listed_one_per_line_with_their_record() -> None:
    findings = [
        Finding("unexplained_gap", "no record for 45 days\nsecond line", 7, "JS/1"),
        Finding("seal_mismatch", "seal NS-2 quoted", 9, "JS/1"),
    ]
    lines = findings_lines(findings)
    assert lines == [
        "continuity: 2 finding(s)",
        "  [unexplained_gap] JS/1 record 7: no record for 45 days second line",
        "  [seal_mismatch] JS/1 record 9: seal NS-2 quoted",
    ]
    assert findings_lines([]) == ["continuity: no findings"]
