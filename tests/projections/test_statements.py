"""Continuity statements: one per custodian, the same words from the same records."""

from __future__ import annotations

from casefile.projections import RecordView, build_exhibit_register, continuity_statements
from projections.conftest import (
    DC,
    LAB,
    PC,
    STORE,
    T0,
    clean_chain,
    new_case,
    rec,
    renumbered,
    views_of,
)

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
    # The transfer to the lab is signed by the store, not the lab: the lab's
    # paragraph says what that record says, never "I received" in its words.
    assert "seal S1 was checked and found intact" in lab.paragraphs[0]
    assert lab.paragraphs[0].startswith("[Record ")
    assert "I signed no record of receiving it" in lab.paragraphs[0]
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
    assert "seal S1 was checked and found NOT intact" in lab.text  # type: ignore[attr-defined]
    assert "which does NOT match the SHA-256 on record" in lab.text  # type: ignore[attr-defined]
    assert lab.text.endswith(  # type: ignore[attr-defined]
        "I destroyed it by Shredding under Order 9, witnessed by DC 5678 Raj Patel (Test Police)."
    )


def _on_behalf_case() -> list:  # type: ignore[type-arg]
    """A property officer keys in PC's seizure and sealing for her; PC hands it on herself."""
    case = new_case()
    case.bind_actor(STORE)
    case.seize_exhibit(exhibit="JS/1", by=PC, place="Scene", description="Knife", power="s.19")
    case.package_exhibit(exhibit="JS/1", by=PC, place="Scene", bag="B1", seal="S1")
    case.bind_actor(PC)
    case.book_exhibit(exhibit="JS/1", to=STORE, place="Store", property_ref="P/1")
    return views_of(case)


def test_continuity_statement_omits_unconfirmed_acts() -> None:
    records = _on_behalf_case()
    pc = _statements(records)["Jane Smith"]
    text = pc.text  # type: ignore[attr-defined]
    # Nothing PC did not sign is told in her voice...
    assert "I seized" not in text
    assert "I packaged" not in text
    # ...each such record is named as awaiting her confirmation...
    assert "[Record 2 (exhibit.seized) was made on my behalf by PS-1 Central Store" in text
    assert "[Record 3 (exhibit.packaged) was made on my behalf" in text
    # ...and what she signed herself is stated.
    assert "I booked it into the property store" in text
    register = build_exhibit_register(records)
    assert [(f.kind, f.seq, f.exhibit) for f in register.findings] == [
        ("acted_on_behalf_unconfirmed", 2, "JS/1"),
        ("acted_on_behalf_unconfirmed", 3, "JS/1"),
    ]


def test_confirmed_acts_are_stated_in_the_actors_voice() -> None:
    records = _on_behalf_case()
    confirm = [rec(0, "record.confirmed", T0 + 3600 * 10**9, confirms=seq) for seq in (2, 3)]
    for view in confirm:
        view.data.update(recorded_by=None)  # type: ignore[attr-defined]
        for key in ("exhibit", "place", "occurred_at", "notes"):
            del view.data[key]  # type: ignore[attr-defined]
    records = renumbered([*records, *confirm])
    text = _statements(records)["Jane Smith"].text  # type: ignore[attr-defined]
    assert "I seized exhibit JS/1 (Knife) under s.19." in text
    assert "I packaged it in bag B1" in text
    assert "awaits my confirmation" not in text
    assert build_exhibit_register(records).findings == ()


def test_a_confirmation_by_someone_else_confirms_nothing() -> None:
    forged = rec(0, "record.confirmed", T0 + 3600 * 10**9, by=DC, confirms=2)
    forged.data.update(recorded_by=None)  # type: ignore[attr-defined]
    records = renumbered([*_on_behalf_case(), forged])
    assert "[Record 2 (exhibit.seized)" in _statements(records)["Jane Smith"].text  # type: ignore[attr-defined]
    kinds = [(f.kind, f.seq) for f in build_exhibit_register(records).findings]
    assert ("acted_on_behalf_unconfirmed", 2) in kinds


