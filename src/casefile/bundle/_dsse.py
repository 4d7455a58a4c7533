"""DSSE envelopes: the bundle manifest's (docs/FORMAT.md §9.3) and the trust root's (§7.5).

``{"payload": base64, "payloadType": type, "signatures": [{"keyid": hex, "sig": base64}]}``
in canonical JSON, every signature over ``PAE(payloadType, payload)``. A manifest
envelope carries exactly one signature; a trust-root document one or more, sorted
by key id without repeats, so that no key can be counted twice toward a
threshold. Parsing checks the shape only; signatures are checked by the steps
that know the keys (B2, B17).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from casefile.bundle import _json
from casefile.bundle._layout import MANIFEST_PAYLOAD_TYPE, MAX_MANIFEST_SIZE
from casefile.errors import ManifestError
from casefile.signing._keys import SIGNATURE_SIZE, Signer
from casefile.signing._records import pae

__all__ = [
    "Envelope",
    "MultiEnvelope",
    "parse_envelope",
    "parse_multi_envelope",
    "seal_envelope",
    "seal_multi_envelope",
]

_HEX64: Final = re.compile(r"[0-9a-f]{64}")
#: A version 1 envelope has 3 commas (base64, hex and the payload type hold none).
#: Far more means far more values than an envelope holds, refused before parsing.
_MAX_COMMAS: Final = 64


@dataclass(frozen=True, slots=True)
class Envelope:
    """A parsed envelope: nothing in it is authenticated yet."""

    payload_type: str
    payload: bytes
    key_id: bytes
    signature: bytes

    def signed_bytes(self) -> bytes:
        """The bytes the signature covers: DSSE's PAE of the type and payload."""
        return pae(self.payload_type.encode("utf-8"), self.payload)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def seal_envelope(payload: bytes, signer: Signer) -> bytes:
    """Sign ``payload`` as a manifest and return the canonical envelope bytes."""
    signature = signer.sign(pae(MANIFEST_PAYLOAD_TYPE.encode("utf-8"), payload))
    if type(signature) is not bytes or len(signature) != SIGNATURE_SIZE:
        raise ValueError("the signer returned something other than a 64-byte signature")
    return _json.dumps(
        {
            "payload": _b64(payload),
            "payloadType": MANIFEST_PAYLOAD_TYPE,
            "signatures": [{"keyid": signer.public_key.key_id.hex(), "sig": _b64(signature)}],
        }
    )


def _fail(problem: str) -> ManifestError:
    return ManifestError(f"manifest envelope: {problem}", step="B1")


def _strict_b64(text: Any, what: str, fail: Callable[[str], Exception] = _fail) -> bytes:
    if type(text) is not str:
        raise fail(f"{what} must be a base64 string")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise fail(f"{what} is not valid base64") from None
    # Only the one canonical spelling: stray padding bits would let a changed
    # character leave the decoded bytes unchanged.
    if _b64(raw) != text:
        raise fail(f"{what} is not canonical base64")
    return raw


def parse_envelope(data: bytes) -> Envelope:
    """Parse manifest envelope bytes (step B1); raise :class:`ManifestError` otherwise."""
    # Unauthenticated input of up to 64 MiB: a million tiny JSON values would
    # cost gigabytes of objects before the shape check could refuse them.
    if isinstance(data, bytes) and data.count(b",") > _MAX_COMMAS:
        raise _fail(
            "expected exactly the fields payload, payloadType, signatures (too many values)"
        )
    try:
        document = _json.loads(data, max_size=MAX_MANIFEST_SIZE)
    except _json.CanonicalJSONError as exc:
        raise _fail(str(exc)) from None
    if type(document) is not dict or document.keys() != {"payload", "payloadType", "signatures"}:
        raise _fail("expected exactly the fields payload, payloadType, signatures")
    if document["payloadType"] != MANIFEST_PAYLOAD_TYPE:
        raise _fail(f"payloadType must be {MANIFEST_PAYLOAD_TYPE!r}")
    payload = _strict_b64(document["payload"], "payload")
    signatures = document["signatures"]
    if type(signatures) is not list or len(signatures) != 1:
        raise _fail("a version 1 manifest carries exactly one signature")
    entry = signatures[0]
    if type(entry) is not dict or entry.keys() != {"keyid", "sig"}:
        raise _fail("a signature has exactly the fields keyid, sig")
    key_id = entry["keyid"]
    if type(key_id) is not str or not _HEX64.fullmatch(key_id):
        raise _fail("keyid must be a key id in 64 lower-case hex digits")
    signature = _strict_b64(entry["sig"], "sig")
    if len(signature) != SIGNATURE_SIZE:
        raise _fail(f"sig must be {SIGNATURE_SIZE} bytes")
    return Envelope(MANIFEST_PAYLOAD_TYPE, payload, bytes.fromhex(key_id), signature)


