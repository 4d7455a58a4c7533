"""``casefile export`` and ``casefile cases``: bundles from a store, never over existing files."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cli._support import Demo, run_cli
from cli._support import export_argv as _export


def test_export_directory_with_named_disclosures_verifies(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    result = run_cli(_export(demo, out, "--disclose", "name", "--disclose", "address"))
    assert result.code == 0, result.err
    assert "verified   yes" in result.out
    report = run_cli(["verify", out, "--trust", demo.trust, "--json"])
    assert report.code == 0, report.out
    manifest = json.loads(report.out)["manifest"]
    assert manifest["disclosure_policy"] == {"fields": ["address", "name"], "mode": "list"}


def test_export_zip_by_case_id_with_evidence_and_all_disclosures(
    demo: Demo, tmp_path: Path
) -> None:
    case_id = json.loads(
        run_cli(["verify", demo.root / "bundle", "--trust", demo.trust, "--json"]).out
    )["case_id"]
    out = tmp_path / "case.zip"
    result = run_cli(
        _export(demo, out, "--zip", "--disclose-all", "--evidence-dir", demo.root / "evidence",
                case=case_id)
    )  # fmt: skip
    assert result.code == 0, result.err
    assert out.is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["case.zip"]
    report = json.loads(run_cli(["verify", out, "--trust", demo.trust, "--json"]).out)
    assert report["verified"] is True
    assert report["evidence"]["files"] == 6
    assert report["manifest"]["disclosure_policy"]["mode"] == "all"


def _station(demo: Demo, tmp_path: Path) -> Path:
    """A copy of the demo's case store with one more exhibit, in the default evidence store."""
    station = tmp_path / "station"
    station.mkdir()
    db = station / "casefile.sqlite"
    shutil.copy(demo.db, db)
    clip = tmp_path / "clip.wav"
    clip.write_bytes(b"RIFF0000WAVE station clip")
    added = run_cli(
        [
            "evidence", "add", "--db", db, "--case", "42NS1234526", "--trust", demo.trust,
            "--file", clip, "--exhibit", "SO/9", "--kind", "audio", "--media-type", "audio/wav",
            "--key", demo.root / "keys" / "pc-4721.key", "--passphrase-file", demo.passphrase,
        ]
    )  # fmt: skip
    assert added.code == 0, added.err
    return db


def _with_db(argv: list[object], db: Path) -> list[object]:
    argv[argv.index("--db") + 1] = db
    return argv


def test_export_carries_store_evidence_and_the_exhibit_view(demo: Demo, tmp_path: Path) -> None:
    db = _station(demo, tmp_path)
    out = tmp_path / "bundle"
    result = run_cli(_with_db(_export(demo, out), db))
    assert result.code == 0, result.err
    assert "continuity: no findings" in result.out
    clip = hashlib.sha256(b"RIFF0000WAVE station clip").hexdigest()
    assert (out / "evidence" / clip).read_bytes() == b"RIFF0000WAVE station clip"
    report = json.loads(run_cli(["verify", out, "--trust", demo.trust, "--json"]).out)
    assert report["verified"] is True
    assert report["evidence"]["files"] == len(list((out / "evidence").iterdir()))
    view = json.loads((out / "views" / "exhibits.json").read_text(encoding="utf-8"))
    shown = json.loads(
        run_cli(
            ["exhibits", "--db", db, "--case", "42NS1234526", "--trust", demo.trust, "--json"]
        ).out
    )
    # The same register, but the bundle's view shows only the texts the bundle carries:
    # none, by default. The store's own view reads every text.
    assert [e["reference"] for e in view["exhibits"]] == [e["reference"] for e in shown["exhibits"]]
    assert "SO/9" in {e["reference"] for e in view["exhibits"]}
    assert not any(e["description"] for e in view["exhibits"])
    assert all(e["description"] is not None for e in shown["exhibits"])
    assert any(e["description"] for e in shown["exhibits"])
    assert view["findings"] == shown["findings"]


def test_export_by_reference_carries_hashes_but_no_files(demo: Demo, tmp_path: Path) -> None:
    db = _station(demo, tmp_path)
    out = tmp_path / "bundle"
    result = run_cli(_with_db(_export(demo, out, "--evidence-by-reference"), db))
    assert result.code == 0, result.err
    assert "by reference" in result.out
    assert not (out / "evidence").exists()
    view = json.loads((out / "views" / "exhibits.json").read_text(encoding="utf-8"))
    assert all(len(e["sha256"]) == 64 for e in view["exhibits"])
    report = json.loads(run_cli(["verify", out, "--trust", demo.trust, "--json"]).out)
    assert report["verified"] is True
    assert report["evidence"]["files"] == 0


