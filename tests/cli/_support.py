"""Helpers of the command-line tests: run the command in this process, describe a demo folder."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from casefile.cli import main
from casefile.cli._demo_cmd import CHECKPOINT_NAME


@dataclass(frozen=True)
class Run:
    """What one run of the command did."""

    code: int
    out: str
    err: str


def run_cli(argv: Sequence[str]) -> Run:
    """Run ``casefile argv`` in this process, capturing stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return Run(code, out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class Demo:
    """A folder made by ``casefile demo`` and what it printed."""

    root: Path
    output: str

    @property
    def trust(self) -> Path:
        return self.root / "keys" / "trust.json"

    @property
    def passphrase(self) -> Path:
        return self.root / "keys" / "demo-passphrase.txt"

    @property
    def db(self) -> Path:
        return self.root / "casefile.sqlite"


def export_argv(
    demo: Demo,
    out: Path,
    *extra: object,
    key: Path | None = None,
    name: str = CHECKPOINT_NAME,
    case: str = "42NS1234526",
    db: Path | None = None,
) -> list[object]:
    """``casefile export`` of the demo's case to ``out`` (the demo's checkpoint key by default).

    An export for an audience records its handover: give it ``db``, a copy of the demo's
    store, so that the demo's own stays as the demo left it for the other tests.
    """
    return [
        "export", "--db", db or demo.db, "--case", case, "--out", out, "--trust", demo.trust,
        "--checkpoint-key", key or demo.root / "keys" / "checkpoint.key",
        "--checkpoint-name", name, "--passphrase-file", demo.passphrase, *extra,
    ]  # fmt: skip


def evidence_add_argv(
    demo: Demo,
    photo: Path,
    exhibit: str,
    *extra: object,
    key: Path | None = None,
    trust: Path | None = None,
    passphrase: bool = True,
) -> list[object]:
    """``casefile evidence add`` of ``photo`` as ``exhibit`` to the demo's case, by PC 4721."""
    argv: list[object] = [
        "evidence", "add", "--db", demo.db, "--case", "42NS1234526", "--file", photo,
        "--exhibit", exhibit, "--kind", "photo", "--media-type", "image/jpeg",
        "--key", key or demo.root / "keys" / "pc-4721.key", "--trust", trust or demo.trust,
    ]  # fmt: skip
    if passphrase:
        argv += ["--passphrase-file", demo.passphrase]
    return [*argv, *extra]
