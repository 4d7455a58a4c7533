"""Private keys at rest: sealing under a passphrase, and refusing hostile or damaged files."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.encoding import decode, encode
from casefile.errors import InputError, KeyFileError
from casefile.signing import _keyfile
from casefile.signing._keyfile import (
    KEY_FILE_FORMAT,
    MAX_MEMLIMIT,
    MAX_OPSLIMIT,
    MEMLIMIT_INTERACTIVE,
    MEMLIMIT_MODERATE,
    OPSLIMIT_INTERACTIVE,
    OPSLIMIT_MODERATE,
    armor_private_key,
    dearmor_private_key,
    decrypt_private_key,
    encrypt_private_key,
    load_private_key,
    read_public_key,
)
from casefile.signing._keys import InMemorySigner

SEED = bytes(range(32))
PASSPHRASE = b"correct horse battery staple"
SALT = b"s" * 16
NONCE = b"n" * 24
WRONG = "wrong passphrase or corrupted key file"


@pytest.fixture(scope="module")
def key_file() -> bytes:
    return encrypt_private_key(SEED, PASSPHRASE, salt=SALT, nonce=NONCE)


def _outer(data: bytes) -> dict[str, Any]:
    fields: dict[str, Any] = decode(data)
    return fields


def _fields(data: bytes) -> dict[str, Any]:
    """The header's fields."""
    fields: dict[str, Any] = decode(_outer(data)["header"])
    return fields


def _changed(fields: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not _DROP}


def _with(data: bytes, **changes: Any) -> bytes:
    """The file with header fields changed, re-encoded canonically, and the box kept."""
    return encode({"box": _outer(data)["box"], "header": encode(_changed(_fields(data), changes))})


def _with_outer(data: bytes, **changes: Any) -> bytes:
    return encode(_changed(_outer(data), changes))


_DROP: Any = object()


# --- round trips ------------------------------------------------------------------


def test_key_file_opens_to_the_same_key(key_file: bytes) -> None:
    signer = decrypt_private_key(key_file, PASSPHRASE)
    assert signer.seed == SEED
    assert signer.public_key == InMemorySigner(SEED).public_key
    assert signer.public_key.verify(b"m", signer.sign(b"m"))


def test_key_file_has_the_documented_fields(key_file: bytes) -> None:
    outer = _outer(key_file)
    assert set(outer) == {"box", "header"}
    assert len(outer["box"]) == 48
    fields = _fields(key_file)
    assert set(fields) == {
        "aead", "format", "kdf", "mem", "nonce", "ops", "public_key", "salt", "v"
    }  # fmt: skip
    assert fields["format"] == KEY_FILE_FORMAT
    assert fields["v"] == 2
    assert fields["kdf"] == "argon2id13"
    assert fields["aead"] == "xchacha20poly1305-ietf"
    assert (fields["ops"], fields["mem"]) == (OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE)
    assert fields["salt"] == SALT
    assert fields["nonce"] == NONCE
    assert fields["public_key"] == InMemorySigner(SEED).public_key.raw
    assert SEED not in key_file
    assert encode(fields) == outer["header"]
    assert encode(outer) == key_file


def test_same_inputs_give_the_same_file(key_file: bytes) -> None:
    assert encrypt_private_key(SEED, PASSPHRASE, salt=SALT, nonce=NONCE) == key_file


def test_salt_and_nonce_come_from_the_injected_randomness() -> None:
    drawn: list[int] = []

    def random_bytes(n: int) -> bytes:
        drawn.append(n)
        return bytes([len(drawn)]) * n

    data = encrypt_private_key(SEED, PASSPHRASE, random_bytes=random_bytes)
    assert drawn == [16, 24]
    assert _fields(data)["salt"] == b"\x01" * 16
    assert _fields(data)["nonce"] == b"\x02" * 24
    assert decrypt_private_key(data, PASSPHRASE).seed == SEED


def test_fresh_files_for_one_key_differ() -> None:
    first = encrypt_private_key(SEED, PASSPHRASE)
    second = encrypt_private_key(SEED, PASSPHRASE)
    assert first != second
    assert decrypt_private_key(second, PASSPHRASE).seed == SEED


