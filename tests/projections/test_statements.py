"""Continuity statements: one per custodian, the same words from the same records."""

from __future__ import annotations

from casefile.projections import build_exhibit_register, continuity_statements
from projections.conftest import DC, LAB, PC, T0, clean_chain, new_case, rec, renumbered, views_of

PC_STATEMENT = (
    "I am PC 1234 Jane Smith (Test Police).\n\n"
    "On 2026-01-01 at 00:01:00 UTC, at 12 High Street, I seized exhibit JS/1 (Black iPhone) "
    "under PACE s.19. On 2026-01-01 at 00:02:00 UTC, at 12 High Street, I packaged it in bag B1 "
    "and sealed it with seal S1. On 2026-01-01 at 00:03:00 UTC, at Central Store, I booked it "
    "into the property store, sealed in bag B1 with seal S1, under reference P/26/1, where "
    "PS-1 Central Store (Test Police) received it."
)


def _statements(records: list) -> dict[str, object]:  # type: ignore[type-arg]
    register = build_exhibit_register(records)
    return {s.custodian.name: s for s in continuity_statements(register)}


def test_each_custodian_has_one_statement_in_order_of_first_custody() -> None:
    statements = continuity_statements(build_exhibit_register(views_of(clean_chain())))
    assert [s.custodian.name for s in statements] == ["Jane Smith", "Central Store", "Ann Lee"]
    seizing, store, lab = statements
    assert seizing.text == PC_STATEMENT
    assert seizing.exhibits == ("JS/1",)
    assert len(store.paragraphs) == 2  # received from PC, then back from the lab
    assert store.paragraphs[1].endswith(
        "It remains in my custody at Central Store, sealed in bag B2 with seal S2."
    )
    assert lab.exhibits == ("JS/1", "JS/1/A")
    assert "I checked seal S1: it was intact." in lab.paragraphs[0]
    assert "I opened seal S1 (Examination)." in lab.paragraphs[0]
    assert "replacing seal S1" in lab.paragraphs[0]
    assert lab.paragraphs[1].startswith(
        "On 2026-01-01 at 00:06:00 UTC, at Lab, I made exhibit JS/1/A (Image of JS/1), a copy "
        "of exhibit JS/1"
    )


def test_the_same_records_always_give_the_same_words() -> None:
    first = continuity_statements(build_exhibit_register(views_of(clean_chain())))
    again = continuity_statements(build_exhibit_register(views_of(clean_chain())))
    assert [s.text for s in first] == [s.text for s in again]


def test_no_personal_data_of_the_public_enters_a_statement() -> None:
    statements = continuity_statements(build_exhibit_register(views_of(clean_chain())))
    assert not any("Alan Example" in s.text for s in statements)


def test_a_handover_missing_from_the_records_is_stated_on_both_sides() -> None:
    case = new_case()
    case.seize_exhibit(exhibit="JS/1", by=PC, place="Scene", description="Knife", power="s.19")
    examined = rec(
        0, "exhibit.examined", T0 + 3600 * 10**9, by=DC, lab="L", method="Visual", tool="",
        tool_version="", destructive=False,
    )  # fmt: skip
    statements = _statements(renumbered([*views_of(case), examined]))
    pc, dc = statements["Jane Smith"], statements["Raj Patel"]
    assert "no handover by me is recorded" in pc.text  # type: ignore[attr-defined]
    assert "no handover to me is recorded" in dc.text  # type: ignore[attr-defined]


def test_a_broken_seal_and_a_failed_fixity_check_are_stated_plainly() -> None:
    case = new_case()
    case.seize_exhibit(
        exhibit="JS/1", by=PC, place="x", description="USB", power="p", sha256=b"\x01" * 32
    )
    case.package_exhibit(exhibit="JS/1", by=PC, place="x", bag="B1", seal="S1")
    case.transfer_exhibit(
        exhibit="JS/1",
        by=PC,
        to=LAB,
        place="Lab",
        purpose="Exam",
        seal_checked=True,
        seal="S1",
        seal_intact=False,
    )
    case.check_fixity(exhibit="JS/1", by=LAB, place="Lab", actual_sha256=b"\x02" * 32)
    case.destroy_exhibit(
        exhibit="JS/1", by=LAB, place="Lab", method="Shredding", authority="Order 9", witness=DC
    )
    lab = _statements(views_of(case))["Ann Lee"]
    assert "I checked seal S1: it was NOT intact." in lab.text  # type: ignore[attr-defined]
    assert "which does NOT match the SHA-256 on record" in lab.text  # type: ignore[attr-defined]
    assert lab.text.endswith(  # type: ignore[attr-defined]
        "I destroyed it by Shredding under Order 9, witnessed by DC 5678 Raj Patel (Test Police)."
    )
