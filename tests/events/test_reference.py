"""Crime reference numbers: the DCF URN scheme and the scheme protocol."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casefile.errors import InvalidCommandError
from casefile.events import DcfUrn, DcfUrnScheme, ReferenceScheme, parse_dcf_urn
from events.conftest import T0


def test_dcf_urn_is_force_station_serial_year() -> None:
    scheme = DcfUrnScheme("01", "YE", itertools.count(12345).__next__)
    assert isinstance(scheme, ReferenceScheme)
    assert scheme.issue(T0) == "01YE1234526"
    assert scheme.issue(T0) == "01YE1234626"
    assert parse_dcf_urn("01YE1234526") == DcfUrn("01", "YE", 12345, 26)


def test_serials_are_zero_padded_and_the_year_is_utc() -> None:
    scheme = DcfUrnScheme("42", "AB", itertools.count(7).__next__)
    new_year_utc = T0  # 2026-01-01T00:00:00Z
    assert scheme.issue(new_year_utc - 1) == "42AB0000725"
    assert scheme.issue(new_year_utc) == "42AB0000826"


@pytest.mark.parametrize("serial", [0, 100_000, -1])
def test_a_spent_counter_is_refused(serial: int) -> None:
    with pytest.raises(InvalidCommandError, match="serial"):
        DcfUrnScheme("01", "YE", lambda: serial).issue(T0)


@pytest.mark.parametrize(
    ("force", "station"), [("1", "YE"), ("01", "ye"), ("AB", "YE"), ("01", "Y1")]
)
def test_a_malformed_force_or_station_is_refused(force: str, station: str) -> None:
    with pytest.raises(ValueError, match=r"force|station"):
        DcfUrnScheme(force, station, itertools.count(1).__next__)


@given(st.text(max_size=14))
def test_only_urns_parse(text: str) -> None:
    is_urn = (
        len(text) == 11
        and text.isascii()
        and text[:2].isdigit()
        and text[2:4].isalpha()
        and text[2:4].isupper()
        and text[4:].isdigit()
    )
    if is_urn:
        assert parse_dcf_urn(text).force == text[:2]
    else:
        with pytest.raises(InvalidCommandError):
            parse_dcf_urn(text)
