"""Steps B8-B11, B13-B16 and B12 of docs/FORMAT.md §9.6: judged once the records are walked.

B8 checks the evidence names and sizes; B9 walks the exhibits' chains of custody, whose
breaks are findings, never errors (a court weighs a gap; a wrong hash is a
failure); B10 holds the bundle's own trust.json to what it must carry when the
auditor brought keys; B11 holds each withheld run to a signed act
(:mod:`casefile.bundle._redactions`); B13 holds each handover record to the
records before it, and a bundle for an audience to its own handover
(:mod:`casefile.bundle._history`); B14 holds handovers.json to the earlier
handovers of the case to the same recipient (:mod:`casefile.bundle._earlier`);
B15 holds recipients' receipts to the records and the checkpoint to the witness
policy (:mod:`casefile.bundle._receipts`); B16 checks the RFC 3161 token over
the checkpoint (:mod:`casefile.bundle._trusted_time`); B12, once all else
passed, rebuilds every view (:mod:`casefile.bundle._views`).
"""

from __future__ import annotations

from casefile.bundle._bundle_trust import check_bundle_trust
from casefile.bundle._continuity import evidence_findings
from casefile.bundle._handover_steps import check_handovers
from casefile.bundle._layout import TIMESTAMP, TRUST
from casefile.bundle._trusted_time import check_trusted_time
from casefile.bundle._verify_state import VerifyState
from casefile.bundle._views import as_bundle_names, check_views
from casefile.errors import ManifestError

__all__ = [
    "check_bundle_trust_file",
    "check_continuity",
    "check_evidence",
    "check_handover_records",
    "check_receipts",
    "check_redactions",
    "check_time",
    "check_views_last",
]


def check_evidence(run: VerifyState) -> None:
    """B8: each evidence file's content, as listed and as read in B4, hashes to its name
    and is as long as every evidence.captured record of that SHA-256 says."""
    if run.manifest is None:
        return
    files, observed = run.manifest.files, run.observed
    for path, error in run.captured.failures(files, observed, run.register, run.label):
        run.bad.add(path)
        run.fail(error)


def check_continuity(run: VerifyState) -> None:
    """B9: breaks in the exhibits' custody and evidence left out are findings only.

    After B19: when the case binds captures, the register reads the case's story
    (its records and those B19 verified for each carried capture, D68); B8 then
    names the exhibits of a misnamed file from it.
    """
    if run.captures is None or run.manifest is None:
        return  # B6 did not walk the records
    run.register = run.custody.register(
        run.at, run.kept_captures if run.captures.by_stream else None
    )
    # V15 already reported each unconfirmed on-behalf record; the register's
    # copy of that finding (which adds the exhibit) would list it twice.
    reported = {(f.kind, f.seq) for f in run.findings}
    run.findings.extend(f for f in run.register.findings if (f.kind, f.seq) not in reported)
    run.findings.extend(evidence_findings(run.register, run.manifest.files))


def check_redactions(run: VerifyState) -> None:
    """B11: each withheld run of text is covered by an active decision or an erasure."""
    if run.redactions is not None:
        run.findings.extend(run.redactions.findings())


def check_handover_records(run: VerifyState) -> None:
    """B13, B14, when every record verified: a handover names the records before it, and
    a bundle the earlier handovers to its recipient."""
    manifest, history, store = run.manifest, run.history, run.trust
    if manifest is None or store is None:
        return
    if history is None:
        return  # a record that failed B6 leaves no prefix root to compare
    errors, used = check_handovers(
        run.bundle, manifest, history, trust=store, at=run.at, label=run.label
    )  # B13, B14
    run.used_keys |= used
    for error in errors:
        run.fail(error)


def check_receipts(run: VerifyState) -> None:
    """B15: receipts hold against the records; the witness policy holds for the checkpoint.

    Before B10, which looks in trust.json for the cosigners that counted.
    """
    receipts, manifest = run.receipts, run.manifest
    if receipts is None or manifest is None:
        return
    for error in receipts.failures(manifest.checkpoint, run.at, run.latest_time, run.history):
        run.fail(error)
    run.used_keys |= receipts.used_keys


def check_bundle_trust_file(run: VerifyState) -> None:
    """B10, only when the auditor supplied the trust store (otherwise B2 and B6 used it)."""
    store, signer = run.trust, run.signer
    if not run.own_trust or store is None or signer is None:
        return
    if TRUST not in run.observed or TRUST in run.bad:
        return  # missing or changed: already a B4 failure
    error = check_bundle_trust(run.bundle, store, run.used_keys | {signer.key_id})
    if error is not None:
        run.fail(ManifestError(error, case_id=run.label, step="B10"))


def check_time(run: VerifyState) -> None:
    """B16: the timestamp over the checkpoint, and no record later than it."""
    manifest, store = run.manifest, run.trust
    if manifest is None or store is None:
        return
    unread = TIMESTAMP in run.bad or TIMESTAMP not in run.observed
    found = check_trusted_time(
        run.bundle, manifest, store, run.latest, at=run.at, unread=unread, label=run.label
    )
    run.trusted_time = found.time
    if found.finding is not None:
        run.findings.append(found.finding)
    if found.error is not None:
        run.fail(found.error)


def check_views_last(run: VerifyState) -> None:
    """B12, only when every other step passed: a view of a failing bundle proves nothing."""
    manifest, kept, checkpoint = run.manifest, run.kept, run.checkpoint
    run.kept = None
    if manifest is None or kept is None or checkpoint is None or run.errors or run.overflow:
        return
    captures = run.kept_captures
    run.kept_captures = {}
    if run.own_trust:  # B10 passed: the bundle's trust.json holds every signer
        names = run.bundle.trust()
        kept = list(as_bundle_names(kept, names))
        captures = {s: tuple(as_bundle_names(rs, names)) for s, rs in captures.items()}
    for error in check_views(run.bundle, manifest, kept, checkpoint, run.label, captures):
        run.fail(error)
