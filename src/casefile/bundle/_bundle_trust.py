"""The keys of a bundle: who may sign its manifest (B2) and what trust.json carries (B10).

B2 (docs/FORMAT.md §9.6): the manifest is signed by a trusted key holding a
checkpoint role, valid at the time of verification and neither expired nor
revoked by the case's last record.

B10: a bundle's trust.json must hold every key whose signature counted (§9.1), so
that a reader without keys of their own can check it. When the auditor brings
their own trust store, the bundle's was not used by B2 or B6, and is checked
here against the keys that signed: the manifest's, the verified records' and
the checkpoint's.
"""

from __future__ import annotations

from collections.abc import Set

from casefile.bundle._dsse import Envelope
from casefile.bundle._layout import TRUST
from casefile.bundle._reader import Bundle
from casefile.errors import BundleError, ManifestError, TrustStoreError
from casefile.signing._keys import verify_signature
from casefile.signing._trust import TrustEntry, TrustStore

__all__ = ["check_bundle_trust", "manifest_key_lapsed", "manifest_signer"]

#: At most this many missing keys are named; the rest are counted.
_NAMED = 5


def manifest_signer(
    store: TrustStore, envelope: Envelope, at: int
) -> tuple[TrustEntry, None] | tuple[None, str]:
    """B2 at time ``at``: the trusted entry that signed the manifest, or why none did."""
    entry = store.get(envelope.key_id)
    if entry is None:
        return None, f"signed by key {envelope.key_id.hex()[:16]}…, which the trust store lacks"
    if not entry.roles & store.policy.checkpoint_roles:
        return None, f"signed by the key of {entry.name}, which holds no checkpoint role"
    if entry.valid_from > at:
        return None, f"signed by the key of {entry.name}, which is not yet valid"
    if not verify_signature(entry.public_key.raw, envelope.signed_bytes(), envelope.signature):
        return None, f"signature by the key of {entry.name} does not verify"
    return entry, None


def manifest_key_lapsed(signer: TrustEntry, last: int) -> str | None:
    """B2's deferred part: why ``signer`` no longer counts at the records' latest time ``last``.

    As for checkpoints, the manifest key must be neither revoked nor expired then.
    """
    for limit, what in ((signer.revoked_at, "revoked"), (signer.valid_until, "expired")):
        if limit is not None and limit <= last:
            return f"signed by the key of {signer.name}, {what} before the latest record"
    return None


def check_bundle_trust(bundle: Bundle, store: TrustStore, needed: Set[bytes]) -> str | None:
    """What is wrong with the bundle's trust.json (a B10 failure), or None.

    ``store`` is the auditor's trust store, used only to name the missing keys;
    ``needed`` the key ids of every key whose signature counted.
    """
    try:
        shipped = bundle.trust()
    except (TrustStoreError, BundleError) as exc:
        return f"{TRUST} is not a trust store: {exc}"
    except ManifestError:
        return None  # its zip member's data was changed: a B4 failure already
    missing = sorted(needed - {e.key_id for e in shipped.entries})
    if not missing:
        return None
    names = []
    for key_id in missing[:_NAMED]:
        entry = store.get(key_id)
        who = "" if entry is None else f" ({entry.name})"
        names.append(f"{key_id.hex()[:16]}…{who}")
    more = f" and {len(missing) - _NAMED} more" if len(missing) > _NAMED else ""
    return f"{TRUST} lacks the key(s) {', '.join(names)}{more}, which signed this bundle"
