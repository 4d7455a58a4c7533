"""The DSSE envelope around a bundle manifest (docs/FORMAT.md §9.3).

``{"payload": base64, "payloadType": type, "signatures": [{"keyid": hex, "sig": base64}]}``
in canonical JSON, with exactly one signature over
``PAE(payloadType, payload)``. Parsing (step B1) checks the shape only; the
signature is checked against a trust store by the verifier (step B2).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any, Final

from casefile.bundle import _json
from casefile.bundle._layout import MANIFEST_PAYLOAD_TYPE, MAX_MANIFEST_SIZE
from casefile.errors import ManifestError
from casefile.signing._keys import SIGNATURE_SIZE, Signer
from casefile.signing._records import pae

__all__ = ["Envelope", "parse_envelope", "seal_envelope"]

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


def _strict_b64(text: Any, what: str) -> bytes:
    if type(text) is not str:
        raise _fail(f"{what} must be a base64 string")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise _fail(f"{what} is not valid base64") from None
    # Only the one canonical spelling: stray padding bits would let a changed
    # character leave the decoded bytes unchanged.
    if _b64(raw) != text:
        raise _fail(f"{what} is not canonical base64")
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
