"""Exhibit custody: every command, and the continuity rules it enforces."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _custody_sequences import CustodyDriver, sha
from casefile.errors import (
    CaseClosedError,
    DomainError,
    DuplicateExhibitError,
    ExhibitDisposedError,
    ExhibitHashError,
    InvalidCommandError,
    NotCustodianError,
    SealMismatchError,
    UnknownReferenceError,
)
from casefile.events import EVENT_TYPES, Investigation, load_investigation, seal_events
from casefile.events._custody_event_base import CustodyEvent
from casefile.events._custody_values import Custodian, ExhibitStatus
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import TrustStore
from events.conftest import T0, counted_bytes

PC = Custodian(name="Jane Smith", number="1234", organisation="Test Police", rank="PC")
DC = Custodian(name="Raj Patel", number="5678", organisation="Test Police", rank="DC")
LAB = Custodian(name="Ann Lee", number="L-77", organisation="Forensic Lab Ltd", role="examiner")
STORE = Custodian(name="Central Store", number="PS-1", organisation="Test Police")
MINUTE = 60 * 10**9

CUSTODY_TYPES = {
    "exhibit.located",
    "exhibit.seized",
    "exhibit.produced",
    "exhibit.packaged",
    "exhibit.booked",
    "exhibit.transferred",
    "exhibit.seal_opened",
    "exhibit.resealed",
    "exhibit.examined",
    "exhibit.imaged",
    "exhibit.derived",
    "exhibit.accessed",
    "exhibit.fixity_checked",
    "exhibit.disclosed",
    "exhibit.produced_in_court",
    "exhibit.retention_reviewed",
    "exhibit.returned",
    "exhibit.destroyed",
    "exhibit.lost",
    "exhibit.damaged",
}


def _seize(case: Investigation, ref: str = "JS/1", by: Custodian = PC, **kw: Any) -> int:
    fields: dict[str, Any] = {
        "exhibit": ref,
        "by": by,
        "place": "12 High Street",
        "description": "Black iPhone",
        "power": "PACE s.19",
        "seized_from": None,
    }
    fields.update(kw)
    return case.seize_exhibit(**fields)


def _sealed(case: Investigation, ref: str = "JS/1", seal: str = "S1") -> None:
    _seize(case, ref)
    case.package_exhibit(exhibit=ref, by=PC, place="Station", bag="B1", seal=seal)


def _last(case: Investigation) -> Any:
    return case.pending_events[-1]


# --- registration and records -------------------------------------------------


def test_every_custody_type_is_registered_at_schema_1() -> None:
    registered = {cls.TYPE for cls in EVENT_TYPES if issubclass(cls, CustodyEvent)}
    assert registered == CUSTODY_TYPES
    assert all(EVENT_TYPES.get(name, 1) is not None for name in CUSTODY_TYPES)


def test_identifying_fields_of_custody_records_cannot_be_corrected() -> None:
    for cls in EVENT_TYPES:
        if issubclass(cls, CustodyEvent):
            assert {"exhibit", "by", "occurred_at"} <= cls.KEY_FIELDS, cls.TYPE
            assert not {"seal", "old_seal", "new_seal", "to", "derived"} & cls.CORRECTABLE.keys()
            assert not {n for n in cls.CORRECTABLE if n.endswith("sha256")}, cls.TYPE


def test_seizure_makes_the_seizing_officer_custodian_and_names_whom_from_by_person_id(
    case: Investigation,
) -> None:
    owner = case.add_person(role="suspect", name="Alan Example", address="1 Acacia Avenue")
    seq = _seize(case, seized_from=owner)
    event = _last(case)
    assert event.TYPE == "exhibit.seized"
    # A member of the public is a person of the case: named by id, details committed apart.
    assert event.to_data()["seized_from"] == owner.bytes
    assert "Alan Example" not in repr(event.to_data())
    assert dict(event.personal) == {}
    assert event.to_data()["by"] == PC.to_data()
    state = case.custody_of("JS/1")
    assert state.custodian == PC
    assert (state.seq, state.root, state.original, state.status) == (seq, "JS/1", True, "active")
    # Where it is, a text, is read from the record that says so: the seizure.
    assert state.location_seq == seq
    assert "12 High Street" not in repr(event.to_data())


def test_member_of_the_public_producing_an_item_is_a_person_of_the_case(
    case: Investigation,
) -> None:
    keeper = case.add_person(role="witness", name="Shop Keeper")
    case.receive_exhibit(
        exhibit="JS/1",
        by=PC,
        place="Front counter",
        description="USB stick with CCTV",
        produced_by=keeper,
    )
    assert _last(case).to_data()["produced_by"] == keeper.bytes
    assert dict(_last(case).personal) == {}
    assert "Shop Keeper" not in repr(_last(case).to_data())
    assert case.custody_of("JS/1").custodian == PC


def test_a_full_chain_moves_custodian_place_and_seal(case: Investigation) -> None:
    _seize(case)
    case.package_exhibit(exhibit="JS/1", by=PC, place="Scene", bag="B100", seal="S100")
    case.book_exhibit(exhibit="JS/1", by=PC, to=STORE, place="Store", property_ref="P/26/1")
    state = case.custody_of("JS/1")
    assert (state.custodian, state.in_store, state.property_ref) == (STORE, True, "P/26/1")
    assert (state.bag, state.seal, state.sealed) == ("B100", "S100", True)
    case.transfer_exhibit(
        exhibit="JS/1",
        by=STORE,
        to=LAB,
        place="Store counter",
        purpose="Examination",
        seal_checked=True,
        seal="S100",
        seal_intact=True,
        submission_ref="LAB-7",
    )
    assert (case.custody_of("JS/1").custodian, case.custody_of("JS/1").in_store) == (LAB, False)
    case.open_seal(exhibit="JS/1", by=LAB, place="Lab", seal="S100", reason="Examination")
    case.examine_exhibit(exhibit="JS/1", by=LAB, place="Lab", lab="Lab 1", method="Visual")
    resealed = case.reseal_exhibit(
        exhibit="JS/1", by=LAB, place="Lab", old_seal="S100", new_seal="S200", bag="B200"
    )
    state = case.custody_of("JS/1")
    assert (state.seal, state.bag, state.sealed) == ("S200", "B200", True)
    assert state.location_seq == resealed
    case.transfer_exhibit(exhibit="JS/1", by=LAB, to=PC, place="Lab", purpose="Court")
    produced = case.produce_in_court(exhibit="JS/1", by=PC, place="Court 3", court="Crown Court")
    assert case.custody_of("JS/1").location_seq == produced


# --- who may act --------------------------------------------------------------


def test_transfer_by_someone_other_than_the_custodian_is_refused(case: Investigation) -> None:
    _seize(case)
    pending = len(case.pending_events)
    with pytest.raises(NotCustodianError, match="held by PC 1234 Jane Smith"):
        case.transfer_exhibit(exhibit="JS/1", by=DC, to=LAB, place="Station", purpose="Lab")
    assert len(case.pending_events) == pending
    assert case.custody_of("JS/1").custodian == PC


def test_the_same_person_with_another_rank_or_role_is_still_the_custodian(
    case: Investigation,
) -> None:
    _seize(case)
    promoted = Custodian(
        name=PC.name, number=PC.number, organisation=PC.organisation, rank="Sgt", role="OIC"
    )
    case.transfer_exhibit(exhibit="JS/1", by=promoted, to=DC, place="Station", purpose="Lab")
    assert case.custody_of("JS/1").custodian == DC


_HANDLING: dict[str, Callable[[Investigation, Custodian], int]] = {
    "package": lambda c, by: c.package_exhibit(
        exhibit="JS/1", by=by, place="x", bag="B9", seal="S9"
    ),
    "book": lambda c, by: c.book_exhibit(
        exhibit="JS/1", by=by, to=STORE, place="x", property_ref="P1"
    ),
    "examine": lambda c, by: c.examine_exhibit(
        exhibit="JS/1", by=by, place="x", lab="L", method="m"
    ),
    "image": lambda c, by: c.image_exhibit(
        exhibit="JS/1",
        by=by,
        place="x",
        derived="JS/1/A",
        source_sha256=sha("a"),
        output_sha256=sha("b"),
        tool="dd",
        description="image",
    ),
    "court": lambda c, by: c.produce_in_court(exhibit="JS/1", by=by, place="x", court="C"),
    "return": lambda c, by: c.return_exhibit(exhibit="JS/1", by=by, place="x"),
    "destroy": lambda c, by: c.destroy_exhibit(
        exhibit="JS/1", by=by, place="x", method="m", authority="a", witness=LAB
    ),
}


@pytest.mark.parametrize("action", sorted(_HANDLING))
def test_handling_by_someone_other_than_the_custodian_is_refused(
    case: Investigation, action: str
) -> None:
    _seize(case)
    with pytest.raises(NotCustodianError):
        _HANDLING[action](case, DC)
    _HANDLING[action](case, PC)


def test_handling_an_item_nobody_has_seized_is_refused(case: Investigation) -> None:
    case.locate_exhibit(exhibit="JS/1", by=PC, place="Alley", description="Knife")
    assert case.custody_of("JS/1").custodian is None
    with pytest.raises(NotCustodianError, match="never seized or received"):
        case.transfer_exhibit(exhibit="JS/1", by=PC, to=DC, place="x", purpose="p")
    _seize(case, description="Knife")
    assert case.custody_of("JS/1").custodian == PC


def test_transfer_to_the_custodian_themself_is_refused(case: Investigation) -> None:
    _seize(case)
    with pytest.raises(InvalidCommandError, match="already holds"):
        case.transfer_exhibit(exhibit="JS/1", by=PC, to=PC, place="x", purpose="p")


def test_destruction_witnessed_by_the_custodian_alone_is_refused(case: Investigation) -> None:
    _seize(case)
    with pytest.raises(InvalidCommandError, match="witness"):
        case.destroy_exhibit(
            exhibit="JS/1", by=PC, place="x", method="m", authority="a", witness=PC
        )


# --- seals --------------------------------------------------------------------


def test_opening_a_seal_with_the_wrong_number_is_refused(case: Investigation) -> None:
    _sealed(case, seal="S1")
    with pytest.raises(SealMismatchError, match=r"'S2'.*'S1'"):
        case.open_seal(exhibit="JS/1", by=PC, place="Lab", seal="S2", reason="Exam")
    assert case.custody_of("JS/1").sealed


def test_transfer_quoting_the_wrong_seal_is_refused(case: Investigation) -> None:
    _sealed(case, seal="S1")
    with pytest.raises(SealMismatchError):
        case.transfer_exhibit(
            exhibit="JS/1",
            by=PC,
            to=LAB,
            place="x",
            purpose="p",
            seal_checked=True,
            seal="S7",
            seal_intact=True,
        )


def test_resealing_quoting_the_wrong_old_seal_is_refused(case: Investigation) -> None:
    _sealed(case, seal="S1")
    case.open_seal(exhibit="JS/1", by=PC, place="Lab", seal="S1", reason="Exam")
    with pytest.raises(SealMismatchError):
        case.reseal_exhibit(
            exhibit="JS/1", by=PC, place="Lab", old_seal="S0", new_seal="S2", bag="B2"
        )


def test_a_seal_number_is_never_used_twice(case: Investigation) -> None:
    _sealed(case, "JS/1", seal="S1")
    _seize(case, "JS/2")
    with pytest.raises(InvalidCommandError, match="single-use"):
        case.package_exhibit(exhibit="JS/2", by=PC, place="x", bag="B2", seal="S1")
    case.open_seal(exhibit="JS/1", by=PC, place="x", seal="S1", reason="r")
    with pytest.raises(InvalidCommandError, match="single-use"):
        case.reseal_exhibit(
            exhibit="JS/1", by=PC, place="x", old_seal="S1", new_seal="S1", bag="B1"
        )


def test_seal_operations_out_of_state_are_refused(case: Investigation) -> None:
    _seize(case)
    with pytest.raises(InvalidCommandError, match="not sealed"):
        case.open_seal(exhibit="JS/1", by=PC, place="x", seal="S1", reason="r")
    with pytest.raises(InvalidCommandError, match="never sealed"):
        case.reseal_exhibit(exhibit="JS/1", by=PC, place="x", old_seal="S", new_seal="T", bag="B")
    case.package_exhibit(exhibit="JS/1", by=PC, place="x", bag="B1", seal="S1")
    with pytest.raises(InvalidCommandError, match="already sealed"):
        case.package_exhibit(exhibit="JS/1", by=PC, place="x", bag="B2", seal="S2")
    with pytest.raises(InvalidCommandError, match="open the seal"):
        case.examine_exhibit(exhibit="JS/1", by=PC, place="x", lab="L", method="m")


def test_a_seal_checked_only_when_flagged(case: Investigation) -> None:
    _sealed(case)
    with pytest.raises(InvalidCommandError, match="seal_checked"):
        case.transfer_exhibit(exhibit="JS/1", by=PC, to=DC, place="x", purpose="p", seal="S1")
    with pytest.raises(InvalidCommandError, match="seal_intact"):
        case.transfer_exhibit(
            exhibit="JS/1", by=PC, to=DC, place="x", purpose="p", seal_checked=True, seal="S1"
        )


def test_a_broken_seal_found_on_transfer_is_recorded_and_leaves_it_unsealed(
    case: Investigation,
) -> None:
    _sealed(case)
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
    assert _last(case).seal_intact is False
    state = case.custody_of("JS/1")
    assert (state.sealed, state.seal, state.custodian) == (False, "S1", LAB)


# --- disposal -----------------------------------------------------------------


def test_nothing_but_a_correction_after_destruction(case: Investigation) -> None:
    _seize(case, sha256=sha("file"))
    seq = case.destroy_exhibit(
        exhibit="JS/1",
        by=PC,
        place="Incinerator",
        method="Incineration",
        authority="Court order 12",
        witness=DC,
    )
    assert case.custody_of("JS/1").status == ExhibitStatus.DESTROYED
    assert case.custody_of("JS/1").custodian is None
    attempts: list[Callable[[], int]] = [
        lambda: case.transfer_exhibit(exhibit="JS/1", by=PC, to=DC, place="x", purpose="p"),
        lambda: case.access_exhibit(exhibit="JS/1", by=DC, place="x", purpose="p"),
        lambda: case.check_fixity(exhibit="JS/1", by=DC, place="x", actual_sha256=sha("file")),
        lambda: case.report_exhibit_lost(exhibit="JS/1", by=DC, place="x", circumstances="c"),
        lambda: case.review_retention(
            exhibit="JS/1", by=DC, place="x", decision="retain", reason="r"
        ),
        lambda: _seize(case),
        lambda: case.return_exhibit(exhibit="JS/1", by=PC, place="x"),
    ]
    for attempt in attempts:
        with pytest.raises(ExhibitDisposedError, match="correction"):
            attempt()
    with pytest.raises(DuplicateExhibitError):
        case.locate_exhibit(exhibit="JS/1", by=DC, place="x", description="d")
    fixed = case.correct(seq=seq, reason="Typo", fields={"place": "Incinerator 2"})
    assert case.corrections[seq] == (fixed,)
    # The corrected place is a text of the correction, read from it as a disclosure.
    assert case.custody_of("JS/1").location_seq == seq
    with pytest.raises(InvalidCommandError, match="not a correctable field"):
        case.correct(seq=seq, reason="Rewrite", fields={"witness": PC.to_data()})


def test_a_member_of_the_public_not_of_the_case_is_refused(case: Investigation) -> None:
    # Whoever an item is seized from, produced by or returned to is a person of the case.
    stranger = uuid.UUID(int=7)
    with pytest.raises(UnknownReferenceError, match="seized_from"):
        _seize(case, seized_from=stranger)
    with pytest.raises(UnknownReferenceError, match="produced_by"):
        case.receive_exhibit(
            exhibit="JS/2", by=PC, place="Front counter", description="Bag", produced_by=stranger
        )
    _seize(case)
    with pytest.raises(UnknownReferenceError, match="returned_to"):
        case.return_exhibit(exhibit="JS/1", by=PC, place="Front counter", returned_to=stranger)
    assert [e.TYPE for e in case.pending_events][-1] == "exhibit.seized"


def test_nothing_after_return_to_the_owner(case: Investigation) -> None:
    _seize(case)
    owner = case.add_person(role="victim", name="Alan Example")
    case.return_exhibit(exhibit="JS/1", by=PC, place="Front counter", returned_to=owner)
    assert _last(case).to_data()["returned_to"] == owner.bytes
    assert dict(_last(case).personal) == {}
    assert case.custody_of("JS/1").status == ExhibitStatus.RETURNED
    with pytest.raises(ExhibitDisposedError):
        case.examine_exhibit(exhibit="JS/1", by=PC, place="x", lab="L", method="m")


def test_a_lost_exhibit_is_held_by_nobody_until_found_and_seized(case: Investigation) -> None:
    _seize(case)
    case.report_exhibit_lost(exhibit="JS/1", by=DC, place="Store", circumstances="Not on shelf")
    assert (case.custody_of("JS/1").status, case.custody_of("JS/1").custodian) == ("lost", None)
    with pytest.raises(InvalidCommandError, match="already recorded lost"):
        case.report_exhibit_lost(exhibit="JS/1", by=DC, place="Store", circumstances="again")
    with pytest.raises(NotCustodianError, match="recorded lost"):
        case.transfer_exhibit(exhibit="JS/1", by=PC, to=DC, place="x", purpose="p")
    case.locate_exhibit(exhibit="JS/1", by=DC, place="Store, shelf 9", description="Phone")
    assert (case.custody_of("JS/1").status, case.custody_of("JS/1").custodian) == ("active", None)
    _seize(case, by=DC)
    assert case.custody_of("JS/1").custodian == DC


def test_damage_is_recorded(case: Investigation) -> None:
    _seize(case)
    case.report_exhibit_damaged(exhibit="JS/1", by=PC, place="x", damage="Screen cracked")
    assert case.custody_of("JS/1").damaged


# --- copies and hashes --------------------------------------------------------


def test_derived_exhibit_without_source_hash_is_refused(case: Investigation) -> None:
    _seize(case)  # a device: no SHA-256 on record
    with pytest.raises(ExhibitHashError, match="no SHA-256 on record"):
        case.derive_exhibit(
            exhibit="JS/1",
            by=PC,
            place="x",
            derived="JS/1/A",
            input_sha256=sha("anything"),
            output_sha256=sha("out"),
            method="Redaction",
            purpose="Disclosure",
            description="Redacted",
        )
    assert "JS/1/A" not in case.custody


def test_derived_exhibit_quoting_another_source_hash_is_refused(case: Investigation) -> None:
    _seize(case, sha256=sha("original"))
    with pytest.raises(ExhibitHashError, match="not exhibit JS/1's SHA-256"):
        case.derive_exhibit(
            exhibit="JS/1",
            by=DC,
            place="x",
            derived="JS/1/A",
            input_sha256=sha("forged"),
            output_sha256=sha("out"),
            method="Redaction",
            purpose="Disclosure",
            description="Redacted",
        )


def test_a_redacted_copy_is_a_new_exhibit_with_the_same_root(case: Investigation) -> None:
    _seize(case, sha256=sha("original"), media_type="video/mp4")
    case.derive_exhibit(
        exhibit="JS/1",
        by=DC,
        place="Digital unit",
        derived="JS/1/A",
        input_sha256=sha("original"),
        output_sha256=sha("redacted"),
        method="Faces blurred",
        purpose="CPS disclosure",
        description="Redacted CCTV",
        media_type="video/mp4",
    )
    copy = case.custody_of("JS/1/A")
    assert (copy.root, copy.source, copy.original, copy.sha256) == (
        "JS/1",
        "JS/1",
        False,
        sha("redacted"),
    )
    assert copy.custodian == DC
    assert case.custody_of("JS/1").custodian == PC
    case.derive_exhibit(
        exhibit="JS/1/A",
        by=DC,
        place="x",
        derived="RP/1",
        input_sha256=sha("redacted"),
        output_sha256=sha("still"),
        method="Stills",
        purpose="Bundle",
        description="Still frames",
    )
    assert case.custody_of("RP/1").root == "JS/1"


def test_imaging_a_device_records_the_acquisition_hash_and_a_copy(case: Investigation) -> None:
    _seize(case)
    case.image_exhibit(
        exhibit="JS/1",
        by=PC,
        place="Lab",
        derived="JS/1/A",
        source_sha256=sha("device"),
        output_sha256=sha("image"),
        tool="FTK Imager",
        tool_version="4.7.1",
        write_blocker="Tableau T35u",
        description="E01 image",
    )
    data = _last(case).to_data()
    assert (data["root"], data["derived"], data["write_blocker"]) == (
        "JS/1",
        "JS/1/A",
        "Tableau T35u",
    )
    assert case.custody_of("JS/1").sha256 is None
    assert case.custody_of("JS/1/A").sha256 == sha("image")


def test_imaging_a_digital_exhibit_must_quote_its_hash(case: Investigation) -> None:
    _seize(case, sha256=sha("file"))
    with pytest.raises(ExhibitHashError):
        case.image_exhibit(
            exhibit="JS/1",
            by=PC,
            place="Lab",
            derived="JS/1/A",
            source_sha256=sha("other"),
            output_sha256=sha("image"),
            tool="dd",
            description="copy",
        )


def test_a_fixity_mismatch_is_recorded_not_refused(case: Investigation) -> None:
    _seize(case, sha256=sha("file"))
    case.check_fixity(exhibit="JS/1", by=DC, place="DEMS", actual_sha256=sha("file"))
    assert _last(case).result == "match"
    case.check_fixity(exhibit="JS/1", by=DC, place="DEMS", actual_sha256=sha("rotten"))
    data = _last(case).to_data()
    assert (data["result"], data["expected_sha256"]) == ("mismatch", sha("file"))


def test_fixity_of_an_exhibit_without_a_hash_is_refused(case: Investigation) -> None:
    _seize(case)
    with pytest.raises(ExhibitHashError):
        case.check_fixity(exhibit="JS/1", by=DC, place="x", actual_sha256=sha("x"))


# --- references ---------------------------------------------------------------


def test_exhibit_references_are_unique_across_seizures_captures_and_copies(
    case: Investigation,
) -> None:
    _seize(case, "JS/1")
    with pytest.raises(DuplicateExhibitError, match="held by"):
        _seize(case, "JS/1", by=DC)
    with pytest.raises(DuplicateExhibitError):
        case.capture_evidence(
            exhibit="JS/1",
            kind="photo",
            sha256=sha("p"),
            size=1,
            media_type="image/jpeg",
            device="tablet",
            location="x",
            captured_at=T0,
        )
    with pytest.raises(DuplicateExhibitError):
        case.locate_exhibit(exhibit="JS/1", by=PC, place="x", description="d")
    _seize(case, "JS/2", sha256=sha("two"))
    with pytest.raises(DuplicateExhibitError, match="derived"):
        case.derive_exhibit(
            exhibit="JS/2",
            by=PC,
            place="x",
            derived="JS/1",
            input_sha256=sha("two"),
            output_sha256=sha("o"),
            method="m",
            purpose="p",
            description="d",
        )


def _capture(case: Investigation, by: Custodian = PC) -> int:
    return case.capture_evidence(
        exhibit="JS/1",
        kind="video",
        sha256=sha("bodycam"),
        size=10,
        media_type="video/mp4",
        device="bodycam-3",
        location="Scene",
        captured_at=T0,
        description="Body-worn video of the arrest",
        by=by,
    )


def test_captured_video_starts_in_its_capturers_custody(case: Investigation) -> None:
    seq = _capture(case)
    state = case.custody_of("JS/1")
    assert (state.seq, state.custodian, state.in_store, state.sha256) == (
        seq,
        PC,
        True,
        sha("bodycam"),
    )
    # What the exhibit list shows, the custody read model shows too (its text is in the record).
    assert (state.media_type, state.location_seq) == ("video/mp4", seq)
    case.check_fixity(exhibit="JS/1", by=DC, place="DEMS", actual_sha256=sha("bodycam"))
    # Already held by its capturer: a seizure would be a fictitious second origin.
    with pytest.raises(DuplicateExhibitError):
        _seize(case, description="Body-worn video")


def test_captured_photo_can_be_sealed_without_seizure(case: Investigation) -> None:
    _capture(case)
    case.package_exhibit(exhibit="JS/1", by=PC, place="Station", bag="B1", seal="S1")
    case.transfer_exhibit(
        exhibit="JS/1", by=PC, place="Station", to=DC, purpose="Review",
        seal_checked=True, seal="S1", seal_intact=True,
    )  # fmt: skip
    assert (case.custody_of("JS/1").custodian, case.custody_of("JS/1").seal) == (DC, "S1")
    with pytest.raises(NotCustodianError):
        case.package_exhibit(exhibit="JS/1", by=PC, place="Station", bag="B2", seal="S2")


def test_a_correction_of_a_capture_shows_in_the_custody_read_model(case: Investigation) -> None:
    seq = _capture(case)
    case.correct(
        seq=seq,
        reason="Typo",
        fields={"description": "Body-worn video, arrest", "media_type": "video/quicktime"},
    )
    assert case.custody_of("JS/1").media_type == "video/quicktime"
    assert case.exhibits["JS/1"].media_type == "video/quicktime"


def test_custody_of_an_unknown_exhibit_is_refused(case: Investigation) -> None:
    with pytest.raises(UnknownReferenceError):
        case.access_exhibit(exhibit="JS/9", by=PC, place="x", purpose="p")
    with pytest.raises(UnknownReferenceError):
        case.custody_of("JS/9")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"exhibit": "js/1"}, "exhibit"),
        ({"exhibit": "JS/01"}, "exhibit"),
        ({"exhibit": "JS/1/a"}, "exhibit"),
        ({"by": "PC Smith"}, "by"),
        ({"place": ""}, "place"),
        ({"power": ""}, "power"),
        ({"sha256": b"short"}, "sha256"),
        ({"media_type": "jpeg"}, "media_type"),
        ({"seized_from": 7}, "seized_from"),
        ({"seized_from": "Alan Example"}, "seized_from"),
        ({"occurred_at": 1.5}, "occurred_at"),
        ({"at": True}, "at"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(
    case: Investigation, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidCommandError) as caught:
        _seize(case, **changes)
    assert caught.value.field == field
    assert len(case.pending_events) == 1


def test_custodians_validate_themselves() -> None:
    with pytest.raises(InvalidCommandError, match="name"):
        Custodian(name="", number="1", organisation="o")
    with pytest.raises(InvalidCommandError, match="number"):
        Custodian(name="n", number="", organisation="o")
    with pytest.raises(InvalidCommandError):
        Custodian.from_data({"name": "n", "number": "1", "organisation": "o", "rank": ""})
    assert Custodian.from_data(PC.to_data()) == PC
    assert PC.describe() == "PC 1234 Jane Smith (Test Police)"


# --- time ---------------------------------------------------------------------


def test_an_event_recorded_before_it_happened_is_refused(case: Investigation) -> None:
    with pytest.raises(InvalidCommandError) as caught:
        _seize(case, at=T0, occurred_at=T0 + 1)
    assert caught.value.field == "occurred_at"


def test_custody_events_of_one_exhibit_cannot_go_back_in_time(case: Investigation) -> None:
    _seize(case, at=T0 + 10 * MINUTE)
    with pytest.raises(InvalidCommandError, match="earlier than exhibit JS/1"):
        case.access_exhibit(exhibit="JS/1", by=DC, place="x", purpose="p", at=T0 + MINUTE)
    with pytest.raises(InvalidCommandError) as caught:
        case.access_exhibit(
            exhibit="JS/1", by=DC, place="x", purpose="p", occurred_at=T0, at=T0 + 20 * MINUTE
        )
    assert caught.value.field == "occurred_at"
    case.access_exhibit(
        exhibit="JS/1",
        by=DC,
        place="x",
        purpose="p",
        occurred_at=T0 + 10 * MINUTE,
        at=T0 + 30 * MINUTE,
    )
    assert case.custody_of("JS/1").last_ns == T0 + 10 * MINUTE


def test_custody_on_a_closed_case_is_refused(case: Investigation) -> None:
    _seize(case)
    case.change_status(status="closed", reason="NFA")
    with pytest.raises(CaseClosedError):
        case.access_exhibit(exhibit="JS/1", by=DC, place="x", purpose="p")


def test_refusals_are_domain_errors() -> None:
    for cls in (NotCustodianError, SealMismatchError, ExhibitDisposedError, ExhibitHashError):
        assert issubclass(cls, DomainError)


# --- loading ------------------------------------------------------------------


def _reload(case: Investigation, officer: InMemorySigner, trust: TrustStore) -> Investigation:
    batch = seal_events(
        case,
        list(case.pending_events),  # type: ignore[arg-type]
        officer,
        trust=trust,
        random_bytes=counted_bytes(),
    )
    return load_investigation(case.id, batch.stored_events, trust)


def test_custody_state_is_rebuilt_from_the_records(
    case: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    _seize(case, seized_from=case.add_person(role="suspect", name="Alan Example"))
    case.package_exhibit(exhibit="JS/1", by=PC, place="x", bag="B1", seal="S1")
    case.transfer_exhibit(
        exhibit="JS/1",
        by=PC,
        to=LAB,
        place="x",
        purpose="p",
        seal_checked=True,
        seal="S1",
        seal_intact=True,
    )
    seq = case.open_seal(exhibit="JS/1", by=LAB, place="Lab", seal="S1", reason="r")
    case.correct(seq=seq, reason="Room", fields={"place": "Lab, room 2"})
    loaded = _reload(case, officer, trust)
    assert loaded.custody == case.custody
    assert loaded.custody_of("JS/1").location_seq == seq
    with pytest.raises(SealMismatchError):
        loaded.reseal_exhibit(
            exhibit="JS/1", by=LAB, place="x", old_seal="S9", new_seal="S2", bag="B"
        )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_custody_history_loads_back_to_the_same_state(data: st.DataObject) -> None:
    from events.conftest import OFFICER, entry, signer_for

    officer = signer_for("officer")
    trust = TrustStore([entry(officer, "officer")])
    case = Investigation.open(reference="R1", offence="Theft", channel="online", at=T0)
    case.bind_actor(OFFICER)
    CustodyDriver(case, data, T0).run(data.draw(st.integers(1, 30), label="steps"))
    assert _reload(case, officer, trust).custody == case.custody
