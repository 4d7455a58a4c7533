"""The records a case file reads, gathered in one pass, corrections applied, fields checked.

:class:`CaseIndex` keeps the records of the types the case file shows (by
type, in sequence order, and by sequence number) and folds each correction
(``record.corrected``) into the record it corrects, so every form reads a
record as it now stands and cites the corrections it applied. Custody
records are not kept here: the exhibit register reads them.

Records reach the case file authenticated and checked against their payload
schemas (V10), so a field of the wrong kind means the records came from
elsewhere unchecked: :class:`Fields` then raises
:class:`~casefile.errors.InputError` naming the record and the field,
rather than build a file from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from casefile.errors import InputError
from casefile.projections._casefile_model import (
    PersonRef,
    SignedBy,
    Text,
    Undisclosed,
)
from casefile.projections._cite import cite_of
from casefile.projections._custody_records import (
    CONFIRMATION_TYPE,
    CORRECTION_TYPE,
    Party,
    RecordView,
    check_party,
)
from casefile.signing._trust import TrustEntry

__all__ = ["CASE_FILE_TYPES", "PROSECUTOR_TYPES", "CaseIndex", "Fields", "Kept", "signed_by"]

#: The records that are the prosecutor's decisions (signed under the role ``prosecutor``).
PROSECUTOR_TYPES: Final = frozenset({"charging.decided", "unused.decided"})

#: The record types the case file reads (custody records go to the exhibit register).
CASE_FILE_TYPES: Final = frozenset(
    {
        "case.opened",
        "person.added",
        "statement.recorded",
        "statement.signed",
        "suspect.identified",
        "suspect.arrested",
        "suspect.attended_voluntarily",
        "interview.recorded",
        "offence.alleged",
        "offence.charged",
        "charging.requested",
        "charging.decided",
        "bail.recorded",
        "hearing.listed",
        "unused.item_recorded",
        "unused.scheduled",
        "unused.decided",
        "case_summary.written",
        "vps.recorded",
        "witness_care.assessed",
        "missing_person_report.recorded",
        "missing.risk_reviewed",
        "missing.sighting_recorded",
        "missing.enquiry_recorded",
        "missing.found",
    }
)


@dataclass(slots=True)
class Kept:
    """A record the case file reads: its data as corrected so far, and the corrections.

    ``changed`` maps each field a correction changed to the last correction that did.
    """

    event_type: str
    seq: int
    time_ns: int
    schema: int
    data: dict[str, Any]
    signer: TrustEntry | None
    corrected_by: list[int] = field(default_factory=list)
    changed: dict[str, int] = field(default_factory=dict)
    #: Why each text withheld whole (None in ``data``) is withheld.
    withheld: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def fields(self) -> Fields:
        return Fields(self)

    def wrong(self, name: str, expected: str) -> InputError:
        """The error for field ``name`` of this record not being ``expected``."""
        return _wrong(self, name, expected)

    @property
    def records(self) -> tuple[int, ...]:
        """This record and the corrections applied to it."""
        return (self.seq, *self.corrected_by)


def _wrong(kept: Kept, name: str, expected: str) -> InputError:
    return InputError(
        f"record {cite_of(kept.seq)} ({kept.event_type}): field {name!r} is not {expected}; "
        "build the case file from verified records"
    )


class Fields:
    """Typed access to one kept record's fields; a misfit raises InputError naming both."""

    __slots__ = ("_kept",)

    def __init__(self, kept: Kept) -> None:
        self._kept = kept

    def _get(self, name: str) -> Any:
        data = self._kept.data
        if name not in data:
            raise _wrong(self._kept, name, "present")
        return data[name]

    def integer(self, name: str) -> int:
        value = self._get(name)
        if type(value) is not int:
            raise _wrong(self._kept, name, "an integer")
        return value

    def integer_or_none(self, name: str) -> int | None:
        value = self._kept.data.get(name)
        return None if value is None else self.integer(name)

    def flag(self, name: str) -> bool:
        value = self._get(name)
        if type(value) is not bool:
            raise _wrong(self._kept, name, "true or false")
        return value

    def string(self, name: str) -> str:
        value = self._get(name)
        if type(value) is not str:
            raise _wrong(self._kept, name, "text")
        return value

    def string_or_none(self, name: str) -> str | None:
        value = self._kept.data.get(name)
        return None if value is None else self.string(name)

    def text(self, name: str) -> Text:
        """A text field as read: the text, with markers, or why it is withheld whole.

        A text the record does not commit is ``""``: the format commits no
        empty text (FORMAT.md §10.4), so an empty text and none are one.
        """
        value = self._kept.data.get(name, "")
        if value is None:
            return Undisclosed(self._kept.withheld.get(name, ()))
        if type(value) is not str:
            raise _wrong(self._kept, name, "text")
        return value

    def raw(self, name: str, size: int) -> bytes:
        value = self._get(name)
        if type(value) is not bytes or len(value) != size:
            raise _wrong(self._kept, name, f"{size} bytes")
        return value

    def raw_or_none(self, name: str, size: int) -> bytes | None:
        return None if self._kept.data.get(name) is None else self.raw(name, size)

    def integers(self, name: str) -> tuple[int, ...]:
        value = self._get(name)
        if not isinstance(value, list | tuple) or any(type(v) is not int for v in value):
            raise _wrong(self._kept, name, "a list of integers")
        return tuple(value)

    def strings(self, name: str) -> tuple[str, ...]:
        value = self._get(name)
        if not isinstance(value, list | tuple) or any(type(v) is not str for v in value):
            raise _wrong(self._kept, name, "a list of text")
        return tuple(value)

    def maps(self, name: str) -> tuple[Mapping[str, Any], ...]:
        value = self._get(name)
        if not isinstance(value, list | tuple) or any(not isinstance(v, Mapping) for v in value):
            raise _wrong(self._kept, name, "a list of maps")
        return tuple(value)

    def party(self, name: str) -> Party:
        value = self._get(name)
        if check_party(value) is not None:
            raise _wrong(self._kept, name, "a person (name, number, organisation, rank, role)")
        return Party.of(value)

    def party_or_none(self, name: str) -> Party | None:
        return None if self._kept.data.get(name) is None else self.party(name)

    def parties(self, name: str) -> tuple[Party, ...]:
        value = self._get(name)
        if not isinstance(value, list | tuple) or any(check_party(v) is not None for v in value):
            raise _wrong(self._kept, name, "a list of people")
        return tuple(Party.of(v) for v in value)


