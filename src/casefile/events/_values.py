"""Vocabularies and argument checks shared by the investigation's commands.

Commands check their arguments here before any event exists, so that a bad
argument is refused with an :class:`~casefile.errors.InvalidCommandError`
naming the field, and nothing outside the canonical profile ever reaches a
record.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import uuid
from enum import StrEnum
from typing import Final, TypeVar

from casefile.errors import InvalidCommandError

__all__ = [
    "EXHIBIT_REFERENCE",
    "MAX_LONG_TEXT",
    "MAX_SHORT_TEXT",
    "MIN_COMMAND_TIME_NS",
    "CaseKind",
    "CaseStatus",
    "EnquiryStatus",
    "EvidenceKind",
    "Instant",
    "MissingOutcome",
    "PersonRole",
    "ReportingChannel",
    "RiskGrading",
    "Signatory",
    "check_choice",
    "check_date",
    "check_exhibit_reference",
    "check_int",
    "check_media_type",
    "check_not_before",
    "check_optional_text",
    "check_sha256",
    "check_text",
    "check_time",
    "check_uuid",
]

#: Short fields (names, places, media types) and long ones (statement bodies, notes).
MAX_SHORT_TEXT: Final = 1024
MAX_LONG_TEXT: Final = 1024 * 1024

#: An exhibit reference: the producer's initials, a slash, a number without leading zeros.
EXHIBIT_REFERENCE: Final = re.compile(r"[A-Z]{1,5}/[1-9][0-9]{0,5}")

_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1

#: A time a command is given: integer nanoseconds since the epoch, or an aware datetime.
Instant = int | datetime.datetime

#: 1990-01-01T00:00:00Z in nanoseconds: the earliest time a command accepts. No case kept by
#: this library begins earlier, while seconds (≈1.7e9) and milliseconds (≈1.7e12) since the
#: epoch read as nanoseconds all fall in January 1970, far below it.
MIN_COMMAND_TIME_NS: Final = 631_152_000 * 10**9

_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_NS_PER_US: Final = 1000


class ReportingChannel(StrEnum):
    """How a report reached the police."""

    OFFICER_MOBILE = "officer_mobile"
    ONLINE = "online"
    PHONE = "phone"
    FRONT_COUNTER = "front_counter"


class PersonRole(StrEnum):
    """A person's part in the case."""

    VICTIM = "victim"
    WITNESS = "witness"
    SUSPECT = "suspect"
    OFFICER = "officer"
    MISSING_PERSON = "missing_person"
    OTHER = "other"


class CaseKind(StrEnum):
    """What a case investigates: a crime (with an offence) or a missing person (with none)."""

    CRIME = "crime"
    MISSING_PERSON = "missing_person"


class RiskGrading(StrEnum):
    """Risk grading of a missing person."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class MissingOutcome(StrEnum):
    """How a missing person's absence ended: found by others, or returned of their own accord."""

    FOUND = "found"
    RETURNED = "returned"


class EnquiryStatus(StrEnum):
    """Where a line of enquiry stands."""

    OPEN = "open"
    COMPLETED = "completed"


class CaseStatus(StrEnum):
    """Where a case stands. A new case is under investigation."""

    UNDER_INVESTIGATION = "under_investigation"
    REFERRED_TO_CPS = "referred_to_cps"
    CHARGED = "charged"
    NO_FURTHER_ACTION = "no_further_action"
    CLOSED = "closed"
    REOPENED = "reopened"


class EvidenceKind(StrEnum):
    """What a captured evidence item is."""

    PHOTO = "photo"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"


class Signatory(StrEnum):
    """Who signed a statement: the witness, or a reader for a witness who cannot read."""

    WITNESS = "witness"
    READER = "reader"


_E = TypeVar("_E", bound=StrEnum)
_Ordered = TypeVar("_Ordered", int, str)


_CHOICES: dict[type[StrEnum], frozenset[str]] = {}


def check_choice(kind: type[_E], value: object, field: str) -> str:
    """The plain string value of ``value`` if it is one of ``kind``'s values."""
    choices = _CHOICES.get(kind)
    if choices is None:
        choices = _CHOICES[kind] = frozenset(member.value for member in kind)
    if isinstance(value, str) and value in choices:
        # A StrEnum member is a str subclass; records hold the plain str.
        return value if type(value) is str else str.__str__(value)
    allowed = ", ".join(member.value for member in kind)
    raise InvalidCommandError(field, f"{value!r} is not one of: {allowed}")


def check_text(
    value: object, field: str, *, max_length: int = MAX_SHORT_TEXT, allow_empty: bool = False
) -> str:
    """``value`` if it is NFC-normalised text within ``max_length`` characters."""
    if type(value) is not str:
        raise InvalidCommandError(field, f"expected text, not {type(value).__name__}")
    if not value and not allow_empty:
        raise InvalidCommandError(field, "must not be empty")
    if len(value) > max_length:
        raise InvalidCommandError(field, f"longer than {max_length} characters")
    if not value.isascii():
        # Signed bytes must be exactly what was meant: refuse rather than normalise.
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidCommandError(field, "contains a lone surrogate") from None
        if not unicodedata.is_normalized("NFC", value):
            raise InvalidCommandError(field, "text is not NFC-normalised")
    return value


