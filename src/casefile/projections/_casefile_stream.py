"""One stream of a case file's records read as its reader sees it: texts, personal values, why.

A case file reads the case's records and, for each capture stream the case
bound, that stream's records (docs/FORMAT.md §12.5). Each stream is read on
its own (:func:`read_stream`): its redaction decisions and erasures mark its
own texts, its corrections name its own records, and its personal values are
keyed by its own ``seq``; the case file then joins the readings in story
order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from casefile.projections._casefile_model import Undisclosed
from casefile.projections._casefile_witnesses import CARE_FIELDS
from casefile.projections._custody_records import CORRECTION_TYPE, RecordView
from casefile.projections._redactions import FieldRedactions, redactions_for
from casefile.projections._texts import (
    CommittedRecord,
    TextMarker,
    records_as_read,
    withheld_marker,
)
from casefile.signing import Disclosure, TextDisclosure, Withheld
from casefile.signing._text import MAX_TEXT_UNITS
from casefile.verifier._payloads import CORRECTION_REASON, payload_schemas
from casefile.verifier._redaction_codes import RESTRICTED_FIELDS, Audience

__all__ = ["StreamReading", "read_stream"]

_PERSONAL_TYPES: Final = frozenset({"person.added", "witness_care.assessed"})
_NEVER_TO_DEFENCE: Final = RESTRICTED_FIELDS | frozenset(CARE_FIELDS)
#: Why the defence never sees a value of ``_NEVER_TO_DEFENCE`` (the report's word).
_RESTRICTED: Final = ("restricted",)


@dataclass(frozen=True, slots=True)
class StreamReading:
    """A stream's records as read, its personal values by ``seq``, and why a field is withheld.

    ``case_id`` is the stream's id as its first record gives it (None when unknown).
    """

    views: list[RecordView]
    personal: dict[int, dict[str, Any]]
    why: Callable[[int, str], tuple[str, ...]]
    case_id: uuid.UUID | None


def read_stream(
    records: list[CommittedRecord],
    given: list[Disclosure | TextDisclosure] | None,
    audience: str | None,
    marker: TextMarker | None,
) -> StreamReading:
    """``records`` (one stream, in order) as ``audience`` reads them.

    Texts and personal values are those each record's ``disclosed`` holds,
    or with ``given``, those of them that match the record's commitments.
    """
    personal: dict[int, dict[str, Any]] = {}
    roles: dict[int, object] = {}
    case_ids: list[uuid.UUID] = []

    def noting(stream: Iterable[CommittedRecord]) -> Iterator[CommittedRecord]:
        for rec in stream:
            if not case_ids:
                found = getattr(rec, "case_id", None)
                case_ids.append(found if isinstance(found, uuid.UUID) else uuid.UUID(int=0))
            kind = rec.event_type
            if kind in _PERSONAL_TYPES:
                roles[rec.seq] = rec.data.get("role")
                personal[rec.seq] = values.of(rec, roles[rec.seq])
            elif kind == CORRECTION_TYPE:
                # A correction commits the corrected personal values of its record,
                # read for the role of the person that record added.
                target = rec.data.get("corrects")
                if type(target) is int and target in personal:
                    personal[target].update(values.of(rec, roles[target]))
            yield rec

    # Read twice: a decision may come after the record whose words it withholds.
    covers = redactions_for(records, audience)
    why = _why(covers)
    values = _ValueReader(given, audience, why)
    if marker is None:
        marker = _reasoned_marker(records, covers, given)
    views = list(records_as_read(noting(records), given, marker=marker))
    case_id = case_ids[0] if case_ids and case_ids[0].int else None
    return StreamReading(views, personal, why, case_id)


def _why(
    covers: Mapping[tuple[int, str], FieldRedactions],
) -> Callable[[int, str], tuple[str, ...]]:
    """Why a field is withheld whole: the reasons of the decisions and erasures that do it.

    Judged as B11 judges a field with no disclosure (only a whole-field act
    answers for it); empty when none does.
    """

    def why(seq: int, name: str) -> tuple[str, ...]:
        found = covers.get((seq, name))
        return () if found is None else found.reasons(0, MAX_TEXT_UNITS, None)

    return why


def _reasoned_marker(
    records: list[CommittedRecord],
    covers: Mapping[tuple[int, str], FieldRedactions],
    given: list[Disclosure | TextDisclosure] | None = None,
) -> TextMarker:
    """Marks a withheld run with why it is withheld, by the rule and words of the report (B11).

    :func:`redactions_for` says which decisions for ``audience`` are in force
    on each field and :meth:`FieldRedactions.label` words the marker, so the
    case file and ``casefile verify`` say the same of the same run. A run
    that no decision in force or erasure touches keeps the plain marker (the
    report gives a finding for it, not a reason).
    """
    if not covers:
        return withheld_marker
    # Each covered field's number of units: a decision's run past the text's end covers nothing.
    units: dict[tuple[int, str], int] = {}
    if given is None:
        for rec in records:
            for name, value in rec.disclosed.items():
                if (rec.seq, name) in covers and isinstance(value, TextDisclosure):
                    units[rec.seq, name] = value.n
    else:
        for d in given:
            if isinstance(d, TextDisclosure) and (d.seq, d.name) in covers:
                units[d.seq, d.name] = d.n

    def marker(seq: int, name: str, run: Withheld) -> str:
        found: FieldRedactions | None = covers.get((seq, name))
        n = units.get((seq, name))
        if found is None or not found.reasons(run.start, run.end, n):
            return withheld_marker(seq, name, run)
        return f"[{found.label(run.start, run.end, n)}]"

    return marker


class _ValueReader:
    """The personal values of a record its reader may see."""

    __slots__ = ("_audience", "_given", "_payloads", "_why")

    def __init__(
        self,
        given: list[Disclosure | TextDisclosure] | None,
        audience: str | None,
        why: Callable[[int, str], tuple[str, ...]],
    ):
        self._given = (
            None
            if given is None
            else {(d.seq, d.name): d for d in given if isinstance(d, Disclosure)}
        )
        self._audience = audience
        self._why = why
        self._payloads = payload_schemas()

    def of(self, rec: CommittedRecord, role: object) -> dict[str, Any]:
        """The values of ``rec`` the reader may see, for a person of ``role``.

        A value the record commits that the reader may not see is an
        :class:`Undisclosed` naming why; one it does not commit is absent.
        """
        if self._given is None:
            found = {k: v for k, v in rec.disclosed.items() if not isinstance(v, TextDisclosure)}
        else:
            found = {}
            for name, committed in rec.commitments.items():
                d = self._given.get((rec.seq, name))
                if d is not None and d.commitment() == committed:
                    found[name] = d.value
        if self._audience == Audience.DEFENCE.value:
            # The MG11 back page never reaches the defence; a defendant's own
            # date of birth is on the MG1 they are served.
            keep = {"date_of_birth"} if role == "suspect" else set()
            found = {
                k: v if k not in _NEVER_TO_DEFENCE or k in keep else Undisclosed(_RESTRICTED)
                for k, v in found.items()
            }
        texts = self._payloads.text_fields(rec.event_type, rec.schema)
        if rec.event_type == CORRECTION_TYPE:
            # A correction commits its record's values under their own names.
            texts = texts | {CORRECTION_REASON}
        for name in rec.commitments:
            if name not in found and name not in texts:
                found[name] = Undisclosed(
                    _RESTRICTED
                    if self._audience == Audience.DEFENCE.value
                    and name in _NEVER_TO_DEFENCE
                    and not (name == "date_of_birth" and role == "suspect")
                    else self._why(rec.seq, name)
                )
        return found
