"""The application's notification log, as eventsourcing's followers and projections read it.

A projection runner (``eventsourcing.projection``) or a follower turns each
stored notification into a domain event with the application's mapper, one at
a time and out of its case's chain, so the mapper must authenticate each
record on its own (its key, its role, its signature) before its payload
becomes a domain event.
"""

from __future__ import annotations

import hashlib
import uuid

import pytest

from _casebuilder import commitment_flipped
from application.conftest import OFFICER, T0, Tamper
from casefile.application import CasefileApp
from casefile.errors import BadSignatureError, UnknownKeyError
from casefile.events import CaseEvent, NoteAdded
from casefile.signing._commitments import commit_fields
from casefile.signing._keys import InMemorySigner
from casefile.signing._records import parse_record, seal_record

FORGER = InMemorySigner(hashlib.sha256(b"casefile-app-test:forger").digest())


def _case_with_note(app: CasefileApp) -> tuple[uuid.UUID, int]:
    case_id = app.open_case(OFFICER, offence="Theft", channel="phone", reference="01YE0000126")
    return case_id, app.add_note(case_id, OFFICER, text="Victim called back.")


def _followed(app: CasefileApp, limit: int = 10) -> list[CaseEvent]:
    """What a follower or projection runner makes of the log: the mapper's events."""
    return [
        app.mapper.to_domain_event(n)  # type: ignore[misc]
        for n in app.notification_log.select(start=1, limit=limit)
    ]


def test_the_notification_log_maps_authentic_records(app: CasefileApp) -> None:
    _case_with_note(app)
    assert [type(e).__name__ for e in _followed(app)] == ["CaseOpened", "NoteAdded"]


def test_a_forged_record_never_reaches_a_follower(app: CasefileApp, tamper: Tamper) -> None:
    case_id, seq = _case_with_note(app)
    stored = app.recorder.select_events(case_id)
    original = parse_record(stored[-1].state).header
    forged = seal_record(
        case_id=original.case_id,
        seq=seq,
        prev=original.prev,
        event_type="note.added",
        schema=1,
        time_ns=T0,
        data={},
        signer=FORGER,
        commitments=commit_fields(case_id, seq, {}, texts={"text": "Suspect confessed."})[0],
    )
    tamper(app, case_id, seq, state=forged.raw)
    with pytest.raises(UnknownKeyError) as caught:
        _followed(app)
    assert caught.value.seq == seq


def test_a_record_with_a_changed_payload_never_reaches_a_follower(
    app: CasefileApp, tamper: Tamper
) -> None:
    case_id, seq = _case_with_note(app)
    raw = app.recorder.select_events(case_id)[-1].state
    changed = commitment_flipped(raw, "text")
    assert changed != raw
    tamper(app, case_id, seq, state=changed)
    with pytest.raises(BadSignatureError):
        _followed(app)
    # The records before it still map: each is authenticated on its own.
    assert [type(e) for e in _followed(app, limit=1)] != [NoteAdded]