def test_moderate_cost_is_accepted() -> None:
    data = encrypt_private_key(
        SEED, PASSPHRASE, opslimit=OPSLIMIT_MODERATE, memlimit=MEMLIMIT_MODERATE
    )
    assert (_fields(data)["ops"], _fields(data)["mem"]) == (OPSLIMIT_MODERATE, MEMLIMIT_MODERATE)
    assert decrypt_private_key(data, PASSPHRASE).seed == SEED


@settings(max_examples=5, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    passphrase=st.binary(min_size=1, max_size=64),
    salt=st.binary(min_size=16, max_size=16),
    nonce=st.binary(min_size=24, max_size=24),
)
def test_any_key_round_trips(seed: bytes, passphrase: bytes, salt: bytes, nonce: bytes) -> None:
    data = encrypt_private_key(seed, passphrase, salt=salt, nonce=nonce)
    assert decrypt_private_key(data, passphrase).seed == seed
    assert read_public_key(data) == InMemorySigner(seed).public_key


def test_public_key_is_readable_without_the_passphrase(key_file: bytes) -> None:
    assert read_public_key(key_file) == InMemorySigner(SEED).public_key


# --- wrong passphrase and tampering ---------------------------------------------------


def test_wrong_passphrase_is_rejected(key_file: bytes) -> None:
    with pytest.raises(KeyFileError, match=f"^{WRONG}$"):
        decrypt_private_key(key_file, b"correct horse battery stapler")


def test_empty_passphrase_is_rejected(key_file: bytes) -> None:
    with pytest.raises(KeyFileError, match="passphrase: must be non-empty bytes"):
        decrypt_private_key(key_file, b"")
    with pytest.raises(KeyFileError, match="passphrase: must be non-empty bytes"):
        encrypt_private_key(SEED, b"")
    with pytest.raises(KeyFileError, match="passphrase: must be non-empty bytes"):
        encrypt_private_key(SEED, "text")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        {"salt": b"S" * 16},
        {"nonce": b"N" * 24},
        {"ops": OPSLIMIT_INTERACTIVE + 1},
        {"mem": MEMLIMIT_INTERACTIVE - 1024},
    ],
    ids=["salt", "nonce", "ops", "mem"],
)
def test_tampered_header_is_rejected(key_file: bytes, change: dict[str, Any]) -> None:
    with pytest.raises(KeyFileError, match=f"^{WRONG}$"):
        decrypt_private_key(_with(key_file, **change), PASSPHRASE)


def test_tampered_ciphertext_is_rejected(key_file: bytes) -> None:
    with pytest.raises(KeyFileError, match=f"^{WRONG}$"):
        decrypt_private_key(_with_outer(key_file, box=b"\x00" * 48), PASSPHRASE)


