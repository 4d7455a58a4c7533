"""The offline verifier: checks a handed-over case with nothing but public keys.

It depends only on the encoding and signing layers: no domain classes, no
database, no network. Two forms:

* :func:`verify_case` returns the verified case or raises the first
  :class:`~casefile.errors.VerificationError`, naming the case, the record
  sequence number and the step of docs/FORMAT.md §8 that failed;
* :func:`report_case` never raises for a failed check: it walks everything
  and lists every error and finding.

Both stream: memory stays bounded whatever the number of records (unless
``keep_records`` asks for them), and large inputs use every core. Worker
processes are forked from a single-threaded caller; a multi-threaded caller
gets fresh interpreters that run the parsing code alone, so the caller's
``__main__`` module is never run again in a worker (no
``if __name__ == "__main__":`` guard is needed). If processes cannot be
started or a worker dies, the records are verified in this process instead:
``workers=1`` asks for that from the start.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from casefile._time import instant_ns
from casefile.errors import VerificationError
from casefile.findings import Finding
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._commitments import AnyDisclosure
from casefile.signing._trust import TrustStore
from casefile.verifier._engine import DEFAULT_CLOCK_SKEW_NS, CaseVerification
from casefile.verifier._payloads import PayloadSchemas, payload_schemas
from casefile.verifier._pool import available_cores
from casefile.verifier._verified import VerifiedRecord

__all__ = [
    "MAX_REPORTED_ERRORS",
    "PayloadSchemas",
    "RecordsNotKept",
    "VerificationReport",
    "VerifiedCase",
    "VerifiedRecord",
    "iter_verified_records",
    "payload_schemas",
    "report_case",
    "verify_case",
]

#: The report form stops collecting errors past this many (memory stays bounded).
MAX_REPORTED_ERRORS = 1000


class RecordsNotKept(tuple[VerifiedRecord, ...]):
    """The ``records`` of a case verified with ``keep_records=False``: none.

    Empty like any tuple, but of its own type, so that a view built from it is
    refused (:func:`casefile.projections.build_exhibit_register` raises) instead
    of showing a case with no exhibits.
    """

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class VerifiedCase:
    """A case whose every record, disclosure and checkpoint verified."""

    case_id: uuid.UUID
    size: int
    root: bytes
    head: bytes
    records: tuple[VerifiedRecord, ...]
    checkpoint: Checkpoint | None
    findings: tuple[Finding, ...]
    signers: frozenset[bytes]


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """Everything found while walking a case, failures and findings alike."""

    verified: bool
    case_id: uuid.UUID | None
    size: int
    root: bytes | None
    checkpoint: Checkpoint | None
    errors: tuple[VerificationError, ...]
    findings: tuple[Finding, ...]
    truncated_errors: bool = False
    signers: frozenset[bytes] = field(default_factory=frozenset)


def _raise(exc: VerificationError) -> None:
    raise exc


def _workers(workers: int | None) -> int:
    # More processes than cores verify no faster, and each holds up to two chunks
    # (2 x 16 MiB): a huge count would only multiply memory and processes.
    cores = available_cores()
    return cores if workers is None else max(1, min(workers, cores))


def iter_verified_records(
    records: Iterable[bytes],
    *,
    trust: TrustStore,
    at: int | datetime.datetime,
    case_id: uuid.UUID | None = None,
    disclosures: Iterable[AnyDisclosure] = (),
    checkpoint: bytes | str | None = None,
    known_types: Mapping[str, frozenset[int]] | None = None,
    payloads: PayloadSchemas | None = None,
    workers: int | None = None,
    clock_skew_ns: int = DEFAULT_CLOCK_SKEW_NS,
) -> Iterator[VerifiedRecord]:
    """Yield each record once verified; raise at the first failure.

    The checkpoint (V12, V13) is checked after the last record: a consumer
    must exhaust the iterator before treating what it saw as complete.
    """
    walk = CaseVerification(
        trust, instant_ns(at, "at"), _raise, case_id, known_types, clock_skew_ns, payloads=payloads
    )
    yield from walk.run(records, disclosures=disclosures, workers=_workers(workers))
    if checkpoint is not None:
        walk.check_checkpoint(checkpoint)


def verify_case(
    records: Iterable[bytes],
    *,
    trust: TrustStore,
    at: int | datetime.datetime,
    case_id: uuid.UUID | None = None,
    disclosures: Iterable[AnyDisclosure] = (),
    checkpoint: bytes | str | None = None,
    known_types: Mapping[str, frozenset[int]] | None = None,
    payloads: PayloadSchemas | None = None,
    workers: int | None = None,
    keep_records: bool = True,
    clock_skew_ns: int = DEFAULT_CLOCK_SKEW_NS,
) -> VerifiedCase:
    """Verify a case's records (in stored order); return it or raise.

    ``payloads`` (for instance :func:`payload_schemas`, casefile's own) makes
    V10 check every payload against its type's schema; ``known_types`` alone
    checks only the type names. ``at`` is the time of verification (ns since
    the epoch, UTC, or an aware datetime); ``workers``
    defaults to every available core; ``keep_records=False`` keeps memory flat
    for very large cases by returning only the summary.
    """
    walk = CaseVerification(
        trust, instant_ns(at, "at"), _raise, case_id, known_types, clock_skew_ns, payloads=payloads
    )
    kept: list[VerifiedRecord] = []
    signers: set[bytes] = set()
    walked = walk.run(
        records, disclosures=disclosures, workers=_workers(workers), with_data=keep_records
    )
    for rec in walked:
        signers.add(rec.signer.key_id)
        if keep_records:
            kept.append(rec)
    verified_checkpoint = walk.check_checkpoint(checkpoint) if checkpoint is not None else None
    if walk.case_id is None:  # unreachable: run() fails an empty case
        raise VerificationError("the case has no records")
    return VerifiedCase(
        case_id=walk.case_id,
        size=walk.size,
        root=walk.merkle.root(),
        head=walk.last_hash,
        records=tuple(kept) if keep_records else RecordsNotKept(),
        checkpoint=verified_checkpoint,
        findings=tuple(walk.findings),
        signers=frozenset(signers),
    )


def report_case(
    records: Iterable[bytes],
    *,
    trust: TrustStore,
    at: int | datetime.datetime,
    case_id: uuid.UUID | None = None,
    disclosures: Iterable[AnyDisclosure] = (),
    checkpoint: bytes | str | None = None,
    known_types: Mapping[str, frozenset[int]] | None = None,
    payloads: PayloadSchemas | None = None,
    workers: int | None = None,
    clock_skew_ns: int = DEFAULT_CLOCK_SKEW_NS,
) -> VerificationReport:
    """Walk the whole case and list every error and finding; never raises for them."""
    errors: list[VerificationError] = []
    overflow = False

    def collect(exc: VerificationError) -> None:
        nonlocal overflow
        if len(errors) < MAX_REPORTED_ERRORS:
            errors.append(exc)
        else:
            overflow = True

    walk = CaseVerification(
        trust, instant_ns(at, "at"), collect, case_id, known_types, clock_skew_ns, payloads=payloads
    )
    signers = {
        rec.signer.key_id
        for rec in walk.run(
            records, disclosures=disclosures, workers=_workers(workers), with_data=False
        )
    }
    verified_checkpoint = walk.check_checkpoint(checkpoint) if checkpoint is not None else None
    return VerificationReport(
        verified=not errors and not overflow,
        case_id=walk.case_id,
        size=walk.size,
        root=walk.merkle.root() if walk.size else None,
        checkpoint=verified_checkpoint,
        errors=tuple(errors),
        findings=tuple(walk.findings),
        truncated_errors=overflow,
        signers=frozenset(signers),
    )
