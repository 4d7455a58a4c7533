"""Application benchmark: casefile against plain eventsourcing and raw PyNaCl, same run.

Every figure is set beside a baseline measured in the same run, so that the
machine's speed cancels out:

1. append, 100 events per save, on SQLite (a WAL file) and PostgreSQL (a
   throwaway server, when the server binaries are installed): one officer
   session of 100 notes per save against plain eventsourcing with a msgpack
   transcoder, the same backend and batch size (target casefile/plain >= 0.6);
2. routine load of a 10,000-event case (SQLite) against ``repository.get`` of
   a 10,000-event plain aggregate (target casefile/plain time <= 1.3);
3. ``verify_bundle`` of N records (default 100,000), one process and every
   core, against raw ``crypto_sign_open`` on one core (target one process /
   floor >= 0.8);
4. peak memory of verifying bundles of 10,000 and N records, each in a fresh
   process (target: flat, a ratio near 1).

Usage: python benchmarks/bench_app.py [--records N] [--quick] [--repeat R]
       [--no-postgres] [--profile N]

``--profile N`` only profiles N casefile appends on SQLite and prints where
the time goes. A PostgreSQL server named by ``CASEFILE_TEST_POSTGRES_DSN`` is
used (in a schema of its own, dropped afterwards) instead of a throwaway one.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import itertools
import json
import os
import pstats
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgpack
import nacl.bindings as sodium
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Transcoder

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _casebuilder import AT, T0, CaseBuilder, World
from casefile.application import CasefileApp, StoreConfig
from casefile.bundle import verify_bundle, write_bundle
from casefile.signing._records import parse_record, signing_input
from casefile.verifier._pool import available_cores

BATCH = 100
LOAD_EVENTS = 10_000
NOTE = "Visited the victim at home; statement arranged for tomorrow at the station. #{}"


# --- plain eventsourcing, the baseline --------------------------------------------


class MsgpackTranscoder(Transcoder):
    """msgpack both ways; event timestamps travel as msgpack Timestamps."""

    def encode(self, obj: Any) -> bytes:
        return msgpack.packb(obj, datetime=True)  # type: ignore[no-any-return]

    def decode(self, data: bytes) -> Any:
        return msgpack.unpackb(data, timestamp=3)


class Notebook(Aggregate):
    """One aggregate with one simple event carrying a note's text."""

    class NoteAdded(Aggregate.Event):
        text: str

        def apply(self, aggregate: Any) -> None:
            aggregate.notes += 1

    def __init__(self) -> None:
        self.notes = 0

    def add_note(self, text: str) -> None:
        self.trigger_event(self.NoteAdded, text=text)


class PlainApp(Application[uuid.UUID]):
    name = "plainbench"

    def construct_transcoder(self) -> Transcoder:
        return MsgpackTranscoder()


# --- helpers ------------------------------------------------------------------------


def stepping_clock(start: int = T0 + 86_400 * 10**9) -> Callable[[], int]:
    counter = itertools.count()
    return lambda: start + 1_000_000 * next(counter)


def seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(repeat: int, candidates: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median seconds of each candidate, rounds interleaved so noise hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            samples[name].append(seconds(fn))
    return {name: statistics.median(values) for name, values in samples.items()}


def casefile_app(store: StoreConfig, world: World) -> CasefileApp:
    return CasefileApp(store=store, trust=world.trust, clock=stepping_clock())


# A reference names one case per store, and rounds open cases in the same store.
_REFERENCES = itertools.count()


def open_cases(app: CasefileApp, world: World, n: int) -> list[uuid.UUID]:
    return [
        app.open_case(
            world.alice,
            offence="theft",
            channel="online",
            reference=f"BENCH{next(_REFERENCES):06d}",
        )
        for _ in range(n)
    ]


def casefile_sessions(app: CasefileApp, world: World, case_ids: list[uuid.UUID]) -> None:
    officer = world.alice
    for case_id in case_ids:
        with app.session(case_id, officer) as case:
            for i in range(BATCH):
                case.add_note(text=NOTE.format(i))


def plain_sessions(app: PlainApp, ids: list[uuid.UUID]) -> None:
    for aggregate_id in ids:
        notebook: Notebook = app.repository.get(aggregate_id)
        for i in range(BATCH):
            notebook.add_note(NOTE.format(i))
        app.save(notebook)


def new_notebooks(app: PlainApp, n: int) -> list[uuid.UUID]:
    ids = []
    for _ in range(n):
        notebook = Notebook()
        app.save(notebook)
        ids.append(notebook.id)
    return ids


# --- 1. append ----------------------------------------------------------------------


def bench_append(
    label: str,
    casefile_store: StoreConfig,
    plain_env: dict[str, str],
    world: World,
    *,
    batches: int,
    repeat: int,
) -> float:
    """Sessions of BATCH notes on cases opened beforehand, one save each."""
    with contextlib.ExitStack() as stack:
        app = casefile_app(casefile_store, world)
        stack.callback(app.close)
        plain = PlainApp(env=plain_env)
        stack.callback(plain.close)
        cases = iter([open_cases(app, world, batches) for _ in range(repeat)])
        notebooks = iter([new_notebooks(plain, batches) for _ in range(repeat)])
        t = interleaved(
            repeat,
            {
                "plain": lambda: plain_sessions(plain, next(notebooks)),
                "casefile": lambda: casefile_sessions(app, world, next(cases)),
            },
        )
    events = batches * BATCH
    ratio = t["plain"] / t["casefile"]
    print(
        f"append   {label:10s} plain {events / t['plain']:8.0f} ev/s   "
        f"casefile {events / t['casefile']:8.0f} ev/s   "
        f"ratio {ratio:.2f}x (target >= 0.60)"
    )
    return ratio


def sqlite_stores(folder: Path) -> tuple[StoreConfig, dict[str, str]]:
    casefile = StoreConfig.sqlite(folder / "casefile.sqlite")
    plain = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(folder / "plain.sqlite"),
    }
    return casefile, plain


@contextlib.contextmanager
def postgres_env() -> Iterator[dict[str, str]]:
    """eventsourcing settings of a PostgreSQL server; raises PostgresUnavailableError."""
    from _pg_cluster import ThrowawayCluster
    from _postgres import (
        BINDIR_VARIABLE,
        create_schema,
        drop_schema,
        find_binaries,
        settings_from_environment,
    )

    external = settings_from_environment(
        {k: v for k, v in os.environ.items() if k == "CASEFILE_TEST_POSTGRES_DSN"}
    )
    if external is not None:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        create_schema(external, schema)
        try:
            yield external.as_env(schema=schema)
        finally:
            drop_schema(external, schema)
        return
    binaries = find_binaries(
        override=os.environ.get(BINDIR_VARIABLE) or None,
        search_path=os.environ.get("PATH", ""),
    )
    # PostgreSQL refuses to run as root; Debian's package creates this user for it.
    cluster = ThrowawayCluster(binaries, run_as="postgres" if os.geteuid() == 0 else None)
    try:
        yield cluster.start().as_env()
    finally:
        cluster.stop()


def bench_append_all(
    folder: Path, world: World, *, batches: int, repeat: int, postgres: bool
) -> None:
    casefile_store, plain_env = sqlite_stores(folder)
    bench_append("SQLite", casefile_store, plain_env, world, batches=batches, repeat=repeat)
    if not postgres:
        print("append   PostgreSQL skipped: --no-postgres")
        return
    from _postgres import PostgresUnavailableError

    try:
        with postgres_env() as env:
            bench_append(
                "PostgreSQL",
                StoreConfig.from_settings(env),
                env,
                world,
                batches=batches,
                repeat=repeat,
            )
    except (PostgresUnavailableError, ImportError) as exc:
        reason = " ".join(str(exc).split())[:300]
        print(f"append   PostgreSQL skipped: {reason}")


# --- 2. routine load ----------------------------------------------------------------


