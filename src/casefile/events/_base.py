"""The base class of every investigation event, and how its fields become record data.

An event class names its registered type and schema version (never a Python
import path), lists which of its fields are UUIDs or lists (the only values
that differ between the domain and the canonical profile), which fields are
keys that no correction may change, and which personal fields it may carry.
Personal fields travel beside the event in :attr:`CaseEvent.personal`: they
are committed in the record's ``pd`` map, never written in its ``data``.
Free text (what a person writes in words: a statement's body, a place, notes)
is never written in ``data`` either: the fields a class names in
:attr:`CaseEvent.TEXT_FIELDS` are attributes of the event, committed as
redactable text (FORMAT.md §4.1) under their own names in ``pd``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from eventsourcing.domain import Aggregate, TAggregate

from casefile.errors import InvalidCommandError
from casefile.events._values import check_text

if TYPE_CHECKING:
    from typing import Self

__all__ = ["WITHHELD", "CaseEvent", "datetime_of_ns"]

_UTC: Final = datetime.UTC
_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=_UTC)


class _Withheld:
    """The value of a personal or text field that a loaded event names but does not hold."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "WITHHELD"


#: Stands for a personal value or a text on loaded events: both are read as disclosures.
WITHHELD: Final = _Withheld()


def datetime_of_ns(time_ns: int) -> datetime.datetime:
    """The timezone-aware UTC datetime of integer nanoseconds (truncated to microseconds)."""
    return _EPOCH + datetime.timedelta(microseconds=time_ns // 1000)


class _TimestampOfNs:
    """eventsourcing's ``timestamp``, derived from ``time_ns`` only when someone reads it."""

    def __get__(self, event: Any, owner: type | None = None) -> Any:
        if event is None:
            return self
        return datetime_of_ns(event.time_ns)


class CaseEvent(Aggregate.Event):
    """An event of an investigation; one record of its case.

    ``time_ns`` is the time asserted by the recording device. ``personal``
    maps personal field names to their values when the event is new; on an
    event loaded from records the values are :data:`WITHHELD` (read them as
    disclosures). The text fields (:attr:`TEXT_FIELDS`) are attributes holding
    their text when the event is new and :data:`WITHHELD` when it is loaded
    (an empty optional text, which is not committed, loads as ``""``).
    Subclasses define ``apply`` and are registered with
    :func:`casefile.events.register`.
    """

    #: Registered type name, e.g. ``case.opened``.
    TYPE: ClassVar[str] = ""
    #: Schema version of this type's ``data``.
    SCHEMA: ClassVar[int] = 1
    #: Fields that are UUIDs here and 16-byte strings in records.
    UUID_FIELDS: ClassVar[tuple[str, ...]] = ()
    #: Fields that are tuples here and arrays in records.
    LIST_FIELDS: ClassVar[tuple[str, ...]] = ()
    #: Fields that identify something; a correction may not change them.
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset()
    #: Personal field names this event may commit.
    PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset()
    #: Free-text fields: attributes of the event, committed as redactable text, never data.
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset()
    #: Attributes that are neither data nor text fields (set aside by the registry).
    NOT_DATA: ClassVar[frozenset[str]] = frozenset()
    #: The payload fields a correction may change, each with the check of its new
    #: value (the check of the command that wrote it); other fields are never corrected.
    CORRECTION_CHECKS: ClassVar[Mapping[str, Callable[[Any, str], Any]]] = {}
    #: (start, end) pairs of payload fields (times or dates) whose end is never the
    #: earlier; an end may be None (open). The case keeps their values, so that a
    #: correction of either one is checked against the other as it stands.
    ORDERED_FIELDS: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: The payload fields in canonical (sorted) order; set when the class is registered.
    DATA_FIELDS: ClassVar[tuple[str, ...]] = ()

    time_ns: int
    personal: Mapping[str, Any]

    # Computed on demand: building a datetime per event would slow loads of long cases.
    timestamp = _TimestampOfNs()

    def mutate(self, aggregate: TAggregate | None) -> TAggregate | None:
        """Evolve ``aggregate`` by this event (eventsourcing's projector protocol)."""
        if aggregate is None:
            raise TypeError(f"a {self.TYPE} record cannot begin a case")
        aggregate._evolve(self)  # type: ignore[attr-defined]
        return aggregate

    @classmethod
    def apply_correction(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        """Reflect a correction of record ``seq`` (of this type) in the aggregate's state.

        ``fields`` are the corrected payload fields in record form. Most types
        keep nothing that a correction changes, hence the default does nothing.
        """

    @classmethod
    def check_correction(cls, fields: Mapping[str, Any]) -> None:
        """Refuse corrected payload fields (record form) this type would not accept.

        Raise :class:`~casefile.errors.InvalidCommandError`. By default a field
        is corrected only if :attr:`CORRECTION_CHECKS` names its check.
        """
        for name, value in fields.items():
            check = cls.CORRECTION_CHECKS.get(name)
            if check is None:
                raise InvalidCommandError(
                    f"fields.{name}", f"not a correctable field of {cls.TYPE}"
                )
            check(value, f"fields.{name}")

    @classmethod
    def check_personal_correction(cls, personal: Mapping[str, Any]) -> None:
        """Refuse corrected personal values this type would not accept (default: short text)."""
        for name, value in personal.items():
            check_text(value, f"personal.{name}")

    @classmethod
    def check_correction_of(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        """Refuse a correction of record ``seq`` that the case, as it stands, forbids.

        ``fields`` have passed :meth:`check_correction`; the default accepts them.
        """

    def text_values(self) -> dict[str, str]:
        """The texts to commit (FORMAT.md §4.1): each text field, by name.

        An empty optional text is left out: like an absent personal value, it
        is not committed at all. Only a new event holds its texts.
        """
        state = self.__dict__
        texts: dict[str, str] = {}
        for name in self.TEXT_FIELDS:
            value = state[name]
            if value is WITHHELD:
                raise ValueError(
                    f"{self.TYPE} record {self.originator_version} is loaded: "
                    "its texts are read as disclosures"
                )
            if value:
                texts[name] = value
        return texts

    @classmethod
    def loaded_texts(cls, committed: frozenset[str] | tuple[str, ...]) -> dict[str, Any]:
        """The text attributes of a loaded event whose record commits ``committed`` names."""
        return {name: WITHHELD if name in committed else "" for name in cls.TEXT_FIELDS}

    def to_data(self) -> dict[str, Any]:
        """The record payload: every data field, in canonical-profile form."""
        state = self.__dict__
        data = {name: state[name] for name in self.DATA_FIELDS}
        for name in self.UUID_FIELDS:
            value = data[name]
            if value is not None:
                data[name] = value.bytes
        for name in self.LIST_FIELDS:
            data[name] = list(data[name])
        return data

    @classmethod
    def fields_from_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """The event fields of an (authenticated) record payload.

        Raises ``KeyError``, ``TypeError`` or ``ValueError`` if the payload does
        not fit this schema; the loader turns them into a record error.
        """
        if data.keys() != cls._DATA_KEYS:
            missing = sorted(cls._DATA_KEYS - data.keys())
            extra = sorted(data.keys() - cls._DATA_KEYS)
            raise KeyError(f"payload fields missing {missing}, unexpected {extra}")
        fields = dict(data)
        for name in cls.UUID_FIELDS:
            value = fields[name]
            if value is not None:
                fields[name] = uuid.UUID(bytes=value)
        for name in cls.LIST_FIELDS:
            fields[name] = tuple(fields[name])
        return fields

    @classmethod
    def new(
        cls,
        case_id: uuid.UUID,
        seq: int,
        time_ns: int,
        personal: Mapping[str, Any],
        fields: Mapping[str, Any],
    ) -> Self:
        """Build an event from checked fields, without the dataclass constructor.

        Callers pass exactly the data fields: commands after checking their
        arguments, the loader after authenticating the record.
        """
        event = object.__new__(cls)
        state = dict(fields)
        state["originator_id"] = case_id
        state["originator_version"] = seq
        state["time_ns"] = time_ns
        state["personal"] = personal
        object.__setattr__(event, "__dict__", state)
        return event

    # Set on each registered subclass by the registry.
    _DATA_KEYS: ClassVar[frozenset[str]] = frozenset()
