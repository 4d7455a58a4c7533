"""What the capture benchmarks share: an officer, an intake service, their trust store,
a reproducible clock and randomness, a device store, and the median of a few runs."""

from __future__ import annotations

import gc
import hashlib
import itertools
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from casefile.application import DeviceApp
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import Holder, TrustEntry, TrustStore

T0 = 1_767_225_600 * 10**9
OFFICER_NAME = "force.example/pc-1001"
INTAKE_NAME = "force.example/intake"
OFFICER = InMemorySigner(hashlib.sha256(b"bench officer").digest())
INTAKE = InMemorySigner(hashlib.sha256(b"bench intake").digest())


def median(fn: Callable[[], object], repeats: int) -> float:
    """The median time of ``repeats`` runs of ``fn``, each after a collection."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _entry(signer: InMemorySigner, name: str, roles: set[str]) -> TrustEntry:
    holder = Holder(name, "PC", name[-4:], "Example Police")
    return TrustEntry(signer.public_key, name, holder, frozenset(roles), T0 - 10**15)


def trust() -> TrustStore:
    """The officer records; the intake service records bindings and signs receipts."""
    return TrustStore(
        [
            _entry(OFFICER, OFFICER_NAME, {"recorder"}),
            _entry(INTAKE, INTAKE_NAME, {"recorder", "checkpoint"}),
        ]
    )


def random_bytes(label: str) -> Callable[[int], bytes]:
    """Reproducible randomness, distinct per ``label``."""
    counter = itertools.count()
    return lambda n: hashlib.sha256(f"{label}:{next(counter)}".encode()).digest()[:n]


def clock() -> Callable[[], int]:
    """A clock that moves a millisecond at each reading."""
    return itertools.count(T0, 10**6).__next__


def device(folder: str, store: TrustStore, now: Callable[[], int]) -> DeviceApp:
    """A tablet's store in ``folder``."""
    return DeviceApp(
        Path(folder) / "tablet.sqlite",
        trust=store,
        device="tablet-1",
        origin_namespace="force.example",
        clock=now,
        random_bytes=random_bytes("device"),
    )
