"""Loading a case: authenticate the stored records, then map registered types to events.

The chain is authenticated first (:mod:`casefile.events._chain`: every
record's framing, case, place and link, and the head's signature, which
covers every byte of every record). Only then are payloads mapped to event classes, by
registered name, and applied. Nothing is imported on the strength of a stored
string. An audit (every signature, every disclosure) is the verifier's job.

Given a way to read capture streams, a load also authenticates each stream the
case binds, the same way, and folds its exhibit records into the case's state
right after each binding (docs/FORMAT.md §12.7).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from eventsourcing.persistence import StoredEvent

from casefile.errors import (
    BrokenLinkError,
    MalformedRecordError,
    SequenceError,
    UnknownSchemaError,
    VerificationError,
)
from casefile.events._base import WITHHELD, CaseEvent
from casefile.events._capture import CaptureAttached
from casefile.events._chain import ChainEntry, authenticate_chain
from casefile.events._fold import fold_capture, ids_in_use, is_folded
from casefile.events._investigation import Investigation
from casefile.events._recording import DEFAULT_CONTEXT, CommandContext
from casefile.events._registry import EVENT_TYPES, EventRegistry
from casefile.signing._checkpoint import parse_checkpoint_body
from casefile.signing._merkle import merkle_root
from casefile.signing._note import split_note
from casefile.signing._trust import TrustStore

__all__ = [
    "event_of",
    "fold_attached",
    "investigation_of",
    "load_investigation",
]

_NO_PERSONAL: Final[Mapping[str, Any]] = {}


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
    case: Investigation,
    stream: uuid.UUID,
    seq: int,
    entries: Iterable[ChainEntry],
    *,
    attaching: bool = False,
) -> list[tuple[str, int]]:
    """Fold authenticated records of ``stream`` into ``case`` as of its record ``seq``.

    ``entries`` are the records the binding at ``seq`` attaches; returns the
    findings of the fold (:func:`~casefile.events._fold.fold_capture`).
    ``attaching`` (the centre's A7) raises :class:`ValueError` for a person or
    statement id that is not the capture's own (§12.1); a load notes each
    stream's ids and never refuses on them.
    """
    case_id = case.id
    entries = tuple(entries)
    taken = ids_in_use(case, stream, ((e.event_class, e.data) for e in entries))
    if attaching and taken:
        raise ValueError(
            f"person or statement id {taken[0]} is not the capture's own: the case or "
            "another capture holds it, or no record of the capture brought it in"
        )
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
            # The case's chain (its head signed) holds each binding, whose checkpoint
            # root below commits to every byte bound: the device key's signature adds
            # nothing, and a revocation of that key after the attach must not make
            # the case unloadable.
            chain = authenticate_chain(
                stream, stored, self._trust, registry=self._registry, head=False
            )
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
