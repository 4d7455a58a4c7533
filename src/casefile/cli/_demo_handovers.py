"""The demo's handovers, as data: to whom, in what order, and what happens between them."""

from __future__ import annotations

from typing import Final

__all__ = ["BETWEEN_HANDOVERS", "BUNDLES", "FIRST_CPS", "RECEIPTED", "RECIPIENTS", "SECOND_CPS"]

#: The bundles the demo writes, in order: (audience, folder); each also as ``<folder>.zip``.
FIRST_CPS: Final = "bundle-first"
SECOND_CPS: Final = "bundle"
BUNDLES: Final = (("cps", FIRST_CPS), ("cps", SECOND_CPS), ("defence", "bundle-defence"))
#: Whom each audience's bundles are handed to (their handover records name them).
RECIPIENTS: Final = {
    "cps": "CPS Direct, Northshire",
    "defence": "Defence solicitors for the suspect",
}
#: The first CPS bundle's checkpoint with the CPS's cosignature: what the CPS keeps.
RECEIPTED: Final = "bundle-first.receipt.txt"
#: Recorded after the first handover to the CPS and before the second.
BETWEEN_HANDOVERS: Final = (
    "Victim told of the charge and of the first hearing date, as the Victims' Code requires."
)
