"""Captured exhibits joining the case's state (docs/FORMAT.md §12.7).

After a ``capture.attached`` record, the case's state takes the attached
records that act on exhibits (evidence captured, exhibits found, seized,
handed in, sealed, moved, copied, ended) as if the case had recorded them at
the binding's own seq: every number the case's state holds stays a record of
the case, and later commands of the case act on captured exhibits as on its
own. People, statements, notes, corrections, confirmations and redaction
decisions stay in their stream, where the story reads them.

Nothing is ever folded over what the case holds from elsewhere. A reference
the case or another capture already holds (the ``exhibit_reference_in_use``
finding of §12.4) stays with its first holder; the capture's records naming
it, and the copies made of it, stay in the stream, and the case keeps the
reference among the stream's references held apart. A seal number used before
(``seal_number_in_use``) keeps pointing at its first use. The fold decides
from the case's state at the binding alone, so the attach that records the
findings and every later load of the case reach the same state.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from casefile.events._base import CaseEvent
from casefile.events._custody_event_base import CustodyEvent
from casefile.events._custody_events import (
    ExhibitLocated,
    ExhibitPackaged,
    ExhibitProduced,
    ExhibitResealed,
    ExhibitSeized,
)
from casefile.events._evidence_events import EvidenceCaptured
from casefile.events._exhibit_work_events import ExhibitDerived, ExhibitImaged

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "FOLDED_TYPES",
    "REFERENCE_IN_USE",
    "SEAL_IN_USE",
    "fold_capture",
    "ids_in_use",
    "is_folded",
]

#: The record families that act on exhibits: the ones a capture adds to the case's state.
FOLDED_TYPES: Final = (EvidenceCaptured, CustodyEvent)
#: The record types that bring an exhibit reference into a case (CUSTODY.md §2).
_OPENING: Final = (
    EvidenceCaptured,
    ExhibitSeized,
    ExhibitProduced,
    ExhibitLocated,
    ExhibitImaged,
    ExhibitDerived,
)
REFERENCE_IN_USE: Final = "exhibit_reference_in_use"
SEAL_IN_USE: Final = "seal_number_in_use"


def is_folded(cls: type[CaseEvent]) -> bool:
    """True for a record type whose captured records join the case's state."""
    return issubclass(cls, FOLDED_TYPES)


def _names(event: CaseEvent) -> tuple[str, ...]:
    state = event.__dict__
    derived = state.get("derived")
    return (state["exhibit"],) if derived is None else (state["exhibit"], derived)


def _new_seal(event: CaseEvent) -> str | None:
    if isinstance(event, ExhibitPackaged):
        return event.seal
    if isinstance(event, ExhibitResealed):
        return event.new_seal
    return None


def fold_capture(
    case: Investigation, stream: uuid.UUID, records: Iterable[tuple[int, CaseEvent]]
) -> list[tuple[str, int]]:
    """Fold one binding's new records of ``stream`` into ``case``; return what the rules found.

    ``records`` are (seq in the stream, event) for the records of the folded
    families, each event built at the binding's seq of the case, in stream
    order. The findings are (kind, stream seq) for a reference in use
    (§12.4, whatever its holder) and a seal number in use.
    """
    custody = case._custody
    seals = case._seals
    owner = case._captured_refs
    in_use = set(custody).union(*case._apart.values())
    apart = set(case._apart.get(stream, ()))
    introduced: set[str] = set()
    findings: list[tuple[str, int]] = []
    for seq, event in records:
        names = _names(event)
        if isinstance(event, _OPENING):
            for ref in names:
                if ref in in_use and ref not in introduced:
                    findings.append((REFERENCE_IN_USE, seq))
                    # The stream's own earlier exhibit is still its own: only
                    # what the case or another capture holds is kept apart.
                    if owner.get(ref) != stream:
                        apart.add(ref)
                introduced.add(ref)
        if not apart.isdisjoint(names):
            if len(names) > 1:
                apart.add(names[1])  # a copy of what stays apart stays apart
            continue
        seal = _new_seal(event)
        first_use = None if seal is None else seals.get(seal)
        if first_use is not None:
            findings.append((SEAL_IN_USE, seq))
        new = [ref for ref in names if ref not in custody]
        event.apply(case)
        # A captured receipt is confirmed in its stream, never by a record of the case.
        case._receipts.pop(event.originator_version, None)
        if seal is not None and first_use is not None:
            seals[seal] = first_use
        for ref in new:
            owner[ref] = stream
    if apart:
        case._apart[stream] = apart
    return findings


#: The record types that bring a person or statement id into a stream, and the field naming it.
_ID_FIELDS: Final = {"person.added": "person_id", "statement.recorded": "statement_id"}
#: UUID fields that name no person or statement of the stream.
_NOT_IDS: Final = frozenset({"target", "stream"})


def ids_in_use(
    case: Investigation,
    stream: uuid.UUID,
    records: Iterable[tuple[type[CaseEvent], Mapping[str, Any]]],
) -> list[uuid.UUID]:
    """The person and statement ids of ``records`` of ``stream`` (class, data) that are not
    the stream's own, in order; note the ones they bring in as ``stream``'s.

    A person or statement id of a capture is its own (FORMAT §12.1): one that a record
    brings in must be held by neither the case nor another stream, and one that a record
    names (a witness, a person arrested, a statement signed) must be one the stream
    brought in. The views read people and statements across the story, so another
    holder's id would show the capture's words as that holder's.
    """
    held = case._captured_ids
    records = list(records)
    mine: set[uuid.UUID] = set()
    taken: list[uuid.UUID] = []
    for cls, data in records:
        field = _ID_FIELDS.get(cls.TYPE)
        if field is None:
            continue
        value = uuid.UUID(bytes=data[field])
        if value in case._people or value in case._statements or held.get(value, stream) != stream:
            taken.append(value)
        mine.add(value)
    for cls, data in records:
        for field in cls.UUID_FIELDS:
            raw = data.get(field)
            if field in _NOT_IDS or field == _ID_FIELDS.get(cls.TYPE) or raw is None:
                continue
            value = uuid.UUID(bytes=raw)
            if value not in mine and held.get(value) != stream:
                taken.append(value)
    for value in mine:
        held.setdefault(value, stream)
    return taken
