"""The case summary (MG5): versions numbered by the case, points citing offences and evidence."""

from __future__ import annotations

import pytest

from _casework import OFFICER, Desk
from casefile.errors import InvalidCommandError, MalformedRecordError, UnknownReferenceError
from casefile.events import CaseSummaryWritten, SummaryPoint
from events._prosecution import offence, statement, suspect


def _summary(desk: Desk, **changes: object) -> int:
    fields: dict[str, object] = {"headline": "Burglary of a house", "chronology": "At 21:00 …"}
    fields.update(changes)
    return desk.case.write_case_summary(**fields)  # type: ignore[arg-type]


def test_a_case_summary_version_is_one_more_than_the_last() -> None:
    desk = Desk.open()
    assert desk.case.case_summary is None
    first = _summary(desk)
    second = _summary(desk, anticipated_plea="not_guilty", interview_summary="No comment.")
    latest = desk.case.case_summary
    assert latest is not None
    assert (latest.version, latest.seq, latest.anticipated_plea) == (2, second, "not_guilty")
    assert [e.version for e in desk.case.pending_events if isinstance(e, CaseSummaryWritten)] == [
        1,
        2,
    ]
    assert first == second - 1
    desk.seal()
    assert desk.load().case_summary == latest
    desk.verify()


def test_a_forged_summary_version_is_refused_on_load() -> None:
    desk = Desk.open()
    _summary(desk)
    desk.seal()
    case = desk.case
    fields = {
        "version": 1,
        "anticipated_plea": "guilty",
        "points": (),
        "by": OFFICER.to_data(),
        "recorded_by": None,
        "headline": "h",
        "chronology": "c",
        "interview_summary": "",
    }
    case._pending_events.append(
        CaseSummaryWritten.new(case.id, case.version + 1, case.opened_ns, {}, fields)
    )
    case._version += 1
    desk.seal()
    with pytest.raises(MalformedRecordError, match="version 1 is not 2"):
        desk.load()


def test_a_summary_point_naming_a_record_that_is_no_alleged_offence_is_refused() -> None:
    desk = Desk.open()
    note = desk.case.add_note(text="not an offence")
    with pytest.raises(
        UnknownReferenceError, match=f"record {note} is not an offence.alleged record"
    ) as e:
        _summary(desk, points=[SummaryPoint(offence=note, element="entry as a trespasser")])
    assert e.value.field == "points[0].offence"
    with pytest.raises(UnknownReferenceError, match="record 99"):
        _summary(desk, points=[SummaryPoint(offence=99, element="x")])
    assert desk.case.case_summary is None


def _alleged(desk: Desk) -> tuple[int, int]:
    """An offence alleged against a suspect, and a statement that proves a point of it."""
    proof = statement(desk.case)
    return offence(desk.case, suspect(desk.case)), proof


def test_summary_points_cite_an_alleged_offence_and_its_evidence() -> None:
    desk = Desk.open()
    offence, statement = _alleged(desk)
    point = SummaryPoint(offence=offence, element="entry as a trespasser", evidence=(statement,))
    seq = _summary(desk, points=[point], anticipated_plea="not_guilty")
    desk.seal()
    record = desk.verify().records[seq - 1]
    assert record.data["points"] == [
        {"element": "entry as a trespasser", "evidence": [statement], "offence": offence}
    ]
    assert desk.load().case_summary == desk.case.case_summary


def test_a_summary_point_citing_a_record_that_is_not_evidence_is_refused() -> None:
    desk = Desk.open()
    offence, statement = _alleged(desk)
    note = desk.case.add_note(text="a note proves nothing")
    with pytest.raises(InvalidCommandError, match=f"record {note} is a note.added record") as e:
        _summary(desk, points=[SummaryPoint(offence=offence, element="x", evidence=(note,))])
    assert e.value.field == "points[0].evidence"
    with pytest.raises(InvalidCommandError, match="a record is cited twice"):
        _summary(
            desk,
            points=[SummaryPoint(offence=offence, element="x", evidence=(statement, statement))],
        )
    assert desk.case.case_summary is None


def test_a_summary_point_that_is_not_a_summary_point_is_refused() -> None:
    desk = Desk.open()
    with pytest.raises(InvalidCommandError, match=r"points\[0\]: expected a SummaryPoint"):
        _summary(desk, points=[{"offence": 1, "element": "x", "evidence": []}])


def test_a_case_summary_is_never_corrected_only_replaced() -> None:
    desk = Desk.open()
    seq = _summary(desk)
    for name, value in (("headline", "better"), ("version", 3), ("anticipated_plea", "guilty")):
        with pytest.raises(InvalidCommandError, match="not a correctable field"):
            desk.case.correct(seq=seq, reason="r", fields={name: value})


def test_an_anticipated_plea_outside_the_list_is_refused() -> None:
    desk = Desk.open()
    with pytest.raises(InvalidCommandError, match="anticipated_plea: 'maybe' is not one of"):
        _summary(desk, anticipated_plea="maybe")
    with pytest.raises(InvalidCommandError, match="headline: must not be empty"):
        _summary(desk, headline="")
