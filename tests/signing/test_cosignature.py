"""C2SP tlog-cosignature/v1 (Ed25519): the spec's example, round trips, and forgeries."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.errors import CosignatureError, NoteError
from casefile.signing._checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from casefile.signing._cosignature import (
    MAX_COSIGNATURE_TIME,
    Cosignature,
    append_cosignatures,
    cosign_checkpoint,
    cosignature_key_id,
    cosignature_message,
    parse_cosignature,
    verify_cosignature,
)
from casefile.signing._keys import InMemorySigner
from casefile.signing._note import NoteVerifier, split_note

# c2sp.org/tlog-cosignature, "Format": the example checkpoint and its witness line.
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_LINE = (
    "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dl"
    "rDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
)
# "Ed25519 signed message": the example message the spec prints for that time.
SPEC_MESSAGE = "cosignature/v1\ntime 1679315147\n" + SPEC_BODY

LOG = InMemorySigner(bytes([1]) * 32)
CPS = InMemorySigner(bytes([2]) * 32)
OTHER = InMemorySigner(bytes([3]) * 32)
ROOT = hashlib.sha256(b"root").digest()
BODY = Checkpoint("casefile.example.police.uk/4f0c2a1e-8a3b-4c55-9a57-0b1f2c3d4e5f", 7, ROOT).body()
T = 1_780_000_000


def test_spec_example_line_parses_to_its_key_id_and_time() -> None:
    cosignature = parse_cosignature(SPEC_LINE)
    assert cosignature.name == "witness.example.com/w1"
    assert cosignature.key_id == bytes.fromhex("8d66cf3f")
    assert cosignature.timestamp == 1679315147
    assert cosignature.line == SPEC_LINE


def test_spec_example_message_is_built_exactly() -> None:
    assert cosignature_message(SPEC_BODY, 1679315147) == SPEC_MESSAGE.encode()


def test_key_id_is_of_signature_type_four() -> None:
    expected = hashlib.sha256(b"cps.example/receipts\n\x04" + CPS.public_key.raw).digest()[:4]
    assert cosignature_key_id("cps.example/receipts", CPS.public_key) == expected
    # Never the 0x01 note key id of the same name and key.
    assert expected != NoteVerifier("cps.example/receipts", CPS.public_key).key_id


def test_cosignature_verifies_and_round_trips() -> None:
    made = cosign_checkpoint(BODY, "cps.example/receipts", CPS, T)
    again = parse_cosignature(made.line + "\n")
    assert again == made
    verify_cosignature(again, BODY, CPS.public_key)


def test_forged_cosignature_is_refused() -> None:
    made = cosign_checkpoint(BODY, "cps.example/receipts", OTHER, T)
    forged = Cosignature(
        made.name, cosignature_key_id(made.name, CPS.public_key), T, made.signature
    )
    with pytest.raises(CosignatureError, match="does not verify"):
        verify_cosignature(forged, BODY, CPS.public_key)


def test_cosignature_of_another_key_under_the_name_is_refused_by_key_id() -> None:
    made = cosign_checkpoint(BODY, "cps.example/receipts", OTHER, T)
    with pytest.raises(CosignatureError, match="key id"):
        verify_cosignature(made, BODY, CPS.public_key)


def test_replayed_cosignature_over_another_checkpoint_is_refused() -> None:
    made = cosign_checkpoint(BODY, "cps.example/receipts", CPS, T)
    longer = Checkpoint(
        "casefile.example.police.uk/4f0c2a1e-8a3b-4c55-9a57-0b1f2c3d4e5f", 8, ROOT
    ).body()
    with pytest.raises(CosignatureError):
        verify_cosignature(made, longer, CPS.public_key)


def test_replayed_cosignature_over_another_origin_is_refused() -> None:
    made = cosign_checkpoint(BODY, "cps.example/receipts", CPS, T)
    other = Checkpoint("casefile.example.police.uk/00000000-0000-4000-8000-000000000000", 7, ROOT)
    with pytest.raises(CosignatureError):
        verify_cosignature(made, other.body(), CPS.public_key)


def test_note_signature_is_not_a_cosignature() -> None:
    # A plain 0x01 note signature over the body is neither framed nor keyed as a cosignature.
    note = sign_checkpoint(_cp(), "log.example/cp", LOG)
    line = note.split("\n\n")[-1].rstrip("\n")
    with pytest.raises(NoteError, match="not 76"):
        parse_cosignature(line)


def _cp() -> Checkpoint:
    return Checkpoint("casefile.example.police.uk/4f0c2a1e-8a3b-4c55-9a57-0b1f2c3d4e5f", 7, ROOT)


def test_appended_cosignatures_leave_the_log_signature_valid() -> None:
    note = sign_checkpoint(_cp(), "log.example/cp", LOG)
    cosignature = cosign_checkpoint(BODY, "cps.example/receipts", CPS, T)
    cosigned = append_cosignatures(note, (cosignature, cosignature))
    assert cosigned == note + cosignature.line + "\n"
    checkpoint, signers = open_checkpoint(
        cosigned, [NoteVerifier("log.example/cp", LOG.public_key)]
    )
    assert checkpoint == _cp()
    assert signers == ("log.example/cp",)
    text, lines = split_note(cosigned)
    assert text == BODY
    assert [s.name for s in lines] == ["log.example/cp", "cps.example/receipts"]
    assert append_cosignatures(cosigned, (cosignature,)) == cosigned


def test_time_beyond_two_to_the_sixty_three_is_refused() -> None:
    payload = bytes(4) + (2**63).to_bytes(8, "big") + bytes(64)
    line = "\u2014 w.example/w " + base64.b64encode(payload).decode()
    with pytest.raises(NoteError, match="exceeds"):
        parse_cosignature(line)
    with pytest.raises(NoteError):
        cosignature_message(BODY, MAX_COSIGNATURE_TIME + 1)
    with pytest.raises(NoteError):
        cosignature_message(BODY, -1)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "w.example/w AAAA",
        "\u2014 w.example/w",
        "\u2014 w.example/w " + base64.b64encode(bytes(75)).decode(),
        "\u2014 w.example/w " + base64.b64encode(bytes(77)).decode(),
        "\u2014 w.example/w " + base64.b64encode(bytes(76)).decode().rstrip("="),
        "\u2014 w example/w " + base64.b64encode(bytes(76)).decode(),
        "\u2014 w.example/w " + base64.b64encode(bytes(76)).decode() + "\n\u2014 x",
    ],
)
def test_malformed_cosignature_line_is_refused(line: str) -> None:
    with pytest.raises(NoteError):
        parse_cosignature(line)


_names = st.from_regex(r"[a-z0-9.]{1,20}/[a-z0-9]{1,10}", fullmatch=True)
_times = st.integers(min_value=0, max_value=MAX_COSIGNATURE_TIME)


@settings(max_examples=40, deadline=None)
@given(
    name=_names,
    timestamp=_times,
    size=st.integers(0, 2**40),
    root=st.binary(min_size=32, max_size=32),
)
def test_round_trip_holds(name: str, timestamp: int, size: int, root: bytes) -> None:
    body = Checkpoint("casefile.example/4f0c2a1e-8a3b-4c55-9a57-0b1f2c3d4e5f", size, root).body()
    made = cosign_checkpoint(body, name, CPS, timestamp)
    parsed = parse_cosignature(made.line)
    assert parsed == made
    verify_cosignature(parsed, body, CPS.public_key)


@settings(max_examples=60, deadline=None)
@given(
    timestamp=_times,
    change=st.sampled_from(["body", "time", "name", "signature"]),
    position=st.integers(0, 10_000),
    flip=st.integers(1, 255),
)
def test_any_change_to_body_time_name_or_signature_fails(
    timestamp: int, change: str, position: int, flip: int
) -> None:
    made = cosign_checkpoint(BODY, "cps.example/receipts", CPS, timestamp)
    body, cosignature = BODY, made
    if change == "body":
        raw = bytearray(BODY.encode())
        raw[position % (len(raw) - 1)] ^= flip & 0x3F or 1  # stays ASCII
        body = raw.decode()
        if not body.endswith("\n"):
            body += "\n"
    elif change == "time":
        other = timestamp ^ (1 << (position % 63))
        cosignature = Cosignature(made.name, made.key_id, other, made.signature)
    elif change == "name":
        cosignature = Cosignature(made.name + "x", made.key_id, made.timestamp, made.signature)
    else:
        raw_sig = bytearray(made.signature)
        raw_sig[position % len(raw_sig)] ^= flip
        cosignature = Cosignature(made.name, made.key_id, made.timestamp, bytes(raw_sig))
    with pytest.raises((CosignatureError, NoteError)):
        verify_cosignature(cosignature, body, CPS.public_key)
