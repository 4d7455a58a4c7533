"""Redactable text commitments (FORMAT.md §4.1): round trips, redaction, strict parsing."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.encoding import decode, encode
from casefile.errors import DisclosureError, InvalidCommandError, RepeatedSaltError
from casefile.signing import (
    MAX_TEXT_UNITS,
    Disclosure,
    TextDisclosure,
    Withheld,
    commit_text,
    parse_disclosure,
    split_units,
    text_commitment,
)
from casefile.signing._commitments import commit_fields
from casefile.signing._text_tree import cover as _cover
from casefile.signing._text_tree import level_counts as _level_counts
from independent._spec_text import cover as spec_cover
from independent._spec_text import text_commitment_of as spec_commitment

CASE = uuid.UUID("0192f1a2-0000-7000-8000-000000000001")
SEED = bytes(range(32))
STATEMENT = (
    "I live at 12 Acacia Avenue, Leeds LS6 2AB. On Friday night I was walking home "
    "along Kirkstall Road when a man in a grey hoodie grabbed my bag and ran towards the bridge."
)

words = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"], include_characters="\n\t\r"
    ),
    max_size=120,
).map(lambda t: unicodedata.normalize("NFC", t))


def _runs(n: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    pair = st.tuples(st.integers(0, n - 1), st.integers(1, n)).map(
        lambda p: (min(p[0], p[1] - 1), max(p[0] + 1, p[1]))
    )
    return st.lists(pair, max_size=6)


def _full(text: str = STATEMENT, seed: bytes = SEED) -> TextDisclosure:
    return TextDisclosure.full(CASE, 4, "body", text, seed)


# --- units ---------------------------------------------------------------------


@given(words)
def test_split_units_rejoin_to_the_text(text: str) -> None:
    units = split_units(text)
    assert "".join(units) == text
    assert len(units) >= 1
    assert all(units) or units == ("",)


def test_split_units_keeps_leading_space_as_its_own_unit() -> None:
    assert split_units("  two words ") == ("  ", "two ", "words ")
    assert split_units("") == ("",)
    assert split_units("   ") == ("   ",)


# --- tree shape and canonical cover ---------------------------------------------


@given(st.integers(1, 5000), st.data())
def test_canonical_cover_tiles_the_range_with_maximal_aligned_nodes(n: int, data: Any) -> None:
    counts = _level_counts(n)
    h = len(counts) - 1
    a = data.draw(st.integers(0, n - 1))
    b = data.draw(st.integers(a + 1, n))
    at = a
    for j, i in _cover(a, b, n, h):
        start, end = i << (4 * j), min((i + 1) << (4 * j), n)
        assert start == at
        assert end <= b
        assert i < counts[j]
        # Maximal: the parent is not inside [a, b) too.
        if j < h:
            parent = i >> 4
            assert parent << (4 * (j + 1)) < a or min((parent + 1) << (4 * (j + 1)), n) > b
        at = end
    assert at == b


def test_level_counts_follow_the_fanout() -> None:
    assert _level_counts(1) == (1,)
    assert _level_counts(16) == (16, 1)
    assert _level_counts(17) == (17, 2, 1)
    assert _level_counts(1000) == (1000, 63, 4, 1)


# --- commitments and disclosures ------------------------------------------------


@settings(max_examples=60)
@given(words, st.binary(min_size=32, max_size=32), st.data())
def test_untouched_redacted_disclosure_always_verifies(text: str, seed: bytes, data: Any) -> None:
    full = _full(text, seed)
    commitment = full.commitment()
    runs = data.draw(_runs(full.n))
    redacted = full.redact(runs)
    assert redacted.commitment() == commitment
    again = parse_disclosure(redacted.to_bytes())
    assert again == redacted
    assert again.commitment() == commitment  # type: ignore[union-attr]
    # Every withheld unit is withheld, every other revealed, in order.
    hidden = {u for a, b in runs for u in range(a, b)}
    assert {u for a, b in redacted.withheld for u in range(a, b)} == hidden
    units = split_units(text)
    assert redacted.units == tuple(u for k, u in enumerate(units) if k not in hidden)


@settings(max_examples=40)
@given(words, st.data())
def test_redacting_in_steps_equals_redacting_at_once(text: str, data: Any) -> None:
    full = _full(text)
    first, second = data.draw(_runs(full.n)), data.draw(_runs(full.n))
    assert full.redact(first).redact(second) == full.redact([*first, *second])


@given(words)
def test_full_disclosure_recovers_the_text_exactly(text: str) -> None:
    commitment, disclosure = commit_text(CASE, 2, "text", text)
    assert disclosure.text == text
    assert disclosure.segments() == ((text,) if text else ("",))
    assert disclosure.commitment() == commitment
    assert TextDisclosure.from_bytes(disclosure.to_bytes()) == disclosure


def test_commitment_is_constant_size_and_binds_name_and_length() -> None:
    short = _full("a b")
    long = _full(STATEMENT * 40)
    assert len(short.commitment()) == len(long.commitment()) == 32
    renamed = TextDisclosure.full(CASE, 4, "place", STATEMENT, SEED)
    assert renamed.commitment() != _full().commitment()


def test_segments_show_withheld_runs_in_place() -> None:
    full = _full()
    units = split_units(STATEMENT)
    redacted = full.redact([(3, 8)])
    assert redacted.segments() == ("".join(units[:3]), Withheld(3, 8), "".join(units[8:]))
    assert redacted.text is None
    assert Withheld(3, 8).units == 5


def test_unit_offsets_map_characters_to_units() -> None:
    full = _full()
    for unit, start, end in full.unit_offsets():
        assert STATEMENT[start:end] == full.units[unit]


def test_redacted_disclosure_grows_with_runs_not_words() -> None:
    text = " ".join(f"word{k}" for k in range(1000))
    full = _full(text)
    one_run = full.redact([(500, 505)])
    assert len(one_run.seeds) + len(one_run.hashes) <= 2 * 15 * 3 + 2
    everything = full.redact([(0, 1000)])
    assert everything.seeds == ()
    assert len(everything.hashes) == 1


def test_redacting_out_of_range_is_refused() -> None:
    full = _full()
    for run in [(0, 0), (-1, 2), (3, full.n + 1), (5, 4), (1, 2, 3), (True, 2), "ab", (1.0, 2)]:
        with pytest.raises(InvalidCommandError, match="not a range of units"):
            full.redact([run])


@pytest.mark.parametrize("runs", [((5, 3),), ((3, 3),), ((-1, 2),), ((4, 6), (1, 2))])
def test_redacting_a_disclosure_whose_own_runs_are_malformed_fails_as_a_disclosure(
    runs: tuple[tuple[int, int], ...],
) -> None:
    # Such a disclosure parses (V11.1 checks types only) but does not lay out
    # (V11.2): redacting it names that fault, even when nothing more is withheld.
    forged = dataclasses.replace(_full(), withheld=runs)
    for more in ([], [(0, 1)]):
        with pytest.raises(DisclosureError, match="withheld run"):
            forged.redact(more)


def test_commit_text_refuses_unnormalised_text_and_bad_randomness() -> None:
    with pytest.raises(ValueError, match="NFC"):
        commit_text(CASE, 2, "text", "Cafe\u0301")
    with pytest.raises(ValueError, match="32 bytes"):
        commit_text(CASE, 2, "text", "x", random_bytes=lambda k: b"short")
    with pytest.raises(ValueError, match="field name"):
        commit_text(CASE, 2, "Body", "x")


def test_text_commitment_is_the_documented_hash() -> None:
    root = hashlib.sha256(b"r").digest()
    body = encode({"n": 3, "name": "body", "root": root})
    assert (
        text_commitment("body", 3, root) == hashlib.sha256(b"casefile:text:v2\x00" + body).digest()
    )


# --- commit_fields with texts ----------------------------------------------------


def test_commit_fields_commits_values_and_texts_together() -> None:
    commitments, disclosures = commit_fields(
        CASE, 3, {"name": "Ann"}, texts={"body": STATEMENT, "place": "Leeds"}
    )
    assert sorted(commitments) == ["body", "name", "place"]
    assert [d.name for d in disclosures] == ["body", "name", "place"]
    for disclosure in disclosures:
        assert disclosure.commitment() == commitments[disclosure.name]
    assert isinstance(disclosures[0], TextDisclosure)
    assert isinstance(disclosures[1], Disclosure)


def test_commit_fields_refuses_a_name_given_as_value_and_text() -> None:
    with pytest.raises(ValueError, match="both"):
        commit_fields(CASE, 3, {"body": "x"}, texts={"body": "y"})


def test_repeated_seed_across_texts_is_refused() -> None:
    with pytest.raises(RepeatedSaltError):
        commit_fields(CASE, 3, {}, texts={"a": "x", "b": "y"}, random_bytes=lambda k: b"\x01" * k)


def test_text_commitment_already_used_in_the_case_is_refused() -> None:
    used: set[bytes] = set()
    commit_fields(CASE, 3, {}, texts={"a": "x"}, random_bytes=lambda k: b"\x02" * k, used=used)
    with pytest.raises(RepeatedSaltError):
        commit_fields(CASE, 3, {}, texts={"a": "x"}, random_bytes=lambda k: b"\x02" * k, used=used)


# --- strict parsing ------------------------------------------------------------------


def _fields(disclosure: TextDisclosure) -> dict[str, Any]:
    decoded = decode(disclosure.to_bytes())
    assert isinstance(decoded, dict)
    return decoded


_REDACTED = _full().redact([(2, 4), (20, 30)])

MALFORMED: list[tuple[str, Any]] = [
    ("case", b"\x00" * 15),
    ("case", "not bytes"),
    ("seq", 0),
    ("seq", True),
    ("name", "Body"),
    ("n", 0),
    ("n", MAX_TEXT_UNITS + 1),
    ("n", "3"),
    ("withheld", [[4, 2]]),
    ("withheld", [[2, 4, 5]]),
    ("withheld", [[2, 4], [4, 6]]),
    ("withheld", [[20, 30], [2, 4]]),
    ("withheld", [[2, 4], [3, 9]]),
    ("withheld", [[0, 10_000]]),
    ("withheld", [[True, 4]]),
    ("withheld", [[2, 4]]),
    ("seeds", []),
    ("seeds", [b"\x00" * 31] * 5),
    ("hashes", []),
    ("hashes", [b"\x00" * 33]),
    ("units", []),
    ("units", [1, 2]),
    ("units", ["only one"]),
]


@pytest.mark.parametrize(("key", "value"), MALFORMED)
def test_malformed_text_disclosure_is_refused(key: str, value: Any) -> None:
    fields = _fields(_REDACTED)
    fields[key] = value
    with pytest.raises(DisclosureError) as caught:
        parse_disclosure(encode(fields)).commitment()
    assert caught.value.step == "V11"


@pytest.mark.parametrize(
    ("key", "value"),
    [(k, v) for k, v in MALFORMED if k in ("case", "seq", "name", "n") or type(v) is not list]
    + [("withheld", [[True, 4]]), ("seeds", [b"\x00" * 31] * 5), ("units", [1, 2])],
)
def test_text_disclosure_of_wrong_types_is_not_a_disclosure(key: str, value: Any) -> None:
    # V11.1: such an element is not read at all (FORMAT.md §9.7.3).
    fields = _fields(_REDACTED)
    fields[key] = value
    with pytest.raises(DisclosureError):
        parse_disclosure(encode(fields))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("withheld", [[4, 2]]),
        ("withheld", [[2, 4], [4, 6]]),
        ("withheld", [[2, 4]]),
        ("seeds", []),
        ("units", ["only one"]),
    ],
)
def test_text_disclosure_whose_parts_do_not_fit_parses_and_fails_its_commitment(
    key: str, value: Any
) -> None:
    # V11.2: readable, so the disclosures after it are read; it fails its record alone.
    fields = _fields(_REDACTED)
    fields[key] = value
    parsed = parse_disclosure(encode(fields))
    assert isinstance(parsed, TextDisclosure)
    with pytest.raises(DisclosureError, match="field 'body'"):
        parsed.commitment()
    assert parsed.opens(_REDACTED.commitment()) is not None


def test_extra_or_missing_key_is_refused() -> None:
    fields = _fields(_REDACTED)
    with pytest.raises(DisclosureError, match="exactly the keys"):
        parse_disclosure(encode({**fields, "salt": b"\x00" * 16}))
    del fields["hashes"]
    with pytest.raises(DisclosureError, match="exactly the keys"):
        parse_disclosure(encode(fields))


def test_empty_unit_in_a_longer_text_is_refused() -> None:
    fields = _fields(_full("a b"))
    fields["units"] = ["", "a b"]
    with pytest.raises(DisclosureError, match="empty"):
        parse_disclosure(encode(fields)).commitment()


def test_value_disclosure_still_parses() -> None:
    value = Disclosure(CASE, 2, "name", b"\x05" * 16, "Ann")
    assert parse_disclosure(value.to_bytes()) == value
    with pytest.raises(DisclosureError, match="value disclosure"):
        TextDisclosure.from_bytes(value.to_bytes())


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_parse_to_anything_but_a_disclosure_error(data: bytes) -> None:
    with pytest.raises(DisclosureError):
        parse_disclosure(data)


def test_every_text_step_of_the_spec_is_marked_in_the_code() -> None:
    # FORMAT.md §4.1.7 numbers the checks of a text disclosure; each is marked
    # where the code makes it, so a reader can follow one into the other.
    root = Path(__file__).resolve().parents[2]
    spec = (root / "docs" / "FORMAT.md").read_text(encoding="utf-8")
    steps = sorted(set(re.findall(r"\*\*(V11\.\d+) ", spec)))
    assert steps == [f"V11.{k}" for k in range(1, 7)]
    # The text commitment's modules are casefile/signing/_text*.py.
    modules = sorted((root / "src" / "casefile" / "signing").glob("_text*.py"))
    assert len(modules) > 1
    code = "".join(m.read_text(encoding="utf-8") for m in modules)
    for step in steps:
        assert f"# {step}" in code, step


@settings(max_examples=200)
@given(st.data())
def test_any_changed_byte_of_a_redacted_disclosure_is_refused_or_names_another_record(
    data: Any,
) -> None:
    # The encoding has one form per value, so a changed byte changes the value or
    # is refused; a changed value opens the commitment only if what changed is
    # the case or the record it names, which V11 checks against the record.
    original = _REDACTED.to_bytes()
    commitment = _REDACTED.commitment()
    at = data.draw(st.integers(0, len(original) - 1))
    flip = data.draw(st.integers(1, 255))
    changed = original[:at] + bytes([original[at] ^ flip]) + original[at + 1 :]
    try:
        parsed = parse_disclosure(changed)
        opened = parsed.commitment() == commitment
    except DisclosureError:
        return
    if opened:
        assert isinstance(parsed, TextDisclosure)
        assert (parsed.case_id, parsed.seq) != (_REDACTED.case_id, _REDACTED.seq)
        assert (parsed.units, parsed.withheld, parsed.seeds, parsed.hashes) == (
            _REDACTED.units,
            _REDACTED.withheld,
            _REDACTED.seeds,
            _REDACTED.hashes,
        )


@given(st.integers(1, 70_000), st.data())
def test_canonical_cover_agrees_with_the_spec_written_out(n: int, data: Any) -> None:
    a = data.draw(st.integers(0, n - 1))
    b = data.draw(st.integers(a + 1, n))
    assert _cover(a, b, n, len(_level_counts(n)) - 1) == spec_cover(a, b, n)


@settings(max_examples=60)
@given(words, st.binary(min_size=32, max_size=32), st.data())
def test_library_and_spec_written_out_open_the_same_commitment(
    text: str, seed: bytes, data: Any
) -> None:
    full = _full(text, seed)
    redacted = full.redact(data.draw(_runs(full.n)))
    for disclosure in (full, redacted):
        assert spec_commitment(decode(disclosure.to_bytes())) == full.commitment()


@settings(max_examples=50)
@given(st.data(), st.sampled_from([b"word ", 7, None, True, ["word "], {"u": "word "}]))
def test_one_unit_that_is_not_text_among_many_is_not_a_disclosure(data: Any, bad: Any) -> None:
    # V11.1: every unit is a text string, wherever the odd one sits among the rest.
    fields = _fields(_REDACTED)
    units = fields["units"]
    at = data.draw(st.integers(min_value=0, max_value=len(units) - 1))
    fields["units"] = [*units[:at], bad, *units[at + 1 :]]
    with pytest.raises(DisclosureError, match="units must be a list of text strings"):
        parse_disclosure(encode(fields))
