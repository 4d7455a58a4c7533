"""Records from elsewhere, unchecked: the case file is built or refused by name, never crashes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.errors import InputError
from casefile.projections import case_file_from_views
from casefile.projections._casefile_read import CASE_FILE_TYPES
from projections._casefile_cases import Views, opened, party, pid

T = 1_767_225_600 * 10**9
# Every field the case file reads, with a value of the right kind (a record of any type
# gets them all: the case file reads only its own).
_GOOD: dict[str, Any] = {
    "person_id": pid(1),
    "witness_id": pid(1),
    "statement_id": pid(2),
    "by": party(),
    "recorded_by": None,
    "interviewers": [party()],
    "offence": 2,
    "offences": [2],
    "request": 3,
    "decision": None,
    "item": 1,
    "items": [1],
    "version": 1,
    "revision": 1,
    "points_to_prove": [{"element": "took", "evidence": [2]}],
    "points": [{"offence": 2, "element": "took", "evidence": [2]}],
    "special_warnings": ["s36"],
    "exhibits": ["JS/1"],
    **dict.fromkeys(
        ("arrested_at", "attended_at", "started_at", "ended_at", "charged_at", "starts_at",
         "hearing_at", "offered_at", "last_seen_at", "seen_at", "found_at"),
        T,
    ),
    **dict.fromkeys(("ends_at", "next_review", "safe_and_well_at", "age", "statement"), None),
    **dict.fromkeys(
        ("first", "sensitive", "undermines_or_assists", "legal_representative", "no_comment",
         "committed_on_bail", "over_18"),
        True,
    ),
    **dict.fromkeys(("recording", "recording_sha256", "signature_sha256", "to_date"), None),
    **dict.fromkeys(
        ("power", "code", "title", "test", "outcome", "status", "court", "schedule", "risk",
         "signatory", "declaration", "anticipated_plea", "grounds", "place", "summary"),
        "x",
    ),
    "from_date": "2026-01-01",
    "reader_declaration": None,
}  # fmt: skip

_ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.text(max_size=8),
    st.binary(max_size=20),
    st.lists(st.integers(0, 5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def _records(draw: st.DrawFn) -> Views:
    views = Views()
    opened(views)
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from(sorted(CASE_FILE_TYPES - {"case.opened"})))
        data = dict(_GOOD)
        if kind == "unused.decided":
            data["decision"] = "disclose"
        for name in draw(st.lists(st.sampled_from(sorted(_GOOD)), max_size=2)):
            if draw(st.booleans()):
                data[name] = draw(_ANY)
            else:
                data.pop(name, None)
        views.add(kind, data)
    return views


@settings(max_examples=150, deadline=None)
@given(views=_records())
def test_records_of_any_shape_give_a_file_or_an_input_error_naming_a_record(views: Views) -> None:
    try:
        file = case_file_from_views(views)
    except InputError as exc:
        refused: InputError | None = exc
    else:
        refused = None
        assert file.case.records == len(views.views)
    if refused is not None:
        assert str(refused).startswith("record ")
