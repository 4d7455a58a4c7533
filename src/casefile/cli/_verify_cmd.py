"""``casefile verify``: check a handover bundle offline and report, for people or machines.

Exit status: 0 verified, 1 verification failed, 2 unusable input. The report
lists every failure (with its record sequence number and step) rather than
stopping at the first, so an auditor sees the whole picture in one run.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final, TextIO

from casefile._time import ns_to_human
from casefile.bundle import (
    Bundle,
    BundleVerification,
    RenderedViews,
    open_bundle,
    render_views,
    verify_bundle,
)
from casefile.cli._errors import about, rfc3339_option
from casefile.cli._handover_cmd import check_previous, previous_trust_version
from casefile.cli._text import one_line
from casefile.cli._trust_files import add_verifier_trust_options, verifier_trust
from casefile.errors import CasefileError, InputError
from casefile.signing import Checkpoint
from casefile.verifier._pool import available_cores

__all__ = [
    "INTEGRITY_ONLY",
    "PROGRESS_THRESHOLD",
    "add_verify_parser",
    "render_report",
    "trust_json",
]

#: Bundles with at least this many records get a progress bar (on a terminal).
PROGRESS_THRESHOLD: Final = 20_000
_MAX_SHOWN: Final = 50
_TEXT_WIDTH: Final = 84


def add_verify_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``verify``."""
    verify = commands.add_parser(
        "verify",
        parents=parents,
        help="verify a handover bundle (directory or zip) offline",
        description="Verify a bundle with nothing but public keys. Exit status: 0 verified, "
        "1 verification failed, 2 unusable input.",
    )
    verify.add_argument("path", type=Path, metavar="PATH", help="bundle directory or .zip")
    add_verifier_trust_options(verify, required=False)
    verify.add_argument(
        "--min-trust-version",
        type=int,
        default=1,
        metavar="N",
        help=(
            "with --root: refuse a trust list older than version N (one you have seen); "
            "a --previous bundle's own list counts as seen"
        ),
    )
    verify.add_argument("--json", action="store_true", help="print a JSON report on stdout")
    verify.add_argument(
        "--at",
        metavar="RFC3339",
        help="time of verification, e.g. 2026-03-01T12:00:00Z",
    )
    verify.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes, at most the number of cores (default: all cores)",
    )
    verify.add_argument(
        "--render",
        type=Path,
        metavar="DIR",
        help="if the bundle verifies, write its proven views (the case file, the exhibit "
        "register) into the new folder DIR; nothing is written if it does not",
    )
    verify.add_argument(
        "--previous",
        type=Path,
        metavar="OLD",
        help="what you were handed before (a bundle folder or zip, or its checkpoint file, "
        "cosigned or not): refuse this bundle unless it extends it (a rewritten case, or an "
        "older, shorter one, is refused)",
    )
    verify.set_defaults(handler=run_verify)


@contextlib.contextmanager
def _progress(total: int, err: TextIO) -> Iterator[Callable[[int], None] | None]:
    """A tqdm bar on a terminal for large bundles; nothing otherwise (or without tqdm)."""
    if total < PROGRESS_THRESHOLD or not err.isatty():
        yield None
        return
    try:
        from tqdm import tqdm
    except ImportError:
        yield None
        return
    bar = tqdm(total=total, unit="rec", file=err, desc="verifying", leave=False)

    def advance(done: int) -> None:
        bar.update(max(0, done - bar.n))

    try:
        yield advance
    finally:
        bar.close()


def _claimed_records(bundle: Bundle) -> int:
    # Only sizes the progress bar: read from the unverified manifest, never trusted.
    try:
        return int(bundle.manifest.records)
    except CasefileError:
        return 0


