"""Reading a stored disclosure, checked against the commitment of the record that names it.

The records carry only commitments (docs/FORMAT.md §4, §4.1); the store keeps
each value's and each text's disclosure beside them, whole until it is erased
or words of it are. :meth:`DisclosureReads.stored_disclosure` is the one way
the application reads one back: it checks the disclosure against its record's
commitment, so that a tampered store shows an error, never a value or a text
the officer did not record.
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
    from casefile.signing._value import Disclosure

__all__ = ["DisclosureReads"]


class DisclosureReads:
    """The disclosure and text reads of :class:`~casefile.application.CasefileApp`."""

    _cases: CaseRecorder

    @abc.abstractmethod
    def get_case(self, case_id: uuid.UUID, *, audit: bool = False) -> Investigation:
        """Load a case, authenticating its chain (provided by the application)."""

    def stored_disclosure(
        self, case_id: uuid.UUID, seq: int, field: str
    ) -> Disclosure | TextDisclosure | None:
        """The store's disclosure of ``field`` of record ``seq``, value or text, checked
        against the record's commitment; None if the store holds none (never given or erased).

        The record itself is read as stored; load the case first (as
        :meth:`text_disclosure` does) to authenticate it. Raises
        :class:`~casefile.errors.UnknownReferenceError` if the case has no
        record ``seq`` or the record commits no ``field``, and
        :class:`~casefile.errors.DisclosureError` (naming the record and the
        field) for a stored disclosure that is malformed, belongs to another
        record or field, or does not open the record's commitment.
        """
        case_id = check_uuid(case_id, "case_id")
        stored = (
            self._cases.select_events(case_id, gt=seq - 1, lte=seq)
            if type(seq) is int and seq >= 1
            else []
        )
        if not stored:
            raise UnknownReferenceError(
                f"record {seq!r} does not exist in case {case_id}", field="seq"
            )
        commitments = parse_record(stored[0].state).header.commitments
        committed = commitments.get(field)
        if committed is None:
            # Not "not held": a misspelt field or the wrong record must not pass for a
            # field that was erased or never disclosed.
            held = ", ".join(sorted(commitments)) or "none"
            raise UnknownReferenceError(
                f"record {seq} commits no field {field!r} (it commits: {held})", field="field"
            )
        blob = self._cases.select_disclosure(case_id, seq, field)
        if blob is None:
            return None
        try:
            found = parse_disclosure(blob)
            fault = None
            if (found.case_id, found.seq, found.name) != (case_id, seq, field):
                fault = "belongs to another record or field"
            elif found.commitment() != committed:
                fault = "does not open the record's commitment"
        except DisclosureError as exc:
            fault = f"is malformed: {exc.message}"
        if fault is not None:
            raise DisclosureError(
                f"the stored disclosure of {field!r} {fault}: the store was altered",
                case_id=str(case_id),
                seq=seq,
                step="V11",
            )
        return found

    def text_disclosure(self, case_id: uuid.UUID, seq: int, name: str) -> TextDisclosure | None:
        """The stored disclosure of text field ``name`` of record ``seq``, checked; None if erased.

        Authenticates the case (its chain and its head's signature) first.
        Raises as :meth:`stored_disclosure` does, and
        :class:`~casefile.errors.DisclosureError` if field ``name`` holds a
        value, not a text.
        """
        case = self.get_case(check_uuid(case_id, "case_id"))
        found = self.stored_disclosure(case.id, seq, name)
        if found is not None and not isinstance(found, TextDisclosure):
            raise DisclosureError(
                f"the stored disclosure of {name!r} is a value, not a text",
                case_id=str(case.id),
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
