"""The demo's case file: the MG forms for the CPS as JSON and HTML, its DCF view, what it lacks.

The case file is built by the application from the case's verified records,
with the CPS's redaction decisions applied as in the CPS's bundle, for an
anticipated not-guilty plea; its completeness report is what the demo
prints. The same file is written as the printable HTML page a prosecutor
reads, ending with its verification page (every signer, the checkpoint, the
verifier's findings), from the one verification it was built from. The DCF
1.2 document is mapped from that file, with the report of what the mapping
dropped or could not fill. All are written beside the bundles, in the demo's
staging folder.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from casefile.cli._files import write_new_file

if TYPE_CHECKING:
    from casefile.application import CasefileApp

__all__ = [
    "CASE_FILE",
    "CASE_FILE_HTML",
    "DCF",
    "DCF_REPORT",
    "FILE_TYPE",
    "CaseFileOutput",
    "write_case_file",
]

#: The case file's JSON, beside the bundles.
CASE_FILE: Final = "casefile.json"
#: The same case file as one printable page.
CASE_FILE_HTML: Final = "casefile.html"
#: The DCF 1.2-compatible document, and its mapping report.
DCF: Final = "dcf.json"
DCF_REPORT: Final = "dcf-report.json"
#: The kind of file the demo's case is built as.
FILE_TYPE: Final = "anticipated_not_guilty_plea"


@dataclass(frozen=True, slots=True)
class CaseFileOutput:
    """What was written, the completeness report's lines (empty: complete), the DCF's report."""

    forms: tuple[str, ...]
    lacking: tuple[str, ...]
    dcf_type: str
    dcf_conforms: bool
    dcf_dropped: int
    dcf_unfilled: int
    #: Of the unfilled fields, those given a value only so that the schema accepts the file.
    dcf_placeholders: int = 0
    #: How the export labels itself: compatible with the public 2016 schema, nothing more.
    dcf_label: str = ""


def write_case_file(
    app: CasefileApp, case_id: uuid.UUID, root: Path, *, checkpoint: str | None = None
) -> CaseFileOutput:
    """Write the CPS's case file, JSON and HTML, into ``root``; what it holds and still lacks.

    ``checkpoint`` (a signed note over the records as they stand) is verified
    with them and shown on the HTML's verification page.
    """
    from casefile.projections import (
        DCF_LABEL,
        case_file_document,
        case_file_html,
        dcf_export,
        verification_page,
    )
    from casefile.projections._document import json_document

    built = app.verified_case_file(
        case_id, audience="cps", file_type=FILE_TYPE, checkpoint=checkpoint
    )
    case_file, verified = built.case_file, built.verified
    write_new_file(root / CASE_FILE, case_file_document(case_file))
    page = verification_page(
        verified.records,
        checkpoint=verified.checkpoint,
        findings=verified.findings,
        captures=built.captured,
    )
    write_new_file(root / CASE_FILE_HTML, case_file_html(case_file, verification=page))
    dcf, report = dcf_export(case_file)
    write_new_file(root / DCF, json_document(dcf))
    write_new_file(root / DCF_REPORT, json_document(report.to_json()))
    forms = tuple(
        name.upper()
        for name in ("mg1", "mg3", "mg5", "mg6c", "mg6d", "mg6e", "mg9", "mg11", "mg12")
        if getattr(case_file, name)
    )
    lacking = tuple(
        f"{lack.form} {lack.item}: {lack.message}" for lack in case_file.completeness.lacking
    )
    return CaseFileOutput(
        forms,
        lacking,
        dcf_type=report.dcf_type,
        dcf_conforms=report.conforms,
        dcf_dropped=len(report.dropped),
        dcf_unfilled=len(report.unfilled),
        dcf_placeholders=sum(gap.action == "placeholder" for gap in report.unfilled),
        dcf_label=DCF_LABEL,
    )
