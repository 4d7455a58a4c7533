"""The defendants of a case file: each identified suspect and everything recorded of them.

A defendant is a person named by a ``suspect.identified`` record, or by an
offence, arrest or interview when the identification is not among the
records read. Their offences carry the points to prove (each with the
evidence records it cites) and the charge, if any; their bail is the latest
``bail.recorded``; their hearings are every ``hearing.listed`` of them.
"""

from __future__ import annotations

import datetime
from typing import Final

from casefile.projections._casefile_model import (
    Arrest,
    Attendance,
    Bail,
    Charge,
    Defendant,
    Hearing,
    Identification,
    Interview,
    Offence,
    PointToProve,
)
from casefile.projections._casefile_read import CaseIndex, Kept
from casefile.projections._cite import Cites, position

__all__ = ["build_defendants", "hearing_of"]

_ADULT: Final = 18


def _span(*parts: Cites) -> Cites:
    return tuple(sorted({position(seq) for part in parts for seq in part}))


def _identification(kept: Kept) -> Identification:
    f = kept.fields
    return Identification(
        f.text("grounds"), f.party("by"), f.party_or_none("recorded_by"), kept.time_ns, kept.records
    )


def _arrest(kept: Kept) -> Arrest:
    f = kept.fields
    return Arrest(
        f.integer("arrested_at"),
        f.text("place"),
        f.string("power"),
        f.text("grounds"),
        f.party("by"),
        f.party_or_none("recorded_by"),
        kept.records,
    )


def _attendance(kept: Kept) -> Attendance:
    f = kept.fields
    return Attendance(
        f.integer("attended_at"), f.text("place"), f.party("by"), f.party_or_none("recorded_by"),
        kept.records,
    )  # fmt: skip


def _interview(kept: Kept) -> Interview:
    f = kept.fields
    return Interview(
        interview=kept.seq,
        started_at=f.integer("started_at"),
        ended_at=f.integer("ended_at"),
        place=f.text("place"),
        interviewers=f.parties("interviewers"),
        legal_representative=f.flag("legal_representative"),
        no_comment=f.flag("no_comment"),
        special_warnings=f.strings("special_warnings"),
        recording=f.string_or_none("recording"),
        recording_sha256=f.raw_or_none("recording_sha256", 32),
        summary=f.text("summary"),
        admissions=f.text("admissions"),
        denials=f.text("denials"),
        defences=f.text("defences"),
        by=f.party("by"),
        recorded_by=f.party_or_none("recorded_by"),
        records=kept.records,
    )


def _points(kept: Kept) -> tuple[PointToProve, ...]:
    points = []
    for point in kept.fields.maps("points_to_prove"):
        element, evidence = point.get("element"), point.get("evidence")
        if type(element) is not str or not isinstance(evidence, list | tuple):
            raise kept.wrong("points_to_prove", "a list of {element, evidence}")
        cited = tuple(seq for seq in evidence if type(seq) is int)
        points.append(PointToProve(element, cited, _span(kept.records, cited)))
    return tuple(points)


def _charge(kept: Kept) -> Charge:
    f = kept.fields
    decision = f.integer_or_none("decision")
    return Charge(
        charged_at=f.integer("charged_at"),
        code=f.string("code"),
        title=f.string("title"),
        wording=f.text("wording"),
        decision=decision,
        by=f.party("by"),
        recorded_by=f.party_or_none("recorded_by"),
        records=_span(kept.records, () if decision is None else (decision,)),
    )


def _offence(kept: Kept, charged: Kept | None) -> Offence:
    f = kept.fields
    charge = None if charged is None else _charge(charged)
    return Offence(
        offence=kept.seq,
        code=f.string("code"),
        title=f.string("title"),
        wording=f.text("wording"),
        place=f.text("place"),
        from_date=f.string("from_date"),
        to_date=f.string_or_none("to_date"),
        anticipated_plea=f.string("anticipated_plea"),
        committed_on_bail=f.flag("committed_on_bail"),
        points_to_prove=_points(kept),
        charge=charge,
        by=f.party("by"),
        recorded_by=f.party_or_none("recorded_by"),
        records=_span(kept.records, () if charge is None else charge.records),
    )


