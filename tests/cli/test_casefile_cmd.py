"""``casefile casefile``: the demo's case file as JSON, HTML, PDF and DCF, and what it refuses."""

from __future__ import annotations

import base64
import html
import json
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from casefile.cli._casefile_cmd import report_path
from casefile.cli._demo_cmd import CHECKPOINT_NAME
from casefile.verifier._engine import CaseVerification
from cli._support import Demo, Run, run_cli

URN = "42NS1234526"
# Each MG section's heading, as the reader sees it in the printed file.
HEADINGS = (
    "MG1 File front sheet",
    "MG5 Case summary",
    "MG3 Report to the CPS and charging decision",
    "MG9 Witness list",
    "MG11 Witness statements",
    "MG12 Exhibit list",
    "MG6C Schedule of non-sensitive unused material",
    "MG6D Schedule of sensitive unused material",
    "MG6E Disclosure officer",
    "Verification",
)


def _casefile(demo: Demo, out: Path, fmt: str, *extra: object, audience: str = "cps") -> Run:
    return run_cli(
        [
            "casefile",
            "--db",
            demo.db,
            "--case",
            URN,
            "--trust",
            demo.trust,
            "--audience",
            audience,
            "--format",
            fmt,
            "--out",
            out,
            *extra,
        ]
    )


def _checkpoint_root(demo: Demo) -> str:
    # The note's third line is the root, base64 (C2SP tlog-checkpoint). The demo's last
    # bundle, to the defence, ends with the case's last record.
    checkpoint = demo.root / "bundle-defence" / "checkpoint.txt"
    lines = checkpoint.read_text(encoding="utf-8").splitlines()
    return base64.b64decode(lines[2]).hex()


