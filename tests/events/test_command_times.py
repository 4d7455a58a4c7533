"""Times as Python users write them: aware datetimes or nanoseconds, never a silent 1970."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casefile._time import ns_to_rfc3339
from casefile.errors import InvalidCommandError
from casefile.events import MIN_COMMAND_TIME_NS, Investigation, check_time

from .conftest import T0

UTC = datetime.UTC
PARIS_WINTER = datetime.timezone(datetime.timedelta(hours=1))


def _last_time(case: Investigation) -> int:
    return case.pending_events[-1].time_ns  # type: ignore[no-any-return]


def test_aware_datetime_is_recorded_as_its_exact_nanoseconds(case: Investigation) -> None:
    when = datetime.datetime(2026, 1, 1, 1, 0, 0, 123456, tzinfo=PARIS_WINTER)
    case.add_note(text="entry", at=when)
    assert _last_time(case) == T0 + 123_456_000


def test_naive_datetime_is_refused_rather_than_guessing_its_zone(case: Investigation) -> None:
    with pytest.raises(InvalidCommandError, match="naive datetime") as caught:
        case.add_note(text="entry", at=datetime.datetime(2026, 1, 1, 12, 0))
    assert caught.value.field == "at"
    assert len(case.pending_events) == 1  # only the opening record


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        (1_767_225_600, "seconds"),
        (1_767_225_600_000, "milliseconds"),
        (1_767_225_600_000_000, "microseconds"),
    ],
)
def test_time_in_seconds_or_milliseconds_is_refused_with_a_hint(
    case: Investigation, value: int, unit: str
) -> None:
    with pytest.raises(InvalidCommandError, match=f"looks like {unit} since the epoch"):
        case.add_note(text="entry", at=value)
    assert len(case.pending_events) == 1


def test_seconds_are_refused_in_every_time_field_not_only_at(case: Investigation) -> None:
    with pytest.raises(InvalidCommandError, match=r"captured_at: .*seconds"):
        case.capture_evidence(
            exhibit="AB/1",
            kind="photo",
            sha256=b"\x01" * 32,
            size=1,
            media_type="image/jpeg",
            device="d",
            location="l",
            captured_at=1_767_225_600,
        )


def test_a_time_before_the_floor_is_refused_and_the_floor_itself_accepted() -> None:
    assert ns_to_rfc3339(MIN_COMMAND_TIME_NS) == "1990-01-01T00:00:00Z"
    assert check_time(MIN_COMMAND_TIME_NS, "at") == MIN_COMMAND_TIME_NS
    with pytest.raises(InvalidCommandError, match="before 1990-01-01"):
        check_time(MIN_COMMAND_TIME_NS - 1, "at")


@pytest.mark.parametrize("value", [1.7e18, "2026-01-01T00:00:00Z", True, None])
def test_a_time_of_another_type_is_refused(value: object) -> None:
    with pytest.raises(InvalidCommandError, match="integer nanoseconds or an aware datetime"):
        check_time(value, "at")


@given(
    st.datetimes(
        min_value=datetime.datetime(1990, 1, 2),
        max_value=datetime.datetime(2200, 1, 1),
        timezones=st.timezones(),
    )
)
def test_aware_datetimes_convert_exactly_whatever_their_zone(when: datetime.datetime) -> None:
    ns = check_time(when, "at")
    # Independent of the arithmetic inside: the text form to the microsecond, both ways.
    utc = when.astimezone(UTC)
    assert ns_to_rfc3339(ns).rstrip("Z").split(".")[0] == utc.strftime("%Y-%m-%dT%H:%M:%S")
    assert ns % 1000 == 0
    assert (ns // 1000) % 1_000_000 == utc.microsecond


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_an_integer_time_is_kept_exactly_or_refused_by_the_floor(value: int) -> None:
    if value >= MIN_COMMAND_TIME_NS:
        assert check_time(value, "at") == value
    else:
        with pytest.raises(InvalidCommandError, match="before 1990-01-01"):
            check_time(value, "at")
