"""Ordered, bounded parallel map of :func:`parse_chunk` over a record stream.

Memory stays bounded whatever the number of records: at most ``2 * workers``
chunks are in flight, and results come back in input order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from casefile.verifier._parse import Failed, Parsed, init_worker, parse_chunk, parse_chunk_in_worker

__all__ = ["CHUNK_SIZE", "available_cores", "parse_stream"]

CHUNK_SIZE = 1024
#: The first this-many chunks are verified in-process, and worker processes
#: start only for what follows: starting them costs about as much as
#: verifying several thousand records.
PARALLEL_AFTER_CHUNKS = 8


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_stream(
    records: Iterable[bytes], keys: Mapping[bytes, bytes], workers: int, with_data: bool = True
) -> Iterator[tuple[bytes, Parsed | Failed]]:
    """Parse and signature-check records, using ``workers`` processes when it pays.

    Yields each raw record with its result, in input order.
    """
    it = iter(records)
    # The first chunks are verified here, as they come: small cases never pay
    # for starting processes, and nothing is buffered while deciding.
    for _ in range(PARALLEL_AFTER_CHUNKS if workers > 1 else 0):
        chunk = list(islice(it, CHUNK_SIZE))
        if not chunk:
            return
        yield from zip(chunk, parse_chunk(chunk, keys, with_data), strict=True)
    first = list(islice(it, CHUNK_SIZE))
    if workers <= 1 or not first:
        while first:
            yield from zip(first, parse_chunk(first, keys, with_data), strict=True)
            first = list(islice(it, CHUNK_SIZE))
        return
    context = multiprocessing.get_context("forkserver")
    # Workers fork from a server that has already imported the parsing code.
    context.set_forkserver_preload(["casefile.verifier._parse"])
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=init_worker, initargs=(dict(keys),)
    )
    try:
        pending: deque[tuple[list[bytes], Future[list[Parsed | Failed]]]] = deque()
        pending.append((first, pool.submit(parse_chunk_in_worker, first, with_data)))
        exhausted = False
        while pending:
            while not exhausted and len(pending) < 2 * workers:
                chunk = list(islice(it, CHUNK_SIZE))
                if not chunk:
                    exhausted = True
                    break
                pending.append((chunk, pool.submit(parse_chunk_in_worker, chunk, with_data)))
            chunk, future = pending.popleft()
            yield from zip(chunk, future.result(), strict=True)
    finally:
        # Also reached when the consumer stops at the first failure: drop the
        # chunks nobody will read instead of verifying them.
        pool.shutdown(wait=True, cancel_futures=True)
