"""Exact conversion between RFC 3339 UTC text and integer nanoseconds since the epoch.

Times inside the library are ``int`` nanoseconds since 1970-01-01T00:00:00Z
(docs/FORMAT.md §1). Text forms appear only at the edges (trust stores, the
command line), and are parsed strictly: ``YYYY-MM-DDTHH:MM:SS[.F]Z`` with an
upper-case ``T`` and a literal ``Z`` (no offsets: a trust decision must not
depend on how a reader applies them), a fraction of 1 to 9 digits, no leap
second. The arithmetic is integer throughout, so no float rounding can move a
validity boundary by a nanosecond.
"""

from __future__ import annotations

import datetime
import re
from typing import Final

from casefile.errors import TimeFormatError

__all__ = [
    "MAX_TIME_NS",
    "MIN_TIME_NS",
    "date_to_reading",
    "instant_ns",
    "ns_to_human",
    "ns_to_reading",
    "ns_to_rfc3339",
    "rfc3339_to_ns",
]

_NS_PER_SECOND: Final = 1_000_000_000
_SECONDS_PER_DAY: Final = 86_400
_EPOCH_ORDINAL: Final = datetime.date(1970, 1, 1).toordinal()
_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

#: 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z, the range of the text form.
MIN_TIME_NS: Final = (1 - _EPOCH_ORDINAL) * _SECONDS_PER_DAY * _NS_PER_SECOND
MAX_TIME_NS: Final = (
    (datetime.date(9999, 12, 31).toordinal() - _EPOCH_ORDINAL + 1) * _SECONDS_PER_DAY
) * _NS_PER_SECOND - 1

_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# [0-9] rather than \d: \d would also match non-ASCII digits such as "٣".
_RFC3339: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?Z"
)
_MAX_SHOWN: Final = 64


def _shown(text: object) -> str:
    shown = repr(text)
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 1] + "…"
    return shown


def rfc3339_to_ns(text: str) -> int:
    """Nanoseconds since the epoch of an RFC 3339 UTC time such as ``2026-01-01T00:00:00Z``.

    Raises :class:`TimeFormatError` naming the text when it is not exactly of
    the form ``YYYY-MM-DDTHH:MM:SS[.fraction]Z`` or names no real instant.
    """
    if type(text) is not str:
        raise TimeFormatError(f"expected an RFC 3339 time string, not {type(text).__name__}")
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise TimeFormatError(
            f"{_shown(text)} is not an RFC 3339 UTC time "
            "of the form YYYY-MM-DDTHH:MM:SS[.fraction]Z"
        )
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    try:
        ordinal = datetime.date(year, month, day).toordinal()
    except ValueError:
        raise TimeFormatError(f"{_shown(text)} names no calendar date") from None
    if hour > 23 or minute > 59 or second > 59:
        # A leap second (:60) has no integer-nanosecond position of its own.
        raise TimeFormatError(f"{_shown(text)} has no such time of day")
    fraction = match.group(7) or ""
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    seconds = (ordinal - _EPOCH_ORDINAL) * _SECONDS_PER_DAY + hour * 3600 + minute * 60 + second
    return seconds * _NS_PER_SECOND + nanos


def ns_to_rfc3339(ns: int) -> str:
    """The RFC 3339 UTC text of ``ns`` nanoseconds since the epoch.

    The fraction is written only when non-zero, without trailing zeros, so
    each instant has one text form and ``rfc3339_to_ns`` reverses it exactly.
    Raises :class:`TimeFormatError` outside years 0001-9999.
    """
    if type(ns) is not int:
        raise TimeFormatError(f"expected integer nanoseconds, not {type(ns).__name__}")
    if not MIN_TIME_NS <= ns <= MAX_TIME_NS:
        raise TimeFormatError(f"{ns} ns lies outside the years 0001-9999")
    seconds, nanos = divmod(ns, _NS_PER_SECOND)
    days, in_day = divmod(seconds, _SECONDS_PER_DAY)
    date = datetime.date.fromordinal(_EPOCH_ORDINAL + days)
    hour, rest = divmod(in_day, 3600)
    minute, second = divmod(rest, 60)
    text = f"{date.year:04d}-{date.month:02d}-{date.day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    if nanos:
        text += "." + f"{nanos:09d}".rstrip("0")
    return text + "Z"


def ns_to_human(ns: int) -> str:
    """``ns`` as people read it in a report: UTC, to the second (the fraction dropped).

    Machine output (JSON) keeps full precision with :func:`ns_to_rfc3339`.

    >>> ns_to_human(1_772_373_909_999_999_999)
    '2026-03-01 14:05:09 UTC'
    """
    text = ns_to_rfc3339(ns - ns % _NS_PER_SECOND)
    return f"{text[:10]} {text[11:19]} UTC"


#: Fixed English names: a page rendered anywhere reads the same (no locale).
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
)  # fmt: skip


def _day(date: datetime.date) -> str:
    return f"{_DAYS[date.weekday()]} {date.day} {_MONTHS[date.month - 1]} {date.year}"


def ns_to_reading(ns: int) -> str:
    """``ns`` as a printed document gives it: weekday, date and UTC time, in fixed English.

    To the minute, with the seconds only when they are not zero (the fraction
    is dropped: the records and the JSON keep it).

    >>> ns_to_reading(1_772_633_100_000_000_000)
    'Wed 4 Mar 2026, 14:05 UTC'
    >>> ns_to_reading(1_772_633_109_500_000_000)
    'Wed 4 Mar 2026, 14:05:09 UTC'
    """
    text = ns_to_rfc3339(ns - ns % _NS_PER_SECOND)
    date = datetime.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
    clock = text[11:16] if text[17:19] == "00" else text[11:19]
    return f"{_day(date)}, {clock} UTC"


def date_to_reading(text: str) -> str | None:
    """A ``YYYY-MM-DD`` date as ``Wed 4 Mar 2026``, or None if ``text`` is not one."""
    if not _DATE.fullmatch(text):
        return None
    try:
        return _day(datetime.date.fromisoformat(text))
    except ValueError:
        return None


def instant_ns(value: object, what: str) -> int:
    """Integer nanoseconds of ``value``: ``int`` nanoseconds, or an aware datetime, exactly.

    A naive datetime is refused with :class:`TimeFormatError` (its zone would be
    a guess); any other type with :class:`TypeError`. Unlike a command's times,
    an integer is taken as given: a verifier judges any int64 time.

    >>> instant_ns(datetime.datetime(2026, 3, 1, 14, 5, 9, tzinfo=datetime.UTC), "at")
    1772373909000000000
    """
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise TimeFormatError(
                f"{what}: naive datetime: give a timezone-aware one (e.g. tzinfo=datetime.UTC)"
            )
        delta = value - _EPOCH
        seconds = delta.days * _SECONDS_PER_DAY + delta.seconds
        return seconds * _NS_PER_SECOND + delta.microseconds * 1000
    if type(value) is not int:
        raise TypeError(
            f"{what} must be int nanoseconds since the epoch or an aware datetime, "
            f"not {type(value).__name__}"
        )
    return value
