"""The readable case file: inert whatever the records hold, complete, the same bytes each time."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from casefile.findings import Finding
from casefile.projections import (
    CaseFile,
    Undisclosed,
    build_case_file,
    case_file_html,
    verification_page,
)
from casefile.projections._html_values import breakable, runs, spans
from casefile.projections._verification_page import seq_runs
from casefile.signing import Checkpoint
from projections._casefile_cases import prosecution
from projections.test_casefile_generated import AUDIENCES, RUNS, generated_case


class _Outline(HTMLParser):
    """Tags, attributes, headings and text of a page, and whether it parsed to the end."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()
        self.headings: list[tuple[int, str]] = []
        self.text: list[str] = []
        self._heading: int | None = None
        self._heading_text: list[str] = []
        self.lang: str | None = None
        self._tables: list[int] = []
        #: For each table, in the order it closed, how many header cells of its own it has.
        self.table_headers: list[int] = []
        self.unscoped_headers = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add((tag, name))
            if tag == "html" and name == "lang":
                self.lang = value
        if tag == "table":
            self._tables.append(0)
        elif tag == "th" and self._tables:
            self._tables[-1] += 1
            self.unscoped_headers += not any(name == "scope" for name, _ in attrs)
        if tag in {"h1", "h2", "h3", "h4"}:
            self._heading = int(tag[1])
            self._heading_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._tables:
            self.table_headers.append(self._tables.pop())
        if self._heading is not None and tag == f"h{self._heading}":
            self.headings.append((self._heading, "".join(self._heading_text)))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading_text.append(data)


def outline(page: bytes) -> _Outline:
    parser = _Outline()
    parser.feed(page.decode("utf-8"))
    parser.close()
    return parser


def test_same_case_file_gives_the_same_bytes() -> None:
    _, verified = prosecution()
    case_file = build_case_file(verified.records, audience="cps")
    page = verification_page(verified.records)
    assert case_file_html(case_file, verification=page) == case_file_html(
        case_file, verification=page
    )


#: Every section of the printed file, by the heading a reader looks for, in page order.
SECTIONS = (
    "MG1 File front sheet",
    "MG5 Case summary",
    "MG3 Report to the CPS and charging decision",
    "MG9 Witness list",
    "MG11 Witness statements",
    "MG12 Exhibit list",
    "MG6C Schedule of non-sensitive unused material",
    "MG6D Schedule of sensitive unused material",
    "MG6E Disclosure officer's report",
    "Findings",
    "Completeness",
    "Verification",
)


@pytest.mark.parametrize("audience", ["cps", "defence", None])
def test_every_section_is_a_heading_of_the_page_in_the_order_a_reader_expects(
    audience: str | None,
) -> None:
    _, verified = prosecution()
    page = outline(case_file_html(build_case_file(verified.records, audience=audience)))
    sections = [title for level, title in page.headings if level == 2 and title != "Contents"]
    assert sections == list(SECTIONS)
    text = "".join(page.text)
    for title in SECTIONS:
        assert title in text
    assert "script" not in page.tags
    assert page.lang == "en-GB"


HOSTILE = (
    "<script>alert(1)</script>",
    "</style><script>alert(2)</script>",
    '"><img src=x onerror=alert(3)>',
    "' onmouseover='alert(4)",
    "\u202egnp.exe\u202c and \u2066isolated\u2069 \u200f",
    "bell\x07 nul\x00 esc\x1b c1\x85 cr\r",
    '<!-- --><![CDATA[ x ]]><a href="javascript:alert(5)">',
)


