"""Nil schedules, and schedules a later item or a corrected sensitivity has made stale."""

from __future__ import annotations

import jsonschema

from casefile.events import Investigation
from casefile.projections import (
    CaseFile,
    build_case_file,
    case_file_document,
    case_file_from_views,
    case_file_json,
    case_file_schema,
    completeness,
)
from projections._casefile_cases import Prosecution, Views, opened, prosecution, verified_case

NGAP = "anticipated_not_guilty_plea"


def _make_sensitive(case: Investigation, p: Prosecution) -> None:
    """The CCTV, on MG6C revision 1, turns out to name an informant."""
    case.correct(
        seq=case.unused_items[p.items[0]].seq,
        reason="It names an informant",
        fields={"sensitive": True, "sensitivity_reason": "Names an informant at no. 9"},
    )


def test_a_nil_mg6d_is_shown_as_certified_nil() -> None:
    _, verified = prosecution("disclosed", p=Prosecution(sensitive=False))
    file = build_case_file(verified.records)
    assert file.mg6d is not None
    assert (file.mg6d.revision, file.mg6d.items, file.mg6d.pending) == (1, (), ())
    assert file.mg6d.nil
    assert file.mg6c is not None
    assert not file.mg6c.nil
    assert "MG6D" in file.mg1.forms
    document = case_file_json(file)
    assert document["mg6d"]["nil"] is True
    assert document["mg6c"]["nil"] is False
    jsonschema.Draft202012Validator(case_file_schema()).validate(document)


def test_a_schedule_never_certified_is_not_nil() -> None:
    _, verified = prosecution("disclosed", p=Prosecution(sensitive=False, schedules=("mg6c",)))
    file = build_case_file(verified.records)
    assert file.mg6d is None  # nothing recorded, nothing certified: not a nil certificate
    assert file.mg6c is not None
    assert file.mg6c.revision == 1
    assert not file.mg6c.nil


def test_an_item_made_sensitive_after_certification_never_reaches_the_defence_mg6c() -> None:
    p, verified = prosecution("disclosed", more=_make_sensitive)
    for audience in (None, "cps", "defence", "court"):
        file = build_case_file(verified.records, audience=audience)
        assert file.mg6c is not None
        assert [i.item for i in file.mg6c.items] == [p.items[2]], audience
        assert file.mg6c.reclassified == (p.items[0],)
        assert not any(i.sensitive for i in (*file.mg6c.items, *file.mg6c.pending))
    defence = case_file_document(build_case_file(verified.records, audience="defence"))
    assert b"Names an informant" not in defence
    assert b"CCTV, no sighting" not in defence


def _lacks(file: CaseFile) -> list[tuple[str, str, str]]:
    return [(x.item, x.form, x.message) for x in completeness(file, NGAP).lacking]


def test_an_ngap_file_with_a_nil_mg6d_is_complete() -> None:
    _, verified = prosecution("disclosed", p=Prosecution(sensitive=False))
    assert _lacks(build_case_file(verified.records)) == []


def test_an_ngap_file_without_a_certified_mg6d_is_incomplete() -> None:
    _, verified = prosecution("disclosed", p=Prosecution(sensitive=False, schedules=("mg6c",)))
    file = build_case_file(verified.records)
    assert _lacks(file) == [
        (
            "schedule",
            "MG6D",
            "the MG6D has not been certified nil: no sensitive item is recorded",
        )
    ]
    # The defence never sees the MG6D, so its file does not lack it.
    assert _lacks(build_case_file(verified.records, audience="defence")) == []


def test_an_ngap_file_without_a_certified_nil_mg6c_is_incomplete() -> None:
    def build(case: Investigation) -> None:
        case.record_unused_item(
            description="Log", location="Safe", sensitive=True, sensitivity_reason="A source"
        )
        case.schedule_unused(schedule="mg6d")

    file = build_case_file(verified_case(build).records)
    (lack,) = [x for x in completeness(file, NGAP).lacking if x.item == "schedule"]
    assert (lack.form, lack.message) == (
        "MG6C",
        "the MG6C has not been certified nil: no non-sensitive item is recorded",
    )


def test_a_schedule_made_stale_by_a_later_item_is_reported() -> None:
    def later(case: Investigation, p: Prosecution) -> None:
        case.record_unused_item(description="Door-to-door notes", location="Station")

    _, verified = prosecution("disclosed", more=later)
    file = build_case_file(verified.records)
    assert file.mg6c is not None
    (revision,) = file.mg6c.revisions
    (added,) = file.mg6c.pending
    assert _lacks(file) == [
        (
            "schedule",
            "MG6C",
            f"the MG6C needs a new revision: revision 1 has item {added.item} "
            "of its kind not listed",
        ),
        ("unused_decision", "MG6C", f"the prosecutor has not decided on item {added.item}"),
    ]
    (lack, _) = completeness(file, NGAP).lacking
    assert lack.records == tuple(sorted({*added.records, revision}))