@dataclass(frozen=True, slots=True)
class MultiEnvelope:
    """A parsed envelope with one or more signatures, sorted by key id: none checked yet."""

    payload_type: str
    payload: bytes
    signatures: tuple[tuple[bytes, bytes], ...]

    def signed_bytes(self) -> bytes:
        """The bytes every signature covers: DSSE's PAE of the type and payload."""
        return pae(self.payload_type.encode("utf-8"), self.payload)


def seal_multi_envelope(payload: bytes, payload_type: str, signers: Sequence[Signer]) -> bytes:
    """Sign ``payload`` with each distinct key of ``signers``; the canonical envelope bytes."""
    message = pae(payload_type.encode("utf-8"), payload)
    by_key: dict[bytes, bytes] = {}
    for signer in signers:
        signature = signer.sign(message)
        if type(signature) is not bytes or len(signature) != SIGNATURE_SIZE:
            raise ValueError("a signer returned something other than a 64-byte signature")
        by_key[signer.public_key.key_id] = signature
    if not by_key:
        raise ValueError("an envelope needs at least one signer")
    return _json.dumps(
        {
            "payload": _b64(payload),
            "payloadType": payload_type,
            "signatures": [
                {"keyid": key_id.hex(), "sig": _b64(by_key[key_id])} for key_id in sorted(by_key)
            ],
        }
    )


def parse_multi_envelope(
    data: bytes,
    *,
    payload_type: str,
    max_size: int,
    max_signatures: int,
    fail: Callable[[str], Exception],
) -> MultiEnvelope:
    """Parse envelope bytes of ``payload_type``; raise ``fail(problem)`` otherwise."""
    # As for the manifest: far more values than an envelope of this many
    # signatures holds are refused before parsing.
    if data.count(b",") > 3 * max_signatures + 3:
        raise fail("expected exactly the fields payload, payloadType, signatures (too many values)")
    try:
        document = _json.loads(data, max_size=max_size)
    except _json.CanonicalJSONError as exc:
        raise fail(str(exc)) from None
    if type(document) is not dict or document.keys() != {"payload", "payloadType", "signatures"}:
        raise fail("expected exactly the fields payload, payloadType, signatures")
    if document["payloadType"] != payload_type:
        raise fail(f"payloadType must be {payload_type!r}")
    payload = _strict_b64(document["payload"], "payload", fail)
    entries = document["signatures"]
    if type(entries) is not list or not 1 <= len(entries) <= max_signatures:
        raise fail(f"signatures must hold 1 to {max_signatures} signatures")
    signatures: list[tuple[bytes, bytes]] = []
    for index, entry in enumerate(entries):
        where = f"signatures[{index}]"
        if type(entry) is not dict or entry.keys() != {"keyid", "sig"}:
            raise fail(f"{where}: a signature has exactly the fields keyid, sig")
        key_id = entry["keyid"]
        if type(key_id) is not str or not _HEX64.fullmatch(key_id):
            raise fail(f"{where}.keyid must be a key id in 64 lower-case hex digits")
        signature = _strict_b64(entry["sig"], f"{where}.sig", fail)
        if len(signature) != SIGNATURE_SIZE:
            raise fail(f"{where}.sig must be {SIGNATURE_SIZE} bytes")
        raw_id = bytes.fromhex(key_id)
        # Sorted and unique: one key, one signature, counted once toward a threshold.
        if signatures and raw_id <= signatures[-1][0]:
            problem = "repeats" if raw_id == signatures[-1][0] else "is out of order after"
            raise fail(f"{where}.keyid {problem} the key id before it (sorted, one per key)")
        signatures.append((raw_id, signature))
    return MultiEnvelope(payload_type, payload, tuple(signatures))
