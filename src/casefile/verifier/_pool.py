"""Ordered, bounded parallel map of :func:`parse_chunk` over a record stream.

Memory stays bounded whatever the number of records: at most ``2 * workers``
chunks are in flight, and results come back in input order.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from casefile.verifier._parse import Failed, Parsed, init_worker, parse_chunk, parse_chunk_in_worker
from casefile.verifier._payloads import PayloadSchemas
from casefile.verifier._worker import parse_in_processes

__all__ = ["CHUNK_BYTES", "CHUNK_SIZE", "available_cores", "parse_stream"]

CHUNK_SIZE = 1024
#: A chunk also ends once its records reach this many bytes: records may be
#: 16 MiB each, and 1024 of them held at once would be 16 GiB.
CHUNK_BYTES = 16 * 1024 * 1024
#: The first this-many chunks are verified in-process, and worker processes
#: start only for what follows: starting them costs about as much as
#: verifying several thousand records.
PARALLEL_AFTER_CHUNKS = 8


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _take(it: Iterator[bytes]) -> list[bytes]:
    """The next chunk: up to CHUNK_SIZE records, ending early once CHUNK_BYTES are held."""
    chunk: list[bytes] = []
    held = 0
    for raw in islice(it, CHUNK_SIZE):
        chunk.append(raw)
        # len() of a non-bytes item is left to the parser to refuse.
        held += len(raw) if isinstance(raw, bytes | bytearray) else 1
        if held >= CHUNK_BYTES:
            break
    return chunk


def parse_stream(
    records: Iterable[bytes],
    keys: Mapping[bytes, bytes],
    workers: int,
    with_data: bool = True,
    payloads: PayloadSchemas | None = None,
) -> Iterator[tuple[bytes, Parsed | Failed]]:
    """Parse and signature-check records, using ``workers`` processes when it pays.

    Yields each raw record with its result, in input order.
    """
    it = iter(records)
    # The first chunks are verified here, as they come: small cases never pay
    # for starting processes, and nothing is buffered while deciding.
    for _ in range(PARALLEL_AFTER_CHUNKS if workers > 1 else 0):
        chunk = _take(it)
        if not chunk:
            return
        yield from zip(chunk, parse_chunk(chunk, keys, with_data, payloads), strict=True)
    first = _take(it)
    if workers > 1 and first:
        # Whatever the pool does not verify (it could not start, or a worker
        # died) comes back here to be verified in this process, in order.
        context = _fork_context()
        if context is not None:
            leftover = yield from _parse_in_pool(
                first, it, keys, workers, with_data, payloads, context
            )
        else:
            leftover = yield from parse_in_processes(
                first, it, _take, keys, workers, with_data, payloads
            )
        for chunk in leftover:
            yield from zip(chunk, parse_chunk(chunk, keys, with_data, payloads), strict=True)
        first = _take(it)
    while first:
        yield from zip(first, parse_chunk(first, keys, with_data, payloads), strict=True)
        first = _take(it)


def _fork_context() -> multiprocessing.context.BaseContext | None:
    """Fork, when it is safe; otherwise None, and workers are fresh interpreters.

    A single-threaded process forks: nothing is re-imported and no lock can be
    held by another thread at the fork. A multi-threaded one (a server, say)
    must not fork, and multiprocessing's other methods re-run the caller's
    ``__main__`` in every worker: :mod:`casefile.verifier._worker` starts
    interpreters that run the parsing code alone instead.
    """
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def _parse_in_pool(
    first: list[bytes],
    it: Iterator[bytes],
    keys: Mapping[bytes, bytes],
    workers: int,
    with_data: bool,
    payloads: PayloadSchemas | None,
    context: multiprocessing.context.BaseContext,
) -> Generator[tuple[bytes, Parsed | Failed], None, list[list[bytes]]]:
    """Verify chunks in forked worker processes; return the chunks left unverified.

    A sandbox that forbids processes or a killed worker ends the pool, and the
    chunks it had not returned are handed back rather than lost.
    """
    pending: deque[tuple[list[bytes], Future[list[Parsed | Failed]] | None]] = deque()
    pending.append((first, None))
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(dict(keys), payloads),
        )
    except (OSError, RuntimeError, ValueError):
        return [first]
    try:
        pending[0] = (first, pool.submit(parse_chunk_in_worker, first, with_data))
        exhausted = False
        while pending:
            while not exhausted and len(pending) < 2 * workers:
                chunk = _take(it)
                if not chunk:
                    exhausted = True
                    break
                pending.append((chunk, None))
                pending[-1] = (chunk, pool.submit(parse_chunk_in_worker, chunk, with_data))
            chunk, future = pending[0]
            if future is None:
                break
            results = future.result()
            pending.popleft()
            yield from zip(chunk, results, strict=True)
    except (BrokenProcessPool, OSError, RuntimeError):
        return [chunk for chunk, _ in pending]
    finally:
        # Also reached when the consumer stops at the first failure: drop the
        # chunks nobody will read instead of verifying them.
        pool.shutdown(wait=True, cancel_futures=True)
    return []
