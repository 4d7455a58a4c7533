"""The published JSON Schema (draft 2020-12) of the case-file document.

It ships in the package as ``schemas/casefile.v<version>.json``; every
object in it is closed (``additionalProperties: false``), so a document with
a field the schema does not name is refused, and a consumer (a DCF mapping,
a case-management system) can rely on exactly the fields it names. A change
of the document's shape is a new :data:`CASEFILE_VERSION`, a new file and a
new ``$id``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from typing import Any, Final

from casefile.projections._casefile_json import CASEFILE_VERSION

__all__ = ["CASEFILE_SCHEMA_ID", "case_file_schema"]

#: The ``$id`` of the schema of :data:`CASEFILE_VERSION`.
CASEFILE_SCHEMA_ID: Final = f"https://casefile.example/schemas/casefile/v{CASEFILE_VERSION}.json"


@functools.cache
def _text() -> str:
    folder = importlib.resources.files("casefile.projections") / "schemas"
    return (folder / f"casefile.v{CASEFILE_VERSION}.json").read_text(encoding="utf-8")


def case_file_schema() -> dict[str, Any]:
    """The JSON Schema of the case-file document, a fresh copy each call."""
    schema: dict[str, Any] = json.loads(_text())
    return schema