def _bail(kept: Kept) -> Bail:
    f = kept.fields
    return Bail(
        f.string("status"),
        f.integer("starts_at"),
        f.integer_or_none("ends_at"),
        f.text("conditions"),
        f.party("by"),
        f.party_or_none("recorded_by"),
        kept.records,
    )


def hearing_of(index: CaseIndex, kept: Kept) -> Hearing:
    """A ``hearing.listed`` record as the case file shows it."""
    f = kept.fields
    return Hearing(
        index.person(f.raw("person_id", 16)),
        f.string("court"),
        f.integer("hearing_at"),
        f.flag("first"),
        f.party("by"),
        f.party_or_none("recorded_by"),
        kept.records,
    )


def age_on(date_of_birth: object, ns: int) -> int | None:
    """Whole years from ``date_of_birth`` (``YYYY-MM-DD``) to the UTC date of ``ns``."""
    if type(date_of_birth) is not str:
        return None
    try:
        born = datetime.date.fromisoformat(date_of_birth)
    except ValueError:
        return None
    on = datetime.datetime.fromtimestamp(ns // 10**9, datetime.UTC).date()
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def build_defendants(index: CaseIndex, age_at: int | None) -> tuple[Defendant, ...]:
    """Every suspect of the case, in the order they were first named.

    ``age_at`` (ns) is when a defendant's age is taken, for the youth flag:
    their first hearing if listed, else this time (None: age unknown).
    """
    charged: dict[int, Kept] = {}
    for kept in index.of("offence.charged"):
        charged.setdefault(kept.fields.integer("offence"), kept)
    groups: dict[bytes, dict[str, list[Kept]]] = {}
    for kind in (
        "suspect.identified",
        "suspect.arrested",
        "suspect.attended_voluntarily",
        "interview.recorded",
        "offence.alleged",
        "bail.recorded",
        "hearing.listed",
    ):
        for kept in index.of(kind):
            person = kept.fields.raw("person_id", 16)
            groups.setdefault(person, {}).setdefault(kind, []).append(kept)
    order = sorted(groups, key=lambda p: min(k.seq for ks in groups[p].values() for k in ks))
    return tuple(_defendant(index, p, groups[p], charged, age_at) for p in order)


def _defendant(
    index: CaseIndex,
    person_id: bytes,
    kinds: dict[str, list[Kept]],
    charged: dict[int, Kept],
    age_at: int | None,
) -> Defendant:
    identified = kinds.get("suspect.identified", [])
    offences = tuple(_offence(k, charged.get(k.seq)) for k in kinds.get("offence.alleged", []))
    bails = kinds.get("bail.recorded", [])
    hearings = tuple(hearing_of(index, k) for k in kinds.get("hearing.listed", []))
    firsts = [h.hearing_at for h in hearings if h.first]
    when = min(firsts) if firsts else age_at
    person = index.person(person_id)
    born = _date_of_birth(index, person_id)
    age = None if when is None else age_on(born, when)
    arrests = tuple(_arrest(k) for k in kinds.get("suspect.arrested", []))
    attended = tuple(_attendance(k) for k in kinds.get("suspect.attended_voluntarily", []))
    interviews = tuple(_interview(k) for k in kinds.get("interview.recorded", []))
    records = _span(
        index.person_records(person_id),
        *(k.records for ks in kinds.values() for k in ks),
        *(o.records for o in offences),
    )
    return Defendant(
        person=person,
        youth=None if age is None else age < _ADULT,
        age=age,
        identified=_identification(identified[0]) if identified else None,
        arrests=arrests,
        voluntary_attendances=attended,
        interviews=interviews,
        offences=offences,
        bail=_bail(bails[-1]) if bails else None,
        bail_history=tuple(k.seq for k in bails),
        hearings=hearings,
        records=records,
    )


def _date_of_birth(index: CaseIndex, person_id: bytes) -> object:
    records = index.person_records(person_id)
    return index.personal_of(records[0]).get("date_of_birth") if records else None
