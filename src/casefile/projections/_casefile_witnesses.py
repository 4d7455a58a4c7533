"""MG9 (the witness list) and MG11 (one per witness statement).

An MG11 is a ``statement.recorded`` as it now stands (corrections applied,
its body as the reader sees it) with the ``statement.signed`` records of its
``statement_id``. The MG9 lists every person who made a statement, in the
order of their first one, with their victim personal statement (the latest
``vps.recorded``) and, unless the file is for the defence, their care needs:
the latest value of each ``witness_care.assessed`` field disclosed to the
reader, falling back to the ``dates_to_avoid`` and ``special_measures`` of
the person's own record.
"""

from __future__ import annotations

from typing import Any, Final

from casefile.projections._casefile_forms import (
    CareNeeds,
    Signature,
    Statement,
    VictimStatement,
    Witness,
    WitnessList,
)
from casefile.projections._casefile_model import Undisclosed
from casefile.projections._casefile_read import CaseIndex, Kept

__all__ = ["CARE_FIELDS", "build_mg9", "build_mg11"]

#: The personal fields of ``witness_care.assessed``, in the MG9's order.
CARE_FIELDS: Final = ("care_needs", "interpreter", "special_measures", "dates_to_avoid")


def _signature(kept: Kept) -> Signature:
    f = kept.fields
    return Signature(
        f.string("signatory"),
        f.string_or_none("reader_declaration"),
        f.raw_or_none("signature_sha256", 32),
        kept.time_ns,
        kept.records,
    )


def build_mg11(index: CaseIndex) -> tuple[Statement, ...]:
    """One MG11 per statement, in the order they were recorded."""
    signed: dict[bytes, list[Kept]] = {}
    for kept in index.of("statement.signed"):
        signed.setdefault(kept.fields.raw("statement_id", 16), []).append(kept)
    out = []
    for kept in index.of("statement.recorded"):
        f = kept.fields
        statement_id = f.raw("statement_id", 16)
        signatures = tuple(_signature(k) for k in signed.get(statement_id, []))
        out.append(
            Statement(
                statement=kept.seq,
                statement_id=statement_id,
                witness=index.person(f.raw("witness_id", 16)),
                declaration=f.string("declaration"),
                over_18=f.flag("over_18"),
                age=f.integer_or_none("age"),
                taken_by=f.party("by"),
                recorded_by=f.party_or_none("recorded_by"),
                place=f.text("place"),
                started_at=f.integer("started_at"),
                ended_at=f.integer("ended_at"),
                exhibits=f.strings("exhibits"),
                body=f.text("body"),
                signatures=signatures,
                corrected_by=tuple(kept.corrected_by),
                records=tuple(sorted({*kept.records, *(s for g in signatures for s in g.records)})),
            )
        )
    return tuple(out)


def _care(index: CaseIndex, person_id: bytes, assessed: list[Kept]) -> CareNeeds | None:
    values: dict[str, Any] = {}
    records: set[int] = set()
    added = index.person_records(person_id)
    if added:
        own = index.personal_of(added[0])
        for name in ("special_measures", "dates_to_avoid"):
            if isinstance(own.get(name), str | Undisclosed):
                values[name] = own[name]
                records.update(added)
    for kept in assessed:
        disclosed = index.personal_of(kept.seq)
        for name in CARE_FIELDS:
            if isinstance(disclosed.get(name), str | Undisclosed):
                values[name] = disclosed[name]
                records.update(kept.records)
    if not values:
        return None
    return CareNeeds(
        care_needs=values.get("care_needs"),
        interpreter=values.get("interpreter"),
        special_measures=values.get("special_measures"),
        dates_to_avoid=values.get("dates_to_avoid"),
        records=tuple(sorted(records)),
    )


def _vps(kept: Kept) -> VictimStatement:
    f = kept.fields
    statement = f.integer_or_none("statement")
    return VictimStatement(
        outcome=f.string("outcome"),
        statement=statement,
        offered_at=f.integer("offered_at"),
        by=f.party("by"),
        recorded_by=f.party_or_none("recorded_by"),
        records=tuple(sorted({*kept.records, *(() if statement is None else (statement,))})),
    )


def build_mg9(
    index: CaseIndex, statements: tuple[Statement, ...], *, with_care: bool
) -> WitnessList:
    """The witness list; care needs only ``with_care`` (never for the defence)."""
    made: dict[bytes, list[Statement]] = {}
    for statement in statements:
        made.setdefault(statement.witness.person_id, []).append(statement)
    care: dict[bytes, list[Kept]] = {}
    if with_care:
        for kept in index.of("witness_care.assessed"):
            care.setdefault(kept.fields.raw("person_id", 16), []).append(kept)
    vps: dict[bytes, Kept] = {}
    for kept in index.of("vps.recorded"):
        vps[kept.fields.raw("person_id", 16)] = kept
    witnesses = []
    for person_id, theirs in made.items():
        needs = _care(index, person_id, care.get(person_id, [])) if with_care else None
        offered = vps.get(person_id)
        victim = None if offered is None else _vps(offered)
        records = {
            *index.person_records(person_id),
            *(s.statement for s in theirs),
            *(() if needs is None else needs.records),
            *(() if victim is None else victim.records),
        }
        witnesses.append(
            Witness(
                person=theirs[0].witness,
                statements=tuple(s.statement for s in theirs),
                care=needs,
                vps=victim,
                records=tuple(sorted(records)),
            )
        )
    every = {seq for w in witnesses for seq in w.records}
    return WitnessList(tuple(witnesses), tuple(sorted(every)))
