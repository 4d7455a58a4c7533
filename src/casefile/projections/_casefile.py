"""The prosecution case file of a case, built from its authenticated records alone.

:func:`build_case_file` takes the verified records of a case (any
:class:`~casefile.projections.CommittedRecord`, such as
:class:`~casefile.verifier.VerifiedRecord`), reads each person's disclosed
name and care needs from them, puts their texts back as the reader may see
them (:func:`~casefile.projections.records_as_read`) and builds every form in
one pass over the records; no domain class, database or network is needed,
so an offline verifier runs it on a handed-over bundle. A withheld run is
marked with the reasons of the decisions in force on it, as the verification
report marks it (``_reasoned_marker``); the decisions may come after the
record they withhold from, so their acts are read in a first pass.
:func:`case_file_from_views` does the same from records already read, with
the personal values given apart. docs/CASEFILE.md describes every part.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from casefile._time import instant_ns
from casefile.errors import InputError
from casefile.projections._casefile_charging import build_mg3, build_mg5
from casefile.projections._casefile_checks import record_findings
from casefile.projections._casefile_complete import FILE_TYPES, completeness
from casefile.projections._casefile_defendants import build_defendants, hearing_of
from casefile.projections._casefile_exhibits import build_continuity, build_mg12
from casefile.projections._casefile_forms import (
    CaseFile,
    CaseSummary,
    Completeness,
)
from casefile.projections._casefile_missing import build_missing_person
from casefile.projections._casefile_model import (
    CaseHeader,
    Defendant,
    FrontSheet,
    Hearing,
)
from casefile.projections._casefile_read import CaseIndex, signed_by
from casefile.projections._casefile_stream import StreamReading, read_stream
from casefile.projections._casefile_unused import UnusedMaterial
from casefile.projections._casefile_witnesses import build_mg9, build_mg11
from casefile.projections._cite import cited, citing
from casefile.projections._continuity import build_exhibit_register
from casefile.projections._continuity_model import ContinuityPolicy, ExhibitRegister
from casefile.projections._custody_records import RecordView, naming_apart
from casefile.projections._pause import collection_paused
from casefile.projections._story_records import StoryRecords, story_records
from casefile.projections._texts import (
    CommittedRecord,
    TextMarker,
    require_kept,
)
from casefile.signing import Disclosure, TextDisclosure
from casefile.verifier._redaction_codes import Audience

__all__ = ["build_case_file", "case_file_and_register", "case_file_from_views"]

_POLICY: Final = ContinuityPolicy()
#: Forms only the police and the prosecutor see: charging advice, the sensitive
#: schedule and the disclosure officer's report on undermining material.
_PROSECUTION: Final = frozenset({None, Audience.CPS.value})
_AUDIENCES: Final = frozenset(a.value for a in Audience)


def build_case_file(
    records: Iterable[CommittedRecord],
    *,
    audience: str | None = None,
    as_of: int | datetime.datetime | None = None,
    file_type: str | None = None,
    disclosures: Iterable[Disclosure | TextDisclosure] | None = None,
    marker: TextMarker | None = None,
    policy: ContinuityPolicy = _POLICY,
    captures: Mapping[uuid.UUID, Sequence[CommittedRecord]] | None = None,
) -> CaseFile:
    """The case file of a case from its verified ``records`` (in sequence order), for ``audience``.

    ``audience`` (``cps``, ``defence``, ``court``, ``victim`` or None for the
    police's own file) decides what the file shows: a file for anyone but the
    police or the CPS has no MG3, MG6D or MG6E, and a file for the defence
    carries no witness care needs nor any restricted personal value.
    Texts and personal values are those each record's ``disclosed`` holds
    (verified at V11), or, with ``disclosures``, those of them that match
    the record's commitments. ``file_type`` (``pre_charge``,
    ``anticipated_guilty_plea``, ``anticipated_not_guilty_plea``,
    ``missing_person``) sets the completeness rules; None infers it from the
    records (docs/CASEFILE.md §4). With ``as_of`` (ns or an aware datetime)
    an exhibit's pause running up to it outside a store is a continuity gap,
    and a defendant with no first hearing has their age taken then; without
    it, running pauses are not judged and ages are taken at the last record.
    The file never reads a clock. A withheld run is marked with the reasons
    of ``audience``'s decisions in force on it and ``erased`` for an erasure
    (with None, erasures alone), in the words of the verification report:
    ``[withheld 6 words: victim_or_witness_contact_details]``; a run that no
    decision in force answers for is ``[withheld 6 words]``. ``marker``, if
    given, shows each withheld run instead. ``captures`` maps the id of each
    capture stream the case bound to that stream's verified records (from 1,
    in order; texts and values those each record's ``disclosed`` holds, read
    with the stream's own decisions): the file then reads the case's story
    (docs/FORMAT.md §12.5) and cites a captured record as
    ``"<stream-uuid>#<seq>"`` wherever a case record is cited by its seq. Raises
    :class:`~casefile.errors.InputError` for an unknown audience or file
    type, or records that do not fit their payload schemas.
    """
    return case_file_and_register(
        records,
        audience=audience,
        as_of=as_of,
        file_type=file_type,
        disclosures=disclosures,
        marker=marker,
        policy=policy,
        captures=captures,
    )[0]


def case_file_and_register(
    records: Iterable[CommittedRecord],
    *,
    audience: str | None = None,
    as_of: int | datetime.datetime | None = None,
    file_type: str | None = None,
    disclosures: Iterable[Disclosure | TextDisclosure] | None = None,
    marker: TextMarker | None = None,
    policy: ContinuityPolicy = _POLICY,
    captures: Mapping[uuid.UUID, Sequence[CommittedRecord]] | None = None,
) -> tuple[CaseFile, ExhibitRegister]:
    """:func:`build_case_file`, with the exhibit register its MG12 and continuity come from.

    A bundle's views (B12) show the case file and the register: built once,
    from one reading of the records, they cannot say different things.
    """
    _check_choices(audience, file_type)
    require_kept(records)
    given = None if disclosures is None else list(disclosures)
    with collection_paused():
        records = records if isinstance(records, list) else list(records)
        case = read_stream(records, given, audience, marker)
        until = None if as_of is None else instant_ns(as_of, "as_of")
        if not captures:
            why = case.why
            return _build(case.views, case.personal, case.case_id, audience, until, file_type,
                          policy, why)  # fmt: skip
        streams: dict[uuid.UUID | None, StreamReading] = {None: case}
        for stream, captured in captures.items():
            require_kept(captured)
            streams[stream] = read_stream(list(captured), None, audience, marker)
        story = story_records(case.views, {s: r.views for s, r in streams.items() if s is not None})
        with citing(story.cites), naming_apart(story.apart):
            file, register = _build(
                list(story.records),
                _personal_by_position(story, streams),
                case.case_id,
                audience,
                until,
                file_type,
                policy,
                _why_by_position(story, streams),
            )
        return cited(file, story.cites), cited(register, story.cites)


def _personal_by_position(
    story: StoryRecords, streams: Mapping[uuid.UUID | None, StreamReading]
) -> dict[int, dict[str, Any]]:
    """Each stream's personal values, keyed by the position of their record in the story."""
    out: dict[int, dict[str, Any]] = {}
    for p, (stream, seq) in enumerate(story.origins, start=1):
        found = streams[stream].personal.get(seq)
        if found is not None:
            out[p] = found
    return out


