"""Bundles made for an audience: the manifest names it, and the defence never gets the back page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _bundlecase import AT, World, make_bundle, replace_and_resign
from casefile.bundle import DISCLOSE_ALL, RESTRICTED_FIELDS, open_bundle, verify_bundle
from casefile.errors import ManifestError

WORLD = World()


def _names(bundle: Path) -> list[str]:
    with open_bundle(bundle) as opened:
        return [d.name for d in opened.disclosures(opened.manifest.entry("disclosures.bin"))]


def test_bundle_names_its_audience(tmp_path: Path) -> None:
    info = make_bundle(tmp_path / "b", WORLD, audience="cps")
    document = json.loads((tmp_path / "b" / "manifest.dsse.json").read_bytes())
    assert info.manifest.audience == "cps"
    result = verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust)
    assert result.verified
    assert result.manifest.audience == "cps"
    assert result.to_json()["manifest"]["audience"] == "cps"  # type: ignore[index]
    assert "payload" in document


def test_defence_bundle_never_carries_a_restricted_field_whatever_the_policy(
    tmp_path: Path,
) -> None:
    make_bundle(tmp_path / "cps", WORLD, audience="cps", policy=DISCLOSE_ALL)
    make_bundle(tmp_path / "def", WORLD, audience="defence", policy=DISCLOSE_ALL)
    assert "date_of_birth" in _names(tmp_path / "cps")
    kept = _names(tmp_path / "def")
    assert kept, "the defence still gets the fields that are not restricted"
    assert not set(kept) & RESTRICTED_FIELDS
    assert verify_bundle(tmp_path / "def", at=AT, trust=WORLD.trust).verified


def test_restricted_field_smuggled_into_a_defence_bundle_fails_b7(tmp_path: Path) -> None:
    # A sender holding the manifest key writes the CPS disclosures into a defence bundle.
    make_bundle(tmp_path / "cps", WORLD, audience="cps", policy=DISCLOSE_ALL)
    make_bundle(tmp_path / "def", WORLD, audience="defence", policy=DISCLOSE_ALL)
    smuggled = (tmp_path / "cps" / "disclosures.bin").read_bytes()
    replace_and_resign(tmp_path / "def", "disclosures.bin", smuggled, WORLD)
    with pytest.raises(ManifestError, match="restricted field 'date_of_birth' of record 1") as e:
        verify_bundle(tmp_path / "def", at=AT, trust=WORLD.trust)
    assert e.value.step == "B7"
    assert e.value.seq == 1
    report = verify_bundle(tmp_path / "def", at=AT, trust=WORLD.trust, report=True)
    assert not report.verified
    assert {(e.step, e.seq) for e in report.errors} == {("B7", 1), ("B7", 4)}


def test_writer_refuses_an_unknown_audience(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="audience"):
        make_bundle(tmp_path / "b", WORLD, audience="press")
    assert not (tmp_path / "b").exists()
