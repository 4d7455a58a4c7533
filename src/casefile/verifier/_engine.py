"""The verification state machine over one case's record stream.

Verification steps are numbered as in docs/FORMAT.md §8 and each is marked
with its number where it is made. V1, V2 and the signature arithmetic of V9 run per
record in :mod:`casefile.verifier._parse` (possibly in other processes); the
steps that relate a record to its predecessors, to the trust store and to
the disclosures run here, in order, the signer's (V6 to V9) through
:mod:`casefile.verifier._signer`.

This module does no I/O: records, disclosures and the checkpoint arrive as
bytes, and the time of verification is a parameter.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from casefile.errors import (
    ActorError,
    BrokenLinkError,
    DisclosureError,
    MalformedRecordError,
    RepeatedCommitmentError,
    SequenceError,
    UnknownSchemaError,
    VerificationError,
    WrongCaseError,
)
from casefile.findings import Finding
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._commitments import AnyDisclosure
from casefile.signing._merkle import MerkleAccumulator
from casefile.signing._records import ZERO_HASH
from casefile.signing._trust import TrustStore
from casefile.verifier._actor import ACTOR_TYPES, ActorCheck
from casefile.verifier._checkpoints import check_checkpoint
from casefile.verifier._disclosures import DisclosureCursor, shown_name
from casefile.verifier._parse import Parsed
from casefile.verifier._payloads import CORRECTION_TYPE, PayloadSchemas, RecordTypes
from casefile.verifier._pool import parse_stream
from casefile.verifier._signer import SignerCheck
from casefile.verifier._texts import TextAhead
from casefile.verifier._verified import VerifiedRecord

__all__ = ["DEFAULT_CLOCK_SKEW_NS", "CaseVerification"]

#: Record times may run this far ahead of ``at`` before a finding is raised.
DEFAULT_CLOCK_SKEW_NS = 5 * 60 * 10**9


@dataclass(slots=True)
class CaseVerification:
    """Checks one case's records in order; raises or reports each failure.

    ``on_error`` receives every :class:`VerificationError`; the raising form
    passes a function that re-raises, the report form one that collects and
    lets the walk go on (resynchronising on the record as it stands).
    """

    trust: TrustStore
    at: int
    on_error: Callable[[VerificationError], None]
    case_id: uuid.UUID | None = None
    known_types: Mapping[str, frozenset[int]] | None = None
    clock_skew_ns: int = DEFAULT_CLOCK_SKEW_NS
    #: Payload schemas (V10): when given, a type without one is unknown and
    #: every payload must fit its schema (checked per record in _parse).
    payloads: PayloadSchemas | None = None
    findings: list[Finding] = field(default_factory=list)
    max_findings: int = 1000
    size: int = 0
    next_seq: int = 1
    last_hash: bytes = ZERO_HASH
    last_time: int | None = None
    #: The latest time among the records that verified: a checkpoint (V12) and a
    #: manifest (B2) cannot predate any record they cover, and record times may
    #: go backwards, so the last record's time is not always the latest.
    latest_time: int | None = None
    merkle: MerkleAccumulator = field(default_factory=MerkleAccumulator)
    withheld: int = 0
    # V14: every commitment of the records that verified. It grows with the
    # case's personal fields (its legitimate content), never with records
    # that failed: nothing derived from those is kept.
    commitments: set[bytes] = field(default_factory=set)
    #: Key ids whose signature counted for the checkpoint (V12), once checked.
    checkpoint_signers: frozenset[bytes] = frozenset()
    #: Set by a caller whose record stream ended on a framing fault (V1): the
    #: records after it cannot be delimited, so the checks that need them all
    #: (V13's size and root, V11's disclosures of later records) would only
    #: restate that fault, and are not made.
    unread_tail: bool = False
    actors: ActorCheck = field(default_factory=ActorCheck)
    # The case id as text, worked out once.
    _label: str | None = None
    _types: RecordTypes = field(default_factory=RecordTypes)
    _signers: SignerCheck = field(init=False)

    def __post_init__(self) -> None:
        self._signers = SignerCheck(self.trust)

    @property
    def case_label(self) -> str | None:
        if self._label is None and self.case_id is not None:
            self._label = str(self.case_id)
        return self._label

    def fail(self, exc: VerificationError) -> None:
        self.on_error(exc)

    def note(self, finding: Finding) -> None:
        if len(self.findings) < self.max_findings:
            self.findings.append(finding)

    def run(
        self,
        records: Iterable[bytes],
        *,
        disclosures: Iterable[AnyDisclosure] = (),
        workers: int = 1,
        with_data: bool = True,
    ) -> Iterator[VerifiedRecord]:
        # V11's text disclosures are worked out ahead in worker processes when
        # their words are many; the walk still compares each outcome in order.
        texts = TextAhead(disclosures, workers)
        try:
            yield from self._walk(records, DisclosureCursor(texts), workers, with_data)
        finally:
            texts.close()

    def _walk(
        self,
        records: Iterable[bytes],
        pending: DisclosureCursor,
        workers: int,
        with_data: bool,
    ) -> Iterator[VerifiedRecord]:
        keys = {e.key_id: e.public_key.raw for e in self.trust.entries}
        for raw, item in parse_stream(records, keys, workers, with_data, self.payloads):
            expected_seq = self.next_seq
            if len(item) == 3:
                message, step, stored_hash = item
                self.fail(
                    MalformedRecordError(
                        f"record at position {expected_seq}: {message}",
                        case_id=self.case_label,
                        seq=expected_seq,
                        step=step,
                    )
                )
                # Nothing else of it can be checked, but the chain and the tree
                # are over stored bytes (V5, V13 use its record hash), so an
                # intact chain around it reports this record alone.
                leaf = _unusable_leaf(expected_seq) if stored_hash is None else stored_hash
                # Its disclosures cannot be compared with commitments that could not be
                # read; they are taken here (their order still checked), so that the
                # next record does not report them as out of order (§9.7.2).
                if pending.due(expected_seq):
                    self._disclosures(pending, expected_seq, None, self.case_label)
                if self.payloads is not None:
                    self._types.note_unreadable(expected_seq)
                self.size += 1
                self.next_seq += 1
                self.last_hash = leaf
                self.merkle.append(leaf)
                continue
            verified = self._check(item, raw, pending)
            if verified is not None:
                yield verified
        # V11: disclosures left over name records that do not exist.
        for d in pending.rest():
            if self.unread_tail:
                continue  # they may name records that could not be read
            self.fail(
                DisclosureError(
                    f"disclosure {shown_name(d.name)} names record {d.seq}, beyond the last record",
                    case_id=self.case_label,
                    seq=d.seq,
                    step="V11",
                )
            )
        if self.size == 0:
            self.fail(SequenceError("the case has no records", case_id=self.case_label, step="V4"))
        if self.withheld:
            self.note(Finding("withheld_fields", f"{self.withheld} personal field(s) withheld"))
        for finding in self.actors.findings():
            self.note(finding)

    def _check(self, p: Parsed, raw: bytes, pending: DisclosureCursor) -> VerifiedRecord | None:
        case, seq, prev, etype, schema, time_ns, key_id, data, pd, rhash, fault, sig_ok = p
        ok = True
        # V3: the record belongs to this case.
        if self.case_id is None:
            self.case_id = uuid.UUID(bytes=case)
        elif case != self.case_id.bytes:
            ok = False
            self.fail(
                WrongCaseError(
                    f"record of case {uuid.UUID(bytes=case)} spliced into this case",
                    case_id=self.case_label,
                    seq=seq,
                    step="V3",
                )
            )
        label = self.case_label
        # V4: sequence numbers run 1, 2, 3, ... with no gap, duplicate or reordering.
        # A mismatch is reported at the sequence number expected there; the
        # walk then resynchronises on the record's own number, so that one
        # dropped record is one error, not one per record after it.
        expected_seq = self.next_seq
        if seq != expected_seq:
            ok = False
            what = "duplicate or reordered" if seq < expected_seq else "records missing before it"
            self.fail(
                SequenceError(
                    f"found sequence number {seq} where {expected_seq} was expected ({what})",
                    case_id=label,
                    seq=expected_seq,
                    step="V4",
                )
            )
        self.next_seq = seq + 1
        # V5: the link to the predecessor.
        if prev != self.last_hash:
            ok = False
            self.fail(
                BrokenLinkError(
                    "previous-record hash does not match the record before it",
                    case_id=label,
                    seq=seq,
                    step="V5",
                )
            )
        # V6 to V9: the signer's key, its window, its role and the signature.
        entry, signer_ok = self._signers.check(
            key_id, etype, time_ns, sig_ok, self.fail, label, seq
        )
        ok = ok and signer_ok
        # V10: only registered event types and schema versions.
        if self.known_types is not None and schema not in self.known_types.get(etype, ()):
            ok = False
            self.fail(
                UnknownSchemaError(
                    f"event type {etype!r} schema {schema} is not registered",
                    case_id=label,
                    seq=seq,
                    step="V10",
                )
            )
        # V10: the payload fits its type's schema: declared fields only, each of its
        # type, and only declared personal-field names (FORMAT.md §10).
        elif self.payloads is not None:
            if (etype, schema) not in self.payloads:
                fault = f"event type {etype!r} schema {schema} has no payload schema"
            elif fault is None and etype == CORRECTION_TYPE:
                # A correction's fields fit the record it corrects (§10.4).
                fault = self._types.check_correction(self.payloads, seq, data, pd)
                if fault is not None:
                    fault = f"payload of {etype!r} does not fit the record it corrects at {fault}"
            else:
                fault = fault and f"payload of {etype!r} schema {schema} does not fit at {fault}"
            if fault is not None:
                ok = False
                self.fail(UnknownSchemaError(fault, case_id=label, seq=seq, step="V10"))
        if self.payloads is not None:
            self._types.note(seq, etype, schema, has_schema=(etype, schema) in self.payloads)
        # V11: disclosures for this record match their commitments.
        if pending.due(seq):
            disclosed = self._disclosures(pending, seq, pd, label)
            if disclosed is None:
                ok = False
                disclosed = {}
        else:
            disclosed = {}
        # V15: the actor a record names holds its key (verifier/_actor.py).
        if ok and entry is not None and schema in ACTOR_TYPES.get(etype, ()):
            problem = self.actors.check(seq, etype, data, entry.holder)
            if problem is not None:
                ok = False
                self.fail(ActorError(f"{etype}: {problem}", case_id=label, seq=seq, step="V15"))
        # V14: no commitment repeats another of the case (checked for records
        # that passed the steps above, V15 included, which alone add to the set).
        if ok and pd and not self._unique_commitments(pd, seq, label):
            ok = False
        if ok:
            self.actors.keep(seq)  # only a record that passed every step counts for V15
        self.size += 1
        self.last_hash = rhash
        self.merkle.append(rhash)
        if not ok or entry is None or self.case_id is None:
            return None
        # Findings, withheld fields and the last time come from verified
        # records only: nothing derived from a failed record is kept or shown.
        self.withheld += len(pd) - len(disclosed)
        if time_ns > self.at + self.clock_skew_ns:
            self.note(Finding("time_after_verification", "record time is in the future", seq))
        if self.last_time is not None and time_ns < self.last_time:
            self.note(Finding("time_went_backwards", "record time precedes its predecessor's", seq))
        self.last_time = time_ns
        if self.latest_time is None or time_ns > self.latest_time:
            self.latest_time = time_ns
        return VerifiedRecord(
            self.case_id, seq, etype, schema, time_ns, entry, data or {}, pd, disclosed, rhash, raw
        )

    def _unique_commitments(self, pd: Mapping[str, bytes], seq: int, label: str | None) -> bool:
        seen = self.commitments
        repeated = sorted(name for name, value in pd.items() if value in seen)
        if not repeated and len(set(pd.values())) == len(pd):
            seen.update(pd.values())
            return True
        counts = Counter(pd.values())
        within = sorted(name for name, value in pd.items() if counts[value] > 1)
        names = ", ".join(shown_name(n) for n in (repeated or within)[:5])
        self.fail(
            RepeatedCommitmentError(
                f"commitment of field(s) {names} repeats another commitment of the case "
                "(a reused salt reveals that the withheld values are equal)",
                case_id=label,
                seq=seq,
                step="V14",
            )
        )
        return False

    def _disclosures(
        self,
        pending: DisclosureCursor,
        seq: int,
        pd: Mapping[str, bytes] | None,
        label: str | None,
    ) -> dict[str, Any] | None:
        failed = False

        def refuse(d: AnyDisclosure, problem: str, fails_record: bool) -> None:
            nonlocal failed
            failed = failed or fails_record
            self.fail(
                DisclosureError(
                    f"disclosure {shown_name(d.name)} {problem}",
                    case_id=label,
                    seq=d.seq,
                    step="V11",
                )
            )

        disclosed = pending.match(seq, pd, self.case_id, refuse)
        return None if failed else disclosed

    def check_checkpoint(self, note: bytes | str) -> Checkpoint | None:
        """V12 and V13 against the records walked so far."""
        return check_checkpoint(self, note)


def _unusable_leaf(position: int) -> bytes:
    # Stand-in leaf for a record that could not be parsed, so that the Merkle
    # size keeps counting positions; the verdict is already a failure.
    return position.to_bytes(32, "big")
