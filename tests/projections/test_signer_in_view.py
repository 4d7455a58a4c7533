"""The continuity view matches who a record says acted against the key that signed it.

A verified case has passed V15 already; these records come "from any
source" with their signer's trust entry, as ``build_exhibit_register``
accepts them, and must not let a key speak for someone else.
"""

from __future__ import annotations

from casefile.events._custody_values import Custodian
from casefile.projections import RecordView, build_exhibit_register, continuity_statements
from casefile.signing import Holder, InMemorySigner, TrustEntry
from projections.conftest import DC, PC, STORE, T0, new_case, renumbered, views_of


def _entry(person: Custodian, name: str) -> TrustEntry:
    return TrustEntry(
        public_key=InMemorySigner.generate().public_key,
        name=name,
        holder=Holder(person.name, person.rank, person.number, person.organisation),
        roles=frozenset({"recorder"}),
        valid_from=T0,
    )


PC_KEY, DC_KEY, STORE_KEY = (
    _entry(PC, "test/pc"),
    _entry(DC, "test/dc"),
    _entry(STORE, "test/store"),
)


def _signed(views: list[RecordView], keys: list[TrustEntry]) -> list[RecordView]:
    return [
        RecordView(v.event_type, v.seq, v.time_ns, v.data, key, v.schema)
        for v, key in zip(views, keys, strict=True)
    ]


def _seized_by_pc_booked() -> list[RecordView]:
    case = new_case()
    case.seize_exhibit(exhibit="JS/1", by=PC, place="Scene", description="Knife", power="s.19")
    case.book_exhibit(exhibit="JS/1", by=PC, to=STORE, place="Store", property_ref="P/1")
    return views_of(case)


def test_a_seizure_naming_pc_but_signed_by_dc_is_not_stated_in_pcs_voice() -> None:
    opened, seized, booked = _seized_by_pc_booked()
    records = _signed([opened, seized, booked], [DC_KEY, DC_KEY, PC_KEY])
    register = build_exhibit_register(records)
    assert ("malformed_custody_record", 2) in [(f.kind, f.seq) for f in register.findings]
    actor = next(f for f in register.findings if f.seq == 2)
    assert "Jane Smith" in actor.message
    assert "Raj Patel" in actor.message
    text = " ".join(s.text for s in continuity_statements(register))
    assert "I seized" not in text


def test_a_record_naming_its_signer_is_read_as_before() -> None:
    records = _signed(list(_seized_by_pc_booked()), [PC_KEY, PC_KEY, PC_KEY])
    register = build_exhibit_register(records)
    assert register.findings == ()
    (pc,) = [s for s in continuity_statements(register) if s.custodian.name == "Jane Smith"]
    assert "I seized" in pc.text


def test_a_confirmation_signed_by_someone_else_confirms_nothing_in_the_view() -> None:
    case = new_case()
    case.bind_actor(STORE)
    case.seize_exhibit(exhibit="JS/1", by=PC, place="Scene", description="Knife", power="s.19")
    opened, seized = views_of(case)
    # Signed by DC's key, naming PC as the one confirming.
    forged = RecordView(
        "record.confirmed", 0, T0 + 3600 * 10**9,
        {"by": PC.to_data(), "confirms": 2, "recorded_by": None}, DC_KEY,
    )  # fmt: skip
    records = renumbered([*_signed([opened, seized], [STORE_KEY, STORE_KEY]), forged])
    register = build_exhibit_register(records)
    assert ("acted_on_behalf_unconfirmed", 2) in [(f.kind, f.seq) for f in register.findings]
    (pc,) = [s for s in continuity_statements(register) if s.custodian.name == "Jane Smith"]
    assert "I seized" not in pc.text


def test_a_correction_signed_by_someone_else_than_it_names_changes_nothing() -> None:
    opened, seized, booked = _seized_by_pc_booked()
    fix = RecordView(
        "record.corrected", 4, T0 + 3600 * 10**9,
        {"by": PC.to_data(), "recorded_by": None, "corrects": 2, "reason": "typo",
         "fields": {"place": "Elsewhere"}},
        DC_KEY,
    )  # fmt: skip
    records = [*_signed([opened, seized, booked], [PC_KEY, PC_KEY, PC_KEY]), fix]
    register = build_exhibit_register(records)
    assert [(f.kind, f.seq) for f in register.findings] == [("malformed_custody_record", 4)]
    (exhibit,) = register.exhibits
    assert exhibit.entries[0].place == "Scene"


def _booked_to_store_confirmed_by(key: TrustEntry, who: Custodian) -> list[RecordView]:
    """PC seizes and books JS/1 to the store (record 3); record 4 confirms it, signed by ``key``."""
    opened, seized, booked = _seized_by_pc_booked()
    confirmation = RecordView(
        "record.confirmed", 4, T0 + 3600 * 10**9,
        {"by": who.to_data(), "confirms": 3, "recorded_by": None}, key,
    )  # fmt: skip
    return [*_signed([opened, seized, booked], [PC_KEY, PC_KEY, PC_KEY]), confirmation]


def _store_statement(records: list[RecordView]) -> str:
    register = build_exhibit_register(records)
    (store,) = [s for s in continuity_statements(register) if s.custodian.name == STORE.name]
    return store.text


def test_confirmed_receipt_is_told_in_the_receivers_words() -> None:
    records = _booked_to_store_confirmed_by(STORE_KEY, STORE)
    register = build_exhibit_register(records)
    assert register.findings == ()
    (booking,) = [e for e in register.exhibits[0].entries if e.event_type == "exhibit.booked"]
    assert (booking.receipt_confirmed_by, booking.confirmed_by) == (4, None)
    text = _store_statement(records)
    assert "I received exhibit JS/1 (Knife) from PC 1234 Jane Smith (Test Police)" in text
    assert "into the property store under reference P/1." in text
    assert "I signed no record of receiving it" not in text


def test_a_receipt_confirmation_signed_by_someone_else_is_not_the_receivers_words() -> None:
    # Signed by DC's key naming the store (the view's actor check refuses it),
    # or by the giver naming herself: neither speaks for the receiver.
    for key, who in ((DC_KEY, STORE), (PC_KEY, PC), (DC_KEY, DC)):
        records = _booked_to_store_confirmed_by(key, who)
        (booking,) = [e for e in build_exhibit_register(records).exhibits[0].entries if e.seq == 3]
        assert booking.receipt_confirmed_by is None
        text = _store_statement(records)
        assert "I received" not in text
        assert "I signed no record of receiving it" in text
