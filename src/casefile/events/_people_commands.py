"""Commands about people and their witness statements (MG11)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from casefile.errors import InvalidCommandError, StatementSignedError, UnknownReferenceError
from casefile.events._custody_values import Custodian
from casefile.events._people_events import PersonAdded, StatementRecorded, StatementSigned
from casefile.events._recording import RecordingBase
from casefile.events._values import (
    MAX_LONG_TEXT,
    Instant,
    PersonRole,
    Signatory,
    check_choice,
    check_date,
    check_exhibit_reference,
    check_not_before,
    check_optional_text,
    check_sha256,
    check_text,
    check_time,
    check_uuid,
)

__all__ = ["PeopleCommands"]


def _yes_no(value: object, field: str) -> bool | None:
    if value is not None and type(value) is not bool:
        raise InvalidCommandError(field, "expected True, False or None")
    return value


class PeopleCommands(RecordingBase):
    """Adding people, recording statements and their signing."""

    def add_person(
        self,
        *,
        role: PersonRole | str,
        name: str,
        date_of_birth: str | None = None,
        address: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        gender: str | None = None,
        ethnicity: str | None = None,
        dates_to_avoid: str | None = None,
        special_measures: str | None = None,
        willing_to_attend: bool | None = None,
        consent_to_share: bool | None = None,
        vps_offered: bool | None = None,
        person_id: uuid.UUID | None = None,
        at: Instant | None = None,
    ) -> uuid.UUID:
        """Add a person in a role; every detail given is committed, never stored in clear.

        All but the name are the MG11's restricted back page: contact details,
        date of birth, gender, ethnicity (the self-defined code), dates to
        avoid, special measures asked for, and whether the witness will attend,
        consents to share their details with support services and was offered
        a victim personal statement. They never go to the defence.
        """
        self._require_open()
        new_id = self._context.new_id() if person_id is None else check_uuid(person_id, "person_id")
        if new_id in self._people or new_id in self._captured_ids:
            raise InvalidCommandError("person_id", f"{new_id} is already in the case")
        details = {
            "name": check_text(name, "name"),
            "date_of_birth": None if date_of_birth is None else check_date(date_of_birth),
            "address": check_optional_text(address, "address"),
            "phone": check_optional_text(phone, "phone", max_length=64),
            "email": check_optional_text(email, "email", max_length=320),
            "gender": check_optional_text(gender, "gender"),
            "ethnicity": check_optional_text(ethnicity, "ethnicity"),
            "dates_to_avoid": check_optional_text(dates_to_avoid, "dates_to_avoid"),
            "special_measures": check_optional_text(special_measures, "special_measures"),
            "willing_to_attend": _yes_no(willing_to_attend, "willing_to_attend"),
            "consent_to_share": _yes_no(consent_to_share, "consent_to_share"),
            "vps_offered": _yes_no(vps_offered, "vps_offered"),
        }
        personal = {k: v for k, v in details.items() if v is not None}
        role_value = check_choice(PersonRole, role, "role")
        self._record(PersonAdded, at, {"person_id": new_id, "role": role_value}, personal)
        return new_id

    def record_statement(
        self,
        *,
        witness_id: uuid.UUID,
        declaration: str,
        body: str,
        place: str,
        started_at: Instant,
        ended_at: Instant,
        over_18: bool = True,
        age: int | None = None,
        exhibits: Iterable[str] = (),
        statement_id: uuid.UUID | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> uuid.UUID:
        """Record a witness statement (MG11); give ``statement_id`` to redo an unsigned one.

        ``by`` is the officer who took it: by default the bound signer; another
        officer's statement is recorded on their behalf (see ``bind_actor``).
        """
        self._require_open()
        if statement_id is None:
            new_id = self._context.new_id()
        else:
            new_id = check_uuid(statement_id, "statement_id")
            if new_id in self._captured_ids:
                raise InvalidCommandError("statement_id", f"{new_id} is a statement of a capture")
            earlier = self._statements.get(new_id)
            if earlier is not None and earlier.is_signed:
                raise StatementSignedError(
                    f"statement {new_id} is signed and never changes: record a correction "
                    "or a further statement"
                )
            if earlier is not None and earlier.witness_id != witness_id:
                raise InvalidCommandError("witness_id", "differs from the statement's witness")
        if type(over_18) is not bool:
            raise InvalidCommandError("over_18", "expected True or False")
        if over_18 and age is not None:
            raise InvalidCommandError("age", "give the age only for a witness under 18")
        if not over_18 and (type(age) is not int or not 0 <= age < 18):
            raise InvalidCommandError("age", "a witness under 18 needs an age from 0 to 17")
        start, end = check_time(started_at, "started_at"), check_time(ended_at, "ended_at")
        check_not_before(start, end, "started_at", "ended_at")
        refs = tuple(check_exhibit_reference(ref, "exhibits") for ref in exhibits)
        if len(set(refs)) != len(refs):
            raise InvalidCommandError("exhibits", "an exhibit is listed twice")
        fields = {
            "statement_id": new_id,
            "witness_id": self._require_person(witness_id, "witness_id"),
            "declaration": check_text(declaration, "declaration", max_length=MAX_LONG_TEXT),
            "over_18": over_18,
            "age": age,
            "place": check_text(place, "place"),
            "started_at": start,
            "ended_at": end,
            "body": check_text(body, "body", max_length=MAX_LONG_TEXT),
            "exhibits": refs,
        }
        fields.update(self._acting(by)[1])
        self._record(StatementRecorded, at, fields)
        return new_id

    def sign_statement(
        self,
        *,
        statement_id: uuid.UUID,
        signatory: Signatory | str = Signatory.WITNESS,
        reader_name: str | None = None,
        reader_declaration: str | None = None,
        signature_sha256: bytes | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record that the witness, or a reader on their behalf, signed the statement."""
        self._require_open()
        statement = self._statements.get(check_uuid(statement_id, "statement_id"))
        if statement is None:
            raise UnknownReferenceError(
                f"no statement {statement_id} in the case", field="statement_id"
            )
        if statement.is_signed:
            raise StatementSignedError(
                f"statement {statement_id} was signed in record {statement.signed_seq}"
            )
        who = check_choice(Signatory, signatory, "signatory")
        personal: dict[str, Any] = {}
        if who == Signatory.READER:
            personal["reader_name"] = check_text(reader_name, "reader_name")
            declaration: str | None = check_text(
                reader_declaration, "reader_declaration", max_length=MAX_LONG_TEXT
            )
        elif reader_name is not None or reader_declaration is not None:
            raise InvalidCommandError("reader_name", "only a reader's signature names a reader")
        else:
            declaration = None
        fields = {
            "statement_id": statement.statement_id,
            "signatory": who,
            "reader_declaration": declaration,
            "signature_sha256": None
            if signature_sha256 is None
            else check_sha256(signature_sha256, "signature_sha256"),
        }
        return self._record(StatementSigned, at, fields, personal)
