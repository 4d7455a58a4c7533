"""The mapping report of a DCF export: what it dropped, left unfilled, or refused.

The report is the honest half of the export. A DCF 1.2 document alone would
let a reader believe it is the case file; the report says, by JSON pointer
(RFC 6901), what of the case file it does not carry (``dropped``), which DCF
fields the case file has no value for (``unfilled``: left out, or filled with
a stated placeholder so the document passes the schema), and which case-file
values the DCF would refuse (``refused``: not exported). ``conforms`` is true
iff every field the DCF schema requires holds a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, Literal

from casefile.projections._dcf_source import DcfDropped

__all__ = [
    "DCF_LABEL",
    "DCF_REPORT_FORMAT",
    "DCF_REPORT_VERSION",
    "DCF_SCHEMA_RELEASE",
    "DCF_SCHEMA_VERSION",
    "DcfMappingReport",
    "DcfRefused",
    "DcfUnfilled",
    "UnfilledAction",
    "dcf_urn_refusal",
]

#: How the export and its documentation name what it produces. Nothing more.
DCF_LABEL: Final = "DCF 1.2-compatible (public 2016 schema)"
#: The ``schema_version`` the DCF document declares (the schema's only value).
DCF_SCHEMA_VERSION: Final = "1.2.2"
#: The public schema release the export targets.
DCF_SCHEMA_RELEASE: Final = "1.2.2.1"
#: The ``format`` and ``version`` of the mapping report's JSON.
DCF_REPORT_FORMAT: Final = "casefile-dcf-mapping-report"
DCF_REPORT_VERSION: Final = 1

# The DCF's URN patterns, anchored: the schema's own are not, so it accepts
# any string that contains a URN somewhere (a known defect of 1.2.2.1).
_URN: Final = {
    "FirstHearingDCF": re.compile(r"[0-9]{2}[A-Z]{2}[0-9]{5}[0-9]{2}(-M|-[0-9][0-9]?)?"),
    "BobDCF": re.compile(r"[0-9]{2}[A-Z]{2}[0-9]{5}[0-9]{2}(-[A-Z]{2})?"),
}


def dcf_urn_refusal(urn: str | None, dcf_type: str) -> str | None:
    """Why the DCF would refuse ``urn`` as a ``dcf_type`` URN, or None if it fits."""
    if urn is None:
        return "the case file has no URN"
    if not _URN[dcf_type].fullmatch(urn):
        return (
            f"{urn!r} is not a {dcf_type} URN: force (2 digits), station (2 capitals),"
            " serial (5 digits), year (2 digits)"
            + (", then -M or -N or -NN" if dcf_type == "FirstHearingDCF" else ", then -XX")
        )
    return None


#: ``placeholder``: a value that asserts nothing the case file holds was
#: written so the document passes the schema; ``omitted``: the field was left out.
UnfilledAction = Literal["placeholder", "omitted"]


@dataclass(frozen=True, slots=True)
class DcfUnfilled:
    """A DCF field the case file has no value for."""

    path: str
    required: bool
    action: UnfilledAction
    reason: str
    value: Any = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "required": self.required,
            "action": self.action,
            "reason": self.reason,
        }
        if self.action == "placeholder":
            out["value"] = self.value
        return out


@dataclass(frozen=True, slots=True)
class DcfRefused:
    """A case-file value the DCF would refuse, so not exported."""

    pointer: str
    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"pointer": self.pointer, "path": self.path, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class DcfMappingReport:
    """What a DCF export left behind. See the module docstring."""

    dcf_type: str
    case_file_format: str
    case_file_version: int
    dropped: tuple[DcfDropped, ...]
    unfilled: tuple[DcfUnfilled, ...]
    refused: tuple[DcfRefused, ...]

    @property
    def conforms(self) -> bool:
        """True iff no field the DCF schema requires was left out."""
        return not any(item.required and item.action == "omitted" for item in self.unfilled)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (the shape docs/CASEFILE.md gives)."""
        return {
            "format": DCF_REPORT_FORMAT,
            "version": DCF_REPORT_VERSION,
            "label": DCF_LABEL,
            "dcf_schema": DCF_SCHEMA_RELEASE,
            "dcf_type": self.dcf_type,
            "case_file": {"format": self.case_file_format, "version": self.case_file_version},
            "conforms": self.conforms,
            "dropped": [item.to_json() for item in self.dropped],
            "unfilled": [item.to_json() for item in self.unfilled],
            "refused": [item.to_json() for item in self.refused],
        }
