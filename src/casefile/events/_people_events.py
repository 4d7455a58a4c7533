"""Events about the people of a case and their witness statements (MG11)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from casefile.errors import InvalidCommandError, StatementSignedError
from casefile.events._base import CaseEvent
from casefile.events._correction_checks import (
    CorrectionCheck,
    check_age,
    check_bool,
    check_exhibit_list,
    check_long,
    check_short,
    choice_of,
)
from casefile.events._custody_values import Custodian
from casefile.events._registry import register
from casefile.events._state import Person, Statement
from casefile.events._values import (
    MAX_SHORT_TEXT,
    PersonRole,
    check_date,
    check_text,
    check_time,
)
from casefile.verifier._redaction_codes import RESTRICTED_FIELDS

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "PERSON_DETAILS",
    "YES_NO_DETAILS",
    "PersonAdded",
    "StatementRecorded",
    "StatementSigned",
]

#: The personal details a person may have; each is committed, never written in clear.
#: All but the name are the MG11's restricted back page (:data:`RESTRICTED_FIELDS`),
#: never disclosed to the defence. Care needs and an interpreter are not details of a
#: person but of a witness care assessment (``witness_care.assessed``).
PERSON_DETAILS: Final = frozenset({"name", *RESTRICTED_FIELDS} - {"care_needs", "interpreter"})
#: The details that are yes or no; the others are text.
YES_NO_DETAILS: Final = frozenset({"willing_to_attend", "consent_to_share", "vps_offered"})
# The longest phone number and email address a person may be given (as add_person checks).
_DETAIL_LENGTHS: Final = {"phone": 64, "email": 320}


@register
class PersonAdded(CaseEvent):
    """A person joins the case in a role; their details are personal fields."""

    TYPE = "person.added"
    UUID_FIELDS = ("person_id",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"person_id"})
    PERSONAL_FIELDS: ClassVar[frozenset[str]] = PERSON_DETAILS
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {"role": choice_of(PersonRole)}

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
    def check_personal_correction(cls, personal: Mapping[str, Any]) -> None:
        for name, value in personal.items():
            field = f"personal.{name}"
            if name == "date_of_birth":
                check_date(value, field)
            elif name in YES_NO_DETAILS:
                check_bool(value, field)
            else:
                check_text(value, field, max_length=_DETAIL_LENGTHS.get(name, MAX_SHORT_TEXT))

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
    ORDERED_FIELDS = (("started_at", "ended_at"),)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"body", "place"})
    UUID_FIELDS = ("statement_id", "witness_id")
    LIST_FIELDS = ("exhibits",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"statement_id", "witness_id", "by", "recorded_by"}
    )
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "declaration": check_long,
        "over_18": check_bool,
        "age": check_age,
        "place": check_short,
        "started_at": check_time,
        "ended_at": check_time,
        "body": check_long,
        "exhibits": check_exhibit_list,
    }
    #: What the witness signed: once signed, only a further statement changes it.
    SIGNED_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"declaration", "over_18", "age", "body", "exhibits"}
    )

    statement_id: uuid.UUID
    witness_id: uuid.UUID
    declaration: str
    over_18: bool
    age: int | None
    by: dict[str, str]
    recorded_by: dict[str, str] | None
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
            taken_by=Custodian.from_data(self.by),
            declaration=self.declaration,
            started_at=self.started_at,
            ended_at=self.ended_at,
            exhibits=self.exhibits,
        )

    @classmethod
    def apply_correction(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        shown = ("declaration", "started_at", "ended_at", "exhibits")
        changes = {k: fields[k] for k in shown if k in fields}
        if "exhibits" in changes:
            changes["exhibits"] = tuple(changes["exhibits"])
        for statement_id, statement in list(aggregate._statements.items()):
            if statement.seq == seq and changes:
                aggregate._statements[statement_id] = dataclasses.replace(statement, **changes)

    @classmethod
    def check_correction(cls, fields: Mapping[str, Any]) -> None:
        super().check_correction(fields)
        # Together, as the command checks them; alone, each is checked by its own rule.
        if (
            "over_18" in fields
            and "age" in fields
            and fields["over_18"] == (fields["age"] is not None)
        ):
            raise InvalidCommandError(
                "fields.age", "an age is given exactly for a witness under 18"
            )

    @classmethod
    def check_correction_of(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        signed = sorted(fields.keys() & cls.SIGNED_FIELDS)
        if not signed:
            return
        for statement in aggregate.statements.values():
            if statement.seq == seq and statement.is_signed:
                raise StatementSignedError(
                    f"statement {statement.statement_id} was signed in record "
                    f"{statement.signed_seq}: what the witness signed ({', '.join(signed)}) is "
                    "never corrected; record a further statement"
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
    # Who signed, how, and the signature itself are the signing: never corrected.
    # A misspelt reader's name is (it is a personal field).
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {}

    statement_id: uuid.UUID
    signatory: str
    reader_declaration: str | None
    signature_sha256: bytes | None

    def apply(self, aggregate: Investigation) -> None:
        statement = aggregate._statements[self.statement_id]
        aggregate._statements[self.statement_id] = dataclasses.replace(
            statement, signed_seq=self.originator_version
        )
