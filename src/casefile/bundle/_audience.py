"""Who a bundle is made for, and what never reaches the defence (docs/FORMAT.md §9.2, B7).

A bundle made for an audience applies that audience's redaction decisions
(B11). The witness's restricted details, the back page of an MG11, are held as
committed personal fields of the person and never travel in a bundle made for
the defence, whatever its disclosure policy says. The code lists themselves
are format facts of :mod:`casefile.verifier`.
"""

from __future__ import annotations

from typing import Final

from casefile.verifier._redaction_codes import RESTRICTED_FIELDS, Audience

__all__ = ["AUDIENCES", "RESTRICTED_FIELDS", "is_restricted"]

#: The audiences a bundle may name, as the manifest spells them.
AUDIENCES: Final = tuple(str(a) for a in Audience)


def is_restricted(audience: str | None, name: str) -> bool:
    """True if a disclosure of field ``name`` may never travel to ``audience``."""
    return audience == Audience.DEFENCE and name in RESTRICTED_FIELDS