def signed_by(signer: TrustEntry | None) -> SignedBy | None:
    """The key and holder of ``signer``, as the case file names who signed."""
    if signer is None:
        return None
    holder = signer.holder
    role = ",".join(sorted(signer.roles))
    return SignedBy(signer.name, Party(holder.name, holder.number, holder.force, holder.rank, role))


class CaseIndex:
    """The case file's records by type and by sequence number, corrections folded in.

    ``personal`` maps the sequence number of a record (a ``person.added`` or a
    ``witness_care.assessed``) to the personal values its reader may see (an
    :class:`Undisclosed` for one withheld). ``why`` says why field ``name`` of
    record ``seq`` is withheld whole, for a text the reader may not see.
    """

    __slots__ = (
        "_people",
        "_why",
        "by_seq",
        "by_type",
        "confirmations",
        "count",
        "last_seq",
        "personal",
        "types",
        "unapplied",
    )

    def __init__(
        self,
        views: Iterable[RecordView],
        personal: Mapping[int, Mapping[str, Any]],
        why: Callable[[int, str], tuple[str, ...]] | None = None,
    ) -> None:
        self._why = why
        self.by_type: dict[str, list[Kept]] = {name: [] for name in CASE_FILE_TYPES}
        self.by_seq: dict[int, Kept] = {}
        self.personal = personal
        self.count = 0
        self.last_seq: int | None = None
        self._people: dict[bytes, Kept] = {}
        #: The type of every record read, by sequence number.
        self.types: dict[int, str] = {}
        #: Confirmed record -> the ``by`` of each ``record.confirmed`` naming it.
        self.confirmations: dict[int, list[Any]] = {}
        #: Corrections not folded in: (correction, corrected record).
        self.unapplied: list[tuple[int, int]] = []
        for view in views:
            self.count += 1
            self.last_seq = view.seq
            self.types[view.seq] = view.event_type
            if view.event_type in CASE_FILE_TYPES:
                kept = Kept(
                    view.event_type,
                    view.seq,
                    view.time_ns,
                    view.schema,
                    dict(view.data),
                    view.signer,
                )
                self._note_withheld(kept, view.seq, view.data)
                self.by_type[view.event_type].append(kept)
                self.by_seq[view.seq] = kept
                if view.event_type == "person.added":
                    self._people.setdefault(kept.fields.raw("person_id", 16), kept)
            elif view.event_type == CORRECTION_TYPE:
                self._correct(view)
            elif view.event_type == CONFIRMATION_TYPE:
                target = view.data.get("confirms")
                if type(target) is int:
                    self.confirmations.setdefault(target, []).append(view.data.get("by"))

    def _correct(self, view: RecordView) -> None:
        target, fields = view.data.get("corrects"), view.data.get("fields")
        kept = self.by_seq.get(target) if type(target) is int else None
        if kept is None or not isinstance(fields, Mapping):
            return
        if kept.event_type in PROSECUTOR_TYPES:
            # A prosecutor's decision is changed by a further decision, never by a
            # correction, which any recorder may sign: it is reported, not applied.
            self.unapplied.append((view.seq, kept.seq))
            return
        for name, value in fields.items():
            if kept.data.get(name) != value:
                kept.changed[name] = view.seq
        kept.data.update(fields)
        self._note_withheld(kept, view.seq, fields)
        kept.corrected_by.append(view.seq)

    def _note_withheld(self, kept: Kept, seq: int, data: Mapping[str, Any]) -> None:
        # A text withheld whole is None in the record as read; a correction's
        # text is withheld for the reasons that name the correction.
        for name, value in data.items():
            if value is None:
                kept.withheld[name] = () if self._why is None else self._why(seq, name)
            else:
                kept.withheld.pop(name, None)

    def of(self, event_type: str) -> list[Kept]:
        """The records of ``event_type``, in sequence order."""
        return self.by_type[event_type]

    def person(self, person_id: bytes) -> PersonRef:
        """The person of ``person_id``: their role and their name as the reader may see it."""
        added = self._people.get(person_id)
        if added is None:
            return PersonRef(person_id, None, None)
        name = self.personal.get(added.seq, {}).get("name")
        role = added.data.get("role")
        return PersonRef(
            person_id,
            name if isinstance(name, str | Undisclosed) else None,
            role if type(role) is str else None,
        )

    def person_records(self, person_id: bytes) -> tuple[int, ...]:
        """The records that name ``person_id`` as a person of the case (its person.added)."""
        added = self._people.get(person_id)
        return () if added is None else added.records

    def personal_of(self, seq: int) -> Mapping[str, Any]:
        return self.personal.get(seq, {})
