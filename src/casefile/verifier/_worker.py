"""Verification workers started as fresh interpreters that run this module alone.

A multi-threaded caller must not fork (another thread may hold a lock that the
child would need), and multiprocessing's spawn and fork-server methods re-run
the caller's ``__main__`` module in every worker, so a script without an
``if __name__ == "__main__":`` guard would run again. A worker started here runs
:func:`main` and nothing else: it imports only the parsing code, with the
caller's ``sys.path`` so that it finds the same ``casefile``.

Each worker reads, from its stdin, the trusted keys and the payload schemas,
then chunks of
records, and writes one result list per chunk to its stdout. Every message is
a length-prefixed pickle frame. Both ends are this module's code in processes
that this one started, so the frames are trusted; the records inside them are
not, and are only ever parsed by :func:`~casefile.verifier._parse.parse_chunk`.
"""

from __future__ import annotations

import json
import pickle
import struct
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import IO, Any

from casefile.verifier._parse import Failed, Parsed, parse_chunk
from casefile.verifier._payloads import PayloadSchemas

__all__ = ["main", "parse_in_processes"]

_LENGTH = struct.Struct(">Q")
# The child sets its import path to the parent's before importing casefile;
# -I keeps the environment and the working directory from changing it.
_BOOT = (
    "import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
    "from casefile.verifier._worker import main; main()"
)
#: How long a worker may take to exit once its input is closed.
_EXIT_SECONDS = 10


class _WorkerLostError(Exception):
    """A worker's pipe broke, or it died: its chunks are verified in-process instead."""


def _send(stream: IO[bytes] | None, message: object) -> None:
    if stream is None:
        raise _WorkerLostError("no pipe")
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        stream.write(_LENGTH.pack(len(data)))
        stream.write(data)
        stream.flush()
    except (OSError, ValueError) as exc:  # ValueError: the pipe was closed
        raise _WorkerLostError(str(exc)) from None


def _receive(stream: IO[bytes] | None) -> Any:
    if stream is None:
        raise _WorkerLostError("no pipe")
    try:
        head = stream.read(_LENGTH.size)
        if len(head) != _LENGTH.size:
            raise _WorkerLostError("the worker ended")
        (size,) = _LENGTH.unpack(head)
        data = stream.read(size)
        if len(data) != size:
            raise _WorkerLostError("the worker ended mid-message")
        return pickle.loads(data)  # noqa: S301 - our own worker's frame, see the module docstring
    except (OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise _WorkerLostError(str(exc)) from None


def main() -> None:
    """The worker's loop: keys and payload schemas, then chunks until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the result frames
    try:
        keys, payloads = _receive(stdin)
        while True:
            with_data, chunk = _receive(stdin)
            _send(stdout, parse_chunk(chunk, keys, with_data, payloads))
    except _WorkerLostError:
        return  # input closed: the verification is over (or was abandoned)


def _start(
    workers: int, keys: Mapping[bytes, bytes], payloads: PayloadSchemas | None
) -> list[subprocess.Popen[bytes]]:
    if not sys.executable:
        raise OSError("no Python executable to start workers with")
    # Entries that are not text (allowed, and ignored by imports) cannot be passed on.
    path = json.dumps([entry for entry in sys.path if isinstance(entry, str)])
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(workers):
            # The command is this interpreter running fixed code; only the
            # caller's own import path is passed, as data.
            procs.append(
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "-I", "-c", _BOOT, path],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            )
            _send(procs[-1].stdin, (dict(keys), payloads))
    except BaseException:
        _stop(procs, abandon=True)
        raise
    return procs


def _stop(procs: list[subprocess.Popen[bytes]], *, abandon: bool) -> None:
    for proc in procs:
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass  # already broken: the worker is gone
        if abandon:
            proc.kill()
    for proc in procs:
        try:
            proc.wait(timeout=_EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def parse_in_processes(
    first: list[bytes],
    it: Iterator[bytes],
    take: Callable[[Iterator[bytes]], list[bytes]],
    keys: Mapping[bytes, bytes],
    workers: int,
    with_data: bool,
    payloads: PayloadSchemas | None = None,
) -> Generator[tuple[bytes, Parsed | Failed], None, list[list[bytes]]]:
    """Verify chunks in worker interpreters; return the chunks left unverified.

    Each worker holds one chunk at a time and is given the next one as soon as
    its result is read, before the caller works on that result: a worker is
    never writing a result while it is being sent a chunk, so the pipes cannot
    deadlock, and memory holds at most ``workers + 1`` chunks.
    """
    try:
        procs = _start(workers, keys, payloads)
    except (OSError, ValueError, _WorkerLostError):
        return [first]
    queue: deque[tuple[list[bytes], subprocess.Popen[bytes]]] = deque()
    waiting: list[bytes] = first
    finished = False
    try:
        for proc in procs:
            if not waiting:
                break
            chunk, waiting = waiting, []
            queue.append((chunk, proc))
            _send(proc.stdin, (with_data, chunk))
            waiting = take(it)
        while queue:
            chunk, proc = queue[0]
            results: list[Parsed | Failed] = _receive(proc.stdout)
            queue.popleft()
            if waiting:
                following, waiting = waiting, []
                queue.append((following, proc))
                _send(proc.stdin, (with_data, following))
                waiting = take(it)
            yield from zip(chunk, results, strict=True)
        finished = True
    except _WorkerLostError:
        return [chunk for chunk, _ in queue] + ([waiting] if waiting else [])
    finally:
        # Also reached when the consumer stops at the first failure.
        _stop(procs, abandon=not finished)
    return []


if __name__ == "__main__":
    main()
