"""V15: records made by other software cannot name as the actor someone who did not sign them.

The records here are sealed with the signing layer directly, as another
system would seal them, so that the verifier is tested against the format
(docs/FORMAT.md §8, V15) and not against the domain code that writes it.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _casebuilder import AT, T0, CaseBuilder, World, person_of
from casefile.bundle import verify_bundle, write_bundle
from casefile.errors import ActorError
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import Holder
from casefile.verifier import report_case, verify_case
from casefile.verifier._actor import ACTOR_TYPES, CONFIRMATION_TYPE, actor_problem

WORLD = World()
TRUST = WORLD.trust
ALICE = person_of(TRUST.get(WORLD.alice.public_key.key_id))  # type: ignore[arg-type]
BOB = person_of(TRUST.get(WORLD.bob.public_key.key_id))  # type: ignore[arg-type]
MINUTE = 60 * 10**9
START = T0 + 3600 * 10**9
PROPERTY_OFFICER = {
    "name": "Central Store", "number": "PS-1", "organisation": "Test Force", "rank": "",
    "role": "property",
}  # fmt: skip


def _custody(by: Any, recorded_by: Any = None, **fields: Any) -> dict[str, Any]:
    return {
        "exhibit": "JS/1", "by": by, "recorded_by": recorded_by, "place": "Station",
        "occurred_at": None, "notes": "", **fields,
    }  # fmt: skip


def _seized(by: Any = ALICE, recorded_by: Any = None) -> dict[str, Any]:
    return _custody(
        by, recorded_by, description="Phone", sha256=None, media_type=None, power="PACE s.19",
        seized_from=None,
        authority="",
    )  # fmt: skip


def _case(*records: tuple[InMemorySigner, str, dict[str, Any]]) -> CaseBuilder:
    case = CaseBuilder(uuid.UUID(int=15))
    opened = {"channel": "officer_mobile", "offence": "theft", "reference": "R1"}
    case.add(WORLD.alice, "case.opened", opened, time_ns=START)
    for n, (signer, event_type, data) in enumerate(records, 1):
        case.add(signer, event_type, data, time_ns=START + n * MINUTE)
    return case


def _verify(case: CaseBuilder, **kw: Any) -> Any:
    # With their texts, so that withheld fields are no finding of theirs.
    kw.setdefault("disclosures", case.disclosures)
    return verify_case(case.records, trust=TRUST, at=AT, workers=1, **kw)


def _transfer_by_the_property_officer() -> CaseBuilder:
    return _case(
        (WORLD.alice, "exhibit.seized", _seized()),
        (WORLD.alice, "exhibit.booked", _custody(ALICE, to=PROPERTY_OFFICER, property_ref="P1")),
        # "By" the property officer, signed by alice's key, saying nothing of it.
        (
            WORLD.alice,
            "exhibit.transferred",
            _custody(
                PROPERTY_OFFICER,
                to=BOB,
                purpose="Interview",
                seal_checked=False,
                seal=None,
                seal_intact=None,
                submission_ref="",
            ),
        ),
    )


def test_bundle_whose_custody_record_names_another_actor_fails_v15(tmp_path: Path) -> None:
    case = _transfer_by_the_property_officer()
    bundle = tmp_path / "bundle"
    write_bundle(
        bundle,
        case_id=case.case_id,
        records=iter(case.records),
        disclosures=iter(case.disclosures),
        trust=TRUST,
        checkpoint_note=WORLD.checkpoint(case),
        signer=WORLD.log,
    )
    with pytest.raises(ActorError) as failed:
        verify_bundle(bundle, at=AT, trust=TRUST)
    assert (failed.value.step, failed.value.seq) == ("V15", 4)
    assert "Central Store" in failed.value.message
    assert "alice" in failed.value.message
    report = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    assert not report.verified
    assert [(e.step, e.seq) for e in report.errors] == [("V15", 4)]


def test_a_record_naming_its_signer_passes_v15() -> None:
    verified = _verify(_case((WORLD.alice, "exhibit.seized", _seized())))
    assert verified.size == 2
    assert verified.findings == ()


def test_v15_is_checked_when_records_are_not_kept() -> None:
    case = _transfer_by_the_property_officer()
    with pytest.raises(ActorError):
        _verify(case, keep_records=False)
    report = report_case(case.records, trust=TRUST, at=AT, workers=1)
    assert [(e.step, e.seq) for e in report.errors] == [("V15", 4)]


def test_on_behalf_record_is_a_finding_until_confirmed() -> None:
    # Bob keys in alice's seizure for her: it verifies, and says so.
    for_alice = (WORLD.bob, "exhibit.seized", _seized(by=ALICE, recorded_by=BOB))
    pending = _verify(_case(for_alice))
    assert [(f.kind, f.seq) for f in pending.findings] == [("acted_on_behalf_unconfirmed", 2)]
    assert "alice" in pending.findings[0].message
    assert "bob" in pending.findings[0].message
    confirmation = {"by": ALICE, "confirms": 2, "recorded_by": None}
    confirmed = _verify(_case(for_alice, (WORLD.alice, "record.confirmed", confirmation)))
    assert confirmed.findings == ()


@pytest.mark.payload_not_checked  # one forgery sets recorded_by, which V10 would refuse first
def test_confirmation_by_another_key_is_refused() -> None:
    for_alice = (WORLD.bob, "exhibit.seized", _seized(by=ALICE, recorded_by=BOB))
    # Bob cannot confirm for alice, whether naming himself or her.
    for forged in (
        (WORLD.bob, "record.confirmed", {"by": BOB, "confirms": 2, "recorded_by": None}),
        (WORLD.bob, "record.confirmed", {"by": ALICE, "confirms": 2, "recorded_by": None}),
        (WORLD.bob, "record.confirmed", {"by": ALICE, "confirms": 2, "recorded_by": BOB}),
    ):
        with pytest.raises(ActorError) as failed:
            _verify(_case(for_alice, forged))
        assert (failed.value.step, failed.value.seq) == ("V15", 3)


@pytest.mark.parametrize(
    ("confirms", "why"),
    [(2, "not recorded on anyone's behalf"), (9, "not an earlier record"), (3, "not an earlier")],
)
def test_a_confirmation_must_name_an_earlier_on_behalf_record(confirms: int, why: str) -> None:
    case = _case(
        (WORLD.alice, "exhibit.seized", _seized()),
        (WORLD.alice, "record.confirmed", {"by": ALICE, "confirms": confirms, "recorded_by": None}),
    )
    with pytest.raises(ActorError, match=why):
        _verify(case)


def test_a_record_is_confirmed_only_once() -> None:
    confirmation = {"by": ALICE, "confirms": 2, "recorded_by": None}
    case = _case(
        (WORLD.bob, "exhibit.seized", _seized(by=ALICE, recorded_by=BOB)),
        (WORLD.alice, "record.confirmed", confirmation),
        (WORLD.alice, "record.confirmed", confirmation),
    )
    with pytest.raises(ActorError, match="already confirmed by record 3"):
        _verify(case)


def test_an_act_recorded_for_oneself_or_keyed_by_a_third_person_fails_v15() -> None:
    for data in (
        _seized(by=ALICE, recorded_by=ALICE),  # "on behalf of" the signer themself
        _seized(by=ALICE, recorded_by=PROPERTY_OFFICER),  # keyed by someone who did not sign
    ):
        with pytest.raises(ActorError):
            _verify(_case((WORLD.alice, "exhibit.seized", data)))


@pytest.mark.payload_not_checked  # V15 alone is under test: no payload schemas are given
@settings(max_examples=40, deadline=None)
@given(
    by=st.none()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=5)
    | st.dictionaries(
        st.sampled_from(["name", "number", "organisation", "rank", "role", "x"]),
        st.text(max_size=5) | st.integers(-(2**63), 2**63 - 1),
        max_size=6,
    ),
    drop=st.booleans(),
)
def test_a_payload_naming_no_readable_actor_fails_v15_never_crashes(by: Any, drop: bool) -> None:
    data = _seized()
    if drop:
        del data["recorded_by"]
    else:
        data["by"] = by
    report = report_case(_case((WORLD.alice, "exhibit.seized", data)).records, trust=TRUST, at=AT)
    fits = not drop and isinstance(by, dict) and by == ALICE
    assert report.verified == fits
    assert all(e.step == "V15" for e in report.errors)


@pytest.mark.payload_not_checked  # V15 alone is under test: no payload schemas are given
@pytest.mark.parametrize(
    "event_type",
    ["evidence.captured", "statement.recorded", "case.handed_over", "record.corrected"],
)
def test_every_record_that_names_an_actor_is_checked(event_type: str) -> None:
    data = {"by": BOB, "recorded_by": None}
    with pytest.raises(ActorError):
        _verify(_case((WORLD.alice, event_type, data)))
    assert _verify(_case((WORLD.bob, event_type, data))).size == 2


@pytest.mark.payload_not_checked  # V15 alone is under test: no payload schemas are given
def test_a_huge_name_is_quoted_in_part() -> None:
    giant = {**ALICE, "name": "A" * 100_000}
    with pytest.raises(ActorError) as failed:
        _verify(_case((WORLD.alice, "exhibit.seized", _seized(by=giant))))
    assert len(failed.value.message) < 500


_HOLDER = Holder(name="Jane Smith", rank="PC", number="1234", force="Test Police")
_ME = {"name": "Jane Smith", "number": "1234", "organisation": "Test Police"}
_PEOPLE = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Jane Smith", "Jane Smith ", "jane smith", "Raj Patel"]),
        "number": st.sampled_from(["1234", "01234", "5678"]),
        "organisation": st.sampled_from(["Test Police", "Other Police", ""]),
        "rank": st.sampled_from(["PC", "DC", ""]),
        "role": st.sampled_from(["", "exhibits officer"]),
    }
)


def _is_me(person: dict[str, str]) -> bool:
    return {k: person[k] for k in _ME} == _ME


@settings(max_examples=300)
@given(
    event_type=st.sampled_from(sorted(ACTOR_TYPES)),
    by=_PEOPLE,
    recorded_by=st.one_of(st.none(), _PEOPLE),
)
def test_a_key_never_passes_v15_for_an_act_it_neither_did_nor_keyed_in(
    event_type: str, by: dict[str, str], recorded_by: dict[str, str] | None
) -> None:
    # The rule of FORMAT.md V15, exactly: the signer is `by` (recorded_by nil),
    # or the signer is `recorded_by` and `by` is someone else (never for a
    # confirmation); a look-alike name, number or force is someone else.
    data = {"by": by, "recorded_by": recorded_by}
    if recorded_by is None:
        allowed = _is_me(by)
    else:
        allowed = (
            event_type != CONFIRMATION_TYPE
            and _is_me(recorded_by)
            and not _is_me(by)
            and all(by[k] for k in _ME)
        )
    assert (actor_problem(event_type, data, _HOLDER) is None) == allowed


def _transferred_to_bob(*after: tuple[InMemorySigner, str, dict[str, Any]]) -> CaseBuilder:
    """Alice seizes JS/1 and hands it to Bob (record 3), then ``after``."""
    transfer = _custody(
        ALICE, to=BOB, purpose="Interview", seal_checked=False, seal=None, seal_intact=None,
        submission_ref="",
    )  # fmt: skip
    return _case(
        (WORLD.alice, "exhibit.seized", _seized()),
        (WORLD.alice, "exhibit.transferred", transfer),
        *after,
    )


def _confirms(signer: InMemorySigner, by: Any, seq: int) -> tuple[InMemorySigner, str, Any]:
    return (signer, "record.confirmed", {"by": by, "confirms": seq, "recorded_by": None})


def test_the_receiver_of_a_transfer_confirms_the_receipt() -> None:
    result = _verify(_transferred_to_bob(_confirms(WORLD.bob, BOB, 3)))
    assert result.records[-1].event_type == "record.confirmed"
    assert result.findings == ()


def test_receipt_confirmed_by_someone_other_than_the_receiver_fails_v15() -> None:
    # The giver cannot confirm the receiver's receipt, nor a third person.
    for confirmation in (_confirms(WORLD.alice, ALICE, 3), _confirms(WORLD.alice, ALICE, 2)):
        with pytest.raises(ActorError) as failed:
            _verify(_transferred_to_bob(confirmation))
        assert (failed.value.step, failed.value.seq) == ("V15", 4)


def test_receipt_confirmed_twice_fails_v15() -> None:
    twice = _transferred_to_bob(_confirms(WORLD.bob, BOB, 3), _confirms(WORLD.bob, BOB, 3))
    with pytest.raises(ActorError, match="already confirmed by record 4") as failed:
        _verify(twice)
    assert (failed.value.step, failed.value.seq) == ("V15", 5)


def test_an_on_behalf_transfer_is_confirmed_once_by_its_giver_and_once_by_its_receiver() -> None:
    # Bob keys in Alice's transfer of JS/1 to himself: Alice confirms her act,
    # Bob his receipt; each (record, person) once.
    keyed = _custody(
        ALICE, BOB, to=BOB, purpose="Interview", seal_checked=False, seal=None, seal_intact=None,
        submission_ref="",
    )  # fmt: skip
    base = [(WORLD.alice, "exhibit.seized", _seized()), (WORLD.bob, "exhibit.transferred", keyed)]
    both = _case(*base, _confirms(WORLD.alice, ALICE, 3), _confirms(WORLD.bob, BOB, 3))
    assert _verify(both).findings == ()
    receipt_only = _verify(_case(*base, _confirms(WORLD.bob, BOB, 3)))
    assert [(f.kind, f.seq) for f in receipt_only.findings] == [("acted_on_behalf_unconfirmed", 3)]
    again = _case(*base, _confirms(WORLD.bob, BOB, 3), _confirms(WORLD.bob, BOB, 3))
    with pytest.raises(ActorError, match="already confirmed by record 4"):
        _verify(again)


# --- receipt.recorded: always keyed for the recipient, confirmed by its cosignature (B15) -----


def _receipt(by: Any, recorded_by: Any) -> dict[str, Any]:
    # V15 reads only by and recorded_by; B15 checks the checkpoint and the cosignature.
    return {"by": by, "recorded_by": recorded_by, "checkpoint": "c\n", "cosignature": "l"}


def test_receipt_recorded_for_the_recipient_awaits_no_confirmation() -> None:
    verified = _verify(_case((WORLD.bob, "receipt.recorded", _receipt(ALICE, BOB))))
    assert verified.findings == ()


@pytest.mark.payload_not_checked  # recorded_by nil: V10 would refuse it first
def test_receipt_recorded_by_the_recipient_themself_fails_v15() -> None:
    with pytest.raises(ActorError, match="recorded by the sender") as failed:
        _verify(_case((WORLD.alice, "receipt.recorded", _receipt(ALICE, None))))
    assert (failed.value.step, failed.value.seq) == ("V15", 2)


def test_a_confirmation_of_a_receipt_fails_v15() -> None:
    case = _case(
        (WORLD.bob, "receipt.recorded", _receipt(ALICE, BOB)),
        (WORLD.alice, "record.confirmed", {"by": ALICE, "confirms": 2, "recorded_by": None}),
    )
    with pytest.raises(ActorError, match="not recorded on anyone's behalf") as failed:
        _verify(case)
    assert failed.value.seq == 3
