"""eventsourcing's mapper seam for investigation records, closed to import paths."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent

from casefile.errors import MalformedRecordError, SequenceError, UnknownSchemaError, WrongCaseError
from casefile.events._base import CaseEvent
from casefile.events._chain import ChainEntry, authenticate_record, record_header
from casefile.events._loading import event_of
from casefile.events._registry import EVENT_TYPES, EventRegistry
from casefile.signing._records import record_hash
from casefile.signing._trust import TrustStore

__all__ = ["RecordMapper"]


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
        header = record_header(stored_event.state, case_id, seq)
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
            authenticate_record(stored_event.state, case_id, seq, self.trust)
        entry = ChainEntry(
            event_class,
            seq,
            header["time"],
            header["data"],
            tuple(header["pd"]),
            record_hash(stored_event.state),
        )
        return event_of(case_id, entry)
