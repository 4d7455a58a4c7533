"""The event type registry: names and schema versions, never import paths."""

from __future__ import annotations

import re
import uuid
from typing import ClassVar

import pytest

from casefile.events import EVENT_TYPES, CaseEvent, EventRegistry, NoteAdded, StatusChanged

TYPE_NAME = re.compile(r"[a-z][a-z0-9_.]{0,63}")


def test_every_registered_type_has_a_record_type_name_and_schema() -> None:
    names = [(cls.TYPE, cls.SCHEMA) for cls in EVENT_TYPES]
    assert len(names) == len(set(names)) == len(EVENT_TYPES) >= 11
    for cls in EVENT_TYPES:
        assert TYPE_NAME.fullmatch(cls.TYPE), cls
        assert ":" not in cls.TYPE
        assert cls.__module__ not in cls.TYPE
        assert EVENT_TYPES.get(cls.TYPE, cls.SCHEMA) is cls


def test_known_types_lists_schemas_by_name() -> None:
    known = EVENT_TYPES.known_types()
    assert known["case.opened"] == frozenset({1, 2})
    assert known["note.added"] == frozenset({1})
    assert set(known) == {cls.TYPE for cls in EVENT_TYPES}


def test_payload_fields_are_in_canonical_order() -> None:
    for cls in EVENT_TYPES:
        assert list(cls.DATA_FIELDS) == sorted(cls.DATA_FIELDS), cls
        assert "personal" not in cls.DATA_FIELDS
        assert "time_ns" not in cls.DATA_FIELDS


def test_unregistered_names_map_to_nothing() -> None:
    assert EVENT_TYPES.get("casefile.events._case_events:NoteAdded", 1) is None
    assert EVENT_TYPES.get("note.added", 2) is None


def test_a_new_event_type_is_a_small_local_change() -> None:
    registry = EventRegistry()

    @registry.register
    class ExhibitSealed(CaseEvent):
        TYPE = "exhibit.sealed"
        UUID_FIELDS = ("bag_id",)
        KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"exhibit"})

        exhibit: str
        seal_number: str
        bag_id: uuid.UUID

    bag = uuid.uuid4()
    event = ExhibitSealed.new(
        uuid.uuid4(), 2, 5, {}, {"exhibit": "JS/1", "seal_number": "S1", "bag_id": bag}
    )
    data = event.to_data()
    assert data == {"bag_id": bag.bytes, "exhibit": "JS/1", "seal_number": "S1"}
    assert ExhibitSealed.fields_from_data(data)["bag_id"] == bag
    assert registry.known_types() == {"exhibit.sealed": frozenset({1})}


def test_registering_a_name_twice_is_refused() -> None:
    registry = EventRegistry()
    registry.register(NoteAdded)
    with pytest.raises(TypeError, match="already registered"):
        registry.register(NoteAdded)


@pytest.mark.parametrize("name", ["", "Note.Added", "module:Class", "x" * 65, "1note"])
def test_a_type_name_outside_the_format_is_refused(name: str) -> None:
    registry = EventRegistry()

    class Bad(CaseEvent):
        TYPE = name
        text: str

    with pytest.raises(TypeError, match="record type name"):
        registry.register(Bad)


def test_field_groups_must_name_fields() -> None:
    registry = EventRegistry()

    class Bad(CaseEvent):
        TYPE = "bad.event"
        UUID_FIELDS = ("missing",)
        text: str

    with pytest.raises(TypeError, match="non-fields"):
        registry.register(Bad)


def test_payload_that_does_not_fit_the_schema_is_refused() -> None:
    with pytest.raises(KeyError, match="unexpected"):
        NoteAdded.fields_from_data({"extra": 1})
    # A text is committed, never data: a payload carrying one in clear is refused.
    with pytest.raises(KeyError, match="unexpected"):
        NoteAdded.fields_from_data({"text": "t"})
    with pytest.raises(KeyError, match="missing"):
        StatusChanged.fields_from_data({})
