"""Blob names and identities: only exact 32-byte digests ever name a blob."""

from __future__ import annotations

import hashlib
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casefile.errors import EvidenceError
from casefile.evidence import BlobInfo, check_sha256, sha256_from_hex

DIGEST = hashlib.sha256(b"exhibit JS/1").digest()


@given(st.binary(min_size=32, max_size=32))
def test_hex_name_round_trips(digest: bytes) -> None:
    assert sha256_from_hex(digest.hex()) == digest
    assert sha256_from_hex(digest.hex().upper()) == digest


@given(st.binary().filter(lambda b: len(b) != 32))
def test_digest_of_wrong_length_is_refused(value: bytes) -> None:
    with pytest.raises(EvidenceError, match=f"got bytes of {len(value)} bytes"):
        check_sha256(value)


@pytest.mark.parametrize(
    "value",
    [
        DIGEST.hex(),  # text is not a digest, even valid hex
        DIGEST.hex().encode(),  # nor is its ASCII
        bytearray(DIGEST),  # mutable: could change after it was checked
        memoryview(DIGEST),
        None,
        0,
    ],
)
def test_anything_but_32_raw_bytes_is_refused(value: object) -> None:
    with pytest.raises(EvidenceError, match="must be 32 raw bytes"):
        check_sha256(value)


@pytest.mark.parametrize(
    "text",
    [
        "../../../../etc/passwd",
        "../" + DIGEST.hex()[3:],
        DIGEST.hex()[:62] + "/x",
        DIGEST.hex()[:63] + "\x00",
        DIGEST.hex() + "\n",  # "$" in a regex would let this through
        " " + DIGEST.hex()[1:],
        DIGEST.hex()[:32] + " " + DIGEST.hex()[33:],  # bytes.fromhex skips spaces
        DIGEST.hex()[:63],
        DIGEST.hex() + "0",
        "",
        "\u0660" * 64,  # Arabic-Indic zeros are "digits" outside ASCII
    ],
)
def test_hash_name_with_path_traversal_is_refused(text: str) -> None:
    with pytest.raises(EvidenceError, match="not a SHA-256 digest"):
        sha256_from_hex(text)


@given(st.text(alphabet=string.printable, max_size=100).filter(lambda t: len(t) != 64))
def test_hex_of_wrong_length_is_refused(text: str) -> None:
    with pytest.raises(EvidenceError):
        sha256_from_hex(text)


def test_refusal_does_not_echo_a_huge_value() -> None:
    with pytest.raises(EvidenceError) as caught:
        sha256_from_hex("A" * 100_000)
    assert len(str(caught.value)) < 200


def test_blob_info_validates_itself() -> None:
    info = BlobInfo(DIGEST, 12)
    assert info.hex == DIGEST.hex()
    with pytest.raises(EvidenceError):
        BlobInfo(DIGEST[:31], 12)
    with pytest.raises(EvidenceError, match=DIGEST.hex()):
        BlobInfo(DIGEST, -1)
    with pytest.raises(EvidenceError):
        BlobInfo(DIGEST, True)
