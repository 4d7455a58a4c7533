"""Records as a reader sees them: each record's data with its texts put back, or withheld.

Free text (a statement's body, a place, notes) is never in a record's
``data``: it is committed in ``pd`` as redactable text (docs/FORMAT.md §4.1)
and read from its disclosure. :func:`records_as_read` is the one way the
projections get text: it yields each authenticated record with its data
merged with its text fields as the disclosures at hand show them, so that a
view shows exactly what its reader may see and nothing is read twice or
another way:

* a text disclosed whole: the text;
* a text disclosed with runs withheld: the revealed words in order, each
  withheld run replaced by a marker such as ``[withheld 3 words]``
  (:func:`withheld_marker`, or the caller's own, which may name a reason);
* a committed text with no disclosure at all: ``None`` (nothing of it is
  known, not even its length);
* a text field the record does not commit: ``""`` (an empty optional text is
  not committed, FORMAT.md §10.4).

A correction (``record.corrected``) commits corrected texts of the record it
corrects under their own names: they are put in its ``fields``, beside its
corrected payload fields, and its own reason is its ``correction_reason``.
Which fields of a type are texts is read from the payload schemas (§10.2),
never from domain classes, so an offline verifier can run this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Protocol, TypeVar

from casefile.errors import DisclosureError, InputError
from casefile.projections._custody_records import CaseRecord, RecordView
from casefile.signing import Disclosure, TextDisclosure, Withheld
from casefile.verifier import RecordsNotKept
from casefile.verifier._payloads import (
    CORRECTION_REASON,
    CORRECTION_TYPE,
    PayloadSchemas,
    RecordTypes,
    payload_schemas,
)

__all__ = [
    "NOT_DISCLOSED",
    "CommittedRecord",
    "TextMarker",
    "TextReader",
    "marker_label",
    "records_as_read",
    "render_segments",
    "render_text",
    "require_kept",
    "shown_text",
    "withheld_marker",
]

#: How a withheld run is shown: given the record, the field and the run, the marker's text.
TextMarker = Callable[[int, str, Withheld], str]

_Run = TypeVar("_Run")


class CommittedRecord(CaseRecord, Protocol):
    """An authenticated record with its commitments and the disclosures verified for it.

    :class:`casefile.verifier.VerifiedRecord` fits: its ``disclosed`` maps a
    field name to the value, or the :class:`~casefile.signing.TextDisclosure`,
    that V11 matched with the field's commitment.
    """

    @property
    def commitments(self) -> Mapping[str, bytes]: ...
    @property
    def disclosed(self) -> Mapping[str, Any]: ...


#: How a view writes a text that is not disclosed to its reader at all.
NOT_DISCLOSED: Final = "[not disclosed]"


def shown_text(text: str | None) -> str:
    """A text as read (with markers where runs are withheld), or :data:`NOT_DISCLOSED`."""
    return NOT_DISCLOSED if text is None else text


def marker_label(units: int | None, reasons: Sequence[str] = ()) -> str:
    """What a marker says of a withheld run of ``units`` units (None: a whole field), and why.

    The one wording of every view, report and command: ``withheld 3 words``
    (why unknown), ``withheld 3 words: victim_or_witness_contact_details``,
    ``erased 3 words`` (erasures alone), ``withheld whole field: restricted``.
    """
    size = "whole field" if units is None else f"{units} word{'' if units == 1 else 's'}"
    if tuple(reasons) == ("erased",):
        return f"erased {size}"
    return f"withheld {size}: {', '.join(reasons)}" if reasons else f"withheld {size}"


def withheld_marker(seq: int, name: str, run: Withheld) -> str:
    """``[withheld 3 words]``: where a run was withheld and how many units it held."""
    return f"[{marker_label(run.end - run.start)}]"


def render_segments(segments: Sequence[str | _Run], marker: Callable[[_Run], str]) -> str:
    """Revealed pieces and withheld runs joined as a reader sees them; ``marker`` shows a run."""
    pieces: list[str] = []
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        if isinstance(segment, str):
            pieces.append(segment)
        else:
            shown = marker(segment)
            # The run took the space after its last word with it.
            pieces.append(shown if i == last else shown + " ")
    return "".join(pieces)


def render_text(disclosure: TextDisclosure, marker: TextMarker = withheld_marker) -> str:
    """The text of ``disclosure`` as a reader sees it: revealed words and markers, in order."""
    whole = disclosure.text
    if whole is not None:
        return whole
    seq, name = disclosure.seq, disclosure.name
    return render_segments(disclosure.segments(), lambda run: marker(seq, name, run))


_NONE: Final[Mapping[tuple[int, str], TextDisclosure]] = {}


class TextReader:
    """Puts the texts back into records taken one at a time, in sequence order.

    ``disclosures``, when given, are the text disclosures to read (each is
    checked against its record's commitment, since it comes from elsewhere);
    otherwise each record's own ``disclosed`` map (already verified) is read.
    """

    __slots__ = ("_disclosures", "_marker", "_payloads", "_types")

    def __init__(
        self,
        disclosures: Iterable[Disclosure | TextDisclosure] | None = None,
        *,
        marker: TextMarker = withheld_marker,
        payloads: PayloadSchemas | None = None,
    ) -> None:
        self._disclosures: Mapping[tuple[int, str], TextDisclosure] | None = None
        if disclosures is not None:
            self._disclosures = {
                (d.seq, d.name): d for d in disclosures if isinstance(d, TextDisclosure)
            }
        self._marker = marker
        self._payloads = payload_schemas() if payloads is None else payloads
        # The type of each record so far (two bytes each): a correction's texts are its target's.
        self._types = RecordTypes()

    def note(self, record: CaseRecord) -> None:
        """Pass over ``record`` without reading it (a later correction may name it)."""
        kind, schema = record.event_type, record.schema
        has_schema = (kind, schema) in self._payloads
        self._types.note(record.seq, kind, schema, has_schema=has_schema)

    def read(self, record: CommittedRecord) -> RecordView:
        """``record`` with its data merged with its texts as a reader sees them."""
        self.note(record)
        seq, kind = record.seq, record.event_type
        data = dict(record.data)
        if kind == CORRECTION_TYPE:
            self._read_correction(record, data)
        else:
            for name in self._payloads.text_fields(kind, record.schema):
                data[name] = self._text(record, name)
        return RecordView(kind, seq, record.time_ns, data, record.signer, record.schema)

    def _read_correction(self, record: CommittedRecord, data: dict[str, Any]) -> None:
        data[CORRECTION_REASON] = self._text(record, CORRECTION_REASON)
        target = data.get("corrects")
        fields = data.get("fields")
        known = self._types.of(target) if type(target) is int and target < record.seq else None
        if known is None or type(fields) is not dict:
            return
        corrected = dict(fields)
        for name in self._payloads.text_fields(*known):
            if name in record.commitments:
                corrected[name] = self._text(record, name)
        data["fields"] = corrected

    def _text(self, record: CommittedRecord, name: str) -> str | None:
        committed = record.commitments.get(name)
        if committed is None:
            return ""
        if self._disclosures is None:
            found = record.disclosed.get(name)
            disclosure = found if isinstance(found, TextDisclosure) else None
        else:
            disclosure = self._disclosures.get((record.seq, name))
            if disclosure is not None and disclosure.commitment() != committed:
                raise DisclosureError(
                    f"the text disclosure of field {name!r} does not match its commitment",
                    case_id=str(disclosure.case_id),
                    seq=record.seq,
                    step="V11",
                )
        return None if disclosure is None else render_text(disclosure, self._marker)


def require_kept(records: Iterable[CaseRecord]) -> None:
    """Refuse the records of a case verified with ``keep_records=False``: a view of none."""
    if isinstance(records, RecordsNotKept):
        raise InputError(
            "records: the case was verified with keep_records=False, which keeps none; "
            "verify it with keep_records=True (the default) to build its views"
        )


def records_as_read(
    records: Iterable[CommittedRecord],
    disclosures: Iterable[Disclosure | TextDisclosure] | None = None,
    *,
    marker: TextMarker = withheld_marker,
    payloads: PayloadSchemas | None = None,
) -> Iterator[RecordView]:
    """Each of ``records`` (authenticated, in sequence order) with its texts as a reader sees them.

    Feed the projections from this: ``build_exhibit_register(records_as_read(
    verified.records), as_of=...)``. Without ``disclosures``, the texts are
    those each record's ``disclosed`` holds (a verified record's, checked at
    V11); with them, each is checked against its commitment and a mismatch
    raises :class:`~casefile.errors.DisclosureError` naming the record.
    ``marker`` shows a withheld run (by default ``[withheld 3 words]``).
    The records of a case verified with ``keep_records=False`` are refused
    with :class:`~casefile.errors.InputError`: they would show a case with
    no records.
    """
    require_kept(records)
    reader = TextReader(disclosures, marker=marker, payloads=payloads)
    return map(reader.read, records)
