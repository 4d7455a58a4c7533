"""A case of few records but many words is checked on every core, with the same report.

Checking a text disclosure costs about a microsecond per word: a few hundred
statements are as much work as many thousands of records. Their outcomes are
worked out in worker processes ahead of the walk; the walk still compares each
with its record, in order, so a fault in any text is reported exactly as a
single process reports it.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import random
import uuid

import pytest

from _casebuilder import AT, World
from _textcase import note_chain, random_text
from casefile.signing import TextDisclosure
from casefile.verifier import _pool, _texts, iter_verified_records, report_case

_CASE = uuid.UUID(int=0x7E57)


def _case(world: World, records: int, words: int) -> tuple[list[bytes], list[TextDisclosure]]:
    rng = random.Random(3)
    texts = [random_text(rng, words) for _ in range(records)]
    return note_chain(world.alice, _CASE, texts, time_ns=AT - 10**12)


def _report(records: list[bytes], disclosures: list[TextDisclosure], workers: int) -> object:
    report = report_case(
        records, trust=WORLD.trust, at=AT, disclosures=list(disclosures), workers=workers
    )
    # Errors compare by what they say and where.
    return (
        report.verified,
        report.size,
        report.root,
        [(type(e).__name__, e.step, e.seq, e.message) for e in report.errors],
        report.findings,
    )


WORLD = World()


@pytest.fixture
def adopted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Small batches, a low threshold, the forked pool; counts the outcomes workers hand over."""
    monkeypatch.setattr(_texts, "PARALLEL_AFTER_UNITS", 2_000)
    monkeypatch.setattr(_texts, "BATCH_UNITS", 500)
    monkeypatch.setattr(_pool, "_fork_context", lambda: multiprocessing.get_context("fork"))
    counted: list[int] = []
    real = _texts.adopt_outcomes

    def counting(disclosures: object, found: list[object]) -> None:
        counted.append(len(found))
        real(disclosures, found)  # type: ignore[arg-type]

    monkeypatch.setattr(_texts, "adopt_outcomes", counting)
    return counted


def test_text_heavy_case_is_checked_in_worker_processes_with_the_same_report(
    adopted: list[int],
) -> None:
    records, disclosures = _case(WORLD, 60, 120)
    serial = _report(records, disclosures, 1)
    assert not adopted
    parallel = _report(records, disclosures, 2)
    assert sum(adopted) > len(disclosures) // 2  # most outcomes came from workers
    assert parallel == serial
    assert serial[0] is True


def test_forged_texts_checked_in_worker_processes_fail_as_in_one_process(
    adopted: list[int],
) -> None:
    records, disclosures = _case(WORLD, 60, 120)
    forged = list(disclosures)
    # A revealed word altered, a seed too many, and a withheld run swapped in
    # without its hash: each fails its own record, in order.
    first = forged[40]
    forged[40] = dataclasses.replace(first, units=("that ", *first.units[1:]))
    second = forged[45]
    forged[45] = dataclasses.replace(second, seeds=(*second.seeds, bytes(32)))
    third = forged[50]
    forged[50] = dataclasses.replace(third, withheld=((0, 1),), units=third.units[1:])
    serial = _report(records, forged, 1)
    parallel = _report(records, forged, 2)
    assert sum(adopted) > 0
    assert parallel == serial
    assert [(seq, step) for _, step, seq, _ in serial[3]] == [(41, "V11"), (46, "V11"), (51, "V11")]


def test_a_pool_that_cannot_start_leaves_the_texts_to_the_walk(
    adopted: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("processes are not allowed here")

    monkeypatch.setattr(_texts, "ProcessPoolExecutor", no_processes)
    records, disclosures = _case(WORLD, 40, 120)
    forged = list(disclosures)
    forged[20] = dataclasses.replace(forged[20], units=("x ", *forged[20].units[1:]))
    assert _report(records, forged, 2) == _report(records, forged, 1)
    assert not adopted


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stream_that_breaks_while_read_ahead_breaks_where_the_walk_reaches_it(
    adopted: list[int], workers: int
) -> None:
    records, disclosures = _case(WORLD, 40, 120)

    class StreamBrokenError(Exception):
        pass

    def stream() -> object:
        yield from disclosures[:25]
        raise StreamBrokenError

    walked: list[int] = []
    walk = iter_verified_records(
        records, trust=WORLD.trust, at=AT, disclosures=stream(), workers=workers
    )
    with pytest.raises(StreamBrokenError):
        walked.extend(record.seq for record in walk)
    # The walk had the first 25 records' disclosures; it failed on taking the 26th.
    assert walked == list(range(1, 25))