def _hostile(value: Any, strings: Iterator[str]) -> Any:
    """``value`` with every string in it, at any depth, replaced by the next hostile one."""
    if isinstance(value, str):
        return next(strings)
    if isinstance(value, tuple):
        return tuple(_hostile(item, strings) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: _hostile(getattr(value, field.name), strings)
            for field in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value


def _hostile_case_file() -> tuple[CaseFile, CaseFile]:
    _, verified = prosecution()
    benign = build_case_file(verified.records, audience="cps")
    return benign, _hostile(benign, itertools.cycle(HOSTILE))


def test_hostile_values_in_every_field_write_no_element_or_attribute() -> None:
    benign, hostile = _hostile_case_file()
    page = verification_page(prosecution()[1].records)
    expected = outline(case_file_html(benign, verification=page))
    written = case_file_html(hostile, verification=page)
    got = outline(written)
    assert b"<script" not in written.lower()
    # Every string of the case file changed; no tag or attribute may come of it.
    assert got.tags == expected.tags
    assert got.attributes == expected.attributes
    assert not any(name.startswith("on") for _, name in got.attributes)
    assert "alert(1)" in "".join(got.text)


def test_bidirectional_overrides_and_controls_are_shown_not_obeyed() -> None:
    _, hostile = _hostile_case_file()
    written = case_file_html(hostile).decode("utf-8")
    for control in ("\u202e", "\u202c", "\u2066", "\u2069", "\u200f", "\x07", "\x00", "\x1b"):
        assert control not in written
    assert "U+202E" in written
    assert "U+0007" in written


def test_a_one_megabyte_text_is_written_whole_and_the_page_still_parses() -> None:
    benign, _ = _hostile_case_file()
    huge = "<b>" + "x" * 1_000_000 + "</style>"
    statement = dataclasses.replace(benign.mg11[0], body=huge)
    case_file = dataclasses.replace(benign, mg11=(statement, *benign.mg11[1:]))
    written = case_file_html(case_file)
    parsed = outline(written)
    assert parsed.tags == outline(case_file_html(benign)).tags
    assert "x" * 1_000_000 in "".join(parsed.text)


def test_a_withheld_text_and_a_text_never_given_read_differently() -> None:
    benign, _ = _hostile_case_file()
    withheld = dataclasses.replace(benign.mg11[0], body=Undisclosed(("witness_identity",)))
    empty = dataclasses.replace(benign.mg11[0], body="")
    shown = "".join(outline(case_file_html(dataclasses.replace(benign, mg11=(withheld,)))).text)
    blank = "".join(outline(case_file_html(dataclasses.replace(benign, mg11=(empty,)))).text)
    assert "[withheld whole field: witness_identity]" in shown
    assert "withheld" not in blank.split("MG11 Witness statements", 1)[1]


@pytest.mark.parametrize("audience", ["cps", "defence", None])
def test_headings_go_down_one_level_at_a_time_and_tables_have_header_cells(
    audience: str | None,
) -> None:
    _, verified = prosecution()
    written = case_file_html(
        build_case_file(verified.records, audience=audience),
        verification=verification_page(verified.records),
    )
    parsed = outline(written)
    levels = [level for level, _ in parsed.headings]
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    assert parsed.table_headers
    assert all(parsed.table_headers)
    assert parsed.unscoped_headers == 0
    for fetches in (b"http://", b"https://", b"url(", b"@import", b"src="):
        assert fetches not in written


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(run=RUNS, audience=AUDIENCES)
def test_every_generated_case_file_renders_to_a_parsing_page_the_same_each_time(
    run: list[int], audience: str | None
) -> None:
    verified = generated_case(run)
    case_file = build_case_file(verified.records, audience=audience)
    page = verification_page(verified.records, findings=verified.findings)
    written = case_file_html(case_file, verification=page)
    assert written == case_file_html(
        build_case_file(verified.records, audience=audience), verification=page
    )
    parsed = outline(written)
    assert "script" not in parsed.tags
    for form in ("MG1", "MG5", "MG3", "MG9", "MG11", "MG12", "MG6C", "MG6D", "MG6E"):
        assert any(title.startswith(form) for _, title in parsed.headings)


def test_verification_page_names_every_signer_and_exactly_the_records_each_signed() -> None:
    _, verified = prosecution()
    page = verification_page(verified.records)
    signed: dict[str, set[int]] = {}
    for record in verified.records:
        signed.setdefault(record.signer.key_id.hex(), set()).add(record.seq)
    assert {key.key_id for key in page.keys} == set(signed)
    for key in page.keys:
        covered = {seq for first, last in key.runs for seq in range(first, last + 1)}
        assert covered == signed[key.key_id]
        assert key.records == len(covered)
    assert page.records == len(verified.records)


def test_the_checkpoint_and_every_finding_given_reach_the_last_page() -> None:
    _, verified = prosecution()
    root = bytes(range(32))
    checkpoint = Checkpoint(origin="test.police.uk/cases", size=len(verified.records), root=root)
    finding = Finding(kind="test.finding", message="<b>seen</b>", seq=3)
    page = verification_page(verified.records, checkpoint=checkpoint, findings=[finding])
    written = case_file_html(build_case_file(verified.records), verification=page)
    text = "".join(outline(written).text)
    assert root.hex() in text
    assert "test.police.uk/cases" in text
    assert "test.finding" in text
    assert "<b>seen</b>" in text
    assert b"<b>seen" not in written


def test_a_urn_that_closes_the_style_sheet_stays_inside_the_print_header() -> None:
    benign, _ = _hostile_case_file()
    urn = '"; } </style><script>alert(6)</script><style> @page { content: "'
    case_file = dataclasses.replace(
        benign,
        case=dataclasses.replace(benign.case, urn=urn),
        mg1=dataclasses.replace(benign.mg1, urn=urn),
    )
    written = case_file_html(case_file)
    style = written.split(b"<style>", 1)[1].split(b"</style>", 1)[0]
    assert b"<" not in style
    assert b'"; }' not in style
    assert outline(written).tags == outline(case_file_html(benign)).tags


def test_record_numbers_are_shown_as_runs_the_same_way_everywhere() -> None:
    # The verification page's key runs and a form's record numbers share one rule.
    seqs = [9, 3, 5, 6, 7, 1, 2]
    assert seq_runs(seqs) == ((1, 3), (5, 7), (9, 9))
    assert str(runs(seqs)) == "1\u20133, 5\u20137, 9"
    assert spans(seq_runs(seqs)) == runs(seqs)
    assert str(runs([])) == ""


def _handed_over(record: Any, recipient: str, person: str) -> Any:
    # A verified handover record as the verifier yields one (FORMAT §10.4, schema 2).
    who = {"name": person, "number": "1", "organisation": person, "rank": "", "role": ""}
    data = {"audience": "cps", "by": who, "checkpoint": "x", "recipient": recipient,
            "recorded_by": None}  # fmt: skip
    return dataclasses.replace(record, event_type="case.handed_over", schema=2, data=data)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_recipient_on_the_verification_page_writes_no_element(hostile: str) -> None:
    # The handover list shows what the records say in words: a recipient's name and the
    # person who handed over are values like any other, inert whatever they hold.
    records = list(prosecution()[1].records)
    benign = [*records[:-1], _handed_over(records[-1], "CPS Direct", "A Officer")]
    hostile_records = [*records[:-1], _handed_over(records[-1], hostile, hostile)]
    case_file = build_case_file(records)
    expected = outline(case_file_html(case_file, verification=verification_page(benign)))
    written = case_file_html(case_file, verification=verification_page(hostile_records))
    got = outline(written)
    assert b"<script" not in written.lower()
    assert got.tags == expected.tags
    assert got.attributes == expected.attributes
    assert "Handovers and receipts" in [title for _, title in got.headings]


def test_a_key_name_breaks_between_its_parts_and_stays_inert() -> None:
    assert str(breakable("force.example/officer/1234")) == ("force.example/<wbr>officer/<wbr>1234")
    # Each part is escaped on its own, and a code point marker's "</span>" gains no <wbr>.
    assert str(breakable("a/<b>\u202e/c")) == (
        'a/<wbr>&lt;b&gt;<span class="cp">U+202E</span>/<wbr>c'
    )


def test_the_front_sheet_counts_witnesses_statements_and_exhibits_in_words() -> None:
    # "Witnesses, statements, exhibits: 2, 3, 7" left the reader to pair labels and numbers.
    _, verified = prosecution()
    case_file = build_case_file(verified.records)
    text = " ".join("".join(outline(case_file_html(case_file)).text).split())
    witnesses, statements, exhibits = (
        len(case_file.mg9.witnesses), len(case_file.mg11), len(case_file.mg12)
    )  # fmt: skip
    assert f"In the file{witnesses} witness" in text
    assert f"{statements} statement" in text
    assert f"{exhibits} exhibit" in text
    assert "Witnesses, statements, exhibits" not in text
    # Every record is in the file, so the last one's number is the count: said once.
    assert case_file.case.last_seq == case_file.case.records
    assert f"Records{case_file.case.records}Defendants" in text.replace(" ", "")