def test_export_by_reference_with_a_store_is_a_usage_error(demo: Demo, tmp_path: Path) -> None:
    argv = _export(demo, tmp_path / "b", "--evidence-by-reference", "--store", tmp_path)
    result = run_cli(argv)
    assert result.code == 2
    assert "--evidence-by-reference" in result.err
    assert list(tmp_path.iterdir()) == []


def test_export_from_a_named_folder_that_is_not_a_store_is_refused(
    demo: Demo, tmp_path: Path
) -> None:
    result = run_cli(_export(demo, tmp_path / "b", "--store", tmp_path / "nowhere"))
    assert result.code == 2
    assert "no such evidence store" in result.err
    assert list(tmp_path.iterdir()) == []


def test_export_of_a_tampered_store_blob_fails_and_writes_nothing(
    demo: Demo, tmp_path: Path
) -> None:
    db = _station(demo, tmp_path)
    [blob] = [p for p in (db.parent / "evidence" / "sha256").rglob("*") if p.is_file()]
    blob.chmod(0o600)
    blob.write_bytes(b"RIFF0000WAVE station clip, edited")
    result = run_cli(_with_db(_export(demo, tmp_path / "b"), db))
    assert result.code == 1
    assert "fixity" in result.err
    assert not (tmp_path / "b").exists()


