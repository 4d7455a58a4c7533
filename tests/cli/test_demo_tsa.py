"""The demo's timestamp: by a local TSA when openssl is installed, said to be skipped if not."""

from __future__ import annotations

import json
import os
import shutil

import pytest

import casefile.application._local_tsa as local_tsa_module
from casefile.cli._demo_tsa import demo_tsa, tsa_anchors
from cli._support import Demo, run_cli


def test_demo_stamps_the_cps_bundle_and_its_trust_store_names_the_tsa(demo: Demo) -> None:
    if shutil.which("openssl") is None and os.environ.get("CI") != "true":
        assert "timestamp   skipped: openssl is not installed" in demo.output
        return
    assert "timestamp   bundle/'s checkpoint existed by " in demo.output
    assert (demo.root / "bundle" / "checkpoint.tsr").is_file()
    assert not (demo.root / "bundle-defence" / "checkpoint.tsr").exists()
    trust = json.loads(demo.trust.read_text("utf-8"))
    assert len(trust["timestamping"]["anchors"]) == 1
    report = json.loads(run_cli(["verify", demo.root / "bundle.zip", "--trust", demo.trust,
                                 "--json"]).out)  # fmt: skip
    assert report["trusted_time"]["tsa"] == "CN=Northshire demo TSA"


def test_demo_without_openssl_has_no_tsa(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_tsa_module.shutil, "which", lambda name: None)
    with demo_tsa() as tsa:
        assert tsa is None
        assert tsa_anchors(tsa) is None
