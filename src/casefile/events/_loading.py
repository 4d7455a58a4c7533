"""Loading a case: authenticate the stored records, then map registered types to events.

A routine load makes two passes over the case's stored records:

1. the chain: every record's framing and header types (V1, V2, decoded
   strictly but not re-encoded), its case id (V3), its place in the sequence
   (V4), its link to the record before (V5), its stored topic (which must be
   the record's own type) and its registration (V10);
2. the head: the last record is parsed canonically and its key and signature
   checked against the trust store (V6-V9).

The head's signature covers its ``prev``, which is the hash of the record
before, and so on down the chain: one verified signature authenticates every
byte of every record. Only then are payloads mapped to event classes, by
registered name, and applied. Nothing is imported on the strength of a stored
string. An audit (every signature, every disclosure) is the verifier's job.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from eventsourcing.persistence import Mapper, StoredEvent

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
    VerificationError,
    WrongCaseError,
)
from casefile.events._base import WITHHELD, CaseEvent
from casefile.events._investigation import Investigation
from casefile.events._recording import DEFAULT_CONTEXT, CommandContext
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

__all__ = ["ChainEntry", "RecordMapper", "authenticate_chain", "load_investigation"]

_NO_PERSONAL: Final[Mapping[str, Any]] = {}


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


def _header(raw: object, case_id: uuid.UUID, seq: int) -> dict[str, Any]:
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
) -> list[ChainEntry]:
    """Authenticate a case's stored records (routine load); return them in order.

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
        header = _header(raw, case_id, seq)
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
    _authenticate_record(stored[-1].state, case_id, len(stored), trust)
    return entries


def _authenticate_record(raw: bytes, case_id: uuid.UUID, seq: int, trust: TrustStore) -> None:
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


def _event_of(case_id: uuid.UUID, entry: ChainEntry) -> CaseEvent:
    cls = entry.event_class
    try:
        fields = cls.fields_from_data(entry.data)
    except (KeyError, TypeError, ValueError) as exc:
        raise UnknownSchemaError(
            f"payload does not fit {cls.TYPE} schema {cls.SCHEMA}: {exc}",
            case_id=str(case_id),
            seq=entry.seq,
            step="V10",
        ) from None
    names = entry.personal_names
    texts = cls.TEXT_FIELDS
    personal: Mapping[str, Any] = _NO_PERSONAL
    if names:
        personal = {name: WITHHELD for name in names if name not in texts} or _NO_PERSONAL
        fields.update(cls.loaded_texts(names))
    elif texts or cls.NOT_DATA:
        fields.update(cls.loaded_texts(()))
    return cls.new(case_id, entry.seq, entry.time_ns, personal, fields)


def load_investigation(
    case_id: uuid.UUID,
    stored: Sequence[StoredEvent],
    trust: TrustStore,
    *,
    registry: EventRegistry = EVENT_TYPES,
    context: CommandContext = DEFAULT_CONTEXT,
) -> Investigation:
    """Authenticate ``stored`` (routine load) and rebuild the case from it."""
    entries = authenticate_chain(case_id, stored, trust, registry=registry)
    first = _event_of(case_id, entries[0])
    current = entries[0]
    try:
        case = first.mutate(None)
        if not isinstance(case, Investigation):
            raise TypeError("the first record must open the case")
        evolve = case._evolve
        for current in entries[1:]:
            evolve(_event_of(case_id, current))
    except VerificationError:
        raise
    except Exception as exc:
        # Authentic records that do not fit together: a key holder signed
        # something the rules refuse. Name it, never let it pass silently:
        # the case stays readable by the verifier and its case file, which
        # report such a record among their findings.
        raise MalformedRecordError(
            f"{current.event_class.TYPE} does not apply to the case: {exc!r}",
            case_id=str(case_id),
            seq=current.seq,
        ) from None
    case.mark_sealed(
        len(entries), entries[-1].hash, (c for entry in entries for c in entry.commitments)
    )
    case.bind_context(context)
    return case


class RecordMapper(Mapper[uuid.UUID]):
    """eventsourcing's mapper seam, closed to import paths.

    Mapping a stored event checks the record's framing (V1, V2), that it is
    the stored event's own case, version and type, and that the type is
    registered; it never resolves a topic. Given a ``trust`` store (the
    application's mapper always is), it also authenticates the lone record
    (V6-V9: a trusted key, valid at the record's time, with a role for its
    type, and its signature) before its payload becomes an event, since
    projection runners and followers map records one at a time, outside
    their chain. Events are stored only by sealing
    (:func:`~casefile.events._sealing.seal_events`), so
    :meth:`to_stored_event` refuses.
    """

    registry: EventRegistry = EVENT_TYPES

    def __init__(
        self,
        transcoder: Any,
        compressor: Any = None,
        cipher: Any = None,
        *,
        trust: TrustStore | None = None,
    ) -> None:
        super().__init__(transcoder, compressor, cipher)
        self.trust = trust

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        raise TypeError(
            "investigation events are stored only as sealed records: save them with "
            "the application's session or commands, which sign them"
        )

    def to_domain_event(self, stored_event: StoredEvent) -> CaseEvent:
        case_id = stored_event.originator_id
        if not isinstance(case_id, uuid.UUID):
            raise MalformedRecordError(f"originator id {case_id!r} is not a UUID")
        seq = stored_event.originator_version
        header = _header(stored_event.state, case_id, seq)
        label = str(case_id)
        if header["case"] != case_id.bytes:
            raise WrongCaseError("record of another case", case_id=label, seq=seq, step="V3")
        if header["seq"] != seq:
            raise SequenceError("stored at another position", case_id=label, seq=seq, step="V4")
        if stored_event.topic != header["type"]:
            raise MalformedRecordError(
                "stored topic is not the record's type", case_id=label, seq=seq, step="V2"
            )
        event_class = self.registry.get(header["type"], header["schema"])
        if event_class is None:
            raise UnknownSchemaError(
                f"event type {header['type']!r} schema {header['schema']} is not registered",
                case_id=label,
                seq=seq,
                step="V10",
            )
        if self.trust is not None:
            _authenticate_record(stored_event.state, case_id, seq, self.trust)
        entry = ChainEntry(
            event_class,
            seq,
            header["time"],
            header["data"],
            tuple(header["pd"]),
            record_hash(stored_event.state),
        )
        return _event_of(case_id, entry)
