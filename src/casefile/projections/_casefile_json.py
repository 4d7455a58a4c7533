"""The case file as JSON: one document per case file, the same bytes for the same records.

The object (:func:`case_file_json`) follows the case file's values field by
field: a part is an object of its fields, a tuple an array, a person acting
(``by``, ``recorded_by``…) an object of ``name``, ``number``,
``organisation``, ``rank``, ``role``, bytes lowercase hex, the case id its
canonical UUID text, and every field named ``*_at`` (a time in nanoseconds)
RFC 3339 UTC text. The document (:func:`case_file_document`) is that object
as UTF-8 JSON with sorted keys, two-space indentation and a final newline,
with no clock, locale or random id in it. It fits the JSON Schema
:func:`~casefile.projections.case_file_schema` returns; docs/CASEFILE.md
describes each part.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from typing import Any, Final

from casefile._time import ns_to_rfc3339
from casefile.errors import InputError
from casefile.projections._casefile_forms import (
    CaseFile,
    Completeness,
)
from casefile.projections._custody_records import Party
from casefile.projections._document import json_document
from casefile.projections._pause import collection_paused

__all__ = [
    "CASEFILE_FORMAT",
    "CASEFILE_VERSION",
    "case_file_document",
    "case_file_json",
    "is_withheld",
]

#: The ``format`` of the document.
CASEFILE_FORMAT: Final = "casefile-case-file"
#: The ``version`` of the document; a change of shape is a new version and a new schema.
CASEFILE_VERSION: Final = 1


@functools.cache
def _fields(kind: type) -> tuple[tuple[str, bool], ...]:
    """The fields of a dataclass, each with whether it holds a time (its name ends ``_at``)."""
    return tuple((f.name, f.name.endswith("_at")) for f in dataclasses.fields(kind))


def _value(value: Any, time: bool = False) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return ns_to_rfc3339(value) if time else value
    if isinstance(value, tuple):
        return [_value(item, time) for item in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Party):
        return value.to_json()
    if isinstance(value, uuid.UUID):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {name: _value(getattr(value, name), at) for name, at in _fields(type(value))}
        if isinstance(value, Completeness):
            out["complete"] = value.complete
        return out
    raise TypeError(f"no JSON form for {type(value).__name__}")


def is_withheld(value: object) -> bool:
    """True for the JSON of a value withheld from the reader: ``{"withheld": [...]}``."""
    return isinstance(value, dict) and value.keys() == {"withheld"}


def case_file_json(case_file: CaseFile) -> dict[str, Any]:
    """The case file as a JSON-ready object (docs/CASEFILE.md §2)."""
    body = _value(case_file)
    return {"format": CASEFILE_FORMAT, "version": CASEFILE_VERSION, **body}


def case_file_document(case_file: CaseFile) -> bytes:
    """The case file as canonical JSON bytes: sorted keys, two-space indent, final newline.

    Raises :class:`~casefile.errors.InputError` naming the JSON pointer of a text
    that is not Unicode text (a lone surrogate, which only records read from
    elsewhere unchecked can hold), rather than write it altered or not at all.
    """
    with collection_paused():
        document = case_file_json(case_file)
        try:
            return json_document(document)
        except UnicodeEncodeError:
            pass
    raise InputError(
        f"{_unencodable(document, '')}: not Unicode text (a lone surrogate); "
        "build the case file from verified records"
    )


def _unencodable(node: Any, where: str) -> str:
    """The JSON pointer of the first string under ``node`` that UTF-8 cannot encode."""
    if isinstance(node, str):
        try:
            node.encode("utf-8")
        except UnicodeEncodeError:
            return where or "/"
        return ""
    items = (
        sorted(node.items())
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        found = _unencodable(value, f"{where}/{key}")
        if found:
            return found
    return ""
