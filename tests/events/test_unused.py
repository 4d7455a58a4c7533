"""Unused material (CPIA 1996): numbered items, certified schedules, the prosecutor's decisions."""

from __future__ import annotations

from typing import Any

import pytest

from _casework import OFFICER, PROSECUTOR, T0, Desk, trust_with
from casefile.errors import (
    CaseClosedError,
    InvalidCommandError,
    KeyRoleError,
    MalformedRecordError,
    UnauthorisedSignerError,
    UnknownReferenceError,
)
from casefile.events import UnusedDecided, UnusedItemRecorded, UnusedScheduled
from casefile.verifier import report_case


def _item(desk: Desk, sensitive: bool = False, **changes: Any) -> int:
    fields: dict[str, Any] = {
        "description": "CCTV from the shop opposite, 21:00 to 23:00",
        "location": "Property store, bag 42",
        "sensitive": sensitive,
        "sensitivity_reason": "names a covert source" if sensitive else "",
    }
    fields.update(changes)
    return desk.case.record_unused_item(**fields)


def _forged(desk: Desk, cls: type, fields: dict[str, Any]) -> None:
    """Seal an authentic record that no command would write: pending, never applied."""
    case = desk.case
    acting = {"by": OFFICER.to_data(), "recorded_by": None}
    event = cls.new(case.id, case.version + 1, case.opened_ns, {}, {**acting, **fields})
    case._version += 1
    case._pending_events.append(event)


def test_items_are_numbered_by_the_case_from_one() -> None:
    desk = Desk.open()
    assert [_item(desk), _item(desk, sensitive=True), _item(desk)] == [1, 2, 3]
    items = desk.case.unused_items
    assert [(n, i.sensitive, i.decision) for n, i in items.items()] == [
        (1, False, None),
        (2, True, None),
        (3, False, None),
    ]
    record = desk.case.pending_events[-1]
    assert isinstance(record, UnusedItemRecorded)
    assert (record.item, record.originator_version, items[3].seq) == (3, 4, 4)


def test_a_sensitive_item_without_its_reason_is_refused() -> None:
    desk = Desk.open()
    with pytest.raises(InvalidCommandError, match="sensitivity_reason: required when sensitive"):
        _item(desk, sensitive=True, sensitivity_reason="")
    assert desk.case.unused_items == {}


def test_a_sensitivity_reason_for_an_item_that_is_not_sensitive_is_refused() -> None:
    desk = Desk.open()
    with pytest.raises(InvalidCommandError, match="sensitivity_reason: given only when"):
        _item(desk, sensitivity_reason="a source")


def test_an_item_that_may_undermine_the_prosecution_without_an_assessment_is_refused() -> None:
    desk = Desk.open()
    with pytest.raises(InvalidCommandError, match="assessment: required when"):
        _item(desk, undermines_or_assists=True)
    assert _item(desk, undermines_or_assists=True, assessment="shows a second man") == 1


def test_an_mg6c_schedule_listing_a_sensitive_item_is_impossible() -> None:
    desk = Desk.open()
    _item(desk)
    _item(desk, sensitive=True)
    _item(desk)
    desk.case.schedule_unused(schedule="mg6c")
    desk.case.schedule_unused(schedule="mg6d")
    assert desk.case.schedules["mg6c"].items == (1, 3)
    assert desk.case.schedules["mg6d"].items == (2,)
    desk.seal()
    # Even an authentic record that lists the sensitive item on the MG6C is refused on load.
    _forged(desk, UnusedScheduled, {"schedule": "mg6c", "revision": 2, "items": (1, 2, 3)})
    desk.seal()
    with pytest.raises(MalformedRecordError, match="lists the wrong items"):
        desk.load()


def test_a_schedule_revision_skipping_a_number_is_refused() -> None:
    desk = Desk.open()
    _item(desk)
    assert desk.case.schedules == {}
    first = desk.case.schedule_unused(schedule="mg6c")
    second = desk.case.schedule_unused(schedule="mg6c")
    latest = desk.case.schedules["mg6c"]
    assert (latest.revision, latest.seq, first) == (2, second, second - 1)
    desk.seal()
    _forged(desk, UnusedScheduled, {"schedule": "mg6c", "revision": 4, "items": (1,)})
    desk.seal()
    with pytest.raises(MalformedRecordError, match="revision 4 is not 3"):
        desk.load()


def test_a_nil_mg6d_can_be_certified() -> None:
    desk = Desk.open()
    _item(desk)
    seq = desk.case.schedule_unused(schedule="mg6d")
    record = desk.case.pending_events[-1]
    assert isinstance(record, UnusedScheduled)
    assert (record.schedule, record.revision, record.items) == ("mg6d", 1, ())
    assert desk.case.schedules["mg6d"].items == ()
    desk.seal()
    assert desk.load().schedules == desk.case.schedules
    assert desk.verify().size == seq
    with pytest.raises(InvalidCommandError, match="schedule: 'mg6e' is not one of"):
        desk.case.schedule_unused(schedule="mg6e")


def test_a_nil_mg6c_can_be_certified_with_no_unused_material_at_all() -> None:
    desk = Desk.open()
    desk.case.schedule_unused(schedule="mg6c")
    desk.case.schedule_unused(schedule="mg6d")
    assert {k: (s.revision, s.items) for k, s in desk.case.schedules.items()} == {
        "mg6c": (1, ()),
        "mg6d": (1, ()),
    }
    desk.seal()
    assert desk.load().schedules == desk.case.schedules
    desk.verify()


