"""Timestamp tokens over checkpoints: what is stamped, parsing hostile bytes, trust-store fields."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _casebuilder import CaseBuilder, World
from _tsa import stamp, with_tsa
from casefile.errors import TrustedTimeError, TrustStoreError
from casefile.signing import (
    TimestampAuthorities,
    TrustedTime,
    checkpoint_body,
    dump_trust_store,
    parse_trust_store,
    verify_timestamp,
)


@pytest.fixture(scope="module")
def note() -> str:
    world = World()
    case = CaseBuilder(uuid.UUID(int=7))
    case.add(world.alice)
    return world.checkpoint(case)


@pytest.fixture(scope="module")
def token(local_tsa: Any, note: str) -> bytes:
    return stamp(local_tsa, note)


@pytest.fixture(scope="module")
def authorities(local_tsa: Any) -> TimestampAuthorities:
    return TimestampAuthorities.from_pem([local_tsa.anchor_pem], max_skew_seconds=300)


def test_body_is_the_three_lines_without_signatures(note: str) -> None:
    body = checkpoint_body(note)
    assert body.count(b"\n") == 3
    assert body.endswith(b"\n")
    assert note.startswith(body.decode())
    assert "\u2014" not in body.decode()


def test_cosignature_line_added_later_keeps_the_token_valid(
    token: bytes, note: str, authorities: TimestampAuthorities
) -> None:
    cosigned = (
        note + "\u2014 witness.example AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    )
    first = verify_timestamp(token, note, authorities)
    assert verify_timestamp(token, cosigned, authorities) == first
    assert isinstance(first, TrustedTime)


def test_changed_body_is_another_checkpoint(
    token: bytes, note: str, authorities: TimestampAuthorities
) -> None:
    origin, rest = note.split("\n", 1)
    with pytest.raises(TrustedTimeError, match="stamps another checkpoint"):
        verify_timestamp(token, origin + "x\n" + rest, authorities)


def test_note_without_signature_block_is_refused() -> None:
    with pytest.raises(TrustedTimeError, match="not a signed note"):
        checkpoint_body("origin\n1\nAAAA\n")


def test_oversized_token_is_refused_unread(note: str, authorities: TimestampAuthorities) -> None:
    with pytest.raises(TrustedTimeError, match="larger than"):
        verify_timestamp(b"\x30" * (256 * 1024 + 1), note, authorities)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048))
def test_random_bytes_never_crash_the_token_check(
    data: bytes, note: str, authorities: TimestampAuthorities
) -> None:
    with pytest.raises(TrustedTimeError):
        verify_timestamp(data, note, authorities)


@pytest.mark.filterwarnings("ignore:Parsed a serial number which wasn't positive")
@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_flipped_byte_in_a_token_gives_a_clear_error_or_the_same_time(
    index: int, flip: int, token: bytes, note: str, authorities: TimestampAuthorities
) -> None:
    data = bytearray(token)
    data[index % len(data)] ^= flip
    proven = verify_timestamp(token, note, authorities)
    try:
        again = verify_timestamp(bytes(data), note, authorities)
    except TrustedTimeError:
        return
    # A byte outside what the TSA signed (an unsigned field) may change: the time may not.
    assert again.time == proven.time


# A changed byte may make a certificate's serial number negative, which cryptography still
# reads but warns about: the warning is the input's fault, and the check must still hold.
@pytest.mark.filterwarnings("ignore:Parsed a serial number which wasn't positive")
def test_every_byte_of_a_token_changed_is_refused_or_keeps_its_time(
    token: bytes, note: str, authorities: TimestampAuthorities
) -> None:
    # Exhaustive over positions where the property test above samples: one byte changed to a
    # duplicated certificate extension once escaped as cryptography's DuplicateExtension.
    proven = verify_timestamp(token, note, authorities)
    for index in range(len(token)):
        for flip in (0x01, 0xFF):
            data = bytearray(token)
            data[index] ^= flip
            try:
                again = verify_timestamp(bytes(data), note, authorities)
            except TrustedTimeError:
                continue
            assert again.time == proven.time, (index, flip)


# --- the trust store's timestamping field (docs/FORMAT.md §7.1.4) ------------


def _document(timestamping: Any) -> str:
    doc = json.loads(dump_trust_store(World().trust))
    doc["timestamping"] = timestamping
    return json.dumps(doc)


def test_trust_store_round_trips_its_tsa_anchors(local_tsa: Any) -> None:
    store = with_tsa(World().trust, local_tsa, skew=120, required=True)
    text = dump_trust_store(store)
    again = parse_trust_store(text)
    assert again == store
    assert again.timestamping is not None
    assert again.timestamping.max_skew_seconds == 120
    assert dump_trust_store(again) == text


def test_trust_store_without_tsa_field_is_unchanged() -> None:
    text = dump_trust_store(World().trust)
    assert "timestamping" not in text
    assert parse_trust_store(text).timestamping is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"anchors": [], "max_skew_seconds": 1}, "timestamping.anchors: must name at least one"),
        ({"anchors": ["x"], "max_skew_seconds": 1}, "timestamping.anchors[0]: not a PEM"),
        ({"anchors": [1], "max_skew_seconds": 1}, "timestamping.anchors[0]: expected a string"),
        ({"anchors": "x", "max_skew_seconds": 1}, "timestamping.anchors: expected an array"),
        ({"anchors": ["x"]}, "timestamping: missing field 'max_skew_seconds'"),
        ({"anchors": ["x"], "max_skew_seconds": 1, "url": "x"}, "unknown field 'url'"),
        ({"anchors": ["x"], "max_skew_seconds": 1.5}, "max_skew_seconds: expected an integer"),
        ({"anchors": ["x"], "max_skew_seconds": 1, "required": 1}, "required: expected true"),
        ("x", "timestamping: expected a JSON object"),
    ],
)
def test_malformed_tsa_field_is_refused_with_its_place(value: Any, problem: str) -> None:
    with pytest.raises(TrustStoreError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        parse_trust_store(_document(value))


@pytest.mark.parametrize("skew", [-1, 86_401])
def test_skew_out_of_range_is_refused(local_tsa: Any, skew: int) -> None:
    value = {"anchors": [local_tsa.anchor_pem], "max_skew_seconds": skew}
    with pytest.raises(TrustStoreError, match="max_skew_seconds: must lie between 0 and 86400"):
        parse_trust_store(_document(value))


def test_same_anchor_twice_is_refused(local_tsa: Any) -> None:
    value = {"anchors": [local_tsa.anchor_pem] * 2, "max_skew_seconds": 1}
    with pytest.raises(TrustStoreError, match="the same certificate twice"):
        parse_trust_store(_document(value))
