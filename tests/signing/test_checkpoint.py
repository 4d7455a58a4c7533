"""C2SP checkpoints and tlog proofs: strict parsing, signing, and offline proof checks."""

from __future__ import annotations

import base64
import re
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _vectors import vector_path
from casefile.errors import CheckpointSignatureError, NoteError, ProofError
from casefile.signing._checkpoint import (
    MAX_TREE_SIZE,
    Checkpoint,
    TlogProof,
    case_of_checkpoint,
    case_origin,
    format_tlog_proof,
    open_checkpoint,
    parse_checkpoint_body,
    parse_tlog_proof,
    sign_checkpoint,
    verify_tlog_proof,
)
from casefile.signing._keys import InMemorySigner
from casefile.signing._merkle import EMPTY_ROOT, inclusion_proof, leaf_hash, merkle_root
from casefile.signing._note import NoteVerifier, sign_note

ORIGIN = "casefile.example.police.uk/4f0c2a1e-8a3b-4c55-9a57-0b1f2c3d4e5f"
ROOT = bytes(range(32))
ROOT_B64 = base64.b64encode(ROOT).decode()
SIGNER = InMemorySigner(b"\x07" * 32)
VERIFIER = NoteVerifier("log.example", SIGNER.public_key)


def _tessera() -> Path:
    return vector_path("tessera")


# --- checkpoints ------------------------------------------------------------------


def test_body_is_exactly_three_lines() -> None:
    assert Checkpoint(ORIGIN, 42, ROOT).body() == f"{ORIGIN}\n42\n{ROOT_B64}\n"


def test_tessera_checkpoints_open_with_their_sizes() -> None:
    folder = _tessera()
    verifier = NoteVerifier.from_verifier_key(
        (folder / "verifier-key.txt").read_text(encoding="utf-8").strip()
    )
    for size in range(16):
        note = (folder / f"checkpoint.{size}").read_text(encoding="utf-8")
        checkpoint, signers = open_checkpoint(note, [verifier])
        assert checkpoint.origin == "example.com/log/testdata"
        assert checkpoint.size == size
        assert checkpoint.extensions == ()
        assert signers == ("example.com/log/testdata",)
        # Re-serialising gives back the signed text byte for byte.
        assert note.startswith(checkpoint.body() + "\n")
        if size == 0:
            assert checkpoint.root == EMPTY_ROOT


origins = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
extension_lines = st.lists(origins, max_size=3).map(tuple)


@given(origins, st.integers(0, MAX_TREE_SIZE), st.binary(min_size=32, max_size=32), extension_lines)
@settings(max_examples=150)
def test_body_round_trips(origin: str, size: int, root: bytes, extensions: tuple[str, ...]) -> None:
    checkpoint = Checkpoint(origin, size, root, extensions)
    assert parse_checkpoint_body(checkpoint.body()) == checkpoint


@given(origins, st.integers(0, 2**40), st.binary(min_size=32, max_size=32))
@settings(max_examples=30)
def test_signed_checkpoint_round_trips(origin: str, size: int, root: bytes) -> None:
    checkpoint = Checkpoint(origin, size, root)
    note = sign_checkpoint(checkpoint, "log.example", SIGNER)
    assert open_checkpoint(note, [VERIFIER]) == (checkpoint, ("log.example",))


def test_checkpoint_from_an_untrusted_key_is_rejected() -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), "log.example", InMemorySigner(b"\x08" * 32))
    with pytest.raises(CheckpointSignatureError):
        open_checkpoint(note, [VERIFIER])


def test_rolled_back_size_breaks_the_signature() -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 10, ROOT), "log.example", SIGNER)
    with pytest.raises(CheckpointSignatureError):
        open_checkpoint(note.replace("\n10\n", "\n9\n", 1), [VERIFIER])


