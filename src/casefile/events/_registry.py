"""The registry of event types: the only way a stored record maps to a class.

Records name their event by a registered type name and schema version
(``case.opened``, 1), never by a Python import path, so loading a case can
never be steered into importing code. Adding an event type is local: define
a :class:`~casefile.events.CaseEvent` subclass, decorate it with
:func:`register`, and give the aggregate a command that records it.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Iterator, Mapping
from typing import Final, TypeVar

from casefile.events._base import CaseEvent

__all__ = ["EVENT_TYPES", "EventRegistry", "register"]

# FORMAT.md §3: 1-64 characters of [a-z0-9_.], starting with a letter.
_TYPE_NAME: Final = re.compile(r"[a-z][a-z0-9_.]{0,63}")
_BASE_FIELDS: Final = frozenset(
    {"originator_id", "originator_version", "timestamp", "time_ns", "personal", "originator_topic"}
)

_E = TypeVar("_E", bound=type[CaseEvent])


class EventRegistry:
    """Event classes by (type name, schema version)."""

    def __init__(self) -> None:
        self._classes: dict[tuple[str, int], type[CaseEvent]] = {}

    def register(self, cls: _E) -> _E:
        """Register ``cls`` under its ``TYPE`` and ``SCHEMA``; usable as a decorator.

        Raises ``TypeError`` for a class that cannot be registered (a
        programming error, found when the module is imported).
        """
        if not (isinstance(cls, type) and issubclass(cls, CaseEvent)):
            raise TypeError(f"{cls!r} is not a CaseEvent subclass")
        name, schema = cls.__dict__.get("TYPE", ""), cls.SCHEMA
        if type(name) is not str or _TYPE_NAME.fullmatch(name) is None:
            raise TypeError(f"{cls.__qualname__}.TYPE {name!r} is not a record type name")
        if type(schema) is not int or schema < 1:
            raise TypeError(f"{cls.__qualname__}.SCHEMA must be an integer from 1")
        key = (name, schema)
        if key in self._classes:
            raise TypeError(f"{name} schema {schema} is already registered")
        # Sorted, so payloads are built in canonical key order and encode without a copy.
        names = {f.name for f in dataclasses.fields(cls)} - _BASE_FIELDS
        lacking = sorted((cls.TEXT_FIELDS | cls.NOT_DATA) - names)
        if lacking:
            raise TypeError(f"{cls.__qualname__} names text or other fields it lacks: {lacking}")
        if cls.TEXT_FIELDS & cls.PERSONAL_FIELDS:
            raise TypeError(f"{cls.__qualname__}: a field is either text or a personal value")
        # Texts are committed in pd (FORMAT.md §4.1), never written in data.
        data_fields = tuple(sorted(names - cls.TEXT_FIELDS - cls.NOT_DATA))
        for group in ("UUID_FIELDS", "LIST_FIELDS", "KEY_FIELDS"):
            unknown = set(getattr(cls, group)) - set(data_fields)
            if unknown:
                raise TypeError(f"{cls.__qualname__}.{group} names non-fields {sorted(unknown)}")
        checked = set(cls.CORRECTION_CHECKS) - set(data_fields) - cls.TEXT_FIELDS
        if checked:
            raise TypeError(
                f"{cls.__qualname__}.CORRECTION_CHECKS names non-fields {sorted(checked)}"
            )
        cls.DATA_FIELDS = data_fields
        cls._DATA_KEYS = frozenset(data_fields)
        self._classes[key] = cls
        return cls

    def get(self, name: str, schema: int) -> type[CaseEvent] | None:
        """The class registered as ``name`` version ``schema``, or None."""
        return self._classes.get((name, schema))

    def known_types(self) -> Mapping[str, frozenset[int]]:
        """Registered schema versions by type name, as the verifier's ``known_types``."""
        out: dict[str, set[int]] = {}
        for name, schema in self._classes:
            out.setdefault(name, set()).add(schema)
        return types.MappingProxyType({k: frozenset(v) for k, v in sorted(out.items())})

    def __iter__(self) -> Iterator[type[CaseEvent]]:
        return iter(self._classes.values())

    def __len__(self) -> int:
        return len(self._classes)

    def __contains__(self, key: object) -> bool:
        return key in self._classes


#: The registry of casefile's own event types.
EVENT_TYPES: Final = EventRegistry()

#: Register an event class in :data:`EVENT_TYPES` (a class decorator).
register: Final = EVENT_TYPES.register
