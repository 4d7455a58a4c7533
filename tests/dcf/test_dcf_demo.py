"""The demo's prosecutable case in the DCF: the demo writes what the export gives."""

from __future__ import annotations

import json
from typing import Any

import pytest

from casefile.projections import dcf_export
from cli._support import run_cli
from dcf._dcf_cases import assert_every_empty_value_is_a_reported_placeholder, dcf_errors, resolve


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("dcf-demo") / "casefile-demo"
    result = run_cli(["demo", "--no-tablet", "--out", root])
    assert result.code == 0, result.err
    return {
        name: json.loads((root / name).read_text("utf-8"))
        for name in ("casefile.json", "dcf.json", "dcf-report.json")
    }


def test_the_demo_case_exports_a_dcf_file_with_the_prosecutors_advice(
    demo_files: dict[str, Any],
) -> None:
    case_file = demo_files["casefile.json"]
    document, report = dcf_export(case_file)
    assert dcf_errors(document) == []
    assert report.conforms
    decided = [r["decision"] for r in case_file["mg3"] if r["decision"] is not None]
    assert decided
    assert document["case"]["pca_cps"] is True
    assert document["case"]["test_code"] == decided[-1]["test"] + "_test"
    assert_every_empty_value_is_a_reported_placeholder(document, report)


def test_the_demo_writes_exactly_the_export_of_its_case_file(demo_files: dict[str, Any]) -> None:
    document, report = dcf_export(demo_files["casefile.json"])
    assert demo_files["dcf.json"] == document
    assert demo_files["dcf-report.json"] == report.to_json()


def test_the_demos_dcf_file_carries_no_statement_text_and_names_each_part_it_dropped(
    demo_files: dict[str, Any],
) -> None:
    case_file = demo_files["casefile.json"]
    document, report = dcf_export(case_file)
    text = json.dumps(document)
    for statement in case_file["mg11"]:
        assert statement["body"]
        assert statement["body"] not in text
    for item in report.dropped:
        found, _ = resolve(case_file, item.pointer)
        assert found, item.pointer
