"""Records: sealing an event into signed canonical bytes, and parsing them back.

The layout is specified in docs/FORMAT.md §3. Parsing here only checks framing
and types (steps V1 and V2); whether a record is *trusted* is the verifier's
job, which authenticates it before anything reads its payload.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from casefile.encoding import decode, decode_authenticated, encode
from casefile.errors import DecodeError, EncodeError, MalformedRecordError
from casefile.signing._commitments import FIELD_NAME_RULE, is_field_name
from casefile.signing._keys import KEY_ID_SIZE, SIGNATURE_SIZE, Signer

__all__ = [
    "FORMAT_VERSION",
    "MAX_RECORD_SIZE",
    "RECORD_PAYLOAD_TYPE",
    "ZERO_HASH",
    "ParsedRecord",
    "RecordHeader",
    "SealedRecord",
    "pae",
    "parse_authenticated_record",
    "parse_record",
    "parse_record_fields",
    "record_hash",
    "seal_record",
    "signing_input",
]

FORMAT_VERSION: Final = 2
MAX_RECORD_SIZE: Final = 16 * 1024 * 1024
RECORD_PAYLOAD_TYPE: Final = b"application/vnd.casefile.record.v2+msgpack"
ZERO_HASH: Final = bytes(32)
HASH_SIZE: Final = 32

_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_.]{0,63}")
_GOOD_TYPES: set[str] = set()
_HEADER_KEYS: Final = frozenset(
    {"v", "case", "seq", "prev", "type", "schema", "time", "key", "data", "pd"}
)
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_sha256 = hashlib.sha256


def pae(payload_type: bytes, body: bytes) -> bytes:
    """DSSE pre-authentication encoding of ``body`` under ``payload_type``."""
    return b"DSSEv1 %d %b %d %b" % (len(payload_type), payload_type, len(body), body)


def signing_input(header_bytes: bytes) -> bytes:
    """The exact bytes an officer's key signs for a record (FORMAT.md §3.1)."""
    return pae(RECORD_PAYLOAD_TYPE, header_bytes)


def record_hash(record_bytes: bytes) -> bytes:
    """Chain link and Merkle leaf hash of a stored record (FORMAT.md §3.2)."""
    return _sha256(b"\x00" + record_bytes).digest()


@dataclass(frozen=True, slots=True)
class RecordHeader:
    """The signed content of a record (FORMAT.md §3, the header map)."""

    case_id: uuid.UUID
    seq: int
    prev: bytes
    event_type: str
    schema: int
    time_ns: int
    key_id: bytes
    data: Mapping[str, Any]
    commitments: Mapping[str, bytes]

    def to_map(self) -> dict[str, Any]:
        return {
            "case": self.case_id.bytes,
            "data": self.data,
            "key": self.key_id,
            "pd": self.commitments,
            "prev": self.prev,
            "schema": self.schema,
            "seq": self.seq,
            "time": self.time_ns,
            "type": self.event_type,
            "v": FORMAT_VERSION,
        }


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """A record whose framing and types are valid. NOT authenticated."""

    raw: bytes
    header_bytes: bytes
    signature: bytes
    header: RecordHeader
    hash: bytes


@dataclass(frozen=True, slots=True)
class SealedRecord:
    """A record this process has just signed."""

    raw: bytes
    hash: bytes
    fields: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def header(self) -> RecordHeader:
        """The signed header (built on demand: the write path needs only bytes)."""
        return _header_of(self.fields)


def seal_record(
    *,
    case_id: uuid.UUID,
    seq: int,
    prev: bytes,
    event_type: str,
    schema: int,
    time_ns: int,
    data: Mapping[str, Any],
    signer: Signer,
    commitments: Mapping[str, bytes] | None = None,
) -> SealedRecord:
    """Encode, sign and frame one record.

    Raises :class:`EncodeError` if ``data`` leaves the canonical profile and
    ``ValueError`` if a header field is out of range.
    """
    fields = {
        "case": case_id.bytes,
        "data": data,
        "key": signer.public_key.key_id,
        "pd": commitments if commitments is not None else {},
        "prev": prev,
        "schema": schema,
        "seq": seq,
        "time": time_ns,
        "type": event_type,
        "v": FORMAT_VERSION,
    }
    problem = _header_problem(fields)
    if problem:
        raise EncodeError(problem[0], problem[1])
    header_bytes = encode(fields)
    signature = signer.sign(signing_input(header_bytes))
    if type(signature) is not bytes or len(signature) != SIGNATURE_SIZE:
        raise ValueError("the signer returned something other than a 64-byte signature")
    raw = _frame(header_bytes, signature)
    return SealedRecord(raw=raw, hash=_sha256(b"\x00" + raw).digest(), fields=fields)


