"""Attacks on redacted text that V11 must stop (FORMAT.md §4.1.7), against the verifier.

Each case is a signed note whose text is committed as redactable text; the
disclosure handed to the verifier is the one an export for some audience
would carry, changed by the attack. Every attack must fail V11 at the note's
record, naming the field; an untouched redacted disclosure must always verify.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from _casebuilder import AT, CaseBuilder, World
from casefile.errors import DisclosureError
from casefile.signing import TextDisclosure, split_units, text_commitment
from casefile.signing._records import seal_record
from casefile.verifier import verify_case

# The records follow the payloads of format version 2, where a note's text is
# committed in pd; the shipped schemas are checked against them elsewhere.
pytestmark = pytest.mark.payload_not_checked

WORLD = World()
CASE_ID = uuid.UUID("0192f1a2-0000-7000-8000-00000000a77c")
TEXT = (
    "Spoke to the victim at her home, 14 Larch Close, Northshire NS4 7QT, at 19:30. She "
    "described the man as about six feet tall, in a grey hooded top, with a scar over his "
    "left eye, and said he ran towards the canal with her bag and her phone."
)
ADDRESS = (7, 13)  # "14 Larch Close, Northshire NS4 7QT, "
SCAR = (29, 36)  # "with a scar over his left eye, "


def _case(text: str = TEXT) -> tuple[CaseBuilder, TextDisclosure]:
    case = CaseBuilder(CASE_ID)
    case.add(WORLD.alice, "note.added", {}, texts={"text": "First note."})
    case.add(WORLD.bob, "note.added", {}, texts={"text": text})
    (full,) = [d for d in case.disclosures if d.seq == 2]
    assert isinstance(full, TextDisclosure)
    return case, full


def _verify(case: CaseBuilder, disclosure: TextDisclosure | None) -> Any:
    others = [d for d in case.disclosures if d.seq != 2]
    given_ = others if disclosure is None else [*others, disclosure]
    return verify_case(case.records, trust=WORLD.trust, at=AT, disclosures=given_, workers=1)


def _refused(case: CaseBuilder, disclosure: TextDisclosure) -> DisclosureError:
    with pytest.raises(DisclosureError) as caught:
        _verify(case, disclosure)
    assert caught.value.step == "V11"
    assert caught.value.seq == 2
    assert "'text'" in str(caught.value)
    return caught.value


def test_units_are_where_the_attacks_expect_them() -> None:
    units = split_units(TEXT)
    assert "".join(units[slice(*ADDRESS)]) == "14 Larch Close, Northshire NS4 7QT, "
    assert "".join(units[slice(*SCAR)]) == "with a scar over his left eye, "


def _runs(n: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    pair = st.tuples(st.integers(0, n - 1), st.integers(1, 6))
    return st.lists(pair.map(lambda p: (p[0], min(n, p[0] + p[1]))), min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_untouched_redacted_disclosure_always_verifies(data: Any) -> None:
    case, full = _case()
    redacted = full.redact(data.draw(_runs(full.n)))
    verified = _verify(case, redacted)
    shown = verified.records[1].disclosed["text"]
    assert shown == redacted
    revealed = "".join(s for s in shown.segments() if isinstance(s, str))
    assert revealed == "".join(redacted.units)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_revealed_word_altered_is_rejected(data: Any) -> None:
    case, full = _case()
    redacted = full.redact([ADDRESS])
    k = data.draw(st.integers(0, len(redacted.units) - 1))
    replacement = data.draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ", min_size=1))
    assume(replacement != redacted.units[k])
    units = list(redacted.units)
    units[k] = replacement
    _refused(case, dataclasses.replace(redacted, units=tuple(units)))


def test_revealed_word_altered_in_a_full_disclosure_is_rejected() -> None:
    case, full = _case()
    units = list(full.units)
    assert units[21] == "six "
    units[21] = "five "
    fault = _refused(case, dataclasses.replace(full, units=tuple(units)))
    assert "does not match its commitment" in str(fault)


def test_two_revealed_runs_swapped_is_rejected() -> None:
    case, full = _case()
    redacted = full.redact([ADDRESS])
    units = list(redacted.units)
    # The runs before and after the withheld address, each put in the other's place.
    before, after = units[: ADDRESS[0]], units[ADDRESS[0] : ADDRESS[0] + ADDRESS[0]]
    units[: ADDRESS[0]], units[ADDRESS[0] : 2 * ADDRESS[0]] = after, before
    assert units != list(redacted.units)
    _refused(case, dataclasses.replace(redacted, units=tuple(units)))


def test_two_revealed_words_swapped_is_rejected() -> None:
    case, full = _case()
    units = list(full.units)
    units[1], units[2] = units[2], units[1]
    _refused(case, dataclasses.replace(full, units=tuple(units)))


def test_withheld_run_dropped_without_its_marker_is_rejected() -> None:
    # The withheld address is cut out as if it had never been there: its run and
    # its hashes removed, n shortened to the units that remain.
    case, full = _case()
    redacted = full.redact([ADDRESS])
    dropped = dataclasses.replace(
        redacted, withheld=(), hashes=(), n=redacted.n - (ADDRESS[1] - ADDRESS[0])
    )
    _refused(case, dropped)
    # Or with n kept: the units no longer add up.
    _refused(case, dataclasses.replace(redacted, withheld=(), hashes=()))


@pytest.mark.parametrize("shift", [-3, -1, 1, 2])
def test_marker_moved_is_rejected(shift: int) -> None:
    # The withheld run is claimed to stand elsewhere in the text, with the revealed
    # units and the hashes as they were.
    case, full = _case()
    redacted = full.redact([ADDRESS])
    moved = dataclasses.replace(redacted, withheld=((ADDRESS[0] + shift, ADDRESS[1] + shift),))
    _refused(case, moved)


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_withheld_run_revealed_with_a_wrong_salt_is_rejected(seed: bytes) -> None:
    # Someone who guesses the withheld words reveals them with a seed of their own:
    # the address's words are right, the seeds that should cover them are not.
    case, full = _case()
    redacted = full.redact([ADDRESS, SCAR])
    guess = full.redact([SCAR])
    forged = dataclasses.replace(
        guess, seeds=tuple(s if s in redacted.seeds else seed for s in guess.seeds)
    )
    assume(forged.seeds != guess.seeds)
    _refused(case, forged)


def test_withheld_run_revealed_with_the_right_words_but_a_salt_of_another_unit_is_rejected() -> (
    None
):
    case, full = _case()
    redacted = full.redact([ADDRESS])
    guess = full.redact([(0, 1)])  # reveals the address: its seeds are the true ones
    stolen = redacted.seeds[0]
    forged = dataclasses.replace(
        guess, seeds=tuple(s if s in redacted.seeds else stolen for s in guess.seeds)
    )
    _refused(case, forged)


def _salted(salt: bytes, unit: str) -> bytes:
    return hashlib.sha256(b"casefile:text-leaf:v2\x00" + salt + unit.encode()).digest()


def _node(*children: bytes) -> bytes:
    return hashlib.sha256(b"casefile:text-node:v2\x00" + b"".join(children)).digest()


def test_salt_reused_across_units_is_rejected() -> None:
    # A writer that gives two units one salt, and signs the commitment it gives:
    # equal words would then hash alike, withheld or not. The record verifies;
    # its disclosure, which shows the repeat, does not.
    units = ("one ", "two ", "three ", "four ", "one")
    salts = [hashlib.sha256(b"salt %d" % k).digest() for k in range(4)]
    salts.insert(3, salts[0])  # unit 3 reuses unit 0's salt
    leaves = [_salted(s, u) for s, u in zip(salts, units, strict=True)]
    commitment = text_commitment("text", 5, _node(*leaves))
    case = CaseBuilder(CASE_ID)
    case.add(WORLD.alice, "note.added", {}, texts={"text": "First note."})
    rec = seal_record(
        case_id=CASE_ID,
        seq=2,
        prev=case.head,
        event_type="note.added",
        schema=1,
        time_ns=case.time_ns + 60 * 10**9,
        data={},
        signer=WORLD.bob,
        commitments={"text": commitment},
    )
    case.records.append(rec.raw)
    case.sealed.append(rec)
    # Unit 2 withheld, so the others are revealed leaf by leaf, each with its salt.
    disclosure = TextDisclosure(
        CASE_ID,
        2,
        "text",
        5,
        ((2, 3),),
        (salts[0], salts[1], salts[3], salts[4]),
        (leaves[2],),
        ("one ", "two ", "four ", "one"),
    )
    fault = _refused(case, disclosure)
    assert "salt repeats" in str(fault)
    # Without the repeat, the same construction verifies: the repeat alone is refused.
    assert _verify(case, None).records[1].disclosed == {}


def test_withheld_hash_repeated_is_rejected() -> None:
    case, full = _case()
    redacted = full.redact([ADDRESS, SCAR])
    # The hash of one withheld leaf given for another: a reused salt on equal words.
    hashes = list(redacted.hashes)
    hashes[1] = hashes[0]
    fault = _refused(case, dataclasses.replace(redacted, hashes=tuple(hashes)))
    assert "withheld hash repeats" in str(fault)


def test_disclosure_of_another_records_field_spliced_in_is_rejected() -> None:
    case, _ = _case()
    (first,) = [d for d in case.disclosures if d.seq == 1]
    assert isinstance(first, TextDisclosure)
    spliced = dataclasses.replace(first, seq=2)
    with pytest.raises(DisclosureError) as caught:
        _verify(case, spliced)
    assert caught.value.seq == 2


def test_disclosure_of_another_field_of_the_record_spliced_in_is_rejected() -> None:
    # A record with two texts: the disclosure of one, renamed, cannot open the other.
    case = CaseBuilder(CASE_ID)
    case.add(WORLD.alice, "note.added", {}, texts={"text": "First note."})
    case.add(WORLD.bob, "note.added", {}, texts={"text": TEXT, "summary": TEXT})
    (summary,) = [d for d in case.disclosures if (d.seq, d.name) == (2, "summary")]
    assert isinstance(summary, TextDisclosure)
    others = [d for d in case.disclosures if d.seq == 1]
    with pytest.raises(DisclosureError) as caught:
        verify_case(
            case.records,
            trust=WORLD.trust,
            at=AT,
            disclosures=[*others, dataclasses.replace(summary, name="text")],
            workers=1,
        )
    assert caught.value.seq == 2


def test_disclosure_of_another_case_is_rejected() -> None:
    case, full = _case()
    foreign = dataclasses.replace(full, case_id=uuid.UUID(int=5))
    with pytest.raises(DisclosureError, match="belongs to case"):
        _verify(case, foreign)


def test_withheld_text_has_no_disclosure_and_still_verifies() -> None:
    case, _ = _case()
    verified = _verify(case, None)
    assert "text" not in verified.records[1].disclosed
    assert verified.records[1].commitments["text"]
