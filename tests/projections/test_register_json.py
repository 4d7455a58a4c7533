"""The register as JSON: one text per register, readable by any JSON reader."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _custody_sequences import CustodyDriver
from casefile.bundle._layout import view_path
from casefile.projections import (
    EXHIBITS_VIEW,
    REGISTER_FORMAT,
    build_exhibit_register,
    exhibit_register_json,
)
from projections.conftest import DAY, T0, clean_chain, new_case, rec, renumbered, views_of


def _ints(value: Any) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, dict):
        return [i for v in value.values() for i in _ints(v)]
    if isinstance(value, list):
        return [i for v in value for i in _ints(v)]
    return []


def test_the_register_document_is_canonical_json() -> None:
    register = build_exhibit_register(views_of(clean_chain()))
    data = exhibit_register_json(register)
    doc = json.loads(data)
    assert data.endswith(b"}\n")
    assert json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False).encode() + b"\n" == data
    assert (doc["format"], doc["version"]) == (REGISTER_FORMAT, 1)
    phone = doc["exhibits"][0]
    assert phone["timeline"][0]["start"] == "2026-01-01T00:01:00Z"
    assert phone["events"][0]["type"] == "exhibit.seized"
    assert doc["exhibits"][1]["sha256"] == bytes(range(32)).hex()
    # Nanosecond integers lose digits in JavaScript: only small counts may be numbers.
    assert all(abs(i) < 2**53 for i in _ints(doc))
    assert b"Alan Example" not in data


def test_findings_are_carried_with_their_exhibit_and_record() -> None:
    late = rec(0, "exhibit.accessed", T0 + 90 * DAY, exhibit="JS/1/A", purpose="Review")
    records = renumbered([*views_of(clean_chain()), late])
    doc = json.loads(exhibit_register_json(build_exhibit_register(records)))
    assert [(f["kind"], f["exhibit"], f["seq"]) for f in doc["findings"]] == [
        ("unexplained_gap", "JS/1/A", 10)
    ]
    assert "89 days" in doc["findings"][0]["message"]


def test_the_view_name_is_a_bundle_view() -> None:
    assert view_path(EXHIBITS_VIEW) == "views/exhibits.json"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_register_renders_to_one_text(data: st.DataObject) -> None:
    case = new_case()
    CustodyDriver(case, data, T0).run(data.draw(st.integers(1, 20), label="steps"))
    register = build_exhibit_register(views_of(case))
    text = exhibit_register_json(register)
    assert exhibit_register_json(build_exhibit_register(views_of(case))) == text
    doc = json.loads(text)
    assert [e["reference"] for e in doc["exhibits"]] == [e.reference for e in register.exhibits]
    assert all(abs(i) < 2**53 for i in _ints(doc))
