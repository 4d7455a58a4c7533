"""Redaction decisions, withdrawals and erasures: accountable records with checked arguments."""

from __future__ import annotations

import itertools
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _casebuilder import AT, CaseBuilder, World, entry_for, person_of
from casefile.errors import InvalidCommandError, UnauthorisedSignerError, UnknownReferenceError
from casefile.events import (
    RESTRICTED_FIELDS,
    Audience,
    Investigation,
    RedactionReason,
    load_investigation,
    seal_events,
)
from casefile.signing._records import parse_record
from casefile.signing._runs import merge_runs, runs_cover
from casefile.signing._trust import TrustStore
from casefile.verifier import payload_schemas, report_case
from events.conftest import OFFICER, counted_bytes, entry, signer_for


def _trust(officer_roles: frozenset[str] = frozenset({"recorder"})) -> TrustStore:
    return TrustStore([entry(signer_for("officer"), "officer", officer_roles)])


def _seal(case: Investigation, trust: TrustStore) -> None:
    batch = seal_events(
        case, list(case.pending_events), signer_for("officer"), trust=trust,
        random_bytes=counted_bytes(),
    )  # fmt: skip
    case.collect_events()
    case.mark_sealed(batch.last_seq, batch.head, batch.commitments)


def _with_victim(case: Investigation) -> int:
    case.add_person(role="victim", name="Ann Example", address="1 High Street", phone="0770")
    return case.version


# --- who may sign them -----------------------------------------------------------------


def test_redaction_by_key_without_redactor_role_is_refused(case: Investigation) -> None:
    seq = _with_victim(case)
    case.decide_redaction(
        record=seq, field="address", audiences=["cps"], reason="victim_or_witness_contact_details"
    )
    with pytest.raises(UnauthorisedSignerError, match=r"redaction\.decided.*redactor"):
        _seal(case, _trust())


def test_redaction_by_key_with_redactor_role_is_sealed_and_loads(case: Investigation) -> None:
    seq = _with_victim(case)
    decision = case.decide_redaction(
        record=seq, field="address", audiences=["defence", "cps"], reason="other",
        explanation="Not needed by the prosecutor",
    )  # fmt: skip
    trust = _trust(frozenset({"recorder", "redactor"}))
    batch = seal_events(
        case, list(case.pending_events), signer_for("officer"), trust=trust,
        random_bytes=counted_bytes(),
    )  # fmt: skip
    header = parse_record(batch.stored_events[-1].state).header
    assert header.data["audiences"] == ["cps", "defence"]
    assert header.data["runs"] is None
    assert set(header.commitments) == {"explanation"}
    loaded = load_investigation(case.id, batch.stored_events, trust)
    assert loaded.redactions[decision].audiences == {"cps", "defence"}


def test_erasure_by_key_with_only_recorder_or_redactor_role_is_refused(
    case: Investigation,
) -> None:
    seq = _with_victim(case)
    case.record_erasure(record=seq, field="phone", basis="erasure_request")
    with pytest.raises(UnauthorisedSignerError, match="data_protection"):
        _seal(case, _trust(frozenset({"recorder", "redactor"})))


def test_verifier_refuses_a_redaction_signed_without_the_role_at_v8() -> None:
    world = World()
    case = CaseBuilder(uuid.UUID(int=7))
    case.add(world.alice, "person.added", {"person_id": bytes(16), "role": "victim"},
             personal={"address": "1 High Street"})  # fmt: skip
    pc = person_of(world.trust.get(world.alice.public_key.key_id))  # type: ignore[arg-type]
    decided = {
        "by": pc, "recorded_by": None, "record": 1, "field": "address", "runs": None,
        "audiences": ["cps"], "reason": "third_party_personal_data",
    }  # fmt: skip
    case.add(world.alice, "redaction.decided", decided)
    report = report_case(case.records, trust=world.trust, at=AT, payloads=payload_schemas())
    assert [(e.step, e.seq) for e in report.errors] == [("V8", 2)]
    # The same record signed by a key holding the role passes.
    good = report_case(case.records, trust=TrustStore([
        entry_for(world.alice, "test.police.uk/officer/alice",
                  roles=frozenset({"recorder", "redactor"}))
    ]), at=AT, payloads=payload_schemas())  # fmt: skip
    assert good.errors == ()


# --- what a decision may name ----------------------------------------------------------


def test_redaction_of_a_record_that_does_not_exist_is_refused(case: Investigation) -> None:
    with pytest.raises(UnknownReferenceError, match="record 9"):
        case.decide_redaction(record=9, field="address", audiences=["cps"], reason="other")


