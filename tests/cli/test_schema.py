"""``casefile schema``: the published JSON Schemas, and clear refusals of what is not one."""

from __future__ import annotations

import json

import jsonschema
import pytest

from casefile.projections import case_file_schema
from casefile.verifier import payload_schemas
from cli._support import run_cli


def test_schema_casefile_prints_the_case_file_schema() -> None:
    result = run_cli(["schema", "casefile"])
    assert result.code == 0, result.err
    printed = json.loads(result.out)
    assert printed == case_file_schema()
    assert printed["$id"] == "https://casefile.example/schemas/casefile/v1.json"
    # What a receiving system does with it: check it is a schema, then validate with it.
    jsonschema.Draft202012Validator.check_schema(printed)
    assert result.out.endswith("}\n")


def test_schema_casefile_pinned_to_its_own_version_is_printed_not_refused() -> None:
    # A receiving system that pins the version it was written for must get it.
    result = run_cli(["schema", "casefile", "--version", "1"])
    assert result.code == 0, result.err
    assert json.loads(result.out) == case_file_schema()
    assert result.out == run_cli(["schema", "casefile"]).out


def test_schema_of_a_record_type_prints_its_payload_schema() -> None:
    result = run_cli(["schema", "statement.recorded"])
    assert result.code == 0, result.err
    assert json.loads(result.out) == payload_schemas().document("statement.recorded", 1)
    pinned = run_cli(["schema", "statement.recorded", "--version", "1"])
    assert pinned.out == result.out


def test_schema_help_lists_every_schema_it_can_print() -> None:
    result = run_cli(["schema", "--help"])
    assert result.code == 0
    listed = {line.split()[0] for line in result.out.split("schemas:\n", 1)[1].splitlines()}
    assert listed == {"casefile", *payload_schemas().known_types()}


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["schema", "casefile.v2"], "'casefile.v2'"),
        (["schema", "../../etc/passwd"], "'../../etc/passwd'"),
        (["schema", "statement.recorded", "--version", "9"], "not 9"),
        (["schema", "casefile", "--version", "2"], "not 2"),
    ],
)
def test_unknown_schema_is_refused_by_name_without_a_traceback(argv: list[str], named: str) -> None:
    result = run_cli(argv)
    assert result.code == 2
    assert result.out == ""
    assert named in result.err
    assert result.err.startswith("casefile: error: ")
    assert "Traceback" not in result.err


def test_schema_without_a_name_is_a_usage_error() -> None:
    result = run_cli(["schema"])
    assert result.code == 2
    assert "NAME" in result.err
