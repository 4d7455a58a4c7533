"""``casefile export --tsa URL`` and the trusted time ``casefile verify`` reports (B16)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from _tsa import with_tsa
from casefile.signing import TrustStore, dump_trust_store, load_trust_store
from cli._support import Demo, run_cli
from cli._support import export_argv as _export


def _trust_naming(demo: Demo, tsa: Any, folder: Path) -> Path:
    path = folder / "trust-with-tsa.json"
    path.write_text(dump_trust_store(with_tsa(load_trust_store(demo.trust), tsa)), "utf-8")
    return path


def _with_trust(argv: list[object], trust: Path) -> list[object]:
    argv[argv.index("--trust") + 1] = trust
    return argv


def test_export_with_tsa_carries_a_token_that_verify_reports(
    demo: Demo, tmp_path: Path, local_tsa: Any, other_tsa: Any
) -> None:
    trust = _trust_naming(demo, local_tsa, tmp_path)
    out = tmp_path / "bundle"
    done = run_cli(_with_trust(_export(demo, out, "--tsa", local_tsa.url), trust))
    assert done.code == 0, done.err
    assert "timestamp  20" in done.out
    assert "CN=Test TSA" in done.out
    assert (out / "checkpoint.tsr").is_file()
    human = run_cli(["verify", out, "--trust", trust])
    assert human.code == 0, human.out
    assert "timestamp    checkpoint existed by 20" in human.out
    report = json.loads(run_cli(["verify", out, "--trust", trust, "--json"]).out)
    assert report["trusted_time"]["tsa"].endswith("CN=Test TSA")
    # An auditor whose trust store names no TSA is told the token went unchecked.
    keys = load_trust_store(demo.trust)
    no_tsa = tmp_path / "no-tsa.json"
    no_tsa.write_text(dump_trust_store(TrustStore(keys.entries, keys.policy)), "utf-8")
    plain = json.loads(run_cli(["verify", out, "--trust", no_tsa, "--json"]).out)
    assert plain["verified"] is True
    assert plain["trusted_time"] is None
    assert "timestamp_not_checked" in {f["kind"] for f in plain["findings"]}
    # One that names only another TSA (the demo's, when openssl made one) refuses it.
    other = with_tsa(keys, other_tsa)
    (tmp_path / "other.json").write_text(dump_trust_store(other), "utf-8")
    refused = run_cli(["verify", out, "--trust", tmp_path / "other.json"])
    assert refused.code == 1
    assert "step B16 (trusted_time)" in refused.out


def test_export_with_unreachable_tsa_fails_and_writes_nothing(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    done = run_cli(_export(demo, out, "--tsa", "http://127.0.0.1:9/tsa", "--tsa-timeout", "2"))
    assert done.code == 2
    assert "http://127.0.0.1:9/tsa: cannot reach it" in done.err
    assert "Traceback" not in done.err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_export_refuses_a_tsa_url_that_is_not_http(demo: Demo, tmp_path: Path) -> None:
    done = run_cli(_export(demo, tmp_path / "b", "--tsa", "file:///etc/passwd"))
    assert done.code == 2
    assert "--tsa: 'file:///etc/passwd' is not an http or https URL" in done.err
