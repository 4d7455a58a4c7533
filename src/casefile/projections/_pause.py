"""Building a large view without the cyclic garbage collector running through it.

A view of a large case allocates hundreds of thousands of small values that
hold no reference cycles (frozen dataclasses, tuples, maps of text), while
the verified records it reads stay alive beside them; each allocation burst
sets off full collections that walk all of them again, for nothing. On a
10,000-record case that was half the case file's time. Reference counting
still frees everything as usual; only the cycle search waits until the view
is built, and it is switched back on only if it was on.

The collector is the process's: a pause inside a pause (or in another thread
meanwhile) finds it off and leaves it off, and the pause that found it on
switches it back on when its view is built or fails, whichever thread is
still building. So the collector is never off longer than one view takes,
however many threads build views at once.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collection_paused"]


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, if it runs."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
