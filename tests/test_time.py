"""Strict RFC 3339 UTC parsing and exact nanosecond conversion."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile._time import MAX_TIME_NS, MIN_TIME_NS, ns_to_human, ns_to_rfc3339, rfc3339_to_ns
from casefile.errors import InputError, TimeFormatError

NS = 1_000_000_000


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:01Z", NS),
        ("1969-12-31T23:59:59Z", -NS),
        ("1969-12-31T23:59:59.999999999Z", -1),
        ("2026-01-01T00:00:00Z", 1_767_225_600 * NS),
        ("2026-01-01T00:00:00.5Z", 1_767_225_600 * NS + 500_000_000),
        ("2026-01-01T00:00:00.500Z", 1_767_225_600 * NS + 500_000_000),
        ("2026-01-01T00:00:00.000000001Z", 1_767_225_600 * NS + 1),
        ("2024-02-29T12:34:56.123456789Z", 1_709_210_096 * NS + 123_456_789),
        ("0001-01-01T00:00:00Z", MIN_TIME_NS),
        ("9999-12-31T23:59:59.999999999Z", MAX_TIME_NS),
    ],
)
def test_known_times_convert_exactly(text: str, ns: int) -> None:
    assert rfc3339_to_ns(text) == ns


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-01-01",
        "2026-01-01T00:00:00",  # no zone: local time would be a guess
        "2026-01-01T00:00:00+00:00",  # offsets refused: UTC with a literal Z only
        "2026-01-01T00:00:00+01:00",
        "2026-01-01T00:00:00z",
        "2026-01-01t00:00:00Z",
        "2026-01-01 00:00:00Z",
        "2026-01-01T00:00Z",
        "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00.1234567890Z",  # sub-nanosecond digits would be lost
        "2026-1-01T00:00:00Z",
        "+2026-01-01T00:00:00Z",
        " 2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z ",
        "2026-01-01T00:00:00Z\n",
        "\uff12\uff10\uff12\uff16-01-01T00:00:00Z",  # full-width digits
        "\u0662\u0660\u0662\u0666-01-01T00:00:00Z",  # Arabic-Indic digits match \d
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2025-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T23:60:00Z",
        "2016-12-31T23:59:60Z",  # leap second
    ],
)
def test_malformed_time_is_rejected_naming_the_text(text: str) -> None:
    with pytest.raises(TimeFormatError) as caught:
        rfc3339_to_ns(text)
    assert repr(text) in str(caught.value)


def test_time_error_is_an_input_error() -> None:
    with pytest.raises(InputError):
        rfc3339_to_ns("yesterday")


@pytest.mark.parametrize("value", [0, 1.5, None, b"2026-01-01T00:00:00Z"])
def test_non_string_time_is_rejected(value: object) -> None:
    with pytest.raises(TimeFormatError, match="expected an RFC 3339 time string"):
        rfc3339_to_ns(value)  # type: ignore[arg-type]


def test_huge_time_text_is_rejected_with_a_short_message() -> None:
    text = "2026-01-01T00:00:00." + "1" * 100_000 + "Z"
    with pytest.raises(TimeFormatError) as caught:
        rfc3339_to_ns(text)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize("value", [MIN_TIME_NS - 1, MAX_TIME_NS + 1, 2**200])
def test_out_of_range_ns_is_rejected(value: int) -> None:
    with pytest.raises(TimeFormatError, match="outside the years 0001-9999"):
        ns_to_rfc3339(value)


@pytest.mark.parametrize("value", [True, 1.0, "0", None])
def test_non_integer_ns_is_rejected(value: object) -> None:
    with pytest.raises(TimeFormatError, match="expected integer nanoseconds"):
        ns_to_rfc3339(value)  # type: ignore[arg-type]


def test_fraction_is_written_without_trailing_zeros() -> None:
    assert ns_to_rfc3339(1_767_225_600 * NS) == "2026-01-01T00:00:00Z"
    assert ns_to_rfc3339(1_767_225_600 * NS + 500_000_000) == "2026-01-01T00:00:00.5Z"
    assert ns_to_rfc3339(1_767_225_600 * NS + 1) == "2026-01-01T00:00:00.000000001Z"


@settings(max_examples=300)
@given(st.integers(min_value=MIN_TIME_NS, max_value=MAX_TIME_NS))
def test_ns_round_trips_through_text(ns: int) -> None:
    assert rfc3339_to_ns(ns_to_rfc3339(ns)) == ns


@settings(max_examples=200)
@given(
    st.datetimes(min_value=datetime.datetime(1, 1, 1), max_value=datetime.datetime(9999, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_conversion_agrees_with_datetime(moment: datetime.datetime, extra_ns: int) -> None:
    # datetime resolves microseconds only; the last three digits are checked on top.
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
        f".{moment.microsecond:06d}{extra_ns:03d}Z"
    )
    delta = moment.replace(tzinfo=datetime.UTC) - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    expected = (delta // datetime.timedelta(microseconds=1)) * 1000 + extra_ns
    assert rfc3339_to_ns(text) == expected


@settings(max_examples=200)
@given(st.text(max_size=40))
def test_arbitrary_text_parses_or_raises_time_format_error(text: str) -> None:
    try:
        ns = rfc3339_to_ns(text)
    except TimeFormatError:
        return
    assert MIN_TIME_NS <= ns <= MAX_TIME_NS


def test_human_time_shows_the_second_not_the_nanosecond() -> None:
    assert ns_to_human(1_772_373_909 * NS + 999_999_999) == "2026-03-01 14:05:09 UTC"
    assert ns_to_human(-1) == "1969-12-31 23:59:59 UTC"
