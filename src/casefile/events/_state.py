"""What the investigation knows about itself, as read-only views.

Nothing here holds personal data or free text: a person's details and every
text (a statement's body, a place, a description) are committed in the records
and read as disclosures; the aggregate knows only which record holds each.
"""

from __future__ import annotations

import types
import uuid
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from casefile.errors import UnknownReferenceError
from casefile.events._custody_values import Custodian, ExhibitStatus
from casefile.events._values import CaseKind, CaseStatus
from casefile.signing._records import ZERO_HASH

if TYPE_CHECKING:
    from casefile.events._base import CaseEvent

__all__ = ["EVIDENCE_STORE", "CaseState", "Exhibit", "ExhibitCustody", "Person", "Statement"]

#: The location of captured evidence: its bytes are in the content-addressed evidence store.
EVIDENCE_STORE = "evidence store"


@dataclass(frozen=True, slots=True)
class Person:
    """A person of the case: their role, the record that added them, the details given."""

    person_id: uuid.UUID
    role: str
    seq: int
    details: frozenset[str]


@dataclass(frozen=True, slots=True)
class Statement:
    """A witness statement: its fields as last corrected, who took it, and whether it is signed.

    ``seq`` is the record holding it (its body and place are texts of that
    record, read as disclosures), ``signed_seq`` the signing record if any;
    times are ns since the epoch (UTC).
    """

    statement_id: uuid.UUID
    witness_id: uuid.UUID
    seq: int
    signed_seq: int | None
    taken_by: Custodian | None = None
    declaration: str = ""
    started_at: int = 0
    ended_at: int = 0
    exhibits: tuple[str, ...] = ()

    @property
    def is_signed(self) -> bool:
        return self.signed_seq is not None


@dataclass(frozen=True, slots=True)
class Exhibit:
    """An exhibit of the case: its reference, the record that produced it, its content hash."""

    reference: str
    seq: int
    kind: str
    sha256: bytes
    #: The time asserted by the capturing record (custody events may not precede it).
    time_ns: int = 0
    #: The media type the exhibit list shows of it (as last corrected).
    media_type: str | None = None


@dataclass(frozen=True, slots=True)
class ExhibitCustody:
    """Where an exhibit stands in its chain of custody, as the records tell it.

    ``root`` is the original exhibit a copy descends from (itself for an
    original); ``source`` the exhibit it was copied from. ``custodian`` is
    None while nobody holds it on record: found in place, lost, returned or
    destroyed (captured evidence is held by its capturer from capture). ``seal`` is the last seal on
    record and ``sealed`` whether it is closed. ``last_ns`` is when the last
    custody event happened (its ``occurred_at``, else its record time). Where
    it is, a text, is the ``place`` of record ``location_seq`` (captured
    evidence not yet moved is in the :data:`EVIDENCE_STORE`); what it is, the
    ``description`` of record ``seq``.
    """

    reference: str
    root: str
    seq: int
    original: bool
    source: str | None
    sha256: bytes | None
    media_type: str | None
    custodian: Custodian | None
    location_seq: int
    property_ref: str | None
    bag: str | None
    seal: str | None
    sealed: bool
    in_store: bool
    status: str
    damaged: bool
    last_seq: int
    last_ns: int

    @property
    def is_disposed(self) -> bool:
        """True once returned or destroyed: nothing but a correction may follow."""
        return self.status in (ExhibitStatus.RETURNED, ExhibitStatus.DESTROYED)

    @classmethod
    def of_captured(cls, exhibit: Exhibit, capturer: Custodian | None) -> ExhibitCustody:
        """Captured evidence: an original in the evidence store, held by its capturer."""
        return cls(
            reference=exhibit.reference,
            root=exhibit.reference,
            seq=exhibit.seq,
            original=True,
            source=None,
            sha256=exhibit.sha256,
            media_type=exhibit.media_type,
            custodian=capturer,
            location_seq=exhibit.seq,
            property_ref=None,
            bag=None,
            seal=None,
            sealed=False,
            in_store=True,
            status=ExhibitStatus.ACTIVE.value,
            damaged=False,
            last_seq=exhibit.seq,
            last_ns=exhibit.time_ns,
        )


