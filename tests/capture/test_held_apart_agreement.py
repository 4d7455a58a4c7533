"""The library's held-apart walk and the outside verifier's, read from FORMAT §12.7 alone, agree.

Random stories of openings, copies and custody records naming a few references, in the case and
in captures bound over one or more bindings: both readers name the same records apart, with the
same names.
"""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.projections._held_apart import held_apart, qualify
from independent._spec_evidence import story

REFS = ("AB/1", "AB/2", "AB/1/A")
STREAMS = (uuid.UUID(int=1), uuid.UUID(int=2))
_record = st.one_of(
    st.tuples(
        st.sampled_from(["exhibit.seized", "evidence.captured", "exhibit.lost", "note.added"]),
        st.sampled_from(REFS),
        st.none(),
    ),
    st.tuples(
        st.sampled_from(["exhibit.derived", "exhibit.imaged"]),
        st.sampled_from(REFS),
        st.sampled_from(REFS),
    ),
)
_binding = st.tuples(st.sampled_from(STREAMS), st.lists(_record, min_size=1, max_size=4))


def _data(ref: str, derived: str | None) -> dict[str, Any]:
    return {"exhibit": ref} if derived is None else {"exhibit": ref, "derived": derived}


@settings(max_examples=300, deadline=None)
@given(
    case=st.lists(st.one_of(_record, _binding), max_size=8),
)
def test_both_readers_hold_the_same_records_apart(case: list[Any]) -> None:
    case_records: dict[int, dict[str, Any]] = {}
    captures: dict[uuid.UUID, dict[int, dict[str, Any]]] = {s: {} for s in STREAMS}
    kinds: list[str] = []
    datas: list[dict[str, Any]] = []
    streams: list[uuid.UUID | None] = []
    for item in case:
        seq = len(case_records) + 1
        if isinstance(item[1], list):  # a binding and the records it newly binds
            stream, records = item
            given_ = captures[stream]
            start = len(given_)
            data = {"stream": stream.bytes, "from_size": start, "size": start + len(records)}
            case_records[seq] = {"type": "capture.attached", "schema": 1, "data": data}
            kinds.append("capture.attached")
            datas.append(data)
            streams.append(None)
            for n, (kind, ref, derived) in enumerate(records, start + 1):
                given_[n] = {"type": kind, "schema": 1, "data": _data(ref, derived)}
                kinds.append(kind)
                datas.append(_data(ref, derived))
                streams.append(stream)
        else:
            kind, ref, derived = item
            case_records[seq] = {"type": kind, "schema": 1, "data": _data(ref, derived)}
            kinds.append(kind)
            datas.append(_data(ref, derived))
            streams.append(None)
    apart = held_apart(kinds, datas, streams)
    mine = []
    for p, (data, stream) in enumerate(zip(datas, streams, strict=True)):
        out = dict(data)
        if p in apart and stream is not None:
            qualify(out, apart[p], stream)
        mine.append(out)
    theirs = [h["data"] for _, h in story(case_records, {str(s): r for s, r in captures.items()})]
    assert theirs == mine