def parse_record(raw: bytes) -> ParsedRecord:
    """Check framing and header types (V1, V2); raise MalformedRecordError otherwise.

    The caller must still authenticate the record before trusting any field.
    """
    header_bytes, signature, fields, digest = parse_record_fields(raw)
    return ParsedRecord(
        raw=raw,
        header_bytes=header_bytes,
        signature=signature,
        header=_header_of(fields),
        hash=digest,
    )


def _header_of(fields: Mapping[str, Any]) -> RecordHeader:
    return RecordHeader(
        case_id=uuid.UUID(bytes=fields["case"]),
        seq=fields["seq"],
        prev=fields["prev"],
        event_type=fields["type"],
        schema=fields["schema"],
        time_ns=fields["time"],
        key_id=fields["key"],
        data=fields["data"],
        commitments=fields["pd"],
    )


def parse_record_fields(raw: bytes) -> tuple[bytes, bytes, dict[str, Any], bytes]:
    """V1 and V2 without building objects: (header bytes, signature, header map, hash).

    The verifier's hot path; :func:`parse_record` is the friendlier form.
    """
    # V1: record framing. The frame has exactly one canonical byte layout,
    # so it is checked byte by byte rather than decoded and re-encoded.
    header_bytes, signature = _unframe(raw)
    # V2: header.
    try:
        fields = decode(header_bytes, max_size=MAX_RECORD_SIZE)
    except DecodeError as exc:
        raise MalformedRecordError(_brief(f"record header: {exc}"), step="V2") from None
    _check_header(fields)
    return header_bytes, signature, fields, _sha256(b"\x00" + raw).digest()


def parse_authenticated_record(raw: bytes) -> tuple[bytes, bytes, dict[str, Any]]:
    """V1 and V2 for a record of a chain whose head signature covers it.

    The same frame and header checks as :func:`parse_record_fields`, without
    the canonical re-encoding: (header bytes, signature, header map).
    """
    header_bytes, signature = _unframe(raw)
    try:
        fields = decode_authenticated(header_bytes, max_size=MAX_RECORD_SIZE)
    except DecodeError as exc:
        raise MalformedRecordError(_brief(f"record header: {exc}"), step="V2") from None
    _check_header(fields)
    return header_bytes, signature, fields


def _check_header(fields: Any) -> None:
    if type(fields) is not dict or fields.keys() != _HEADER_KEYS:
        have = sorted(fields) if type(fields) is dict else type(fields).__name__
        raise MalformedRecordError(
            _brief(
                f"record header: expected exactly the keys {sorted(_HEADER_KEYS)}, found {have}"
            ),
            step="V2",
        )
    problem = _header_problem(fields)
    if problem:
        raise MalformedRecordError(_brief(f"record header: {problem[0]}: {problem[1]}"), step="V2")


_SIG_FIELD: Final = b"\xa3sig\xc4\x40"
_REC_FIELD: Final = b"\x82\xa3rec"


def _frame(header_bytes: bytes, signature: bytes) -> bytes:
    """The canonical ``{"rec": bin, "sig": bin(64)}`` frame (same bytes as ``encode``)."""
    n = len(header_bytes)
    if n < 0x100:
        length = b"\xc4" + bytes((n,))
    elif n < 0x10000:
        length = b"\xc5" + n.to_bytes(2, "big")
    else:
        length = b"\xc6" + n.to_bytes(4, "big")
    return b"".join((_REC_FIELD, length, header_bytes, _SIG_FIELD, signature))


