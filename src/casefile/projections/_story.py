"""The case's story: its own records and the captured records it bound, in one order.

docs/FORMAT.md §12.5 fixes the order: each ``capture.attached`` of the case is
followed at once by the records it newly binds (``from_size + 1`` to ``size``
of its stream), in the stream's own order. A record of a stream is cited as
``<stream-uuid>#<seq>``, a case record by its ``seq``; a sequence number
inside a capture (a correction's ``corrects``) names a record of the same
stream, so it is resolved against the stream of the record that holds it.
Records of a stream that no binding of the case reaches are not part of the
case and are left out.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from casefile.errors import InputError
from casefile.projections._custody_records import CaseRecord
from casefile.verifier._payloads import CAPTURE_ATTACHED

__all__ = ["StoryEntry", "capture_reference", "case_story"]

R = TypeVar("R", bound=CaseRecord)


def capture_reference(stream: uuid.UUID, seq: int) -> str:
    """How a record of a capture stream is cited (FORMAT §12.5): ``<stream-uuid>#<seq>``."""
    return f"{stream}#{seq}"


@dataclass(frozen=True, slots=True)
class StoryEntry(Generic[R]):
    """One record of the story, and the stream it was signed in (None: the case's own)."""

    record: R
    stream: uuid.UUID | None = None

    @property
    def cite(self) -> int | str:
        """The record's reference: its ``seq`` in the case, or ``<stream-uuid>#<seq>``."""
        return self.reference(self.record.seq)

    def reference(self, seq: int) -> int | str:
        """The reference of record ``seq`` of this record's own stream (or of the case).

        A number a record holds (``corrects``, ``confirms``) names a record of
        the stream it was signed in, never one of the case.
        """
        return seq if self.stream is None else capture_reference(self.stream, seq)


def case_story(
    case_records: Iterable[R], captures: Mapping[uuid.UUID, Sequence[R]]
) -> tuple[StoryEntry[R], ...]:
    """The case's records, each binding followed by the capture records it newly binds.

    ``case_records`` are the case's verified records in sequence order;
    ``captures`` maps a stream id to that stream's verified records from 1 in
    order (at least as many as the case bound; records beyond are left out,
    as are streams no binding names). Raises
    :class:`~casefile.errors.InputError`, naming the binding, when a binding
    does not continue its stream's earlier bindings or its records were not
    given: the story would lose or repeat a record.
    """
    return tuple(_walk(case_records, captures))


def _walk(
    case_records: Iterable[R], captures: Mapping[uuid.UUID, Sequence[R]]
) -> Iterator[StoryEntry[R]]:
    bound: dict[uuid.UUID, int] = {}
    for record in case_records:
        yield StoryEntry(record)
        if record.event_type != CAPTURE_ATTACHED or record.schema != 1:
            continue
        data = record.data
        stream = uuid.UUID(bytes=data["stream"])
        start, size = data["from_size"], data["size"]
        before = bound.get(stream, 0)
        if start != before or size <= start:
            raise InputError(
                f"case record {record.seq} binds records {start + 1} to {size} of capture "
                f"{stream}, but the case bound it up to record {before} before"
            )
        given = captures.get(stream, ())
        if len(given) < size:
            raise InputError(
                f"case record {record.seq} binds capture {stream} up to record {size}, "
                f"but {len(given)} of its records were given"
            )
        for position in range(start, size):
            captured = given[position]
            if captured.seq != position + 1:
                raise InputError(
                    f"capture {stream}: record {captured.seq} stands where record "
                    f"{position + 1} belongs (case record {record.seq} binds it)"
                )
            yield StoryEntry(captured, stream)
        bound[stream] = size
