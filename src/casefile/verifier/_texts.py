"""Text disclosures checked in worker processes ahead of the walk (step V11).

Checking a text disclosure costs about a microsecond per word, so a case whose
statements run to thousands of words is as much work as many thousands of
records, however few records it has. :class:`TextAhead` reads the disclosure
stream a bounded way ahead of the walk and, once the words read reach
:data:`PARALLEL_AFTER_UNITS`, has forked worker processes work out each text
disclosure's outcome (its commitment, or its fault in words) in batches. The
walk still compares every outcome with its record's commitment itself, in
order, so the verdict and every error are those of a walk in one process.

An exception the stream raises while read ahead is held and raised where the
walk reaches it. Work the pool cannot do (it could not start, a worker died)
is done in this process when the walk reaches it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from casefile.signing._text import AnyDisclosure, TextDisclosure, adopt_outcomes, outcomes
from casefile.verifier import _pool

__all__ = ["PARALLEL_AFTER_UNITS", "TextAhead"]

#: Worker processes start once this many text units have been read: starting
#: and stopping a pool, and sending it the texts, cost more than they save
#: below about 60,000 words on two cores (benchmarks/bench_text_cores.py
#: measured 0.96x the rate of one process at 45,000 words, 1.03x at 60,000,
#: 1.14x at 75,000 and 1.32x at 600,000).
PARALLEL_AFTER_UNITS = 65_536
#: A batch sent to a worker ends once it holds this many units.
BATCH_UNITS = 4_096
#: Disclosures are read ahead while fewer than this many units (and disclosures)
#: are held: memory stays bounded, and two workers stay busy.
AHEAD_UNITS = 65_536
AHEAD_DISCLOSURES = 4_096


def _weight(item: TextDisclosure) -> int:
    """The units a disclosure carries; its fields are not checked yet, so no trust in ``n``."""
    units = item.units
    return max(1, len(units)) if type(units) is tuple else 1


class _Batch:
    """Text disclosures whose outcomes one worker works out together."""

    __slots__ = ("future", "items", "reached", "units")

    def __init__(self) -> None:
        self.items: list[TextDisclosure] = []
        self.units = 0
        self.future: Future[list[bytes | str]] | None = None
        #: The walk has come to it: too late to send it to a worker.
        self.reached = False

    def adopt(self) -> None:
        """Give the items the worker's outcomes, once; on any failure leave them to the walk."""
        self.reached = True
        future, self.future = self.future, None
        if future is None:
            return
        try:
            found = future.result()
        except Exception:  # a broken pool only means working in-process
            return
        adopt_outcomes(self.items, found)


class TextAhead:
    """The disclosure stream, read ahead, with text outcomes worked out by ``workers`` processes."""

    def __init__(
        self,
        source: Iterable[AnyDisclosure],
        workers: int,
    ) -> None:
        self._source = iter(source)
        self._workers = workers
        # Read ahead only where a pool could fork: otherwise the stream is
        # read exactly as the walk takes it.
        self._ahead = workers > 1 and _pool._fork_context() is not None
        self._held: deque[tuple[AnyDisclosure, _Batch | None]] = deque()
        self._held_units = 0
        self._read_units = 0
        self._open = _Batch()
        self._pool: ProcessPoolExecutor | None = None
        self._pool_failed = False
        self._waiting: list[_Batch] = []  # full batches read before the pool started
        self._ended = False
        self._raised: BaseException | None = None

    def __iter__(self) -> Iterator[AnyDisclosure]:
        return self

    def __next__(self) -> AnyDisclosure:
        if not self._ahead:
            return next(self._source)  # one process: nothing to gain by reading ahead
        self._fill()
        if not self._held:
            raised, self._raised = self._raised, None
            if raised is not None:
                raise raised
            raise StopIteration
        item, batch = self._held.popleft()
        if isinstance(item, TextDisclosure):
            self._held_units -= _weight(item)
        if batch is not None:
            if batch is self._open:
                self._open = _Batch()  # the walk reached it: nothing more joins it
            batch.adopt()
        return item

    def _fill(self) -> None:
        while (
            not self._ended
            and self._held_units < AHEAD_UNITS
            and len(self._held) < AHEAD_DISCLOSURES
        ):
            try:
                item = next(self._source)
            except StopIteration:
                self._ended = True
                break
            except Exception as exc:  # raised where the walk reaches it
                self._ended = True
                self._raised = exc
                break
            if not isinstance(item, TextDisclosure):
                self._held.append((item, None))
                continue
            weight = _weight(item)
            batch = self._open
            batch.items.append(item)
            batch.units += weight
            self._held.append((item, batch))
            self._held_units += weight
            self._read_units += weight
            if batch.units >= BATCH_UNITS:
                self._submit(batch)
                self._open = _Batch()
        if self._ended and self._open.items:
            self._submit(self._open)
            self._open = _Batch()

    def _submit(self, batch: _Batch) -> None:
        if self._read_units < PARALLEL_AFTER_UNITS:
            self._waiting.append(batch)
            return
        pool = self._start()
        if pool is None:
            return
        waiting, self._waiting = self._waiting, []
        for each in (*waiting, batch):
            if each.reached:
                continue  # the walk has worked it out already
            try:
                each.future = pool.submit(outcomes, each.items)
            except Exception:  # the pool broke: the walk works it out
                self._pool_failed = True
                return

    def _start(self) -> ProcessPoolExecutor | None:
        if self._pool is not None or self._pool_failed:
            return None if self._pool_failed else self._pool
        # Asked only now: forking is safe only while no other thread runs
        # (the records' own pool may have started one meanwhile).
        context = _pool._fork_context()
        if context is None:
            self._pool_failed = True  # the texts are worked out in this process
            return None
        try:
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
        except (OSError, RuntimeError, ValueError):
            self._pool_failed = True
        return self._pool

    def close(self) -> None:
        """Stop the workers; the outcomes nobody will read are dropped."""
        pool, self._pool = self._pool, None
        self._pool_failed = True
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
