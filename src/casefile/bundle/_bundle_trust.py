"""B10 of docs/FORMAT.md §9.6: the bundle carries the keys that signed it.

A bundle's trust.json must hold every key whose signature counted (§9.1), so
that a reader without keys of their own can check it. When the auditor brings
their own trust store, the bundle's was not used by B2 or B6, and is checked
here against the keys that signed: the manifest's, the verified records' and
the checkpoint's.
"""

from __future__ import annotations

from collections.abc import Set

from casefile.bundle._layout import TRUST
from casefile.bundle._reader import Bundle
from casefile.errors import BundleError, ManifestError, TrustStoreError
from casefile.signing._trust import TrustStore

__all__ = ["check_bundle_trust"]

#: At most this many missing keys are named; the rest are counted.
_NAMED = 5


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
