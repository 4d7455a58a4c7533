"""Verifying a bundle: steps B1-B17 of docs/FORMAT.md §9.6, each marked below.

B17, when the verifier pins a trust root, runs first: it follows the bundle's
root chain and opens its signed trust list, which then stands as the
verifier's own trust store for every later step.

B1-B5 establish that the manifest is signed by a trusted checkpoint key and
that the files are exactly those it lists, byte for byte; B6 hands the records,
disclosures and checkpoint to :mod:`casefile.verifier` (the V steps of §8); B7
holds the disclosures to the manifest's policy and audience
(:mod:`casefile.bundle._policy_check`); B8 checks the evidence names;
B9 walks the exhibits' chains of custody, whose breaks are findings, never
errors (a court weighs a gap; a wrong hash is a failure); B10 holds the
bundle's own trust.json to what it must carry when the auditor brought keys;
B11 holds each withheld run to a signed act (:mod:`casefile.bundle._redactions`);
B13 holds each handover record to the records before it, and a bundle for an
audience to its own handover (:mod:`casefile.bundle._history`); B15 holds
recipients' receipts to the records and the checkpoint to the witness policy
(:mod:`casefile.bundle._receipts`); B16 checks the RFC 3161 token over the
checkpoint (:mod:`casefile.bundle._trusted_time`); B12, once all else passed,
rebuilds every view (:mod:`casefile.bundle._views`).
Records are streamed from the bundle and re-hashed as they are read, so memory
stays flat and a file changed after B4 still fails. A zip member whose data
fails its CRC-32 is a B4 failure like a directory file that does not match its
hash: when its full length could still be read, the walk goes on over those
bytes (re-hashed against what B4 saw), as it does for the directory.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from typing import TypeVar

from casefile._time import instant_ns
from casefile.bundle._bundle_trust import (
    check_bundle_trust,
    manifest_key_lapsed,
    manifest_signer,
)
from casefile.bundle._continuity import CustodyCollector, evidence_findings
from casefile.bundle._fixity import CapturedSizes, listed_files
from casefile.bundle._handover_steps import check_handovers
from casefile.bundle._history import CaseHistory, HistoryCollector
from casefile.bundle._layout import (
    CHECKPOINT,
    DISCLOSURES,
    EVIDENCE_DIR,
    RECORDS,
    TIMESTAMP,
    TRUST,
    BundleLimits,
)
from casefile.bundle._manifest import FileEntry, Manifest, parse_manifest
from casefile.bundle._policy_check import PolicyCheck
from casefile.bundle._reader import Bundle, open_bundle
from casefile.bundle._receipts import ReceiptCheck
from casefile.bundle._redactions import RedactionLedger
from casefile.bundle._result import (
    BundleVerification,
    EvidenceSummary,
    ManifestStatus,
    TrustRootStatus,
)
from casefile.bundle._trust_list import resolve_trust
from casefile.bundle._trust_root import Root
from casefile.bundle._trusted_time import check_trusted_time
from casefile.bundle._views import as_bundle_names, carries_views, check_views
from casefile.errors import (
    BundleError,
    MalformedRecordError,
    ManifestError,
    TrustRootError,
    TrustStoreError,
    VerificationError,
)
from casefile.findings import Finding
from casefile.projections import ContinuityPolicy, ExhibitRegister
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._timestamp import TrustedTime
from casefile.signing._trust import TrustEntry, TrustStore
from casefile.verifier import MAX_REPORTED_ERRORS
from casefile.verifier._engine import CaseVerification
from casefile.verifier._payloads import payload_schemas
from casefile.verifier._pool import available_cores
from casefile.verifier._verified import VerifiedRecord

__all__ = ["PROGRESS_STEP", "verify_bundle"]

_T = TypeVar("_T")

#: ``progress`` is called each time this many more records have been checked, and at the end.
PROGRESS_STEP = 1000


class _Run:
    """One verification of one opened bundle."""

    def __init__(
        self,
        bundle: Bundle,
        trust: TrustStore | None,
        at: int,
        workers: int | None,
        report: bool,
        progress: Callable[[int], None] | None,
        continuity_policy: ContinuityPolicy | None = None,
        root: Root | None = None,
        min_trust_version: int = 1,
        keep_history: bool = False,
    ) -> None:
        self.bundle = bundle
        self.root = root
        self.min_trust_version = min_trust_version
        self.trust_root: TrustRootStatus | None = None
        self.keep_history = keep_history
        self.trust = trust
        self.own_trust = trust is not None
        # Key ids whose signatures counted: the manifest's, the verified
        # records' and the checkpoint's (B10 looks for each in trust.json).
        self.used_keys: set[bytes] = set()
        self.at = at
        self.workers = workers
        self.report = report
        self.progress = progress
        self.errors: list[VerificationError] = []
        self.overflow = False
        self.findings: list[Finding] = []
        self.manifest: Manifest | None = None
        self.signer: TrustEntry | None = None
        self.observed: dict[str, FileEntry] = {}
        self.bad: set[str] = set()
        self.records = 0
        self.checkpoint: Checkpoint | None = None
        self.label: str | None = None
        self.custody = CustodyCollector(continuity_policy)
        self.redactions: RedactionLedger | None = None
        self.schemas = payload_schemas()
        self.register: ExhibitRegister | None = None
        # B8: the size each evidence.captured record gives its file.
        self.captured = CapturedSizes()
        # B12: the verified records, kept only when the bundle carries views to rebuild.
        self.kept: list[VerifiedRecord] | None = None
        # B16: (seq, time) of the latest verified record, and the time the token proves.
        self.latest: tuple[int, int] | None = None
        self.trusted_time: TrustedTime | None = None
        # B13, B14: the record hashes and handovers of the records that verified.
        self.collected = HistoryCollector(keep=keep_history)
        self.history: CaseHistory | None = None
        self.receipts: ReceiptCheck | None = None
        self.latest_time: int | None = None

    def fail(self, exc: VerificationError) -> None:
        if not self.report:
            raise exc
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(exc)
        else:
            self.overflow = True

    def run(self) -> BundleVerification:
        if self._trust_root() and self._manifest():
            self._files()
            self._case()
            self._evidence()
            self._continuity()
            self._redactions()
            self._handovers()
            self._receipts()
            self._bundle_trust()
            self._trusted_time()
            self._views()
        return self._result()

    def _trust_root(self) -> bool:
        """B17, before all else when a root is pinned: it gives the trust store B2 uses."""
        if self.root is None:
            return True
        # B17: the chain from the pinned root, then the trust list the final root signed.
        try:
            roots, listed = self.bundle.trust_root_files()
            resolved = resolve_trust(
                self.root, roots, listed, at=self.at, min_trust_version=self.min_trust_version
            )
        except ManifestError as exc:  # a zip member's data was changed
            self.fail(TrustRootError(exc.message))
            return False
        except TrustRootError as exc:
            self.fail(exc)
            return False
        self.trust = resolved.trust_list.store
        self.own_trust = True  # B10 then holds trust.json to the keys that signed
        self.trust_root = TrustRootStatus(
            root_version=resolved.root.version,
            root_expires=resolved.root.expires,
            trust_list_version=resolved.trust_list.version,
            trust_list_expires=resolved.trust_list.expires,
            signers=tuple(key.name for key in resolved.signers),
            store=resolved.trust_list.store,
        )
        return True

    def _manifest(self) -> bool:
        """B1-B3; False when nothing further can be checked against the manifest."""
        # B1: the envelope parses (canonical JSON, one signature, the manifest type).
        try:
            envelope = self.bundle.envelope()
        except ManifestError as exc:
            self.fail(exc)
            return False
        # B2: the signature is by a trusted key holding a checkpoint role.
        if self.trust is None:
            try:
                self.trust = self.bundle.trust()
            except (TrustStoreError, BundleError) as exc:
                self.fail(ManifestError(f"the bundle's trust.json: {exc}", step="B2"))
                return False
            except ManifestError as exc:  # its zip member's data was changed
                self.fail(ManifestError(exc.message, step="B2"))
                return False
            self.findings.append(
                Finding(
                    "trust_from_bundle",
                    "keys taken from the bundle's own trust.json, not supplied independently: "
                    "this shows the bundle is intact, not who made it",
                )
            )
        entry, problem = manifest_signer(self.trust, envelope, self.at)
        if entry is None:
            self.fail(ManifestError(f"manifest {problem}", step="B2"))
            return False
        self.signer = entry
        # B3: the authenticated payload is a well-formed manifest.
        try:
            self.manifest = parse_manifest(
                envelope.payload, max_files=self.bundle.limits.max_members
            )
        except ManifestError as exc:
            self.fail(exc)
            return False
        self.label = str(self.manifest.case_id)
        return True

    def _files(self) -> None:
        """B4, B5."""
        manifest = self.manifest
        if manifest is None:
            return
        present = self.bundle.files
        # B4: every listed file is present with its size and SHA-256; nothing else is.
        for path, error in listed_files(self.bundle, manifest, self.observed, self.label):
            self.bad.add(path)
            self.fail(error)
        # B5: checkpoint.txt is the checkpoint the manifest names.
        checkpoint_ok = (
            CHECKPOINT not in present
            or CHECKPOINT in self.bad
            or (self.bundle.read_small(CHECKPOINT) == manifest.checkpoint.encode("utf-8"))
        )
        if not checkpoint_ok:
            self.fail(
                ManifestError(
                    f"{CHECKPOINT} differs from the checkpoint in the manifest",
                    case_id=self.label,
                    step="B5",
                )
            )

    def _guard(self, items: Iterator[_T]) -> Iterator[_T]:
        """Pass items on; report a framing or re-hash failure (report mode) and stop there."""
        try:
            yield from items
        except VerificationError as exc:
            self.fail(exc)

    def _records(self, walk: CaseVerification) -> Iterator[bytes]:
        """The stored records; a framing fault (V1) is reported and ends the stream."""
        try:
            yield from self.bundle.records(self.observed[RECORDS])
        except MalformedRecordError as exc:
            walk.unread_tail = True
            self.fail(exc)
        except VerificationError as exc:  # re-hashed to another digest at the end (B4)
            self.fail(exc)

    def _case(self) -> None:
        """B6 (the V steps, by the verifier), B7, and the deferred part of B2."""
        manifest, store, signer = self.manifest, self.trust, self.signer
        if manifest is None or store is None or signer is None:
            return
        if RECORDS not in self.observed or DISCLOSURES not in self.observed:
            return  # already failed at B4: there is nothing to walk
        # B6: the case verifies (docs/FORMAT.md §8) and is the one the manifest names.
        # V10 with casefile's own payload schemas: every payload is declared.
        walk = CaseVerification(
            trust=store,
            at=self.at,
            on_error=self.fail,
            case_id=manifest.case_id,
            payloads=self.schemas,
        )
        checked = PolicyCheck(manifest.disclosure_policy, manifest.audience, self.label)  # B7
        ledger = self.redactions = RedactionLedger(manifest.audience)
        kept = self.kept = [] if carries_views(manifest) else None
        receipts = self.receipts = ReceiptCheck(store, manifest.case_id, walk.clock_skew_ns)  # B15
        next_progress = PROGRESS_STEP
        workers = available_cores() if self.workers is None else max(1, self.workers)
        records = walk.run(
            self._records(walk),
            disclosures=checked.disclosures(
                self._guard(self.bundle.disclosures(self.observed[DISCLOSURES])), self.fail
            ),
            workers=workers,
        )
        for record in records:
            self.used_keys.add(record.signer.key_id)
            self.custody.take(record)  # B9 reads the records that verified, as they pass
            ledger.take(record, self.schemas.text_fields(record.event_type, record.schema))  # B11
            if record.event_type == "evidence.captured":
                self.captured.note(record.data)
            checked.take(record)  # B7
            self.collected.take(  # B13, B14
                record.seq, record.event_type, record.schema, record.time_ns, record.data,
                record.hash,
            )  # fmt: skip
            receipts.take(record)  # B15
            if kept is not None:
                kept.append(record)  # B12
            if self.latest is None or record.time_ns > self.latest[1]:
                self.latest = (record.seq, record.time_ns)  # B16
            if self.progress is not None and walk.size >= next_progress:
                self.progress(walk.size)
                next_progress = walk.size + PROGRESS_STEP
        self.checkpoint = walk.check_checkpoint(manifest.checkpoint)
        self.used_keys |= walk.checkpoint_signers
        self.records = walk.size
        if self.progress is not None:
            self.progress(walk.size)
        # (A framing fault already failed V1: the count of an unreadable tail is not known.)
        if walk.size != manifest.records and not walk.unread_tail:
            self.fail(
                ManifestError(
                    f"the manifest lists {manifest.records} records, {RECORDS} holds {walk.size}",
                    case_id=self.label,
                    step="B6",
                )
            )
        self.findings.extend(walk.findings)
        if walk.size == manifest.records and not walk.unread_tail:
            self.history = self.collected.history(walk.size)
        self.collected = HistoryCollector()
        # B9: the exhibit register of the records that verified (reported after B8).
        self.register = self.custody.register(self.at)
        left_out = checked.finding(ledger.withheld_whole())  # B7, after B11's acts are known
        if left_out is not None:
            self.findings.append(left_out)
        # B2 (deferred until the records' latest time is known): as for checkpoints,
        # the manifest key must be neither expired nor revoked by the latest record.
        self.latest_time = walk.latest_time
        last = walk.latest_time if walk.latest_time is not None else self.at
        lapsed = manifest_key_lapsed(signer, last)
        if lapsed is not None:
            self.fail(ManifestError(f"manifest {lapsed}", case_id=self.label, step="B2"))

    def _evidence(self) -> None:
        """B8: each evidence file's content, as listed and as read in B4, hashes to its name
        and is as long as every evidence.captured record of that SHA-256 says."""
        if self.manifest is None:
            return
        files, observed = self.manifest.files, self.observed
        for path, error in self.captured.failures(files, observed, self.register, self.label):
            self.bad.add(path)
            self.fail(error)

    def _continuity(self) -> None:
        """B9: breaks in the exhibits' custody and evidence left out are findings only."""
        if self.register is None or self.manifest is None:
            return
        # V15 already reported each unconfirmed on-behalf record; the register's
        # copy of that finding (which adds the exhibit) would list it twice.
        reported = {(f.kind, f.seq) for f in self.findings}
        self.findings.extend(f for f in self.register.findings if (f.kind, f.seq) not in reported)
        self.findings.extend(evidence_findings(self.register, self.manifest.files))

    def _redactions(self) -> None:
        """B11: each withheld run of text is covered by an active decision or an erasure."""
        if self.redactions is not None:
            self.findings.extend(self.redactions.findings())

    def _handovers(self) -> None:
        """B13, B14, when every record verified: a handover names the records before it, and
        a bundle the earlier handovers to its recipient."""
        manifest, history, store = self.manifest, self.history, self.trust
        if manifest is None or store is None:
            return
        if history is None:
            return  # a record that failed B6 leaves no prefix root to compare
        errors, used = check_handovers(
            self.bundle, manifest, history, trust=store, at=self.at, label=self.label
        )  # B13, B14
        self.used_keys |= used
        for error in errors:
            self.fail(error)

    def _receipts(self) -> None:
        """B15: receipts hold against the records; the witness policy holds for the checkpoint.

        Before B10, which looks in trust.json for the cosigners that counted.
        """
        receipts, manifest = self.receipts, self.manifest
        if receipts is None or manifest is None:
            return
        for error in receipts.failures(
            manifest.checkpoint, self.at, self.latest_time, self.history
        ):
            self.fail(error)
        self.used_keys |= receipts.used_keys

    def _bundle_trust(self) -> None:
        """B10, only when the auditor supplied the trust store (otherwise B2 and B6 used it)."""
        store, signer = self.trust, self.signer
        if not self.own_trust or store is None or signer is None:
            return
        if TRUST not in self.observed or TRUST in self.bad:
            return  # missing or changed: already a B4 failure
        error = check_bundle_trust(self.bundle, store, self.used_keys | {signer.key_id})
        if error is not None:
            self.fail(ManifestError(error, case_id=self.label, step="B10"))

    def _trusted_time(self) -> None:
        """B16: the timestamp over the checkpoint, and no record later than it."""
        manifest, store = self.manifest, self.trust
        if manifest is None or store is None:
            return
        unread = TIMESTAMP in self.bad or TIMESTAMP not in self.observed
        found = check_trusted_time(
            self.bundle, manifest, store, self.latest, at=self.at, unread=unread, label=self.label
        )
        self.trusted_time = found.time
        if found.finding is not None:
            self.findings.append(found.finding)
        if found.error is not None:
            self.fail(found.error)

    def _views(self) -> None:
        """B12, only when every other step passed: a view of a failing bundle proves nothing."""
        manifest, kept, checkpoint = self.manifest, self.kept, self.checkpoint
        self.kept = None
        if manifest is None or kept is None or checkpoint is None or self.errors or self.overflow:
            return
        if self.own_trust:  # B10 passed: the bundle's trust.json holds every signer
            kept = list(as_bundle_names(kept, self.bundle.trust()))
        for error in check_views(self.bundle, manifest, kept, checkpoint, self.label):
            self.fail(error)

    def _result(self) -> BundleVerification:
        manifest = self.manifest
        evidence = (
            []
            if manifest is None
            else [e for e in manifest.files if e.path.startswith(EVIDENCE_DIR + "/")]
        )
        steps = {e.step for e in self.errors if isinstance(e, ManifestError)}
        authentic = manifest is not None and "B2" not in steps
        manifest_ok = authentic and not steps & {"B4", "B5"}
        return BundleVerification(
            verified=not self.errors and not self.overflow and manifest is not None,
            case_id=None if manifest is None else manifest.case_id,
            records=self.records,
            errors=tuple(self.errors),
            findings=tuple(self.findings),
            evidence=EvidenceSummary(
                files=len(evidence),
                total_bytes=sum(e.size for e in evidence),
                verified=authentic and not any(e.path in self.bad for e in evidence),
            ),
            manifest=ManifestStatus(
                verified=manifest_ok,
                signer=None if self.signer is None else self.signer.name,
                files=0 if manifest is None else len(manifest.files),
                disclosure_policy=None if manifest is None else manifest.disclosure_policy,
                audience=None if manifest is None else manifest.audience,
            ),
            checkpoint=self.checkpoint,
            truncated_errors=self.overflow,
            redacted=() if self.redactions is None else self.redactions.redacted(),
            trusted_time=self.trusted_time,
            trust_root=self.trust_root,
            history=self.history if not self.errors and not self.overflow else None,
        )


