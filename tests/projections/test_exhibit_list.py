"""The MG12-style exhibit list: one row per exhibit, every field as text."""

from __future__ import annotations

from casefile.projections import build_exhibit_register, exhibit_list
from projections.conftest import DC, PC, T0, clean_chain, new_case, views_of


def test_rows_of_an_original_and_its_image() -> None:
    phone, image = exhibit_list(build_exhibit_register(views_of(clean_chain())))
    assert (phone.reference, phone.description, phone.produced_by) == (
        "JS/1",
        "Black iPhone",
        "PC 1234 Jane Smith (Test Police)",
    )
    assert (phone.bag, phone.seal, phone.location, phone.property_ref) == (
        "B2",
        "S2",
        "Central Store",
        "P/26/1",
    )
    assert (phone.original_or_copy, phone.sha256, phone.status) == ("original", "", "active")
    assert (image.original_or_copy, image.root) == ("copy of JS/1", "JS/1")
    assert image.sha256 == bytes(range(32)).hex()


def test_an_opened_seal_and_captured_evidence_are_shown_as_such() -> None:
    case = new_case()
    case.capture_evidence(
        exhibit="DR/1",
        kind="photo",
        sha256=b"\x05" * 32,
        size=3,
        media_type="image/jpeg",
        device="tablet",
        location="Scene",
        captured_at=T0,
        description="Photo of the door",
        by=DC,
    )
    case.seize_exhibit(exhibit="JS/1", by=PC, place="x", description="Bag", power="p")
    case.package_exhibit(exhibit="JS/1", by=PC, place="x", bag="B1", seal="S1")
    case.open_seal(exhibit="JS/1", by=PC, place="x", seal="S1", reason="Check")
    case.destroy_exhibit(exhibit="JS/1", by=PC, place="y", method="m", authority="a", witness=DC)
    photo, bag = exhibit_list(build_exhibit_register(views_of(case)))
    assert (photo.reference, photo.location, photo.media_type) == (
        "DR/1",
        "evidence store",
        "image/jpeg",
    )
    assert photo.sha256 == "05" * 32
    assert (bag.seal, bag.status, bag.location) == ("S1 (opened)", "destroyed", "y")