def test_signature_is_checked_before_the_body_is_read() -> None:
    unsigned = f"{ORIGIN}\n007\n{ROOT_B64}\n\n\u2014 log.example AAAAAAA=\n"
    with pytest.raises(CheckpointSignatureError):
        open_checkpoint(unsigned, [VERIFIER])
    # A trusted key that signs a malformed body still yields a format error.
    signed = sign_note(f"{ORIGIN}\n007\n{ROOT_B64}\n", "log.example", SIGNER)
    with pytest.raises(NoteError, match="leading zeros"):
        open_checkpoint(signed, [VERIFIER])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"{ORIGIN}\n1\n{ROOT_B64}", "end in a newline"),
        (f"{ORIGIN}\n1\n", "at least 3"),
        (f"\n1\n{ROOT_B64}\n", "origin is empty"),
        (f"{ORIGIN}\n01\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n+1\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n-1\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n 1\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n1_0\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n\u0661\n{ROOT_B64}\n", "leading zeros"),  # Arabic-Indic digit one
        (f"{ORIGIN}\n\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n{2**63}\n{ROOT_B64}\n", "exceeds"),
        (f"{ORIGIN}\n{'9' * 5000}\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n1\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes"),
        (f"{ORIGIN}\n1\n{base64.b64encode(ROOT + b'x').decode()}\n", "33 bytes"),
        (f"{ORIGIN}\n1\n{ROOT_B64.rstrip('=')}\n", "base64"),
        (f"{ORIGIN}\n1\n{ROOT_B64[:-2]}B=\n", "canonical"),
        (f"{ORIGIN}\n1\n {ROOT_B64}\n", "base64"),
        (f"{ORIGIN}\n1\n{ROOT_B64}\n\n", "extension line 1 is empty"),
        (f"{ORIGIN}\n1\n{ROOT_B64}\next\n\nmore\n", "extension line 2 is empty"),
        (f"{ORIGIN}\x00\n1\n{ROOT_B64}\n", "control character"),
    ],
)
def test_malformed_checkpoint_body_is_refused(body: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        parse_checkpoint_body(body)


def test_extension_lines_are_kept_and_signed() -> None:
    checkpoint = parse_checkpoint_body(f"{ORIGIN}\n3\n{ROOT_B64}\nfirst ext\nsecond\n")
    assert checkpoint.extensions == ("first ext", "second")
    note = sign_checkpoint(checkpoint, "log.example", SIGNER)
    assert open_checkpoint(note, [VERIFIER])[0] == checkpoint
    with pytest.raises(CheckpointSignatureError):
        open_checkpoint(note.replace("second", "secund"), [VERIFIER])


@pytest.mark.parametrize(
    "args",
    [("", 1, ROOT), ("a\nb", 1, ROOT), (ORIGIN, -1, ROOT), (ORIGIN, True, ROOT),
     (ORIGIN, 2**63, ROOT), (ORIGIN, 1, ROOT[:31]), (ORIGIN, 1, bytearray(ROOT))],
)  # fmt: skip
def test_invalid_checkpoint_values_are_refused(args: tuple[object, object, object]) -> None:
    with pytest.raises((NoteError, ValueError, TypeError)):
        Checkpoint(*args)  # type: ignore[arg-type]


# --- tlog proofs --------------------------------------------------------------------

LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(11)]


def _proof_for(index: int, extra: bytes | None = None) -> str:
    checkpoint = Checkpoint(ORIGIN, len(LEAVES), merkle_root(LEAVES))
    note = sign_checkpoint(checkpoint, "log.example", SIGNER)
    return format_tlog_proof(index, inclusion_proof(LEAVES, index), note, extra)


@given(st.integers(0, len(LEAVES) - 1), st.none() | st.binary(max_size=64))
@settings(max_examples=50)
def test_tlog_proof_round_trips_and_verifies(index: int, extra: bytes | None) -> None:
    text = _proof_for(index, extra)
    parsed = parse_tlog_proof(text)
    assert parsed.index == index
    assert parsed.extra == extra
    assert parsed.proof == tuple(inclusion_proof(LEAVES, index))
    assert format_tlog_proof(parsed.index, parsed.proof, parsed.checkpoint_note, extra) == text
    assert parse_tlog_proof(text.encode()) == parsed
    checkpoint, signers = verify_tlog_proof(parsed, LEAVES[index], [VERIFIER])
    assert (checkpoint.size, checkpoint.root, signers) == (
        len(LEAVES),
        merkle_root(LEAVES),
        ("log.example",),
    )


