"""Steps B13 and B14 of docs/FORMAT.md §9.6 over a bundle whose records all verified."""

from __future__ import annotations

from casefile.bundle._earlier import check_earlier_handovers
from casefile.bundle._history import CaseHistory, check_handover, manifest_origin
from casefile.bundle._layout import HANDOVERS
from casefile.bundle._manifest import Manifest
from casefile.bundle._reader import Bundle
from casefile.errors import ManifestError, VerificationError
from casefile.signing._trust import TrustStore

__all__ = ["check_handovers"]


def check_handovers(
    bundle: Bundle,
    manifest: Manifest,
    history: CaseHistory,
    *,
    trust: TrustStore,
    at: int,
    label: str | None,
) -> tuple[list[VerificationError], set[bytes]]:
    """B13 then B14; every failure, and the keys whose signatures counted (for B10)."""
    origin = manifest_origin(manifest.checkpoint)
    # B13: each handover's checkpoint is over the records before it; a bundle for an
    # audience ends with its handover for that audience.
    errors, used = check_handover(
        history,
        case_id=manifest.case_id,
        origin=origin,
        audience=manifest.audience,
        trust=trust,
        at=at,
        label=label,
    )
    # B14: handovers.json holds exactly the earlier handovers to this bundle's recipient.
    data = None
    if HANDOVERS in bundle.files:
        try:
            data = bundle.read_small(HANDOVERS)
        except ManifestError:
            data = b""  # its zip member's data was changed: B4 failed it
    earlier, keys = check_earlier_handovers(
        history, data, case_id=manifest.case_id, origin=origin, trust=trust, at=at, label=label
    )
    return errors + earlier, used | keys
