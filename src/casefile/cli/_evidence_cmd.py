"""``casefile evidence add`` (a file into the store and the case) and ``evidence check`` (fixity).

``add`` streams the file into the content-addressed evidence store, then
records an ``evidence.captured`` record naming its SHA-256, signed by the
given key; everything that can be checked beforehand (the case, the
reference, the key's trust) is checked before a byte is copied. ``check``
re-hashes every blob of a store and lists each one that does not match its
name, and counts what killed ingests left behind; ``clean`` removes that.
Exit status of ``check``: 0 all match, 1 any problem, 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any, Final, TextIO

from casefile._time import ns_to_human
from casefile.cli._errors import about, rfc3339_option
from casefile.cli._register import default_store, is_store, open_existing_store
from casefile.cli._secrets import key_argument, load_signer, passphrase_reader
from casefile.cli._store import add_store_arguments, find_case, open_app, store_config, store_errors
from casefile.cli._text import one_line
from casefile.errors import CaseClosedError, DuplicateExhibitError, InputError
from casefile.evidence import FileSystemBlobStore, FixityResult
from casefile.signing import load_trust_store

__all__ = [
    "EVIDENCE_KINDS",
    "add_evidence_parser",
    "run_evidence_add",
    "run_evidence_check",
    "run_evidence_clean",
]

#: The kinds of evidence ``evidence add`` records (the domain's ``EvidenceKind`` values).
EVIDENCE_KINDS: Final = ("photo", "audio", "video", "document")
# A damaged store may hold any number of bad blobs: list this many, count the rest.
_MAX_LISTED: Final = 1000


def add_evidence_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``evidence`` with its ``add`` and ``check`` subcommands."""
    evidence = commands.add_parser(
        "evidence", parents=parents, help="add evidence files to a case, check a store's fixity"
    )
    actions = evidence.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        parents=parents,
        help="ingest a file into the evidence store and record it in a case",
        description="Stream FILE into the content-addressed evidence store and record an "
        "evidence.captured record of its SHA-256 in the case, signed by KEYFILE's key.",
    )
    add_store_arguments(add)
    add.add_argument("--case", required=True, help="the case id (UUID) or its reference (URN)")
    add.add_argument(
        "--trust", required=True, type=Path, metavar="TRUSTFILE", help="the force's trust store"
    )
    add.add_argument("--file", required=True, type=Path, metavar="PATH", help="the file to add")
    add.add_argument("--exhibit", required=True, metavar="REF", help="a new reference, e.g. JS/1")
    add.add_argument("--kind", required=True, choices=EVIDENCE_KINDS, help="what the file is")
    add.add_argument("--media-type", required=True, metavar="TYPE", help="e.g. image/jpeg")
    add.add_argument(
        "--key",
        required=True,
        type=key_argument,
        metavar="KEY",
        help="the recording officer's key file, or pkcs11: URI of a token key",
    )
    add.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="the key file's passphrase in the first line of FILE (default: ask)",
    )
    add.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="the evidence store (default: evidence/ beside the SQLite file; created if missing)",
    )
    add.add_argument("--description", default="", help="what the file shows")
    add.add_argument(
        "--device",
        default="imported file",
        help="the device that captured it (default: %(default)s)",
    )
    add.add_argument(
        "--location", default="not recorded", help="where it was captured (default: %(default)s)"
    )
    add.add_argument(
        "--captured-at",
        metavar="RFC3339",
        help="when it was captured (default: now)",
    )
    add.set_defaults(handler=run_evidence_add)
    check = actions.add_parser(
        "check",
        parents=parents,
        help="re-check the fixity of every file in an evidence store",
        description="Re-hash every blob of the store. Exit status: 0 all match, "
        "1 a blob does not match its name (or is unreadable, or is not a blob), 2 unusable input.",
    )
    check.add_argument("--store", required=True, type=Path, metavar="DIR", help="the store")
    check.add_argument("--json", action="store_true", help="print a JSON report on stdout")
    check.set_defaults(handler=run_evidence_check)
    clean = actions.add_parser(
        "clean",
        parents=parents,
        help="remove the temporary files that killed ingests left in an evidence store",
        description="Remove the store's tmp/ingest-*.part files that no live process is "
        "writing (a live ingest holds a lock on its file; those are left alone).",
    )
    clean.add_argument("--store", required=True, type=Path, metavar="DIR", help="the store")
    clean.set_defaults(handler=run_evidence_clean)


def _store_path(args: argparse.Namespace) -> Path:
    if args.store is not None:
        path = Path(args.store)
    else:
        found = default_store(args.db)
        if found is None:
            raise InputError("--store DIR is needed with a PostgreSQL case store")
        path = found
    # Checked before the case is touched: a file, or a folder of other things, given as the
    # store must be refused, not fail half-way or fill someone's folder with sha256/ and tmp/.
    if (
        os.path.lexists(path)
        and not is_store(path)
        and (not path.is_dir() or path.is_symlink() or any(path.iterdir()))
    ):
        raise InputError(
            f"{path}: not an evidence store (no sha256/ folder in it); give --store an "
            "existing store, an empty folder or a new path"
        )
    return path


