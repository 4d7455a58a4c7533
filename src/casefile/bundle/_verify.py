"""Verifying a bundle: steps B1-B21 of docs/FORMAT.md §9.6, in the order below.

Each group of steps lives with its marks in its own module:
B17 and B1-B5 (whose keys, whose manifest, which files) in
:mod:`casefile.bundle._verify_manifest`; B6 with B7 and the deferred part of
B2, the one streamed pass over the records, in :mod:`casefile.bundle._verify_walk`;
B8-B11, B13-B16 and, last, B12 in :mod:`casefile.bundle._verify_checks`; B18-B21,
the capture streams carried, in :mod:`casefile.bundle._verify_captures` (before B9
and B8, which read the captured records B19 verified). What
they find is kept in one :class:`~casefile.bundle._verify_state.VerifyState`.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable

from casefile._time import instant_ns
from casefile.bundle._layout import BundleLimits
from casefile.bundle._reader import Bundle, open_bundle
from casefile.bundle._result import BundleVerification
from casefile.bundle._trust_root import Root
from casefile.bundle._verify_captures import check_captures
from casefile.bundle._verify_checks import (
    check_bundle_trust_file,
    check_continuity,
    check_evidence,
    check_handover_records,
    check_receipts,
    check_redactions,
    check_time,
    check_views_last,
)
from casefile.bundle._verify_manifest import check_files, check_manifest, check_trust_root
from casefile.bundle._verify_state import VerifyState
from casefile.bundle._verify_walk import PROGRESS_STEP, walk_case
from casefile.projections import ContinuityPolicy
from casefile.signing._trust import TrustStore

__all__ = ["PROGRESS_STEP", "verify_bundle"]


def _run(run: VerifyState) -> BundleVerification:
    """The steps in their order: B17 first (it gives B2 its keys), B15 before B10
    (B10 looks for the cosigners that counted), B18-B21 before B10 (B10 looks for the
    captures' signers), B9 after B19 (it reads the captured records B19 verified in
    the case's story, D68) and B8 after B9 (it checks captured files' sizes too, and
    names a misnamed file's exhibits from B9's register), B12 last (it needs all else
    passed)."""
    if check_trust_root(run) and check_manifest(run):  # B17, B1-B3
        check_files(run)  # B4, B5
        walk_case(run)  # B6, B7, B2 (deferred)
        check_redactions(run)  # B11
        check_handover_records(run)  # B13, B14
        check_receipts(run)  # B15
        check_captures(run)  # B18, B19, B20, B21
        check_continuity(run)  # B9
        check_evidence(run)  # B8
        check_bundle_trust_file(run)  # B10
        check_time(run)  # B16
        check_views_last(run)  # B12
    return run.result()


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
        return _run(VerifyState(source, trust, at, *options))
    with open_bundle(source, limits=limits) as bundle:
        return _run(VerifyState(bundle, trust, at, *options))
