"""The checks a corrected value must pass: those of the command that wrote the field.

A correction carries payload fields in record form (UUIDs as 16 bytes, lists
as lists). Each event type names, for every field a correction may change,
one of these checks, so that a correction is never a way round the checks of
the command it corrects. Each takes the value and the field's name (for the
error) and raises :class:`~casefile.errors.InvalidCommandError`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from casefile.errors import InvalidCommandError
from casefile.events._values import (
    MAX_LONG_TEXT,
    check_choice,
    check_exhibit_reference,
    check_int,
    check_media_type,
    check_text,
    check_time,
)

__all__ = [
    "CorrectionCheck",
    "check_age",
    "check_bool",
    "check_exhibit_list",
    "check_long",
    "check_long_maybe_empty",
    "check_maybe_empty",
    "check_media",
    "check_optional_media",
    "check_optional_time",
    "check_person_ref",
    "check_short",
    "choice_of",
]

CorrectionCheck = Callable[[Any, str], Any]


def check_short(value: Any, field: str) -> Any:
    return check_text(value, field)


def check_maybe_empty(value: Any, field: str) -> Any:
    return check_text(value, field, allow_empty=True)


def check_long(value: Any, field: str) -> Any:
    return check_text(value, field, max_length=MAX_LONG_TEXT)


def check_long_maybe_empty(value: Any, field: str) -> Any:
    return check_text(value, field, max_length=MAX_LONG_TEXT, allow_empty=True)


def check_media(value: Any, field: str) -> Any:
    return check_media_type(value, field)


def check_optional_media(value: Any, field: str) -> Any:
    return None if value is None else check_media_type(value, field)


def check_optional_time(value: Any, field: str) -> Any:
    return None if value is None else check_time(value, field)


def check_bool(value: Any, field: str) -> Any:
    if type(value) is not bool:
        raise InvalidCommandError(field, "expected True or False")
    return value


def check_age(value: Any, field: str) -> Any:
    """None (a witness over 18), or an age from 0 to 17."""
    if value is not None and not 0 <= check_int(value, field) < 18:
        raise InvalidCommandError(field, "the age of a witness under 18 is from 0 to 17")
    return value


def check_exhibit_list(value: Any, field: str) -> Any:
    """A list of exhibit references, none twice."""
    refs = [check_exhibit_reference(ref, field) for ref in value]
    if len(set(refs)) != len(refs):
        raise InvalidCommandError(field, "an exhibit is listed twice")
    return value


def check_person_ref(value: Any, field: str) -> Any:
    """None or a person id in record form; that the person is in the case is checked apart."""
    if value is not None and (type(value) is not bytes or len(value) != 16):
        raise InvalidCommandError(field, "expected a person id")
    return value


def choice_of(kind: type[StrEnum]) -> CorrectionCheck:
    """The check that a value is one of ``kind``'s values."""
    return functools.partial(check_choice, kind)
