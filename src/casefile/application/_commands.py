"""The officer-facing commands, one transaction each, with their full signatures.

Each loads the case, runs the aggregate's command of the same name (which
checks the rules) and stores the record sealed with ``signer``. To record
several things in one transaction use :meth:`CasefileApp.session`.
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from casefile.events import (
    CaseStatus,
    Custodian,
    EvidenceKind,
    Instant,
    Investigation,
    PersonRole,
    RiskGrading,
    Signatory,
)
from casefile.signing._keys import Signer

__all__ = ["CaseCommands"]


class CaseCommands:
    """Commands that each load a case, record one thing and store it."""

    @abc.abstractmethod
    def session(
        self, case_id: uuid.UUID, signer: Signer, *, audit: bool = False
    ) -> AbstractContextManager[Investigation]:
        """The unit of work every command below runs in (provided by the application)."""

    def record_crime_report(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        *,
        offence: str,
        summary: str,
        location: str,
        occurred_from: Instant | None = None,
        occurred_to: Instant | None = None,
        reported_by: uuid.UUID | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record a crime report; ``reported_by`` names a person of the case. Returns its seq."""
        with self.session(case_id, signer) as case:
            return case.record_crime_report(
                offence=offence,
                summary=summary,
                location=location,
                occurred_from=occurred_from,
                occurred_to=occurred_to,
                reported_by=reported_by,
                at=at,
            )

    def record_missing_person_report(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        *,
        person_id: uuid.UUID,
        risk: RiskGrading | str,
        last_seen_at: Instant,
        last_seen_place: str,
        circumstances: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record that a person of the case is missing, graded low/medium/high. Returns its seq."""
        with self.session(case_id, signer) as case:
            return case.record_missing_person_report(
                person_id=person_id,
                risk=risk,
                last_seen_at=last_seen_at,
                last_seen_place=last_seen_place,
                circumstances=circumstances,
                at=at,
            )

    def add_person(
        self,
        case_id: uuid.UUID,
        signer: Signer,
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
        """Add a person; their details are committed and stored apart. Returns the person id.

        Every detail but the name is of the MG11's restricted back page, which
        an export for the defence never discloses.
        """
        with self.session(case_id, signer) as case:
            return case.add_person(
                role=role,
                name=name,
                date_of_birth=date_of_birth,
                address=address,
                phone=phone,
                email=email,
                gender=gender,
                ethnicity=ethnicity,
                dates_to_avoid=dates_to_avoid,
                special_measures=special_measures,
                willing_to_attend=willing_to_attend,
                consent_to_share=consent_to_share,
                vps_offered=vps_offered,
                person_id=person_id,
                at=at,
            )

    def record_statement(
        self,
        case_id: uuid.UUID,
        signer: Signer,
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
        """Record a witness statement (MG11) taken by ``by`` (default: the signer's holder).

        Returns the statement id.
        """
        with self.session(case_id, signer) as case:
            return case.record_statement(
                witness_id=witness_id,
                declaration=declaration,
                body=body,
                by=by,
                place=place,
                started_at=started_at,
                ended_at=ended_at,
                over_18=over_18,
                age=age,
                exhibits=exhibits,
                statement_id=statement_id,
                at=at,
            )

    def sign_statement(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        *,
        statement_id: uuid.UUID,
        signatory: Signatory | str = Signatory.WITNESS,
        reader_name: str | None = None,
        reader_declaration: str | None = None,
        signature_sha256: bytes | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record that the witness (or a reader) signed a statement. Returns its seq."""
        with self.session(case_id, signer) as case:
            return case.sign_statement(
                statement_id=statement_id,
                signatory=signatory,
                reader_name=reader_name,
                reader_declaration=reader_declaration,
                signature_sha256=signature_sha256,
                at=at,
            )

    def capture_evidence(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        *,
        exhibit: str,
        kind: EvidenceKind | str,
        sha256: bytes,
        size: int,
        media_type: str,
        device: str,
        location: str,
        captured_at: Instant,
        description: str = "",
        produced_by: uuid.UUID | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record a captured evidence item under a new exhibit reference. Returns its seq."""
        with self.session(case_id, signer) as case:
            return case.capture_evidence(
                exhibit=exhibit,
                kind=kind,
                sha256=sha256,
                size=size,
                media_type=media_type,
                device=device,
                location=location,
                captured_at=captured_at,
                description=description,
                produced_by=produced_by,
                at=at,
            )

    def add_note(
        self, case_id: uuid.UUID, signer: Signer, *, text: str, at: Instant | None = None
    ) -> int:
        """Add a note to the case log. Returns its seq."""
        with self.session(case_id, signer) as case:
            return case.add_note(text=text, at=at)

    def change_status(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        *,
        status: CaseStatus | str,
        reason: str,
        at: Instant | None = None,
    ) -> int:
        """Change the case's status (a closed case can only be reopened). Returns its seq."""
        with self.session(case_id, signer) as case:
            return case.change_status(status=status, reason=reason, at=at)

    def confirm(
        self, case_id: uuid.UUID, signer: Signer, *, seq: int, at: Instant | None = None
    ) -> int:
        """Confirm, with the actor's own key, an act recorded on their behalf. Returns its seq."""
        with self.session(case_id, signer) as case:
            return case.confirm(seq=seq, at=at)

    def correct(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        *,
        seq: int,
        reason: str,
        fields: Mapping[str, Any] | None = None,
        personal: Mapping[str, Any] | None = None,
        at: Instant | None = None,
    ) -> int:
        """Correct record ``seq`` (append-only). Returns the correction's seq."""
        with self.session(case_id, signer) as case:
            return case.correct(seq=seq, reason=reason, fields=fields, personal=personal, at=at)
