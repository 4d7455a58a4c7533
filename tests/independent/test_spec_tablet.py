"""The demo as it runs by default, its first visit recorded on a tablet: the outside verifier,
written from the spec, gives each of its bundles (which carry the tablet's capture, §12) the
library's report."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli._support import run_cli
from independent.test_spec_agreement import _agree


@pytest.fixture(scope="module")
def tablet_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("independent-tablet") / "demo"
    done = run_cli(["demo", "--out", root])
    assert done.code == 0, done.err
    return root


@pytest.mark.parametrize("name", ["bundle-first", "bundle", "bundle-defence"])
def test_the_tablet_demo_bundles_verify_in_both(tablet_demo: Path, name: str) -> None:
    captures = sorted((tablet_demo / name / "captures").iterdir())
    assert len(captures) == 1  # the tablet's stream, bound twice (B18-B20)
    report = _agree(tablet_demo / name, tablet_demo / "keys" / "trust.json")
    assert report.verified
    assert report.failures == []
    assert report.views_differ == []
