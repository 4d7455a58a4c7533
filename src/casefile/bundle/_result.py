"""The result of verifying a bundle, and its stable JSON form."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from casefile.bundle._history import CaseHistory
from casefile.bundle._manifest import DisclosurePolicy
from casefile.bundle._redactions import RedactedField
from casefile.errors import VerificationError
from casefile.findings import Finding
from casefile.signing._checkpoint import Checkpoint

__all__ = ["BundleVerification", "EvidenceSummary", "ManifestStatus"]


@dataclass(frozen=True, slots=True)
class EvidenceSummary:
    """The evidence files of a bundle: how many, their total size, whether all matched."""

    files: int
    total_bytes: int
    verified: bool

    def to_json(self) -> dict[str, object]:
        return {"bytes": self.total_bytes, "files": self.files, "verified": self.verified}


@dataclass(frozen=True, slots=True)
class ManifestStatus:
    """Whether the manifest verified (B1-B5), who signed it, and what it lists."""

    verified: bool
    signer: str | None
    files: int
    disclosure_policy: DisclosurePolicy | None
    #: The audience the manifest names (None: made for no audience, or not read).
    audience: str | None = None

    def to_json(self) -> dict[str, object]:
        policy = self.disclosure_policy
        return {
            "audience": self.audience,
            "disclosure_policy": None if policy is None else policy.to_json(),
            "files": self.files,
            "signer": self.signer,
            "verified": self.verified,
        }


@dataclass(frozen=True, slots=True)
class BundleVerification:
    """The outcome of :func:`verify_bundle`: the verdict, every error, every finding."""

    verified: bool
    case_id: uuid.UUID | None
    records: int
    errors: tuple[VerificationError, ...]
    findings: tuple[Finding, ...]
    evidence: EvidenceSummary
    manifest: ManifestStatus
    checkpoint: Checkpoint | None
    truncated_errors: bool = False
    #: Each text field of a verified record with something withheld, as a reader sees
    #: it: the revealed text with a marker naming why each run is withheld (B11).
    redacted: tuple[RedactedField, ...] = ()
    #: The record hashes and handovers of a bundle whose records all verified (else None):
    #: what :func:`~casefile.bundle.check_extends` and :func:`~casefile.bundle.prove_record`
    #: compute prefix roots and proofs from.
    history: CaseHistory | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, object]:
        """A stable JSON object; every error and finding names its record (``seq``, or null).

        Findings are ``{"kind", "message", "seq", "exhibit"}``: continuity
        findings (B9) name their exhibit, the others have ``exhibit`` null.
        """
        checkpoint = self.checkpoint
        return {
            "case_id": None if self.case_id is None else str(self.case_id),
            "checkpoint": None
            if checkpoint is None
            else {
                "origin": checkpoint.origin,
                "root": checkpoint.root.hex(),
                "size": checkpoint.size,
            },
            "errors": [
                {
                    "case_id": e.case_id,
                    "kind": e.kind,
                    "message": e.message,
                    "seq": e.seq,
                    "step": e.step,
                }
                for e in self.errors
            ],
            "evidence": self.evidence.to_json(),
            # Every finding has the same keys; ``exhibit`` is null unless it is about one.
            "findings": [{"exhibit": f.exhibit, **f.to_json()} for f in self.findings],
            "manifest": self.manifest.to_json(),
            "records": self.records,
            "redacted": [r.to_json() for r in self.redacted],
            "truncated_errors": self.truncated_errors,
            "verified": self.verified,
        }
