"""C2SP signed notes: the spec's example, tessera's checkpoints, and attacks on the format."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _vectors import vector_path
from casefile.errors import (
    CasefileError,
    CheckpointSignatureError,
    InputError,
    InvalidPublicKeyError,
    NoteError,
    VerificationError,
)
from casefile.signing._keys import InMemorySigner, PublicKey
from casefile.signing._note import (
    MAX_NOTE_SIZE,
    MAX_SIGNATURES,
    NoteVerifier,
    note_key_id,
    open_note,
    sign_note,
)

# From c2sp.org/signed-note, section "Verifier keys", "Example".
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n"
    "\n"
    "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH"
    "3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def _tessera() -> Path:
    return vector_path("tessera")


def _signer(n: int) -> InMemorySigner:
    return InMemorySigner(bytes([n]) * 32)


def _verifier(name: str, n: int) -> NoteVerifier:
    return NoteVerifier(name, _signer(n).public_key)


def _sig_line(text: str, name: str, signer: InMemorySigner) -> str:
    return sign_note(text, name, signer).split("\n\n")[-1]


# --- the spec's example and tessera's real checkpoints ---------------------------


def test_spec_example_verifies() -> None:
    verifier = NoteVerifier.from_verifier_key(SPEC_VKEY)
    assert verifier.key_id.hex() == "530d903a"
    assert note_key_id("example.com/foo", verifier.public_key).hex() == "530d903a"
    assert verifier.verifier_key == SPEC_VKEY
    opened = open_note(SPEC_NOTE, [verifier])
    assert opened.text == "This is an example message.\n"
    assert opened.signers == ("example.com/foo",)
    assert opened.verifiers == (verifier,)


def test_every_tessera_checkpoint_verifies() -> None:
    folder = _tessera()
    verifier = NoteVerifier.from_verifier_key(
        (folder / "verifier-key.txt").read_text(encoding="utf-8").strip()
    )
    for size in range(16):
        opened = open_note((folder / f"checkpoint.{size}").read_bytes(), [verifier])
        assert opened.text.split("\n")[:2] == ["example.com/log/testdata", str(size)]
        assert opened.signers == ("example.com/log/testdata",)


def test_every_single_byte_alteration_of_a_tessera_checkpoint_is_rejected() -> None:
    folder = _tessera()
    verifier = NoteVerifier.from_verifier_key(
        (folder / "verifier-key.txt").read_text(encoding="utf-8").strip()
    )
    original = (folder / "checkpoint.15").read_bytes()
    accepted = []
    tried = 0
    for pos in range(len(original)):
        old = original[pos]
        replacements = {old ^ 0x01, old ^ 0x20, old ^ 0x80, 0x0A, 0x20, 0x41, 0x2B, 0x00, 0xFF}
        for new in sorted(replacements - {old}):
            altered = original[:pos] + bytes([new]) + original[pos + 1 :]
            tried += 1
            try:
                open_note(altered, [verifier])
            except (NoteError, CheckpointSignatureError):
                continue
            accepted.append((pos, old, new))
    assert accepted == []
    assert tried > 8 * len(original)
    # Deleting or duplicating any byte is rejected too.
    for pos in range(len(original)):
        for altered in (
            original[:pos] + original[pos + 1 :],
            original[:pos] + original[pos : pos + 1] * 2 + original[pos + 1 :],
        ):
            with pytest.raises((NoteError, CheckpointSignatureError)):
                open_note(altered, [verifier])


# --- properties ------------------------------------------------------------------

note_text = st.text(
    st.characters(codec="utf-8", min_codepoint=0x20) | st.just("\n"),
    max_size=200,
).map(lambda s: s + "\n")
key_names = st.text(
    st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"), blacklist_characters="+"),
    min_size=1,
    max_size=30,
).filter(lambda s: not any(ch.isspace() for ch in s))


@given(note_text, key_names)
@settings(max_examples=100)
def test_signed_note_round_trips(text: str, name: str) -> None:
    signer = _signer(1)
    note = sign_note(text, name, signer)
    opened = open_note(note, [NoteVerifier(name, signer.public_key)])
    assert opened.text == text
    assert opened.signers == (name,)
    assert open_note(note.encode("utf-8"), [NoteVerifier(name, signer.public_key)]) == opened


@given(note_text, st.data())
@settings(max_examples=100)
def test_any_changed_byte_of_a_signed_note_is_rejected(text: str, data: st.DataObject) -> None:
    signer = _signer(2)
    note = sign_note(text, "example.org/log", signer).encode("utf-8")
    pos = data.draw(st.integers(0, len(note) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != note[pos]))
    altered = note[:pos] + bytes([new]) + note[pos + 1 :]
    with pytest.raises((NoteError, CheckpointSignatureError)):
        open_note(altered, [NoteVerifier("example.org/log", signer.public_key)])


# --- the signature rules of the spec ----------------------------------------------


def test_errors_sit_in_the_right_families() -> None:
    assert issubclass(NoteError, InputError)
    assert issubclass(CheckpointSignatureError, VerificationError)
    with pytest.raises(CasefileError):
        open_note("not a note\n", [])


def test_unknown_keys_are_ignored() -> None:
    text = "hello\n"
    note = sign_note(text, "a.example", _signer(1))
    note += _sig_line(text, "b.example", _signer(2))
    # Junk from an unknown key is never verified, so it cannot make the note fail.
    note += "\u2014 c.example " + base64.b64encode(b"\x00" * 20).decode() + "\n"
    opened = open_note(note, [_verifier("a.example", 1)])
    assert opened.signers == ("a.example",)


def test_signature_sharing_only_a_name_or_only_an_id_with_a_known_key_is_ignored() -> None:
    text = "hello\n"
    known = _verifier("a.example", 1)
    impostor = sign_note(text, "a.example", _signer(3))  # same name, other key id
    with pytest.raises(CheckpointSignatureError, match="no trusted key"):
        open_note(impostor, [known])
    # Same key id as the known key, under another name.
    forged = base64.b64encode(known.key_id + _signer(3).sign(b"hello\n")).decode()
    with pytest.raises(CheckpointSignatureError, match="no trusted key"):
        open_note(f"{text}\n\u2014 b.example {forged}\n", [known])


def test_a_failing_signature_by_a_known_key_rejects_the_whole_note() -> None:
    text = "hello\n"
    note = sign_note(text, "a.example", _signer(1))
    bad = base64.b64encode(_verifier("b.example", 2).key_id + b"\x00" * 64).decode()
    note += f"\u2014 b.example {bad}\n"
    with pytest.raises(CheckpointSignatureError, match=r"b\.example"):
        open_note(note, [_verifier("a.example", 1), _verifier("b.example", 2)])
    # The same note passes for someone who trusts only a.example.
    assert open_note(note, [_verifier("a.example", 1)]).signers == ("a.example",)


def test_a_repeated_line_by_a_known_key_is_verified_too() -> None:
    text = "hello\n"
    note = sign_note(text, "a.example", _signer(1))
    verifier = _verifier("a.example", 1)
    assert open_note(note + _sig_line(text, "a.example", _signer(1)), [verifier]).signers == (
        "a.example",
    )
    bad = base64.b64encode(verifier.key_id + b"\x01" * 64).decode()
    with pytest.raises(CheckpointSignatureError):
        open_note(note + f"\u2014 a.example {bad}\n", [verifier])


def test_note_signed_by_no_trusted_key_is_rejected() -> None:
    note = sign_note("hello\n", "a.example", _signer(1))
    with pytest.raises(CheckpointSignatureError, match="no trusted key"):
        open_note(note, [])


def test_signature_over_another_text_is_rejected() -> None:
    line = _sig_line("hello\n", "a.example", _signer(1))
    with pytest.raises(CheckpointSignatureError, match="does not verify"):
        open_note("hullo\n\n" + line, [_verifier("a.example", 1)])


def test_sixteen_signatures_are_accepted() -> None:
    text = "many witnesses\n"
    note = sign_note(text, "k0.example", _signer(1))
    for n in range(1, 16):
        note += _sig_line(text, f"k{n}.example", _signer(n + 1))
    verifiers = [_verifier(f"k{n}.example", n + 1) for n in range(16)]
    assert len(open_note(note, verifiers).signers) == 16


def test_too_many_signature_lines_are_refused_before_verifying() -> None:
    text = "flood\n"
    junk = "\u2014 x.example " + base64.b64encode(b"\x00" * 68).decode() + "\n"
    note = sign_note(text, "a.example", _signer(1)) + junk * MAX_SIGNATURES
    with pytest.raises(NoteError, match="signature lines"):
        open_note(note, [_verifier("a.example", 1)])


def test_oversized_note_is_refused() -> None:
    text = "x" * MAX_NOTE_SIZE + "\n"
    with pytest.raises(NoteError, match="exceeds"):
        open_note(text + "\n\u2014 a.example AAAAAAA=\n", [])
    with pytest.raises(NoteError, match="exceeds"):
        open_note((text + "\n\u2014 a.example AAAAAAA=\n").encode(), [])
    with pytest.raises(NoteError, match="exceed"):
        sign_note(text, "a.example", _signer(1))
    # The largest text that still signs gives a note that opens.
    name = "a.example"
    largest = "x" * (MAX_NOTE_SIZE - 1 - 4 - len(name) - 1 - 92 - 1 - 1) + "\n"
    note = sign_note(largest, name, _signer(1))
    assert len(note.encode()) == MAX_NOTE_SIZE
    assert open_note(note, [_verifier(name, 1)]).text == largest
    with pytest.raises(NoteError, match="exceed"):
        sign_note("x" + largest, name, _signer(1))


class _WrongKeySigner:
    """Reports one key but signs with another, like a misconfigured KMS."""

    public_key = _signer(1).public_key

    def sign(self, message: bytes) -> bytes:
        return _signer(2).sign(message)


def test_signer_with_the_wrong_key_is_caught_when_signing() -> None:
    with pytest.raises(CheckpointSignatureError, match="fails"):
        sign_note("hello\n", "a.example", _WrongKeySigner())


# --- malformed notes ---------------------------------------------------------------


def _good() -> str:
    return sign_note("line one\n\nline three\n", "a.example", _signer(1))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda n: n.replace("line one", "line\tone"), "control character"),
        (lambda n: n.replace("line one", "line\rone"), "control character"),
        (lambda n: n.replace("\n\n\u2014", "\n\u2014"), "signature line"),
        (lambda n: n[:-1], "newline-terminated"),
        (lambda n: n.split("\n\n\u2014")[0] + "\n\n", "newline-terminated"),
        (lambda n: n.replace("\u2014 ", "- "), "em dash"),
        (lambda n: n.replace("\u2014 a.example ", "\u2014 a.example  "), "base64"),
        (lambda n: n.replace("\u2014 a.example ", "\u2014 a+b.example "), "'\\+'"),
        (lambda n: n.replace("\u2014 a.example ", "\u2014 a\u00a0b.example "), "space"),
        (lambda n: n.replace("\u2014 a.example ", "\u2014  "), "non-empty"),
        (lambda n: n.rstrip("\n").rsplit(" ", 1)[0] + "\n", "no signature"),
        (lambda n: n.replace("=\n", "\n"), "base64"),
        (lambda n: n.rsplit(" ", 1)[0] + " AAAAAA==\n", "too short"),
        (lambda n: n.rsplit(" ", 1)[0] + " \U0001f600\n", "base64"),
        (lambda n: "no blank line\n\u2014 a.example AAAAAAA=\n", "no blank line"),
    ],
)
def test_malformed_note_is_refused(mutate: object, message: str) -> None:
    note = mutate(_good())  # type: ignore[operator]
    with pytest.raises(NoteError, match=message):
        open_note(note, [_verifier("a.example", 1)])


def test_non_canonical_base64_padding_bits_are_refused() -> None:
    # A signature of 68 bytes leaves 4 unused bits before "="; setting them must not verify.
    note = _good()
    head, encoded = note.rstrip("\n").rsplit(" ", 1)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(encoded[-2])
    twin = encoded[:-2] + alphabet[last ^ 1] + "="
    assert base64.b64decode(twin) == base64.b64decode(encoded)
    with pytest.raises(NoteError, match="canonical"):
        open_note(f"{head} {twin}\n", [_verifier("a.example", 1)])


def test_invalid_utf8_is_refused() -> None:
    note = _good().encode("utf-8").replace(b"line one", b"line \xff")
    with pytest.raises(NoteError, match="UTF-8"):
        open_note(note, [_verifier("a.example", 1)])


def test_lone_surrogate_in_str_note_is_refused() -> None:
    with pytest.raises(NoteError, match="UTF-8"):
        open_note(_good().replace("one", "\ud800"), [_verifier("a.example", 1)])


def test_text_with_blank_lines_splits_at_the_last_one() -> None:
    opened = open_note(_good(), [_verifier("a.example", 1)])
    assert opened.text == "line one\n\nline three\n"


# --- signing and verifier keys -------------------------------------------------------


@pytest.mark.parametrize("text", ["no newline", "", "tab\there\n", "cr\r\n", "\ud800\n"])
def test_sign_refuses_text_a_verifier_would_refuse(text: str) -> None:
    with pytest.raises(NoteError):
        sign_note(text, "a.example", _signer(1))


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u2003b", "a\nb", "a\ud800b"])
def test_invalid_key_names_are_refused(name: str) -> None:
    with pytest.raises(NoteError):
        sign_note("hi\n", name, _signer(1))
    with pytest.raises(NoteError):
        NoteVerifier(name, _signer(1).public_key)


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("example.com/foo+530d903a", "three"),
        ("example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "hex"),
        ("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "match"),
        ("example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "match"),
        ("example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "Ed25519"),
        ("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2", "base64"),
        ("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2kAA==", "32"),
        ("exa mple+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "space"),
    ],
)
def test_malformed_verifier_key_is_refused(vkey: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        NoteVerifier.from_verifier_key(vkey)


def test_small_order_verifier_key_is_refused() -> None:
    # The identity point: a key under which "anyone" could sign.
    identity = b"\x01" + b"\x00" * 31
    key_id = b"\x00\x00\x00\x00"
    material = base64.b64encode(b"\x01" + identity).decode()
    vkey = f"bad.example+{key_id.hex()}+{material}"
    with pytest.raises(InvalidPublicKeyError):
        NoteVerifier.from_verifier_key(vkey)


@given(key_names, st.integers(1, 255))
@settings(max_examples=50)
def test_verifier_key_text_round_trips(name: str, seed: int) -> None:
    verifier = NoteVerifier(name, _signer(seed).public_key)
    assert NoteVerifier.from_verifier_key(verifier.verifier_key) == verifier


def test_note_key_id_binds_name_and_key() -> None:
    key: PublicKey = _signer(1).public_key
    assert note_key_id("a.example", key) != note_key_id("b.example", key)
    assert note_key_id("a.example", key) != note_key_id("a.example", _signer(2).public_key)
    assert len(note_key_id("a.example", key)) == 4
