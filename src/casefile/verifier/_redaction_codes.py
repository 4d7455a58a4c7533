"""The code lists of redaction and erasure records, and the witness's restricted details.

These are facts of the format (docs/FORMAT.md §10.4), not of the domain: a
bundle names its audience, the verifier judges redactions against an
audience's decisions, and a defence bundle is refused if it carries a
restricted detail. They live here, below the domain, so that the verifier
and the bundle reader need no domain class to read them; the domain
re-exports them (``casefile.events``).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Final

__all__ = [
    "DECISION_TYPE",
    "ERASURE_TYPE",
    "RESTRICTED_FIELDS",
    "WITHDRAWAL_TYPE",
    "Audience",
    "ErasureBasis",
    "RedactionReason",
    "Run",
    "merge_runs",
    "runs_cover",
]

#: The record type of a redaction decision.
DECISION_TYPE: Final = "redaction.decided"
#: The record type that withdraws a redaction decision.
WITHDRAWAL_TYPE: Final = "redaction.withdrawn"
#: The record type of a data-protection erasure of disclosed words or values.
ERASURE_TYPE: Final = "disclosure.erased"


class Audience(StrEnum):
    """Who an export is made for; a redaction decision applies to one or more of them."""

    CPS = "cps"
    DEFENCE = "defence"
    COURT = "court"
    VICTIM = "victim"


class RedactionReason(StrEnum):
    """Why words or a value are withheld, after the CPS/NPCC Joint Principles for Redaction.

    ``other`` requires a free-text explanation in the decision.
    """

    THIRD_PARTY_PERSONAL_DATA = "third_party_personal_data"
    VICTIM_OR_WITNESS_CONTACT_DETAILS = "victim_or_witness_contact_details"
    WITNESS_IDENTITY = "witness_identity"
    FINANCIAL_DETAILS = "financial_details"
    HEALTH_OR_SPECIAL_CATEGORY_DATA = "health_or_special_category_data"
    SENSITIVE_POLICING_INFORMATION = "sensitive_policing_information"
    IRRELEVANT_PERSONAL_DATA = "irrelevant_personal_data"
    OTHER = "other"


class ErasureBasis(StrEnum):
    """The ground on which disclosed words or values were erased for good.

    ``other`` requires a free-text explanation in the erasure record.
    """

    ERASURE_REQUEST = "erasure_request"
    RETENTION_EXPIRED = "retention_expired"
    COURT_ORDER = "court_order"
    OTHER = "other"


#: The MG11 back page: a witness's personal fields (of ``person.added``) that
#: never go to the defence, whatever a disclosure policy says.
RESTRICTED_FIELDS: Final = frozenset(
    {
        "address",
        "phone",
        "email",
        "date_of_birth",
        "gender",
        "ethnicity",
        "dates_to_avoid",
        "special_measures",
        "willing_to_attend",
        "consent_to_share",
        "vps_offered",
    }
)


#: A run of units ``[start, end)`` of a text field.
Run = tuple[int, int]


def merge_runs(runs: Iterable[Run]) -> tuple[Run, ...]:
    """``runs`` sorted, with overlapping and adjacent runs merged: the maximal runs they cover.

    Each run must be a pair of integers ``0 <= start < end``; raises
    ``ValueError`` naming the first that is not.
    """
    ordered = []
    for index, run in enumerate(runs):
        if (
            not isinstance(run, tuple | list)
            or len(run) != 2
            or any(type(x) is not int for x in run)
            or not 0 <= run[0] < run[1]
        ):
            raise ValueError(f"run {index} ({run!r}) is not a pair of integers 0 <= start < end")
        ordered.append((run[0], run[1]))
    ordered.sort()
    merged: list[Run] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def runs_cover(cover: Iterable[Run], runs: Iterable[Run]) -> bool:
    """True if every unit of ``runs`` lies in a run of ``cover``."""
    merged = merge_runs(cover)
    return all(any(a <= start and end <= b for a, b in merged) for start, end in runs)
