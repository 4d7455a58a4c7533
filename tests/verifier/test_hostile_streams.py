"""Hostile and faulty record streams: report only what is wrong, keep nothing from failed records.

A record that fails V1 or V2 still has a record hash over its stored bytes, so
an intact chain around it is reported as one error, not as invented V5/V13
follow-ons. Records that fail verification leave nothing behind: memory stays
flat however many of them there are. A commitment repeated within a case
(a reused salt) fails V14.
"""

from __future__ import annotations

import hashlib
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _casebuilder import AT, NAMESPACE, T0, CaseBuilder, World
from casefile.encoding import encode
from casefile.errors import RepeatedCommitmentError
from casefile.signing._checkpoint import Checkpoint, sign_checkpoint
from casefile.signing._commitments import commit
from casefile.signing._merkle import merkle_root
from casefile.signing._records import ZERO_HASH, record_hash, seal_record, signing_input
from casefile.verifier import PayloadSchemas, payload_schemas, report_case, verify_case

WORLD = World()
CASE_ID = uuid.UUID(int=4242)
LOG_NAME = "test.police.uk/log"


def _header(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "v": 2,
        "case": CASE_ID.bytes,
        "seq": 1,
        "prev": ZERO_HASH,
        "type": "note.added",
        "schema": 1,
        "time": T0 + 10**9,
        "key": WORLD.alice.public_key.key_id,
        "data": {},
        "pd": {},
    }
    fields.update(changes)
    return fields


def _signed(header: dict[str, Any]) -> bytes:
    header_bytes = encode(header)
    return encode({"rec": header_bytes, "sig": WORLD.alice.sign(signing_input(header_bytes))})


# Stored bytes that fail V1 (framing) or V2 (header), each signed where it can be.
MALFORMED: dict[str, Callable[[int, bytes], bytes]] = {
    "V1 garbage": lambda seq, prev: b"\xc1 not a record",
    "V1 non-canonical": lambda seq, prev: b"\xd9\x03abc",
    "V1 wrong map": lambda seq, prev: encode({"rec": b"x", "sig": b"y" * 64, "z": 1}),
    "V2 version": lambda seq, prev: _signed(_header(v=3, seq=seq, prev=prev)),
    "V2 version 1": lambda seq, prev: _signed(_header(v=1, seq=seq, prev=prev)),
    "V2 extra entry": lambda seq, prev: _signed(_header(seq=seq, prev=prev, extra=1)),
}


def _case_with_malformed(n: int, position: int, how: str) -> tuple[list[bytes], str]:
    """``n`` records whose record ``position`` is malformed stored bytes, chained over as stored."""
    records: list[bytes] = []
    prev = ZERO_HASH
    for seq in range(1, n + 1):
        if seq == position:
            raw = MALFORMED[how](seq, prev)
        else:
            raw = seal_record(
                case_id=CASE_ID,
                seq=seq,
                prev=prev,
                event_type="note.added",
                schema=1,
                time_ns=T0 + seq * 10**9,
                data={},
                signer=WORLD.alice if seq % 2 else WORLD.bob,
            ).raw
        records.append(raw)
        prev = record_hash(raw)
    root = merkle_root([record_hash(r) for r in records])
    note = sign_checkpoint(Checkpoint(f"{NAMESPACE}/{CASE_ID}", n, root), LOG_NAME, WORLD.log)
    return records, note


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 12),
    data=st.data(),
    how=st.sampled_from(sorted(MALFORMED)),
)
def test_malformed_record_in_an_intact_chain_is_the_only_error(
    n: int, data: st.DataObject, how: str
) -> None:
    # The first record names the case; a malformed one there leaves none to compare.
    position = data.draw(st.integers(2, n), label="position")
    records, note = _case_with_malformed(n, position, how)
    report = report_case(
        records, trust=WORLD.trust, at=AT, case_id=CASE_ID, checkpoint=note, workers=1
    )
    assert [(e.step, e.seq) for e in report.errors] == [(how[:2], position)]
    assert report.size == n
    assert report.checkpoint is not None  # V13 holds: the root is over the stored bytes


def test_malformed_record_that_also_breaks_the_chain_reports_the_break() -> None:
    records, note = _case_with_malformed(5, 3, "V1 garbage")
    records[2] = b"\xc1 other garbage"  # not the bytes record 4 links to
    report = report_case(
        records, trust=WORLD.trust, at=AT, case_id=CASE_ID, checkpoint=note, workers=1
    )
    assert [(e.step, e.seq) for e in report.errors] == [("V1", 3), ("V5", 4), ("V13", None)]


# --- memory under records that fail ------------------------------------------------


def _forged(n: int) -> Iterator[bytes]:
    """Framed records naming a trusted key, a new type each, with a signature that fails."""
    for i in range(n):
        header = _header(seq=i + 1, type=f"forged.t{i}", time=T0 + i, data={"pad": "x" * 64})
        yield encode({"rec": encode(header), "sig": bytes(64)})


def _garbage(n: int) -> Iterator[bytes]:
    for i in range(n):
        yield hashlib.sha256(i.to_bytes(8, "big")).digest() * 4


