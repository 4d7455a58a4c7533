"""A writer killed mid-way: a source that hangs after some bytes, and a child process stuck on it.

Crash-debris tests start a real child that reads from a :class:`Stalling`
source, wait until it has written something, and kill it with SIGKILL.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Event

__all__ = ["Stalling", "stalled_child"]


class Stalling(io.RawIOBase):
    """Gives ``data``, then blocks for ever, as a hung upload or network share would."""

    def __init__(self, data: bytes, reached: Event) -> None:
        self._left = data
        self._reached = reached

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left:
            n = min(len(buffer), len(self._left))
            buffer[:n] = self._left[:n]
            self._left = self._left[n:]
            return n
        self._reached.set()
        time.sleep(3600)
        return 0


@contextmanager
def stalled_child(
    target: Callable[[str, Event], None], where: str, *, what: str
) -> Iterator[multiprocessing.process.BaseProcess]:
    """A forked child running ``target(where, reached)``, once it has reached its stall.

    The child is killed with SIGKILL on leaving, whatever the test did.
    """
    context = multiprocessing.get_context("fork")
    reached = context.Event()
    child = context.Process(target=target, args=(where, reached), daemon=True)
    child.start()
    try:
        assert reached.wait(30), f"the {what} never reached its stall"
        yield child
    finally:
        if child.is_alive():
            os.kill(child.pid or 0, signal.SIGKILL)
        child.join(10)