def test_a_nil_schedule_made_stale_by_a_later_sensitive_item_is_reported() -> None:
    def later(case: Investigation, p: Prosecution) -> None:
        case.record_unused_item(
            description="Tasking log", location="Safe", sensitive=True, sensitivity_reason="Source"
        )

    _, verified = prosecution("disclosed", more=later, p=Prosecution(sensitive=False))
    file = build_case_file(verified.records)
    assert file.mg6d is not None
    assert file.mg6d.nil  # revision 1 still says nil; item 4 has come since
    assert [x[:2] for x in _lacks(file)] == [("schedule", "MG6D"), ("unused_decision", "MG6D")]
    assert "item 4 of its kind not listed" in _lacks(file)[0][2]


def test_a_schedule_made_stale_by_a_corrected_sensitivity_is_reported() -> None:
    p, verified = prosecution("disclosed", more=_make_sensitive)
    lacks = [x for x in _lacks(build_case_file(verified.records)) if x[0] == "schedule"]
    one = p.items[0]
    assert lacks == [
        (
            "schedule",
            "MG6C",
            f"the MG6C needs a new revision: revision 1 has item {one} listed that is now "
            "sensitive",
        ),
        (
            "schedule",
            "MG6D",
            f"the MG6D needs a new revision: revision 1 has item {one} of its kind not listed",
        ),
    ]
    # The defence's file sees the MG6C go stale, and nothing of the MG6D.
    defence = _lacks(build_case_file(verified.records, audience="defence"))
    assert [x[:2] for x in defence] == [("schedule", "MG6C")]


def test_schedules_certified_again_after_a_correction_are_current() -> None:
    def recertify(case: Investigation, p: Prosecution) -> None:
        _make_sensitive(case, p)
        case.schedule_unused(schedule="mg6c")
        case.schedule_unused(schedule="mg6d")

    _, verified = prosecution("disclosed", more=recertify)
    file = build_case_file(verified.records)
    assert file.mg6c is not None
    assert file.mg6c.reclassified == ()
    assert not [x for x in _lacks(file) if x[0] == "schedule"]


def _recertify(case: Investigation, p: Prosecution) -> None:
    _make_sensitive(case, p)
    case.schedule_unused(schedule="mg6c")
    case.schedule_unused(schedule="mg6d")


def test_a_decision_made_before_an_item_was_made_sensitive_no_longer_stands() -> None:
    p, verified = prosecution("disclosed", more=_recertify)
    file = build_case_file(verified.records)
    assert file.mg6d is not None
    (moved,) = [i for i in file.mg6d.items if i.item == p.items[0]]
    assert moved.decision is not None
    assert moved.reclassified_by is not None
    assert moved.decision.records[0] < moved.reclassified_by
    assert _lacks(file) == [
        (
            "unused_decision",
            "MG6D",
            f"the prosecutor's decision on item {p.items[0]} (record "
            f"{moved.decision.records[0]}) predates its correction to sensitive (record "
            f"{moved.reclassified_by})",
        )
    ]


def test_a_fresh_decision_after_the_reclassification_completes_the_file() -> None:
    def again(case: Investigation, p: Prosecution) -> None:
        case.decide_unused(item=p.items[0], decision="clearly_not_disclosable")

    _, verified = prosecution("disclosed", more=_recertify, decide=again)
    file = build_case_file(verified.records)
    assert _lacks(file) == []
    jsonschema.Draft202012Validator(case_file_schema()).validate(case_file_json(file))


def test_a_correction_that_keeps_the_sensitivity_leaves_the_decision_standing() -> None:
    def reword(case: Investigation, p: Prosecution) -> None:
        seq = case.unused_items[p.items[1]].seq
        case.correct(seq=seq, reason="clearer", fields={"description": "Informant contact log"})
        case.correct(
            seq=seq,
            reason="restated",
            fields={"sensitive": True, "sensitivity_reason": "Would reveal a source"},
        )

    _, verified = prosecution("disclosed", more=reword)
    file = build_case_file(verified.records)
    assert file.mg6d is not None
    assert [i.reclassified_by for i in file.mg6d.items] == [None]
    assert _lacks(file) == []


def test_a_signed_schedule_no_command_would_write_shows_no_sensitive_detail_and_is_stale() -> None:
    # Records signed by a trusted key but never checked against the domain's rules: an
    # MG6C that lists a sensitive item, and an MG6D certified nil over it.
    views = Views()
    opened(views)
    item = {"item": 1, "description": "Log", "location": "Safe", "sensitive": True}
    more = {"sensitivity_reason": "A source", "undermines_or_assists": False, "assessment": ""}
    views.acted("unused.item_recorded", {**item, **more})
    for name, items in (("mg6c", [1]), ("mg6d", [])):
        views.acted("unused.scheduled", {"schedule": name, "revision": 1, "items": items})
    defence = case_file_from_views(views, audience="defence")
    assert defence.mg6c is not None
    assert (defence.mg6c.items, defence.mg6c.reclassified) == ((), (1,))
    assert b"A source" not in case_file_document(defence)
    police = case_file_from_views(views)
    assert police.mg6d is not None
    assert police.mg6d.nil
    assert [i.item for i in police.mg6d.pending] == [1]
    schedules = [x[1] for x in _lacks(police) if x[0] == "schedule"]
    assert schedules == ["MG6C", "MG6D"]
