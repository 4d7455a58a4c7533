"""The exhibit register: timelines from custody records, and each break in continuity found."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _casebuilder import AT, World, person_of
from _custody_sequences import CustodyDriver
from casefile.errors import UnknownReferenceError
from casefile.events import EVIDENCE_STORE, Investigation
from casefile.events._custody_values import Custodian
from casefile.projections import (
    CUSTODY_TYPES,
    ContinuityFindingKind,
    ContinuityPolicy,
    ExhibitRegister,
    RecordView,
    build_exhibit_register,
    records_as_read,
)
from casefile.signing import TextDisclosure
from casefile.verifier import verify_case
from projections.conftest import (
    DAY,
    DC,
    LAB,
    MINUTE,
    PC,
    STORE,
    T0,
    clean_chain,
    new_case,
    rec,
    renumbered,
    views_of,
)

K = ContinuityFindingKind


def _kinds(register: ExhibitRegister) -> list[tuple[str, str | None, int | None]]:
    return [(f.kind, f.exhibit, f.seq) for f in register.findings]


def _with(records: list[RecordView], *extra: RecordView) -> ExhibitRegister:
    return build_exhibit_register(renumbered([*records, *extra]))


def _seized(**changes: Any) -> list[RecordView]:
    case = new_case()
    fields: dict[str, Any] = {
        "exhibit": "JS/1",
        "by": PC,
        "place": "Scene",
        "description": "Phone",
        "power": "PACE s.19",
        "seized_from": None,
        "at": T0 + MINUTE,
    }
    fields.update(changes)
    case.seize_exhibit(**fields)
    return views_of(case)


# --- a clean chain -------------------------------------------------------------


def test_a_clean_chain_yields_no_findings() -> None:
    register = build_exhibit_register(views_of(clean_chain()), as_of=T0 + DAY)
    assert register.findings == ()
    phone = register.exhibit("JS/1")
    holders = [span.custodian.name if span.custodian else None for span in phone.spans]
    assert holders == [
        "Jane Smith",
        "Jane Smith",
        "Central Store",
        "Ann Lee",
        "Ann Lee",
        "Ann Lee",
        "Central Store",
    ]
    assert [span.seal for span in phone.spans] == [None, "S1", "S1", "S1", "S1", "S2", "S2"]
    assert [span.sealed for span in phone.spans] == [False, True, True, True, False, True, True]
    assert (phone.custodian, phone.status, phone.in_store) == (
        phone.spans[-1].custodian,
        "active",
        True,
    )
    image = register.exhibit("JS/1/A")
    assert (image.root, image.source, image.original, image.first_seq) == ("JS/1", "JS/1", False, 7)
    assert image.entries[0] is phone.entries[5]


def test_spans_follow_each_other_without_gap_or_overlap() -> None:
    phone = build_exhibit_register(views_of(clean_chain())).exhibit("JS/1")
    for before, after in zip(phone.spans, phone.spans[1:], strict=False):
        assert before.end_ns == after.start_ns
    assert phone.spans[0].start_ns == phone.entries[0].time_ns
    assert phone.spans[-1].end_ns is None


def test_an_unknown_reference_is_not_in_the_register() -> None:
    with pytest.raises(UnknownReferenceError):
        build_exhibit_register([]).exhibit("JS/1")


# --- each break, found at its record --------------------------------------------


def test_a_seal_mismatch_is_found_at_its_record() -> None:
    records = views_of(clean_chain())[:3]  # opened, seized, packaged with seal S1
    register = _with(records, rec(0, "exhibit.seal_opened", T0 + DAY, seal="S9", reason="Exam"))
    assert _kinds(register) == [(K.SEAL_MISMATCH, "JS/1", 4)]
    assert "S9" in register.findings[0].message
    assert "S1" in register.findings[0].message


def test_custodian_changed_without_transfer_is_found_once() -> None:
    records = _seized()
    register = _with(
        records,
        rec(
            0,
            "exhibit.examined",
            T0 + 2 * MINUTE,
            by=DC,
            lab="L",
            method="m",
            tool="",
            tool_version="",
            destructive=False,
        ),
        rec(0, "exhibit.produced_in_court", T0 + 3 * MINUTE, by=DC, court="C", hearing=""),
    )
    assert _kinds(register) == [(K.CUSTODIAN_CHANGED_WITHOUT_TRANSFER, "JS/1", 3)]
    assert register.exhibit("JS/1").custodian is not None
    assert register.exhibit("JS/1").custodian.name == DC.name  # type: ignore[union-attr]


def test_transfer_by_someone_other_than_the_custodian_is_found() -> None:
    transfer = rec(
        0, "exhibit.transferred", T0 + 2 * MINUTE, by=DC, to=LAB.to_data(), purpose="Lab",
        seal_checked=False, seal=None, seal_intact=None, submission_ref="",
    )  # fmt: skip
    register = _with(_seized(), transfer)
    assert _kinds(register) == [(K.CUSTODIAN_CHANGED_WITHOUT_TRANSFER, "JS/1", 3)]
    assert register.exhibit("JS/1").custodian.name == LAB.name  # type: ignore[union-attr]


def test_a_failed_fixity_check_is_found() -> None:
    case = new_case()
    case.seize_exhibit(
        exhibit="JS/1", by=PC, place="x", description="USB", power="s.19", sha256=b"\x01" * 32
    )
    case.check_fixity(exhibit="JS/1", by=DC, place="DEMS", actual_sha256=b"\x01" * 32)
    case.check_fixity(exhibit="JS/1", by=DC, place="DEMS", actual_sha256=b"\x02" * 32)
    assert _kinds(build_exhibit_register(views_of(case))) == [(K.FIXITY_FAILED, "JS/1", 4)]


def test_a_fixity_record_claiming_a_match_for_other_bytes_is_found() -> None:
    forged = rec(
        0, "exhibit.fixity_checked", T0 + 2 * MINUTE, expected_sha256=b"\x01" * 32,
        actual_sha256=b"\x02" * 32, result="match",
    )  # fmt: skip
    register = _with(_seized(sha256=b"\x01" * 32), forged)
    assert _kinds(register) == [(K.FIXITY_FAILED, "JS/1", 3)]


def test_an_unexplained_gap_outside_a_store_is_found() -> None:
    access = rec(0, "exhibit.accessed", T0 + 40 * DAY, by=DC, purpose="Review")
    register = _with(_seized(), access)
    assert _kinds(register) == [(K.UNEXPLAINED_GAP, "JS/1", 3)]
    assert "39 days" in register.findings[0].message
    lenient = build_exhibit_register(
        renumbered([*_seized(), access]), policy=ContinuityPolicy(max_gap_ns=60 * DAY)
    )
    assert lenient.findings == ()


def test_time_in_a_store_is_no_gap() -> None:
    case = new_case()
    case.seize_exhibit(exhibit="JS/1", by=PC, place="x", description="d", power="p", at=T0)
    case.book_exhibit(exhibit="JS/1", by=PC, to=STORE, place="Store", property_ref="P1", at=T0)
    case.transfer_exhibit(
        exhibit="JS/1", by=STORE, to=PC, place="Store", purpose="Court", at=T0 + 300 * DAY
    )
    assert build_exhibit_register(views_of(case), as_of=T0 + 301 * DAY).findings == ()
    late = build_exhibit_register(views_of(case), as_of=T0 + 400 * DAY)
    assert _kinds(late) == [(K.UNEXPLAINED_GAP, "JS/1", 4)]


def test_a_gap_up_to_an_aware_datetime_is_found_and_a_naive_one_is_refused() -> None:
    import datetime

    from casefile.errors import TimeFormatError

    case = new_case()
    case.seize_exhibit(exhibit="JS/1", by=PC, place="x", description="d", power="p", at=T0)
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    late = epoch + datetime.timedelta(microseconds=(T0 + 400 * DAY) // 1000)
    register = build_exhibit_register(views_of(case), as_of=late)
    assert _kinds(register) == [(K.UNEXPLAINED_GAP, "JS/1", 2)]
    with pytest.raises(TimeFormatError, match="as_of: naive datetime"):
        build_exhibit_register(views_of(case), as_of=late.replace(tzinfo=None))


def test_activity_after_disposal_is_found() -> None:
    case = new_case()
    case.seize_exhibit(exhibit="JS/1", by=PC, place="x", description="d", power="p")
    case.destroy_exhibit(exhibit="JS/1", by=PC, place="x", method="m", authority="a", witness=DC)
    records = views_of(case)
    register = _with(records, rec(0, "exhibit.accessed", T0 + DAY, by=DC, purpose="p"))
    assert _kinds(register) == [(K.ACTIVITY_AFTER_DISPOSAL, "JS/1", 4)]
    assert register.exhibit("JS/1").status == "destroyed"
    assert register.exhibit("JS/1").entries[-1].seq == 4


def test_a_record_about_an_unknown_exhibit_is_found() -> None:
    register = _with(_seized(), rec(0, "exhibit.accessed", T0 + DAY, exhibit="ZZ/9", purpose="p"))
    assert _kinds(register) == [(K.UNKNOWN_EXHIBIT, "ZZ/9", 3)]


_PARTY = PC.to_data()
_COPY = {"root": "JS/1", "output_sha256": b"\x09" * 32, "media_type": None, "description": "c"}

# Each adverse record, appended after a seizure of JS/1 by PC (sealed with S1 when noted),
# and the one finding it must produce.
_ADVERSE: dict[str, tuple[bool, dict[str, Any], str, str]] = {
    "second seizure": (False, {"event_type": "exhibit.seized", "by": DC, "description": "d",
                               "sha256": None, "media_type": None, "power": "p",
                               "seized_from": None, "authority": ""}, K.DUPLICATE_EXHIBIT,
                       "JS/1"),
    "seal reused": (True, {"event_type": "exhibit.packaged", "exhibit": "JS/2", "bag": "B",
                           "seal": "S1"}, K.SEAL_REUSED, "JS/2"),
    "packaged twice": (True, {"event_type": "exhibit.packaged", "bag": "B", "seal": "S2"},
                       K.SEAL_INCONSISTENT, "JS/1"),
    "opened unsealed": (False, {"event_type": "exhibit.seal_opened", "seal": "S1",
                                "reason": "r"}, K.SEAL_INCONSISTENT, "JS/1"),
    "examined sealed": (True, {"event_type": "exhibit.examined", "lab": "L", "method": "m",
                               "tool": "", "tool_version": "", "destructive": False},
                        K.SEAL_INCONSISTENT, "JS/1"),
    "broken seal": (True, {"event_type": "exhibit.transferred", "to": LAB.to_data(),
                           "purpose": "p", "seal_checked": True, "seal": "S1",
                           "seal_intact": False, "submission_ref": ""},
                    K.SEAL_NOT_INTACT, "JS/1"),
    "transfer to self": (False, {"event_type": "exhibit.transferred", "to": _PARTY,
                                 "purpose": "p", "seal_checked": False, "seal": None,
                                 "seal_intact": None, "submission_ref": ""},
                         K.INVALID_TRANSFER, "JS/1"),
    "copy of a device": (False, {"event_type": "exhibit.derived", "derived": "JS/1/A", **_COPY,
                                 "input_sha256": b"\x01" * 32, "method": "m", "purpose": "p",
                                 "tool": ""}, K.SOURCE_HASH_UNKNOWN, "JS/1"),
    "copy of the wrong root": (False, {"event_type": "exhibit.imaged", "derived": "JS/1/A",
                                       **_COPY, "root": "XX/1", "source_sha256": b"\x01" * 32,
                                       "tool": "dd", "tool_version": "",
                                       "write_blocker": ""}, K.ROOT_MISMATCH, "JS/1/A"),
    "copy over an exhibit": (False, {"event_type": "exhibit.imaged", "derived": "JS/2", **_COPY,
                                     "source_sha256": b"\x01" * 32, "tool": "dd",
                                     "tool_version": "", "write_blocker": ""},
                             K.DUPLICATE_EXHIBIT, "JS/2"),
    "unwitnessed destruction": (False, {"event_type": "exhibit.destroyed", "method": "m",
                                        "authority": "a", "witness": _PARTY},
                                K.UNWITNESSED_DESTRUCTION, "JS/1"),
    "lost": (False, {"event_type": "exhibit.lost", "by": DC, "circumstances": "c"},
             K.EXHIBIT_LOST, "JS/1"),
    "damaged": (False, {"event_type": "exhibit.damaged", "damage": "cracked"},
                K.EXHIBIT_DAMAGED, "JS/1"),
    "occurred after recorded": (False, {"event_type": "exhibit.accessed", "purpose": "p",
                                        "occurred_at": T0 + 9 * DAY}, K.TIME_OUT_OF_ORDER,
                                "JS/1"),
    "before the previous event": (False, {"event_type": "exhibit.accessed", "purpose": "p",
                                          "occurred_at": T0}, K.TIME_OUT_OF_ORDER, "JS/1"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(_ADVERSE))
def test_each_adverse_record_yields_exactly_its_finding(name: str) -> None:
    sealed, fields, kind, exhibit = _ADVERSE[name]
    case = new_case()
    for ref in ("JS/1", "JS/2"):
        case.seize_exhibit(exhibit=ref, by=PC, place="x", description="d", power="p", at=T0 + DAY)
    if sealed:
        case.package_exhibit(exhibit="JS/1", by=PC, place="x", bag="B", seal="S1", at=T0 + DAY)
    fields = dict(fields)
    event_type = fields.pop("event_type")
    register = _with(views_of(case), rec(0, event_type, T0 + 2 * DAY, **fields))
    seq = len(case.pending_events) + 1
    assert _kinds(register) == [(kind, exhibit, seq)]


# --- records that do not fit ---------------------------------------------------


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"place": ""}, "place: empty"),
        ({"by": {"name": "x"}}, "by: not a map"),
        ({"exhibit": "js/1"}, "exhibit: not an exhibit reference"),
        ({"occurred_at": "yesterday"}, "occurred_at: not a time"),
        ({"extra": 1}, "unexpected ['extra']"),
    ],
)
def test_a_malformed_custody_record_is_reported_not_trusted(
    change: dict[str, Any], problem: str
) -> None:
    register = _with(_seized(), rec(0, "exhibit.accessed", T0 + DAY, purpose="p", **change))
    assert [(f.kind, f.seq) for f in register.findings] == [(K.MALFORMED_CUSTODY_RECORD, 3)]
    assert problem in register.findings[0].message
    assert len(register.exhibit("JS/1").entries) == 1


def test_a_custody_record_of_an_unknown_schema_is_reported() -> None:
    view = rec(3, "exhibit.accessed", T0 + DAY, purpose="p")
    later = RecordView(view.event_type, 3, view.time_ns, view.data, schema=2)
    register = build_exhibit_register([*_seized(), later])
    assert _kinds(register) == [(K.MALFORMED_CUSTODY_RECORD, "JS/1", 3)]


@settings(max_examples=300, deadline=None)
@given(
    event_type=st.sampled_from(sorted(CUSTODY_TYPES)),
    data=st.dictionaries(
        st.sampled_from(["exhibit", "by", "place", "occurred_at", "notes", "seal", "to", "derived",
                         "root", "sha256", "description", "media_type", "purpose", "result"]),
        st.none() | st.booleans() | st.integers() | st.binary(max_size=40) | st.text(max_size=8)
        | st.just("JS/1") | st.just(PC.to_data()),
    ),
)  # fmt: skip
def test_arbitrary_payloads_never_raise(event_type: str, data: dict[str, Any]) -> None:
    records = [*_seized(), RecordView(event_type, 3, T0 + DAY, data)]
    register = build_exhibit_register(records, as_of=T0 + 2 * DAY)
    assert all(f.kind in set(K) for f in register.findings)


# --- corrections -----------------------------------------------------------------


def test_corrections_change_descriptive_fields_only() -> None:
    case = new_case()
    seq = case.seize_exhibit(exhibit="JS/1", by=PC, place="Scnee", description="d", power="p")
    fix = case.correct(seq=seq, reason="Typo", fields={"place": "Scene"}, by=PC)
    register = build_exhibit_register(views_of(case))
    entry = register.exhibit("JS/1").entries[0]
    assert (entry.place, entry.corrected_by) == ("Scene", (fix,))
    assert register.exhibit("JS/1").location == "Scene"
    forged = RecordView(
        "record.corrected", fix + 1, T0 + DAY, {"corrects": seq, "reason": "r",
                                                "fields": {"by": DC.to_data()}},
    )  # fmt: skip
    register = build_exhibit_register([*views_of(case), forged])
    assert _kinds(register) == [(K.MALFORMED_CUSTODY_RECORD, "JS/1", fix + 1)]
    assert register.exhibit("JS/1").custodian.name == PC.name  # type: ignore[union-attr]


# --- from a verified case ----------------------------------------------------------


def test_it_reads_the_verified_records_of_a_signed_case() -> None:
    world = World()
    builder = world.case(0, case_id=uuid.UUID(int=7))
    data = {"channel": "online", "offence": "Theft", "reference": "R1"}
    builder.add(world.alice, "case.opened", data)
    # Each act signed by its actor's key: alice stands for PC and LAB, bob for STORE.
    trust = world.trust
    alice, bob = (
        person_of(trust.get(k.public_key.key_id))  # type: ignore[arg-type]
        for k in (world.alice, world.bob)
    )
    people = {PC.name: alice, LAB.name: alice, STORE.name: bob}
    for view in views_of(clean_chain())[1:]:
        data = {
            k: people[v["name"]] if isinstance(v, dict) and "name" in v else v
            for k, v in view.data.items()
        }
        key = world.alice if data["by"] == alice else world.bob
        builder.add(key, view.event_type, data)
    verified = verify_case(
        builder.records,
        trust=world.trust,
        at=AT,
        checkpoint=world.checkpoint(builder),
        disclosures=builder.disclosures,
    )
    register = build_exhibit_register(records_as_read(verified.records), as_of=AT)
    assert register.exhibit("JS/1").location == "Central Store"
    assert register.findings[0].kind == K.UNEXPLAINED_GAP  # a year on, JS/1/A is still at the lab
    assert [f.kind for f in register.findings] == [K.UNEXPLAINED_GAP]
    signers = {entry.signed_by for entry in register.exhibit("JS/1").entries}
    assert signers == {"test.police.uk/officer/alice", "test.police.uk/officer/bob"}


# --- every valid history -------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_valid_custody_histories_yield_no_findings_and_whole_timelines(
    data: st.DataObject,
) -> None:
    case = new_case()
    CustodyDriver(case, data, T0).run(data.draw(st.integers(1, 30), label="steps"))
    register = build_exhibit_register(views_of(case))
    assert register.findings == ()
    custody = case.custody
    assert {ex.reference for ex in register.exhibits} == set(custody)
    for ex in register.exhibits:
        state = custody[ex.reference]
        who = None if ex.custodian is None else ex.custodian.identity
        assert who == (None if state.custodian is None else state.custodian.identity)
        assert (ex.status, ex.location, ex.seal, ex.sealed, ex.in_store, ex.sha256) == (
            state.status,
            _place_of(case, state.location_seq),
            state.seal,
            state.sealed,
            state.in_store,
            state.sha256,
        )
        assert (ex.root, ex.source, ex.original) == (state.root, state.source, state.original)
        # The spans cover the whole time from the first record, one after another.
        assert ex.spans[0].start_ns == ex.entries[0].time_ns
        for before, after in zip(ex.spans, ex.spans[1:], strict=False):
            assert before.end_ns == after.start_ns
            assert before.start_ns <= after.start_ns
        assert ex.spans[-1].end_ns is None
        assert ex.spans[-1].start_ns <= ex.entries[-1].time_ns == state.last_ns


def _place_of(case: Investigation, seq: int) -> str:
    """Where record ``seq`` of ``case`` says its exhibit is, as last corrected."""
    events = {e.originator_version: e for e in case.pending_events}  # type: ignore[attr-defined]
    event = events[seq]
    if event.TYPE == "evidence.captured":
        return EVIDENCE_STORE
    place: str = event.place
    for later in events.values():
        if later.TYPE == "record.corrected" and later.corrects == seq:
            place = later.texts.get("place", place)
    return place


def test_the_reader_and_the_writer_agree_on_every_schema() -> None:
    from casefile.events import EVENT_TYPES
    from casefile.events._custody_event_base import CustodyEvent
    from casefile.projections._custody_records import check_custody_data, correctable_fields

    written = {cls.TYPE: cls for cls in EVENT_TYPES if issubclass(cls, CustodyEvent)}
    assert set(written) == CUSTODY_TYPES
    for name, cls in written.items():
        assert set(cls.CORRECTABLE) == correctable_fields(name), name
        missing = check_custody_data(name, {})
        assert missing is not None
        # The reader reads the texts too: put back in the data by records_as_read.
        assert str(sorted([*cls.DATA_FIELDS, *cls.TEXT_FIELDS])) in missing, name


def test_every_custody_type_has_a_rule() -> None:
    from casefile.projections._continuity_walk import ContinuityWalk

    for event_type in CUSTODY_TYPES:
        assert callable(getattr(ContinuityWalk, "_" + event_type.removeprefix("exhibit.")))


def test_party_identity_ignores_rank_and_role() -> None:
    promoted = Custodian(name=PC.name, number=PC.number, organisation=PC.organisation, rank="Sgt")
    transfer = rec(
        0, "exhibit.transferred", T0 + 2 * MINUTE, by=promoted, to=DC.to_data(), purpose="p",
        seal_checked=False, seal=None, seal_intact=None, submission_ref="",
    )  # fmt: skip
    assert _with(_seized(), transfer).findings == ()


# --- through the application and the verifier ----------------------------------------


def test_a_stored_chain_verifies_and_its_register_survives_erasure() -> None:
    import hashlib

    from casefile.application import CasefileApp, StoreConfig
    from casefile.signing._keys import InMemorySigner
    from casefile.signing._trust import Holder, TrustEntry, TrustStore

    def officer(label: str, who: Custodian) -> tuple[InMemorySigner, TrustEntry]:
        signer = InMemorySigner(hashlib.sha256(label.encode()).digest())
        holder = Holder(name=who.name, rank=who.rank, number=who.number, force=who.organisation)
        # The officer in the case also supervises it: they may record an erasure.
        roles = frozenset({"recorder", "supervisor"})
        return signer, TrustEntry(signer.public_key, f"test/{label}", holder, roles, T0 - DAY)

    (pc_key, pc_entry), (lab_key, lab_entry) = officer("pc", PC), officer("lab", LAB)
    ticks = iter(range(T0, T0 + 10**6 * MINUTE, MINUTE))
    app = CasefileApp(
        store=StoreConfig.memory(),
        trust=TrustStore([pc_entry, lab_entry]),
        clock=lambda: next(ticks),
        random_bytes=lambda n: hashlib.sha256(b"%d" % next(ticks)).digest()[:n],
    )
    case_id = app.open_case(pc_key, offence="Theft", channel="online", reference="R1")
    with app.session(case_id, pc_key) as case:
        # The session acts as the signer's holder: no `by` needed.
        owner = case.add_person(role="suspect", name="Alan Example")
        case.seize_exhibit(
            exhibit="JS/1", place="Scene", description="Phone", power="s.19", seized_from=owner,
        )  # fmt: skip
        case.package_exhibit(exhibit="JS/1", place="Scene", bag="B1", seal="S1")
        case.transfer_exhibit(exhibit="JS/1", to=LAB, place="Lab", purpose="Exam")
    with app.session(case_id, lab_key) as case:
        case.open_seal(exhibit="JS/1", place="Lab", seal="S1", reason="Exam")
    values = [d.name for d in app.disclosures(case_id) if not isinstance(d, TextDisclosure)]
    assert values == ["name"]

    def register_now() -> ExhibitRegister:
        # The application's verify keeps no records; the verifier keeps them on request.
        verified = verify_case(
            app.records(case_id), trust=app.trust, at=T0 + DAY, case_id=case_id,
            disclosures=app.disclosures(case_id),
        )  # fmt: skip
        return build_exhibit_register(records_as_read(verified.records))

    register = register_now()
    assert register.findings == ()
    assert register.exhibit("JS/1").entries[0].place == "Scene"
    signers = [e.signed_by for e in register.exhibit("JS/1").entries]
    assert signers == ["test/pc", "test/pc", "test/pc", "test/lab"]

    assert app.erase_personal_data(case_id, pc_key, person_id=owner) == 1
    assert register_now() == register


def test_evidence_dated_as_captured_after_its_record_is_a_finding() -> None:
    # The library refuses such a capture when recording; a bundle made by other
    # software may still carry one, and the reader reports it.
    case = new_case()
    case.capture_evidence(
        exhibit="DR/1", kind="photo", sha256=b"\x05" * 32, size=3, media_type="image/jpeg",
        device="tablet", location="Scene", captured_at=T0, description="Door", by=DC,
    )  # fmt: skip
    views = views_of(case)
    captured = views[-1]
    assert captured.event_type == "evidence.captured"
    late = {**captured.data, "captured_at": captured.time_ns + DAY}
    forged = [*views[:-1], RecordView(captured.event_type, captured.seq, captured.time_ns, late)]
    assert build_exhibit_register(views).findings == ()
    register = build_exhibit_register(forged)
    assert [(f.kind, f.exhibit, f.seq) for f in register.findings] == [
        (K.TIME_OUT_OF_ORDER, "DR/1", captured.seq)
    ]