def test_lowered_kdf_memory_is_rejected(key_file: bytes) -> None:
    # A file rewritten to a cheaper KDF would be cheaper to attack if it still opened.
    for mem in (MEMLIMIT_INTERACTIVE // 2, MEMLIMIT_INTERACTIVE - 1024, 8192):
        with pytest.raises(KeyFileError, match=f"^{WRONG}$"):
            decrypt_private_key(_with(key_file, mem=mem), PASSPHRASE)


@pytest.mark.parametrize("extra", [1, 512, 1023, 1025])
def test_kdf_memory_within_one_kibibyte_is_rejected(
    key_file: bytes, no_kdf: None, extra: int
) -> None:
    # libsodium rounds memory down to whole KiB, so these would derive the same key as
    # the file's own setting: such a change must not go unnoticed.
    with pytest.raises(KeyFileError, match=r"mem: .* is not a whole number of KiB"):
        decrypt_private_key(_with(key_file, mem=MEMLIMIT_INTERACTIVE + extra), PASSPHRASE)


def test_relabelled_public_key_is_rejected(key_file: bytes) -> None:
    # Someone could relabel a file so that tools show another officer's key.
    other = InMemorySigner(b"\x07" * 32).public_key.raw
    tampered = _with(key_file, public_key=other)
    assert read_public_key(tampered).raw == other
    with pytest.raises(KeyFileError, match=f"^{WRONG}$"):
        decrypt_private_key(tampered, PASSPHRASE)


def _region(data: bytes, name: str) -> range:
    """Where in the file the header, the box, or any byte lies."""
    outer = _outer(data)
    if name == "anywhere":
        return range(len(data))
    start = data.index(outer[name])
    return range(start, start + len(outer[name]))


@pytest.mark.parametrize("region", ["header", "box", "anywhere"])
@settings(max_examples=25, deadline=None)
@given(st.data())
def test_any_single_bit_flip_is_rejected(key_file: bytes, region: str, data: Any) -> None:
    where = _region(key_file, region)
    bit = data.draw(st.integers(where.start * 8, where.stop * 8 - 1), label="bit")
    flipped = bytearray(key_file)
    flipped[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(KeyFileError):
        decrypt_private_key(bytes(flipped), PASSPHRASE)


# --- hostile files -------------------------------------------------------------


@pytest.fixture
def no_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a passphrase is ever stretched."""

    def refuse(*args: object) -> bytes:
        raise AssertionError("the KDF ran on a file that should have been refused first")

    monkeypatch.setattr(_keyfile, "_derive", refuse)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mem": 2**40}, "mem: 1099511627776 outside"),
        ({"mem": MAX_MEMLIMIT + 1}, "mem: .* outside"),
        ({"mem": 4 * 1024**3}, "mem: .* outside"),
        ({"mem": 0}, "mem: 0 outside"),
        ({"mem": -1}, "mem: -1 outside"),
        ({"mem": "64M"}, "mem: '64M' outside"),
        ({"mem": MEMLIMIT_INTERACTIVE + 1}, "mem: .* not a whole number of KiB"),
        ({"ops": 2**32 - 1}, "ops: 4294967295 outside"),
        ({"ops": MAX_OPSLIMIT + 1}, "ops: .* outside"),
        ({"ops": 0}, "ops: 0 outside"),
        ({"ops": True}, "ops: True outside"),
    ],
    ids=[
        "mem-terabyte",
        "mem-over-cap",
        "mem-4g",
        "mem-zero",
        "mem-negative",
        "mem-text",
        "mem-not-kib",
        "ops-huge",
        "ops-over-cap",
        "ops-zero",
        "ops-bool",
    ],
)
def test_hostile_kdf_limits_are_refused(
    key_file: bytes, no_kdf: None, change: dict[str, Any], message: str
) -> None:
    hostile = _with(key_file, **change)
    started = time.perf_counter()
    with pytest.raises(KeyFileError, match=message):
        decrypt_private_key(hostile, PASSPHRASE)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "other"}, "not a casefile private key file"),
        ({"format": _DROP}, "not a casefile private key file"),
        ({"v": 3}, "v: unsupported key file version 3"),
        ({"v": 1}, "v: unsupported key file version 1"),
        ({"v": True}, "v: unsupported key file version True"),
        ({"kdf": "scrypt"}, "kdf: unsupported key derivation 'scrypt'"),
        ({"aead": "xsalsa20poly1305"}, "aead: unsupported cipher 'xsalsa20poly1305'"),
        ({"extra": 1}, r"header fields: missing \[\], unknown \['extra'\]"),
        ({"salt": _DROP}, r"header fields: missing \['salt'\], unknown \[\]"),
        ({"salt": b"s" * 15}, "salt: expected 16 bytes"),
        ({"salt": "s" * 16}, "salt: expected 16 bytes"),
        ({"nonce": b"n" * 25}, "nonce: expected 24 bytes"),
        ({"public_key": b"p" * 31}, "public_key: expected 32 bytes"),
        ({"public_key": bytes(32)}, "public_key: not a valid Ed25519 public key"),
    ],
    ids=[
        "format",
        "no-format",
        "version",
        "version-1",
        "version-bool",
        "kdf",
        "aead",
        "extra-field",
        "missing-field",
        "salt-short",
        "salt-text",
        "nonce-long",
        "key-short",
        "key-small-order",
    ],
)
def test_malformed_header_is_rejected(
    key_file: bytes, no_kdf: None, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(KeyFileError, match=message):
        decrypt_private_key(_with(key_file, **change), PASSPHRASE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"extra": 1}, r"^fields: missing \[\], unknown \['extra'\]$"),
        ({"box": _DROP}, r"^fields: missing \['box'\], unknown \[\]$"),
        ({"box": b"b" * 49}, "^box: expected 48 bytes$"),
        ({"header": "text"}, "^header: expected bytes$"),
        ({"header": b"\xc1"}, "^header: not a casefile private key header"),
        ({"header": encode([1])}, "^header: not a casefile private key header$"),
        ({"header": encode({"a": 1}) + b"\x00"}, "header: .*trailing bytes"),
    ],
    ids=["extra-field", "missing-box", "box-long", "header-text", "header-garbage",
         "header-array", "header-trailing"],
)  # fmt: skip
def test_malformed_framing_is_rejected(
    key_file: bytes, no_kdf: None, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(KeyFileError, match=message):
        decrypt_private_key(_with_outer(key_file, **change), PASSPHRASE)


def test_non_canonical_header_is_rejected(key_file: bytes, no_kdf: None) -> None:
    # The header is authenticated as stored; a second encoding of the same fields is refused
    # outright rather than left to fail authentication.
    unsorted = msgpack.packb(dict(reversed(_fields(key_file).items())))
    with pytest.raises(KeyFileError, match=r"header: .*not in sorted order"):
        decrypt_private_key(_with_outer(key_file, header=unsorted), PASSPHRASE)


def test_version_1_file_is_refused_by_its_version(no_kdf: None) -> None:
    # The first format left its KDF settings unauthenticated: such a file is named, not opened.
    legacy = encode(
        {
            "box": b"b" * 48,
            "format": KEY_FILE_FORMAT,
            "kdf": "argon2id13",
            "mem": MEMLIMIT_INTERACTIVE,
            "nonce": NONCE,
            "ops": OPSLIMIT_INTERACTIVE,
            "public_key": InMemorySigner(SEED).public_key.raw,
            "salt": SALT,
            "v": 1,
        }
    )
    with pytest.raises(KeyFileError, match=r"^v: unsupported key file version 1 .*version 2"):
        decrypt_private_key(legacy, PASSPHRASE)
    with pytest.raises(KeyFileError, match=r"^v: unsupported key file version 1"):
        read_public_key(legacy)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d + b"\x00", "trailing bytes"),
        (lambda d: d[:-1], "not a casefile private key file"),
        (lambda d: b"", "empty input"),
        (lambda d: d + b"\x00" * 5000, "exceeds the limit"),
        (lambda d: msgpack.packb(dict(reversed(decode(d).items()))), "not in sorted order"),
        (lambda d: encode([1, 2]), "not a casefile private key file"),
        (lambda d: b"\xc1", "not a casefile private key file"),
    ],
    ids=["trailing", "truncated", "empty", "oversized", "unsorted", "array", "garbage"],
)
def test_non_canonical_or_broken_bytes_are_rejected(
    key_file: bytes, no_kdf: None, make: Callable[[bytes], bytes], message: str
) -> None:
    with pytest.raises(KeyFileError, match=message):
        decrypt_private_key(make(key_file), PASSPHRASE)


def test_non_bytes_key_file_is_rejected(no_kdf: None) -> None:
    with pytest.raises(KeyFileError, match="expected bytes, not str"):
        decrypt_private_key("key", PASSPHRASE)  # type: ignore[arg-type]


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_key_file_error(data: bytes) -> None:
    with pytest.raises(KeyFileError):
        decrypt_private_key(data, PASSPHRASE)


def test_key_file_error_is_an_input_error() -> None:
    assert issubclass(KeyFileError, InputError)


# --- what encryption refuses ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"opslimit": OPSLIMIT_INTERACTIVE - 1}, "ops: 1 outside"),
        ({"memlimit": MEMLIMIT_INTERACTIVE - 1}, "mem: .* outside"),
        ({"memlimit": MAX_MEMLIMIT + 1}, "mem: .* outside"),
        ({"memlimit": MEMLIMIT_INTERACTIVE + 1}, "mem: .* not a whole number of KiB"),
        ({"opslimit": MAX_OPSLIMIT + 1}, "ops: .* outside"),
        ({"salt": b"s" * 15}, "salt: must be 16 bytes"),
        ({"nonce": b"n" * 23}, "nonce: must be 24 bytes"),
        ({"random_bytes": lambda n: b"x"}, "salt: must be 16 bytes"),
    ],
    ids=[
        "weak-ops",
        "weak-mem",
        "mem-over-cap",
        "mem-not-kib",
        "ops-over-cap",
        "salt",
        "nonce",
        "random",
    ],
)
def test_encryption_refuses_weak_or_unreadable_settings(
    no_kdf: None, kwargs: dict[str, Any], message: str
) -> None:
    # A cheaper KDF makes a stolen file's passphrase cheap to guess; a dearer
    # one than readers accept makes a file nobody can open.
    with pytest.raises(KeyFileError, match=message):
        encrypt_private_key(SEED, PASSPHRASE, **kwargs)


@pytest.mark.parametrize("seed", [b"", b"\x00" * 31, b"\x00" * 64, "0" * 32])
def test_seed_of_wrong_size_is_refused(no_kdf: None, seed: Any) -> None:
    with pytest.raises(KeyFileError, match="seed: an Ed25519 seed is 32 bytes"):
        encrypt_private_key(seed, PASSPHRASE)


# --- armored text and files ---------------------------------------------------------


def test_armor_round_trips(key_file: bytes) -> None:
    text = armor_private_key(key_file)
    lines = text.splitlines()
    assert lines[0] == "-----BEGIN CASEFILE PRIVATE KEY-----"
    assert lines[-1] == "-----END CASEFILE PRIVATE KEY-----"
    assert all(len(line) <= 64 for line in lines[1:-1])
    assert text.isascii()
    assert dearmor_private_key(text) == key_file
    assert dearmor_private_key(text.replace("\n", "\r\n")) == key_file


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("BEGIN", "START"), "expected -----BEGIN"),
        (lambda t: t.replace("-----END CASEFILE PRIVATE KEY-----\n", ""), "expected -----BEGIN"),
        (lambda t: t.replace("i", "!", 1), "not valid base64"),
        (lambda t: t.replace("\n", "\n\n", 2), "not in the canonical armored form"),
        (lambda t: t.replace("\n", " \n", 2).replace(" \n", "\n", 1), "not valid base64"),
        (lambda t: t * 100, "at most a few kilobytes"),
    ],
    ids=["header", "footer", "alphabet", "blank-line", "trailing-space", "huge"],
)
def test_malformed_armor_is_rejected(
    key_file: bytes, edit: Callable[[str], str], message: str
) -> None:
    with pytest.raises(KeyFileError, match=message):
        dearmor_private_key(edit(armor_private_key(key_file)))


def test_load_reads_binary_and_armored_files(key_file: bytes, tmp_path: Path) -> None:
    binary = tmp_path / "officer.key"
    binary.write_bytes(key_file)
    armored = tmp_path / "officer.key.txt"
    armored.write_text(armor_private_key(key_file), "ascii")
    assert load_private_key(binary, PASSPHRASE).seed == SEED
    assert load_private_key(str(armored), PASSPHRASE).seed == SEED


def test_load_names_the_file_in_errors(key_file: bytes, tmp_path: Path) -> None:
    path = tmp_path / "officer.key"
    path.write_bytes(key_file)
    with pytest.raises(KeyFileError, match=rf"officer\.key: {WRONG}$"):
        load_private_key(path, b"guess")
    with pytest.raises(KeyFileError, match=r"absent\.key: cannot read"):
        load_private_key(tmp_path / "absent.key", PASSPHRASE)


def test_load_does_not_read_a_huge_file_whole(tmp_path: Path, no_kdf: None) -> None:
    path = tmp_path / "huge.key"
    with path.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    with pytest.raises(KeyFileError, match=r"huge\.key: not a casefile private key file"):
        load_private_key(path, PASSPHRASE)


def test_moderate_constants_are_libsodiums() -> None:
    # The documented costs: a change of library defaults should be noticed.
    assert (OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE) == (2, 64 * 1024**2)
    assert (OPSLIMIT_MODERATE, MEMLIMIT_MODERATE) == (3, 256 * 1024**2)
    assert (MAX_OPSLIMIT, MAX_MEMLIMIT) == (4, 256 * 1024**2)