def test_redaction_of_a_field_the_record_does_not_commit_is_refused(case: Investigation) -> None:
    seq = _with_victim(case)
    with pytest.raises(InvalidCommandError, match="commits no field 'email'"):
        case.decide_redaction(
            record=seq, field="email", audiences=["cps"], reason="third_party_personal_data"
        )


def test_runs_of_a_value_field_are_refused(case: Investigation) -> None:
    seq = _with_victim(case)
    with pytest.raises(InvalidCommandError, match="withheld whole"):
        case.decide_redaction(
            record=seq, field="address", audiences=["cps"], runs=[(0, 1)], units=3,
            reason="victim_or_witness_contact_details",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("audiences", "problem"),
    [([], "at least one"), (["cps", "cps"], "twice"), (["press"], "not one of"), ("cps", "list")],
)
def test_redaction_audiences_must_be_named_once_each(
    case: Investigation, audiences: object, problem: str
) -> None:
    seq = _with_victim(case)
    with pytest.raises(InvalidCommandError, match=problem):
        case.decide_redaction(
            record=seq, field="address", audiences=audiences,  # type: ignore[arg-type]
            reason="third_party_personal_data",
        )  # fmt: skip


def test_redaction_reason_other_without_explanation_is_refused(case: Investigation) -> None:
    seq = _with_victim(case)
    with pytest.raises(InvalidCommandError, match="explanation"):
        case.decide_redaction(record=seq, field="address", audiences=["cps"], reason="other")
    with pytest.raises(InvalidCommandError, match="reason"):
        case.decide_redaction(record=seq, field="address", audiences=["cps"], reason="because")


def test_withdrawal_of_a_record_that_is_not_an_active_decision_is_refused(
    case: Investigation,
) -> None:
    seq = _with_victim(case)
    with pytest.raises(InvalidCommandError, match="not a redaction decision"):
        case.withdraw_redaction(decision=seq)
    decision = case.decide_redaction(
        record=seq, field="address", audiences=[Audience.CPS],
        reason=RedactionReason.VICTIM_OR_WITNESS_CONTACT_DETAILS,
    )  # fmt: skip
    withdrawal = case.withdraw_redaction(decision=decision)
    assert decision not in case.redactions
    with pytest.raises(InvalidCommandError, match=f"withdrawn by record {withdrawal}"):
        case.withdraw_redaction(decision=decision)


def test_erasure_of_a_field_already_erased_is_refused(case: Investigation) -> None:
    seq = _with_victim(case)
    case.record_erasure(record=seq, field="phone", basis="erasure_request")
    with pytest.raises(InvalidCommandError, match="erased whole already"):
        case.record_erasure(record=seq, field="phone", basis="court_order")
    with pytest.raises(InvalidCommandError, match="explanation"):
        case.record_erasure(record=seq, field="address", basis="other")


def test_redaction_records_are_never_corrected(case: Investigation) -> None:
    seq = _with_victim(case)
    decision = case.decide_redaction(
        record=seq, field="address", audiences=["cps"], reason="other", explanation="x"
    )
    with pytest.raises(InvalidCommandError, match="never corrected"):
        case.correct(seq=decision, reason="typo", fields={"explanation": "y"})
    with pytest.raises(InvalidCommandError, match="not a personal field"):
        case.correct(seq=decision, reason="typo", personal={"explanation": "y"})
    with pytest.raises(InvalidCommandError, match="not a correctable field"):
        case.correct(seq=decision, reason="typo", fields={"reason": "witness_identity"})


def test_redaction_and_erasure_are_recorded_on_a_closed_case(case: Investigation) -> None:
    seq = _with_victim(case)
    case.change_status(status="closed", reason="Filed")
    assert case.decide_redaction(
        record=seq, field="address", audiences=["court"], reason="third_party_personal_data"
    )
    assert case.record_erasure(record=seq, field="phone", basis="retention_expired")


def test_decision_names_the_officer_of_the_session(case: Investigation) -> None:
    seq = _with_victim(case)
    decision = case.decide_redaction(
        record=seq, field="address", audiences=["cps"], reason="third_party_personal_data"
    )
    event = case.pending_events[-1]
    assert event.originator_version == decision
    assert event.__dict__["by"] == OFFICER.to_data()
    assert event.__dict__["recorded_by"] is None


# --- the witness's restricted details --------------------------------------------------