def run_verify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Verify, print the report, and return 0 (verified) or 1 (not)."""
    if args.trust is None and args.root is None and not args.trust_bundle:
        raise InputError(
            "no trust store: give --trust FILE, the trust store of the keys you accept "
            "(e.g. the force's published trust.json), --root FILE, the force's trust root "
            "you pinned, or --trust-bundle to check integrity only against the keys the "
            "bundle vouches for itself"
        )
    if args.min_trust_version != 1 and args.root is None:
        raise InputError("--min-trust-version applies only with --root")
    if args.min_trust_version < 1:
        raise InputError("--min-trust-version must be at least 1")
    at = time.time_ns() if args.at is None else rfc3339_option("--at", args.at)
    trust, root = verifier_trust(args)
    min_trust_version: int = args.min_trust_version
    if root is not None and args.previous is not None:
        # A list older than the one the earlier bundle was judged by is a rollback (§7.5.4).
        min_trust_version = max(min_trust_version, previous_trust_version(args.previous, root))
    workers: int | None = args.workers
    if workers is not None and workers < 1:
        raise InputError("--workers must be at least 1")
    if workers is not None:
        # Each worker holds up to two chunks of records in flight: a mistyped 100000 would
        # start that many processes and read the whole bundle into memory to feed them.
        workers = min(workers, available_cores())
    render: Path | None = args.render
    rendered: RenderedViews | None = None
    with about(args.path), open_bundle(args.path) as bundle:
        with _progress(_claimed_records(bundle), err) as progress:
            if render is None:
                result = verify_bundle(
                    bundle,
                    at=at,
                    trust=trust,
                    workers=workers,
                    report=True,
                    progress=progress,
                    root=root,
                    min_trust_version=min_trust_version,
                    keep_history=args.previous is not None,
                )
            else:
                with about(render):
                    rendered = render_views(
                        bundle,
                        render,
                        at=at,
                        trust=trust,
                        workers=workers,
                        progress=progress,
                        root=root,
                        min_trust_version=min_trust_version,
                        keep_history=args.previous is not None,
                    )
                result = rendered.verification
        kind = bundle.kind
        # --previous is judged by the keys the bundle was: the auditor's, those of the
        # trust list the pinned root signed (B17), or the bundle's own.
        keys = trust
        if keys is None and result.trust_root is not None:
            keys = result.trust_root.store
        if args.previous is not None and keys is None and result.verified:
            keys = bundle.trust()
    previous: Checkpoint | None = None
    if args.previous is not None:
        with about(args.previous):
            result, previous = check_previous(result, args.previous, keys, at)
    if rendered is not None:
        err.write(_rendered_line(rendered, str(render)))
    if args.json:
        document = result.to_json()
        document["trust"] = trust_json(trust_given=trust is not None, pinned=root is not None)
        if args.previous is not None:
            document["previous"] = None if previous is None else _checkpoint_json(previous)
        out.write(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True))
        out.write("\n")
    else:
        given = trust is not None or root is not None
        shown = None if args.previous is None else (str(args.previous), previous)
        out.write(
            render_report(result, str(args.path), kind, trust_given=given, at=at, previous=shown)
        )
    return 0 if result.verified else 1


#: What an integrity-only check proves, said the same way in every report.
INTEGRITY_ONLY: Final = "integrity only: keys vouched for by the bundle itself, not by you"


def _rendered_line(rendered: RenderedViews, dest: str) -> str:
    """What --render did, on its own line: a reader must never take silence for proof."""
    if rendered.views:
        return f"views written to {one_line(dest)}: {', '.join(rendered.views)}\n"
    if not rendered.verification.verified:
        return f"nothing written to {one_line(dest)}: the bundle did not verify\n"
    return f"nothing written to {one_line(dest)}: the bundle carries no view\n"


def trust_json(*, trust_given: bool, pinned: bool = False) -> dict[str, object]:
    """The ``trust`` member of the JSON report: whose keys the verdict rests on."""
    if pinned:
        return {"source": "root", "integrity_only": False}
    if trust_given:
        return {"source": "supplied", "integrity_only": False}
    return {"source": "bundle", "integrity_only": True, "note": INTEGRITY_ONLY}


def _wrapped(text: str) -> list[str]:
    """``text`` in lines of at most about ``_TEXT_WIDTH`` characters, broken at spaces."""
    return textwrap.wrap(text, width=_TEXT_WIDTH, break_long_words=True) or [""]


def _checkpoint_json(checkpoint: Checkpoint) -> dict[str, object]:
    root = base64.b64encode(checkpoint.root).decode("ascii")
    return {"origin": checkpoint.origin, "root": root, "size": checkpoint.size}


def render_report(
    result: BundleVerification,
    path: str,
    kind: str,
    *,
    trust_given: bool,
    at: int | None = None,
    previous: tuple[str, Checkpoint | None] | None = None,
) -> str:
    """The human-readable report of a verification (``at``: the time it was verified as of;
    ``previous``: the path given to --previous and its checkpoint if the bundle extends it)."""
    lines = [f"verified: {'yes' if result.verified else 'NO'}"]
    lines.append(f"  bundle       {one_line(path)} ({kind})")
    if at is not None:
        # Key validity is judged at this time (--at, or now): a reader must know which.
        lines.append(f"  as of        {ns_to_human(at)}")
    if result.case_id is not None:
        lines.append(f"  case         {result.case_id}")
    # Without an authentic manifest nothing was read: "0 records", "NOT all match" would
    # tell a reader that records were missing and files were changed.
    checked = result.case_id is not None
    unchecked = "not checked (no authentic manifest)"
    lines.append(f"  records      {result.records if checked else unchecked}")
    # The captures the case bound (B19-B21): their records are no part of the count above.
    for capture in result.captures[:_MAX_SHOWN]:
        bound = " and ".join(str(seq) for seq in capture.bound_by)
        lines.append(
            f"  capture      {capture.stream}: {capture.records} records, bound by "
            f"record{'s' if len(capture.bound_by) > 1 else ''} {bound}"
        )
    if len(result.captures) > _MAX_SHOWN:
        lines.append(f"  capture      … {len(result.captures) - _MAX_SHOWN} more (see --json)")
    checkpoint = result.checkpoint
    if checkpoint is not None:
        lines.append(f"  checkpoint   size {checkpoint.size}, root {checkpoint.root.hex()[:16]}…")
    proven = result.trusted_time
    if proven is not None:
        # B16: a TSA the trust store names says the checkpoint existed by then.
        lines.append(
            f"  timestamp    checkpoint existed by {ns_to_human(proven.time)}, "
            f"stamped by {one_line(proven.tsa)}"
        )
    history = result.history
    if result.verified and history is not None and history.handovers:
        # B13 and B14 passed: the handovers the records hold, the last being this bundle's.
        handed = "; ".join(
            f"record {h.seq} to {one_line(h.recipient)}"
            + ("" if h.audience is None else f" ({one_line(h.audience)})")
            for h in history.handovers
        )
        last = " (this bundle's last record)" if history.handovers[-1].seq == result.records else ""
        lines.append(f"  handovers    {handed}{last}")
    if previous is not None:
        old_path, old = previous
        if old is not None:
            lines.append(
                f"  previous     {one_line(old_path)}: extended (its {old.size} records are this "
                f"bundle's first, root {old.root.hex()[:16]}…)"
            )
        else:
            outcome = "NOT extended (see the error)" if result.errors else "not compared"
            lines.append(f"  previous     {one_line(old_path)}: {outcome}")
    manifest = result.manifest
    signer = one_line(manifest.signer) if manifest.signer else "(no trusted signature)"
    listed = f", {manifest.files} files" if checked else ""
    lines.append(
        f"  manifest     {'verified' if manifest.verified else 'NOT verified'}, "
        f"signed by {signer}{listed}"
    )
    policy = manifest.disclosure_policy
    if policy is not None:
        fields = f": {', '.join(one_line(f) for f in policy.fields)}" if policy.fields else ""
        lines.append(f"  disclosures  {policy.mode}{fields}")
    evidence = result.evidence
    if checked:
        lines.append(
            f"  evidence     {evidence.files} file(s), {evidence.total_bytes} bytes, "
            f"{'all match' if evidence.verified else 'NOT all match'}"
        )
    else:
        lines.append(f"  evidence     {unchecked}")
    source = "supplied (--trust)" if trust_given else INTEGRITY_ONLY
    pinned = result.trust_root
    if pinned is not None:
        signers = ", ".join(one_line(name) for name in pinned.signers)
        source = (
            f"pinned root (--root), followed to root version {pinned.root_version}; "
            f"trust list version {pinned.trust_list_version} signed by {signers}, "
            f"expires {ns_to_human(pinned.trust_list_expires)}"
        )
    elif trust_given and result.errors and result.errors[0].step == "B17":
        source = "pinned root (--root): the bundle's trust list was NOT accepted"
    lines.append(f"  trust        {source}")
    for error in result.errors[:_MAX_SHOWN]:
        if error.seq is not None:
            where = f"record {error.seq}"
            if error.case_id is not None and error.case_id != str(result.case_id):
                # A carried capture's own record (B19, B21 name the stream as the case):
                # cited as the case file cites it, never to be read as the case's record.
                where = f"record {one_line(error.case_id)}#{error.seq}"
        else:
            where = "case" if error.step.startswith("V") else "bundle"
        lines.append(
            f"  error        {where}, step {error.step or '?'} ({error.kind}): "
            f"{one_line(error.message)}"
        )
    hidden = len(result.errors) - _MAX_SHOWN
    if hidden > 0 or result.truncated_errors:
        lines.append("  error        … more errors (use --json for the full list)")
    for finding in result.findings[:_MAX_SHOWN]:
        where = f" record {finding.seq}:" if finding.seq is not None else ""
        lines.append(f"  finding      [{finding.kind}]{where} {one_line(finding.message)}")
    if len(result.findings) > _MAX_SHOWN:
        lines.append(f"  finding      … {len(result.findings) - _MAX_SHOWN} more (see --json)")
    audience = manifest.audience
    if audience is not None:
        lines.append(f"  audience     {audience} (its redaction decisions apply)")
    # Each redacted text as the audience reads it: a marker names why each run is missing.
    for redacted in result.redacted[:_MAX_SHOWN]:
        lines.append(f"  redacted     record {redacted.seq}, {one_line(redacted.field)}:")
        lines.extend(
            f"               {one_line(chunk, limit=_TEXT_WIDTH)}"
            for chunk in _wrapped(redacted.text)
        )
    if len(result.redacted) > _MAX_SHOWN:
        lines.append(f"  redacted     … {len(result.redacted) - _MAX_SHOWN} more (see --json)")
    # A capture's own: what of it the audience reads withheld, cited as the case file does.
    for capture in result.captures[:_MAX_SHOWN]:
        for finding in capture.findings[:_MAX_SHOWN]:
            lines.append(
                f"  finding      [{finding.kind}] capture {capture.stream}: "
                f"{one_line(finding.message)}"
            )
        for redacted in capture.redacted[:_MAX_SHOWN]:
            lines.append(
                f"  redacted     {capture.stream}#{redacted.seq}, {one_line(redacted.field)}:"
            )
            lines.extend(
                f"               {one_line(chunk, limit=_TEXT_WIDTH)}"
                for chunk in _wrapped(redacted.text)
            )
    return "\n".join(lines) + "\n"
