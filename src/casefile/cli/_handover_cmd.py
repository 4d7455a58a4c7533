"""Linked handovers on the command line: ``verify --previous OLD`` and ``casefile prove``.

``--previous`` shows that a verified bundle extends what its recipient was given
before (an earlier bundle, or a checkpoint file, perhaps cosigned); ``prove``
writes a C2SP tlog-proof of one record of a verified bundle (docs/FORMAT.md §9.9).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import time
from pathlib import Path
from typing import TextIO

from casefile._readfile import read_regular_file
from casefile.bundle import (
    BundleVerification,
    Root,
    check_extends,
    open_bundle,
    prove_record,
    seen_trust_list_version,
)
from casefile.bundle import verify_bundle as verify
from casefile.cli._errors import about, rfc3339_option
from casefile.cli._files import check_new_path, write_new_file
from casefile.cli._text import one_line
from casefile.cli._trust_files import add_verifier_trust_options, verifier_trust
from casefile.errors import InputError, ManifestError, NoteError, TrustRootError, VerificationError
from casefile.projections import CITE_PATTERN
from casefile.signing import (
    MAX_NOTE_SIZE,
    Checkpoint,
    TrustStore,
    parse_checkpoint_body,
    split_note,
)

__all__ = ["add_prove_parser", "check_previous", "previous_checkpoint", "previous_trust_version"]


def previous_checkpoint(path: Path) -> str:
    """The checkpoint note a recipient kept: a bundle's checkpoint.txt, or a checkpoint file."""
    if path.is_dir() or path.suffix == ".zip":
        with about(path), open_bundle(path) as bundle:
            return bundle.checkpoint_text
    try:
        # A FIFO or a device named by mistake is refused, not waited on or read for ever.
        data = read_regular_file(path, limit=MAX_NOTE_SIZE, what="previous checkpoint")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the previous checkpoint ({exc.strerror})") from None
    if len(data) > MAX_NOTE_SIZE:
        raise InputError(f"{path}: larger than a checkpoint note ({MAX_NOTE_SIZE} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}): no checkpoint") from None


def previous_trust_version(path: Path, root: Root) -> int:
    """The version of the trust list an earlier bundle at ``path`` was judged by, when the
    pinned ``root`` authenticates it; 1 (no floor) for a checkpoint file, a bundle without a
    signed trust list, or one the root does not reach (signed under an older root).

    A later bundle's list must be at least as new (FORMAT §7.5.4 ``m``): a list from before
    a revocation, replayed once the recipient has seen the one that made it, is a rollback.
    """
    if not (path.is_dir() or path.suffix == ".zip"):
        return 1
    with about(path), open_bundle(path) as bundle:
        try:
            roots, listed = bundle.trust_root_files()
            return 1 if listed is None else seen_trust_list_version(root, roots, listed)
        except (ManifestError, TrustRootError):
            return 1


def check_previous(
    result: BundleVerification, previous: Path, trust: TrustStore | None, at: int
) -> tuple[BundleVerification, Checkpoint | None]:
    """``result`` with the refusal added when it does not extend ``previous``; the previous
    checkpoint when it does. A bundle that did not verify is not compared: nothing in it
    can be relied on."""
    note = previous_checkpoint(previous)
    try:
        # Only the shape is read, and nothing in it is relied on: a file whose note text is
        # no checkpoint (a tlog-proof, say) is unusable input, not a bundle that failed B14.
        parse_checkpoint_body(split_note(note)[0])
    except NoteError as exc:
        raise InputError(f"{previous}: not a checkpoint ({exc})") from None
    if not result.verified or trust is None:
        return result, None
    try:
        return result, check_extends(result, note, trust=trust, at=at)
    except NoteError as exc:
        raise InputError(f"{previous}: not a checkpoint ({exc})") from None
    except VerificationError as exc:
        if not exc.step:
            exc.step = "B14"
        refused = dataclasses.replace(result, verified=False, errors=(*result.errors, exc))
        return refused, None


def add_prove_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``prove``."""
    prove = commands.add_parser(
        "prove",
        parents=parents,
        help="write an inclusion proof of one record of a bundle (a C2SP tlog-proof)",
        description="Verify the bundle, then write a c2sp.org/tlog-proof@v1 file proving that "
        "record N is in the bundle's checkpoint (docs/FORMAT.md §9.9). Exit status: 0 written, "
        "1 the bundle did not verify, 2 unusable input.",
    )
    prove.add_argument("path", type=Path, metavar="BUNDLE", help="bundle directory or .zip")
    prove.add_argument(
        "--record", required=True, type=_record_number, metavar="N", help="record number"
    )
    prove.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    add_verifier_trust_options(prove, required=True)
    prove.add_argument("--at", metavar="RFC3339", help="time of verification (default: now)")
    prove.set_defaults(handler=run_prove)


def _record_number(text: str) -> int:
    """``--record``: a record of the case. A captured record, cited as the case file cites
    it, is in its capture's checkpoint, not the bundle's: say so rather than "not an int"."""
    try:
        return int(text)
    except ValueError:
        pass
    if re.fullmatch(CITE_PATTERN, text) is not None:
        raise argparse.ArgumentTypeError(
            f"{text} is a record of a capture, in its capture's checkpoint and not the "
            "bundle's (docs/FORMAT.md §12.5): prove the case record that bound it "
            "(capture.attached), whose payload holds that checkpoint"
        )
    raise argparse.ArgumentTypeError(f"{text!r} is not a record number")


def run_prove(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Verify the bundle and write the proof of its record N."""
    at = time.time_ns() if args.at is None else rfc3339_option("--at", args.at)
    dest: Path | None = args.out
    if dest is not None:
        check_new_path(dest)
    trust, root = verifier_trust(args)
    with about(args.path), open_bundle(args.path) as bundle:
        result = verify(bundle, at=at, trust=trust, report=True, keep_history=True, root=root)
        note = bundle.checkpoint_text if result.verified else ""
    if not result.verified:
        first = result.errors[0] if result.errors else None
        why = f": {one_line(str(first))}" if first is not None else ""
        err.write(f"casefile: {one_line(str(args.path))} did not verify{why}; no proof written\n")
        return 1
    try:
        proof = prove_record(result, note, args.record)
    except ValueError as exc:
        raise InputError(f"--record: {exc}") from None
    if dest is None:
        out.write(proof)
    else:
        write_new_file(dest, proof.encode("utf-8"))
        err.write(f"proof of record {args.record} written to {one_line(str(dest))}\n")
    return 0
