"""Reading a record's text from the store, checked against the record's commitment.

Free text is committed in the records as redactable text (docs/FORMAT.md
§4.1); the store keeps each text's disclosure beside the records, whole until
words of it are erased. Reading it authenticates the case (the chain and its
head's signature, as loading does), then checks the stored disclosure against
the commitment of the record that names it, so that a tampered store shows an
error, never a text the officer did not write.
"""

from __future__ import annotations

import abc
import uuid
from typing import TYPE_CHECKING

from casefile.errors import DisclosureError, UnknownReferenceError
from casefile.events._values import check_uuid
from casefile.projections import render_text
from casefile.signing._records import parse_record
from casefile.signing._text import TextDisclosure, parse_disclosure

if TYPE_CHECKING:
    from casefile.application._recorders import CaseRecorder
    from casefile.events import Investigation

__all__ = ["TextReads"]


class TextReads:
    """The text reads of :class:`~casefile.application.CasefileApp`."""

    _cases: CaseRecorder

    @abc.abstractmethod
    def get_case(self, case_id: uuid.UUID, *, audit: bool = False) -> Investigation:
        """Load a case, authenticating its chain (provided by the application)."""

    def text_disclosure(self, case_id: uuid.UUID, seq: int, name: str) -> TextDisclosure | None:
        """The stored disclosure of text field ``name`` of record ``seq``, checked; None if erased.

        Raises :class:`~casefile.errors.UnknownReferenceError` if the case has
        no record ``seq`` or the record commits no text ``name``, and
        :class:`~casefile.errors.DisclosureError` (naming the record and the
        field) if the stored disclosure is not a text disclosure of that
        field or does not match its commitment.
        """
        case = self.get_case(check_uuid(case_id, "case_id"))
        if type(seq) is not int or not 1 <= seq <= case.version:
            raise UnknownReferenceError(
                f"seq: record {seq!r} does not exist (case {case.id} has {case.version})"
            )
        stored = self._cases.select_events(case.id, gt=seq - 1, lte=seq)[0].state
        committed = parse_record(stored).header.commitments.get(name)
        if committed is None:
            raise UnknownReferenceError(f"name: record {seq} of case {case.id} commits no {name!r}")
        label = str(case.id)
        blob = self._cases.select_disclosure(case.id, seq, name)
        if blob is None:
            return None
        try:
            found = parse_disclosure(blob)
        except DisclosureError as exc:
            raise DisclosureError(
                f"the stored disclosure of {name!r} is malformed: {exc.message}",
                case_id=label,
                seq=seq,
                step="V11",
            ) from None
        if not isinstance(found, TextDisclosure):
            raise DisclosureError(
                f"the stored disclosure of {name!r} is a value, not a text",
                case_id=label,
                seq=seq,
                step="V11",
            )
        mine = (found.case_id, found.seq, found.name) == (case.id, seq, name)
        if not mine or found.commitment() != committed:
            raise DisclosureError(
                f"the stored text of {name!r} does not match the record's commitment",
                case_id=label,
                seq=seq,
                step="V11",
            )
        return found

    def field_text(self, case_id: uuid.UUID, seq: int, name: str) -> str | None:
        """The text of field ``name`` of record ``seq`` as the store holds it; None if erased.

        The whole text as written, or, once runs of it are erased, the words
        left with a marker such as ``[withheld 3 words]`` in place of each
        erased run. Checked as :meth:`text_disclosure` says.
        """
        found = self.text_disclosure(case_id, seq, name)
        return None if found is None else render_text(found)
