"""The case file as PDF: its HTML printed by headless Chromium, not by a second layout engine.

The HTML is the document (and the one a bundle proves); the PDF is that page as
a browser prints it, so what a reader sees on paper and on screen cannot
differ. Chromium runs as a separate process in a private temporary folder (its
own profile, its own home), in a process group of its own that is killed when
the print is done or the time is up: a hung browser never hangs the caller,
and leaves nothing running. Chromium cannot write custom metadata, so the
checkpoint root (and the title from the HTML's ``<title>``) are set afterwards
with pypdf. The PDF is not deterministic (Chromium writes dates and ids): it is
a copy for reading, not a view the verifier proves.
"""

from __future__ import annotations

import contextlib
import html.parser
import io
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from casefile.errors import DependencyMissingError, InputError, PrintError

__all__ = ["CHECKPOINT_ROOT_KEY", "MAX_PDF_BYTES", "find_chromium", "print_pdf"]

#: The PDF document-information key that holds the checkpoint root (hex).
CHECKPOINT_ROOT_KEY: Final = "/CasefileCheckpointRoot"
#: Largest PDF accepted from Chromium: a case file of 10,000 records prints well under it.
MAX_PDF_BYTES: Final = 256 * 1024 * 1024
_NAMES: Final = ("chromium", "chromium-headless-shell")
_PACKAGE: Final = "chromium"
_STDERR_TAIL_BYTES: Final = 4096
_STDERR_TAIL_LINES: Final = 8
_MAX_TITLE: Final = 1000
_ROOT: Final = re.compile(r"[0-9a-f]{64}")


def find_chromium(chromium: str | None = None) -> str:
    """The Chromium executable to run: ``chromium`` as given, else found on PATH.

    Raises :class:`~casefile.errors.DependencyMissingError`, naming the Debian
    package, if there is none.
    """
    if chromium is not None:
        found = shutil.which(chromium)
        if found is None:
            raise DependencyMissingError(
                f"Chromium not found at {chromium!r}: install Debian's package {_PACKAGE} "
                f"(apt-get install {_PACKAGE}) or name an executable Chromium"
            )
        return found
    for name in _NAMES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise DependencyMissingError(
        f"printing to PDF needs Chromium, and neither {' nor '.join(_NAMES)} is on PATH: "
        f"install Debian's package {_PACKAGE} (apt-get install {_PACKAGE})"
    )


class _TitleParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self._parts: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and self.title is None:
            self._parts = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._parts is not None:
            self.title = " ".join("".join(self._parts).split())[:_MAX_TITLE]
            self._parts = None

    def handle_data(self, data: str) -> None:
        if self._parts is not None:
            self._parts.append(data)


def _title(document: bytes) -> str | None:
    parser = _TitleParser()
    # The title is in the head: the first 64 KiB hold it in any page the library writes.
    parser.feed(document[: 64 * 1024].decode("utf-8", errors="replace"))
    return parser.title or None


def _check_arguments(checkpoint_root: str | None, timeout: float) -> None:
    if checkpoint_root is not None and _ROOT.fullmatch(checkpoint_root) is None:
        raise InputError(
            f"checkpoint_root: expected 64 lowercase hex digits (a SHA-256 root), "
            f"got {checkpoint_root[:80]!r}"
        )
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise InputError(f"timeout: expected a positive number of seconds, got {timeout!r}")