def _fake_chromium(folder: Path, body: str) -> Path:
    folder.mkdir()
    path = folder / "chromium"
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_demo_case_file_prints_to_a_pdf_a_prosecutor_can_read(
    demo: Demo, chromium: str, poppler: None, tmp_path: Path
) -> None:
    out = tmp_path / "casefile.pdf"
    result = _casefile(demo, out, "pdf")
    assert result.code == 0, result.err
    text = subprocess.run(
        ["pdftotext", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    for heading in HEADINGS:
        assert heading in flat, heading
    assert URN in flat
    # The CPS's decision withholds the victim's contact details in her MG11.
    assert "[withheld 6 words: victim_or_witness_contact_details]" in flat
    # Laid out to be read: the MG12's first heading fits its column instead of running into
    # the next, and a key's name breaks between its parts, not inside one ("CP" / "S-1187").
    assert "ExhibitDescription" not in text
    assert "Exhibit Description" in text
    for cut in ("cps.gov.example/prosecutor/CP\n", "northshire.police.example/lab/F\n"):
        assert cut not in text
    info = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True, text=True).stdout
    pages = next(line for line in info.splitlines() if line.startswith("Pages:"))
    assert int(pages.split()[1]) > 1
    assert f"Title:           Case file {URN}" in info
    info = subprocess.run(
        ["pdfinfo", "-custom", str(out)], check=True, capture_output=True, text=True
    ).stdout
    # Nothing was recorded since the demo's export: the root is its bundle's checkpoint root.
    assert f"CasefileCheckpointRoot:{_checkpoint_root(demo)}" in info.replace(" ", "")


def test_missing_chromium_gives_the_package_and_exit_2_and_writes_nothing(
    demo: Demo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = tmp_path / "casefile.pdf"
    result = _casefile(demo, out, "pdf")
    assert result.code == 2
    assert "install Debian's package chromium" in result.err
    assert "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == [empty]


def test_hanging_chromium_is_stopped_at_the_timeout_and_nothing_written(
    demo: Demo, tmp_path: Path
) -> None:
    fake = _fake_chromium(tmp_path / "bin", "sleep 300")
    out = tmp_path / "casefile.pdf"
    result = _casefile(demo, out, "pdf", "--chromium", fake, "--timeout", "1")
    assert result.code == 2
    assert "did not finish printing within 1 s" in result.err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


def test_json_is_the_case_file_document(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "casefile.json"
    result = _casefile(demo, out, "json")
    assert result.code == 0, result.err
    document = json.loads(out.read_bytes())
    assert document["audience"] == "cps"
    assert URN in out.read_text(encoding="utf-8")
    assert f"json       {out}" in result.out
    # The summary line reads as the page does: the file type's words, not its code.
    assert "file type Anticipated not guilty plea" in result.out
    assert document["file_type"] == "anticipated_not_guilty_plea"


def test_html_carries_every_section_and_the_verification_page(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "casefile.html"
    result = _casefile(demo, out, "html")
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    assert page.lower().startswith("<!doctype html>")
    for heading in HEADINGS:
        assert heading.replace("'", "&#39;") in page, heading
    # The verification page names the keys that signed the records.
    assert "northshire.police.example/" in page[page.index('id="verification-h"') :]


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_the_case_is_verified_once_for_the_file_and_its_verification_page(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    walks: list[int] = []
    run = CaseVerification.run

    def counted(self: CaseVerification, *args: Any, **kwargs: Any) -> Any:
        walks.append(1)
        return run(self, *args, **kwargs)

    monkeypatch.setattr(CaseVerification, "run", counted)
    result = _casefile(demo, tmp_path / f"casefile.{fmt}", fmt, *_signing(demo))
    if fmt == "json":
        assert result.code == 2  # a checkpoint is shown by html and pdf only
        result = _casefile(demo, tmp_path / f"casefile.{fmt}", fmt)
    assert result.code == 0, result.err
    assert len(walks) == 1


def _signing(demo: Demo) -> list[object]:
    return [
        "--checkpoint-key",
        demo.root / "keys" / "checkpoint.key",
        "--checkpoint-name",
        CHECKPOINT_NAME,
        "--passphrase-file",
        demo.passphrase,
    ]


def test_html_without_a_checkpoint_key_shows_no_checkpoint(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "casefile.html"
    assert _casefile(demo, out, "html").code == 0
    page = out.read_text(encoding="utf-8")
    assert "No checkpoint was given." in page
    assert _checkpoint_root(demo) not in page


def test_html_with_the_checkpoint_key_shows_the_signed_checkpoint(
    demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "casefile.html"
    result = _casefile(demo, out, "html", *_signing(demo))
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    verification = page[page.index('id="verification-h"') :]
    assert "No checkpoint was given." not in verification
    # Nothing was recorded since the demo's export: the same root as the bundle's checkpoint.
    assert _checkpoint_root(demo) in verification
    origin = (demo.root / "bundle" / "checkpoint.txt").read_text(encoding="utf-8").split("\n")[0]
    assert origin in verification


def test_a_checkpoint_key_that_is_not_the_one_named_is_refused_before_writing(
    demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "casefile.html"
    signing = _signing(demo)
    signing[1] = demo.root / "keys" / "pc-4721.key"
    result = _casefile(demo, out, "html", *signing)
    assert result.code == 2
    assert "--checkpoint-name" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_a_checkpoint_key_for_json_is_refused(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "casefile.json"
    result = _casefile(demo, out, "json", *_signing(demo))
    assert result.code == 2
    assert "html and pdf only" in result.err
    assert not out.exists()


def test_html_for_no_audience_withholds_nothing(demo: Demo, tmp_path: Path) -> None:
    cps, force = tmp_path / "cps.html", tmp_path / "force.html"
    assert _casefile(demo, cps, "html").code == 0
    result = _casefile(demo, force, "html", audience="none")
    assert result.code == 0, result.err
    assert "[withheld" in cps.read_text(encoding="utf-8")
    assert "[withheld" not in force.read_text(encoding="utf-8")
    assert "the force (nothing withheld)" in result.out


def test_dcf_writes_the_document_and_its_report_beside_it(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "dcf.json"
    result = _casefile(demo, out, "dcf")
    assert result.code == 0, result.err
    report = tmp_path / "dcf.report.json"
    assert report_path(out) == report
    assert json.loads(out.read_bytes())
    assert "dropped" in json.loads(report.read_bytes())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dcf.json", "dcf.report.json"]


def test_destination_in_a_missing_folder_is_refused(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "absent" / "casefile.html"
    result = _casefile(demo, out, "html")
    assert result.code == 2
    assert "does not exist" in result.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["json", "html", "dcf"])
def test_existing_file_is_not_overwritten_without_force(
    demo: Demo, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"casefile.{fmt}"
    out.write_bytes(b"kept")
    result = _casefile(demo, out, fmt)
    assert result.code == 2
    assert "already exists; refusing to overwrite" in result.err
    assert out.read_bytes() == b"kept"
    assert list(tmp_path.iterdir()) == [out]


def test_existing_dcf_report_refuses_before_the_document_is_written(
    demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "dcf.json"
    report = report_path(out)
    report.write_bytes(b"kept")
    result = _casefile(demo, out, "dcf")
    assert result.code == 2
    assert not out.exists()
    assert report.read_bytes() == b"kept"


def test_force_replaces_an_existing_file_whole(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "casefile.json"
    out.write_bytes(b"old")
    result = _casefile(demo, out, "json", "--force")
    assert result.code == 0, result.err
    assert json.loads(out.read_bytes())["audience"] == "cps"
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left beside it


def test_force_does_not_replace_a_folder(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "casefile.json"
    out.mkdir()
    result = _casefile(demo, out, "json", "--force")
    assert result.code == 2
    assert "is a folder" in result.err
    assert out.is_dir()


def test_unknown_case_is_named_without_traceback(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "casefile.json"
    result = run_cli(
        [
            "casefile",
            "--db",
            demo.db,
            "--case",
            "99XX9999999",
            "--trust",
            demo.trust,
            "--audience",
            "cps",
            "--format",
            "json",
            "--out",
            out,
        ]
    )
    assert result.code == 2
    assert "99XX9999999" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_unknown_format_is_a_usage_error(demo: Demo, tmp_path: Path) -> None:
    result = _casefile(demo, tmp_path / "x.doc", "docx")
    assert result.code == 2
    assert "invalid choice: 'docx'" in result.err


def test_help_names_every_format_and_exit_status() -> None:
    result = run_cli(["casefile", "--help"])
    assert result.code == 0
    for word in ("json", "html", "pdf", "dcf", "--force", "Exit status", "chromium"):
        assert word in result.out, word


def test_verification_page_lists_each_handover_and_the_receipt_of_the_first(
    demo: Demo, tmp_path: Path
) -> None:
    # A prosecutor reading the file learns from its last page what was handed to whom, which
    # records each bundle held, and that CPS Direct receipted the first: all of it signed.
    out = tmp_path / "casefile.html"
    assert _casefile(demo, out, "html").code == 0
    page = html.unescape(re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8")))
    shown = " ".join(page[page.index("Handovers and receipts") :].split())
    assert "74 Handed over to CPS Direct, Northshire (for Crown Prosecution Service)" in shown
    assert "the bundle held records 1\u201374" in shown
    assert (
        "75 Receipt: CPS Direct, Northshire (CPS-DIRECT), Crown Prosecution Service cosigned "
        "the checkpoint of records 1\u201374, which end with the handover at record 74"
    ) in shown
    assert "77 Handed over to CPS Direct" in shown
    assert "78 Handed over to Defence solicitors for the suspect (for Defence)" in shown
