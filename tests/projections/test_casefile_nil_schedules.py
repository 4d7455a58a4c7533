"""Nil schedules, and schedules a later item or a corrected sensitivity has made stale."""

from __future__ import annotations

import jsonschema

from casefile.events import Investigation
from casefile.projections import (
    build_case_file,
    case_file_document,
    case_file_json,
    case_file_schema,
)
from projections._casefile_cases import Prosecution, prosecution


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