def test_a_nil_schedule_is_revised_to_list_a_later_item() -> None:
    desk = Desk.open()
    desk.case.schedule_unused(schedule="mg6d")
    _item(desk, sensitive=True)
    desk.case.schedule_unused(schedule="mg6d")
    latest = desk.case.schedules["mg6d"]
    assert (latest.revision, latest.items) == (2, (1,))
    desk.seal()
    assert desk.load().schedules == desk.case.schedules


def test_a_nil_mg6d_forged_over_a_sensitive_item_is_refused_on_load() -> None:
    desk = Desk.open()
    _item(desk, sensitive=True)
    desk.seal()
    # An authentic record that certifies nil while a sensitive item stands hides it.
    _forged(desk, UnusedScheduled, {"schedule": "mg6d", "revision": 1, "items": ()})
    desk.seal()
    with pytest.raises(MalformedRecordError, match="lists the wrong items"):
        desk.load()


def test_a_corrected_sensitivity_moves_the_item_to_the_other_schedule() -> None:
    desk = Desk.open()
    _item(desk)
    _item(desk)
    desk.case.schedule_unused(schedule="mg6c")
    desk.case.correct(
        seq=2, reason="it names a source", fields={"sensitive": True, "sensitivity_reason": "a"}
    )
    desk.case.schedule_unused(schedule="mg6c")
    desk.case.schedule_unused(schedule="mg6d")
    assert desk.case.schedules["mg6c"].items == (2,)
    assert desk.case.schedules["mg6d"].items == (1,)
    desk.seal()
    assert desk.load().schedules == desk.case.schedules


def test_a_correction_making_an_item_sensitive_without_a_reason_is_refused() -> None:
    desk = Desk.open()
    _item(desk)
    with pytest.raises(InvalidCommandError, match=r"fields\.sensitivity_reason: required while"):
        desk.case.correct(seq=2, reason="sensitive after all", fields={"sensitive": True})
    _item(desk, sensitive=True)
    with pytest.raises(InvalidCommandError, match=r"fields\.sensitivity_reason: required while"):
        desk.case.correct(seq=3, reason="wording", fields={"sensitivity_reason": ""})


def test_an_item_number_is_never_corrected() -> None:
    desk = Desk.open()
    _item(desk)
    with pytest.raises(InvalidCommandError, match=r"fields\.item: not a correctable field"):
        desk.case.correct(seq=2, reason="renumber", fields={"item": 7})


def test_a_later_unused_decision_replaces_the_earlier_one() -> None:
    desk = Desk.open()
    _item(desk)
    first = desk.as_prosecutor(lambda c: c.decide_unused(item=1, decision="inspect"))
    second = desk.as_prosecutor(
        lambda c: c.decide_unused(item=1, decision="disclose", reason="it assists the defence")
    )
    item = desk.case.unused_items[1]
    assert (item.decision, item.decision_seq, first) == ("disclose", second, second - 1)
    loaded = desk.load()
    assert loaded.unused_items == desk.case.unused_items
    assert loaded.record_type(second) is UnusedDecided
    desk.verify()


def test_unused_decision_signed_by_a_recorder_only_key_is_refused() -> None:
    desk = Desk.open()
    _item(desk)
    desk.case.decide_unused(item=1, decision="clearly_not_disclosable")
    with pytest.raises(UnauthorisedSignerError, match=r"lacks a role for 'unused\.decided'"):
        desk.seal()
    assert desk.stored[-1].originator_version == 1  # nothing more was stored


def test_unused_decision_signed_without_the_prosecutor_role_fails_v8_for_a_verifier() -> None:
    desk = Desk.open()
    _item(desk)
    decided = desk.as_prosecutor(lambda c: c.decide_unused(item=1, decision="disclose"))
    records = [s.state for s in desk.stored]
    # A reader whose trust store gives the prosecutor's key no more than `recorder`.
    report = report_case(records, trust=trust_with("recorder"), at=T0 + 10**15)
    assert [(e.step, e.seq, type(e)) for e in report.errors] == [("V8", decided, KeyRoleError)]
    assert desk.verify().size == decided


def test_an_unused_decision_is_never_corrected_only_replaced() -> None:
    desk = Desk.open()
    _item(desk)
    decided = desk.as_prosecutor(
        lambda c: c.decide_unused(item=1, decision="inspect", reason="x" * 5000)
    )
    for name, value in (("reason", "better words"), ("decision", "disclose"), ("item", 2)):
        with pytest.raises(InvalidCommandError, match="not a correctable field"):
            desk.case.correct(seq=decided, reason="r", fields={name: value})
    desk.verify()


def test_a_decision_on_an_item_never_recorded_is_refused() -> None:
    desk = Desk.open()
    _item(desk)
    with pytest.raises(UnknownReferenceError, match="no unused item 2") as refused:
        desk.case.decide_unused(item=2, decision="disclose", by=PROSECUTOR)
    assert refused.value.field == "item"
    with pytest.raises(InvalidCommandError, match="decision: 'maybe' is not one of"):
        desk.case.decide_unused(item=1, decision="maybe", by=PROSECUTOR)


def test_no_unused_material_is_recorded_on_a_closed_case() -> None:
    desk = Desk.open()
    _item(desk)
    desk.case.change_status(status="closed", reason="filed")
    with pytest.raises(CaseClosedError):
        _item(desk)
    with pytest.raises(CaseClosedError):
        desk.case.schedule_unused(schedule="mg6c")
    with pytest.raises(CaseClosedError):
        desk.case.decide_unused(item=1, decision="disclose", by=PROSECUTOR)
