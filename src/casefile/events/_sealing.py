"""Sealing an investigation's pending events into signed, chained records.

Each pending event becomes one record of the core format (FORMAT.md §3),
signed by the acting officer's key: its ``seq`` is the event's version, its
``prev`` the hash of the record before it (the aggregate's chain head for the
first), its ``type`` the registered name. Personal fields and texts are
committed in the record (value and text commitments, FORMAT.md §4 and §4.1)
and returned apart as full disclosures, to be stored beside the records in
the same transaction. The acting key is checked against the trust store first,
so nothing is written that a verifier holding the same store would reject:
its roles and validity (V6-V8), and that every actor a record names is the
key's holder or is said to be acted for by the holder (V15).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from eventsourcing.persistence import StoredEvent

from casefile._time import ns_to_rfc3339
from casefile.errors import ActorMismatchError, RepeatedSaltError, UnauthorisedSignerError
from casefile.events._base import CaseEvent
from casefile.events._investigation import Investigation
from casefile.signing._commitments import Disclosure, commit_fields
from casefile.signing._keys import Signer
from casefile.signing._records import seal_record
from casefile.signing._text import TextDisclosure
from casefile.signing._trust import TrustEntry, TrustStore
from casefile.verifier._actor import ACTOR_TYPES, actor_problem

__all__ = ["SealedBatch", "check_actors", "check_signer", "seal_events"]

_NO_COMMITMENTS: Final[dict[str, bytes]] = {}
_NO_TEXTS: Final[dict[str, str]] = {}


@dataclass(frozen=True, slots=True)
class SealedBatch:
    """Records sealed from one save: stored events in order, their disclosures, the new head."""

    case_id: uuid.UUID
    stored_events: list[StoredEvent]
    #: Full disclosures of every value and text committed, by record in order.
    disclosures: list[Disclosure | TextDisclosure]
    last_seq: int
    head: bytes
    #: The commitments of the sealed records (for :meth:`Investigation.mark_sealed`).
    commitments: frozenset[bytes] = frozenset()


def check_signer(trust: TrustStore, key_id: bytes, event_type: str, time_ns: int) -> TrustEntry:
    """The trust entry of ``key_id`` if it may sign ``event_type`` at ``time_ns``; else raise."""
    entry = trust.get(key_id)
    if entry is None:
        raise UnauthorisedSignerError(
            f"key {key_id.hex()[:16]}… is not in the trust store: it may not sign records"
        )
    if not entry.valid_at(time_ns):
        raise UnauthorisedSignerError(
            f"key of {entry.name} is not valid at {ns_to_rfc3339(time_ns)} "
            "(outside its window or revoked)"
        )
    required = trust.policy.roles_for(event_type)
    if entry.roles.isdisjoint(required):
        raise UnauthorisedSignerError(
            f"key of {entry.name} lacks a role for {event_type!r} (needs one of {sorted(required)})"
        )
    return entry


def check_actors(entry: TrustEntry, events: Sequence[CaseEvent]) -> None:
    """Raise :class:`ActorMismatchError` if an event names an actor ``entry`` may not sign for.

    The rule is the verifier's (V15): ``by`` is the key's holder, or
    ``recorded_by`` is and ``by`` is someone else, acted for.
    """
    for event in events:
        if event.SCHEMA in ACTOR_TYPES.get(event.TYPE, ()):
            # The event's own fields: by and recorded_by are already in record form.
            problem = actor_problem(event.TYPE, vars(event), entry.holder)
            if problem is not None:
                raise ActorMismatchError(
                    f"record {event.originator_version} ({event.TYPE}) {problem}: "
                    "record it in a session of the acting officer's key, or say it is "
                    "made on their behalf"
                )


def seal_events(
    case: Investigation,
    events: Sequence[CaseEvent],
    signer: Signer,
    *,
    trust: TrustStore,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> SealedBatch:
    """Seal ``events`` (the case's pending events, in order) with ``signer``.

    Raises :class:`UnauthorisedSignerError` before signing anything if the
    trust store would not accept the key for one of the events (its subclass
    :class:`ActorMismatchError` if an event names an actor the key's holder
    may not sign for), and
    ``EncodeError`` if a value lies outside the canonical profile.
    """
    case_id = case.id
    key_id = signer.public_key.key_id
    seq = case.sealed_version
    # The key's validity is one interval, so the earliest and latest times
    # decide it for the batch; roles are decided once per event type.
    first_of_type: dict[str, int] = {}
    earliest = latest = events[0].time_ns if events else 0
    for event in events:
        seq += 1
        if event.originator_id != case_id or event.originator_version != seq:
            raise ValueError(
                f"event {event.originator_version} of {event.originator_id} is not the next "
                f"pending event ({seq}) of case {case_id}"
            )
        first_of_type.setdefault(event.TYPE, event.time_ns)
        when = event.time_ns
        if when < earliest:
            earliest = when
        elif when > latest:
            latest = when
    for event_type, when in first_of_type.items():
        check_signer(trust, key_id, event_type, when)
    if events:
        check_signer(trust, key_id, events[0].TYPE, earliest)
        entry = check_signer(trust, key_id, events[0].TYPE, latest)
        check_actors(entry, events)
    stored: list[StoredEvent] = []
    disclosures: list[Disclosure | TextDisclosure] = []
    prev = case.head
    # No commitment may repeat one of the case (V14): those of this batch are
    # checked against each other and against every one already stored.
    stored_commitments = case.commitments
    used: set[bytes] = set()
    for event in events:
        seq = event.originator_version
        commitments = _NO_COMMITMENTS
        texts = event.text_values() if event.TEXT_FIELDS else _NO_TEXTS
        if event.personal or texts:
            commitments, disclosed = commit_fields(
                case_id, seq, event.personal, texts=texts, random_bytes=random_bytes, used=used
            )
            if not stored_commitments.isdisjoint(commitments.values()):
                raise RepeatedSaltError(
                    f"random_bytes repeated a salt (record {seq}): a commitment would repeat "
                    "one already stored, showing that two withheld values are equal"
                )
            disclosures.extend(disclosed)
        sealed = seal_record(
            case_id=case_id,
            seq=seq,
            prev=prev,
            event_type=event.TYPE,
            schema=event.SCHEMA,
            time_ns=event.time_ns,
            data=event.to_data(),
            signer=signer,
            commitments=commitments,
        )
        stored.append(
            StoredEvent(
                originator_id=case_id,
                originator_version=seq,
                topic=event.TYPE,
                state=sealed.raw,
            )
        )
        prev = sealed.hash
    last = seq if events else case.sealed_version
    return SealedBatch(case_id, stored, disclosures, last, prev, frozenset(used))