def verify_bundle(
    source: str | os.PathLike[str] | Bundle,
    *,
    at: int | datetime.datetime,
    trust: TrustStore | None = None,
    workers: int | None = None,
    report: bool = False,
    progress: Callable[[int], None] | None = None,
    limits: BundleLimits | None = None,
    continuity_policy: ContinuityPolicy | None = None,
    root: Root | None = None,
    min_trust_version: int = 1,
    keep_history: bool = False,
) -> BundleVerification:
    """Verify a bundle (a directory, a ``.zip`` or an opened :class:`Bundle`).

    ``trust`` is the auditor's own trust store; without it the bundle's
    trust.json is used and a ``trust_from_bundle`` finding says so. ``at`` is
    the time of verification (ns since the epoch, UTC, or an aware datetime). By default the first
    failure is raised (a :class:`~casefile.errors.VerificationError` naming
    the step, case and record); with ``report=True`` every failure is listed
    in the result instead. An unusable bundle raises
    :class:`~casefile.errors.BundleError` in both modes; a zip member whose
    data was changed (CRC-32 or size) is a B4 failure, not an unusable
    bundle. ``progress`` is
    called with the number of records checked so far.

    Breaks in the exhibits' chains of custody (docs/CUSTODY.md §4), judged by
    ``continuity_policy`` (default :class:`~casefile.projections.ContinuityPolicy`),
    and exhibits whose evidence file the bundle lacks are findings of the
    result, never failures: they leave ``verified`` as it is.

    ``root`` pins a trust root (:func:`~casefile.bundle.open_root`) instead of
    a trust store: step B17 then follows the bundle's root chain from it and
    takes the bundle's signed trust list, signed by the final root, no older
    than ``min_trust_version`` and unexpired at ``at``, as the trust store.

    With ``keep_history`` the result keeps every record hash of a bundle that
    verified (40 bytes a record), which :func:`~casefile.bundle.check_extends`
    and :func:`~casefile.bundle.prove_record` need; without it memory stays
    flat whatever the number of records.
    """
    at = instant_ns(at, "at")
    if root is not None and trust is not None:
        raise ValueError("give a pinned root or a trust store, not both")
    options = (workers, report, progress, continuity_policy, root, min_trust_version, keep_history)
    if isinstance(source, Bundle):
        return _Run(source, trust, at, *options).run()
    with open_bundle(source, limits=limits) as bundle:
        return _Run(bundle, trust, at, *options).run()
