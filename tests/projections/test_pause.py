"""The collector pause around a large view: the process's collector is always given back."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from casefile.errors import InputError
from casefile.projections import build_case_file, case_file_document
from casefile.projections._pause import collection_paused
from casefile.verifier import VerifiedRecord
from projections._casefile_cases import prosecution


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_while_the_case_file_reads_its_records() -> None:
    _, verified = prosecution("charged")
    seen: list[bool] = []

    def watched() -> Iterator[VerifiedRecord]:
        for record in verified.records:
            seen.append(gc.isenabled())
            yield record

    file = build_case_file(watched())
    assert file.mg1.defendants
    assert seen
    assert not any(seen)
    assert gc.isenabled()


def test_a_build_that_fails_midway_gives_the_collector_back() -> None:
    _, verified = prosecution("charged")

    def broken() -> Iterator[VerifiedRecord]:
        yield from verified.records[:5]
        raise InputError("records: the store went away")

    with pytest.raises(InputError, match="store went away"):
        build_case_file(broken())
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_host_stays_off() -> None:
    _, verified = prosecution("charged")
    gc.disable()
    case_file_document(build_case_file(verified.records))
    assert not gc.isenabled()


def test_nested_pauses_give_the_collector_back_only_at_the_outermost() -> None:
    with collection_paused():
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.parametrize("first_out", ["first_in", "second_in"])
def test_overlapping_pauses_in_two_threads_leave_the_collector_on(first_out: str) -> None:
    # Whichever thread leaves first, the collector is on once both have left:
    # a view built in one thread never leaves the process without collection.
    entered = {name: threading.Event() for name in ("first_in", "second_in")}
    leave = {name: threading.Event() for name in ("first_in", "second_in")}
    left = {name: threading.Event() for name in ("first_in", "second_in")}

    def build(name: str) -> None:
        with collection_paused():
            entered[name].set()
            leave[name].wait(10)
        left[name].set()

    first = threading.Thread(target=build, args=("first_in",))
    second = threading.Thread(target=build, args=("second_in",))
    first.start()
    assert entered["first_in"].wait(10)
    second.start()
    assert entered["second_in"].wait(10)
    assert not gc.isenabled()
    last_out = "second_in" if first_out == "first_in" else "first_in"
    leave[first_out].set()
    assert left[first_out].wait(10)
    leave[last_out].set()
    first.join(10)
    second.join(10)
    assert gc.isenabled()
