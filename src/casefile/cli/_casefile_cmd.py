"""``casefile casefile``: a stored case's file for one audience, as JSON, HTML, PDF or DCF.

The case file is built by the application from the case's verified records
(:meth:`~casefile.application.CasefileApp.case_file`), with the audience's
redaction decisions applied as in a bundle for it. The HTML carries the
verification page (who signed which records with which key, and the
findings); the PDF is that HTML printed by headless Chromium, with the root
of the case's records in its metadata. Every file is written whole or not at
all: to a temporary file in the destination's folder, then renamed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from casefile.bundle import AUDIENCES
from casefile.cli._errors import about
from casefile.cli._export_cmd import check_checkpoint_key, origin_namespace
from casefile.cli._files import check_new_path, replace_file, write_new_file
from casefile.cli._secrets import key_argument, load_signer, passphrase_reader
from casefile.cli._store import (
    add_store_arguments,
    named_case,
    open_app,
    store_config,
    store_errors,
)
from casefile.cli._text import one_line
from casefile.errors import InputError
from casefile.projections import FILE_TYPES, code_label
from casefile.signing import Signer, TrustStore, load_trust_store

if TYPE_CHECKING:
    from casefile.application import CaseFile
    from casefile.projections import VerificationPage
    from casefile.verifier import VerifiedCase

__all__ = ["FORMATS", "NO_AUDIENCE", "add_casefile_parser", "report_path", "run_casefile"]

#: What ``--format`` takes.
FORMATS: Final = ("json", "html", "pdf", "dcf")
#: ``--audience none``: the force's own view, every value and text the store holds.
NO_AUDIENCE: Final = "none"
_REPORT_SUFFIX: Final = ".report.json"
_MAX_TIMEOUT: Final = 3600.0


def add_casefile_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``casefile``."""
    command = commands.add_parser(
        "casefile",
        parents=parents,
        help="write a case's file (the MG forms) for an audience: JSON, HTML, PDF or DCF",
        description="Verify the case's records, build its case file as the audience may read "
        "it (its redaction decisions and every erasure applied) and write it to FILE: json "
        "(the case-file document), html (one self-contained page with a verification page), "
        "pdf (that page printed by headless Chromium, Debian's package chromium; the PDF's "
        "metadata holds the root of the case's records) or dcf (the DCF 1.2-compatible "
        "document, with the report of what it dropped or could not fill beside it, as "
        f"FILE's name with {_REPORT_SUFFIX}). Refuses to overwrite unless --force. Exit "
        "status: 0 written, 1 a record did not verify, 2 unusable input (or Chromium missing "
        "or failing).",
    )
    add_store_arguments(command)
    command.add_argument("--case", required=True, help="the case id (UUID) or its reference (URN)")
    command.add_argument(
        "--trust", required=True, type=Path, metavar="TRUSTFILE", help="the force's trust store"
    )
    command.add_argument(
        "--audience",
        required=True,
        choices=(*AUDIENCES, NO_AUDIENCE),
        help="whose file: its redaction decisions apply (none: the force's own, withholding "
        "nothing)",
    )
    command.add_argument("--format", required=True, choices=FORMATS, help="what to write")
    command.add_argument("--out", required=True, type=Path, metavar="FILE", help="where to write")
    command.add_argument(
        "--file-type",
        choices=FILE_TYPES,
        help="the kind of file its completeness is judged for (default: as the records suggest)",
    )
    command.add_argument(
        "--force", action="store_true", help="replace FILE (and its DCF report) if it exists"
    )
    command.add_argument(
        "--chromium",
        metavar="PROGRAM",
        help="the Chromium to print with (default: chromium, else chromium-headless-shell, "
        "on PATH)",
    )
    command.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="stop Chromium if it has not printed within this time (default: 120)",
    )
    signed = command.add_argument_group(
        "checkpoint (html and pdf)",
        "sign a checkpoint over the case's records, as export does, for the verification page "
        "to show; without these, the page shows none",
    )
    signed.add_argument(
        "--checkpoint-key",
        type=key_argument,
        metavar="KEY",
        help="key file, or pkcs11: URI of a token key, of a key holding a checkpoint role",
    )
    signed.add_argument(
        "--checkpoint-name", metavar="NAME", help="that key's name in the trust store"
    )
    signed.add_argument(
        "--origin-namespace",
        metavar="NS",
        help="checkpoint origin prefix (default: the checkpoint name up to its first '/')",
    )
    signed.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="the key file's passphrase in the first line of FILE (default: ask)",
    )
    command.set_defaults(handler=run_casefile)


def report_path(out: Path) -> Path:
    """Where the DCF export's report goes: beside ``out``, its name with ``.report.json``."""
    return out.with_name(out.stem + _REPORT_SUFFIX)


