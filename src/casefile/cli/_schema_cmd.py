"""``casefile schema``: print a JSON Schema the library publishes.

Two kinds of document: the case file's (``casefile schema casefile``, the
schema of what :func:`~casefile.projections.case_file_json` produces) and the
payload schema of each registered record type (``casefile schema
statement.recorded``, as docs/FORMAT.md §10.4 tables it), so that a system
receiving either can validate it with nothing but a JSON Schema validator.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any, Final, TextIO

from casefile.errors import InputError

__all__ = ["CASE_FILE_SCHEMA", "add_schema_parser", "schema_document"]

#: The name ``casefile schema`` prints the case file's JSON Schema under.
CASE_FILE_SCHEMA: Final = "casefile"


def add_schema_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``schema``."""
    schema = commands.add_parser(
        "schema",
        parents=parents,
        help="print a JSON Schema: the case file's, or a record type's payload",
        description="Print a JSON Schema (draft 2020-12) the library publishes, on standard "
        "output.",
        epilog=_listing(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema.add_argument(
        "name",
        metavar="NAME",
        help=f"'{CASE_FILE_SCHEMA}' or a record type (see the list below)",
    )
    schema.add_argument(
        "--version",
        type=int,
        metavar="N",
        dest="schema_version",
        help="the schema version (default: the newest)",
    )
    schema.set_defaults(handler=run_schema)


def _payload_documents() -> Mapping[str, Mapping[int, Mapping[str, Any]]]:
    from casefile.verifier import payload_schemas

    schemas = payload_schemas()
    return {
        event_type: {v: schemas.document(event_type, v) for v in sorted(versions)}
        for event_type, versions in sorted(schemas.known_types().items())
    }


def _listing() -> str:
    lines = [
        "schemas:",
        f"  {CASE_FILE_SCHEMA:<32} the case file (MG forms) as JSON: casefile.v1.json",
    ]
    for event_type, versions in _payload_documents().items():
        shown = ", ".join(str(v) for v in versions)
        plural = "s" if len(versions) > 1 else ""
        lines.append(f"  {event_type:<32} a record's payload: version{plural} {shown}")
    return "\n".join(lines)


def schema_document(name: str, version: int | None = None) -> Mapping[str, Any]:
    """The JSON Schema called ``name`` (``casefile`` or a record type, at ``version``).

    Raises :class:`~casefile.errors.InputError` naming what is unknown.
    """
    if name == CASE_FILE_SCHEMA:
        from casefile.projections import CASEFILE_VERSION, case_file_schema

        # A receiving system pins the version it was written for, as it does a record type's.
        if version is not None and version != CASEFILE_VERSION:
            raise InputError(
                f"--version: {CASE_FILE_SCHEMA} has case-file schema version "
                f"{CASEFILE_VERSION}, not {version}"
            )
        return case_file_schema()
    documents = _payload_documents()
    versions = documents.get(name)
    if versions is None:
        raise InputError(
            f"no schema named {name!r}: give {CASE_FILE_SCHEMA!r} or a registered record "
            "type ('casefile schema --help' lists them)"
        )
    if version is None:
        version = max(versions)
    document = versions.get(version)
    if document is None:
        known = ", ".join(str(v) for v in versions)
        raise InputError(f"--version: {name} has payload schema version {known}, not {version}")
    return document


def run_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the schema, as JSON with two-space indents and sorted keys."""
    document = schema_document(args.name, args.schema_version)
    out.write(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return 0
