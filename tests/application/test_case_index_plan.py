"""No lookup or filtered listing of the case index reads every case (SQLite's query plans).

The benchmark (benchmarks/bench_index.py) measures the time among 100,000
cases; this pins the reason it stays small whatever the number of cases: each
query the index answers is a search of an index, never a scan of the table
(an ordered scan filtered row by row reads every case for a rare status).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import eventsourcing.sqlite as es_sqlite
import pytest

from application.conftest import OFFICER, TRUST, stepping_clock
from casefile.application import CasefileApp, CaseSummary, StoreConfig

_INDEX_TABLES = ("casefile_cases", "casefile_case_exhibits")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[CasefileApp]:
    app = CasefileApp(
        store=StoreConfig.sqlite(tmp_path / "cases.sqlite"), trust=TRUST, clock=stepping_clock()
    )
    for n in range(3):
        app.open_case(OFFICER, offence="Theft", channel="online", reference=f"01YE000{n}126")
    yield app
    app.close()


def _plans(
    app: CasefileApp, path: Path, query: Callable[[CasefileApp], object], monkeypatch: Any
) -> list[str]:
    """The plan lines of every statement ``query`` runs on the index tables."""
    seen: list[tuple[str, tuple[Any, ...]]] = []
    execute = es_sqlite.SQLiteCursor.execute

    def spy(self: Any, statement: Any, params: Any = ()) -> Any:
        seen.append((str(statement), tuple(params)))
        return execute(self, statement, params)

    monkeypatch.setattr(es_sqlite.SQLiteCursor, "execute", spy)
    query(app)
    monkeypatch.undo()
    lines = []
    with sqlite3.connect(path) as plain:
        for statement, params in seen:
            if any(table in statement for table in _INDEX_TABLES):
                rows = plain.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
                lines.extend(row[-1] for row in rows)
    assert lines, "the query ran no statement on the index"
    return lines


_FIRST = CaseSummary(uuid.UUID(int=0), "01YE0000126", "Theft", "under_investigation", 0, 0, "", 1)

_FILTERED: dict[str, Callable[[CasefileApp], object]] = {
    "find_case": lambda app: app.find_case("01YE0001126"),
    "status": lambda app: app.case_summaries(status="closed"),
    "officer": lambda app: app.case_summaries(officer="nobody/1"),
    "status_and_officer": lambda app: app.case_summaries(status="closed", officer="nobody/1"),
    "exhibit": lambda app: app.case_summaries(exhibit="AB/1"),
    "status_after_a_page": lambda app: app.case_summaries(
        status="under_investigation", after=_FIRST
    ),
}


@pytest.mark.parametrize("name", sorted(_FILTERED))
def test_a_lookup_or_filtered_listing_searches_an_index_instead_of_scanning_every_case(
    app: CasefileApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    lines = _plans(app, tmp_path / "cases.sqlite", _FILTERED[name], monkeypatch)
    scans = [line for line in lines if line.startswith("SCAN")]
    assert scans == [], lines


def test_the_unfiltered_listing_reads_the_index_in_order_and_stops_at_its_page(
    app: CasefileApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _plans(app, tmp_path / "cases.sqlite", lambda a: a.case_summaries(), monkeypatch)
    assert not any("TEMP B-TREE" in line for line in lines), lines
    assert all(" USING " in line for line in lines if line.startswith("SCAN")), lines
