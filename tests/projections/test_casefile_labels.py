"""The readable case file speaks the reader's words: codes labelled, absent lines left out."""

from __future__ import annotations

import dataclasses
import re

from hypothesis import given
from hypothesis import strategies as st

from casefile._time import date_to_reading, ns_to_reading, ns_to_rfc3339
from casefile.projections import build_case_file, case_file_html
from casefile.projections._html_values import code, table, text
from casefile.projections._labels import LABELS
from projections._casefile_cases import prosecution
from projections.test_casefile_html import outline

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _text(page: bytes) -> str:
    """The words of the page's body (its style sheet left out)."""
    body = b"<body>" + page.split(b"<body>", 1)[1]
    return " ".join("".join(outline(body).text).split())


def test_a_raw_code_never_reaches_the_demo_prosecution_page() -> None:
    _, verified = prosecution()
    text = _text(case_file_html(build_case_file(verified.records, audience="cps")))
    assert "Anticipated not guilty plea" in text
    assert "Full Code Test" in text
    for raw in ("anticipated_not_guilty_plea", "full_code", "not_guilty", "police_bail"):
        assert raw not in text


def test_an_absent_value_is_left_out_rather_than_printed_as_none() -> None:
    _, verified = prosecution()
    case_file = build_case_file(verified.records, audience="cps")
    assert any(d.recorded_by is None for d in case_file.mg1.defendants[0].arrests)
    text = _text(case_file_html(case_file))
    assert "Recorded by none" not in text
    assert ": none" not in text
    assert " none " not in f" {text} "


@given(st.text(min_size=1, max_size=40))
def test_an_unknown_code_is_shown_raw_as_code_and_never_crashes(value: str) -> None:
    shown = str(code(value))
    if all(part in LABELS for part in value.split(",")):
        assert "<code>" not in shown
    elif re.fullmatch(r"[a-z0-9_.,-]+", value):
        assert shown == f"<code>{text(value)}</code>"
    else:
        assert shown == str(text(value))


def test_each_code_of_a_key_s_roles_is_labelled() -> None:
    assert str(code("recorder,redactor")) == "Recorder, Redactor"
    assert str(code("recorder,wizard")) == "<code>recorder,wizard</code>"
    assert str(code("copy of DR/2")) == "copy of DR/2"


def test_an_empty_part_is_not_a_table_without_header_cells() -> None:
    @dataclasses.dataclass(frozen=True)
    class Nothing:
        age: int | None

    assert "<table" not in str(table(Nothing(None)))


@given(st.integers(min_value=0, max_value=253_402_300_799 * 10**9))
def test_a_time_reads_with_fixed_english_names_and_agrees_with_rfc3339(ns: int) -> None:
    shown = ns_to_reading(ns)
    exact = ns_to_rfc3339(ns)
    day, month, year = shown.split(",")[0].split(" ")[1:]
    assert shown.split(" ")[0] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
    assert int(year) == int(exact[:4])
    assert int(day) == int(exact[8:10])
    assert month == _MONTHS[int(exact[5:7]) - 1]
    assert shown.endswith(" UTC")
    assert exact[11:16] in shown


def test_a_date_that_is_not_a_date_is_shown_as_given() -> None:
    assert date_to_reading("2026-03-04") == "Wed 4 Mar 2026"
    assert date_to_reading("2026-02-30") is None
    assert date_to_reading("٢٠٢٦-03-04") is None


def test_the_defence_file_says_charging_advice_is_not_part_of_it_not_that_none_was_asked() -> None:
    _, verified = prosecution()
    defence = _text(case_file_html(build_case_file(verified.records, audience="defence")))
    cps = _text(case_file_html(build_case_file(verified.records, audience="cps")))
    assert "charging advice is between the police and the prosecutor" in defence
    assert "No charging request is recorded" not in defence
    assert "charging advice is between" not in cps
