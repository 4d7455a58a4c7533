"""Redaction decisions and erasure of words through the application, on every backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.conftest import OFFICER, _entry, signer_for, stepping_clock
from casefile.application import CasefileApp, StoreConfig
from casefile.application._redaction_plan import plan_runs
from casefile.errors import InvalidCommandError
from casefile.projections import redactions_for
from casefile.signing._text import TextDisclosure, split_units
from casefile.signing._trust import TrustStore
from casefile.signing._value import Disclosure

REDACTOR = signer_for("redactor")
DPO = signer_for("data-protection-officer")
TRUST = TrustStore(
    [
        _entry(OFFICER, "pc-1234", {"recorder"}),
        _entry(REDACTOR, "redactor", {"redactor"}),
        _entry(DPO, "dpo", {"data_protection"}),
    ]
)
# Unlikely anywhere else in a file: what the tests search the bytes for.
ADDRESS = "Flat 7 Quillfeather Mansions Zebedee Row"


@pytest.fixture
def rapp(store: StoreConfig) -> Iterator[CasefileApp]:
    app = CasefileApp(store=store, trust=TRUST, clock=stepping_clock())
    yield app
    app.close()


def _victim_case(app: CasefileApp) -> tuple[uuid.UUID, int]:
    case_id = app.open_case(OFFICER, reference="01YE1234526", offence="Burglary", channel="phone")
    app.add_person(case_id, OFFICER, role="victim", name="Ann Example", address=ADDRESS)
    return case_id, 2


def test_redaction_by_key_without_redactor_role_is_refused_by_the_application(
    rapp: CasefileApp,
) -> None:
    from casefile.errors import UnauthorisedSignerError

    case_id, seq = _victim_case(rapp)
    with pytest.raises(UnauthorisedSignerError, match="redactor"):
        rapp.redact(case_id, OFFICER, seq, "address", audiences=["cps"],
                    reason="victim_or_witness_contact_details", whole_field=True)  # fmt: skip
    assert len(list(rapp.records(case_id))) == 2


def test_withdrawn_decision_no_longer_applies(rapp: CasefileApp) -> None:
    case_id, seq = _victim_case(rapp)
    done = rapp.redact(case_id, REDACTOR, seq, "address", audiences=["cps", "defence"],
                       reason="victim_or_witness_contact_details", whole_field=True)  # fmt: skip
    assert done.seq == 3
    view = rapp.field_view(case_id, seq, "address", audience="cps")
    assert view.render() == "[withheld whole field: victim_or_witness_contact_details]"
    assert rapp.field_view(case_id, seq, "address", audience="court").value == ADDRESS
    records = rapp.verify(case_id).records
    assert redactions_for(records, "cps")[(seq, "address")].whole
    rapp.withdraw_redaction(case_id, REDACTOR, 3, "Address needed after all")
    records = rapp.verify(case_id).records
    assert (seq, "address") not in redactions_for(records, "cps")
    assert rapp.field_view(case_id, seq, "address", audience="cps").value == ADDRESS


def test_back_page_details_are_never_shown_to_the_defence(rapp: CasefileApp) -> None:
    case_id, seq = _victim_case(rapp)
    defence = rapp.field_view(case_id, seq, "address", audience="defence")
    assert defence.withheld == ("restricted",)
    assert defence.render() == "[withheld whole field: restricted]"
    # Not restricted: the name, and the address for any other audience.
    assert rapp.field_view(case_id, seq, "name", audience="defence").value == "Ann Example"
    assert rapp.field_view(case_id, seq, "address", audience="victim").value == ADDRESS
    with rapp.session(case_id, OFFICER) as case:
        corrected = case.correct(seq=seq, reason="moved", personal={"address": "2 New Road"})
    assert rapp.field_view(case_id, corrected, "address", audience="defence").withheld == (
        "restricted",
    )
    assert rapp.field_view(case_id, corrected, "address", audience="cps").value == "2 New Road"


def _file_bytes(paths: list[Path]) -> bytes:
    return b"".join(p.read_bytes() for p in paths if p.is_file())


def test_erasure_record_never_holds_the_erased_words(rapp: CasefileApp) -> None:
    case_id, seq = _victim_case(rapp)
    result = rapp.erase_words(case_id, DPO, seq, "address", whole_field=True,
                              basis="erasure_request", explanation="Asked")  # fmt: skip
    records = list(rapp.records(case_id))
    assert result.seq == len(records) == 3
    assert not any(ADDRESS.encode() in r or b"Quillfeather" in r for r in records)
    verified = rapp.verify(case_id)
    erasure = verified.records[-1]
    assert erasure.event_type == "disclosure.erased"
    assert erasure.data["field"] == "address"
    assert erasure.data["runs"] is None
    assert rapp.stored_disclosure(case_id, seq, "address") is None
    assert rapp.field_view(case_id, seq, "address").render() == "[erased whole field]"
    with pytest.raises(InvalidCommandError, match="no disclosure"):
        rapp.erase_words(case_id, DPO, seq, "address", whole_field=True,
                         basis="erasure_request", explanation="again")  # fmt: skip


def test_erased_words_are_gone_from_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "cases.sqlite"
    app = CasefileApp(store=StoreConfig.sqlite(db), trust=TRUST, clock=stepping_clock())
    try:
        case_id, seq = _victim_case(app)
        # Neighbours on the same page: a deleted row between live ones leaves a free
        # block that keeps its bytes unless they are overwritten.
        for n in range(6):
            app.add_person(
                case_id, OFFICER, role="witness", name=f"Witness {n}", address=f"{n} Lane"
            )
        files = [db, Path(f"{db}-wal")]
        assert b"Quillfeather" in _file_bytes(files)  # the search can find it
        app.erase_words(case_id, DPO, seq, "address", whole_field=True,
                        basis="erasure_request", explanation="Asked by the victim")  # fmt: skip
        assert b"Quillfeather" not in _file_bytes(files)
        assert app.verify(case_id).size == 9
    finally:
        app.close()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_erasure_and_its_record_are_one_transaction(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The in-memory store applies a save under one lock: nothing can fail between.
    if backend == "sqlite":
        store = StoreConfig.sqlite(tmp_path / "cases.sqlite")
    else:
        store = StoreConfig.from_settings(request.getfixturevalue("fresh_postgres_env"))
    rapp = CasefileApp(store=store, trust=TRUST, clock=stepping_clock())
    request.addfinalizer(rapp.close)
    case_id, seq = _victim_case(rapp)

    def crash(*args: Any) -> None:
        raise RuntimeError("power cut between the record and the erasure")

    monkeypatch.setattr(rapp.recorder, "_erase_disclosures", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        rapp.erase_words(case_id, DPO, seq, "address", whole_field=True,
                         basis="erasure_request", explanation="Asked by the victim")  # fmt: skip
    assert len(list(rapp.records(case_id))) == 2
    found = rapp.stored_disclosure(case_id, seq, "address")
    assert isinstance(found, Disclosure)
    assert found.value == ADDRESS


@pytest.mark.postgres
def test_erased_words_are_gone_from_postgres_relation_files(
    fresh_postgres_env: dict[str, str],
) -> None:
    import psycopg

    env = fresh_postgres_env
    conninfo = (
        f"dbname={env['POSTGRES_DBNAME']} host={env['POSTGRES_HOST']} "
        f"port={env['POSTGRES_PORT']} user={env['POSTGRES_USER']} "
        f"password={env['POSTGRES_PASSWORD']}"
    )
    table = f"{env['POSTGRES_SCHEMA']}.casefile_disclosures"
    app = CasefileApp(store=StoreConfig.from_settings(env), trust=TRUST, clock=stepping_clock())
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # A backend's working directory is the data directory (the app role may not ask).
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        data_dir = Path(f"/proc/{pid}/cwd").resolve()

        def table_bytes() -> bytes:
            path = conn.execute("SELECT pg_relation_filepath(%s)", (table,)).fetchone()[0]  # type: ignore[index]
            return _file_bytes(sorted(data_dir.joinpath(path).parent.glob("*")))

        try:
            case_id, seq = _victim_case(app)
            # VACUUM FULL writes the table's files itself: the address is now on disk.
            conn.execute(f"VACUUM FULL {table}")
            assert b"Quillfeather" in table_bytes()
            app.erase_words(case_id, DPO, seq, "address", whole_field=True,
                            basis="erasure_request", explanation="Asked by the victim")  # fmt: skip
        finally:
            app.close()
        # What the README tells the operator to run: a new file without the dead row;
        # the old one is truncated when the command commits.
        conn.execute(f"VACUUM FULL {table}")
        assert b"Quillfeather" not in table_bytes()
        assert b"Ann Example" in table_bytes()  # the search still reaches the live rows


# --- choosing runs -----------------------------------------------------------------------

_CASE = uuid.UUID(int=5)
_STATEMENT = "I live at 12 Acacia Avenue and was at 12 Acacia Avenue. The car was blue."


def _full(text: str = _STATEMENT) -> TextDisclosure:
    return TextDisclosure.full(_CASE, 4, "body", text, bytes(32))


def test_redact_by_match_returns_the_runs_it_chose() -> None:
    runs, widened = plan_runs(_full(), match="12 Acacia Avenue")
    assert [(r.start, r.end, r.text) for r in runs] == [
        (3, 6, "12 Acacia Avenue "), (9, 12, "12 Acacia Avenue. "),
    ]  # fmt: skip
    assert widened  # the space and the full stop after the matches are withheld too
    second, _ = plan_runs(_full(), match="12 Acacia Avenue", occurrence=2)
    assert [(r.start, r.end) for r in second] == [(9, 12)]
    with pytest.raises(InvalidCommandError, match="occurs 2 time"):
        plan_runs(_full(), match="12 Acacia Avenue", occurrence=3)
    with pytest.raises(InvalidCommandError, match="not in the revealed text"):
        plan_runs(_full(), match="Elm Street")


def test_redaction_runs_outside_the_text_are_refused() -> None:
    n = _full().n
    with pytest.raises(InvalidCommandError, match=f"ends past the text, which has {n} units"):
        plan_runs(_full(), runs=[(n - 1, n + 1)])
    with pytest.raises(InvalidCommandError, match="not a range of characters"):
        plan_runs(_full(), offsets=[(0, len(_STATEMENT) + 1)])


def test_a_match_never_spans_a_withheld_run() -> None:
    redacted = _full("alpha beta alpha beta").redact([(1, 2)])
    runs, _ = plan_runs(redacted, match="alpha beta")
    assert [(r.start, r.end) for r in runs] == [(2, 4)]


@given(st.lists(st.sampled_from(["ab", "cd ", " ", "e.", "\n"]), min_size=1, max_size=30),
       st.data())  # fmt: skip
def test_offsets_widen_to_exactly_the_units_they_touch(words: list[str], data: Any) -> None:
    text = "".join(words)
    if not text.strip():
        return
    disclosure = _full(text)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    runs, widened = plan_runs(disclosure, offsets=[(start, end)])
    (only,) = runs
    spans = [(u, s, e) for u, s, e in disclosure.unit_offsets() if s < end and start < e]
    assert (only.start, only.end) == (spans[0][0], spans[-1][0] + 1)
    assert only.text == text[spans[0][1] : spans[-1][2]]
    assert widened == ((spans[0][1], spans[-1][2]) != (start, end))


# --- words of a text ---------------------------------------------------------------------

NOTE = "Spoke to the victim at 12 Acacia Avenue. The car was blue, reg AB12 CDE."


def _note_case(app: CasefileApp) -> tuple[uuid.UUID, int]:
    case_id = app.open_case(OFFICER, reference="01YE1234526", offence="Burglary", channel="phone")
    return case_id, app.add_note(case_id, OFFICER, text=NOTE)


def test_redaction_of_words_is_shown_to_its_audience_only(rapp: CasefileApp) -> None:
    case_id, seq = _note_case(rapp)
    preview = rapp.redact(case_id, REDACTOR, seq, "text", match="12 Acacia Avenue",
                          audiences=["cps"], reason="victim_or_witness_contact_details",
                          preview=True)  # fmt: skip
    assert preview.seq is None
    assert len(list(rapp.records(case_id))) == 2  # a preview records nothing
    assert [(r.start, r.end, r.text) for r in preview.plan.runs or ()] == [
        (5, 8, "12 Acacia Avenue. ")
    ]
    done = rapp.redact(case_id, REDACTOR, seq, "text", match="12 Acacia Avenue",
                       audiences=["cps"], reason="victim_or_witness_contact_details")  # fmt: skip
    assert done.seq == 3
    cps = rapp.field_view(case_id, seq, "text", audience="cps").render()
    assert cps == (
        "Spoke to the victim at [withheld 3 words: victim_or_witness_contact_details] "
        "The car was blue, reg AB12 CDE."
    )
    assert rapp.field_view(case_id, seq, "text", audience="court").render() == NOTE


def test_redaction_runs_outside_the_text_are_refused_by_the_application(
    rapp: CasefileApp,
) -> None:
    case_id, seq = _note_case(rapp)
    with pytest.raises(InvalidCommandError, match="ends past the text, which has 15 units"):
        rapp.redact(case_id, REDACTOR, seq, "text", runs=[(10, 16)], audiences=["cps"],
                    reason="third_party_personal_data")  # fmt: skip
    assert len(list(rapp.records(case_id))) == 2


def test_erased_words_leave_the_rest_verifiable_and_are_gone_from_sqlite_file(
    tmp_path: Path,
) -> None:
    db = tmp_path / "cases.sqlite"
    app = CasefileApp(store=StoreConfig.sqlite(db), trust=TRUST, clock=stepping_clock())
    try:
        case_id, seq = _note_case(app)
        files = [db, Path(f"{db}-wal")]
        # Each unit is stored as its own string: search for each word.
        assert b"AB12" in _file_bytes(files)
        assert b"CDE." in _file_bytes(files)
        result = app.erase_words(case_id, DPO, seq, "text", match="AB12 CDE",
                                 basis="court_order", explanation="Order of 3 March")  # fmt: skip
        assert [(r.start, r.end) for r in result.plan.runs or ()] == [(13, 15)]
        assert b"AB12" not in _file_bytes(files)
        assert b"CDE." not in _file_bytes(files)
        records = list(app.records(case_id))
        assert not any(b"AB12" in r for r in records)  # nor in the erasure record
        verified = app.verify(case_id)
        assert verified.size == 3
        assert verified.records[-1].data["runs"] == [[13, 15]]
        view = app.field_view(case_id, seq, "text")
        assert (
            view.render()
            == "Spoke to the victim at 12 Acacia Avenue. The car was blue, reg [erased 2 words]"
        )
        with pytest.raises(InvalidCommandError, match="already"):
            app.erase_words(case_id, DPO, seq, "text", runs=[(13, 15)],
                            basis="court_order", explanation="again")  # fmt: skip
    finally:
        app.close()


def test_a_disclosure_of_another_record_spliced_into_the_store_is_refused() -> None:
    from casefile.errors import DisclosureError

    app = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=stepping_clock())
    try:
        case_id, seq = _note_case(app)
        other = app.add_note(case_id, OFFICER, text="A second note about 3 Mill Lane.")
        stored: Any = app.recorder._disclosures[case_id]  # type: ignore[attr-defined]
        stored[(seq, "text")] = stored[(other, "text")]
        with pytest.raises(DisclosureError, match="another record or field"):
            app.erase_words(case_id, DPO, seq, "text", match="Acacia",
                            basis="erasure_request", explanation="Asked")  # fmt: skip
        with pytest.raises(DisclosureError, match="another record or field"):
            app.plan_redaction(case_id, seq, "text", match="Mill")
        assert len(list(app.records(case_id))) == 3  # nothing recorded
    finally:
        app.close()


def test_an_erasure_made_meanwhile_is_never_undone_by_a_stale_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casefile.errors import ConcurrencyConflictError

    store = StoreConfig.sqlite(tmp_path / "cases.sqlite")
    app = CasefileApp(store=store, trust=TRUST, clock=stepping_clock())
    other = CasefileApp(store=store, trust=TRUST, clock=stepping_clock())
    try:
        case_id, seq = _note_case(app)
        read = app.stored_disclosure
        done: list[bool] = []

        def read_then_another_erases(*args: Any) -> Any:
            found = read(*args)
            if not done:
                done.append(True)
                # Another officer's erasure lands between this read and this save.
                other.erase_words(case_id, DPO, seq, "text", match="AB12 CDE",
                                  basis="court_order", explanation="Order")  # fmt: skip
            return found

        monkeypatch.setattr(app, "stored_disclosure", read_then_another_erases)
        with pytest.raises(ConcurrencyConflictError):
            app.erase_words(case_id, DPO, seq, "text", match="Acacia",
                            basis="erasure_request", explanation="Asked")  # fmt: skip
        kept = app.stored_disclosure(case_id, seq, "text")
        assert isinstance(kept, TextDisclosure)
        assert kept.withheld == ((13, 15),)  # the other erasure stands; nothing restored
        assert len(list(app.records(case_id))) == 3
    finally:
        other.close()
        app.close()


def test_erasing_a_whole_text_deletes_its_disclosure(rapp: CasefileApp) -> None:
    case_id, seq = _note_case(rapp)
    rapp.erase_words(case_id, DPO, seq, "text", whole_field=True,
                     basis="retention_expired", explanation="Review of 2031")  # fmt: skip
    assert rapp.stored_disclosure(case_id, seq, "text") is None
    assert rapp.field_view(case_id, seq, "text", audience="cps").render() == "[erased whole field]"
    verified = rapp.verify(case_id)
    assert verified.records[-1].data == {
        "basis": "retention_expired", "by": verified.records[-1].data["by"], "field": "text",
        "record": seq, "recorded_by": None, "runs": None,
    }  # fmt: skip
    with pytest.raises(InvalidCommandError, match="no disclosure"):
        rapp.erase_words(case_id, DPO, seq, "text", runs=[(0, 1)],
                         basis="retention_expired", explanation="again")  # fmt: skip


def test_runs_of_a_value_are_refused_before_anything_is_recorded(rapp: CasefileApp) -> None:
    case_id, seq = _victim_case(rapp)
    with pytest.raises(InvalidCommandError, match="whole_field=True"):
        rapp.erase_words(case_id, DPO, seq, "address", match="Quillfeather",
                         basis="erasure_request", explanation="Asked")  # fmt: skip
    assert len(list(rapp.records(case_id))) == 2
    note = rapp.add_note(case_id, OFFICER, text=NOTE)
    with pytest.raises(InvalidCommandError, match="exactly one of runs, offsets or match"):
        rapp.plan_redaction(case_id, note, "text")
    with pytest.raises(InvalidCommandError, match="exactly one of runs, offsets or match"):
        rapp.plan_redaction(case_id, note, "text", runs=[(0, 1)], match="Spoke")


def test_an_empty_match_or_no_runs_is_named_not_taken_for_no_choice() -> None:
    # Both were once "choose by exactly one of runs, offsets or match", which hid the mistake.
    with pytest.raises(InvalidCommandError, match=r"^match: give the text to withhold"):
        plan_runs(_full(), match="")
    with pytest.raises(InvalidCommandError, match=r"^runs: give at least one run"):
        plan_runs(_full(), runs=[])
    with pytest.raises(InvalidCommandError, match=r"^offsets: give at least one range"):
        plan_runs(_full(), offsets=[])


def test_a_field_the_record_does_not_commit_is_not_passed_off_as_withheld(
    rapp: CasefileApp,
) -> None:
    from casefile.errors import UnknownReferenceError

    case_id, seq = _note_case(rapp)
    with pytest.raises(
        UnknownReferenceError, match=r"record 2 commits no field 'txet' \(it commits: text\)"
    ):
        rapp.field_view(case_id, seq, "txet", audience="cps")
    with pytest.raises(UnknownReferenceError, match="commits no field 'txet'"):
        rapp.plan_redaction(case_id, seq, "txet", whole_field=True)
    with pytest.raises(UnknownReferenceError, match="commits no field 'text'"):
        rapp.field_view(case_id, 1, "text")


def test_a_misspelt_audience_is_refused_not_read_as_no_audience(rapp: CasefileApp) -> None:
    case_id, seq = _note_case(rapp)
    rapp.redact(case_id, REDACTOR, seq, "text", match="12 Acacia Avenue", audiences=["cps"],
                reason="victim_or_witness_contact_details")  # fmt: skip
    with pytest.raises(InvalidCommandError, match="'CPS' is not one of: court, cps, defence"):
        rapp.field_view(case_id, seq, "text", audience="CPS")


def test_redaction_of_a_field_the_record_does_not_commit_is_refused_before_recording(
    rapp: CasefileApp,
) -> None:
    from casefile.errors import UnknownReferenceError

    case_id, seq = _victim_case(rapp)
    # "phone" was never given: nothing is committed under that name to withhold.
    with pytest.raises(UnknownReferenceError, match="commits no field 'phone'"):
        rapp.redact(case_id, REDACTOR, seq, "phone", audiences=["cps"],
                    reason="victim_or_witness_contact_details", whole_field=True)  # fmt: skip
    with pytest.raises(UnknownReferenceError, match="record 9 does not exist"):
        rapp.plan_redaction(case_id, 9, "address", whole_field=True)
    assert len(list(rapp.records(case_id))) == 2


def test_erasing_every_unit_by_runs_is_recorded_as_erasing_the_whole_field(
    rapp: CasefileApp,
) -> None:
    # No disclosure is kept, so a verifier sees no units: an erasure naming runs would
    # leave the missing field unexplained (B11 redaction_without_decision).
    case_id, seq = _note_case(rapp)
    n = len(split_units(NOTE))
    rapp.erase_words(case_id, DPO, seq, "text", runs=[(0, 5), (5, n)],
                     basis="retention_expired", explanation="Review of 2031")  # fmt: skip
    assert rapp.stored_disclosure(case_id, seq, "text") is None
    erasure = rapp.verify(case_id).records[-1]
    assert (erasure.data["field"], erasure.data["runs"]) == ("text", None)
    assert redactions_for(rapp.verify(case_id).records, "cps")[(seq, "text")].whole


def test_the_redaction_results_are_named_by_the_public_api(rapp: CasefileApp) -> None:
    import casefile.application as api

    case_id, seq = _note_case(rapp)
    done = rapp.redact(case_id, REDACTOR, seq, "text", match="12 Acacia Avenue",
                       audiences=["cps"], reason="victim_or_witness_contact_details")  # fmt: skip
    assert isinstance(done, api.RedactionResult)
    assert isinstance(done.plan, api.RedactionPlan)
    assert all(isinstance(run, api.PlannedRun) for run in done.plan.runs or ())
    view = rapp.field_view(case_id, seq, "text", audience="cps")
    assert isinstance(view, api.FieldView)
    assert [type(s) for s in view.segments or () if not isinstance(s, str)] == [api.WithheldRun]
    assert {"FieldView", "PlannedRun", "RedactionPlan", "RedactionResult", "WithheldRun"} <= set(
        api.__all__
    )