def test_export_refuses_to_overwrite(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "case.zip"
    out.write_bytes(b"someone else's file")
    result = run_cli(_export(demo, out, "--zip"))
    assert result.code == 2
    assert "refusing to overwrite" in result.err
    assert out.read_bytes() == b"someone else's file"


def test_export_with_a_recorder_key_as_checkpoint_key_is_refused(
    demo: Demo, tmp_path: Path
) -> None:
    argv = _export(demo, tmp_path / "b")
    argv[argv.index("--checkpoint-key") + 1] = demo.root / "keys" / "pc-4721.key"
    result = run_cli(argv)
    assert result.code == 2
    assert "checkpoint" in result.err
    assert list(tmp_path.iterdir()) == []


def test_wrong_passphrase_is_refused(demo: Demo, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase\n")
    argv = _export(demo, tmp_path / "b")
    argv[argv.index("--passphrase-file") + 1] = wrong
    result = run_cli(argv)
    assert result.code == 2
    assert "wrong passphrase" in result.err


@pytest.mark.parametrize("case", ["99XX0000126", "12345678-1234-5678-1234-567812345678"])
def test_unknown_case_is_refused(demo: Demo, tmp_path: Path, case: str) -> None:
    result = run_cli(_export(demo, tmp_path / "b", case=case))
    assert result.code == 2
    assert case in result.err


def test_missing_or_foreign_database_is_unusable(demo: Demo, tmp_path: Path) -> None:
    argv = _export(demo, tmp_path / "b")
    where = argv.index("--db") + 1
    argv[where] = tmp_path / "missing.sqlite"
    assert run_cli(argv).code == 2
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    argv[where] = foreign
    result = run_cli(argv)
    assert result.code == 2
    assert "not a casefile store" in result.err
    assert "Traceback" not in result.err
    with sqlite3.connect(foreign) as conn:  # reading created no tables
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert tables == {"t"}


def test_cases_without_trust_lists_and_says_it_did_not_authenticate(demo: Demo) -> None:
    result = run_cli(["cases", "--db", demo.db])
    assert result.code == 0
    assert "42NS1234526" in result.out
    assert "78 records" in result.out
    assert "not authenticated" in result.err


def test_cases_shows_opened_and_last_activity_to_the_second(demo: Demo) -> None:
    second = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC"
    for trust in ([], ["--trust", demo.trust]):
        result = run_cli(["cases", "--db", demo.db, *trust])
        assert result.code == 0, result.err
        assert re.search(rf"opened {second}  last {second}  ", result.out), result.out
        # No nanosecond fraction and no raw integer time reaches a person.
        assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d|\d{15,}", result.out), result.out


def test_store_must_be_named_once(demo: Demo) -> None:
    result = run_cli(["cases", "--db", demo.db, "--postgres-dbname", "casefile"])
    assert result.code == 2
    assert "name one case store" in result.err


@pytest.mark.postgres
def test_cases_and_export_read_a_postgres_store(
    demo: Demo, tmp_path: Path, fresh_postgres_env: dict[str, str]
) -> None:
    from casefile.application import CasefileApp, StoreConfig
    from casefile.signing import load_private_key, load_trust_store

    trust = load_trust_store(demo.trust)
    officer = load_private_key(
        demo.root / "keys" / "pc-4721.key", demo.passphrase.read_bytes()[:-1]
    )
    app = CasefileApp(store=StoreConfig.from_settings(fresh_postgres_env), trust=trust)
    try:
        with app.open_session(
            officer, offence="theft", channel="front_counter", reference="42NS0000726"
        ) as case:
            case.add_note(text="Bicycle stolen from outside the library.")
    finally:
        app.close()
    password = tmp_path / "pgpass"
    password.write_text(fresh_postgres_env["POSTGRES_PASSWORD"] + "\n")
    store = [
        "--postgres-dbname", fresh_postgres_env["POSTGRES_DBNAME"],
        "--postgres-host", fresh_postgres_env["POSTGRES_HOST"],
        "--postgres-port", fresh_postgres_env["POSTGRES_PORT"],
        "--postgres-user", fresh_postgres_env["POSTGRES_USER"],
        "--postgres-schema", fresh_postgres_env["POSTGRES_SCHEMA"],
    ]  # fmt: skip
    if fresh_postgres_env["POSTGRES_PASSWORD"]:
        store += ["--postgres-password-file", str(password)]
    listed = run_cli(["cases", *store, "--trust", demo.trust])
    assert listed.code == 0, listed.err
    assert "42NS0000726" in listed.out
    argv = _export(demo, tmp_path / "b.zip", "--zip", case="42NS0000726")
    where = argv.index("--db")
    argv[where : where + 2] = store
    exported = run_cli(argv)
    assert exported.code == 0, exported.err
    assert run_cli(["verify", tmp_path / "b.zip", "--trust", demo.trust]).code == 0


def test_export_of_a_case_recorded_into_meanwhile_carries_one_consistent_snapshot(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Officers keep recording while a live case is exported: a record (with personal data)
    # stored after the checkpoint was signed must not turn the export into a failed
    # verification, nor leave the view describing other records than the bundle.
    from casefile.application import CasefileApp, StoreConfig
    from casefile.signing import load_private_key, load_trust_store

    db = tmp_path / "casefile.sqlite"
    shutil.copy(demo.db, db)
    officer = load_private_key(
        demo.root / "keys" / "pc-4721.key", demo.passphrase.read_bytes().rstrip(b"\n")
    )
    signed = CasefileApp.checkpoint

    def checkpoint_then_record(app: CasefileApp, case_id: Any, *args: Any) -> str:
        note = signed(app, case_id, *args)
        writer = CasefileApp(store=StoreConfig.sqlite(db), trust=load_trust_store(demo.trust))
        try:
            with writer.session(case_id, officer) as case:
                case.add_person(role="witness", name="Late Witness")
                case.add_note(text="Recorded while the export ran.")
        finally:
            writer.close()
        return note

    monkeypatch.setattr(CasefileApp, "checkpoint", checkpoint_then_record)
    argv = _export(demo, tmp_path / "b", "--disclose-all")
    argv[argv.index("--db") + 1] = db
    result = run_cli(argv)
    assert result.code == 0, result.err
    assert "records    78," in result.out
    report = json.loads(run_cli(["verify", tmp_path / "b", "--trust", demo.trust, "--json"]).out)
    assert report["verified"] is True
    assert report["records"] == 78
    view = json.loads((tmp_path / "b" / "views" / "exhibits.json").read_text())
    assert max(ex["last_seq"] for ex in view["exhibits"]) <= 78


@pytest.mark.parametrize("namespace", ["Met Police", "met.police.uk/cases", "siân.example"])
def test_export_with_an_origin_namespace_outside_the_grammar_is_refused(
    demo: Demo, tmp_path: Path, namespace: str
) -> None:
    # A namespace with a "/" would name the case inside a longer path, which
    # no verifier accepts: refused before anything is signed or written.
    result = run_cli(_export(demo, tmp_path / "b", "--origin-namespace", namespace))
    assert result.code == 2
    assert "--origin-namespace: checkpoint origin namespace" in result.err
    assert "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == []
