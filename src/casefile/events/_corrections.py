"""Checking what a correction may change in an earlier record.

A correction names the record it corrects and carries corrected payload
fields (in record form), corrected personal fields (committed) and corrected
texts (committed as text, FORMAT.md §4.1, under the field's name). Key fields
(ids, references, content hashes) identify things others refer to and are
never corrected; a correction is not itself corrected. Every corrected value
passes the check of the command that wrote it (the target type's
``CORRECTION_CHECKS``), so a correction is never a way round those checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casefile.encoding import encode
from casefile.errors import EncodeError, InvalidCommandError
from casefile.events._base import CaseEvent
from casefile.events._values import check_uuid

__all__ = ["correction_fields"]


def _check_encodable(value: object, field: str) -> None:
    try:
        encode(value)
    except EncodeError as exc:
        raise InvalidCommandError(field, exc.problem) from None


def correction_fields(
    target: type[CaseEvent], fields: Mapping[str, Any], personal: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """Check a correction of a ``target`` record; return (payload, personal and text fields).

    ``fields`` names payload and text fields alike, as the command that wrote
    them took them; the texts are returned apart, to be committed.
    """
    if target.TYPE == "record.corrected":
        raise InvalidCommandError(
            "seq", "a correction cannot be corrected; correct the original record again"
        )
    data: dict[str, Any] = {}
    texts: dict[str, Any] = {}
    for name, value in fields.items():
        if name in target.TEXT_FIELDS and name not in target.KEY_FIELDS:
            texts[name] = value
            continue
        if name not in target.DATA_FIELDS or name in target.KEY_FIELDS:
            raise InvalidCommandError(f"fields.{name}", f"not a correctable field of {target.TYPE}")
        if name in target.UUID_FIELDS and value is not None:
            value = check_uuid(value, f"fields.{name}").bytes
        elif name in target.LIST_FIELDS:
            if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
                raise InvalidCommandError(f"fields.{name}", "expected a sequence")
            value = list(value)
        _check_encodable(value, f"fields.{name}")
        data[name] = value
    people: dict[str, Any] = {}
    for name, value in personal.items():
        if name not in target.PERSONAL_FIELDS:
            raise InvalidCommandError(f"personal.{name}", f"not a personal field of {target.TYPE}")
        _check_encodable(value, f"personal.{name}")
        people[name] = value
    if not data and not people and not texts:
        raise InvalidCommandError("fields", "a correction must correct at least one field")
    # Each text passes the check of its field, as a payload field would.
    target.check_correction({**data, **texts})
    target.check_personal_correction(people)
    return data, people, texts
