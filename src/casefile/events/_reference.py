"""Crime reference numbers and URNs: the :class:`ReferenceScheme` extension point.

A force plugs in its own numbering. The default, :class:`DcfUrnScheme`, issues
the Digital Case File URN: force (2 digits), station (2 letters), serial (5
digits), year (2 digits), e.g. ``01YE1234526``. The serial comes from an
injected counter, which the deployment must keep durable and unique per
station and year (a database sequence, say): the scheme itself keeps no state.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, NamedTuple, Protocol, runtime_checkable

from casefile.errors import InvalidCommandError

__all__ = [
    "DCF_URN",
    "DcfUrn",
    "DcfUrnScheme",
    "ReferenceScheme",
    "parse_dcf_urn",
]

#: The DCF URN layout: force, station, serial, year.
DCF_URN: Final = re.compile(r"([0-9]{2})([A-Z]{2})([0-9]{5})([0-9]{2})")
_MAX_SERIAL: Final = 99_999


@runtime_checkable
class ReferenceScheme(Protocol):
    """Issues the reference a new case is known by (a crime reference number or URN)."""

    def issue(self, at_ns: int) -> str:
        """A new reference for a case opened at ``at_ns`` (ns since the epoch, UTC)."""
        ...


class DcfUrn(NamedTuple):
    """The parts of a DCF URN."""

    force: str
    station: str
    serial: int
    year: int


def parse_dcf_urn(text: str) -> DcfUrn:
    """Split a DCF URN into its parts; raise InvalidCommandError if it is not one."""
    match = DCF_URN.fullmatch(text) if type(text) is str else None
    if match is None:
        raise InvalidCommandError(
            "reference", f"{text!r} is not a URN (force 2 digits, station 2 letters, 5+2 digits)"
        )
    force, station, serial, year = match.groups()
    return DcfUrn(force, station, int(serial), int(year))


@dataclass(frozen=True, slots=True)
class DcfUrnScheme:
    """Issues DCF URNs for one force and station.

    ``serials`` returns the next serial (1 to 99999) each time it is called;
    the year is that of the opening time, in UTC.
    """

    force: str
    station: str
    serials: Callable[[], int]

    def __post_init__(self) -> None:
        if type(self.force) is not str or re.fullmatch(r"[0-9]{2}", self.force) is None:
            raise ValueError("force must be 2 digits, e.g. '01'")
        if type(self.station) is not str or re.fullmatch(r"[A-Z]{2}", self.station) is None:
            raise ValueError("station must be 2 upper-case letters, e.g. 'YE'")
        if not callable(self.serials):
            raise ValueError("serials must be a callable returning the next serial")

    def issue(self, at_ns: int) -> str:
        serial = self.serials()
        if type(serial) is not int or not 1 <= serial <= _MAX_SERIAL:
            raise InvalidCommandError(
                "reference", f"serial {serial!r} is outside 1-{_MAX_SERIAL}; the counter is spent"
            )
        year = (
            datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
            + datetime.timedelta(microseconds=at_ns // 1000)
        ).year
        return f"{self.force}{self.station}{serial:05d}{year % 100:02d}"
