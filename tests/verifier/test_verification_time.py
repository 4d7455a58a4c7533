"""The time of verification, given as Python users write times (an aware datetime) or as ns."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from _bundlecase import AT as BUNDLE_AT
from _bundlecase import World as BundleWorld
from _bundlecase import make_bundle
from _casebuilder import AT, World
from casefile.bundle import verify_bundle
from casefile.errors import TimeFormatError
from casefile.verifier import iter_verified_records, report_case, verify_case

WORLD = World()
CASE = WORLD.case(4)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _aware(ns: int, hours: int = 0) -> datetime.datetime:
    zone = datetime.timezone(datetime.timedelta(hours=hours))
    return (_EPOCH + datetime.timedelta(microseconds=ns // 1000)).astimezone(zone)


def test_an_aware_datetime_as_verification_time_is_judged_as_its_nanoseconds() -> None:
    # Before, a datetime reached the record-time arithmetic and crashed there.
    for at in (_aware(AT), _aware(AT, hours=-5)):
        case = verify_case(CASE.records, trust=WORLD.trust, at=at, workers=1)
        assert case.size == 4
        assert report_case(CASE.records, trust=WORLD.trust, at=at, workers=1).verified
        assert len(list(iter_verified_records(CASE.records, trust=WORLD.trust, at=at))) == 4


def test_a_naive_datetime_as_verification_time_is_refused_not_guessed() -> None:
    naive = _aware(AT).replace(tzinfo=None)
    with pytest.raises(TimeFormatError, match="at: naive datetime"):
        verify_case(CASE.records, trust=WORLD.trust, at=naive, workers=1)
    with pytest.raises(TimeFormatError, match="at: naive datetime"):
        report_case(CASE.records, trust=WORLD.trust, at=naive, workers=1)


def test_a_verification_time_that_is_no_time_is_refused_by_type() -> None:
    for at in (1.7e18, "2026-01-01T00:00:00Z", True):
        with pytest.raises(TypeError, match="at must be int nanoseconds"):
            verify_case(CASE.records, trust=WORLD.trust, at=at, workers=1)  # type: ignore[arg-type]


def test_a_bundle_is_verified_as_of_an_aware_datetime(tmp_path: Path) -> None:
    world = BundleWorld()
    make_bundle(tmp_path / "b", world)
    result = verify_bundle(tmp_path / "b", at=_aware(BUNDLE_AT, hours=2), trust=world.trust)
    assert result.verified
    with pytest.raises(TimeFormatError, match="naive"):
        verify_bundle(tmp_path / "b", at=_aware(BUNDLE_AT).replace(tzinfo=None), trust=world.trust)