def _why_by_position(
    story: StoryRecords, streams: Mapping[uuid.UUID | None, StreamReading]
) -> Callable[[int, str], tuple[str, ...]]:
    """Why a field is withheld, asked of the stream that holds the record at a position."""

    def why(p: int, name: str) -> tuple[str, ...]:
        if not 1 <= p <= len(story.origins):
            return ()
        stream, seq = story.origins[p - 1]
        return streams[stream].why(seq, name)

    return why


def _check_choices(audience: str | None, file_type: str | None) -> None:
    if audience is not None and audience not in _AUDIENCES:
        raise InputError(
            f"audience: {audience!r} is not one of {', '.join(sorted(_AUDIENCES))} or None"
        )
    if file_type is not None and file_type not in FILE_TYPES:
        raise InputError(f"file_type: {file_type!r} is not one of {', '.join(FILE_TYPES)}")


def case_file_from_views(
    views: Iterable[RecordView],
    *,
    personal: Mapping[int, Mapping[str, Any]] | None = None,
    case_id: uuid.UUID | None = None,
    audience: str | None = None,
    as_of: int | datetime.datetime | None = None,
    file_type: str | None = None,
    policy: ContinuityPolicy = _POLICY,
) -> CaseFile:
    """The case file from records as read (:func:`records_as_read`), in sequence order.

    ``personal`` maps the sequence number of a ``person.added`` or
    ``witness_care.assessed`` record to the personal values (``name``,
    ``date_of_birth``, care needs…) the reader may see; the file shows no
    other. The other arguments are those of :func:`build_case_file`; the
    personal values are taken as given, already fit for ``audience``.
    """
    _check_choices(audience, file_type)
    require_kept(views)
    until = None if as_of is None else instant_ns(as_of, "as_of")
    with collection_paused():
        return _build(list(views), personal or {}, case_id, audience, until, file_type, policy)[0]


