"""``casefile exhibits``: a case's exhibits as an MG12-style table, and its continuity findings.

The table is built from the case's records as the offline verifier checks
them (:func:`casefile.cli._register.verified_register`), so it shows what an
auditor would see, not what the recording software believes. Findings are
observations, not failures: the command exits 0 with findings listed, and 1
only if a record does not verify.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final, TextIO

from casefile._time import ns_to_human
from casefile.cli._register import verified_register
from casefile.cli._store import (
    add_store_arguments,
    named_case,
    open_app,
    store_config,
    store_errors,
)
from casefile.cli._text import one_line
from casefile.findings import Finding
from casefile.projections import ExhibitRegister, exhibit_list, exhibit_register_json
from casefile.signing import load_trust_store

__all__ = ["add_exhibits_parser", "exhibit_table", "findings_lines", "run_exhibits"]

_HEADINGS: Final = ("REF", "DESCRIPTION", "CUSTODIAN", "LOCATION", "SEAL", "STATUS", "SHA-256")
# Widest a column may grow before its text is cut (with "…"): keeps a row on a wide terminal.
_WIDTHS: Final = (16, 28, 24, 30, 20, 12, 12)
_SHA_PREFIX: Final = 12
_MAX_FINDINGS_SHOWN: Final = 200


def add_exhibits_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``exhibits``."""
    exhibits = commands.add_parser(
        "exhibits",
        parents=parents,
        help="list a case's exhibits and the continuity of their custody",
        description="Verify the case's records, then show every exhibit (reference, "
        "description, custodian, location, seal, status, SHA-256) and every break in "
        "continuity found. Exit status: 0 shown, 1 a record did not verify, 2 unusable input.",
    )
    add_store_arguments(exhibits)
    exhibits.add_argument("--case", required=True, help="the case id (UUID) or its reference (URN)")
    exhibits.add_argument(
        "--trust", required=True, type=Path, metavar="TRUSTFILE", help="the force's trust store"
    )
    exhibits.add_argument(
        "--json",
        action="store_true",
        help="print the exhibit register as JSON (the views/exhibits.json of a bundle)",
    )
    exhibits.set_defaults(handler=run_exhibits)


def _cell(text: str, width: int) -> str:
    shown = one_line(text)
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    cells = [[_cell(text, width) for text, width in zip(row, _WIDTHS, strict=True)] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(_HEADINGS))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]


def exhibit_table(register: ExhibitRegister) -> list[str]:
    """The register's exhibits as aligned lines of text, headings first."""
    rows: list[Sequence[str]] = [_HEADINGS]
    for row, history in zip(exhibit_list(register), register.exhibits, strict=True):
        held = history.custodian
        # Rank, number and name say who; the organisation is in the JSON register.
        custodian = (
            "-" if held is None else " ".join(p for p in (held.rank, held.number, held.name) if p)
        )
        # In a store, its property reference first: it must survive a cut.
        location = (
            f"{row.property_ref}, {row.location}"
            if history.in_store and row.property_ref
            else row.location
        )
        status = row.status + ("" if row.original_or_copy == "original" else " copy")
        rows.append(
            (
                row.reference,
                row.description or "-",
                custodian,
                location or "-",
                row.seal or "-",
                status,
                row.sha256[:_SHA_PREFIX] or "-",
            )
        )
    return _table(rows)


def findings_lines(findings: Sequence[Finding]) -> list[str]:
    """``continuity: no findings``, or a count and one line per finding."""
    if not findings:
        return ["continuity: no findings"]
    lines = [f"continuity: {len(findings)} finding(s)"]
    for finding in findings[:_MAX_FINDINGS_SHOWN]:
        where = f" {one_line(finding.exhibit)}" if finding.exhibit else ""
        seq = f" record {finding.seq}" if finding.seq is not None else ""
        lines.append(f"  [{finding.kind}]{where}{seq}: {one_line(finding.message)}")
    if len(findings) > _MAX_FINDINGS_SHOWN:
        lines.append(f"  … {len(findings) - _MAX_FINDINGS_SHOWN} more (use --json)")
    return lines


def run_exhibits(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Verify the case's records, build its register, print it (table or JSON)."""
    trust = load_trust_store(args.trust)
    config = store_config(args)
    at = time.time_ns()
    with store_errors(config), open_app(config, trust) as app:
        try:
            case = named_case(app, args.case, config)
            case_id, reference = case.id, case.reference
            register = verified_register(app, case_id, at=at)
        finally:
            app.close()
    if args.json:
        out.write(exhibit_register_json(register).decode("utf-8"))
        return 0
    count = len(register.exhibits)
    lines = [
        f"case {one_line(reference)} ({case_id}): {count} exhibit(s), as of {ns_to_human(at)}",
        "",
    ]
    lines += exhibit_table(register) if count else ["(no exhibits)"]
    lines += ["", *findings_lines(register.findings)]
    out.write("\n".join(lines) + "\n")
    return 0
