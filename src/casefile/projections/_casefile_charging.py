"""MG3 (charging requests and the prosecutor's decisions) and MG5 (the case summary).

Each ``charging.requested`` is one MG3, with the ``charging.decided`` that
names it as its ``request`` (the first: the domain refuses a second). The MG5
is the latest ``case_summary.written`` (the highest version); the earlier
versions are named by their records.
"""

from __future__ import annotations

from casefile.projections._casefile_forms import (
    CaseSummary,
    ChargingDecision,
    ChargingRequest,
    SummaryPoint,
)
from casefile.projections._casefile_read import CaseIndex, Kept, signed_by

__all__ = ["build_mg3", "build_mg5"]


def _decision(kept: Kept) -> ChargingDecision:
    f = kept.fields
    return ChargingDecision(
        decision=kept.seq,
        outcome=f.string("outcome"),
        test=f.string("test"),
        offences=f.integers("offences"),
        reasons=f.text("reasons"),
        action_plan=f.text("action_plan"),
        decided_at=kept.time_ns,
        by=f.party("by"),
        recorded_by=f.party_or_none("recorded_by"),
        signed_by=signed_by(kept.signer),
        records=kept.records,
    )


def build_mg3(index: CaseIndex) -> tuple[ChargingRequest, ...]:
    """One MG3 per charging request, in the order they were made."""
    decided: dict[int, Kept] = {}
    for kept in index.of("charging.decided"):
        decided.setdefault(kept.fields.integer("request"), kept)
    out = []
    for kept in index.of("charging.requested"):
        f = kept.fields
        found = decided.get(kept.seq)
        decision = None if found is None else _decision(found)
        records = kept.records + (() if decision is None else decision.records)
        out.append(
            ChargingRequest(
                request=kept.seq,
                offences=f.integers("offences"),
                test=f.string("test"),
                summary=f.text("summary"),
                questions=f.text("questions"),
                requested_at=kept.time_ns,
                by=f.party("by"),
                recorded_by=f.party_or_none("recorded_by"),
                decision=decision,
                records=tuple(sorted(set(records))),
            )
        )
    return tuple(out)


def _point(kept: Kept, point: object) -> SummaryPoint:
    if not isinstance(point, dict):
        raise kept.wrong("points", "a list of {offence, element, evidence}")
    offence, element, evidence = point.get("offence"), point.get("element"), point.get("evidence")
    if (
        type(offence) is not int
        or type(element) is not str
        or not isinstance(evidence, list | tuple)
        or any(type(seq) is not int for seq in evidence)
    ):
        raise kept.wrong("points", "a list of {offence, element, evidence}")
    cited = tuple(evidence)
    return SummaryPoint(offence, element, cited, tuple(sorted({*kept.records, offence, *cited})))


def build_mg5(index: CaseIndex) -> CaseSummary | None:
    """The latest version of the case summary, or None if none was written."""
    versions = index.of("case_summary.written")
    if not versions:
        return None
    latest = max(versions, key=lambda k: (k.fields.integer("version"), k.seq))
    f = latest.fields
    return CaseSummary(
        version=f.integer("version"),
        anticipated_plea=f.string("anticipated_plea"),
        headline=f.text("headline"),
        chronology=f.text("chronology"),
        interview_summary=f.text("interview_summary"),
        points=tuple(_point(latest, p) for p in f.maps("points")),
        written_at=latest.time_ns,
        by=f.party("by"),
        recorded_by=f.party_or_none("recorded_by"),
        earlier_versions=tuple(k.seq for k in versions if k is not latest),
        records=latest.records,
    )
