"""B15 as a property: a receipt holds exactly as recorded, and any change to it fails.

The check runs over verified records built here (their hashes drawn at random), so that
hypothesis can try many histories and edits quickly; tests/bundle/test_receipts.py runs the
same check over real bundles.
"""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from _receiptcase import CPS, CPS_NAME, CPS_PERSON, ENTRIES, TRUST
from application.conftest import T0
from casefile.bundle._history import HistoryCollector
from casefile.bundle._receipts import ReceiptCheck
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._cosignature import cosign_checkpoint
from casefile.signing._merkle import merkle_root
from casefile.verifier._verified import VerifiedRecord

CASE = uuid.UUID(int=42)
ORIGIN = f"casefile.test.police.uk/{CASE}"
SECOND = 10**9


_HANDED = {"recipient": "CPS", "audience": "cps", "checkpoint": "not read by B15"}


def _record(seq: int, event_type: str, digest: bytes, data: dict[str, Any]) -> VerifiedRecord:
    schema = 2 if event_type == "case.handed_over" else 1
    return VerifiedRecord(
        case_id=CASE, seq=seq, event_type=event_type, schema=schema, time_ns=T0 + seq * SECOND,
        signer=ENTRIES[0], data=data, commitments={}, disclosed={}, hash=digest, raw=b"",
    )  # fmt: skip


def _failures(hashes: list[bytes], handover: int, data: dict[str, Any]) -> list[str]:
    records = [
        _record(seq, "case.handed_over", h, _HANDED)
        if seq == handover
        else _record(seq, "note.added", h, {})
        for seq, h in enumerate(hashes, 1)
    ]
    records.append(_record(len(hashes) + 1, "receipt.recorded", bytes(32), data))
    check, collected = ReceiptCheck(TRUST, CASE, 300 * SECOND), HistoryCollector()
    for r in records:
        check.take(r)
        collected.take(r.seq, r.event_type, r.schema, r.time_ns, r.data, r.hash)
    history = collected.history(len(records))
    note = Checkpoint(ORIGIN, len(records), bytes(32)).body() + "\n\u2014 x AAAAAAAA\n"
    return [e.message for e in check.failures(note, T0 + 10**12, None, history)]


_histories = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=12)


@st.composite
def _receipts(draw: st.DrawFn) -> tuple[list[bytes], int, dict[str, Any]]:
    hashes = draw(_histories)
    handover = draw(st.integers(1, len(hashes)))
    body = Checkpoint(ORIGIN, handover, merkle_root(hashes[:handover])).body()
    when = T0 // SECOND + handover + draw(st.integers(0, len(hashes) - handover))
    line = cosign_checkpoint(body, CPS_NAME, CPS, when).line
    data = {"by": dict(CPS_PERSON.to_data()), "checkpoint": body, "cosignature": line}
    return hashes, handover, data


@settings(max_examples=60, deadline=None)
@given(_receipts())
def test_a_receipt_as_recorded_holds(receipt: tuple[list[bytes], int, dict[str, Any]]) -> None:
    hashes, handover, data = receipt
    assert _failures(hashes, handover, data) == []


@settings(max_examples=150, deadline=None)
@given(
    _receipts(),
    st.sampled_from(["checkpoint", "cosignature"]),
    st.integers(0, 10_000),
    st.sampled_from("AZaz09+/=\n.-"),
)
def test_any_change_to_a_receipt_fails_b15(
    receipt: tuple[list[bytes], int, dict[str, Any]], field: str, position: int, char: str
) -> None:
    hashes, handover, data = receipt
    text = data[field]
    at = position % len(text)
    changed = text[:at] + char + text[at + 1 :]
    if changed == text:
        changed = text[:at] + text[at + 1 :]
    assert _failures(hashes, handover, {**data, field: changed}) != []


@settings(max_examples=60, deadline=None)
@given(_receipts(), st.integers(0, 11), st.binary(min_size=32, max_size=32))
def test_a_changed_record_before_the_receipt_fails_b15(
    receipt: tuple[list[bytes], int, dict[str, Any]], index: int, other: bytes
) -> None:
    hashes, handover, data = receipt
    index %= handover
    assume(hashes[index] != other)
    rewritten = [*hashes[:index], other, *hashes[index + 1 :]]
    (problem,) = _failures(rewritten, handover, data)
    assert "not this case's" in problem
