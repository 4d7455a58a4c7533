"""What a case file still lacks to be a file of its type (docs/CASEFILE.md §4).

The rules follow the Director's Guidance on Charging (6th edition) and the
National File Standard as far as the records can show them: a pre-charge
file asks for a charging decision, an anticipated guilty plea file (GAP)
goes to the first hearing after charge, an anticipated not-guilty plea file
(NGAP) adds what a trial needs, and a missing-person file tracks the
investigation until the person is found safe and well. Each lack names an
item code, the form it belongs on and, where records show it, the records.
Forms the audience may not see (MG3, MG6D, MG6E for anyone but the police
and the CPS) are not judged: their absence is the audience's, not the file's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

from casefile.errors import InputError
from casefile.projections._casefile_forms import (
    CaseFile,
    Completeness,
    Lack,
    Schedule,
    SummaryPoint,
)
from casefile.projections._casefile_model import (
    PersonRef,
    PointToProve,
)
from casefile.projections._cite import Cite, Cites, cite_of, position

__all__ = ["FILE_TYPES", "completeness"]

#: The file types a case file may be judged as.
FILE_TYPES: Final = (
    "pre_charge",
    "anticipated_guilty_plea",
    "anticipated_not_guilty_plea",
    "missing_person",
)

_Rule = Callable[[CaseFile], Iterator[Lack]]


def _who(person: PersonRef) -> str:
    return (
        person.name
        if isinstance(person.name, str) and person.name
        else f"person {person.person_id.hex()}"
    )


def _suspects(file: CaseFile) -> Iterator[Lack]:
    if not file.mg1.defendants:
        yield Lack("suspect", "MG1", "no suspect has been identified")
    elif not any(d.offences for d in file.mg1.defendants):
        yield Lack("offence", "MG1", "no offence has been alleged against any suspect")


def _points(file: CaseFile) -> Iterator[Lack]:
    """Each offence has points to prove, and each point cites evidence.

    A point is an element of an offence, on the offence itself or on the MG5;
    it lacks evidence only if no point of that element of that offence cites any.
    """
    summary: dict[Cite, list[SummaryPoint]] = {}
    if file.mg5 is not None:
        for point in file.mg5.points:
            summary.setdefault(point.offence, []).append(point)
    for d in file.mg1.defendants:
        for o in d.offences:
            points: list[PointToProve | SummaryPoint] = [
                *o.points_to_prove,
                *summary.get(o.offence, []),
            ]
            if not points:
                yield Lack(
                    "points_to_prove",
                    "MG5",
                    f"offence {cite_of(o.offence)} ({o.title}) has no points to prove",
                    o.records,
                )
            proved = {p.element for p in points if p.evidence}
            seen: set[str] = set()
            for p in points:
                if p.element not in proved and p.element not in seen:
                    seen.add(p.element)
                    yield Lack(
                        "point_evidence",
                        "MG5",
                        f"point to prove {p.element!r} of offence {cite_of(o.offence)} "
                        "cites no evidence",
                        p.records,
                    )


def _charging_requests(file: CaseFile) -> Iterator[Lack]:
    if file.mg3 is None:
        return
    requested = {seq for r in file.mg3 for seq in r.offences}
    for d in file.mg1.defendants:
        for o in d.offences:
            if o.charge is None and o.offence not in requested:
                yield Lack(
                    "charging_request",
                    "MG3",
                    "no charging decision has been requested for offence "
                    f"{cite_of(o.offence)} ({o.title})",
                    o.records,
                )


def _summary(file: CaseFile) -> Iterator[Lack]:
    if file.mg5 is None:
        yield Lack("case_summary", "MG5", "no case summary has been written")


def _evidence_cited(file: CaseFile) -> set[Cite]:
    cited = {s for d in file.mg1.defendants for o in d.offences for p in o.points_to_prove
             for s in p.evidence}  # fmt: skip
    if file.mg5 is not None:
        cited.update(s for p in file.mg5.points for s in p.evidence)
    return cited


def _key_statements(file: CaseFile) -> Iterator[Lack]:
    if not file.mg11:
        yield Lack("witness_statement", "MG11", "no witness statement has been recorded")
        return
    cited = _evidence_cited(file)
    # The key statements are those cited as evidence of a point to prove; until
    # any is cited, every statement is.
    key = [s for s in file.mg11 if s.statement in cited] or list(file.mg11)
    for s in key:
        if not s.signatures:
            yield _unsigned(s.statement, s.witness, s.records)


def _unsigned(seq: Cite, witness: PersonRef, records: Cites) -> Lack:
    return Lack(
        "statement_signature",
        "MG11",
        f"statement {cite_of(seq)} of {_who(witness)} is not signed",
        records,
    )


def _all_statements_signed(file: CaseFile) -> Iterator[Lack]:
    if not file.mg11:
        yield Lack("witness_statement", "MG11", "no witness statement has been recorded")
    for s in file.mg11:
        if not s.signatures:
            yield _unsigned(s.statement, s.witness, s.records)


def _interviews(file: CaseFile) -> Iterator[Lack]:
    for d in file.mg1.defendants:
        if d.offences and not d.interviews:
            yield Lack(
                "interview", "MG1", f"no interview of {_who(d.person)} is recorded", d.records
            )


def _charged(file: CaseFile) -> Iterator[Lack]:
    for d in file.mg1.defendants:
        if d.offences and not any(o.charge is not None for o in d.offences):
            yield Lack("charge", "MG1", f"{_who(d.person)} has not been charged", d.records)
        elif d.offences and d.bail is None:
            yield Lack(
                "bail_status",
                "MG1",
                f"no bail or remand status of {_who(d.person)} is recorded",
                d.records,
            )
    if file.mg1.first_hearing is None:
        yield Lack("first_hearing", "MG1", "no first hearing has been listed")


def _numbers(items: tuple[int, ...]) -> str:
    return ("item " if len(items) == 1 else "items ") + ", ".join(map(str, items))


def _schedule(name: str, form: str, schedule: Schedule | None) -> Iterator[Lack]:
    """A schedule certified at its current state, and the prosecutor's decision on each item.

    Current means its latest revision lists exactly the items of its kind as
    they stand: none (a nil schedule) when there are none. An item recorded
    since, or one whose sensitivity was corrected since, makes it stale.
    """
    kind = "sensitive" if name == "mg6d" else "non-sensitive"
    pending = () if schedule is None else schedule.pending
    awaiting = tuple(i.item for i in pending)
    records = tuple(sorted({s for i in pending for s in i.records}))
    if schedule is None or schedule.revision is None:
        if awaiting:
            message = f"the {form} has not been certified: {_numbers(awaiting)} await it"
        else:
            message = f"the {form} has not been certified nil: no {kind} item is recorded"
        yield Lack("schedule", form, message, records)
    elif awaiting or schedule.reclassified:
        why = []
        if awaiting:
            why.append(f"{_numbers(awaiting)} of its kind not listed")
        if schedule.reclassified:
            moved = "non-sensitive" if name == "mg6d" else "sensitive"
            verb = "is" if len(schedule.reclassified) == 1 else "are"
            why.append(f"{_numbers(schedule.reclassified)} listed that {verb} now {moved}")
        latest = (schedule.revisions[-1],) if schedule.revisions else ()
        yield Lack(
            "schedule",
            form,
            f"the {form} needs a new revision: revision {schedule.revision} has "
            + " and ".join(why),
            tuple(sorted({*records, *latest})),
        )
    # Every item that belongs on the schedule, listed yet or not, needs the prosecutor's
    # decision; an item reclassified is judged on the schedule it now belongs to.
    for item in () if schedule is None else (*schedule.items, *pending):
        if item.decision is None:
            yield Lack(
                "unused_decision",
                form,
                f"the prosecutor has not decided on item {item.item}",
                item.records,
            )
        elif item.reclassified_by is not None and position(item.decision.records[0]) < position(
            item.reclassified_by
        ):
            # Sensitive material is decided on its own terms (public interest immunity), and
            # material no longer sensitive may now be disclosed: a decision on the item as
            # the other kind does not stand.
            yield Lack(
                "unused_decision",
                form,
                f"the prosecutor's decision on item {item.item} (record "
                f"{item.decision.records[0]}) predates its correction to {kind} (record "
                f"{item.reclassified_by})",
                item.records,
            )


def _unused(file: CaseFile) -> Iterator[Lack]:
    yield from _schedule("mg6c", "MG6C", file.mg6c)
    if file.mg3 is not None:  # the prosecution's own file: MG6D is judged too
        yield from _schedule("mg6d", "MG6D", file.mg6d)


def _witness_list(file: CaseFile) -> Iterator[Lack]:
    if not file.mg9.witnesses:
        yield Lack("witness_list", "MG9", "no witness is listed")


def _continuity(file: CaseFile) -> Iterator[Lack]:
    for f in file.continuity.findings:
        yield Lack("continuity", "MG12", f"{f.kind}: {f.message}", f.records)


def _missing(file: CaseFile) -> Iterator[Lack]:
    part = file.missing_person
    if part is None or not part.people:
        yield Lack("missing_report", "missing_person", "no missing-person report is recorded")
        return
    for p in part.people:
        who = _who(p.person)
        if not p.risk_reviews:
            yield Lack("risk_review", "missing_person", f"no risk review of {who}", p.records)
        if not p.enquiries:
            yield Lack("enquiry", "missing_person", f"no line of enquiry for {who}", p.records)
        if p.found is None:
            yield Lack("found", "missing_person", f"{who} has not been found", p.records)
        elif p.found.safe_and_well_at is None:
            yield Lack(
                "safe_and_well",
                "missing_person",
                f"no safe-and-well check of {who} since they were found",
                p.found.records,
            )


def _findings(file: CaseFile) -> Iterator[Lack]:
    # A file whose records break a rule between them is no file to act on until it is put right.
    for f in file.findings:
        yield Lack("record_finding", "MG1", f"{f.kind}: {f.message}", f.records)


_RULES: Final[dict[str, tuple[_Rule, ...]]] = {
    "pre_charge": (_suspects, _points, _charging_requests, _summary, _interviews, _key_statements),
    "anticipated_guilty_plea": (_suspects, _charged, _summary, _interviews),
    "anticipated_not_guilty_plea": (
        _suspects,
        _charged,
        _points,
        _summary,
        _interviews,
        _unused,
        _witness_list,
        _all_statements_signed,
        _continuity,
    ),
    "missing_person": (_missing,),
}


def completeness(case_file: CaseFile, file_type: str) -> Completeness:
    """Item by item, what ``case_file`` still lacks to be a file of ``file_type``."""
    rules = _RULES.get(file_type)
    if rules is None:
        raise InputError(f"file_type: {file_type!r} is not one of {', '.join(FILE_TYPES)}")
    return Completeness(
        file_type,
        tuple(lack for rule in (_findings, *rules) for lack in rule(case_file)),
    )
