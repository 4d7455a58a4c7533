"""The case file's values: the case, its people and defendants (the MG1 front sheet).

Every value is frozen. Field names are the names of the JSON document
(docs/CASEFILE.md); a field whose name ends in ``_at`` is a time in integer
nanoseconds since the epoch (UTC), written as RFC 3339 in the JSON. Texts are
as their reader may see them: whole, with markers where runs are withheld, or
:class:`Undisclosed` when withheld whole; so are personal values. None is a
value the records never gave. Every part built from records names them in
``records``: the sequence numbers, ascending, it was read from (the record
itself, the records it links, and the corrections applied to them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from casefile.projections._cite import Cite, Cites
from casefile.projections._custody_records import Party

__all__ = [
    "Arrest",
    "Attendance",
    "Bail",
    "CaseHeader",
    "Charge",
    "Defendant",
    "FrontSheet",
    "Hearing",
    "Identification",
    "Interview",
    "Offence",
    "PersonRef",
    "PointToProve",
    "Records",
    "SignedBy",
    "Text",
    "Undisclosed",
]

Records = Cites


@dataclass(frozen=True, slots=True)
class Undisclosed:
    """A value the records give that is withheld from the reader, and why.

    ``withheld`` names why as the verification report does (docs/FORMAT.md
    §9.6.1, B11): the reason codes of the audience's decisions in force on the
    whole field, sorted, then ``erased`` for an erasure; ``restricted`` for a
    value the defence is never served; empty when no decision in force answers
    for it. A value the records never gave is None, never this.
    """

    withheld: tuple[str, ...]


#: A text or personal value as its reader may see it, or why it is withheld.
Text = str | Undisclosed


@dataclass(frozen=True, slots=True)
class SignedBy:
    """The key that signed a record: its trust-store name and the holder the trust store gives."""

    key: str
    holder: Party


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A person of the case by ``person_id``, with their name as the reader may see it."""

    person_id: bytes
    name: Text | None
    role: str | None


@dataclass(frozen=True, slots=True)
class CaseHeader:
    """The case itself: id, URN, kind and offence as opened, and how many records were read."""

    id: uuid.UUID | None
    urn: str | None
    kind: str
    opened_at: int | None
    offence: str | None
    records: int
    last_seq: Cite | None


@dataclass(frozen=True, slots=True)
class Identification:
    grounds: Text | None
    by: Party
    recorded_by: Party | None
    identified_at: int
    records: Records


@dataclass(frozen=True, slots=True)
class Arrest:
    arrested_at: int
    place: Text | None
    power: str
    grounds: Text | None
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class Attendance:
    attended_at: int
    place: Text | None
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class Interview:
    interview: Cite
    started_at: int
    ended_at: int
    place: Text | None
    interviewers: tuple[Party, ...]
    legal_representative: bool
    no_comment: bool
    special_warnings: tuple[str, ...]
    recording: str | None
    recording_sha256: bytes | None
    summary: Text | None
    admissions: Text | None
    denials: Text | None
    defences: Text | None
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class PointToProve:
    """An element the prosecution must prove, and the records of the evidence for it."""

    element: str
    evidence: Cites
    records: Records


@dataclass(frozen=True, slots=True)
class Charge:
    charged_at: int
    code: str
    title: str
    wording: Text | None
    decision: Cite | None
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class Offence:
    """An offence alleged against a defendant (``offence`` is its record), charged or not."""

    offence: Cite
    code: str
    title: str
    wording: Text | None
    place: Text | None
    from_date: str
    to_date: str | None
    anticipated_plea: str
    committed_on_bail: bool
    points_to_prove: tuple[PointToProve, ...]
    charge: Charge | None
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class Bail:
    status: str
    starts_at: int
    ends_at: int | None
    conditions: Text | None
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class Hearing:
    person: PersonRef
    court: str
    hearing_at: int
    first: bool
    by: Party
    recorded_by: Party | None
    records: Records


@dataclass(frozen=True, slots=True)
class Defendant:
    """An identified suspect: arrests, attendances, interviews, offences, bail and hearings."""

    person: PersonRef
    youth: bool | None
    age: int | None
    identified: Identification | None
    arrests: tuple[Arrest, ...]
    voluntary_attendances: tuple[Attendance, ...]
    interviews: tuple[Interview, ...]
    offences: tuple[Offence, ...]
    bail: Bail | None
    bail_history: Cites
    hearings: tuple[Hearing, ...]
    records: Records


@dataclass(frozen=True, slots=True)
class FrontSheet:
    """MG1: the case at a glance."""

    urn: str | None
    file_type: str
    officer_in_case: SignedBy | None
    defendants: tuple[Defendant, ...]
    first_hearing: Hearing | None
    markers: tuple[str, ...]
    forms: tuple[str, ...]
    records: Records
