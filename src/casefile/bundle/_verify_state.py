"""What one verification of one bundle has found so far, and the result it makes.

Each group of steps of docs/FORMAT.md §9.6 (:mod:`casefile.bundle._verify_manifest`,
:mod:`casefile.bundle._verify_walk`, :mod:`casefile.bundle._verify_checks`)
reads and adds to one :class:`VerifyState`; :meth:`VerifyState.result` turns
it into the :class:`~casefile.bundle.BundleVerification` the caller sees.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from casefile.bundle._continuity import CustodyCollector
from casefile.bundle._fixity import CapturedSizes
from casefile.bundle._history import CaseHistory, HistoryCollector
from casefile.bundle._layout import EVIDENCE_DIR
from casefile.bundle._manifest import FileEntry, Manifest
from casefile.bundle._reader import Bundle
from casefile.bundle._receipts import ReceiptCheck
from casefile.bundle._redactions import RedactionLedger
from casefile.bundle._result import (
    BundleVerification,
    CaptureSummary,
    EvidenceSummary,
    ManifestStatus,
    TrustRootStatus,
)
from casefile.bundle._trust_root import Root
from casefile.errors import ManifestError, VerificationError
from casefile.findings import Finding
from casefile.projections import ContinuityPolicy, ExhibitRegister
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._timestamp import TrustedTime
from casefile.signing._trust import TrustEntry, TrustStore
from casefile.verifier import MAX_REPORTED_ERRORS
from casefile.verifier._payloads import payload_schemas
from casefile.verifier._verified import VerifiedRecord

if TYPE_CHECKING:
    from casefile.bundle._verify_captures import CaptureBindings

__all__ = ["VerifyState"]


class VerifyState:
    """One verification of one opened bundle: its inputs, and what the steps found."""

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
        # B8: the size each evidence.captured record (the case's or a carried
        # capture's) gives its file.
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
        # B18-B20: the capture.attached records that verified.
        self.captures: CaptureBindings | None = None
        # B9, B12: the records of each carried capture that B19 verified (the case's
        # story; kept until B12, whose views read them too).
        self.kept_captures: dict[uuid.UUID, tuple[VerifiedRecord, ...]] = {}
        # The report's account of each carried capture that B19 verified.
        self.capture_summaries: list[CaptureSummary] = []
        # B7: the covered fields left out that no signed act explains (the case's, then
        # each carried capture's, counted in one finding).
        self.policy_left_out = 0

    def fail(self, exc: VerificationError) -> None:
        """Raise the failure, or, in report mode, list it (up to a bound)."""
        if not self.report:
            raise exc
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(exc)
        else:
            self.overflow = True

    def result(self) -> BundleVerification:
        """The verification as the caller sees it."""
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
            captures=tuple(sorted(self.capture_summaries, key=lambda c: str(c.stream))),
            history=self.history if not self.errors and not self.overflow else None,
        )