def _peak(records: Callable[[], Iterator[bytes]], payloads: PayloadSchemas | None = None) -> int:
    tracemalloc.start()
    try:
        report = report_case(
            records(), trust=WORLD.trust, at=AT, case_id=CASE_ID, workers=1, payloads=payloads
        )
        assert not report.verified
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("source", [_forged, _garbage], ids=["forged", "garbage"])
def test_records_failing_verification_do_not_grow_memory(
    source: Callable[[int], Iterator[bytes]],
) -> None:
    small = _peak(lambda: source(3_000))
    large = _peak(lambda: source(30_000))
    # Ten times the failing records, about the same peak (the report keeps
    # its capped list of errors; nothing else derived from them is held).
    assert large < small * 1.3 + (256 << 10), (small, large)


def test_types_of_records_failing_verification_are_not_kept_by_payload_checks() -> None:
    # With payload schemas, V10 remembers each record's type so that a later
    # correction can be checked against it; a forged record's type must not be
    # remembered, or each new type name of a hostile stream costs memory.
    payloads = payload_schemas()
    small = _peak(lambda: _forged(3_000), payloads)
    large = _peak(lambda: _forged(30_000), payloads)
    assert large < small * 1.3 + (256 << 10), (small, large)


def test_findings_come_only_from_records_that_verified() -> None:
    case = CaseBuilder(CASE_ID)
    case.add(WORLD.alice, time_ns=T0 + 10 * 10**9)
    # Claims a far-future time but its signature fails: its time is not a finding.
    forged = _header(seq=2, prev=case.head, time=AT + 10**18)
    report = report_case(
        [*case.records, encode({"rec": encode(forged), "sig": bytes(64)})],
        trust=WORLD.trust,
        at=AT,
        workers=1,
        disclosures=case.disclosures,
    )
    assert [e.step for e in report.errors] == ["V9"]
    assert report.findings == ()


# --- V14: commitments are unique within a case ------------------------------------


def _person(seq: int) -> dict[str, Any]:
    # A record that commits personal fields: a person joining the case.
    return {"person_id": uuid.UUID(int=seq).bytes, "role": "witness"}


def _case_with_commitments(*pds: dict[str, bytes]) -> list[bytes]:
    records: list[bytes] = []
    prev = ZERO_HASH
    for seq, pd in enumerate(pds, start=1):
        rec = seal_record(
            case_id=CASE_ID,
            seq=seq,
            prev=prev,
            event_type="person.added",
            schema=1,
            time_ns=T0 + seq * 10**9,
            data=_person(seq),
            signer=WORLD.alice,
            commitments=pd,
        )
        records.append(rec.raw)
        prev = rec.hash
    return records


SALT = b"s" * 16


def test_salt_reused_across_records_is_rejected_at_v14() -> None:
    # Two records committing the same value under one salt carry one commitment:
    # anyone comparing them learns that the two withheld values are equal.
    same = commit("name", SALT, "Jane Doe")
    records = _case_with_commitments(
        {"name": same},
        {"date_of_birth": commit("date_of_birth", SALT + b"1", "1990")},
        {"name": same},
    )
    with pytest.raises(RepeatedCommitmentError) as caught:
        verify_case(records, trust=WORLD.trust, at=AT, workers=1)
    assert (caught.value.step, caught.value.seq) == ("V14", 3)
    assert "'name'" in caught.value.message


def test_commitment_repeated_within_one_record_is_rejected_at_v14() -> None:
    same = bytes(range(32))
    records = _case_with_commitments({"address": same, "name": same})
    report = report_case(records, trust=WORLD.trust, at=AT, workers=1)
    assert [(e.step, e.seq) for e in report.errors] == [("V14", 1)]


def test_commitments_of_a_record_that_failed_do_not_count_for_v14() -> None:
    same = commit("name", SALT, "Jane Doe")
    # The first record's signature is destroyed: only its own failure (V9) is
    # reported, and its commitment is not held against the second record. The
    # chain still links, since the second record links to the stored bytes.
    header = _header(type="person.added", data=_person(1), pd={"name": same})
    first = encode({"rec": encode(header), "sig": bytes(64)})
    second = seal_record(
        case_id=CASE_ID,
        seq=2,
        prev=record_hash(first),
        event_type="person.added",
        schema=1,
        time_ns=T0 + 2 * 10**9,
        data=_person(2),
        signer=WORLD.alice,
        commitments={"name": same},
    ).raw
    report = report_case([first, second], trust=WORLD.trust, at=AT, workers=1)
    assert [(e.step, e.seq) for e in report.errors] == [("V9", 1)]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([bytes([i]) * 32 for i in range(4)]), min_size=1, max_size=8))
def test_any_repeated_commitment_is_found_wherever_it_is(values: list[bytes]) -> None:
    pds = [{"name": v} for v in values]
    records = _case_with_commitments(*pds)
    report = report_case(records, trust=WORLD.trust, at=AT, workers=1)
    first_seen: set[bytes] = set()
    expected = []
    for seq, v in enumerate(values, start=1):
        if v in first_seen:
            expected.append(("V14", seq))
        first_seen.add(v)
    assert [(e.step, e.seq) for e in report.errors] == expected
