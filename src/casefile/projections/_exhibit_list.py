"""An MG12-style exhibit list: one row per exhibit, from the exhibit register."""

from __future__ import annotations

from dataclasses import dataclass

from casefile.projections._continuity_model import ExhibitHistory, ExhibitRegister
from casefile.projections._texts import shown_text

__all__ = ["ExhibitListRow", "exhibit_list"]


@dataclass(frozen=True, slots=True)
class ExhibitListRow:
    """One exhibit as an MG12 exhibit list shows it; every field is text ("" when none).

    A description or location not disclosed to the reader is ``[not disclosed]``.

    ``seal`` is the seal on record, with ``(opened)`` after it once opened;
    ``original_or_copy`` is ``original`` or ``copy of <ref>``; ``sha256`` is
    lowercase hex for digital items.
    """

    reference: str
    description: str
    produced_by: str
    bag: str
    seal: str
    location: str
    property_ref: str
    original_or_copy: str
    sha256: str
    media_type: str
    root: str
    status: str


def _row(ex: ExhibitHistory) -> ExhibitListRow:
    seal = ex.seal or ""
    if seal and not ex.sealed:
        seal += " (opened)"
    return ExhibitListRow(
        reference=ex.reference,
        description=shown_text(ex.description),
        produced_by="" if ex.produced_by is None else ex.produced_by.describe(),
        bag=ex.bag or "",
        seal=seal,
        location=shown_text(ex.location),
        property_ref=ex.property_ref or "",
        original_or_copy="original" if ex.original else f"copy of {ex.source}",
        sha256="" if ex.sha256 is None else ex.sha256.hex(),
        media_type=ex.media_type or "",
        root=ex.root,
        status=ex.status,
    )


def exhibit_list(register: ExhibitRegister) -> tuple[ExhibitListRow, ...]:
    """The MG12 rows of every exhibit, in the order the case introduced them."""
    return tuple(_row(ex) for ex in register.exhibits)