def _unframe(raw: bytes) -> tuple[bytes, bytes]:
    """Split a canonical ``{"rec": bin, "sig": bin(64)}`` frame; V1 of FORMAT.md §8."""
    if type(raw) is not bytes:
        raise MalformedRecordError("record framing: a record is bytes", step="V1")
    size = len(raw)
    if size > MAX_RECORD_SIZE:
        raise MalformedRecordError(
            f"record framing: {size} bytes exceeds the limit of {MAX_RECORD_SIZE}", step="V1"
        )
    if not raw.startswith(_REC_FIELD) or size < 5 + 2 + 6 + SIGNATURE_SIZE:
        raise MalformedRecordError("record framing: expected a map of exactly rec, sig", step="V1")
    marker = raw[5]
    if marker == 0xC4:
        start, length = 7, raw[6]
    elif marker == 0xC5:
        start, length = 8, int.from_bytes(raw[6:8], "big")
    elif marker == 0xC6:
        start, length = 10, int.from_bytes(raw[6:10], "big")
    else:
        raise MalformedRecordError("record framing: rec must be bytes", step="V1")
    # The shortest bin form is the only canonical one.
    if (marker == 0xC5 and length < 0x100) or (marker == 0xC6 and length < 0x10000):
        raise MalformedRecordError(
            "record framing: not canonical: a value is not in its shortest encoding", step="V1"
        )
    end = start + length
    if size != end + len(_SIG_FIELD) + SIGNATURE_SIZE or raw[end : end + 6] != _SIG_FIELD:
        raise MalformedRecordError(
            "record framing: expected rec then a 64-byte sig and nothing after", step="V1"
        )
    return raw[start:end], raw[end + 6 :]


_MAX_MESSAGE: Final = 300


def _brief(message: str) -> str:
    # Messages quote hostile keys and values; a report keeps up to a thousand
    # of them, so each is cut short rather than holding a 16 MiB value.
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"


def _header_problem(h: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first field of header map ``h`` outside the format, as (field, problem), or None."""
    if h["v"] == 1 and type(h["v"]) is int:
        return (
            "v",
            f"format version 1 is not read by this version ({FORMAT_VERSION}): "
            "version 1 predates redactable text",
        )
    if type(h["v"]) is not int or h["v"] != FORMAT_VERSION:
        shown = h["v"] if type(h["v"]) is int else type(h["v"]).__name__
        return ("v", f"unsupported format version {shown}")
    case = h["case"]
    if type(case) is not bytes or len(case) != 16:
        return ("case", "case must be 16 bytes")
    seq = h["seq"]
    if type(seq) is not int or not 1 <= seq <= _INT64_MAX:
        return ("seq", "must be an integer from 1")
    prev = h["prev"]
    if type(prev) is not bytes or len(prev) != HASH_SIZE:
        return ("prev", "must be 32 bytes")
    event_type = h["type"]
    # The type check comes first: a list or map cannot even be looked up in the cache.
    if type(event_type) is not str or event_type not in _GOOD_TYPES:
        if type(event_type) is not str or not _EVENT_TYPE.fullmatch(event_type):
            return ("type", "must be 1-64 characters of [a-z0-9_.] starting with a letter")
        if len(_GOOD_TYPES) < 4096:  # a bounded cache: types are few, inputs are not
            _GOOD_TYPES.add(event_type)
    schema = h["schema"]
    if type(schema) is not int or not 1 <= schema <= _INT64_MAX:
        return ("schema", "must be an integer from 1")
    time_ns = h["time"]
    if type(time_ns) is not int or not _INT64_MIN <= time_ns <= _INT64_MAX:
        return ("time", "must be a signed 64-bit integer of nanoseconds")
    key = h["key"]
    if type(key) is not bytes or len(key) != KEY_ID_SIZE:
        return ("key", "must be a 32-byte key id")
    if not isinstance(h["data"], Mapping):
        return ("data", "must be a map")
    commitments = h["pd"]
    if not isinstance(commitments, Mapping):
        return ("pd", "must be a map")
    for name, digest in commitments.items():
        if not is_field_name(name):
            return ("pd", f"a commitment name must be {FIELD_NAME_RULE}")
        if type(digest) is not bytes or len(digest) != HASH_SIZE:
            return (f"pd.{name}", "a commitment must be 32 bytes")
    return None