def run_evidence_add(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Check what can be checked, ingest the file, then record it in one save."""
    from casefile.events import check_signer
    from casefile.events._values import (
        MAX_LONG_TEXT,
        check_exhibit_reference,
        check_media_type,
        check_text,
    )

    now = time.time_ns()
    captured_at = (
        now if args.captured_at is None else rfc3339_option("--captured-at", args.captured_at)
    )
    exhibit = check_exhibit_reference(args.exhibit)
    media_type = check_media_type(args.media_type)
    # The record's own checks, before a byte is copied: a refused record leaves no file.
    check_text(args.device, "device")
    check_text(args.location, "location")
    check_text(args.description, "description", max_length=MAX_LONG_TEXT, allow_empty=True)
    source: Path = args.file
    if not source.is_file():
        raise InputError(f"{source}: no such file (or not a regular file)")
    trust = load_trust_store(args.trust)
    signer = load_signer(args.key, passphrase_reader(args.passphrase_file))
    with about(args.key):
        entry = check_signer(trust, signer.public_key.key_id, "evidence.captured", now)
    store_path = _store_path(args)
    config = store_config(args)
    with store_errors(config), open_app(config, trust) as app:
        try:
            case_id = find_case(app, args.case, config)
            with app.session(case_id, signer) as case:
                if case.is_closed:
                    raise CaseClosedError(
                        f"case {one_line(case.reference)} is closed: reopen it to add evidence"
                    )
                if exhibit in case.custody:
                    raise DuplicateExhibitError(
                        f"exhibit {exhibit} already exists in case {one_line(case.reference)}"
                    )
                imported = FileSystemBlobStore(store_path).import_file(source)
                blob = imported.blob
                seq = case.capture_evidence(
                    exhibit=exhibit,
                    kind=args.kind,
                    sha256=blob.sha256,
                    size=blob.size,
                    media_type=media_type,
                    device=args.device,
                    location=args.location,
                    captured_at=captured_at,
                    description=args.description,
                    at=now,
                )
                reference = case.reference
        finally:
            app.close()
    state = "stored" if imported.stored else "already in the store"
    out.write(f"exhibit    {exhibit} ({args.kind}, {one_line(media_type)}, {blob.size} bytes)\n")
    out.write(f"sha256     {blob.hex}\n")
    out.write(f"store      {one_line(str(store_path))} ({state})\n")
    out.write(f"record     {seq} of case {one_line(reference)}, signed by {one_line(entry.name)}\n")
    out.write(f"captured   {ns_to_human(captured_at)}\n")
    return 0


def _failure_json(result: FixityResult) -> dict[str, Any]:
    return {
        "actual_sha256": None if result.actual_sha256 is None else result.actual_sha256.hex(),
        "detail": result.detail,
        "path": result.path,
        "sha256": None if result.sha256 is None else result.sha256.hex(),
        "size": result.size,
        "status": result.status.value,
    }


def run_evidence_clean(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Remove stale ingest files; say how many, how large, and how many live ones were left."""
    store = open_existing_store(args.store)
    removed = store.clean_temp_files()
    out.write(f"store      {one_line(str(args.store))}\n")
    out.write(f"removed    {removed.count} stale temporary file(s), {removed.size} bytes\n")
    if removed.live:
        out.write(f"left       {removed.live} file(s) a live ingest is writing\n")
    return 0


def run_evidence_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Re-hash every blob; list the ones that do not check out; 1 if there is any."""
    store = open_existing_store(args.store)
    stale = store.stale_temp_files()
    blobs = total = problems = 0
    listed: list[FixityResult] = []
    for result in store.check_all():
        if result.ok:
            blobs += 1
            total += result.size or 0
            continue
        problems += 1
        if len(listed) < _MAX_LISTED:
            listed.append(result)
    if args.json:
        report = {
            "blobs_checked": blobs,
            "bytes_checked": total,
            "failures": [_failure_json(r) for r in listed],
            "ok": problems == 0,
            "problems": problems,
            "stale_temp_files": {"bytes": stale.size, "count": stale.count},
            "store": str(args.store),
            "truncated": problems > len(listed),
        }
        out.write(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=True) + "\n")
    else:
        for result in listed:
            out.write(
                f"{result.status.value.upper():<10} {one_line(result.path)}: "
                f"{one_line(result.detail)}\n"
            )
        if problems > len(listed):
            out.write(f"…          {problems - len(listed)} more problem(s) (use --json)\n")
        out.write(f"store      {one_line(str(args.store))}\n")
        out.write(f"checked    {blobs} blob(s) matched, {total} bytes\n")
        verdict = "all match" if problems == 0 else f"{problems} problem(s)"
        out.write(f"fixity     {verdict}\n")
        if stale.count:
            where = one_line(str(args.store))
            out.write(
                f"leftovers  {stale.count} temporary file(s) of killed ingests, {stale.size} "
                f"bytes: remove them with casefile evidence clean --store {where}\n"
            )
    return 0 if problems == 0 else 1