def check_optional_text(
    value: object, field: str, *, max_length: int = MAX_SHORT_TEXT
) -> str | None:
    """``None``, or ``value`` checked as by :func:`check_text`."""
    return None if value is None else check_text(value, field, max_length=max_length)


def check_int(value: object, field: str, *, minimum: int = _INT64_MIN) -> int:
    """``value`` if it is an ``int`` (not a bool) from ``minimum`` within int64."""
    if type(value) is not int:
        raise InvalidCommandError(field, f"expected an integer, not {type(value).__name__}")
    if not minimum <= value <= _INT64_MAX:
        raise InvalidCommandError(field, f"must be an integer from {minimum} within int64")
    return value


def check_time(value: object, field: str) -> int:
    """Integer nanoseconds since the epoch of ``value``, a time given to a command.

    ``value`` is either an ``int`` (nanoseconds since 1970-01-01T00:00:00Z) or
    a timezone-aware :class:`datetime.datetime`, converted exactly. A naive
    datetime is refused (its zone would be a guess), and so is any time before
    :data:`MIN_COMMAND_TIME_NS` (1990-01-01): such an integer is almost surely
    seconds or milliseconds, which would record a date in 1970.

    >>> import datetime
    >>> check_time(datetime.datetime(2026, 3, 1, 14, 5, 9, tzinfo=datetime.UTC), "at")
    1772373909000000000
    >>> check_time(1772373909, "at")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    casefile.errors.InvalidCommandError: at: ... it looks like seconds since the epoch: ...
    """
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidCommandError(
                field, "naive datetime: give a timezone-aware one (e.g. tzinfo=datetime.UTC)"
            )
        delta = value - _EPOCH
        ns = (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * _NS_PER_US
    elif type(value) is int:
        ns = value
    else:
        raise InvalidCommandError(
            field,
            f"expected integer nanoseconds or an aware datetime, not {type(value).__name__}",
        )
    if ns < MIN_COMMAND_TIME_NS:
        raise InvalidCommandError(
            field, f"{ns} is before 1990-01-01 as nanoseconds; {_unit_hint(ns)}"
        )
    if ns > _INT64_MAX:
        raise InvalidCommandError(field, "lies beyond the int64 range of nanoseconds (year 2262)")
    return ns


def _unit_hint(ns: int) -> str:
    # Seconds of any date since 1990 are below 1e11, milliseconds below 1e14.
    if 0 < ns < 10**11:
        unit = "seconds"
    elif 0 < ns < 10**14:
        unit = "milliseconds"
    elif 0 < ns < 10**17:
        unit = "microseconds"
    else:
        return "pass nanoseconds since the epoch or an aware datetime"
    return f"it looks like {unit} since the epoch: pass nanoseconds or an aware datetime"


def check_uuid(value: object, field: str) -> uuid.UUID:
    """``value`` if it is a :class:`uuid.UUID`."""
    if not isinstance(value, uuid.UUID):
        raise InvalidCommandError(field, f"expected a UUID, not {type(value).__name__}")
    return value


def check_sha256(value: object, field: str) -> bytes:
    """``value`` if it is a 32-byte SHA-256 digest."""
    if type(value) is not bytes or len(value) != 32:
        raise InvalidCommandError(field, "expected a 32-byte SHA-256 digest")
    return value


def check_exhibit_reference(value: object, field: str = "exhibit") -> str:
    """``value`` if it is an exhibit reference such as ``JS/1``."""
    if type(value) is not str or EXHIBIT_REFERENCE.fullmatch(value) is None:
        raise InvalidCommandError(
            field,
            f"{value!r} is not an exhibit reference (initials, '/', a number: e.g. JS/1)",
        )
    return value


_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 6838 type/subtype, parameters allowed; lower-cased by convention, not required.
_MEDIA_TYPE: Final = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(;[ -~]*)?"
)


def check_date(value: object, field: str = "date_of_birth") -> str:
    """``value`` if it is a calendar date written ``YYYY-MM-DD``."""
    if type(value) is str and _DATE.fullmatch(value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    raise InvalidCommandError(field, f"{value!r} is not a date written YYYY-MM-DD")


def check_media_type(value: object, field: str = "media_type") -> str:
    """``value`` if it looks like a media type such as ``image/jpeg``."""
    if type(value) is not str or _MEDIA_TYPE.fullmatch(value) is None:
        raise InvalidCommandError(field, f"{value!r} is not a media type such as image/jpeg")
    return value


def check_not_before(
    start: _Ordered | None, end: _Ordered | None, start_field: str, end_field: str
) -> None:
    """Refuse an ``end`` (a time or a date) earlier than its ``start``.

    Either may be None: not given (a correction that leaves it as it is) or
    open (no end yet), and then there is nothing to compare. ``end_field``
    names the argument at fault (``fields.<name>`` for a correction).
    """
    if start is not None and end is not None and end < start:
        raise InvalidCommandError(end_field, f"earlier than {start_field}")
