"""Events about the people of a case and their witness statements (MG11)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from casefile.events._base import CaseEvent
from casefile.events._registry import register
from casefile.events._state import Person, Statement
from casefile.events._values import PersonRole, check_choice

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "PERSON_DETAILS",
    "PersonAdded",
    "StatementRecorded",
    "StatementSigned",
]

#: The personal details a person may have; each is committed, never written in clear.
PERSON_DETAILS: Final = frozenset({"name", "date_of_birth", "address", "phone", "email"})


@register
class PersonAdded(CaseEvent):
    """A person joins the case in a role; their details are personal fields."""

    TYPE = "person.added"
    UUID_FIELDS = ("person_id",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id"})
    PERSONAL_FIELDS: ClassVar[frozenset[str]] = PERSON_DETAILS

    person_id: uuid.UUID
    role: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._people[self.person_id] = Person(
            person_id=self.person_id,
            role=self.role,
            seq=self.originator_version,
            details=frozenset(self.personal),
        )

    @classmethod
    def check_correction(cls, fields: Mapping[str, Any]) -> None:
        if "role" in fields:
            check_choice(PersonRole, fields["role"], "fields.role")

    @classmethod
    def apply_correction(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        if "role" not in fields:
            return
        for person in aggregate._people.values():
            if person.seq == seq:
                aggregate._people[person.person_id] = dataclasses.replace(
                    person, role=fields["role"]
                )
                return


@register
class StatementRecorded(CaseEvent):
    """A witness statement (MG11), unsigned until a :class:`StatementSigned` follows.

    ``declaration`` is the declaration text exactly as the witness is asked to
    sign it; ``age`` is given when the witness is under 18.
    """

    TYPE = "statement.recorded"
    UUID_FIELDS = ("statement_id", "witness_id")
    LIST_FIELDS = ("exhibits",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"statement_id", "witness_id"})

    statement_id: uuid.UUID
    witness_id: uuid.UUID
    declaration: str
    over_18: bool
    age: int | None
    taken_by: str
    place: str
    started_at: int
    ended_at: int
    body: str
    exhibits: tuple[str, ...]

    def apply(self, aggregate: Investigation) -> None:
        aggregate._statements[self.statement_id] = Statement(
            statement_id=self.statement_id,
            witness_id=self.witness_id,
            seq=self.originator_version,
            signed_seq=None,
        )


@register
class StatementSigned(CaseEvent):
    """The witness (or a reader, for a witness who cannot read) signed a statement.

    ``signature_sha256`` is the digest of the captured signature image, if
    any; a reader's name is a personal field.
    """

    TYPE = "statement.signed"
    UUID_FIELDS = ("statement_id",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"statement_id"})
    PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"reader_name"})

    statement_id: uuid.UUID
    signatory: str
    reader_declaration: str | None
    signature_sha256: bytes | None

    def apply(self, aggregate: Investigation) -> None:
        statement = aggregate._statements[self.statement_id]
        aggregate._statements[self.statement_id] = dataclasses.replace(
            statement, signed_seq=self.originator_version
        )
