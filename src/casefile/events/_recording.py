"""The machinery every investigation command shares: time, ids, checks, and recording.

A command checks its arguments and the case's rules, then calls
:meth:`RecordingBase._record`, which builds the event, applies it and queues it
for sealing. Command groups (case log, people, evidence, and any added later,
such as exhibit custody) are mixins over this base, so a new event type needs
only its class, its registration and its command.
"""

from __future__ import annotations

import datetime
import os
import time
import types
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from eventsourcing.domain import OriginatorIDError, OriginatorVersionError

from casefile.errors import CaseClosedError, InvalidCommandError, UnknownReferenceError
from casefile.events._base import CaseEvent, datetime_of_ns
from casefile.events._custody_values import Custodian, check_custodian
from casefile.events._state import CaseState
from casefile.events._values import CaseStatus, Instant, check_time, check_uuid

__all__ = [
    "DEFAULT_CONTEXT",
    "NO_PERSONAL",
    "CommandContext",
    "RecordingBase",
    "committed_names",
]

#: The ``personal`` of an event that carries no personal fields.
NO_PERSONAL: Final[Mapping[str, Any]] = types.MappingProxyType({})


def committed_names(event: CaseEvent) -> frozenset[str]:
    """The ``pd`` names of ``event``'s record: its personal values and its texts.

    An empty optional text is not committed; a new correction's corrected
    texts (``texts``) are, even when empty; a loaded correction holds its
    corrected texts' names in ``personal``.
    """
    state = event.__dict__
    names = {name for name in event.TEXT_FIELDS if state.get(name) not in (None, "")}
    names.update(state.get("texts") or ())
    return frozenset(event.personal).union(names)


@dataclass(frozen=True, slots=True)
class CommandContext:
    """Where commands get the time (``clock``: ns since the epoch) and randomness (ids)."""

    clock: Callable[[], int] = time.time_ns
    random_bytes: Callable[[int], bytes] = os.urandom

    def new_id(self) -> uuid.UUID:
        """A random (version 4) UUID from :attr:`random_bytes`."""
        return uuid.UUID(bytes=self.random_bytes(16), version=4)


#: The system clock and the operating system's randomness.
DEFAULT_CONTEXT: Final = CommandContext()


class RecordingBase(CaseState):
    """Records checked events on an aggregate (mixed into :class:`Investigation`)."""

    _pending_events: list[Any]
    _context: CommandContext
    #: The holder of the key that will sign what is recorded (see :meth:`bind_actor`).
    _actor: Custodian | None = None

    def _evolve(self, event: CaseEvent) -> None:
        if event.originator_id != self._id:
            raise OriginatorIDError(event.originator_id, self._id)
        if event.originator_version != self._version + 1:
            raise OriginatorVersionError(event.originator_version, self._version + 1)
        event.apply(self)
        if event.ORDERED_FIELDS:
            state = event.__dict__
            self._spans[event.originator_version] = {
                name: state[name] for pair in event.ORDERED_FIELDS for name in pair
            }
        committed = committed_names(event)
        if committed:
            self._committed[event.originator_version] = committed
        recorded_by = getattr(event, "recorded_by", None)
        if recorded_by is not None:
            # Made on someone's behalf: awaits their confirmation (record.confirmed).
            by = Custodian.from_data(event.__dict__["by"])
            self._on_behalf[event.originator_version] = by.identity
        self._version = event.originator_version
        self._modified_ns = event.time_ns
        self._classes.append(type(event))

    def _record(
        self,
        cls: type[CaseEvent],
        at: Instant | None,
        fields: Mapping[str, Any],
        personal: Mapping[str, Any] = NO_PERSONAL,
    ) -> int:
        """Append an event of ``cls`` from checked ``fields``; return its sequence number."""
        version = self._version + 1
        when = check_time(self._context.clock() if at is None else at, "at")
        event = cls.new(self._id, version, when, personal, fields)
        self._evolve(event)
        self._pending_events.append(event)
        return version

    def _acting(self, by: object, field: str = "by") -> tuple[Custodian, dict[str, Any]]:
        """Who acted, and the ``by`` and ``recorded_by`` payload fields that say so.

        Without ``by`` the actor is the bound signer (:meth:`bind_actor`). A
        ``by`` naming someone else than the bound signer records the act on
        their behalf: ``recorded_by`` is then the signer, and the act awaits
        its actor's confirmation (:meth:`confirm`). Unbound, ``by`` is taken
        as the signer, which sealing checks against the signing key.
        """
        bound = self._actor
        if by is None:
            if bound is None:
                raise InvalidCommandError(
                    field,
                    "say who acted: record in an application session (the signer acts) "
                    "or bind the signer with bind_actor",
                )
            return bound, {"by": bound.to_data(), "recorded_by": None}
        who = check_custodian(by, field)
        keyed = None if bound is None or bound.same_person(who) else bound.to_data()
        return who, {"by": who.to_data(), "recorded_by": keyed}

    def _require_open(self) -> None:
        if self._status == CaseStatus.CLOSED:
            raise CaseClosedError(
                f"case {self._id} is closed: nothing may be recorded but a reopening"
            )

    def _require_case_only(self, what: str) -> None:
        """Refuse, in a capture stream, what only the case records (docs/FORMAT.md §12.1).

        Unused material and the case summary are numbered by the case (items,
        revisions, versions) and read across the story; a capture's own numbers
        would stand in the case's schedules and summary (docs/DECISIONS.md D69).
        """
        self._require_open()
        if self._capture_of is not None:
            raise InvalidCommandError(
                "capture", f"{what} is recorded in the case, never in a capture"
            )

    def _require_person(self, person_id: object, field: str) -> uuid.UUID:
        checked = check_uuid(person_id, field)
        if checked not in self._people:
            raise UnknownReferenceError(f"no person {checked} in case {self._id}", field=field)
        return checked

    def _person_or_none(self, person_id: object, field: str) -> uuid.UUID | None:
        """None, or ``person_id`` if it names a person of the case."""
        return None if person_id is None else self._require_person(person_id, field)

    @property
    def modified_on(self) -> datetime.datetime:
        """When the last event happened, as asserted by its record (UTC)."""
        return datetime_of_ns(self._modified_ns)

    @modified_on.setter
    def modified_on(self, value: datetime.datetime) -> None:
        delta = value - datetime_of_ns(0)
        self._modified_ns = (
            delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + delta.microseconds
        ) * 1000

    def bind_context(self, context: CommandContext) -> None:
        """Use ``context`` for the time and ids of later commands."""
        self._context = context

    def bind_actor(self, actor: Custodian | None) -> None:
        """Record later commands as acts of ``actor``, the holder of the signing key.

        :meth:`CasefileApp.session <casefile.application.CasefileApp.session>`
        binds the signer's trust-store holder. Commands then default ``by``
        to ``actor``; a command given another ``by`` records that person's act
        on ``actor``'s behalf (``recorded_by``), which the person confirms
        later with their own key. ``None`` unbinds.
        """
        self._actor = None if actor is None else check_custodian(actor, "actor")

    @property
    def actor(self) -> Custodian | None:
        """The bound signer's holder, or None (see :meth:`bind_actor`)."""
        return self._actor

    def mark_sealed(self, version: int, head: bytes, commitments: Iterable[bytes] = ()) -> None:
        """Record that events up to ``version`` are stored, the last with hash ``head``.

        ``commitments`` are those of the records stored since the last mark.
        """
        self._sealed_version = version
        self._head = head
        self._commitments.update(commitments)
