"""The chain of a case's stored records, authenticated (V1-V10) before anything maps them.

A routine load makes two passes over the case's stored records:

1. the chain: every record's framing and header types (V1, V2, decoded
   strictly but not re-encoded), its case id (V3), its place in the sequence
   (V4), its link to the record before (V5), its stored topic (which must be
   the record's own type) and its registration (V10);
2. the head: the last record is parsed canonically and its key and signature
   checked against the trust store (V6-V9).

The head's signature covers its ``prev``, which is the hash of the record
before, and so on down the chain: one verified signature authenticates every
byte of every record. Records the offline verifier has already verified
(every signature) give the same chain without a second reading
(:func:`chain_of_verified`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import StoredEvent

from casefile.errors import (
    BadSignatureError,
    BrokenLinkError,
    KeyNotValidError,
    KeyRoleError,
    MalformedRecordError,
    SequenceError,
    UnknownKeyError,
    UnknownReferenceError,
    UnknownSchemaError,
    WrongCaseError,
)
from casefile.events._base import CaseEvent
from casefile.events._registry import EVENT_TYPES, EventRegistry
from casefile.signing._keys import verify_signature
from casefile.signing._records import (
    ZERO_HASH,
    parse_authenticated_record,
    parse_record,
    record_hash,
    signing_input,
)
from casefile.signing._trust import TrustStore
from casefile.verifier import VerifiedRecord

__all__ = [
    "ChainEntry",
    "authenticate_chain",
    "authenticate_record",
    "chain_of_verified",
    "record_header",
]


@dataclass(frozen=True, slots=True)
class ChainEntry:
    """One record of an authenticated chain: what the loader maps to an event."""

    event_class: type[CaseEvent]
    seq: int
    time_ns: int
    data: Mapping[str, Any]
    personal_names: tuple[str, ...]
    hash: bytes
    #: The record's commitments, in the order of ``personal_names``.
    commitments: tuple[bytes, ...] = ()


def record_header(raw: object, case_id: uuid.UUID, seq: int) -> dict[str, Any]:
    """V1 and V2, named at this case and position (no canonical re-encoding)."""
    if type(raw) is not bytes:
        raise MalformedRecordError(
            "record framing: a record is bytes", case_id=str(case_id), seq=seq, step="V1"
        )
    try:
        return parse_authenticated_record(raw)[2]
    except MalformedRecordError as exc:
        raise MalformedRecordError(
            exc.message, case_id=str(case_id), seq=seq, step=exc.step
        ) from None


def authenticate_chain(
    case_id: uuid.UUID,
    stored: Sequence[StoredEvent],
    trust: TrustStore,
    *,
    registry: EventRegistry = EVENT_TYPES,
    head: bool = True,
) -> list[ChainEntry]:
    """Authenticate a case's stored records (routine load); return them in order.

    With ``head`` false the last record's key and signature (V6-V9) are not
    checked: the caller holds a root that commits to every record's hash (a
    capture's binding, FORMAT §12.7), so a later revocation of the key that
    signed them leaves what was bound authentic.

    Raises :class:`UnknownReferenceError` if there are none, and the
    :class:`VerificationError` subclass naming the case, record and step
    where a check broke.
    """
    if not stored:
        raise UnknownReferenceError(f"no case {case_id}")
    label = str(case_id)
    case_bytes = case_id.bytes
    entries: list[ChainEntry] = []
    append = entries.append
    get_class = registry.get
    prev = ZERO_HASH
    header: dict[str, Any] = {}
    for seq, item in enumerate(stored, 1):
        raw = item.state
        header = record_header(raw, case_id, seq)
        # V3: the record belongs to this case.
        if header["case"] != case_bytes or item.originator_id != case_id:
            raise WrongCaseError("record of another case", case_id=label, seq=seq, step="V3")
        # V4: no gap, duplicate or reordering.
        if header["seq"] != seq or item.originator_version != seq:
            raise SequenceError(
                f"sequence number {header['seq']} stored at position {seq}",
                case_id=label,
                seq=seq,
                step="V4",
            )
        # V5: the link to the record before.
        if header["prev"] != prev:
            raise BrokenLinkError(
                "previous-record hash does not match the record before it",
                case_id=label,
                seq=seq,
                step="V5",
            )
        name, schema = header["type"], header["schema"]
        if item.topic != name:
            raise MalformedRecordError(
                f"stored topic {item.topic[:80]!r} is not the record's type {name!r}",
                case_id=label,
                seq=seq,
                step="V2",
            )
        # V10: only registered types are ever mapped.
        event_class = get_class(name, schema)
        if event_class is None:
            raise UnknownSchemaError(
                f"event type {name!r} schema {schema} is not registered",
                case_id=label,
                seq=seq,
                step="V10",
            )
        prev = record_hash(raw)
        append(
            ChainEntry(
                event_class,
                seq,
                header["time"],
                header["data"],
                tuple(header["pd"]),
                prev,
                tuple(header["pd"].values()),
            )
        )
    if head:
        authenticate_record(stored[-1].state, case_id, len(stored), trust)
    return entries


def chain_of_verified(
    records: Sequence[VerifiedRecord], *, registry: EventRegistry = EVENT_TYPES
) -> list[ChainEntry]:
    """The chain of records the offline verifier has verified (V1-V15), without reading
    them twice: what :func:`authenticate_chain` gives for the same stored bytes.

    Raises :class:`UnknownSchemaError` for a type the registry does not map.
    """
    entries = []
    for record in records:
        event_class = registry.get(record.event_type, record.schema)
        if event_class is None:
            raise UnknownSchemaError(
                f"event type {record.event_type!r} schema {record.schema} is not registered",
                case_id=str(record.case_id),
                seq=record.seq,
                step="V10",
            )
        pd = record.commitments
        entries.append(
            ChainEntry(
                event_class,
                record.seq,
                record.time_ns,
                record.data,
                tuple(pd),
                record.hash,
                tuple(pd.values()),
            )
        )
    return entries


def authenticate_record(raw: bytes, case_id: uuid.UUID, seq: int, trust: TrustStore) -> None:
    """V1, V2 canonically and V6-V9 for one record (the head's signature covers the chain)."""
    label = str(case_id)
    try:
        head = parse_record(raw)
    except MalformedRecordError as exc:
        raise MalformedRecordError(exc.message, case_id=label, seq=seq, step=exc.step) from None
    h = head.header
    # V6: a trusted key.
    entry = trust.get(h.key_id)
    if entry is None:
        raise UnknownKeyError(
            f"signed by key {h.key_id.hex()[:16]}…, which the trust store does not hold",
            case_id=label,
            seq=seq,
            step="V6",
        )
    # V7: valid at the record's time.
    if not entry.valid_at(h.time_ns):
        raise KeyNotValidError(
            f"key of {entry.name} is not valid at the record's time",
            case_id=label,
            seq=seq,
            step="V7",
        )
    # V8: allowed to record this type.
    if entry.roles.isdisjoint(trust.policy.roles_for(h.event_type)):
        raise KeyRoleError(
            f"key of {entry.name} lacks a role for {h.event_type!r}",
            case_id=label,
            seq=seq,
            step="V8",
        )
    # V9: the signature.
    if not verify_signature(entry.public_key.raw, signing_input(head.header_bytes), head.signature):
        raise BadSignatureError(
            f"signature does not verify under the key of {entry.name}",
            case_id=label,
            seq=seq,
            step="V9",
        )