def test_a_captured_item_is_stated_as_captured_never_as_seized() -> None:
    case = new_case()
    case.capture_evidence(
        exhibit="JS/1", kind="photo", sha256=b"\x07" * 32, size=3, media_type="image/png",
        device="Tablet T-7", location="Rear garden", captured_at=T0 + 60 * 10**9,
        description="Shoe mark", by=PC,
    )  # fmt: skip
    case.package_exhibit(exhibit="JS/1", by=PC, place="Scene", bag="B1", seal="S1")
    text = _statements(views_of(case))["Jane Smith"].text  # type: ignore[attr-defined]
    assert (
        "On 2026-01-01 at 00:01:00 UTC, at Rear garden, I captured exhibit JS/1 (Shoe mark), a "
        "photo (image/png), on Tablet T-7; its SHA-256 is " + "07" * 32 + "."
    ) in text
    assert "seized" not in text
    assert "PACE" not in text
    assert "I packaged it in bag B1 and sealed it with seal S1." in text


def test_a_statement_never_states_a_fraction_of_a_second() -> None:
    case = new_case()
    case.capture_evidence(
        exhibit="JS/1", kind="photo", sha256=b"\x07" * 32, size=3, media_type="image/png",
        device="Tablet T-7", location="Rear garden", captured_at=T0 + 60 * 10**9 + 123_456_789,
        description="Shoe mark", by=PC,
    )  # fmt: skip
    text = _statements(views_of(case))["Jane Smith"].text  # type: ignore[attr-defined]
    assert "On 2026-01-01 at 00:01:00 UTC, at Rear garden, I captured exhibit JS/1" in text
    assert ".123" not in text


def test_a_receipt_signed_only_by_the_giver_is_not_told_in_the_receivers_words() -> None:
    # The rule: a statement speaks in X's voice only from acts X signed or
    # confirmed. A transfer is signed by the giver; the receiver signed nothing.
    case = new_case()
    case.seize_exhibit(exhibit="JS/1", by=PC, place="Scene", description="Knife", power="s.19")
    case.transfer_exhibit(exhibit="JS/1", by=PC, to=LAB, place="Lab", purpose="Exam")
    lab = _statements(views_of(case))["Ann Lee"]
    assert "I received" not in lab.text  # type: ignore[attr-defined]
    assert "signed by PC 1234 Jane Smith (Test Police), says that on " in lab.text  # type: ignore[attr-defined]
    # Keyed in by the receiver (recorded for the giver by the receiver), it is the
    # receiver's own record, and is told in their words.
    keyed = new_case()
    keyed.seize_exhibit(exhibit="JS/1", by=PC, place="Scene", description="Knife", power="s.19")
    views = views_of(keyed)
    keyed.transfer_exhibit(exhibit="JS/1", by=PC, to=LAB, place="Lab", purpose="Exam")
    transfer = views_of(keyed)[-1]
    own = {**transfer.data, "recorded_by": LAB.to_data()}
    forged = [*views, RecordView(transfer.event_type, transfer.seq, transfer.time_ns, own)]
    lab = _statements(forged)["Ann Lee"]
    assert "I received exhibit JS/1" in lab.text  # type: ignore[attr-defined]


def test_an_audio_capture_is_stated_as_an_audio_never_a_audio() -> None:
    case = new_case()
    case.capture_evidence(
        exhibit="JS/2", kind="audio", sha256=b"\x08" * 32, size=3, media_type="audio/wav",
        device="Doorbell camera", location="Front door", captured_at=T0 + 60 * 10**9,
        description="Doorbell audio", by=PC,
    )  # fmt: skip
    text = _statements(views_of(case))["Jane Smith"].text  # type: ignore[attr-defined]
    assert "I captured exhibit JS/2 (Doorbell audio), an audio (audio/wav)," in text
    assert "a audio" not in text
