"""The missing-person section: per person reported missing, the investigation of it.

A person appears here once a ``missing_person_report.recorded`` names them;
their risk reviews, sightings, lines of enquiry and the record of their being
found (the latest ``missing.found``, with the safe-and-well check) follow in
record order.
"""

from __future__ import annotations

from casefile.projections._casefile_forms import (
    EnquiryLine,
    Found,
    MissingPerson,
    MissingPersonPart,
    MissingReport,
    RiskReview,
    Sighting,
)
from casefile.projections._casefile_read import CaseIndex, Kept

__all__ = ["build_missing_person"]

_KINDS = (
    "missing_person_report.recorded",
    "missing.risk_reviewed",
    "missing.sighting_recorded",
    "missing.enquiry_recorded",
    "missing.found",
)


def _report(kept: Kept) -> MissingReport:
    f = kept.fields
    return MissingReport(
        f.integer("last_seen_at"),
        f.string("risk"),
        f.text("last_seen_place"),
        f.text("circumstances"),
        kept.time_ns,
        kept.records,
    )


def _review(kept: Kept) -> RiskReview:
    f = kept.fields
    return RiskReview(
        risk=f.string("risk"),
        next_review_at=f.integer_or_none("next_review"),
        reasons=f.text("reasons"),
        reviewed_at=kept.time_ns,
        by=f.party("by"),
        recorded_by=f.party_or_none("recorded_by"),
        records=kept.records,
    )


def _sighting(kept: Kept) -> Sighting:
    f = kept.fields
    return Sighting(
        f.integer("seen_at"),
        f.text("place"),
        f.text("details"),
        f.party("by"),
        f.party_or_none("recorded_by"),
        kept.records,
    )


def _enquiry(kept: Kept) -> EnquiryLine:
    f = kept.fields
    return EnquiryLine(
        f.string("status"),
        f.text("enquiry"),
        f.text("result"),
        f.party("by"),
        f.party_or_none("recorded_by"),
        kept.records,
    )


def _found(kept: Kept) -> Found:
    f = kept.fields
    return Found(
        found_at=f.integer("found_at"),
        outcome=f.string("outcome"),
        place=f.text("place"),
        found_by=f.text("found_by"),
        safe_and_well_at=f.integer_or_none("safe_and_well_at"),
        safe_and_well=f.text("safe_and_well"),
        by=f.party("by"),
        recorded_by=f.party_or_none("recorded_by"),
        records=kept.records,
    )


def build_missing_person(index: CaseIndex) -> MissingPersonPart | None:
    """Every person reported missing, in report order; None when nobody was."""
    groups: dict[bytes, dict[str, list[Kept]]] = {}
    for kind in _KINDS:
        for kept in index.of(kind):
            person = kept.fields.raw("person_id", 16)
            if kind == _KINDS[0] or person in groups:
                groups.setdefault(person, {}).setdefault(kind, []).append(kept)
    if not groups:
        return None
    people = []
    for person_id, kinds in groups.items():
        found = kinds.get("missing.found", [])
        records = {
            *index.person_records(person_id),
            *(s for ks in kinds.values() for k in ks for s in k.records),
        }
        people.append(
            MissingPerson(
                person=index.person(person_id),
                reports=tuple(_report(k) for k in kinds.get(_KINDS[0], [])),
                risk_reviews=tuple(_review(k) for k in kinds.get(_KINDS[1], [])),
                sightings=tuple(_sighting(k) for k in kinds.get(_KINDS[2], [])),
                enquiries=tuple(_enquiry(k) for k in kinds.get(_KINDS[3], [])),
                found=_found(found[-1]) if found else None,
                records=tuple(sorted(records)),
            )
        )
    return MissingPersonPart(tuple(people))
