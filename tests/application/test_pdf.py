"""Printing the case file's HTML to PDF with headless Chromium: the faults it must survive.

The real Chromium prints in the tests that ask for the ``chromium`` fixture (they
fail under ``CI=true`` if it is missing); the faults (missing, hanging, failing,
writing nonsense) are played by small fake ``chromium`` scripts.
"""

from __future__ import annotations

import html
import os
import stat
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import casefile.application._pdf as pdf_module
from casefile.application import CHECKPOINT_ROOT_KEY, print_pdf
from casefile.errors import CasefileError, DependencyMissingError, InputError, PrintError

ROOT = "5a" * 32
PAGE = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    b"<title>Case file 42NS1234526 &amp; co</title></head><body><h1>MG1 front sheet</h1>"
    + b"".join(b"<p>paragraph %d of the case file</p>" % i for i in range(200))
    + b"</body></html>"
)


def _fake(folder: Path, body: str) -> str:
    """A fake ``chromium`` executable running the shell ``body``."""
    folder.mkdir(exist_ok=True)
    path = folder / "chromium"
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


_WRITES_PDF = """
for a in "$@"; do case "$a" in --print-to-pdf=*) out="${a#--print-to-pdf=}";; esac; done
"""


def _pdfinfo(data: bytes, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "printed.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdfinfo", *options, str(path)], check=True, capture_output=True, text=True
    ).stdout


def test_printed_pdf_carries_the_checkpoint_root_and_title(
    chromium: str, poppler: None, tmp_path: Path
) -> None:
    data = print_pdf(PAGE, checkpoint_root=ROOT, timeout=120)
    assert data.startswith(b"%PDF-")
    info = _pdfinfo(data, tmp_path)
    assert "Title:           Case file 42NS1234526 & co" in info
    assert f"Keywords:        casefile checkpoint root {ROOT}" in info
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert pages > 1
    custom = _pdfinfo(data, tmp_path, "-custom")
    assert f"{CHECKPOINT_ROOT_KEY.lstrip('/')}:{ROOT}" in custom.replace(" ", "")
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "printed.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "MG1 front sheet" in text
    assert "paragraph 199 of the case file" in text


def test_missing_chromium_names_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DependencyMissingError, match="package chromium") as caught:
        print_pdf(PAGE, checkpoint_root=ROOT)
    assert isinstance(caught.value, CasefileError)


def test_named_chromium_that_is_not_there_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(DependencyMissingError, match="package chromium"):
        print_pdf(PAGE, checkpoint_root=None, chromium=str(tmp_path / "no-such-chromium"))


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has finished; only its exit status waits to be read


def test_hanging_chromium_is_killed_with_its_children_at_the_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    monkeypatch.setenv("FAKE_CHROMIUM_PIDS", str(pids))
    fake = _fake(tmp_path / "bin", 'sleep 300 &\necho $! > "$FAKE_CHROMIUM_PIDS"\nwait')
    started = time.monotonic()
    with pytest.raises(PrintError, match=r"did not finish printing within 1 s"):
        print_pdf(PAGE, checkpoint_root=ROOT, chromium=fake, timeout=1)
    assert time.monotonic() - started < 15
    child = int(pids.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the child process Chromium started outlived the timeout"


def test_failing_chromium_reports_its_exit_status_and_last_error_lines(tmp_path: Path) -> None:
    fake = _fake(
        tmp_path / "bin", "echo 'noise' >&2\necho 'ERROR: cannot open display' >&2\nexit 3"
    )
    with pytest.raises(PrintError, match="exit status 3") as caught:
        print_pdf(PAGE, checkpoint_root=ROOT, chromium=fake)
    assert "ERROR: cannot open display" in str(caught.value)


def test_chromium_that_cannot_be_run_is_a_print_error(tmp_path: Path) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    garbage = folder / "chromium"
    garbage.write_bytes(b"\x7fELF not really a program")
    garbage.chmod(0o755)
    with pytest.raises(PrintError, match="cannot run Chromium"):
        print_pdf(PAGE, checkpoint_root=ROOT, chromium=str(garbage))


def test_chromium_that_writes_no_pdf_is_refused(tmp_path: Path) -> None:
    fake = _fake(tmp_path / "bin", "exit 0")
    with pytest.raises(PrintError, match="without writing a PDF"):
        print_pdf(PAGE, checkpoint_root=ROOT, chromium=fake)


def test_chromium_output_that_is_not_a_pdf_is_refused(tmp_path: Path) -> None:
    fake = _fake(tmp_path / "bin", _WRITES_PDF + 'echo "<html>not a pdf" > "$out"')
    with pytest.raises(PrintError, match="not a PDF"):
        print_pdf(PAGE, checkpoint_root=ROOT, chromium=fake)


def test_oversized_chromium_output_is_refused_unread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pdf_module, "MAX_PDF_BYTES", 1000)
    fake = _fake(tmp_path / "bin", _WRITES_PDF + 'head -c 5000 /dev/zero > "$out"')
    with pytest.raises(PrintError, match="over the 1000 allowed"):
        print_pdf(PAGE, checkpoint_root=ROOT, chromium=fake)


def test_chromium_runs_headless_in_a_private_profile_on_a_local_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    record = tmp_path / "argv"
    monkeypatch.setenv("FAKE_CHROMIUM_ARGV", str(record))
    fake = _fake(
        tmp_path / "bin", 'for a in "$@"; do echo "$a" >> "$FAKE_CHROMIUM_ARGV"; done\nexit 1'
    )
    with pytest.raises(PrintError):
        print_pdf(PAGE, checkpoint_root=ROOT, chromium=fake)
    argv = record.read_text().splitlines()
    assert "--headless" in argv
    assert "--no-pdf-header-footer" in argv
    assert ("--no-sandbox" in argv) == (os.geteuid() == 0)
    profile = next(a for a in argv if a.startswith("--user-data-dir="))
    page = argv[-1]
    assert page.startswith("file:///")
    assert page.endswith("/casefile.html")
    folder = Path(profile.split("=", 1)[1]).parent
    assert page == (folder / "casefile.html").as_uri()
    assert not folder.exists(), "the private folder (the case file, the profile) was left behind"


@pytest.mark.parametrize("root", ["", "5A" * 32, "5a" * 31, "5a" * 33, "zz" * 32])
def test_a_checkpoint_root_that_is_not_a_root_is_refused_before_printing(
    root: str, tmp_path: Path
) -> None:
    never = _fake(tmp_path / "bin", f"touch {tmp_path / 'ran'}\nexit 1")
    with pytest.raises(InputError, match="checkpoint_root"):
        print_pdf(PAGE, checkpoint_root=root, chromium=never)
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_a_timeout_that_never_ends_or_never_starts_is_refused(timeout: float) -> None:
    with pytest.raises(InputError, match="timeout"):
        print_pdf(PAGE, checkpoint_root=ROOT, timeout=timeout)


@given(st.text(max_size=200))
def test_the_pdf_title_is_the_html_title_as_a_reader_sees_it(title: str) -> None:
    page = f"<html><head><title>{html.escape(title)}</title></head><body></body></html>"
    got = pdf_module._title(page.encode("utf-8", errors="surrogatepass"))
    shown = " ".join(html.unescape(html.escape(title)).split())
    assert got == (shown or None)
