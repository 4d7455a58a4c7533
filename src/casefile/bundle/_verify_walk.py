"""Step B6 of docs/FORMAT.md §9.6, with B7 and the deferred part of B2: the one
pass over the records.

B6 hands the records, disclosures and checkpoint to :mod:`casefile.verifier`
(the V steps of §8); B7 holds the disclosures to the manifest's policy and
audience (:mod:`casefile.bundle._policy_check`). As each record verifies, the
later steps take what they need from it (B8's sizes, B9's custody, B11's
withheld runs, B12's records, B13-B14's hashes, B15's receipts, B16's latest
time), so the records are read once. They are streamed from the bundle and
re-hashed as they are read, so memory stays flat and a file changed after B4
still fails. A zip member whose data fails its CRC-32 is a B4 failure like a
directory file that does not match its hash: when its full length could still
be read, the walk goes on over those bytes (re-hashed against what B4 saw), as
it does for the directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from casefile.bundle._bundle_trust import manifest_key_lapsed
from casefile.bundle._history import HistoryCollector
from casefile.bundle._layout import DISCLOSURES, RECORDS
from casefile.bundle._policy_check import PolicyCheck, policy_finding
from casefile.bundle._receipts import ReceiptCheck
from casefile.bundle._redactions import RedactionLedger
from casefile.bundle._verify_captures import CaptureBindings
from casefile.bundle._verify_state import VerifyState
from casefile.bundle._views import carries_views
from casefile.errors import MalformedRecordError, ManifestError, VerificationError
from casefile.verifier._engine import CaseVerification
from casefile.verifier._pool import available_cores

__all__ = ["PROGRESS_STEP", "walk_case"]

_T = TypeVar("_T")

#: ``progress`` is called each time this many more records have been checked, and at the end.
PROGRESS_STEP = 1000


def _guard(run: VerifyState, items: Iterator[_T]) -> Iterator[_T]:
    """Pass items on; report a framing or re-hash failure (report mode) and stop there."""
    try:
        yield from items
    except VerificationError as exc:
        run.fail(exc)


def _records(run: VerifyState, walk: CaseVerification) -> Iterator[bytes]:
    """The stored records; a framing fault (V1) is reported and ends the stream."""
    try:
        yield from run.bundle.records(run.observed[RECORDS])
    except MalformedRecordError as exc:
        walk.unread_tail = True
        run.fail(exc)
    except VerificationError as exc:  # re-hashed to another digest at the end (B4)
        run.fail(exc)


def walk_case(run: VerifyState) -> None:
    """B6 (the V steps, by the verifier), B7, and the deferred part of B2."""
    manifest, store, signer = run.manifest, run.trust, run.signer
    if manifest is None or store is None or signer is None:
        return
    if RECORDS not in run.observed or DISCLOSURES not in run.observed:
        return  # already failed at B4: there is nothing to walk
    # B6: the case verifies (docs/FORMAT.md §8) and is the one the manifest names.
    # V10 with casefile's own payload schemas: every payload is declared.
    walk = CaseVerification(
        trust=store,
        at=run.at,
        on_error=run.fail,
        case_id=manifest.case_id,
        payloads=run.schemas,
    )
    checked = PolicyCheck(manifest.disclosure_policy, manifest.audience, run.label)  # B7
    ledger = run.redactions = RedactionLedger(manifest.audience)
    kept = run.kept = [] if carries_views(manifest) else None
    receipts = run.receipts = ReceiptCheck(store, manifest.case_id, walk.clock_skew_ns)  # B15
    bindings = run.captures = CaptureBindings()  # B18-B20
    next_progress = PROGRESS_STEP
    workers = available_cores() if run.workers is None else max(1, run.workers)
    records = walk.run(
        _records(run, walk),
        disclosures=checked.disclosures(
            _guard(run, run.bundle.disclosures(run.observed[DISCLOSURES])), run.fail
        ),
        workers=workers,
    )
    for record in records:
        run.used_keys.add(record.signer.key_id)
        run.custody.take(record)  # B9 reads the records that verified, as they pass
        ledger.take(record, run.schemas.text_fields(record.event_type, record.schema))  # B11
        if record.event_type == "evidence.captured":
            run.captured.note(record.data)  # B8
        checked.take(record)  # B7
        run.collected.take(  # B13, B14
            record.seq, record.event_type, record.schema, record.time_ns, record.data,
            record.hash,
        )  # fmt: skip
        receipts.take(record)  # B15
        bindings.take(record)  # B18-B20
        if kept is not None:
            kept.append(record)  # B12
        if run.latest is None or record.time_ns > run.latest[1]:
            run.latest = (record.seq, record.time_ns)  # B16
        if run.progress is not None and walk.size >= next_progress:
            run.progress(walk.size)
            next_progress = walk.size + PROGRESS_STEP
    run.checkpoint = walk.check_checkpoint(manifest.checkpoint)
    run.used_keys |= walk.checkpoint_signers
    run.records = walk.size
    if run.progress is not None:
        run.progress(walk.size)
    # (A framing fault already failed V1: the count of an unreadable tail is not known.)
    if walk.size != manifest.records and not walk.unread_tail:
        run.fail(
            ManifestError(
                f"the manifest lists {manifest.records} records, {RECORDS} holds {walk.size}",
                case_id=run.label,
                step="B6",
            )
        )
    run.findings.extend(walk.findings)
    if walk.size == manifest.records and not walk.unread_tail:
        run.history = run.collected.history(walk.size)
    run.collected = HistoryCollector()
    # B7, after B11's acts are known; with captures bound, once B21 has counted theirs.
    run.policy_left_out = checked.unexplained(ledger.withheld_whole())
    if not bindings.by_stream:
        left_out = policy_finding(run.policy_left_out, manifest.disclosure_policy)
        if left_out is not None:
            run.findings.append(left_out)
    # B2 (deferred until the records' latest time is known): as for checkpoints,
    # the manifest key must be neither expired nor revoked by the latest record.
    run.latest_time = walk.latest_time
    last = walk.latest_time if walk.latest_time is not None else run.at
    lapsed = manifest_key_lapsed(signer, last)
    if lapsed is not None:
        run.fail(ManifestError(f"manifest {lapsed}", case_id=run.label, step="B2"))