def bench_load(folder: Path, world: World, *, repeat: int) -> float:
    casefile_store, plain_env = sqlite_stores(folder / "load")
    (folder / "load").mkdir()
    with contextlib.ExitStack() as stack:
        app = casefile_app(casefile_store, world)
        stack.callback(app.close)
        plain = PlainApp(env=plain_env)
        stack.callback(plain.close)
        with app.open_session(
            world.alice, offence="theft", channel="online", reference="LOAD000001"
        ) as case:
            for i in range(LOAD_EVENTS - 1):
                case.add_note(text=NOTE.format(i))
        case_id = case.id
        notebook = Notebook()
        for i in range(LOAD_EVENTS - 1):
            notebook.add_note(NOTE.format(i))
        plain.save(notebook)
        if app.get_case(case_id).version != LOAD_EVENTS:
            raise SystemExit("casefile case has the wrong length: the benchmark is broken")
        if plain.repository.get(notebook.id).version != LOAD_EVENTS:
            raise SystemExit("plain aggregate has the wrong length: the benchmark is broken")
        t = interleaved(
            repeat,
            {
                "plain": lambda: plain.repository.get(notebook.id),
                "casefile": lambda: app.get_case(case_id),
            },
        )
    ratio = t["casefile"] / t["plain"]
    print(
        f"load     {LOAD_EVENTS} events, SQLite   plain {t['plain'] * 1e3:7.1f} ms   "
        f"casefile {t['casefile'] * 1e3:7.1f} ms   ratio {ratio:.2f}x (target <= 1.30)"
    )
    return ratio


# --- 3. bundle verification ---------------------------------------------------------


def build_bundle(dest: Path, world: World, n: int) -> CaseBuilder:
    builder = CaseBuilder(uuid.UUID(int=n))
    add = builder.add
    for i in range(n):
        add(world.alice if i % 2 else world.bob, "note.added", {"text": NOTE.format(i)})
    write_bundle(
        dest,
        case_id=builder.case_id,
        records=iter(builder.records),
        disclosures=(),
        trust=world.trust,
        checkpoint_note=world.checkpoint(builder),
        signer=world.log,
    )
    return builder


def bench_verify(bundle: Path, builder: CaseBuilder, world: World, *, repeat: int) -> None:
    n = len(builder.records)
    keys = {e.key_id: e.public_key.raw for e in world.trust.entries}
    opened = []
    for raw_record in builder.records:
        parsed = parse_record(raw_record)
        opened.append(
            (parsed.signature + signing_input(parsed.header_bytes), keys[parsed.header.key_id])
        )

    def floor() -> None:
        for signed, public in opened:
            sodium.crypto_sign_open(signed, public)

    def ours(workers: int) -> Callable[[], object]:
        def run() -> None:
            result = verify_bundle(bundle, at=AT, trust=world.trust, workers=workers)
            if not result.verified or result.records != n:
                raise SystemExit("the bundle did not verify: the benchmark is broken")

        return run

    cores = available_cores()
    t = interleaved(repeat, {"floor": floor, "one": ours(1), "all": ours(cores)})
    print(
        f"verify   {n} records   raw open {n / t['floor']:8.0f}/s   "
        f"one process {n / t['one']:8.0f}/s   ratio {t['floor'] / t['one']:.2f}x (target >= 0.80)"
    )
    print(
        f"verify   {cores} cores {n / t['all']:8.0f}/s   vs one process {t['one'] / t['all']:.2f}x "
        "(target >= 1.60 on 2 idle cores)"
        f"   vs raw one-core floor {t['floor'] / t['all']:.2f}x"
    )


# --- 4. memory, in fresh processes --------------------------------------------------


def proc_status_kib(field: str) -> int | None:
    """A ``Vm*`` figure of /proc/self/status in KiB (Linux), or None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def reset_peak_rss() -> bool:
    """Set this process's peak RSS (VmHWM) to its current RSS (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def child_memory(bundle: Path, mode: str) -> None:
    """Verify one bundle in this (fresh) process; print what it cost as one JSON line.

    ru_maxrss of a process started by fork and exec includes its parent's peak
    (here, the parent held the bundle's records), so the peak is read as VmHWM,
    reset after imports; ru_maxrss is the fallback where /proc is missing.
    """
    trust = World().trust
    gc.collect()
    reset = reset_peak_rss()
    rss_before = proc_status_kib("VmRSS")
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if mode == "tracemalloc":
        tracemalloc.start()
    result = verify_bundle(bundle, at=AT, trust=trust, workers=1)
    peak = tracemalloc.get_traced_memory()[1] if mode == "tracemalloc" else 0
    hwm_after = proc_status_kib("VmHWM")
    maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if reset and rss_before is not None and hwm_after is not None:
        growth, measure = hwm_after - rss_before, "VmHWM"
    else:
        growth, measure = maxrss_after - maxrss_before, "ru_maxrss"
    print(
        json.dumps(
            {
                "verified": result.verified,
                "records": result.records,
                "rss_growth_kib": growth,
                "rss_measure": measure,
                "maxrss_growth_kib": maxrss_after - maxrss_before,
                "tracemalloc_peak": peak,
            }
        )
    )