def test_tlog_proof_for_another_leaf_is_rejected() -> None:
    parsed = parse_tlog_proof(_proof_for(3))
    with pytest.raises(ProofError):
        verify_tlog_proof(parsed, LEAVES[4], [VERIFIER])
    moved = TlogProof(4, parsed.proof, parsed.checkpoint_note, parsed.extra)
    with pytest.raises(ProofError):
        verify_tlog_proof(moved, LEAVES[3], [VERIFIER])


def test_tlog_proof_with_untrusted_checkpoint_is_rejected() -> None:
    parsed = parse_tlog_proof(_proof_for(3))
    other = NoteVerifier("log.example", InMemorySigner(b"\x09" * 32).public_key)
    with pytest.raises(CheckpointSignatureError):
        verify_tlog_proof(parsed, LEAVES[3], [other])


def test_spec_example_tlog_proof_parses() -> None:
    # From c2sp.org/tlog-proof (signatures elided there, so only the framing is checked).
    text = (
        "c2sp.org/tlog-proof@v1\n"
        "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6\n"
        "index 73894\n"
        "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
        "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
        "\n"
        "example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
        "\n\u2014 example.com/fancylog hI2DJw==\n"
    )
    parsed = parse_tlog_proof(text)
    assert parsed.index == 73894
    assert parsed.extra == b"age-v1.2.1-darwin-arm64.tar.gz"
    assert len(parsed.proof) == 2
    assert parsed.checkpoint_note.startswith("example.com/fancylog\n109482\n")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace("tlog-proof@v1", "tlog-proof@v2"), "start with"),
        (lambda t: t.replace("index 3", "index 03"), "leading zeros"),
        (lambda t: t.replace("index 3", "index  3"), "leading zeros"),
        (lambda t: t.replace("index 3", "idx 3"), "'index' line"),
        (lambda t: t.replace("index 3\n", "index 3\nextra AA==\n"), "base64"),
        (lambda t: t.replace("index 3\n", "index 3\nAAAA\n"), "not 32 bytes"),
        (lambda t: t.split("\n\n")[0] + "\n", "no blank line"),
        (lambda t: t.split("\n\n")[0] + "\n\n", "no checkpoint"),
        (lambda t: t.replace("extra ", "extra  "), "base64"),
        (lambda t: t.replace("index 3\n", "index 3\n" + ("A" * 43 + "=\n") * 70), "more than 64"),
    ],
)
def test_malformed_tlog_proof_is_refused(mutate: object, message: str) -> None:
    text = mutate(_proof_for(3, b"context"))  # type: ignore[operator]
    with pytest.raises(NoteError, match=message):
        parse_tlog_proof(text)


def test_tlog_proof_bytes_must_be_utf8_and_bounded() -> None:
    with pytest.raises(NoteError, match="UTF-8"):
        parse_tlog_proof(b"c2sp.org/tlog-proof@v1\nindex \xff\n")
    with pytest.raises(NoteError, match="exceeds"):
        parse_tlog_proof(b"c2sp.org/tlog-proof@v1\n" + b"A" * (1 << 21))


@given(st.from_regex(r"[a-z0-9]([a-z0-9.-]{0,126}[a-z0-9])?", fullmatch=True), st.uuids())
def test_case_origin_names_exactly_its_case(namespace: str, case_id: uuid.UUID) -> None:
    origin = case_origin(namespace, case_id)
    assert origin == f"{namespace}/{case_id}"
    assert case_of_checkpoint(Checkpoint(origin, 1, ROOT)) == case_id
    body = Checkpoint(origin, 1, ROOT).body()
    assert case_of_checkpoint(parse_checkpoint_body(body)) == case_id


@given(st.text(max_size=40).filter(lambda t: not re.fullmatch(r"[a-z0-9.-]+", t)), st.uuids())
def test_namespace_with_a_character_outside_the_grammar_is_refused(
    namespace: str, case_id: uuid.UUID
) -> None:
    with pytest.raises(NoteError, match="must be 1-128 of"):
        case_origin(namespace, case_id)


def test_generic_checkpoint_with_extension_line_is_not_a_casefile_checkpoint() -> None:
    checkpoint = parse_checkpoint_body(f"{ORIGIN}\n3\n{ROOT_B64}\nextension\n")
    with pytest.raises(NoteError, match="no extension lines, this one has 1"):
        case_of_checkpoint(checkpoint)
