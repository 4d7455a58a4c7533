"""The code lists of redaction and erasure records, and the witness's restricted details.

These are facts of the format (docs/FORMAT.md §10.4), not of the domain: a
bundle names its audience, the verifier judges redactions against an
audience's decisions, and a defence bundle is refused if it carries a
restricted detail. They live here, below the domain, so that the verifier
and the bundle reader need no domain class to read them; the domain
re-exports them (``casefile.events``).
"""

from __future__ import annotations

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


#: The MG11 back page and the witness care assessment: a witness's personal
#: fields (of ``person.added`` and ``witness_care.assessed``) that never go to
#: the defence, whatever a disclosure policy says.
RESTRICTED_FIELDS: Final = frozenset(
    {
        "address",
        "care_needs",
        "interpreter",
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