def _build(
    read: list[RecordView],
    personal: Mapping[int, Mapping[str, Any]],
    case_id: uuid.UUID | None,
    audience: str | None,
    until: int | None,
    file_type: str | None,
    policy: ContinuityPolicy,
    why: Callable[[int, str], tuple[str, ...]] | None = None,
) -> tuple[CaseFile, ExhibitRegister]:
    index = CaseIndex(read, personal, why)
    register = build_exhibit_register(read, policy=policy, as_of=until)
    age_at = until if until is not None else (read[-1].time_ns if read else None)
    header = _header(index, case_id)
    prosecution = audience in _PROSECUTION
    defendants = build_defendants(index, age_at)
    mg11 = build_mg11(index)
    mg9 = build_mg9(index, mg11, with_care=audience != Audience.DEFENCE.value)
    unused = UnusedMaterial(index, prosecution)
    mg6d = unused.schedule("mg6d") if prosecution else None
    mg6e = unused.undermining() if prosecution else None
    mg5 = build_mg5(index)
    kind_of_file = file_type or _infer(header.kind, defendants, mg5)
    mg12 = build_mg12(register)
    draft = CaseFile(
        case=header,
        audience=audience,
        file_type=kind_of_file,
        mg1=_front_sheet(index, header, kind_of_file, defendants),
        mg3=build_mg3(index) if prosecution else None,
        mg5=mg5,
        mg6c=unused.schedule("mg6c"),
        mg6d=mg6d,
        mg6e=mg6e,
        mg9=mg9,
        mg11=mg11,
        mg12=mg12,
        continuity=build_continuity(register),
        missing_person=build_missing_person(index),
        completeness=Completeness(kind_of_file, ()),
        findings=record_findings(index),
    )
    draft = replace(draft, mg1=replace(draft.mg1, forms=_forms(draft)))
    return replace(draft, completeness=completeness(draft, kind_of_file)), register


def _header(index: CaseIndex, case_id: uuid.UUID | None) -> CaseHeader:
    opened = index.of("case.opened")
    if not opened:
        return CaseHeader(case_id, None, "crime", None, None, index.count, index.last_seq)
    first = opened[0]
    f = first.fields
    # Schema 1 knows only crimes.
    kind = f.string("kind") if first.schema >= 2 else "crime"
    return CaseHeader(
        id=case_id,
        urn=f.string("reference"),
        kind=kind,
        opened_at=first.time_ns,
        offence=f.string_or_none("offence"),
        records=index.count,
        last_seq=index.last_seq,
    )


def _infer(kind: str, defendants: tuple[Defendant, ...], mg5: CaseSummary | None) -> str:
    """The file a case is ready to be: see docs/CASEFILE.md §4."""
    if kind == "missing_person":
        return "missing_person"
    charged = [o for d in defendants for o in d.offences if o.charge is not None]
    if not charged:
        return "pre_charge"
    plea = None if mg5 is None else mg5.anticipated_plea
    if plea == "guilty" or (
        plea in (None, "unknown") and all(o.anticipated_plea == "guilty" for o in charged)
    ):
        return "anticipated_guilty_plea"
    return "anticipated_not_guilty_plea"


def _first_hearing(index: CaseIndex) -> Hearing | None:
    firsts = [k for k in index.of("hearing.listed") if k.data.get("first") is True]
    if not firsts:
        return None
    return hearing_of(index, min(firsts, key=lambda k: (k.fields.integer("hearing_at"), k.seq)))


def _markers(defendants: tuple[Defendant, ...]) -> tuple[str, ...]:
    markers = set()
    for d in defendants:
        if d.youth:
            markers.add("youth_defendant")
        if d.bail is not None and d.bail.status == "remanded_in_custody":
            markers.add("remanded_in_custody")
        if any(o.committed_on_bail for o in d.offences):
            markers.add("offence_committed_on_bail")
    return tuple(sorted(markers))


def _front_sheet(
    index: CaseIndex, header: CaseHeader, file_type: str, defendants: tuple[Defendant, ...]
) -> FrontSheet:
    opened = index.of("case.opened")
    first = _first_hearing(index)
    records = {
        *(opened[0].records if opened else ()),
        *(s for d in defendants for s in d.records),
        *(first.records if first is not None else ()),
    }
    return FrontSheet(
        urn=header.urn,
        file_type=file_type,
        officer_in_case=signed_by(opened[0].signer) if opened else None,
        defendants=defendants,
        first_hearing=first,
        markers=_markers(defendants),
        forms=(),
        records=tuple(sorted(records)),
    )


def _forms(file: CaseFile) -> tuple[str, ...]:
    """The forms the file encloses: those with something on them."""
    present = {
        "MG1": True,
        "MG3": bool(file.mg3),
        "MG5": file.mg5 is not None,
        "MG6C": file.mg6c is not None and file.mg6c.revision is not None,
        "MG6D": file.mg6d is not None and file.mg6d.revision is not None,
        "MG6E": file.mg6e is not None,
        "MG9": bool(file.mg9.witnesses),
        "MG11": bool(file.mg11),
        "MG12": bool(file.mg12),
    }
    return tuple(name for name, there in present.items() if there)
