"""Private key files as docs/FORMAT.md §11 specifies them, checked from outside the library.

The reader and writer here follow the specification alone, with msgpack and libsodium's
primitives (Argon2id, XChaCha20-Poly1305, Ed25519 key derivation) and none of casefile's
code, as another tool would: files the library writes must open with them, files they
write must open with the library, and the specification's worked example must be exact.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgpack
import nacl.bindings as sodium
import nacl.exceptions
import pytest

from casefile.errors import KeyFileError
from casefile.signing import decrypt_private_key, encrypt_private_key, read_public_key

SEED = bytes(range(32))
PASSPHRASE = b"correct horse battery staple"
SALT = b"s" * 16
NONCE = b"n" * 24
# The lowest cost a reader accepts (§11.5, K4): cheap enough to try every bit of a file.
CHEAP_OPS, CHEAP_MEM = 1, 8192

# The worked example of §11.9.
EXAMPLE_KEY = "37ab21afed4586ff429688d59cd55ec352c315b900ef870d2506d7d12260c698"
EXAMPLE_FILE = (
    "82a3626f78c430ec4ecb08f3006bc2277aa7573206be16093c18c1d268e3b43c6cfcc4f92157409f470d49bc9a"
    "3ea1edd67dbfbf2a4f52a6686561646572c4bd89a461656164b6786368616368613230706f6c79313330352d69"
    "657466a6666f726d6174b46361736566696c652d707269766174652d6b6579a36b6466aa6172676f6e32696431"
    "33a36d656dce04000000a56e6f6e6365c4186e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6ea36f70"
    "7302aa7075626c69635f6b6579c42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc86641255"
    "31b8a473616c74c41073737373737373737373737373737373a17602"
)


class SpecError(Exception):
    """The independent reader refused a file."""


def _canonical(value: dict[str, Any]) -> bytes:
    # §1 for the flat maps of §11: sorted text keys; msgpack already writes shortest forms.
    return msgpack.packb({k: value[k] for k in sorted(value)}, use_bin_type=True)


def _strict_map(data: bytes) -> dict[str, Any]:
    try:
        value = msgpack.unpackb(data, raw=False, strict_map_key=True)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise SpecError(f"not msgpack: {exc}") from None
    if type(value) is not dict or _canonical(value) != data:
        raise SpecError("not the canonical encoding of a map")
    return value


def _argon2id(passphrase: bytes, salt: bytes, ops: int, mem: int) -> bytes:
    # §11.2: Argon2id v1.3, t = ops, m = mem / 1024 KiB, p = 1, 32-byte tag.
    alg = sodium.crypto_pwhash_ALG_ARGON2ID13
    return bytes(sodium.crypto_pwhash_alg(32, passphrase, salt, ops, mem, alg))


def spec_write(
    seed: bytes,
    passphrase: bytes,
    *,
    ops: int,
    mem: int,
    salt: bytes = SALT,
    nonce: bytes = NONCE,
    public_key: bytes | None = None,
) -> bytes:
    """§11.1-§11.4; ``public_key`` may name another key, as a mislabelled file would."""
    if public_key is None:
        public_key, _ = sodium.crypto_sign_seed_keypair(seed)
    header = _canonical(
        {
            "aead": "xchacha20poly1305-ietf",
            "format": "casefile-private-key",
            "kdf": "argon2id13",
            "mem": mem,
            "nonce": nonce,
            "ops": ops,
            "public_key": public_key,
            "salt": salt,
            "v": 2,
        }
    )
    key = _argon2id(passphrase, salt, ops, mem)
    box = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(seed, header, nonce, key)
    return _canonical({"box": box, "header": header})


def spec_read(data: bytes, passphrase: bytes) -> bytes:
    """§11.5, steps K1-K8; returns the seed or raises SpecError."""
    if len(data) > 4096:  # K1
        raise SpecError("too large")
    outer = _strict_map(data)
    if set(outer) != {"box", "header"}:  # K2
        raise SpecError("fields")
    header, box = outer["header"], outer["box"]
    if type(header) is not bytes or type(box) is not bytes or len(box) != 48:
        raise SpecError("framing")
    fields = _strict_map(header)  # K3
    expected = {
        "aead": "xchacha20poly1305-ietf",
        "format": "casefile-private-key",
        "kdf": "argon2id13",
        "v": 2,
    }
    if set(fields) != {*expected, "mem", "nonce", "ops", "public_key", "salt"}:
        raise SpecError("header fields")
    if any(type(fields[k]) is not type(v) or fields[k] != v for k, v in expected.items()):
        raise SpecError("format, version or algorithms")
    ops, mem = fields["ops"], fields["mem"]  # K4, before any work
    if type(ops) is not int or not 1 <= ops <= 4:
        raise SpecError("ops")
    if type(mem) is not int or not 8192 <= mem <= 256 * 1024 * 1024 or mem % 1024:
        raise SpecError("mem")
    salt, nonce, claimed = fields["salt"], fields["nonce"], fields["public_key"]  # K5
    sizes = ((salt, 16), (nonce, 24), (claimed, 32))
    if any(type(v) is not bytes or len(v) != n for v, n in sizes):
        raise SpecError("sizes")
    if not sodium.crypto_core_ed25519_is_valid_point(claimed):
        raise SpecError("public_key")
    key = _argon2id(passphrase, salt, ops, mem)  # K6
    try:
        seed = bytes(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(box, header, nonce, key))
    except nacl.exceptions.CryptoError:  # K7
        raise SpecError("wrong passphrase or corrupted key file") from None
    if sodium.crypto_sign_seed_keypair(seed)[0] != claimed:  # K8
        raise SpecError("public_key does not match")
    return seed


@pytest.fixture(scope="module")
def cheap_file() -> bytes:
    return spec_write(SEED, PASSPHRASE, ops=CHEAP_OPS, mem=CHEAP_MEM)


def test_independent_reader_opens_a_file_the_library_wrote() -> None:
    data = encrypt_private_key(SEED, PASSPHRASE)
    assert spec_read(data, PASSPHRASE) == SEED
    with pytest.raises(SpecError, match="wrong passphrase"):
        spec_read(data, b"guess")


def test_library_opens_a_file_an_independent_writer_wrote(cheap_file: bytes) -> None:
    assert decrypt_private_key(cheap_file, PASSPHRASE).seed == SEED
    assert read_public_key(cheap_file).raw == sodium.crypto_sign_seed_keypair(SEED)[0]


def test_specification_example_is_exact() -> None:
    example = bytes.fromhex(EXAMPLE_FILE)
    assert _argon2id(PASSPHRASE, SALT, 2, 64 * 1024 * 1024).hex() == EXAMPLE_KEY
    assert spec_write(SEED, PASSPHRASE, ops=2, mem=64 * 1024 * 1024) == example
    assert encrypt_private_key(SEED, PASSPHRASE, salt=SALT, nonce=NONCE) == example
    assert decrypt_private_key(example, PASSPHRASE).seed == SEED


def test_every_bit_of_a_key_file_is_authenticated(cheap_file: bytes) -> None:
    # Header bytes included: format, version, algorithm names, both costs, salt, nonce and
    # public key. The trial found low bits of the memory cost that could be flipped unseen.
    opened = []
    for bit in range(len(cheap_file) * 8):
        flipped = bytearray(cheap_file)
        flipped[bit // 8] ^= 1 << (bit % 8)
        try:
            decrypt_private_key(bytes(flipped), PASSPHRASE)
        except KeyFileError:
            continue
        opened.append(f"byte {bit // 8} bit {bit % 8}")
    assert opened == []


def test_every_bit_of_a_key_file_is_refused_by_the_independent_reader(cheap_file: bytes) -> None:
    for bit in range(len(cheap_file) * 8):
        flipped = bytearray(cheap_file)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(SpecError):
            spec_read(bytes(flipped), PASSPHRASE)


def test_mislabelled_file_sealed_with_the_passphrase_is_rejected() -> None:
    # Whoever knows the passphrase can seal a header naming another officer's key (K8).
    other = sodium.crypto_sign_seed_keypair(b"\x07" * 32)[0]
    data = spec_write(SEED, PASSPHRASE, ops=CHEAP_OPS, mem=CHEAP_MEM, public_key=other)
    assert read_public_key(data).raw == other
    with pytest.raises(KeyFileError, match="public_key: does not match the private key"):
        decrypt_private_key(data, PASSPHRASE)
    with pytest.raises(SpecError, match="public_key does not match"):
        spec_read(data, PASSPHRASE)


def test_specification_shows_the_example_file() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "FORMAT.md").read_text("utf-8")
    example = text[text.index("### 11.9 Example") :]
    blocks = re.findall(r"\n\n((?:    [0-9a-z<>]+\n)+)", example)
    header, box, file = ("".join(block.split()) for block in blocks[1:4])
    assert "".join(blocks[0].split()) == EXAMPLE_KEY
    assert file.replace("<header>", header) == EXAMPLE_FILE
    assert box in EXAMPLE_FILE
