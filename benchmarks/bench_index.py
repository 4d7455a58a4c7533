"""Case index benchmark: finding and listing cases among N (default 100,000), same run.

Each figure is set beside a baseline measured in the same run on the same
database: the primary-key lookup of one stored record
(``recorder.select_events(case_id, lte=1)``), the cheapest read a store
answers. Ratios near 1 mean the index query costs what one indexed read does,
whatever the number of cases; a scan of every case would be thousands of times
slower at 100,000.

1. ``find_case(reference)`` of random references;
2. ``case_summaries`` filtered by status, by officer and by exhibit (a page of
   up to 100), and a page deep in the listing (``after`` a summary halfway).

A few real cases are opened through the application (so the index is written
by the save path), then the index tables are filled in bulk with N synthetic
rows straight through SQL: appending N signed cases would take minutes and
measures appending, which bench_app.py does. The rows look like the save
path's (six statuses, 500 officers, two exhibits per case).

Usage: python benchmarks/bench_index.py [--cases N] [--repeat R] [--no-postgres]

A PostgreSQL server named by ``CASEFILE_TEST_POSTGRES_DSN`` is used (in a
schema of its own, dropped afterwards) instead of a throwaway one.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_app import postgres_env, stepping_clock

from _casebuilder import T0, World
from casefile.application import CasefileApp, StoreConfig

STATUSES = (
    "under_investigation",
    "referred_to_cps",
    "charged",
    "no_further_action",
    "closed",
    "reopened",
)
OFFICERS = 500
REAL_CASES = 20


def synthetic_rows(n: int) -> Iterator[tuple[uuid.UUID, str, str, str, int, int, str, int]]:
    rng = random.Random(7)
    for i in range(n):
        opened = T0 + i * 60 * 10**9
        yield (
            uuid.UUID(int=rng.getrandbits(128), version=4),
            f"99XX{i:07d}",
            "Theft",
            STATUSES[i % len(STATUSES)],
            opened,
            opened + 3600 * 10**9,
            f"officer-{i % OFFICERS}",
            1 + i % 40,
        )


def fill_sqlite(app: CasefileApp, n: int) -> None:
    recorder: Any = app.recorder
    rows = list(synthetic_rows(n))
    with recorder.datastore.transaction(commit=True) as c:
        c.executemany(
            "INSERT INTO casefile_cases VALUES (?,?,?,?,?,?,?,?)",
            [(r[0].hex, *r[1:]) for r in rows],
        )
        c.executemany(
            "INSERT INTO casefile_case_exhibits VALUES (?,?)",
            [(f"EX/{r[1]}/{k}", r[0].hex) for r in rows for k in (1, 2)],
        )
        c.execute("ANALYZE")


def fill_postgres(app: CasefileApp, n: int) -> None:
    from psycopg.sql import SQL, Identifier

    recorder: Any = app.recorder
    schema = Identifier(recorder.datastore.schema)
    rows = list(synthetic_rows(n))
    with recorder.datastore.transaction(commit=True) as curs:
        cases = SQL("COPY {}.{} FROM STDIN").format(schema, Identifier("casefile_cases"))
        with curs.copy(cases) as copy:
            for row in rows:
                copy.write_row(row)
        exhibits = SQL("COPY {}.{} (exhibit, case_id) FROM STDIN").format(
            schema, Identifier("casefile_case_exhibits")
        )
        with curs.copy(exhibits) as copy:
            for row in rows:
                for k in (1, 2):
                    copy.write_row((f"EX/{row[1]}/{k}", row[0]))
    with recorder.datastore.transaction(commit=True) as curs:
        for table in ("casefile_cases", "casefile_case_exhibits"):
            curs.execute(SQL("ANALYZE {}.{}").format(schema, Identifier(table)))


def median_ms(fn: Callable[[int], object], repeat: int) -> float:
    samples = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def bench(name: str, store: StoreConfig, n: int, repeat: int) -> None:
    world = World()
    app = CasefileApp(store=store, trust=world.trust, clock=stepping_clock())
    try:
        real = [
            app.open_case(
                world.alice, offence="Theft", channel="online", reference=f"01YE{k:05d}26"
            )
            for k in range(REAL_CASES)
        ]
        (fill_sqlite if store.backend == "sqlite" else fill_postgres)(app, n)
        rng = random.Random(11)
        references = [f"99XX{rng.randrange(n):07d}" for _ in range(repeat)]
        halfway = None
        for _ in range(n // 2 // 1000):
            halfway = app.case_summaries(limit=1000, after=halfway)[-1]
        deep = app.case_summaries(status="charged", limit=100)[-1]
        found = app.find_case(references[0])
        assert app.case_summaries(exhibit=f"EX/{references[0]}/1")[0].case_id == found

        measured = {
            "record by key (baseline)": median_ms(
                lambda i: app.recorder.select_events(real[i % len(real)], lte=1), repeat
            ),
            "find_case(reference)": median_ms(lambda i: app.find_case(references[i]), repeat),
            "summaries status= (100)": median_ms(
                lambda i: app.case_summaries(status=STATUSES[i % 6], limit=100), repeat
            ),
            "summaries officer= (100)": median_ms(
                lambda i: app.case_summaries(officer=f"officer-{i % OFFICERS}", limit=100),
                repeat,
            ),
            "summaries exhibit=": median_ms(
                lambda i: app.case_summaries(exhibit=f"EX/{references[i]}/2"), repeat
            ),
            "summaries page after N/2 (100)": median_ms(
                lambda i: app.case_summaries(limit=100, after=halfway), repeat
            ),
            "summaries status= after a page (100)": median_ms(
                lambda i: app.case_summaries(status="charged", limit=100, after=deep), repeat
            ),
        }
    finally:
        app.close()
    baseline = measured["record by key (baseline)"]
    print(f"index    {name}, {n:,} cases in the index, median of {repeat}")
    for label, ms in measured.items():
        print(f"  {label:<38} {ms:8.3f} ms   {ms / baseline:6.2f}x baseline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench("SQLite", StoreConfig.sqlite(Path(folder) / "index.sqlite"), args.cases, args.repeat)
    if args.no_postgres:
        print("index    PostgreSQL skipped: --no-postgres")
        return
    from _postgres import PostgresUnavailableError

    try:
        with postgres_env() as env:
            bench("PostgreSQL", StoreConfig.from_settings(env), args.cases, args.repeat)
    except PostgresUnavailableError as exc:
        print(f"index    PostgreSQL skipped: {exc}")


if __name__ == "__main__":
    main()
