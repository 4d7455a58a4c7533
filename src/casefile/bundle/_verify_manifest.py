"""Steps B17 and B1-B5 of docs/FORMAT.md §9.6: whose keys, whose manifest, which files.

B17, when the verifier pins a trust root, runs first: it follows the bundle's
root chain and opens its signed trust list, which then stands as the
verifier's own trust store for every later step. B1-B5 establish that the
manifest is signed by a trusted checkpoint key and that the files are exactly
those it lists, byte for byte.
"""

from __future__ import annotations

from casefile.bundle._bundle_trust import manifest_signer
from casefile.bundle._fixity import listed_files
from casefile.bundle._layout import CHECKPOINT
from casefile.bundle._manifest import parse_manifest
from casefile.bundle._result import TrustRootStatus
from casefile.bundle._trust_list import resolve_trust
from casefile.bundle._verify_state import VerifyState
from casefile.errors import BundleError, ManifestError, TrustRootError, TrustStoreError
from casefile.findings import Finding

__all__ = ["check_files", "check_manifest", "check_trust_root"]


def check_trust_root(run: VerifyState) -> bool:
    """B17, before all else when a root is pinned: it gives the trust store B2 uses."""
    if run.root is None:
        return True
    # B17: the chain from the pinned root, then the trust list the final root signed.
    try:
        roots, listed = run.bundle.trust_root_files()
        resolved = resolve_trust(
            run.root, roots, listed, at=run.at, min_trust_version=run.min_trust_version
        )
    except ManifestError as exc:  # a zip member's data was changed
        run.fail(TrustRootError(exc.message))
        return False
    except TrustRootError as exc:
        run.fail(exc)
        return False
    run.trust = resolved.trust_list.store
    run.own_trust = True  # B10 then holds trust.json to the keys that signed
    run.trust_root = TrustRootStatus(
        root_version=resolved.root.version,
        root_expires=resolved.root.expires,
        trust_list_version=resolved.trust_list.version,
        trust_list_expires=resolved.trust_list.expires,
        signers=tuple(key.name for key in resolved.signers),
        store=resolved.trust_list.store,
    )
    return True


def check_manifest(run: VerifyState) -> bool:
    """B1-B3; False when nothing further can be checked against the manifest."""
    # B1: the envelope parses (canonical JSON, one signature, the manifest type).
    try:
        envelope = run.bundle.envelope()
    except ManifestError as exc:
        run.fail(exc)
        return False
    # B2: the signature is by a trusted key holding a checkpoint role.
    if run.trust is None:
        try:
            run.trust = run.bundle.trust()
        except (TrustStoreError, BundleError) as exc:
            run.fail(ManifestError(f"the bundle's trust.json: {exc}", step="B2"))
            return False
        except ManifestError as exc:  # its zip member's data was changed
            run.fail(ManifestError(exc.message, step="B2"))
            return False
        run.findings.append(
            Finding(
                "trust_from_bundle",
                "keys taken from the bundle's own trust.json, not supplied independently: "
                "this shows the bundle is intact, not who made it",
            )
        )
    entry, problem = manifest_signer(run.trust, envelope, run.at)
    if entry is None:
        run.fail(ManifestError(f"manifest {problem}", step="B2"))
        return False
    run.signer = entry
    # B3: the authenticated payload is a well-formed manifest.
    try:
        run.manifest = parse_manifest(envelope.payload, max_files=run.bundle.limits.max_members)
    except ManifestError as exc:
        run.fail(exc)
        return False
    run.label = str(run.manifest.case_id)
    return True


def check_files(run: VerifyState) -> None:
    """B4, B5."""
    manifest = run.manifest
    if manifest is None:
        return
    present = run.bundle.files
    # B4: every listed file is present with its size and SHA-256; nothing else is.
    for path, error in listed_files(run.bundle, manifest, run.observed, run.label):
        run.bad.add(path)
        run.fail(error)
    # B5: checkpoint.txt is the checkpoint the manifest names.
    checkpoint_ok = (
        CHECKPOINT not in present
        or CHECKPOINT in run.bad
        or (run.bundle.read_small(CHECKPOINT) == manifest.checkpoint.encode("utf-8"))
    )
    if not checkpoint_ok:
        run.fail(
            ManifestError(
                f"{CHECKPOINT} differs from the checkpoint in the manifest",
                case_id=run.label,
                step="B5",
            )
        )
