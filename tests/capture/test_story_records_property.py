"""The projections' input: every bound record once, in §12.5 order, its references followed."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casefile.errors import InputError
from casefile.findings import Finding
from casefile.projections import CITE_PATTERN, RecordView, parse_cite
from casefile.projections._cite import cite_of, cited, citing
from casefile.projections._story_records import REFERENCE_FIELDS, story_records

T = 1_767_225_600 * 10**9


def _binding(seq: int, stream: uuid.UUID, start: int, size: int) -> RecordView:
    data = {"stream": stream.bytes, "from_size": start, "size": size, "findings": []}
    return RecordView("capture.attached", seq, T + seq, data)


@st.composite
def _cases(draw: Any) -> tuple[list[RecordView], dict[uuid.UUID, list[RecordView]]]:
    """A case that binds 1-3 streams in random steps, with notes between, and corrections."""
    streams = draw(st.lists(st.uuids(), min_size=1, max_size=3, unique=True))
    captures: dict[uuid.UUID, list[RecordView]] = {}
    steps: list[tuple[uuid.UUID, int]] = []
    for stream in streams:
        n = draw(st.integers(1, 6))
        records = [RecordView("capture.opened", 1, T, {})]
        for seq in range(2, n + 1):
            if draw(st.booleans()):
                target = draw(st.integers(1, seq - 1))
                records.append(RecordView("record.corrected", seq, T, {"corrects": target}))
            else:
                records.append(RecordView("note.added", seq, T, {}))
        # Trailing records no binding reaches stay out of the case.
        captures[stream] = [*records, RecordView("note.added", n + 1, T, {})]
        sizes = sorted(draw(st.sets(st.integers(1, n - 1), max_size=3)) if n > 1 else set())
        steps += [(stream, size) for size in [*sizes, n]]
    order = draw(st.permutations(steps))
    # Each stream's bindings keep their own order: re-sort them within the drawn interleaving.
    per_stream = {s: sorted(size for t, size in steps if t == s) for s in streams}
    case: list[RecordView] = [RecordView("case.opened", 1, T, {})]
    done = dict.fromkeys(streams, 0)
    for stream, _ in order:
        size = per_stream[stream].pop(0)
        if draw(st.booleans()):
            case.append(RecordView("note.added", len(case) + 1, T, {}))
        case.append(_binding(len(case) + 1, stream, done[stream], size))
        done[stream] = size
    case.append(RecordView("record.corrected", len(case) + 1, T, {"corrects": 1}))
    return case, captures


@given(_cases())
def test_every_bound_record_is_read_once_in_story_order(
    drawn: tuple[list[RecordView], dict[uuid.UUID, list[RecordView]]],
) -> None:
    case, captures = drawn
    story = story_records(case, captures)
    expected: list[tuple[uuid.UUID | None, int]] = []
    for record in case:
        expected.append((None, record.seq))
        if record.event_type == "capture.attached":
            stream = uuid.UUID(bytes=record.data["stream"])
            for seq in range(record.data["from_size"] + 1, record.data["size"] + 1):
                expected.append((stream, seq))
    assert list(story.origins) == expected
    assert [r.seq for r in story.records] == list(range(1, len(expected) + 1))
    position = {origin: p for p, origin in enumerate(expected, start=1)}
    for record, (stream, _seq) in zip(story.records, story.origins, strict=True):
        if record.event_type == "record.corrected":
            own = next(r for r in (case if stream is None else captures[stream]) if r.seq == _seq)
            assert record.data["corrects"] == position[stream, own.data["corrects"]]
    for cite, (stream, seq) in zip(story.cites, story.origins, strict=True):
        assert cite == (seq if stream is None else f"{stream}#{seq}")
        assert parse_cite(str(cite)) == cite


@given(st.integers(1, 2**63 - 1), st.uuids())
def test_citations_round_trip(seq: int, stream: uuid.UUID) -> None:
    assert parse_cite(str(seq)) == seq
    assert parse_cite(f"{stream}#{seq}") == f"{stream}#{seq}"
    assert CITE_PATTERN.startswith("^")


@pytest.mark.parametrize(
    "text",
    ["0", "07", "-3", "", "2#3", "9223372036854775808", "+1", "1 ", "\u0661",
     "BE55A8E6-0D37-4AE3-9746-AFE58A24CC63#2", "be55a8e60d374ae39746afe58a24cc63#2",
     "be55a8e6-0d37-4ae3-9746-afe58a24cc63#0", "be55a8e6-0d37-4ae3-9746-afe58a24cc63#02",
     "be55a8e6-0d37-4ae3-9746-afe58a24cc63#9223372036854775808"],
)  # fmt: skip
def test_a_malformed_citation_is_refused_by_name(text: str) -> None:
    with pytest.raises(InputError, match="citation"):
        parse_cite(text)


def test_a_story_whose_stream_was_not_given_is_refused() -> None:
    stream = uuid.uuid4()
    case = [RecordView("case.opened", 1, T, {}), _binding(2, stream, 0, 1)]
    with pytest.raises(InputError, match=f"binds capture {stream} up to record 1, but 0"):
        story_records(case, {})


def test_a_finding_names_the_captured_record_in_its_words() -> None:
    stream = uuid.UUID(int=7)
    cites = [1, 2, f"{stream}#1", f"{stream}#2", 3]
    with citing(cites):
        message = f"records {cite_of(3)} to {cite_of(4)} follow record {cite_of(2)}"
        beyond = cite_of(12)
    assert message == f"records {stream}#1 to {stream}#2 follow record 2"
    assert beyond == "12"  # no record of the story: the number as given
    assert cite_of(3) == "3"  # outside a story, a position is the case's own seq
    finding = Finding("gap", message, 4)
    assert cited(finding, cites) == Finding("gap", message, f"{stream}#2")


def test_an_officers_words_that_look_like_a_record_are_never_rewritten() -> None:
    # A place or a seal number an officer typed is shown as typed, captures or not.
    stream = uuid.UUID(int=7)
    cites = [1, 2, f"{stream}#1", f"{stream}#2", 3]
    typed = "Property store, record 3 shelf; statement 4 tray"
    finding = Finding("seal_reused", f"seal {typed} was already used in record 2", 4)
    assert cited(finding, cites).message == finding.message


def test_every_reference_field_of_the_format_is_followed_to_its_position() -> None:
    # One record of each type that names records, after a binding of two captured records:
    # each named case record must come back as its position (its seq plus the two).
    stream = uuid.UUID(int=9)
    named = {
        "case_summary.written": {"points": [{"offence": 3, "evidence": [3], "element": "e"}]},
        "charging.decided": {"request": 3, "offences": [3]},
        "charging.requested": {"offences": [3]},
        "disclosure.erased": {"record": 3},
        "offence.alleged": {"points_to_prove": [{"element": "e", "evidence": [3]}]},
        "offence.charged": {"offence": 3, "decision": 3},
        "record.confirmed": {"confirms": 3},
        "record.corrected": {"corrects": 3, "fields": {}},
        "redaction.decided": {"record": 3},
        "redaction.withdrawn": {"decision": 3},
        "vps.recorded": {"statement": 3},
    }
    assert set(named) == set(REFERENCE_FIELDS)
    captured = [RecordView("capture.opened", 1, T, {}), RecordView("note.added", 2, T, {})]
    for kind, data in named.items():
        case = [
            RecordView("case.opened", 1, T, {}),
            _binding(2, stream, 0, 2),
            RecordView("note.added", 3, T, {}),
            RecordView(kind, 4, T, data),
        ]
        story = story_records(case, {stream: captured})
        mapped = story.records[-1].data
        assert "3" not in json.dumps(mapped, default=str), (kind, mapped)
        assert "5" in json.dumps(mapped, default=str), (kind, mapped)
