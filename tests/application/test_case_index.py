"""The case index on every backend: unique references, lookup, filtered listing, rebuild."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _casebuilder import commitment_flipped
from application.conftest import OFFICER, SECOND_OFFICER, T0, TRUST, Tamper, stepping_clock
from casefile.application import CasefileApp, CaseSummary, StoreConfig
from casefile.errors import (
    DuplicateReferenceError,
    InvalidCommandError,
    UnknownReferenceError,
    VerificationError,
)


def _open(
    app: CasefileApp, reference: str, signer: Any = OFFICER, offence: str = "Theft"
) -> uuid.UUID:
    return app.open_case(signer, offence=offence, channel="online", reference=reference)


def _capture(app: CasefileApp, case_id: uuid.UUID, exhibit: str) -> None:
    app.capture_evidence(
        case_id,
        OFFICER,
        exhibit=exhibit,
        kind="photo",
        sha256=bytes(32),
        size=10,
        media_type="image/jpeg",
        device="tablet",
        location="kitchen",
        captured_at=T0,
    )


def _wipe_index(app: CasefileApp) -> None:
    """Lose the whole index, as a store that predates it, or a restored table, would."""
    recorder: Any = app.recorder
    if app.store.backend == "memory":
        recorder._summaries.clear()
        recorder._references.clear()
        recorder._case_exhibits.clear()
    elif app.store.backend == "sqlite":
        with recorder.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM casefile_cases")
            c.execute("DELETE FROM casefile_case_exhibits")
    else:
        from psycopg.sql import SQL, Identifier

        schema = Identifier(recorder.datastore.schema)
        with recorder.datastore.transaction(commit=True) as curs:
            for table in ("casefile_cases", "casefile_case_exhibits"):
                curs.execute(SQL("DELETE FROM {}.{}").format(schema, Identifier(table)))


def test_a_second_case_under_a_taken_reference_is_refused_and_stores_nothing(
    app: CasefileApp,
) -> None:
    first = _open(app, "01YE0000126")
    refused: list[uuid.UUID] = []

    def reissue() -> None:
        with app.open_session(
            SECOND_OFFICER, offence="Theft", channel="online", reference="01YE0000126"
        ) as case:
            case.add_person(role="victim", name="Reissued Serial")
            refused.append(case.id)

    with pytest.raises(DuplicateReferenceError) as caught:
        reissue()
    assert caught.value.reference == "01YE0000126"
    assert caught.value.existing == str(first)
    assert str(first) in str(caught.value)
    # Refused in the transaction that would have opened it: no record, disclosure or entry.
    assert app.list_cases() == [first]
    assert list(app.records(refused[0])) == []
    assert list(app.disclosures(refused[0])) == []
    assert app.find_case("01YE0000126") == first
    assert [s.case_id for s in app.case_summaries()] == [first]


def test_simultaneous_openings_under_one_reference_store_one_case(
    store: StoreConfig, make_app: Callable[..., CasefileApp]
) -> None:
    apps = [make_app() for _ in range(4)]
    outcomes: list[str] = []
    start = threading.Barrier(len(apps))

    def opener(app: CasefileApp) -> None:
        start.wait(timeout=30)
        try:
            _open(app, "01YE0000526")
            outcomes.append("opened")
        except DuplicateReferenceError:
            outcomes.append("refused")

    threads = [threading.Thread(target=opener, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["opened", "refused", "refused", "refused"]
    assert len(apps[0].list_cases()) == 1


def test_an_unknown_reference_is_not_found(app: CasefileApp) -> None:
    _open(app, "01YE0000126")
    with pytest.raises(UnknownReferenceError, match="01YE0000226"):
        app.find_case("01YE0000226")
    with pytest.raises(InvalidCommandError, match="reference"):
        app.find_case("")


def test_summaries_follow_status_officer_and_exhibits(app: CasefileApp) -> None:
    burglary = _open(app, "01YE0000126", offence="Burglary")
    missing = _open(app, "01YE0000226", signer=SECOND_OFFICER, offence="Missing person")
    _capture(app, burglary, "ZA/1")
    app.change_status(burglary, OFFICER, status="referred_to_cps", reason="file complete")

    (summary,) = app.case_summaries(status="referred_to_cps")
    assert summary.case_id == burglary
    assert summary.reference == "01YE0000126"
    assert summary.offence == "Burglary"
    assert summary.officer == "pc-1234"
    assert summary.records == 3
    assert summary.last_activity_ns > summary.opened_ns
    assert app.get_case(burglary).sealed_version == summary.records

    assert [s.case_id for s in app.case_summaries(officer="pc-5678")] == [missing]
    assert [s.case_id for s in app.case_summaries(exhibit="ZA/1")] == [burglary]
    assert app.case_summaries(exhibit="ZA/1", status="under_investigation") == []
    assert app.case_summaries(status="closed") == []
    (other,) = app.case_summaries(status="under_investigation")
    assert (other.case_id, other.offence, other.records) == (missing, "Missing person", 1)


def test_pages_follow_opening_order_without_loss_or_repeat(app: CasefileApp) -> None:
    opened = [_open(app, f"01YE000{n}026") for n in range(1, 8)]
    seen: list[uuid.UUID] = []
    after: CaseSummary | None = None
    while page := app.case_summaries(limit=3, after=after):
        assert len(page) <= 3
        seen += [s.case_id for s in page]
        after = page[-1]
    assert seen == opened


def test_a_listing_refuses_an_unbounded_or_malformed_page(memory_app: CasefileApp) -> None:
    with pytest.raises(InvalidCommandError, match="limit"):
        memory_app.case_summaries(limit=100_000)
    with pytest.raises(InvalidCommandError, match="status"):
        memory_app.case_summaries(status="")
    with pytest.raises(InvalidCommandError, match="after"):
        memory_app.case_summaries(after="01YE0000126")  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(
    openings=st.lists(st.integers(min_value=0, max_value=3), min_size=0, max_size=12),
    limit=st.integers(min_value=1, max_value=5),
)
def test_paging_any_listing_returns_exactly_the_matching_cases_in_order(
    openings: list[int], limit: int
) -> None:
    # Cases opened at times that repeat: the (opened, id) key still orders them totally.
    app = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=stepping_clock())
    try:
        ids = [
            app.open_case(
                OFFICER, offence="Theft", channel="online", reference=f"R{n}", at=T0 + second
            )
            for n, second in enumerate(openings)
        ]
        expected = sorted(ids, key=lambda i: (T0 + openings[ids.index(i)], i))
        seen: list[uuid.UUID] = []
        after: CaseSummary | None = None
        while page := app.case_summaries(limit=limit, after=after):
            seen += [s.case_id for s in page]
            after = page[-1]
        assert seen == expected
    finally:
        app.close()


def test_a_lost_index_is_rebuilt_from_authenticated_records(app: CasefileApp) -> None:
    first = _open(app, "01YE0000126")
    second = _open(app, "01YE0000226", signer=SECOND_OFFICER)
    _capture(app, first, "ZA/1")
    app.change_status(first, OFFICER, status="closed", reason="detected")
    before = app.case_summaries()
    _wipe_index(app)
    with pytest.raises(UnknownReferenceError):
        app.find_case("01YE0000126")
    assert app.rebuild_case_index() == 2
    assert app.case_summaries() == before
    assert app.find_case("01YE0000226") == second
    assert [s.case_id for s in app.case_summaries(exhibit="ZA/1")] == [first]
    # Writing goes on from the rebuilt index.
    app.change_status(first, OFFICER, status="reopened", reason="appeal")
    assert [s.case_id for s in app.case_summaries(status="reopened")] == [first]


def test_rebuilding_refuses_a_case_whose_records_do_not_authenticate(
    app: CasefileApp, tamper: Tamper
) -> None:
    case_id = _open(app, "01YE0000126")
    app.add_note(case_id, OFFICER, text="Victim visited at home.")
    raw = next(iter(list(app.records(case_id))[1:]))
    tamper(app, case_id, 2, state=commitment_flipped(raw, "text"))
    with pytest.raises(VerificationError):
        app.rebuild_case_index()