def _check_destination(path: Path, force: bool) -> None:
    if force:
        if path.is_dir() and not path.is_symlink():
            raise InputError(f"{path}: is a folder; --force replaces files only")
        if not path.parent.is_dir():
            raise InputError(f"{path}: the folder {path.parent} does not exist")
        return
    check_new_path(path)


def _write(path: Path, data: bytes, force: bool) -> None:
    if force:
        replace_file(path, data)
    else:
        write_new_file(path, data)


@dataclass(frozen=True)
class _Checkpointer:
    """The checkpoint key the user gave, checked against the trust store before any work."""

    signer: Signer
    name: str
    namespace: str


def _checkpointer(args: argparse.Namespace, trust: TrustStore) -> _Checkpointer | None:
    given = (args.checkpoint_key, args.checkpoint_name, args.origin_namespace, args.passphrase_file)
    if all(value is None for value in given):
        return None
    if args.format not in ("html", "pdf"):
        raise InputError(
            f"--checkpoint-key: a checkpoint is shown by html and pdf only, not {args.format}"
        )
    if args.checkpoint_key is None or args.checkpoint_name is None:
        raise InputError("--checkpoint-key and --checkpoint-name: give both, or neither")
    namespace = origin_namespace(args)
    with about(args.checkpoint_key):
        signer = load_signer(args.checkpoint_key, passphrase_reader(args.passphrase_file))
    check_checkpoint_key(args, trust, signer.public_key.key_id)
    return _Checkpointer(signer, args.checkpoint_name, namespace)


def _verification(verified: VerifiedCase) -> tuple[VerificationPage, str]:
    """The verification page of the case's records, and their root (hex) for the PDF.

    Without a checkpoint the root is the one a checkpoint over the records as
    they stand would carry: the bundle's, while nothing is recorded after an export.
    """
    from casefile.projections import verification_page

    page = verification_page(
        verified.records, checkpoint=verified.checkpoint, findings=verified.findings
    )
    return page, verified.root.hex()


def _render(
    case_file: CaseFile,
    fmt: str,
    verification: tuple[VerificationPage, str] | None,
    args: argparse.Namespace,
) -> tuple[bytes, bytes | None]:
    """The document's bytes, and the DCF report's."""
    from casefile.projections import case_file_document, case_file_html, dcf_export
    from casefile.projections._document import json_document

    if fmt == "json":
        return case_file_document(case_file), None
    if fmt == "dcf":
        dcf, report = dcf_export(case_file)
        return json_document(dcf), json_document(report.to_json())
    assert verification is not None  # html and pdf are always given their page
    page, root = verification
    html = case_file_html(case_file, verification=page)
    if fmt == "html":
        return html, None
    from casefile.application import print_pdf

    return print_pdf(html, checkpoint_root=root, chromium=args.chromium, timeout=args.timeout), None


def run_casefile(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Verify, build, render and write the case file; say what was written."""
    dest: Path = args.out
    fmt: str = args.format
    force: bool = args.force
    report = report_path(dest) if fmt == "dcf" else None
    # Refused before anything is verified or printed: a mistake costs nothing.
    for path in (dest, report):
        if path is not None:
            _check_destination(path, force)
    if fmt == "pdf" and not 0 < args.timeout <= _MAX_TIMEOUT:
        raise InputError(
            f"--timeout: expected seconds in (0, {_MAX_TIMEOUT}], got {args.timeout:g}"
        )
    audience = None if args.audience == NO_AUDIENCE else args.audience
    with about(args.trust):
        trust = load_trust_store(args.trust)
    checkpointer = _checkpointer(args, trust)
    config = store_config(args)
    with store_errors(config), open_app(config, trust) as app:
        case = named_case(app, args.case, config)
        case_id, reference = case.id, case.reference
        note = None
        if checkpointer is not None:
            note = app.checkpoint(
                case_id, checkpointer.signer, checkpointer.name, checkpointer.namespace
            )
        # One verification serves the file and its verification page.
        built = app.verified_case_file(
            case_id, audience=audience, file_type=args.file_type, checkpoint=note
        )
        case_file = built.case_file
        verification = _verification(built.verified) if fmt in ("html", "pdf") else None
    # Rendered and printed with the store closed: Chromium may take its time.
    data, report_data = _render(case_file, fmt, verification, args)
    _write(dest, data, force)
    if report is not None and report_data is not None:
        try:
            _write(report, report_data, force)
        except BaseException:
            # Both or neither: a document without its report would hide what it dropped.
            with contextlib.suppress(OSError):
                os.unlink(dest)
            raise
    whose = "the force (nothing withheld)" if audience is None else audience
    out.write(f"case       {one_line(reference)} ({case_id})\n")
    kind = code_label(case_file.file_type) or case_file.file_type
    out.write(f"audience   {whose}, file type {kind}\n")
    out.write(f"{fmt:<10} {dest} ({len(data)} bytes)\n")
    if report is not None:
        out.write(f"report     {report}\n")
    return 0