def run_child(bundle: Path, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child-memory", str(bundle), "--child-mode", mode],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(f"memory child failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if not report["verified"]:
        raise SystemExit(f"{bundle.name}: the bundle did not verify in the memory child")
    return report


def bench_memory(small: Path, large: Path) -> None:
    rows = []
    for bundle in (small, large):
        rss = run_child(bundle, "rss")
        traced = run_child(bundle, "tracemalloc")
        rows.append(
            (
                rss["records"],
                rss["rss_growth_kib"] / 1024,
                rss["rss_measure"],
                traced["tracemalloc_peak"] / 2**20,
            )
        )
    for records, growth, measure, traced_mib in rows:
        print(
            f"memory   {records:7d} records, one process   peak RSS over post-import RSS "
            f"{growth:5.1f} MiB ({measure})   tracemalloc peak {traced_mib:5.1f} MiB"
        )
    (n_small, rss_small, _, tm_small), (n_large, rss_large, _, tm_large) = rows
    print(
        f"memory   {n_large / n_small:.0f}x the records: peak RSS ratio "
        f"{rss_large / max(rss_small, 1 / 1024):.2f}x, tracemalloc peak ratio "
        f"{tm_large / tm_small:.2f}x (target: flat, near 1)"
    )


# --- profile ------------------------------------------------------------------------


def profile_append(folder: Path, world: World, events: int) -> None:
    casefile_store, _plain = sqlite_stores(folder)
    profiler = cProfile.Profile()
    with contextlib.closing(casefile_app(casefile_store, world)) as app:
        cases = open_cases(app, world, max(1, events // BATCH))
        profiler.enable()
        casefile_sessions(app, world, cases)
        profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"profile: {len(cases) * BATCH} casefile appends on SQLite, {BATCH} per session")
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


# --- main ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=None, help="bundle size (100,000)")
    parser.add_argument("--quick", action="store_true", help="20,000 records, fewer repeats")
    parser.add_argument("--repeat", type=int, default=None, help="rounds per comparison")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL row")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N appends")
    parser.add_argument("--child-memory", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-mode", choices=["rss", "tracemalloc"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory is not None:
        child_memory(args.child_memory, args.child_mode or "rss")
        return
    records = args.records or (20_000 if args.quick else 100_000)
    repeat = args.repeat or (3 if args.quick else 5)
    if records < 20:
        parser.error("--records must be at least 20")
    # A plain kill still cleans up: temp files and any PostgreSQL server started.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    world = World()
    folder = Path(tempfile.mkdtemp(prefix="casefile-bench-app-"))
    try:
        if args.profile:
            profile_append(folder, world, args.profile)
            return
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"casefile application benchmark: {records} bundle records, median of {repeat}, "
            f"{available_cores()} cores, load average {load} (ratios assume an idle machine)"
        )
        batches = 20 if args.quick else 50
        bench_append_all(
            folder, world, batches=batches, repeat=repeat, postgres=not args.no_postgres
        )
        bench_load(folder, world, repeat=repeat)
        large_builder = build_bundle(folder / "large", world, records)
        bench_verify(folder / "large", large_builder, world, repeat=min(repeat, 3))
        del large_builder
        # A bundle of a few thousand records never fills the verifier's pipeline of
        # 1,024-record chunks, so its peak understates the steady state.
        small_n = 10_000 if records >= 20_000 else records // 10
        build_bundle(folder / "small", world, small_n)
        bench_memory(folder / "small", folder / "large")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
