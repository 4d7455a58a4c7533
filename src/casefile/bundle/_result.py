"""The result of verifying a bundle, and its stable JSON form."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from casefile._time import ns_to_rfc3339
from casefile.bundle._history import CaseHistory
from casefile.bundle._manifest import DisclosurePolicy
from casefile.bundle._redactions import RedactedField
from casefile.errors import VerificationError
from casefile.findings import Finding
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._timestamp import TrustedTime
from casefile.signing._trust import TrustStore

__all__ = [
    "BundleVerification",
    "CaptureSummary",
    "EvidenceSummary",
    "ManifestStatus",
    "TrustRootStatus",
]


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
class TrustRootStatus:
    """What B17 established: the final root and the signed trust list taken as the trust store."""

    root_version: int
    root_expires: int
    trust_list_version: int
    trust_list_expires: int
    #: The names of the final root's keys whose signatures on the trust list verified.
    signers: tuple[str, ...]
    #: The trust list's trust store, which stood as the verifier's own (what a later check
    #: of the same bundle, such as ``--previous``, must judge by too).
    store: TrustStore | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, object]:
        return {
            "root_expires": ns_to_rfc3339(self.root_expires),
            "root_version": self.root_version,
            "signers": list(self.signers),
            "trust_list_expires": ns_to_rfc3339(self.trust_list_expires),
            "trust_list_version": self.trust_list_version,
        }


@dataclass(frozen=True, slots=True)
class CaptureSummary:
    """One capture stream the bundle carries, as B19-B21 verified it.

    A reader of the report learns what the case's own records do not say: how many
    records the capture holds, which records of the case bound it, what of its
    personal data the bundle withholds (``findings``) and each of its texts with
    words withheld, as the audience reads them (``redacted``).
    """

    stream: uuid.UUID
    records: int
    #: The ``capture.attached`` records of the case that bound it, in order.
    bound_by: tuple[int, ...]
    findings: tuple[Finding, ...] = ()
    redacted: tuple[RedactedField, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "bound_by": list(self.bound_by),
            "findings": [{"exhibit": f.exhibit, **f.to_json()} for f in self.findings],
            "records": self.records,
            "redacted": [r.to_json() for r in self.redacted],
            "stream": str(self.stream),
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
    #: The time an RFC 3161 token from a trusted TSA proves the checkpoint existed by (B16).
    trusted_time: TrustedTime | None = None
    #: Set when the trust store came from the bundle's signed trust list (B17).
    trust_root: TrustRootStatus | None = None
    #: Each capture stream the bundle carries and verified (B19-B21), by stream.
    captures: tuple[CaptureSummary, ...] = ()
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
            "captures": [c.to_json() for c in self.captures],
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
            "trusted_time": None if self.trusted_time is None else self.trusted_time.to_json(),
            "trust_root": None if self.trust_root is None else self.trust_root.to_json(),
            "verified": self.verified,
        }