class CaseState:
    """The state an investigation's events build, and read-only views of it.

    Events mutate the underscored attributes in their ``apply``; everything
    else reads the properties.
    """

    _id: uuid.UUID
    _version: int

    def _init_state(self) -> None:
        self._reference = ""
        self._kind = CaseKind.CRIME.value
        self._offence: str | None = None
        self._channel = ""
        self._opened_ns = 0
        self._modified_ns = 0
        self._status: str = CaseStatus.UNDER_INVESTIGATION.value
        self._people: dict[uuid.UUID, Person] = {}
        self._statements: dict[uuid.UUID, Statement] = {}
        self._exhibits: dict[str, Exhibit] = {}
        self._custody: dict[str, ExhibitCustody] = {}
        self._seals: dict[str, int] = {}
        self._reports: list[int] = []
        self._handovers: list[int] = []
        # Capture streams: what this stream captures for (if it is one), and the
        # streams attached to this case (stream -> (size attached, binding seqs)).
        self._capture_of: tuple[uuid.UUID | None, str, str] | None = None
        self._attached: dict[uuid.UUID, tuple[int, tuple[int, ...]]] = {}
        # Exhibits the case's state took from captures (reference -> stream), and
        # the references each stream holds apart from it (FORMAT.md §12.7).
        self._captured_refs: dict[str, uuid.UUID] = {}
        self._apart: dict[uuid.UUID, set[str]] = {}
        # Person and statement ids the attached streams hold (id -> stream): each is its
        # stream's own (FORMAT.md §12.1), so no other stream nor the case takes it again.
        self._captured_ids: dict[uuid.UUID, uuid.UUID] = {}
        # (checkpoint text, cosigner's key name) -> the seq of the receipt.recorded holding it.
        self._cosigned: dict[tuple[str, str], int] = {}
        self._corrections: dict[int, list[int]] = {}
        # seq -> the ORDERED_FIELDS of its record, as last corrected.
        self._spans: dict[int, dict[str, Any]] = {}
        # Acts recorded on someone's behalf (seq -> actor identity), and confirmations.
        self._on_behalf: dict[int, tuple[str, str, str]] = {}
        self._confirmations: dict[int, int] = {}
        # Transfers and bookings (seq -> receiver identity), and receipts confirmed.
        self._receipts: dict[int, tuple[str, str, str]] = {}
        self._receipt_confirmations: dict[int, int] = {}
        self._classes: list[type[CaseEvent]] = []
        self._head = ZERO_HASH
        self._sealed_version = 0
        # Every commitment stored for the case: a new one must differ from all (V14).
        self._commitments: set[bytes] = set()
        # The pd names of each record that commits any, active redaction decisions
        # (seq -> decision), withdrawn ones (seq -> withdrawal) and erasures.
        self._committed: dict[int, frozenset[str]] = {}
        self._redactions: dict[int, Any] = {}
        self._withdrawn: dict[int, int] = {}
        self._erasures: dict[tuple[int, str], Any] = {}

    @property
    def reference(self) -> str:
        """The case's crime reference number or URN."""
        return self._reference

    @property
    def kind(self) -> str:
        """What the case investigates: a :class:`CaseKind` value (``crime``, ``missing_person``)."""
        return self._kind

    @property
    def offence(self) -> str | None:
        """The offence of a crime case (as last corrected); None for a missing person."""
        return self._offence

    @property
    def channel(self) -> str:
        """How the case was reported (a :class:`ReportingChannel` value)."""
        return self._channel

    @property
    def status(self) -> str:
        """The current :class:`CaseStatus` value."""
        return self._status

    @property
    def is_closed(self) -> bool:
        """True while the case is closed: only a reopening and its exhibits' ends are recorded."""
        return self._status == CaseStatus.CLOSED

    @property
    def opened_ns(self) -> int:
        """The time asserted by the opening record."""
        return self._opened_ns

    @property
    def people(self) -> Mapping[uuid.UUID, Person]:
        """The people of the case by id."""
        return types.MappingProxyType(self._people)

    @property
    def statements(self) -> Mapping[uuid.UUID, Statement]:
        """The witness statements by id."""
        return types.MappingProxyType(self._statements)

    @property
    def exhibits(self) -> Mapping[str, Exhibit]:
        """The exhibits by reference."""
        return types.MappingProxyType(self._exhibits)

    @property
    def custody(self) -> Mapping[str, ExhibitCustody]:
        """Every exhibit's custody state by reference, captured evidence included."""
        return types.MappingProxyType(dict(sorted(self._custody.items())))

    @property
    def captured_exhibits(self) -> Mapping[str, uuid.UUID]:
        """Exhibits an attached capture brought into the case's state: reference -> stream."""
        return types.MappingProxyType(self._captured_refs)

    @property
    def captured_apart(self) -> Mapping[uuid.UUID, frozenset[str]]:
        """References attached captures hold apart from the case's state: stream -> references.

        A reference the case or another capture held first stays with that
        holder; the capture's records naming it (and its copies) stay in the
        stream, for a supervisor to resolve (FORMAT.md §12.7).
        """
        return types.MappingProxyType({s: frozenset(r) for s, r in self._apart.items()})

    def custody_of(self, exhibit: str) -> ExhibitCustody:
        """The custody state of ``exhibit``; raises :class:`UnknownReferenceError` if unknown."""
        state = self._custody_state(exhibit)
        if state is None:
            raise UnknownReferenceError(f"no exhibit {exhibit!r} in case {self._id}")
        return state

    def _custody_state(self, exhibit: str) -> ExhibitCustody | None:
        return self._custody.get(exhibit)

    def _exhibit_seq(self, exhibit: str) -> int | None:
        """The record that introduced ``exhibit`` (captured or in custody), or None."""
        captured = self._exhibits.get(exhibit)
        if captured is not None:
            return captured.seq
        state = self._custody.get(exhibit)
        return None if state is None else state.seq

    @property
    def reports(self) -> tuple[int, ...]:
        """Sequence numbers of the crime and missing-person reports."""
        return tuple(self._reports)

    @property
    def handovers(self) -> tuple[int, ...]:
        """Sequence numbers of the handover records."""
        return tuple(self._handovers)

    @property
    def corrections(self) -> Mapping[int, tuple[int, ...]]:
        """For each corrected record, the sequence numbers of its corrections."""
        return types.MappingProxyType({k: tuple(v) for k, v in self._corrections.items()})

    @property
    def unconfirmed(self) -> Mapping[int, tuple[str, str, str]]:
        """Acts recorded on someone's behalf and not yet confirmed: seq -> their identity."""
        return types.MappingProxyType(
            {k: v for k, v in self._on_behalf.items() if k not in self._confirmations}
        )

    @property
    def confirmations(self) -> Mapping[int, int]:
        """For each confirmed on-behalf record, the record that confirmed it."""
        return types.MappingProxyType(self._confirmations)

    @property
    def receipt_confirmations(self) -> Mapping[int, int]:
        """For each transfer or booking its receiver confirmed, the record that confirmed it."""
        return types.MappingProxyType(self._receipt_confirmations)

    @property
    def head(self) -> bytes:
        """Record hash of the last stored record (the chain head); zeros before any."""
        return self._head

    @property
    def commitments(self) -> AbstractSet[bytes]:
        """The commitments of the case's stored records (a new one must repeat none, V14)."""
        return self._commitments

    @property
    def sealed_version(self) -> int:
        """Sequence number of the last stored record; later events are pending."""
        return self._sealed_version

    def record_type(self, seq: int) -> type[CaseEvent]:
        """The event class of record ``seq``."""
        if type(seq) is not int or not 1 <= seq <= len(self._classes):
            raise UnknownReferenceError(f"record {seq!r} does not exist in case {self._id}")
        return self._classes[seq - 1]

    def person_record_seqs(self, person_id: uuid.UUID) -> frozenset[int]:
        """The records holding ``person_id``'s personal data: the addition and its corrections."""
        person = self._people.get(person_id)
        if person is None:
            raise UnknownReferenceError(f"no person {person_id} in case {self._id}")
        return frozenset([person.seq, *self._corrections.get(person.seq, ())])
