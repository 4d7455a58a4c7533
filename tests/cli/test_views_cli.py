"""``casefile export`` carries the proven views; ``casefile verify --render`` hands them out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from casefile.bundle import VIEW_NAMES
from cli._support import Demo, export_argv, run_cli


def test_export_carries_the_case_file_and_the_register_by_default(
    demo: Demo, tmp_path: Path
) -> None:
    db = tmp_path / "casefile.sqlite"
    shutil.copy(demo.db, db)  # the export records its handover in the copy
    done = run_cli(export_argv(demo, tmp_path / "b", "--audience", "defence", "--zip", db=db))
    assert done.code == 0, done.err
    rendered = run_cli(
        ["verify", tmp_path / "b", "--trust", demo.trust, "--render", tmp_path / "read"]
    )
    assert rendered.code == 0, rendered.err
    assert sorted(p.name for p in (tmp_path / "read").iterdir()) == sorted(VIEW_NAMES)
    case_file = json.loads((tmp_path / "read" / "casefile.json").read_bytes())
    assert case_file["audience"] == "defence"
    page = (tmp_path / "read" / "casefile.html").read_text("utf-8")
    assert "MG11" in page
    assert "Verification" in page


def test_the_demo_bundles_carry_views_that_verify(demo: Demo, tmp_path: Path) -> None:
    for name in ("bundle", "bundle-defence", "bundle.zip", "bundle-defence.zip"):
        out = tmp_path / name.replace(".", "-")
        done = run_cli(["verify", demo.root / name, "--trust", demo.trust, "--render", out])
        assert done.code == 0, done.err
        assert sorted(p.name for p in out.iterdir()) == sorted(VIEW_NAMES)
