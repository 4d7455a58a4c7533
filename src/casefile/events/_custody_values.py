"""Vocabularies and checks of exhibit custody: who holds an exhibit, how it is named, outcomes.

A custodian is named by plain fields (name, rank, collar or staff number,
organisation, role): officers and staff act in an official capacity, so these
are not the personal data of members of the public, which custody records
commit instead (the person an item was seized from, say).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from casefile.errors import InvalidCommandError
from casefile.events._values import check_text
from casefile.signing._trust import Holder

__all__ = [
    "CUSTODY_REFERENCE",
    "Custodian",
    "ExhibitStatus",
    "FixityResult",
    "RetentionDecision",
    "check_custodian",
    "check_custody_reference",
]

#: An exhibit reference as custody records use it: ``JS/1``, or a derived ``JS/1/A``.
CUSTODY_REFERENCE: Final = re.compile(r"[A-Z]{1,5}/[1-9][0-9]{0,5}(?:/[A-Z0-9]{1,8}){0,4}")

_CUSTODIAN_KEYS: Final = ("name", "number", "organisation", "rank", "role")


class ExhibitStatus(StrEnum):
    """Where an exhibit's life stands. Returned and destroyed are final."""

    ACTIVE = "active"
    LOST = "lost"
    RETURNED = "returned"
    DESTROYED = "destroyed"


class RetentionDecision(StrEnum):
    """The outcome of a retention review."""

    RETAIN = "retain"
    RETURN = "return"
    DESTROY = "destroy"


class FixityResult(StrEnum):
    """Whether a re-computed SHA-256 equals the one on record."""

    MATCH = "match"
    MISMATCH = "mismatch"


@dataclass(frozen=True, slots=True)
class Custodian:
    """A person who holds or handles an exhibit in an official capacity.

    ``name``, ``number`` (collar or staff number) and ``organisation`` identify
    the person: two custodians are the same person when these three are equal,
    whatever ``rank`` (which may change) and ``role`` (what they did: seizing
    officer, exhibits officer, examiner) say. ``rank`` is empty for staff.
    """

    name: str
    number: str
    organisation: str
    rank: str = ""
    role: str = ""

    def __post_init__(self) -> None:
        check_text(self.name, "name")
        check_text(self.number, "number", max_length=64)
        check_text(self.organisation, "organisation")
        check_text(self.rank, "rank", max_length=64, allow_empty=True)
        check_text(self.role, "role", allow_empty=True)

    @property
    def identity(self) -> tuple[str, str, str]:
        """What makes two custodians the same person: (name, number, organisation)."""
        return (self.name, self.number, self.organisation)

    def same_person(self, other: Custodian | None) -> bool:
        """True if ``other`` names the same person (see :attr:`identity`)."""
        return other is not None and other.identity == self.identity

    def describe(self) -> str:
        """How a statement names the custodian: ``PC 1234 Jane Smith (Metropolitan Police)``."""
        who = " ".join(part for part in (self.rank, self.number, self.name) if part)
        return f"{who} ({self.organisation})"

    @classmethod
    def from_holder(cls, holder: Holder, role: str = "") -> Custodian:
        """The holder of a trust entry as a person: a force is the organisation."""
        return cls(holder.name, holder.number, holder.force, holder.rank, role)

    def to_data(self) -> dict[str, str]:
        """The record form: a map of the five fields, in canonical key order."""
        return {
            "name": self.name,
            "number": self.number,
            "organisation": self.organisation,
            "rank": self.rank,
            "role": self.role,
        }

    @classmethod
    def from_data(cls, data: Any) -> Custodian:
        """The custodian of a record's map; raises :class:`InvalidCommandError` if malformed."""
        if type(data) is not dict or tuple(sorted(data)) != _CUSTODIAN_KEYS:
            raise InvalidCommandError(
                "custodian", f"expected a map of {', '.join(_CUSTODIAN_KEYS)}"
            )
        return cls(
            name=data["name"],
            number=data["number"],
            organisation=data["organisation"],
            rank=data["rank"],
            role=data["role"],
        )


def check_custodian(value: object, field: str) -> Custodian:
    """``value`` if it is a :class:`Custodian`."""
    if not isinstance(value, Custodian):
        raise InvalidCommandError(field, f"expected a Custodian, not {type(value).__name__}")
    return value


def check_custody_reference(value: object, field: str = "exhibit") -> str:
    """``value`` if it is an exhibit reference such as ``JS/1`` or, derived, ``JS/1/A``."""
    if type(value) is not str or CUSTODY_REFERENCE.fullmatch(value) is None:
        raise InvalidCommandError(
            field,
            f"{value!r} is not an exhibit reference (initials, '/', a number, then optional "
            "'/'-separated parts for derived items: e.g. JS/1 or JS/1/A)",
        )
    return value
