"""The case's story as the projections read it: one run of records numbered by position.

The projections name records by integer and follow references between them
(a correction's ``corrects``, a point's ``evidence``). :func:`story_records`
gives them the story of docs/FORMAT.md §12.5 in that form: each record's
``seq`` is its position in the story (from 1), and each field of it that
names a record of its own stream (FORMAT §10.4, §12.1) names that record's
position instead; a captured record the case's state does not take names
the references it holds apart as its capture's own (FORMAT §12.7,
:mod:`~casefile.projections._held_apart`). :attr:`StoryRecords.cites` says
how each position is cited (:func:`~casefile.projections._cite.cited` puts
the citations back into a finished view). For a case without captures every position is the record's
``seq`` and nothing is changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from casefile.projections._cite import Cite
from casefile.projections._custody_records import CaseRecord, RecordView
from casefile.projections._held_apart import held_apart, qualify
from casefile.projections._story import case_story
from casefile.verifier._payloads import CAPTURE_ATTACHED, CORRECTION_TYPE

__all__ = ["REFERENCE_FIELDS", "StoryRecords", "story_records"]

#: Per registered type (schema 1), the fields that name a record of the same stream:
#: ``name`` an int (or null), ``name[]`` an array of them, ``points[].name`` inside each point.
REFERENCE_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "case_summary.written": ("points[].offence", "points[].evidence[]"),
    "charging.decided": ("request", "offences[]"),
    "charging.requested": ("offences[]",),
    "disclosure.erased": ("record",),
    "offence.alleged": ("points_to_prove[].evidence[]",),
    "offence.charged": ("offence", "decision"),
    "record.confirmed": ("confirms",),
    "record.corrected": ("corrects",),
    "redaction.decided": ("record",),
    "redaction.withdrawn": ("decision",),
    "vps.recorded": ("statement",),
}

_Origin = tuple[uuid.UUID | None, int]


@dataclass(frozen=True, slots=True)
class StoryRecords:
    """The story's records, ``seq`` their position; ``cites[p - 1]`` the citation of position ``p``.

    ``origins[p - 1]`` is the stream (None: the case) and the ``seq`` the
    record at position ``p`` has in it. ``apart`` holds the names given to
    references held apart (FORMAT §12.7); read the records within
    :func:`~casefile.projections._custody_records.naming_apart` of them.
    """

    records: tuple[RecordView, ...]
    cites: tuple[Cite, ...]
    origins: tuple[_Origin, ...]
    apart: frozenset[str] = frozenset()


def story_records(
    case_records: Iterable[CaseRecord], captures: Mapping[uuid.UUID, Sequence[CaseRecord]]
) -> StoryRecords:
    """The case's records and the captured records it bound, in story order, by position.

    ``case_records`` and each stream's records are records as read (their
    texts as the reader of that stream may see them), in their own order.
    Raises :class:`~casefile.errors.InputError` as
    :func:`~casefile.projections.case_story` does when a binding's records
    were not given. A reference that names no record of its stream becomes
    0, which names no record of the story either.
    """
    entries = case_story(case_records, captures)
    origins = tuple((e.stream, e.record.seq) for e in entries)
    position = {origin: p for p, origin in enumerate(origins, start=1)}
    kinds = {origin: e.record.event_type for origin, e in zip(origins, entries, strict=True)}
    apart = held_apart(
        [e.record.event_type for e in entries],
        [e.record.data for e in entries],
        [e.stream for e in entries],
    )
    records = []
    names: set[str] = set()
    for p, entry in enumerate(entries, start=1):
        stream, record = entry.stream, entry.record

        def at(seq: Any, stream: uuid.UUID | None = stream) -> Any:
            if type(seq) is not int:
                return seq  # not a number: the projection reports the record as it stands
            return position.get((stream, seq), 0)

        data = dict(record.data)
        _remap(data, record.event_type, at)
        held = apart.get(p - 1)
        if held is not None and stream is not None:
            names.update(qualify(data, held, stream))  # §12.7: not the first holder's
        if record.event_type == CORRECTION_TYPE:
            corrects = record.data.get("corrects")
            target = kinds.get((stream, corrects)) if type(corrects) is int else None
            fields = data.get("fields")
            if target is not None and isinstance(fields, dict):
                # A correction's fields are its target's: those that name records are remapped too.
                data["fields"] = _remapped(fields, target, at)
        elif record.event_type == CAPTURE_ATTACHED and record.schema == 1:
            _remap_findings(data, at)
        kind, time_ns, signer = record.event_type, record.time_ns, record.signer
        records.append(RecordView(kind, p, time_ns, data, signer, record.schema))
    cites = tuple(e.cite for e in entries)
    return StoryRecords(tuple(records), cites, origins, frozenset(names))


def _remapped(data: dict[str, Any], kind: str, at: Callable[[Any], Any]) -> dict[str, Any]:
    out = dict(data)
    _remap(out, kind, at)
    return out


def _remap(data: dict[str, Any], kind: str, at: Callable[[Any], Any]) -> None:
    for path in REFERENCE_FIELDS.get(kind, ()):
        head, _, rest = path.partition("[].")
        if rest:
            points = data.get(head)
            if isinstance(points, list):
                data[head] = [_remap_point(point, rest, at) for point in points]
        else:
            _remap_one(data, path, at)


def _remap_point(point: Any, path: str, at: Callable[[Any], Any]) -> Any:
    if not isinstance(point, dict):
        return point
    out = dict(point)
    _remap_one(out, path, at)
    return out


def _remap_one(data: dict[str, Any], path: str, at: Callable[[Any], Any]) -> None:
    name = path.removesuffix("[]")
    if name not in data:
        return
    value = data[name]
    if path.endswith("[]"):
        if isinstance(value, list):
            data[name] = [at(v) for v in value]
    else:
        data[name] = at(value)


def _remap_findings(data: dict[str, Any], at: Callable[..., Any]) -> None:
    """A binding's findings name records of the stream it binds."""
    findings, stream = data.get("findings"), data.get("stream")
    if not isinstance(findings, list) or not isinstance(stream, bytes) or len(stream) != 16:
        return
    sid = uuid.UUID(bytes=stream)
    data["findings"] = [
        {**f, "seq": at(f["seq"], sid)} if isinstance(f, dict) and "seq" in f else f
        for f in findings
    ]
