"""Events of an exhibit's chain of custody: found, seized or handed in, sealed, moved, ended.

Personal data of members of the public (whom an item was seized from or
returned to, who handed it in) are personal fields: committed, never in clear.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar, Final

from casefile.events._custody_event_base import (
    CorrectionCheck,
    CustodyEvent,
    check_long,
    check_maybe_empty,
    check_optional_media,
    check_short,
    correctable,
)
from casefile.events._custody_values import Custodian, ExhibitStatus
from casefile.events._registry import register

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "ExhibitBooked",
    "ExhibitDamaged",
    "ExhibitDestroyed",
    "ExhibitLocated",
    "ExhibitLost",
    "ExhibitPackaged",
    "ExhibitProduced",
    "ExhibitProducedInCourt",
    "ExhibitResealed",
    "ExhibitReturned",
    "ExhibitSeized",
    "ExhibitTransferred",
    "SealOpened",
]


class _Origin(CustodyEvent):
    """An event that may bring an exhibit into the case: found, seized or handed in."""

    TEXT_FIELDS: ClassVar[frozenset[str]] = CustodyEvent.TEXT_FIELDS | {"description"}

    description: str
    sha256: bytes | None
    media_type: str | None

    def _arrive(self, aggregate: Investigation, custodian: Custodian | None) -> None:
        earlier = aggregate._custody_state(self.exhibit)
        if earlier is None:
            self._new(
                aggregate,
                self.exhibit,
                root=self.exhibit,
                original=True,
                source=None,
                sha256=self.sha256,
                media_type=self.media_type,
                custodian=custodian,
            )
            return
        self._put(
            aggregate,
            earlier,
            custodian=custodian,
            status=ExhibitStatus.ACTIVE.value,
            in_store=False,
            sha256=earlier.sha256 if earlier.sha256 is not None else self.sha256,
            media_type=earlier.media_type or self.media_type,
            **self._moved(),
        )


_ORIGIN_CHECKS: Final[dict[str, CorrectionCheck]] = {
    "description": check_long,
    "media_type": check_optional_media,
}


@register
@correctable(**_ORIGIN_CHECKS)
class ExhibitLocated(_Origin):
    """An item found in place, not yet held by anyone (or a lost exhibit found again)."""

    TYPE = "exhibit.located"

    def apply(self, aggregate: Investigation) -> None:
        self._arrive(aggregate, None)


@register
@correctable(**_ORIGIN_CHECKS, power=check_short, authority=check_maybe_empty)
class ExhibitSeized(_Origin):
    """An item seized by ``by`` under ``power`` (and ``authority``: a warrant, say).

    ``seized_from`` is the person of the case it was seized from, if any: a
    member of the public is a person of the case, whose details are committed
    in their own record, never copied into custody records.
    """

    TYPE = "exhibit.seized"
    UUID_FIELDS = ("seized_from",)

    power: str
    authority: str
    seized_from: uuid.UUID | None

    def apply(self, aggregate: Investigation) -> None:
        self._arrive(aggregate, self.actor)


@register
@correctable(**_ORIGIN_CHECKS)
class ExhibitProduced(_Origin):
    """An item handed to ``by`` by ``produced_by``, a person of the case (of the public)."""

    TYPE = "exhibit.produced"
    UUID_FIELDS = ("produced_by",)

    produced_by: uuid.UUID | None

    def apply(self, aggregate: Investigation) -> None:
        self._arrive(aggregate, self.actor)


@register
@correctable()
class ExhibitPackaged(CustodyEvent):
    """The exhibit packaged in ``bag`` and sealed with ``seal``."""

    TYPE = "exhibit.packaged"

    bag: str
    seal: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._seals[self.seal] = self.originator_version
        state = self._state(aggregate)
        self._put(aggregate, state, bag=self.bag, seal=self.seal, sealed=True, **self._moved())


@register
@correctable(property_ref=check_short)
class ExhibitBooked(CustodyEvent):
    """The exhibit booked into a property store: ``to`` receives it under ``property_ref``."""

    TYPE = "exhibit.booked"

    to: dict[str, str]
    property_ref: str

    def apply(self, aggregate: Investigation) -> None:
        state = self._state(aggregate)
        self._put(
            aggregate,
            state,
            custodian=Custodian.from_data(self.to),
            in_store=True,
            property_ref=self.property_ref,
            **self._moved(),
        )
        aggregate._receipts[self.originator_version] = Custodian.from_data(self.to).identity


@register
@correctable(purpose=check_short, submission_ref=check_maybe_empty)
class ExhibitTransferred(CustodyEvent):
    """The exhibit handed from ``by`` (its custodian) to ``to`` for ``purpose``.

    With ``seal_checked`` the record quotes the ``seal`` seen and whether it
    was intact; a broken seal leaves the exhibit unsealed on record.
    ``submission_ref`` is a laboratory's submission reference, if any.
    """

    TYPE = "exhibit.transferred"

    to: dict[str, str]
    purpose: str
    seal_checked: bool
    seal: str | None
    seal_intact: bool | None
    submission_ref: str

    def apply(self, aggregate: Investigation) -> None:
        state = self._state(aggregate)
        self._put(
            aggregate,
            state,
            custodian=Custodian.from_data(self.to),
            in_store=False,
            sealed=state.sealed and self.seal_intact is not False,
            **self._moved(),
        )
        aggregate._receipts[self.originator_version] = Custodian.from_data(self.to).identity


@register
@correctable(reason=check_long)
class SealOpened(CustodyEvent):
    """The exhibit's seal (quoted as ``seal``) opened, for ``reason``."""

    TYPE = "exhibit.seal_opened"
    TEXT_FIELDS: ClassVar[frozenset[str]] = CustodyEvent.TEXT_FIELDS | {"reason"}

    seal: str
    reason: str

    def apply(self, aggregate: Investigation) -> None:
        self._put(aggregate, self._state(aggregate), sealed=False, **self._moved())


