"""The published case-file JSON Schema: valid, closed, pinned to its version."""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from casefile.projections import (
    CASEFILE_FORMAT,
    CASEFILE_SCHEMA_ID,
    CASEFILE_VERSION,
    build_case_file,
    case_file_json,
    case_file_schema,
)
from projections._casefile_cases import prosecution

#: The SHA-256 of each published version of the schema. A change that refuses a document
#: the version admitted means a new CASEFILE_VERSION, a new file and a new $id; version 1
#: was widened once, to cite captured records (docs/DECISIONS.md D63).
PUBLISHED = {1: "4b4af3316a5df939e933aec54ec23fc16d01bae1e5aaba37035659a8cf09e4d9"}


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "object" or (
            isinstance(node.get("type"), list) and "object" in node["type"]
        ):
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def test_the_schema_file_does_not_change_without_a_new_version() -> None:
    folder = importlib.resources.files("casefile.projections") / "schemas"
    raw = (folder / f"casefile.v{CASEFILE_VERSION}.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == PUBLISHED[CASEFILE_VERSION]
    assert case_file_schema()["$id"] == CASEFILE_SCHEMA_ID
    assert CASEFILE_SCHEMA_ID.endswith(f"/v{CASEFILE_VERSION}.json")


def test_the_schema_is_draft_2020_12_and_every_object_is_closed() -> None:
    schema = case_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    objects = list(_objects(schema))
    assert len(objects) > 40
    for node in objects:
        assert node.get("additionalProperties") is False, node
        assert set(node["required"]) == set(node["properties"]), node


def test_the_schema_pins_the_format_and_version() -> None:
    properties = case_file_schema()["properties"]
    assert properties["format"] == {"const": CASEFILE_FORMAT}
    assert properties["version"] == {"const": CASEFILE_VERSION}


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(case_file_schema())


def test_a_case_file_with_a_field_the_schema_does_not_name_is_refused() -> None:
    _, verified = prosecution()
    document = case_file_json(build_case_file(verified.records))
    assert _validator().is_valid(document)
    document["mg1"]["defendants"][0]["nickname"] = "Sammy"
    assert not _validator().is_valid(document)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("mg11", 0, "started_at"), 1_767_225_600_000_000_000),
        (("mg11", 0, "statement_id"), "not hex"),
        (("mg1", "defendants", 0, "offences", 0, "from_date"), "1 January 2026"),
        (("audience",), "press"),
        (("mg6c", "items", 0, "decision", "decision"), "maybe"),
        (
            ("completeness", "lacking"),
            [{"item": "x", "form": "MG99", "message": "", "records": []}],
        ),
    ],
)
def test_a_case_file_with_a_value_out_of_shape_is_refused(
    path: tuple[str | int, ...], value: Any
) -> None:
    _, verified = prosecution()
    document = case_file_json(build_case_file(verified.records))
    node: Any = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    assert not _validator().is_valid(document)


def test_the_document_round_trips_through_json_unchanged() -> None:
    _, verified = prosecution()
    document = case_file_json(build_case_file(verified.records))
    assert json.loads(json.dumps(document)) == document


def _object_at(node: dict[str, Any]) -> dict[str, Any]:
    """The object schema ``node`` is, or the one object choice of its ``anyOf``."""
    if "properties" in node:
        return node
    choices = [c for c in node.get("anyOf", ()) if "properties" in c]
    assert len(choices) == 1, node
    return choices[0]


def test_casefile_md_names_every_field_of_every_object_of_the_schema() -> None:
    # An outsider rebuilds the file from CASEFILE.md §3.2: a field it leaves out, or one the
    # schema no longer has, would make their file differ from ours.
    text = (Path(__file__).resolve().parents[2] / "docs" / "CASEFILE.md").read_text("utf-8")
    section = text[text.index("### 3.2 ") : text.index("## 4. ")]
    rows = re.findall(r"^\| `([a-z0-9_/]+)` \| ([^|]*) \|", section, flags=re.M)
    documented = {name: re.findall(r"`([a-z0-9_]+)`", fields) for name, fields in rows}
    schema = case_file_schema()
    expected: dict[str, list[str]] = {}
    for name, node in schema["properties"].items():
        if "properties" in node or any("properties" in c for c in node.get("anyOf", ())):
            expected["/" + name] = list(_object_at(node)["properties"])
    for name, node in schema["$defs"].items():
        if "properties" in node or any("properties" in c for c in node.get("anyOf", ())):
            expected[name] = list(_object_at(node)["properties"])
    assert sorted(documented) == sorted(expected)
    for name, fields in expected.items():
        assert sorted(documented[name]) == sorted(fields), name
