"""Handover bundles: one case as a signed, self-describing directory or zip.

A bundle carries a case's records, the disclosures its sender may release,
the trust entries and the signed checkpoint needed to check them, optional
evidence files and views, and a signed manifest covering every byte
(docs/FORMAT.md §9). :func:`write_bundle` and :func:`zip_bundle` make one;
:func:`open_bundle` reads one defensively; :func:`verify_bundle` checks one
with nothing but public keys, rebuilding each of its views (:data:`VIEW_NAMES`);
:func:`render_views` writes the views of a verified one for a reader, and
:func:`bundle_capture_records` gives the verified records of the captures
it carries, for a case file built offline from it.
:func:`check_extends` shows that a verified bundle extends a checkpoint its
recipient was given before; :func:`prove_record` writes an inclusion proof of
one record (a C2SP tlog-proof) that :func:`check_record_proof` checks.
:func:`clean_staging` removes what killed exports left beside their destination.
A force's signed trust root (:class:`Root`, :func:`sign_root`, :func:`update_root`)
signs its trust list (:func:`sign_trust_list`); a verifier that pins a root
(``verify_bundle(..., root=...)``) takes the bundle's trust list through
:func:`resolve_trust` (step B17).
"""

from casefile.bundle._audience import AUDIENCES, RESTRICTED_FIELDS
from casefile.bundle._capture_package import (
    CapturePackage,
    read_capture_package,
    write_capture_package,
)
from casefile.bundle._capture_receipt import AttachReceipt, open_receipt
from casefile.bundle._earlier import EarlierHandover, earlier_handovers, parse_handovers
from casefile.bundle._files import STAGING_PREFIX, clean_staging, stale_staging
from casefile.bundle._history import CaseHistory, Handover, check_extends
from casefile.bundle._layout import (
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    MANIFEST_PAYLOAD_TYPE,
    BundleLimits,
)
from casefile.bundle._manifest import (
    DISCLOSE_ALL,
    DISCLOSE_NONE,
    DisclosurePolicy,
    FileEntry,
    Manifest,
)
from casefile.bundle._proofs import ProvenRecord, check_record_proof, prove_record
from casefile.bundle._reader import Bundle, open_bundle
from casefile.bundle._render import RenderedViews, render_views
from casefile.bundle._result import (
    BundleVerification,
    CaptureSummary,
    EvidenceSummary,
    ManifestStatus,
    TrustRootStatus,
)
from casefile.bundle._trust_list import (
    TRUST_LIST_FORMAT,
    TRUST_LIST_PAYLOAD_TYPE,
    SignedTrustList,
    TrustResolution,
    open_trust_list,
    read_trust_list,
    resolve_trust,
    seen_trust_list_version,
    sign_trust_list,
)
from casefile.bundle._trust_root import (
    ROOT_FORMAT,
    ROOT_PAYLOAD_TYPE,
    Root,
    RootKey,
    open_root,
    read_root,
    sign_root,
    update_root,
)
from casefile.bundle._verify import verify_bundle
from casefile.bundle._views import VIEW_NAMES, bundle_capture_records
from casefile.bundle._writer import BundleInfo, EvidenceSource, write_bundle
from casefile.bundle._zipbundle import zip_bundle

__all__ = [
    "AUDIENCES",
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "DISCLOSE_ALL",
    "DISCLOSE_NONE",
    "MANIFEST_PAYLOAD_TYPE",
    "RESTRICTED_FIELDS",
    "ROOT_FORMAT",
    "ROOT_PAYLOAD_TYPE",
    "STAGING_PREFIX",
    "TRUST_LIST_FORMAT",
    "TRUST_LIST_PAYLOAD_TYPE",
    "VIEW_NAMES",
    "AttachReceipt",
    "Bundle",
    "BundleInfo",
    "BundleLimits",
    "BundleVerification",
    "CapturePackage",
    "CaptureSummary",
    "CaseHistory",
    "DisclosurePolicy",
    "EarlierHandover",
    "EvidenceSource",
    "EvidenceSummary",
    "FileEntry",
    "Handover",
    "Manifest",
    "ManifestStatus",
    "ProvenRecord",
    "RenderedViews",
    "Root",
    "RootKey",
    "SignedTrustList",
    "TrustResolution",
    "TrustRootStatus",
    "bundle_capture_records",
    "check_extends",
    "check_record_proof",
    "clean_staging",
    "earlier_handovers",
    "open_bundle",
    "open_receipt",
    "open_root",
    "open_trust_list",
    "parse_handovers",
    "prove_record",
    "read_capture_package",
    "read_root",
    "read_trust_list",
    "render_views",
    "resolve_trust",
    "seen_trust_list_version",
    "sign_root",
    "sign_trust_list",
    "stale_staging",
    "update_root",
    "verify_bundle",
    "write_bundle",
    "write_capture_package",
    "zip_bundle",
]
