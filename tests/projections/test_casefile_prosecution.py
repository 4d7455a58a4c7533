"""The case file of a prosecution built through the domain: each form reads what it should."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from casefile.events import Investigation
from casefile.projections import build_case_file, case_file_json
from casefile.verifier import verify_case
from projections._casefile_cases import (
    DAY,
    OFFICER,
    T0,
    TRUST,
    Prosecution,
    new_app,
    prosecution,
)


def test_an_mg6c_item_shows_the_prosecutors_latest_decision() -> None:
    p, verified = prosecution()
    mg6c = build_case_file(verified.records).mg6c
    assert mg6c is not None
    assert mg6c.revision == 1
    first = mg6c.items[0]
    assert first.item == p.items[0]
    assert first.decision is not None
    # Disclose, then clearly not disclosable: the later decision replaces the earlier.
    assert first.decision.decision == "clearly_not_disclosable"
    assert first.decision.signed_by is not None
    assert first.decision.signed_by.holder.organisation == "Crown Prosecution Service"


def test_an_mg6d_item_carries_its_sensitivity_reason() -> None:
    _, verified = prosecution()
    mg6d = build_case_file(verified.records).mg6d
    assert mg6d is not None
    assert [i.sensitivity_reason for i in mg6d.items] == ["Would reveal a source"]


def test_mg6e_lists_the_items_that_might_undermine_with_their_assessment() -> None:
    p, verified = prosecution()
    mg6e = build_case_file(verified.records).mg6e
    assert mg6e is not None
    assert [(i.item, i.assessment) for i in mg6e.items] == [(p.items[2], "Describes a taller man")]


def test_a_defence_file_has_no_charging_advice_sensitive_schedule_or_mg6e() -> None:
    _, verified = prosecution()
    defence = build_case_file(verified.records, audience="defence")
    assert defence.mg3 is None
    assert defence.mg6d is None
    assert defence.mg6e is None
    assert defence.mg6c is not None
    assert "MG6D" not in defence.mg1.forms
    text = str(case_file_json(defence))
    assert "Would reveal a source" not in text
    assert "Needs a hearing loop" not in text


def test_an_mg3_shows_the_request_and_the_prosecutors_decision() -> None:
    p, verified = prosecution("decided")
    (mg3,) = build_case_file(verified.records).mg3 or ()
    assert mg3.request == p.request
    assert mg3.offences == (p.offence,)
    assert mg3.summary == "Neighbour saw him at the window"
    assert mg3.decision is not None
    assert (mg3.decision.outcome, mg3.decision.offences) == ("charge", (p.offence,))
    assert mg3.decision.by.name == "Paul Reed"
    assert mg3.decision.signed_by is not None
    assert mg3.decision.signed_by.key == "cps.example/paul-reed"
    assert mg3.records == (p.request, p.decision)


def test_a_request_not_yet_decided_shows_no_decision() -> None:
    _, verified = prosecution("investigated")
    (mg3,) = build_case_file(verified.records).mg3 or ()
    assert mg3.decision is None


def test_a_defendant_shows_arrest_interview_offence_charge_bail_and_hearing() -> None:
    p, verified = prosecution("charged")
    file = build_case_file(verified.records)
    (defendant,) = file.mg1.defendants
    assert defendant.person.name == "Sam Suspect"
    assert [a.power for a in defendant.arrests] == ["Police and Criminal Evidence Act 1984 s.24"]
    assert [i.summary for i in defendant.interviews] == ["Denied being at the address."]
    (offence,) = defendant.offences
    assert offence.offence == p.offence
    assert offence.charge is not None
    assert offence.charge.decision == p.decision
    assert defendant.bail is not None
    assert defendant.bail.status == "police_bail"
    assert file.mg1.first_hearing is not None
    assert file.mg1.first_hearing.court == "Leeds Magistrates' Court"


def test_points_to_prove_link_the_evidence_records_they_cite() -> None:
    p, verified = prosecution("investigated")
    (defendant,) = build_case_file(verified.records).mg1.defendants
    first, second = defendant.offences[0].points_to_prove
    assert first.evidence == (p.statement, p.exhibit)
    assert set(first.evidence) <= set(first.records)
    assert second.evidence == ()


def test_a_defendant_under_18_at_the_first_hearing_is_a_youth() -> None:
    _, verified = prosecution("charged")
    file = build_case_file(verified.records)
    (defendant,) = file.mg1.defendants
    # Born 2010-05-01, first hearing January 2026.
    assert (defendant.age, defendant.youth) == (15, True)
    assert "youth_defendant" in file.mg1.markers


def test_a_defendant_whose_date_of_birth_is_not_disclosed_has_no_youth_flag() -> None:
    _, verified = prosecution("charged")
    # A court file: the date of birth is a restricted value, here not disclosed at all.
    kept = list(verified.records)
    disclosures = [d for r in kept for name, d in r.disclosed.items() if name != "date_of_birth"]
    (defendant,) = build_case_file(kept, disclosures=disclosures).mg1.defendants
    assert (defendant.age, defendant.youth) == (None, None)


def test_the_mg9_shows_the_victims_personal_statement_and_care_needs() -> None:
    _p, verified = prosecution("charged")
    (witness,) = build_case_file(verified.records).mg9.witnesses
    assert witness.vps is not None
    assert witness.vps.outcome == "declined"
    assert witness.care is not None
    assert (witness.care.care_needs, witness.care.dates_to_avoid) == (
        "Needs a hearing loop",
        "1 March",
    )


def test_a_corrected_offence_shows_its_corrected_values_and_cites_the_correction() -> None:
    p = Prosecution()
    app = new_app()
    with app.open_session(
        OFFICER, offence="Burglary", channel="phone", reference="01YE1234526"
    ) as case:
        p.investigate(case)
        case_id = case.id
    with app.session(case_id, OFFICER) as case:
        fix = case.correct(
            seq=p.offence, reason="The suspect now admits it", fields={"anticipated_plea": "guilty"}
        )
    verified = verify_case(
        app.records(case_id), trust=TRUST, at=app.now(), disclosures=app.disclosures(case_id)
    )
    (defendant,) = build_case_file(verified.records).mg1.defendants
    (offence,) = defendant.offences
    assert offence.anticipated_plea == "guilty"
    assert fix in offence.records


def _parts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _parts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _parts(item)


# Fields that name the record a part is about: the part must cite it.
_SELF = ("statement", "offence", "request", "decision", "interview")


def test_every_item_cites_the_records_it_was_built_from() -> None:
    _, verified = prosecution()
    document = case_file_json(build_case_file(verified.records))
    last = document["case"]["last_seq"]
    cited = 0
    for part in _parts(document):
        if "records" not in part or not isinstance(part["records"], list):
            continue
        records = part["records"]
        cited += 1
        assert records == sorted(set(records))
        assert all(1 <= seq <= last for seq in records)
        for name in _SELF:
            if isinstance(part.get(name), int):
                assert part[name] in records, (name, part)
        if part.get("lacking") is None and "item" not in part and "kind" not in part:
            assert records, part
    assert cited > 30


def test_a_corrected_statement_shows_its_corrected_body_in_its_mg11() -> None:
    fixes: list[int] = []

    def correct(case: Investigation, p: Prosecution) -> None:
        # An unsigned statement: what a witness signed is never corrected.
        draft = case.record_statement(
            witness_id=p.victim,
            declaration="True to the best of my knowledge and belief.",
            body="The window was broken at nine.",
            place="12 High Street",
            started_at=T0 + DAY,
            ended_at=T0 + DAY + 60 * 10**9,
        )
        seq = case.statements[draft].seq
        fixes.append(case.correct(seq=seq, reason="Misheard", fields={"body": "At ten."}))

    _, verified = prosecution("investigated", more=correct)
    _, mg11 = build_case_file(verified.records).mg11
    assert mg11.body == "At ten."
    assert mg11.corrected_by == tuple(fixes)
    assert fixes[0] in mg11.records


def test_a_corrected_name_is_the_name_the_file_shows() -> None:
    def correct(case: Investigation, p: Prosecution) -> None:
        seq = case.people[p.victim].seq
        case.correct(seq=seq, reason="Spelt wrongly", personal={"name": "Vera Victor"})

    _, verified = prosecution("investigated", more=correct)
    file = build_case_file(verified.records)
    assert file.mg11[0].witness.name == "Vera Victor"
    assert file.mg9.witnesses[0].person.name == "Vera Victor"


def test_an_mg12_row_cites_every_custody_record_of_its_exhibit() -> None:
    p, verified = prosecution("investigated")
    (row,) = build_case_file(verified.records).mg12
    assert (row.reference, row.description) == ("JS/1", "Brick")
    assert row.records == (p.exhibit,)


def test_a_continuity_gap_is_lacking_in_a_not_guilty_file() -> None:
    _, verified = prosecution()
    # The brick was seized and never booked into a store: by March that is a gap.
    file = build_case_file(verified.records, as_of=T0 + 60 * DAY)
    (finding,) = file.continuity.findings
    assert finding.kind == "unexplained_gap"
    lacks = [x for x in file.completeness.lacking if x.item == "continuity"]
    assert [(x.form, x.records) for x in lacks] == [("MG12", finding.records)]


def test_corrected_care_needs_are_the_ones_the_mg9_shows() -> None:
    def correct(case: Investigation, p: Prosecution) -> None:
        assessed = case.assess_witness_care(person_id=p.victim, interpreter="Polish")
        case.correct(seq=assessed, reason="Wrong language", personal={"interpreter": "Czech"})

    _, verified = prosecution("investigated", more=correct)
    (witness,) = build_case_file(verified.records).mg9.witnesses
    assert witness.care is not None
    assert witness.care.interpreter == "Czech"
