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

Given a way to read capture streams, a load also authenticates each stream the
case binds, the same way, and folds its exhibit records into the case's state
right after each binding (docs/FORMAT.md §12.7).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

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
    VerificationError,
    WrongCaseError,
)
from casefile.events._base import WITHHELD, CaseEvent
from casefile.events._capture import CaptureAttached
from casefile.events._fold import fold_capture, is_folded
from casefile.events._investigation import Investigation
from casefile.events._recording import DEFAULT_CONTEXT, CommandContext
from casefile.events._registry import EVENT_TYPES, EventRegistry
from casefile.signing._checkpoint import parse_checkpoint_body
from casefile.signing._keys import verify_signature
from casefile.signing._merkle import merkle_root
from casefile.signing._note import split_note
from casefile.signing._records import (
    ZERO_HASH,
    parse_authenticated_record,
    parse_record,
    record_hash,
    signing_input,
)
from casefile.signing._trust import TrustStore

__all__ = [
    "ChainEntry",
    "authenticate_chain",
    "authenticate_record",
    "event_of",
    "fold_attached",
    "investigation_of",
    "load_investigation",
    "record_header",
]

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
    authenticate_record(stored[-1].state, case_id, len(stored), trust)
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


def event_of(case_id: uuid.UUID, entry: ChainEntry, seq: int | None = None) -> CaseEvent:
    """The event of an authenticated record (at ``seq`` of ``case_id``: a folded capture record)."""
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
    return cls.new(case_id, entry.seq if seq is None else seq, entry.time_ns, personal, fields)


def fold_attached(
    case: Investigation, stream: uuid.UUID, seq: int, entries: Iterable[ChainEntry]
) -> list[tuple[str, int]]:
    """Fold authenticated records of ``stream`` into ``case`` as of its record ``seq``.

    ``entries`` are the records the binding at ``seq`` attaches; returns the
    findings of the fold (:func:`~casefile.events._fold.fold_capture`).
    """
    case_id = case.id
    return fold_capture(
        case,
        stream,
        ((e.seq, event_of(case_id, e, seq)) for e in entries if is_folded(e.event_class)),
    )


class _Captures:
    """The attached streams of one case, each read and authenticated once as its load needs it."""

    def __init__(
        self,
        case_id: uuid.UUID,
        entries: Sequence[ChainEntry],
        read: Callable[[uuid.UUID], Sequence[StoredEvent]],
        trust: TrustStore,
        registry: EventRegistry,
    ) -> None:
        self._case_id = case_id
        self._read = read
        self._trust = trust
        self._registry = registry
        # The longest bound prefix of each stream: one signature authenticates it whole.
        self._sizes: dict[uuid.UUID, int] = {}
        for entry in entries:
            if entry.event_class is CaptureAttached:
                stream = uuid.UUID(bytes=entry.data["stream"])
                self._sizes[stream] = max(self._sizes.get(stream, 0), entry.data["size"])
        self._chains: dict[uuid.UUID, list[ChainEntry]] = {}

    def fold(self, case: Investigation, binding: CaptureAttached) -> None:
        stream, seq = binding.stream, binding.originator_version
        chain = self._chains.get(stream)
        if chain is None:
            size = self._sizes[stream]
            stored = self._read(stream)[:size]
            if len(stored) < size:
                raise SequenceError(
                    f"capture {stream} holds {len(stored)} records; the case binds {size}",
                    case_id=str(self._case_id),
                    seq=seq,
                )
            chain = authenticate_chain(stream, stored, self._trust, registry=self._registry)
            self._chains[stream] = chain
        bound = chain[: binding.size]
        # The records are the ones the binding's checkpoint commits to, not another
        # history signed by the same device key.
        root = parse_checkpoint_body(split_note(binding.checkpoint)[0]).root
        if merkle_root([e.hash for e in bound]) != root:
            raise BrokenLinkError(
                f"capture {stream}: the stored records are not those its binding's "
                "checkpoint commits to",
                case_id=str(self._case_id),
                seq=seq,
            )
        fold_attached(case, stream, seq, bound[binding.from_size :])


def load_investigation(
    case_id: uuid.UUID,
    stored: Sequence[StoredEvent],
    trust: TrustStore,
    *,
    registry: EventRegistry = EVENT_TYPES,
    context: CommandContext = DEFAULT_CONTEXT,
    captured: Callable[[uuid.UUID], Sequence[StoredEvent]] | None = None,
) -> Investigation:
    """Authenticate ``stored`` (routine load) and rebuild the case from it.

    ``captured`` reads the stored records of a capture stream: with it, the
    records each ``capture.attached`` binds are authenticated in their stream
    (V1-V10 as a routine load checks them, and the binding's Merkle root) and
    folded into the case's state (FORMAT.md §12.7). Without it, the case's
    state holds its own records only.
    """
    entries = authenticate_chain(case_id, stored, trust, registry=registry)
    return investigation_of(
        case_id, entries, trust, registry=registry, context=context, captured=captured
    )


def investigation_of(
    case_id: uuid.UUID,
    entries: Sequence[ChainEntry],
    trust: TrustStore,
    *,
    registry: EventRegistry = EVENT_TYPES,
    context: CommandContext = DEFAULT_CONTEXT,
    captured: Callable[[uuid.UUID], Sequence[StoredEvent]] | None = None,
) -> Investigation:
    """The case of a chain :func:`authenticate_chain` returned, as :func:`load_investigation`."""
    streams = None if captured is None else _Captures(case_id, entries, captured, trust, registry)
    first = event_of(case_id, entries[0])
    current = entries[0]
    try:
        case = first.mutate(None)
        if not isinstance(case, Investigation):
            raise TypeError("the first record must open the case")
        evolve = case._evolve
        for current in entries[1:]:
            event = event_of(case_id, current)
            evolve(event)
            if streams is not None and type(event) is CaptureAttached:
                streams.fold(case, event)
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
