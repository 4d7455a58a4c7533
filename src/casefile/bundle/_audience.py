"""Who a bundle is made for, and what never reaches the defence (docs/FORMAT.md §9.2, B7).

A bundle made for an audience applies that audience's redaction decisions
(B11). The witness's restricted details, the back page of an MG11, are held as
committed personal fields of the person and never travel in a bundle made for
the defence, whatever its disclosure policy says.
"""

from __future__ import annotations

from typing import Final

__all__ = ["AUDIENCES", "DEFENCE", "RESTRICTED_FIELDS", "is_restricted"]

#: The audiences a bundle, and a redaction decision, may name.
AUDIENCES: Final = ("court", "cps", "defence", "victim")
DEFENCE: Final = "defence"

#: The MG11 back page: personal fields never disclosed to the defence.
RESTRICTED_FIELDS: Final = frozenset(
    {
        "address",
        "consent_to_share",
        "date_of_birth",
        "dates_to_avoid",
        "email",
        "ethnicity",
        "gender",
        "phone",
        "special_measures",
        "vps_offered",
        "willing_to_attend",
    }
)


def is_restricted(audience: str | None, name: str) -> bool:
    """True if a disclosure of field ``name`` may never travel to ``audience``."""
    return audience == DEFENCE and name in RESTRICTED_FIELDS
