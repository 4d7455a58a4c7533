"""RFC 3161 timestamps over checkpoints: what is stamped, and checking a stamp (B16).

A time-stamping authority (TSA) signs the SHA-256 of a checkpoint note's
**body** (its three lines, docs/FORMAT.md §6.2), not of the whole note: a
cosignature line added later leaves the body, and so the token, unchanged.
Every byte of ASN.1 is read and written by ``rfc3161-client``; this module
decides what the token must say. The token is kept as the TSA's DER
``TimeStampResp`` (RFC 3161 §2.4.2), the form the TSA answers with.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

import rfc3161_client
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from casefile._time import MAX_TIME_NS, instant_ns, ns_to_rfc3339
from casefile.errors import TimestampAuthorityError, TrustedTimeError, TrustStoreError

__all__ = [
    "MAX_SKEW_SECONDS",
    "MAX_TIMESTAMP_SIZE",
    "TimestampAuthorities",
    "TimestampQuery",
    "TrustedTime",
    "check_timestamp_imprint",
    "check_timestamp_reply",
    "checkpoint_body",
    "timestamp_query",
    "verify_timestamp",
]

#: A reply is a signed hash and a few certificates; anything larger is refused unread.
MAX_TIMESTAMP_SIZE: Final = 256 * 1024
#: The largest clock skew a trust store may allow: a day.
MAX_SKEW_SECONDS: Final = 86_400
_SHA256_OID: Final = x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")
# The fixed parts of a query (RFC 3161 §2.4.1): version 1, SHA-256 with NULL parameters, and
# certReq TRUE; the nonce is at most 64 bits, as rfc3161-client's builder draws it.
_VERSION_1: Final = bytes.fromhex("020101")
_SHA256_ALGORITHM: Final = bytes.fromhex("300d06096086480165030402010500")
_CERT_REQ: Final = bytes.fromhex("0101ff")
_MAX_NONCE: Final = 2**64 - 1
_NS: Final = 1_000_000_000
# What rfc3161-client and cryptography raise on hostile DER: each becomes a clear refusal.
_FAULTS: Final = (
    ValueError,
    TypeError,
    LookupError,
    StopIteration,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.ExtensionNotFound,
    x509.UnsupportedGeneralNameType,
    x509.AttributeNotFound,
    rfc3161_client.VerificationError,
)


def checkpoint_body(note: str) -> bytes:
    """The UTF-8 body of a signed note: its text up to and including the line before the
    blank line that starts the signatures (what a TSA stamps)."""
    end = note.find("\n\n")
    if end < 0:
        raise TrustedTimeError("the checkpoint is not a signed note (no blank line)")
    return note[: end + 1].encode("utf-8")


def _certificate(pem: str, where: str) -> bytes:
    try:
        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (UnicodeEncodeError, ValueError) as exc:
        raise TrustStoreError(f"{where}: not a PEM X.509 certificate ({exc})") from None
    return cert.public_bytes(Encoding.DER)


@dataclass(frozen=True, slots=True)
class TimestampAuthorities:
    """The TSAs a trust store accepts (docs/FORMAT.md §7.1.4).

    ``anchors`` are DER certificates: a token counts only if its TSA certificate
    chains to one of them. ``max_skew_seconds`` is how far a record's time may
    lie after the token's (clocks on tablets drift); ``required`` refuses a
    bundle without a token.
    """

    anchors: tuple[bytes, ...]
    max_skew_seconds: int
    required: bool = False

    def __post_init__(self) -> None:
        if type(self.anchors) is not tuple or not self.anchors:
            raise TrustStoreError("timestamping.anchors: must name at least one certificate")
        for index, der in enumerate(self.anchors):
            try:
                x509.load_der_x509_certificate(der)
            except (TypeError, ValueError) as exc:
                raise TrustStoreError(
                    f"timestamping.anchors[{index}]: not an X.509 certificate ({exc})"
                ) from None
        if len(set(self.anchors)) != len(self.anchors):
            raise TrustStoreError("timestamping.anchors: the same certificate twice")
        if type(self.max_skew_seconds) is not int or not (
            0 <= self.max_skew_seconds <= MAX_SKEW_SECONDS
        ):
            raise TrustStoreError(
                f"timestamping.max_skew_seconds: must lie between 0 and {MAX_SKEW_SECONDS}"
            )
        if type(self.required) is not bool:
            raise TrustStoreError("timestamping.required: expected true or false")

    @property
    def max_skew_ns(self) -> int:
        """The skew in nanoseconds, the unit of record times."""
        return self.max_skew_seconds * _NS

    @classmethod
    def from_pem(
        cls, anchors: list[str] | tuple[str, ...], *, max_skew_seconds: int, required: bool = False
    ) -> TimestampAuthorities:
        """From PEM certificate texts (one certificate each)."""
        ders = tuple(
            _certificate(pem, f"timestamping.anchors[{i}]") for i, pem in enumerate(anchors)
        )
        return cls(anchors=ders, max_skew_seconds=max_skew_seconds, required=required)

    def anchors_pem(self) -> list[str]:
        """The anchors as PEM texts, in order."""
        return [
            x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM).decode("ascii")
            for der in self.anchors
        ]


@dataclass(frozen=True, slots=True)
class TrustedTime:
    """What a verified token proves: the checkpoint existed by ``time`` (ns, UTC), give or
    take ``accuracy_ns``, as the TSA named ``tsa`` (its certificate's subject) says."""

    time: int
    accuracy_ns: int
    tsa: str
    serial: int

    def to_json(self) -> dict[str, object]:
        return {
            "accuracy_ns": self.accuracy_ns,
            "serial": str(self.serial),
            "time": ns_to_rfc3339(self.time),
            "tsa": self.tsa,
        }


def _parse(data: bytes) -> rfc3161_client.TimeStampResponse:
    if type(data) is not bytes:
        raise TrustedTimeError("the timestamp is not bytes")
    if len(data) > MAX_TIMESTAMP_SIZE:
        raise TrustedTimeError(f"the timestamp is larger than {MAX_TIMESTAMP_SIZE} bytes")
    try:
        reply = rfc3161_client.decode_timestamp_response(data)
        status = reply.status
    except _FAULTS as exc:
        raise TrustedTimeError(f"not a DER RFC 3161 TimeStampResp ({exc})") from None
    if status != rfc3161_client.PKIStatus.GRANTED:
        raise TrustedTimeError(f"the time-stamping authority did not grant it (status {status})")
    return reply


def _imprint(reply: rfc3161_client.TimeStampResponse) -> tuple[object, bytes]:
    try:
        imprint = reply.tst_info.message_imprint
        return imprint.hash_algorithm, imprint.message
    except _FAULTS as exc:
        raise TrustedTimeError(f"a token without a readable message imprint ({exc})") from None


def _accuracy_ns(reply: rfc3161_client.TimeStampResponse) -> int:
    try:
        accuracy = reply.tst_info.accuracy
        if accuracy is None:
            return 0
        parts = (accuracy.seconds or 0, accuracy.millis or 0, accuracy.micros or 0)
    except _FAULTS:
        return 0  # absent or unreadable: no allowance beyond the trust store's skew
    seconds, millis, micros = (max(0, int(p)) for p in parts)
    return seconds * _NS + millis * 1_000_000 + micros * 1_000


def _signer_subject(reply: rfc3161_client.TimeStampResponse) -> str:
    signer = next(iter(reply.signed_data.signer_infos))
    for der in reply.signed_data.certificates:
        cert = x509.load_der_x509_certificate(der)
        if cert.issuer == signer.issuer and cert.serial_number == signer.serial_number:
            return cert.subject.rfc4514_string()
    return signer.issuer.rfc4514_string()


def _stamped(data: bytes, note: str) -> tuple[rfc3161_client.TimeStampResponse, bytes]:
    reply = _parse(data)
    algorithm, message = _imprint(reply)
    # Over this checkpoint's body, with SHA-256 (no weaker hash is accepted).
    if algorithm != _SHA256_OID:
        raise TrustedTimeError(f"the token's message imprint is not SHA-256 ({algorithm})")
    digest = hashlib.sha256(checkpoint_body(note)).digest()
    if message != digest:
        raise TrustedTimeError(
            f"the token stamps another checkpoint (its imprint {message.hex()[:16]}…, "
            f"this checkpoint's body {digest.hex()[:16]}…)"
        )
    return reply, digest


def check_timestamp_imprint(data: bytes, note: str) -> None:
    """Refuse a reply that does not parse, was not granted, or stamps another checkpoint
    (what a writer can check without the recipient's anchors)."""
    _stamped(data, note)


def verify_timestamp(data: bytes, note: str, authorities: TimestampAuthorities) -> TrustedTime:
    """Check a DER ``TimeStampResp`` over the checkpoint ``note``; return the time it proves.

    B16 steps 1-3 (docs/FORMAT.md §9.6): it parses and was granted; its message
    imprint is SHA-256 of the note's body; it is signed by a TSA certificate
    with the critical timeStamping usage that chains, at the token's time, to
    one of ``authorities.anchors``. Raises :class:`TrustedTimeError` otherwise.
    """
    reply, digest = _stamped(data, note)  # B16.1, B16.2
    # B16.3: signed by a TSA certificate that chains to an anchor, with the timeStamping EKU.
    builder = rfc3161_client.VerifierBuilder()
    for der in authorities.anchors:
        builder = builder.add_root_certificate(x509.load_der_x509_certificate(der))
    try:
        builder.build().verify(reply, digest)
        subject = _signer_subject(reply)
        time = instant_ns(reply.tst_info.gen_time, "genTime")
        serial = reply.tst_info.serial_number
    except _FAULTS as exc:
        raise TrustedTimeError(
            f"the token is not signed by a time-stamping authority the trust store names: {exc}"
        ) from None
    if not 0 <= time <= MAX_TIME_NS:
        raise TrustedTimeError("the token's time lies outside the years 1970-9999")
    return TrustedTime(time=time, accuracy_ns=_accuracy_ns(reply), tsa=subject, serial=serial)


@dataclass(frozen=True, slots=True)
class TimestampQuery:
    """A DER ``TimeStampReq`` for a checkpoint, with the nonce and imprint its reply must echo."""

    der: bytes
    nonce: int
    imprint: bytes


def _der(tag: int, content: bytes) -> bytes:
    # Every part of a query is shorter than 128 bytes: the short length form suffices.
    return bytes([tag, len(content)]) + content


def timestamp_query(note: str, nonce: int | None = None) -> TimestampQuery:
    """The query for the SHA-256 of ``note``'s body, asking for the TSA's certificate.

    ``nonce`` (from 1 to 2^64-1) is the caller's, so that a run can be
    reproduced; by default it is 64 bits from the operating system's random
    source. The DER ``TimeStampReq`` (RFC 3161 §2.4.1) is written here, byte
    for byte what ``rfc3161-client``'s builder writes, because that builder
    draws its own nonce and takes none from its caller.
    """
    if nonce is None:
        nonce = secrets.randbelow(_MAX_NONCE) + 1
    if type(nonce) is not int or not 1 <= nonce <= _MAX_NONCE:
        raise ValueError(f"nonce must be an int from 1 to {_MAX_NONCE}")
    imprint = hashlib.sha256(checkpoint_body(note)).digest()
    message_imprint = _der(0x30, _SHA256_ALGORITHM + _der(0x04, imprint))
    nonce_der = _der(0x02, nonce.to_bytes(nonce.bit_length() // 8 + 1, "big"))
    der = _der(0x30, _VERSION_1 + message_imprint + nonce_der + _CERT_REQ)
    return TimestampQuery(der=der, nonce=nonce, imprint=imprint)


def check_timestamp_reply(reply: bytes, query: TimestampQuery) -> None:
    """Refuse a reply that was not granted, or whose nonce or imprint is not the query's.

    It does not check who signed it: the sender need not hold the recipient's
    anchors, and the verifier checks that (B16).
    """
    try:
        parsed = _parse(reply)
        algorithm, message = _imprint(parsed)
        nonce = parsed.tst_info.nonce
    except TrustedTimeError as exc:
        raise TimestampAuthorityError(exc.message) from None
    except _FAULTS as exc:
        raise TimestampAuthorityError(f"not a readable timestamp ({exc})") from None
    if nonce != query.nonce:
        raise TimestampAuthorityError("the reply does not echo the query's nonce (a replay?)")
    if algorithm != _SHA256_OID or message != query.imprint:
        raise TimestampAuthorityError("the reply stamps something other than this checkpoint")
