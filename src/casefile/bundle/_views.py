"""B12 of docs/FORMAT.md §9.6: the views a bundle carries, rebuilt from its verified records.

A view is what a reader opens instead of the records: the case file (JSON and
HTML), the exhibit register. A bundle's view is proven only if the verifier can
build it again, from the records that verified and the disclosures the bundle
carries, and get the same bytes. So the writer and the verifier call one
function, :func:`build_views`, with the same arguments: the records, the
manifest's audience, the checkpoint. Nothing in it reads a clock: every running
pause and every age is judged at the time of the last record the bundle carries
(:func:`views_as_of`). A record's signer is shown as the bundle's own trust.json
names it (:func:`as_bundle_names`), so a view does not depend on which trust
store, the auditor's or the bundle's, verified it.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from casefile.bundle._capture_check import verify_capture_records
from casefile.bundle._capture_package import read_capture_package
from casefile.bundle._layout import VIEWS_DIR, capture_stream_of
from casefile.bundle._manifest import Manifest
from casefile.bundle._reader import Bundle
from casefile.errors import CasefileError, ManifestError
from casefile.projections import (
    EXHIBITS_VIEW,
    case_file_document,
    case_file_html,
    exhibit_register_json,
    verification_page,
)
from casefile.projections._casefile import case_file_and_register
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._trust import TrustStore
from casefile.verifier._verified import VerifiedRecord

__all__ = [
    "CASEFILE_HTML_VIEW",
    "CASEFILE_JSON_VIEW",
    "VIEW_NAMES",
    "as_bundle_names",
    "build_views",
    "bundle_capture_records",
    "carried_capture_records",
    "carries_views",
    "check_views",
    "first_difference",
    "views_as_of",
]

#: The view name of the case file for the bundle's audience (docs/CASEFILE.md).
CASEFILE_JSON_VIEW: Final = "casefile.json"
#: The view name of the same case file as one printable HTML page, with its verification page.
CASEFILE_HTML_VIEW: Final = "casefile.html"

#: Every view a verifier can rebuild, and so every view a bundle may carry.
VIEW_NAMES: Final = (CASEFILE_HTML_VIEW, CASEFILE_JSON_VIEW, EXHIBITS_VIEW)


def views_as_of(records: Sequence[VerifiedRecord]) -> int | None:
    """The time views are judged at: the latest time of ``records`` (None when there are none)."""
    return max((r.time_ns for r in records), default=None)


def build_views(
    records: Sequence[VerifiedRecord],
    *,
    audience: str | None,
    checkpoint: Checkpoint,
    captures: Mapping[uuid.UUID, Sequence[VerifiedRecord]] | None = None,
) -> dict[str, bytes]:
    """Every view of :data:`VIEW_NAMES`, from the verified ``records`` a bundle carries.

    ``records`` are in sequence order with the texts and values the bundle
    discloses (V11) and their signers as the bundle's trust.json names them;
    ``audience`` is the manifest's and ``checkpoint`` the one it names;
    ``captures`` maps each capture the bundle carries to its verified records
    (B19), which the case file and the register read in the case's story
    (docs/FORMAT.md §12.5). The bytes depend on nothing else, so a verifier
    given the same builds the same.
    """
    # One reading of the records gives the case file and the register its MG12 is built from.
    case_file, register = case_file_and_register(
        list(records), audience=audience, as_of=views_as_of(records), captures=captures
    )
    # The verifier's own findings are left off the page: they depend on how it was run
    # (whose trust store, which continuity policy), not on the bundle, and its report lists them.
    page = verification_page(records, checkpoint=checkpoint, findings=None, captures=captures)
    return {
        CASEFILE_HTML_VIEW: case_file_html(case_file, verification=page),
        CASEFILE_JSON_VIEW: case_file_document(case_file),
        EXHIBITS_VIEW: exhibit_register_json(register),
    }


def carried_capture_records(
    packages: Mapping[uuid.UUID, bytes], trust: TrustStore, at: int
) -> dict[uuid.UUID, tuple[VerifiedRecord, ...]]:
    """The records of each capture package a bundle carries, verified as B19 verifies them.

    A writer builds its views from these, so its views read what the bundle
    carries (records and disclosures) and nothing its store holds beyond.
    """
    return {
        stream: verify_capture_records(read_capture_package(raw), trust, at=at).records
        for stream, raw in packages.items()
    }


def bundle_capture_records(
    bundle: Bundle, *, trust: TrustStore, at: int
) -> dict[uuid.UUID, tuple[VerifiedRecord, ...]]:
    """The records of each capture ``bundle`` carries, verified as B19 verifies them.

    For a recipient that builds a case file from a verified bundle: pass them
    as ``captures`` to :func:`~casefile.projections.build_case_file` beside
    the case's verified records, and the file reads the case's story as the
    bundle's views do (docs/FORMAT.md §12.5). Call it on a bundle that
    :func:`~casefile.bundle.verify_bundle` passed (B18-B20 hold its captures to
    the case); raises :class:`~casefile.errors.VerificationError` for a
    capture that does not verify, :class:`~casefile.errors.CapturePackageError`
    for a ``captures/`` file that is not a capture package.
    """
    packages = {
        stream: b"".join(bundle.chunks(f.path, f))
        for f in bundle.manifest.files
        if (stream := capture_stream_of(f.path)) is not None
    }
    return carried_capture_records(packages, trust, at)


def as_bundle_names(
    records: Sequence[VerifiedRecord], bundle_trust: TrustStore
) -> Iterator[VerifiedRecord]:
    """``records`` with each signer's entry as the bundle's trust.json has it (B10 saw it there).

    Key ids decide who signed; an auditor's store may still word a holder
    otherwise than the sender's, and a view shows the words the bundle carries.
    """
    for record in records:
        entry = bundle_trust.get(record.signer.key_id)
        if entry is None or entry == record.signer:
            yield record
        else:
            yield dataclasses.replace(record, signer=entry)


def carries_views(manifest: Manifest) -> bool:
    """Whether the bundle lists any view (the verifier then keeps the records for B12)."""
    return any(f.path.startswith(VIEWS_DIR + "/") for f in manifest.files)


def check_views(
    bundle: Bundle,
    manifest: Manifest,
    records: Sequence[VerifiedRecord],
    checkpoint: Checkpoint,
    label: str | None,
    captures: Mapping[uuid.UUID, Sequence[VerifiedRecord]] | None = None,
) -> list[ManifestError]:
    """B12: each view the manifest lists is one the verifier builds, byte for byte."""
    listed = [f for f in manifest.files if f.path.startswith(VIEWS_DIR + "/")]
    errors: list[ManifestError] = []
    # B12 step 1: only a view this verifier builds can be proven.
    unknown = [f.path for f in listed if f.path[len(VIEWS_DIR) + 1 :] not in VIEW_NAMES]
    for path in unknown:
        errors.append(
            ManifestError(
                f"{path} is not a view this verifier can rebuild (it builds "
                f"{', '.join(VIEWS_DIR + '/' + n for n in VIEW_NAMES)}): it cannot be proven",
                case_id=label,
                step="B12",
            )
        )
    wanted = [f for f in listed if f.path not in unknown]
    if not wanted:
        return errors
    # B12 step 2: built as the writer built it, from the verified records and the audience.
    try:
        rebuilt = build_views(
            records, audience=manifest.audience, checkpoint=checkpoint, captures=captures
        )
    except CasefileError as exc:  # records that verified always build; said plainly if not
        errors.append(
            ManifestError(f"the views cannot be rebuilt: {exc}", case_id=label, step="B12")
        )
        return errors
    for entry in wanted:
        carried = b"".join(bundle.chunks(entry.path, entry))
        mine = rebuilt[entry.path[len(VIEWS_DIR) + 1 :]]
        if carried != mine:
            errors.append(
                ManifestError(
                    f"{entry.path} differs from the view rebuilt from the verified records "
                    f"at {first_difference(carried, mine)}",
                    case_id=label,
                    step="B12",
                )
            )
    return errors


def first_difference(carried: bytes, rebuilt: bytes) -> str:
    """Where ``carried`` first departs from ``rebuilt``: a JSON pointer when both are JSON."""
    offset = next(
        (k for k, (a, b) in enumerate(zip(carried, rebuilt, strict=False)) if a != b),
        min(len(carried), len(rebuilt)),
    )
    where = f"byte {offset}"
    try:
        pointer = _pointer(json.loads(carried), json.loads(rebuilt), "")
    except ValueError:
        return where
    return where if pointer is None else f"{where}, JSON pointer {pointer or '/'}"


def _pointer(a: Any, b: Any, at: str) -> str | None:
    """The JSON pointer of the first value where ``a`` and ``b`` differ (None if equal)."""
    if type(a) is not type(b):
        return at
    if isinstance(a, Mapping):
        for key in sorted(set(a) | set(b)):
            here = at + "/" + str(key).replace("~", "~0").replace("/", "~1")
            if key not in a or key not in b:
                return here
            found = _pointer(a[key], b[key], here)
            if found is not None:
                return found
        return None
    if isinstance(a, list):
        for k, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _pointer(x, y, f"{at}/{k}")
            if found is not None:
                return found
        return None if len(a) == len(b) else f"{at}/{min(len(a), len(b))}"
    return None if a == b else at
