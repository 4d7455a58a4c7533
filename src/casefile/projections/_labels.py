"""The words a reader sees for the codes the records hold: one table for every view.

The records and the JSON keep the codes (``anticipated_not_guilty_plea``);
the readable case file shows them as a prosecutor says them ("Anticipated
not guilty plea"). A code missing from the table, or a value of a field that
holds no code, is never guessed at: :func:`label` gives None and the page shows
the raw value as code, so a new code reads oddly rather than wrongly.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["CODE_FIELDS", "LABELS", "label"]

#: Fields whose values are codes of the format (payload schema enums and the case file's own).
CODE_FIELDS: Final = frozenset(
    {
        "anticipated_plea",
        "audience",
        "basis",
        "decision",
        "file_type",
        "kind",
        "markers",
        "original_or_copy",
        "outcome",
        "risk",
        "role",
        "schedule",
        "signatory",
        "special_warnings",
        "status",
        "test",
    }
)

_LABELS: Final[dict[str, str]] = {
    # File types (docs/CASEFILE.md §4) and audiences.
    "pre_charge": "Pre-charge",
    "anticipated_guilty_plea": "Anticipated guilty plea",
    "anticipated_not_guilty_plea": "Anticipated not guilty plea",
    "missing_person": "Missing person",
    "cps": "Crown Prosecution Service",
    "defence": "Defence",
    "court": "Court",
    "victim": "Victim",
    # Pleas.
    "guilty": "Guilty",
    "not_guilty": "Not guilty",
    "unknown": "Not known",
    # Roles of people and of keys.
    "suspect": "Suspect",
    "witness": "Witness",
    "officer": "Officer",
    "other": "Other",
    "prosecutor": "Prosecutor",
    "recorder": "Recorder",
    "redactor": "Redactor",
    "checkpoint": "Checkpoint service",
    "supervisor": "Supervisor",
    "data_protection": "Data protection officer",
    "reader": "Reader (for the witness)",
    # Case, bail and exhibit status.
    "open": "Open",
    "closed": "Closed",
    "reopened": "Reopened",
    "charged": "Charged",
    "completed": "Completed",
    "referred_to_cps": "Referred to the CPS",
    "under_investigation": "Under investigation",
    "released_under_investigation": "Released under investigation",
    "no_further_action": "No further action",
    "police_bail": "Police bail",
    "court_bail": "Court bail",
    "unconditional_bail": "Unconditional bail",
    "remanded_in_custody": "Remanded in custody",
    "active": "Held",
    "original": "Original",
    "copy": "Copy",
    # Charging (MG3) and the Code for Crown Prosecutors' tests.
    "full_code": "Full Code Test",
    "threshold": "Threshold Test",
    "charge": "Charge",
    "declined": "Charge declined",
    "deferred": "Decision deferred",
    "further_evidence": "Further evidence needed",
    "out_of_court_disposal": "Out of court disposal",
    # Victim personal statements and missing people.
    "made": "Made",
    "returned": "Returned",
    "found": "Found",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
    # Unused material (MG6C, MG6D) and prosecutors' decisions on it.
    "mg6c": "MG6C (non-sensitive)",
    "mg6d": "MG6D (sensitive)",
    "clearly_not_disclosable": "Clearly not disclosable",
    "disclose": "Disclose",
    "inspect": "Defence may inspect",
    "retain": "Retain",
    "destroy": "Destroy",
    "return": "Return",
    # Markers of the front sheet.
    "youth_defendant": "Youth defendant",
    "offence_committed_on_bail": "Offence committed on bail",
    # Kinds of case and of evidence; special warnings.
    "crime": "Crime",
    "audio": "Audio",
    "document": "Document",
    "photo": "Photograph",
    "video": "Video",
    "s36": "Special warning (s36)",
    "s37": "Special warning (s37)",
    # Erasure bases.
    "court_order": "Court order",
    "erasure_request": "Erasure request",
    "retention_expired": "Retention period expired",
}

#: Every code the page words, and its words.
LABELS: Final[Mapping[str, str]] = MappingProxyType(_LABELS)


def label(code: str) -> str | None:
    """The words for ``code``, or None when the table has none (show the code itself)."""
    return _LABELS.get(code)