def test_back_page_details_are_committed_never_in_clear(case: Investigation) -> None:
    person = case.add_person(
        role="witness", name="Ann Example", gender="female", ethnicity="W1",
        dates_to_avoid="1-14 August", special_measures="screens", willing_to_attend=True,
        consent_to_share=False, vps_offered=True,
    )  # fmt: skip
    batch = seal_events(
        case, list(case.pending_events), signer_for("officer"), trust=_trust(),
        random_bytes=counted_bytes(),
    )  # fmt: skip
    header = parse_record(batch.stored_events[-1].state).header
    assert header.data == {"person_id": person.bytes, "role": "witness"}
    assert set(header.commitments) == {
        "name", "gender", "ethnicity", "dates_to_avoid", "special_measures",
        "willing_to_attend", "consent_to_share", "vps_offered",
    }  # fmt: skip
    assert set(header.commitments) - {"name"} <= RESTRICTED_FIELDS
    assert {d.name: d.value for d in batch.disclosures}["consent_to_share"] is False


def test_back_page_yes_no_details_refuse_text(case: Investigation) -> None:
    with pytest.raises(InvalidCommandError, match="willing_to_attend"):
        case.add_person(role="witness", name="Ann", willing_to_attend="yes")  # type: ignore[arg-type]
    person = case.add_person(role="witness", name="Ann", vps_offered=False)
    seq = case.people[person].seq
    with pytest.raises(InvalidCommandError, match=r"personal\.vps_offered"):
        case.correct(seq=seq, reason="asked again", personal={"vps_offered": "yes"})
    assert case.correct(seq=seq, reason="asked again", personal={"vps_offered": True})


# --- runs ------------------------------------------------------------------------------

_RUNS = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 20)).map(lambda r: (r[0], r[0] + r[1]))
)


@given(_RUNS)
def test_merged_runs_cover_exactly_the_units_of_the_runs_given(runs: list[tuple[int, int]]) -> None:
    merged = merge_runs(runs)
    units = {u for a, b in runs for u in range(a, b)}
    assert {u for a, b in merged for u in range(a, b)} == units
    assert all(b < a2 for (_, b), (a2, _) in itertools.pairwise(merged))
    assert runs_cover(merged, runs)
    outside = [(u, u + 1) for u in range(0, 90) if u not in units]
    assert not any(runs_cover(merged, [one]) for one in outside)


@pytest.mark.parametrize("bad", [[(2, 2)], [(-1, 3)], [(1, 2, 3)], [("a", 2)], [(True, 2)]])
def test_malformed_runs_are_refused_naming_the_run(bad: list[tuple[int, ...]]) -> None:
    with pytest.raises(ValueError, match="run 0"):
        merge_runs(bad)  # type: ignore[arg-type]


def test_redaction_runs_outside_the_text_are_refused_when_recorded(case: Investigation) -> None:
    seq = case.add_note(text="Seen at 12 Acacia Avenue.")  # 5 units
    decide = case.decide_redaction
    with pytest.raises(InvalidCommandError, match="has 5 units"):
        decide(record=seq, field="text", runs=[(3, 6)], units=5, audiences=["cps"],
               reason="victim_or_witness_contact_details")  # fmt: skip
    with pytest.raises(InvalidCommandError, match="number of units"):
        decide(record=seq, field="text", runs=[(3, 5)], audiences=["cps"],
               reason="victim_or_witness_contact_details")  # fmt: skip
    with pytest.raises(InvalidCommandError, match="at least one run"):
        decide(record=seq, field="text", runs=[], units=5, audiences=["cps"],
               reason="victim_or_witness_contact_details")  # fmt: skip
    decision = decide(record=seq, field="text", runs=[(4, 5), (2, 4)], units=5,
                      audiences=["cps"], reason="victim_or_witness_contact_details")  # fmt: skip
    # Runs are recorded sorted and merged: maximal runs, as FORMAT.md §10.4 asks.
    assert case.pending_events[-1].__dict__["runs"] == [[2, 5]]
    assert case.redactions[decision].runs == ((2, 5),)
    assert case.is_text_field(seq, "text")


def test_a_corrected_text_is_redacted_under_the_correction(case: Investigation) -> None:
    seq = case.add_note(text="Seen at 12 Acacia Avenue.")
    corrected = case.correct(seq=seq, reason="typo", fields={"text": "Seen at 14 Acacia Avenue."})
    assert case.is_text_field(corrected, "text")
    assert case.is_text_field(corrected, "correction_reason")
    assert case.decide_redaction(
        record=corrected, field="text", runs=[(2, 5)], units=5, audiences=["defence"],
        reason="third_party_personal_data",
    )  # fmt: skip