@register
@correctable()
class ExhibitResealed(CustodyEvent):
    """An opened exhibit sealed again: ``old_seal`` (the one opened) replaced by ``new_seal``."""

    TYPE = "exhibit.resealed"

    old_seal: str
    new_seal: str
    bag: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._seals[self.new_seal] = self.originator_version
        state = self._state(aggregate)
        self._put(aggregate, state, bag=self.bag, seal=self.new_seal, sealed=True, **self._moved())


@register
@correctable(court=check_short, hearing=check_maybe_empty)
class ExhibitProducedInCourt(CustodyEvent):
    """The exhibit produced in ``court`` by its custodian, at ``hearing``."""

    TYPE = "exhibit.produced_in_court"

    court: str
    hearing: str

    def apply(self, aggregate: Investigation) -> None:
        self._put(aggregate, self._state(aggregate), **self._moved())


@register
@correctable()
class ExhibitReturned(CustodyEvent):
    """The exhibit returned to ``returned_to`` (its owner, a person of the case); final."""

    TYPE = "exhibit.returned"
    UUID_FIELDS = ("returned_to",)

    returned_to: uuid.UUID | None

    def apply(self, aggregate: Investigation) -> None:
        state = self._state(aggregate)
        self._put(
            aggregate,
            state,
            status=ExhibitStatus.RETURNED.value,
            custodian=None,
            in_store=False,
            **self._moved(),
        )


@register
@correctable(method=check_short, authority=check_short)
class ExhibitDestroyed(CustodyEvent):
    """The exhibit destroyed by ``method`` under ``authority``, seen by ``witness``; final."""

    TYPE = "exhibit.destroyed"

    method: str
    authority: str
    witness: dict[str, str]

    def apply(self, aggregate: Investigation) -> None:
        state = self._state(aggregate)
        self._put(
            aggregate,
            state,
            status=ExhibitStatus.DESTROYED.value,
            custodian=None,
            in_store=False,
            **self._moved(),
        )


@register
@correctable(circumstances=check_long)
class ExhibitLost(CustodyEvent):
    """The exhibit reported lost; only finding it (``exhibit.located``) brings it back."""

    TYPE = "exhibit.lost"
    TEXT_FIELDS: ClassVar[frozenset[str]] = CustodyEvent.TEXT_FIELDS | {"circumstances"}

    circumstances: str

    def apply(self, aggregate: Investigation) -> None:
        state = self._state(aggregate)
        self._put(aggregate, state, status=ExhibitStatus.LOST.value, custodian=None, in_store=False)


@register
@correctable(damage=check_long)
class ExhibitDamaged(CustodyEvent):
    """Damage to the exhibit reported, described in ``damage``."""

    TYPE = "exhibit.damaged"
    TEXT_FIELDS: ClassVar[frozenset[str]] = CustodyEvent.TEXT_FIELDS | {"damage"}

    damage: str

    def apply(self, aggregate: Investigation) -> None:
        self._put(aggregate, self._state(aggregate), damaged=True)
