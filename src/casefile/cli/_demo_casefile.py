"""The demo's case file: the MG forms for the CPS as JSON, and what the file still lacks.

The case file is built by the application from the case's verified records,
with the CPS's redaction decisions applied as in the CPS's bundle, for an
anticipated not-guilty plea; its completeness report is what the demo
prints. Written beside the bundles, in the demo's staging folder.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from casefile.cli._files import write_new_file

if TYPE_CHECKING:
    from casefile.application import CasefileApp

__all__ = ["CASE_FILE", "FILE_TYPE", "CaseFileOutput", "write_case_file"]

#: The case file's JSON, beside the bundles.
CASE_FILE: Final = "casefile.json"
#: The kind of file the demo's case is built as.
FILE_TYPE: Final = "anticipated_not_guilty_plea"


@dataclass(frozen=True, slots=True)
class CaseFileOutput:
    """What was written, and the completeness report's lines (empty: complete)."""

    forms: tuple[str, ...]
    lacking: tuple[str, ...]


def write_case_file(app: CasefileApp, case_id: uuid.UUID, root: Path) -> CaseFileOutput:
    """Write the CPS's case file JSON into ``root``; what it holds and still lacks."""
    from casefile.projections import case_file_document

    case_file = app.case_file(case_id, audience="cps", file_type=FILE_TYPE)
    write_new_file(root / CASE_FILE, case_file_document(case_file))
    forms = tuple(
        name.upper()
        for name in ("mg1", "mg3", "mg5", "mg6c", "mg6d", "mg6e", "mg9", "mg11", "mg12")
        if getattr(case_file, name)
    )
    lacking = tuple(
        f"{lack.form} {lack.item}: {lack.message}" for lack in case_file.completeness.lacking
    )
    return CaseFileOutput(forms, lacking)
