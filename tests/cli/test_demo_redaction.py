"""The demo's bundles for the CPS and the defence: what each withholds, and that it verifies."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from casefile.bundle import RESTRICTED_FIELDS, open_bundle
from casefile.cli._demo_case import VICTIM_HOME
from cli._support import Demo, run_cli


def _needles() -> list[bytes]:
    """Every byte sequence of the victim's home address: all of it and each word of 4+ letters."""
    words = [w.strip(",.") for w in VICTIM_HOME.split()]
    return [VICTIM_HOME.encode(), *(w.encode() for w in words if sum(c.isalpha() for c in w) >= 4)]


def _contents(bundle: Path, archive: Path) -> dict[str, bytes]:
    """Every file of the folder bundle, the zip itself, and each member of the zip inflated."""
    found = {str(p): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    found[str(archive)] = archive.read_bytes()
    with zipfile.ZipFile(archive) as zipped:
        for member in zipped.namelist():
            found[f"{archive}:{member}"] = zipped.read(member)
    return found


def _disclosed(bundle: Path) -> list[tuple[int, str]]:
    with open_bundle(bundle) as opened:
        entry = opened.manifest.entry("disclosures.bin")
        return [(d.seq, d.name) for d in opened.disclosures(entry)]


def test_cps_bundle_holds_no_byte_of_the_victims_address(demo: Demo) -> None:
    needles = _needles()
    assert [n.decode() for n in needles[1:]] == ["Wren", "Terrace", "Southby"]
    # The search can find the address: the store holds it, and so does her statement.
    assert VICTIM_HOME.encode() in (demo.root / "casefile.sqlite").read_bytes()
    contents = _contents(demo.root / "bundle", demo.root / "bundle.zip")
    assert len(contents) > 10
    for where, data in contents.items():
        for needle in needles:
            assert needle not in data, (where, needle)


def test_cps_bundle_verifies_with_the_address_withheld_and_the_scene_shown(demo: Demo) -> None:
    result = run_cli(["verify", demo.root / "bundle", "--trust", demo.trust, "--json"])
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["verified"] is True
    assert report["manifest"]["audience"] == "cps"
    assert not [f for f in report["findings"] if f["kind"].startswith("redaction_")]
    (statement,) = report["redacted"]
    shown = "".join(s if isinstance(s, str) else f"[{s['why']}]" for s in statement["segments"])
    assert "[withheld 6 words: victim_or_witness_contact_details]" in shown
    assert "14 Larch Close" in shown  # the scene stays: the CPS needs it
    text = run_cli(["verify", demo.root / "bundle.zip", "--trust", demo.trust]).out
    assert "audience     cps" in text
    assert "I live alone at [withheld 6 words: victim_or_witness_contact_details] Since" in text


def test_defence_bundle_withholds_the_restricted_back_page(demo: Demo) -> None:
    cps = set(_disclosed(demo.root / "bundle"))
    defence = set(_disclosed(demo.root / "bundle-defence"))
    # The CPS gets the victim's date of birth and phone; the defence never does.
    assert {"date_of_birth", "phone"} <= {name for _, name in cps}
    assert not {name for _, name in defence} & RESTRICTED_FIELDS
    assert defence < cps
    for path in (demo.root / "bundle-defence", demo.root / "bundle-defence.zip"):
        result = run_cli(["verify", path, "--trust", demo.trust, "--json"])
        assert result.code == 0, result.err
        report = json.loads(result.out)
        assert report["manifest"]["audience"] == "defence"
        assert not [f for f in report["findings"] if f["kind"].startswith("redaction_")]
    contents = _contents(demo.root / "bundle-defence", demo.root / "bundle-defence.zip")
    for where, data in contents.items():
        for needle in (*_needles(), b"1958-03-14", b"07700 900123"):
            assert needle not in data, (where, needle)


def test_demo_says_what_each_bundle_withholds(demo: Demo) -> None:
    assert "for CPS" in demo.output
    assert "her home address withheld" in demo.output
    assert "6 words of her statement and her address field" in demo.output
    assert "for defence bundle-defence/" in demo.output
    assert "that and her restricted details" in demo.output