def _command(executable: str, profile: Path, out: Path, page: Path) -> list[str]:
    command = [executable, "--headless"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium refuses to run its sandbox as root (containers, CI); nothing it loads
        # comes from outside: the page is ours, self-contained, and has no script.
        command.append("--no-sandbox")
    return [
        *command,
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={out}",
        page.as_uri(),
    ]


def _stderr_tail(path: Path) -> str:
    with contextlib.suppress(OSError), open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - _STDERR_TAIL_BYTES))
        lines = handle.read().decode("utf-8", errors="replace").splitlines()
        shown = [line.strip() for line in lines if line.strip()][-_STDERR_TAIL_LINES:]
        return " | ".join(shown)
    return ""


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # Chromium starts child processes (zygote, GPU, renderer) in its group: all of them go.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def _run(command: list[str], folder: Path, timeout: float) -> None:
    env = dict(os.environ)
    # Chromium writes to its home and XDG folders even with a profile of its own: keep
    # those writes in the private folder that is removed afterwards.
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        env[name] = str(folder)
    stderr_path = folder / "stderr.txt"
    with open(stderr_path, "wb") as stderr:
        try:
            # The executable is the one find_chromium resolved; every argument is ours.
            process = subprocess.Popen(  # noqa: S603
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                cwd=folder,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise PrintError(f"cannot run Chromium ({command[0]}): {exc.strerror or exc}") from None
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise PrintError(
                f"Chromium ({command[0]}) did not finish printing within {timeout:g} s and "
                f"was stopped; last lines of its error output: {_stderr_tail(stderr_path) or '-'}"
            ) from None
        except BaseException:
            _kill_group(process)
            raise
        _kill_group(process)  # child processes it left behind, if any
    if status != 0:
        how = f"signal {-status}" if status < 0 else f"exit status {status}"
        raise PrintError(
            f"Chromium ({command[0]}) failed with {how}; last lines of its error output: "
            f"{_stderr_tail(stderr_path) or '-'}"
        )


def _read_pdf(path: Path, executable: str) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise PrintError(f"Chromium ({executable}) exited without writing a PDF") from None
    if size > MAX_PDF_BYTES:
        raise PrintError(f"Chromium wrote a PDF of {size} bytes, over the {MAX_PDF_BYTES} allowed")
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise PrintError(f"Chromium ({executable}) wrote a file that is not a PDF")
    return data


def _with_metadata(pdf: bytes, *, title: str | None, checkpoint_root: str | None) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    metadata: dict[str, str] = {}
    if title is not None:
        metadata["/Title"] = title
    if checkpoint_root is not None:
        metadata[CHECKPOINT_ROOT_KEY] = checkpoint_root
        # Readers show /Keywords; the key above is for programs.
        metadata["/Keywords"] = f"casefile checkpoint root {checkpoint_root}"
    if not metadata:
        return pdf
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf), strict=False))
        writer.add_metadata(metadata)
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise PrintError(
            f"the PDF Chromium wrote cannot be read to set its metadata: {exc}"
        ) from None
    return out.getvalue()


def print_pdf(
    html: bytes,
    *,
    checkpoint_root: str | None,
    chromium: str | None = None,
    timeout: float = 60,
) -> bytes:
    """The PDF of ``html`` (UTF-8) as headless Chromium prints it, with the case's metadata.

    ``checkpoint_root`` (64 hex digits) goes into the document information as
    ``/CasefileCheckpointRoot`` and in ``/Keywords``; the HTML's ``<title>``
    becomes ``/Title``. ``chromium`` names the executable (default: ``chromium``
    or ``chromium-headless-shell`` on PATH). Chromium is killed, with every
    process it started, after ``timeout`` seconds.

    Raises :class:`~casefile.errors.DependencyMissingError` if Chromium is not
    installed and :class:`~casefile.errors.PrintError` if it fails, hangs, or
    writes no usable PDF (its exit status and the last lines it wrote to
    standard error are in the message).
    """
    _check_arguments(checkpoint_root, timeout)
    executable = find_chromium(chromium)
    # mkdtemp makes the folder readable by its owner alone: the case file is personal data.
    with tempfile.TemporaryDirectory(prefix="casefile-pdf-") as name:
        folder = Path(name)
        page, out, profile = folder / "casefile.html", folder / "casefile.pdf", folder / "profile"
        profile.mkdir(mode=0o700)
        page.write_bytes(html)
        _run(_command(executable, profile, out, page), folder, timeout)
        pdf = _read_pdf(out, executable)
    return _with_metadata(pdf, title=_title(html), checkpoint_root=checkpoint_root)
