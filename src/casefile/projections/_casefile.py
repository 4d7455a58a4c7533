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
from collections.abc import Callable, Iterable, Iterator, Mapping
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
    Undisclosed,
)
from casefile.projections._casefile_read import CaseIndex, signed_by
from casefile.projections._casefile_unused import UnusedMaterial
from casefile.projections._casefile_witnesses import CARE_FIELDS, build_mg9, build_mg11
from casefile.projections._continuity import build_exhibit_register
from casefile.projections._continuity_model import ContinuityPolicy, ExhibitRegister
from casefile.projections._custody_records import CORRECTION_TYPE, RecordView
from casefile.projections._pause import collection_paused
from casefile.projections._redactions import FieldRedactions, redactions_for
from casefile.projections._texts import (
    CommittedRecord,
    TextMarker,
    records_as_read,
    require_kept,
    withheld_marker,
)
from casefile.signing import Disclosure, TextDisclosure, Withheld
from casefile.signing._text import MAX_TEXT_UNITS
from casefile.verifier._payloads import CORRECTION_REASON, payload_schemas
from casefile.verifier._redaction_codes import RESTRICTED_FIELDS, Audience

__all__ = ["build_case_file", "case_file_and_register", "case_file_from_views"]

_POLICY: Final = ContinuityPolicy()
_PERSONAL_TYPES: Final = frozenset({"person.added", "witness_care.assessed"})
#: Forms only the police and the prosecutor see: charging advice, the sensitive
#: schedule and the disclosure officer's report on undermining material.
_PROSECUTION: Final = frozenset({None, Audience.CPS.value})
_AUDIENCES: Final = frozenset(a.value for a in Audience)
_NEVER_TO_DEFENCE: Final = RESTRICTED_FIELDS | frozenset(CARE_FIELDS)
#: Why the defence never sees a value of ``_NEVER_TO_DEFENCE`` (the report's word).
_RESTRICTED: Final = ("restricted",)


def build_case_file(
    records: Iterable[CommittedRecord],
    *,
    audience: str | None = None,
    as_of: int | datetime.datetime | None = None,
    file_type: str | None = None,
    disclosures: Iterable[Disclosure | TextDisclosure] | None = None,
    marker: TextMarker | None = None,
    policy: ContinuityPolicy = _POLICY,
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
    given, shows each withheld run instead. Raises
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
) -> tuple[CaseFile, ExhibitRegister]:
    """:func:`build_case_file`, with the exhibit register its MG12 and continuity come from.

    A bundle's views (B12) show the case file and the register: built once,
    from one reading of the records, they cannot say different things.
    """
    _check_choices(audience, file_type)
    require_kept(records)
    given = None if disclosures is None else list(disclosures)
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

    with collection_paused():
        # Read twice: a decision may come after the record whose words it withholds.
        records = records if isinstance(records, list) else list(records)
        covers = redactions_for(records, audience)
        why = _why(covers)
        values = _ValueReader(given, audience, why)
        if marker is None:
            marker = _reasoned_marker(records, covers, given)
        views = list(records_as_read(noting(records), given, marker=marker))
        case_id = case_ids[0] if case_ids and case_ids[0].int else None
        _check_choices(audience, file_type)
        until = None if as_of is None else instant_ns(as_of, "as_of")
        return _build(views, personal, case_id, audience, until, file_type, policy, why)


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
