"""Fixtures of the command-line tests: one demo folder per session, and copies to tamper with."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli._support import Demo, run_cli


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """One demo run shared by the session's tests (which must not change it): the case
    recorded at the centre alone, which binds no capture (test_demo_tablet.py runs the
    demo's tablet)."""
    root = tmp_path_factory.mktemp("demo") / "casefile-demo"
    result = run_cli(["demo", "--no-tablet", "--out", root])
    assert result.code == 0, result.err
    return Demo(root, result.out)


@pytest.fixture
def bundle_copy(demo: Demo, tmp_path: Path) -> Path:
    """A private copy of the demo's bundle directory, free to tamper with."""
    target = tmp_path / "bundle"
    shutil.copytree(demo.root / "bundle", target)
    return target
