"""The case's story (FORMAT §12.5): its records and the captured records they bound, in order."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casefile.errors import InputError
from casefile.projections import RecordView, StoryEntry, capture_reference, case_story

_A = uuid.UUID("00000000-0000-4000-8000-00000000000a")
_B = uuid.UUID("00000000-0000-4000-8000-00000000000b")


def _note(seq: int) -> RecordView:
    return RecordView("note.recorded", seq, seq, {})


def _stream(stream: uuid.UUID, n: int) -> list[RecordView]:
    opened = RecordView("capture.opened", 1, 0, {"device": "tablet", "target": None})
    return [
        opened,
        *(RecordView("note.recorded", s, s, {"n": str(stream)}) for s in range(2, n + 1)),
    ]


def _binding(seq: int, stream: uuid.UUID, from_size: int, size: int) -> RecordView:
    data = {"stream": stream.bytes, "from_size": from_size, "size": size}
    return RecordView("capture.attached", seq, seq, data)


def _cites(story: tuple[StoryEntry[RecordView], ...]) -> list[int | str]:
    return [entry.cite for entry in story]


def test_captured_records_follow_the_binding_that_bound_them_in_their_own_order() -> None:
    case = [_note(1), _binding(2, _A, 0, 2), _note(3), _binding(4, _A, 2, 3)]
    story = case_story(case, {_A: _stream(_A, 3)})
    assert _cites(story) == [1, 2, f"{_A}#1", f"{_A}#2", 3, 4, f"{_A}#3"]


def test_records_of_a_stream_never_bound_are_not_part_of_the_case() -> None:
    case = [_note(1), _binding(2, _A, 0, 1)]
    story = case_story(case, {_A: _stream(_A, 3), _B: _stream(_B, 2)})
    assert _cites(story) == [1, 2, f"{_A}#1"]


def test_a_number_inside_a_capture_resolves_within_that_capture() -> None:
    story = case_story([_note(1), _binding(2, _A, 0, 2)], {_A: _stream(_A, 2)})
    case_entry, captured = story[0], story[-1]
    assert captured.reference(1) == capture_reference(_A, 1) == f"{_A}#1"
    assert case_entry.reference(1) == 1


def test_a_binding_that_skips_records_of_its_stream_is_refused() -> None:
    case = [_binding(1, _A, 0, 1), _binding(2, _A, 2, 3)]
    with pytest.raises(InputError, match="case record 2 binds records 3 to 3"):
        case_story(case, {_A: _stream(_A, 3)})


def test_a_binding_that_binds_records_again_is_refused() -> None:
    case = [_binding(1, _A, 0, 2), _binding(2, _A, 0, 2)]
    with pytest.raises(InputError, match="bound it up to record 2 before"):
        case_story(case, {_A: _stream(_A, 2)})


def test_a_binding_whose_capture_records_are_missing_is_refused() -> None:
    with pytest.raises(InputError, match="1 of its records were given"):
        case_story([_binding(1, _A, 0, 2)], {_A: _stream(_A, 1)})
    with pytest.raises(InputError, match="0 of its records were given"):
        case_story([_binding(1, _B, 0, 1)], {_A: _stream(_A, 1)})


def test_a_capture_record_out_of_its_place_is_refused() -> None:
    shuffled = list(reversed(_stream(_A, 2)))
    with pytest.raises(InputError, match="record 2 stands where record 1 belongs"):
        case_story([_binding(1, _A, 0, 2)], {_A: shuffled})


@st.composite
def _cases(draw: st.DrawFn) -> tuple[list[RecordView], dict[uuid.UUID, list[RecordView]]]:
    """A case of notes and bindings, each binding extending one of a few streams."""
    streams = [uuid.UUID(int=i + 1) for i in range(draw(st.integers(1, 3)))]
    held = {s: draw(st.integers(1, 6)) for s in streams}
    bound = dict.fromkeys(streams, 0)
    case: list[RecordView] = []
    for _ in range(draw(st.integers(0, 12))):
        seq = len(case) + 1
        stream = draw(st.sampled_from(streams))
        if draw(st.booleans()) and bound[stream] < held[stream]:
            size = draw(st.integers(bound[stream] + 1, held[stream]))
            case.append(_binding(seq, stream, bound[stream], size))
            bound[stream] = size
        else:
            case.append(_note(seq))
    return case, {s: _stream(s, held[s]) for s in streams}


@given(_cases())
def test_every_bound_record_is_in_the_story_once_and_nothing_else(
    drawn: tuple[list[RecordView], dict[uuid.UUID, list[RecordView]]],
) -> None:
    case, captures = drawn
    story = case_story(case, captures)
    cites = _cites(story)
    bound: dict[uuid.UUID, int] = {}
    for record in case:
        if record.event_type == "capture.attached":
            stream = uuid.UUID(bytes=record.data["stream"])
            bound[stream] = record.data["size"]
    expected = [r.seq for r in case] + [
        capture_reference(s, seq) for s, size in bound.items() for seq in range(1, size + 1)
    ]
    assert sorted(map(str, cites)) == sorted(map(str, expected))
    assert len(set(map(str, cites))) == len(cites)
    # The case's own records keep their order, and each stream's records keep theirs.
    assert [c for c in cites if isinstance(c, int)] == [r.seq for r in case]
    for stream in bound:
        mine = [e.record.seq for e in story if e.stream == stream]
        assert mine == list(range(1, bound[stream] + 1))
    # A captured record comes after the binding that bound it, before the next case record.
    for i, entry in enumerate(story):
        if entry.stream is not None:
            binder = next(e for e in reversed(story[:i]) if e.stream is None)
            assert binder.record.event_type == "capture.attached"
            assert binder.record.data["from_size"] < entry.record.seq <= binder.record.data["size"]
