"""The projections read free text only as its reader may see it: whole, redacted, or not at all."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.errors import DisclosureError
from casefile.events import Investigation
from casefile.projections import (
    NOT_DISCLOSED,
    build_exhibit_register,
    continuity_statements,
    exhibit_list,
    exhibit_register_json,
    records_as_read,
    render_text,
)
from casefile.signing import TextDisclosure
from projections.conftest import PC, STORE, committed_of, new_case

HOME = "Kitchen of 7 Wren Terrace, Southby"


def _seized_and_booked() -> Investigation:
    case = new_case()
    case.seize_exhibit(exhibit="JS/1", by=PC, place=HOME, description="Brick", power="s.19")
    case.book_exhibit(exhibit="JS/1", by=PC, to=STORE, place="Central Store", property_ref="P/1")
    return case


def _withholding_the_address(d: TextDisclosure) -> TextDisclosure:
    # Units: "Kitchen ", "of ", "7 ", "Wren ", "Terrace, ", "Southby".
    return d.redact([(2, 6)]) if (d.seq, d.name) == (2, "place") else d


def test_a_redacted_place_is_shown_with_its_marker_in_every_view() -> None:
    records = committed_of(_seized_and_booked(), _withholding_the_address)
    register = build_exhibit_register(records_as_read(records))
    assert register.findings == ()
    seizure = register.exhibit("JS/1").entries[0]
    assert seizure.place == "Kitchen of [withheld 4 words]"
    document = exhibit_register_json(register).decode()
    assert "Kitchen of [withheld 4 words]" in document
    for word in ("Wren", "Terrace", "Southby"):
        assert word not in document
    text = " ".join(s.text for s in continuity_statements(register))
    assert "at Kitchen of [withheld 4 words], I seized" in text
    assert "Wren" not in text


def test_a_text_without_a_disclosure_is_not_disclosed_and_reveals_nothing() -> None:
    records = committed_of(_seized_and_booked(), lambda d: None if d.name == "place" else d)
    register = build_exhibit_register(records_as_read(records))
    assert register.findings == ()
    assert [e.place for e in register.exhibit("JS/1").entries] == [None, None]
    (row,) = exhibit_list(register)
    assert (row.location, row.description) == (NOT_DISCLOSED, "Brick")
    assert json.loads(exhibit_register_json(register))["exhibits"][0]["location"] is None
    text = " ".join(s.text for s in continuity_statements(register))
    assert f"at {NOT_DISCLOSED}, I seized" in text


def test_an_empty_optional_text_is_read_as_empty_not_withheld() -> None:
    records = committed_of(_seized_and_booked())
    assert "notes" not in records[1].commitments
    assert list(records_as_read(records))[1].data["notes"] == ""


def test_a_corrected_text_is_read_into_the_correction_s_fields() -> None:
    case = _seized_and_booked()
    case.correct(seq=2, reason="Wrong room", fields={"place": "Hallway of 7 Wren Terrace"}, by=PC)
    views = list(records_as_read(committed_of(case)))
    fix = views[-1]
    assert fix.data["fields"] == {"place": "Hallway of 7 Wren Terrace"}
    assert fix.data["correction_reason"] == "Wrong room"
    register = build_exhibit_register(views)
    assert register.exhibit("JS/1").entries[0].place == "Hallway of 7 Wren Terrace"


def test_a_disclosure_of_another_record_spliced_in_is_refused() -> None:
    records = committed_of(_seized_and_booked())
    # The seizure's place disclosed as the booking's: it matches no commitment there.
    theirs = records[1].disclosed["place"]
    spliced = dataclasses.replace(theirs, seq=3)
    others = [d for r in records for d in r.disclosed.values() if (d.seq, d.name) != (3, "place")]
    with pytest.raises(DisclosureError) as caught:
        list(records_as_read(records, [*others, spliced]))
    assert (caught.value.seq, caught.value.step) == (3, "V11")
    assert "'place'" in caught.value.message


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_redacted_text_shows_every_revealed_word_in_order_and_no_withheld_one(
    data: st.DataObject,
) -> None:
    n = data.draw(st.integers(1, 60), label="units")
    text = " ".join(f"w{i}" for i in range(n))
    full = TextDisclosure.full(uuid.UUID(int=1), 2, "notes", text, bytes(range(32)))
    bounds = sorted(data.draw(st.sets(st.integers(0, n), max_size=8), label="bounds"))
    runs = [(a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=False) if a < b]
    shown = render_text(full.redact(runs))
    withheld = {i for a, b in runs for i in range(a, b)}
    words = shown.split()
    revealed = [w for w in words if re.fullmatch(r"w[0-9]+", w)]
    assert revealed == [f"w{i}" for i in range(n) if i not in withheld]
    # One marker per maximal withheld run, naming how many words it holds.
    runs_shown = re.findall(r"\[withheld (\d+) words?\]", shown)
    merged = full.redact(runs).withheld
    assert [int(c) for c in runs_shown] == [b - a for a, b in merged]
