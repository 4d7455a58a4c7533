"""The SoftHSM2 fixture: without SoftHSM2, its tests fail under CI=true and skip elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent


def _probe(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    # A separate pytest process whose PATH holds no softhsm2-util, as on a machine without it.
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "SOFTHSM2_CONF")}
    env["PATH"] = str(tmp_path)
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rs",
            str(TESTS_DIR / "signing" / "test_pkcs11.py"),
            "-k",
            "missing_token_key",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=TESTS_DIR.parent,
        timeout=300,
        check=False,
    )


def test_missing_softhsm_fails_under_ci_instead_of_skipping(tmp_path: Path) -> None:
    done = _probe(tmp_path, ci=True)
    assert done.returncode == 1, done.stdout
    assert "SoftHSM2 is required when CI=true: softhsm2-util not found" in done.stdout


def test_missing_softhsm_skips_with_its_reason_outside_ci(tmp_path: Path) -> None:
    done = _probe(tmp_path, ci=False)
    assert done.returncode == 0, done.stdout
    assert "SoftHSM2 not available: softhsm2-util not found" in done.stdout
