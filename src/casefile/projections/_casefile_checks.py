"""What the case file finds wrong between records that are each authentic and schema-valid.

A verifier accepts a record that is well signed, fits its payload schema and
is signed by a key with the role its type needs (V10, V15); the rules
*between* records (a charge cites a decision to charge that offence, a
schedule lists items of its kind, a summary version is one more than the
last…) are the domain's, enforced when recording (FORMAT.md §10.4). A case
file built by an auditor from a bundle therefore reads them as the records
say and reports each broken rule here, never presenting it as fact: each
finding names its kind, the record at fault and every record it involves, and
any finding makes the file incomplete (docs/CASEFILE.md §2.4).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from casefile.projections._casefile_forms import FindingItem
from casefile.projections._casefile_read import PROSECUTOR_TYPES, CaseIndex, Kept
from casefile.projections._cite import cite_of
from casefile.signing._trust import PROSECUTOR_ROLE
from casefile.verifier._actor import person_identity
from casefile.verifier._evidence_types import EVIDENCE_TYPES

__all__ = ["record_findings"]


def _finding(kind: str, kept: Kept, message: str, *others: int) -> FindingItem:
    records = tuple(sorted({*kept.records, *others}))
    return FindingItem(
        kind, f"record {cite_of(kept.seq)} ({kept.event_type}) {message}", kept.seq, None, records
    )


def record_findings(index: CaseIndex) -> tuple[FindingItem, ...]:
    """Every broken rule between the case file's records, in the order of the record at fault."""
    found = [
        *_charging(index),
        *_charges(index),
        *_prosecutor(index),
        *_points(index),
        *_summaries(index),
        *_unused(index),
        *_hearings(index),
        *_victims(index),
        *_missing(index),
    ]
    return tuple(sorted(found, key=lambda f: (f.seq or 0, f.kind)))


def _earlier(index: CaseIndex, seq: int, before: int, kind: str) -> bool:
    return seq < before and index.types.get(seq) == kind


def _charging(index: CaseIndex) -> Iterator[FindingItem]:
    requests: dict[int, Kept] = {}
    for k in index.of("charging.requested"):
        requests[k.seq] = k
        for o in k.fields.integers("offences"):
            if not _earlier(index, o, k.seq, "offence.alleged"):
                yield _finding(
                    "request_offence_unknown",
                    k,
                    f"names offence {cite_of(o)}, which is no earlier alleged offence",
                    o,
                )
    decided: dict[int, int] = {}
    for k in index.of("charging.decided"):
        f = k.fields
        request = f.integer("request")
        asked = requests.get(request)
        if asked is None or request > k.seq:
            yield _finding(
                "decision_request_unknown",
                k,
                f"decides request {cite_of(request)}, which is no earlier charging request",
            )
            continue
        if request in decided:
            yield _finding(
                "decision_repeated",
                k,
                f"decides request {cite_of(request)} again; "
                f"the MG3 shows record {cite_of(decided[request])}",
                request,
                decided[request],
            )
            continue
        decided[request] = k.seq
        outcome, offences = f.string("outcome"), f.integers("offences")
        outside = [o for o in offences if o not in asked.fields.integers("offences")]
        if outcome == "charge" and (not offences or outside):
            yield _finding(
                "decision_offences_invalid",
                k,
                "decides to charge offences that are not those of its request",
                request,
            )
        elif outcome != "charge" and offences:
            yield _finding(
                "decision_offences_invalid",
                k,
                f"has outcome {outcome} yet names offences to charge",
                request,
            )


def _charges(index: CaseIndex) -> Iterator[FindingItem]:
    charged: dict[int, int] = {}
    for k in index.of("offence.charged"):
        f = k.fields
        offence, decision = f.integer("offence"), f.integer_or_none("decision")
        if not _earlier(index, offence, k.seq, "offence.alleged"):
            yield _finding(
                "charge_offence_unknown",
                k,
                f"charges offence {cite_of(offence)}, which is no earlier alleged offence",
            )
        elif offence in charged:
            yield _finding(
                "charged_twice",
                k,
                f"charges offence {offence}, already charged by record {cite_of(charged[offence])}",
                charged[offence],
            )
        charged.setdefault(offence, k.seq)
        if decision is None:
            continue
        cited = index.by_seq.get(decision)
        if cited is None or not _earlier(index, decision, k.seq, "charging.decided"):
            yield _finding(
                "charge_decision_invalid",
                k,
                f"cites record {cite_of(decision)}, which is no earlier charging decision",
            )
            continue
        outcome = cited.fields.string("outcome")
        if outcome != "charge":
            yield _finding(
                "charge_decision_invalid",
                k,
                f"cites decision {cite_of(decision)}, whose outcome is {outcome}, not charge",
                decision,
            )
        elif offence not in cited.fields.integers("offences"):
            yield _finding(
                "charge_decision_invalid",
                k,
                f"cites decision {cite_of(decision)}, "
                f"which does not decide to charge offence {cite_of(offence)}",
                decision,
            )


def _prosecutor(index: CaseIndex) -> Iterator[FindingItem]:
    for kind in sorted(PROSECUTOR_TYPES):
        for k in index.of(kind):
            if k.signer is not None and PROSECUTOR_ROLE not in k.signer.roles:
                yield _finding(
                    "not_signed_by_prosecutor",
                    k,
                    f"is signed by {k.signer.name}, whose key has no role {PROSECUTOR_ROLE}",
                )
            if k.data.get("recorded_by") is not None:
                actor = person_identity(k.data.get("by"))
                confirmed = [person_identity(by) for by in index.confirmations.get(k.seq, [])]
                if actor is None or actor not in confirmed:
                    yield _finding(
                        "prosecutor_unconfirmed",
                        k,
                        "was keyed on the prosecutor's behalf, who has not confirmed it",
                    )
    for correction, target in index.unapplied:
        kept = index.by_seq[target]
        yield FindingItem(
            "correction_not_applied",
            f"record {cite_of(correction)} (record.corrected) corrects the prosecutor's decision "
            f"{cite_of(target)}, "
            "which only a further decision changes; it is not applied",
            correction,
            None,
            tuple(sorted({correction, *kept.records})),
        )


def _cited(index: CaseIndex, k: Kept, point: Mapping[str, Any]) -> Iterator[FindingItem]:
    evidence = point.get("evidence")
    for seq in evidence if isinstance(evidence, list | tuple) else ():
        if type(seq) is int and (seq >= k.seq or index.types.get(seq) not in EVIDENCE_TYPES):
            yield _finding(
                "point_evidence_invalid",
                k,
                f"cites record {cite_of(seq)} as evidence of {point.get('element')!r}, "
                "which is no earlier evidence record",
            )


def _points(index: CaseIndex) -> Iterator[FindingItem]:
    for k in index.of("offence.alleged"):
        for point in k.fields.maps("points_to_prove"):
            yield from _cited(index, k, point)
    for k in index.of("case_summary.written"):
        for point in k.fields.maps("points"):
            offence = point.get("offence")
            if type(offence) is int and not _earlier(index, offence, k.seq, "offence.alleged"):
                yield _finding(
                    "point_offence_unknown",
                    k,
                    f"has a point of offence {cite_of(offence)}, "
                    "which is no earlier alleged offence",
                )
            yield from _cited(index, k, point)


def _summaries(index: CaseIndex) -> Iterator[FindingItem]:
    last = 0
    for k in index.of("case_summary.written"):
        version = k.fields.integer("version")
        if version != last + 1:
            yield _finding(
                "summary_version_gap", k, f"is version {version}, where version {last + 1} was due"
            )
        last = max(last, version)


def _unused(index: CaseIndex) -> Iterator[FindingItem]:
    items: dict[int, Kept] = {}
    for k in index.of("unused.item_recorded"):
        number = k.fields.integer("item")
        if number in items:
            yield _finding(
                "unused_item_repeated",
                k,
                f"records item {number} again; "
                f"the case file shows record {cite_of(items[number].seq)}",
                items[number].seq,
            )
        items.setdefault(number, k)
    for k in index.of("unused.decided"):
        number = k.fields.integer("item")
        if number not in items or items[number].seq > k.seq:
            yield _finding(
                "unused_decision_unknown_item",
                k,
                f"decides on item {number}, which was never recorded before it",
            )
    last: dict[str, int] = {}
    for k in index.of("unused.scheduled"):
        name, revision = k.fields.string("schedule"), k.fields.integer("revision")
        if revision != last.get(name, 0) + 1:
            yield _finding(
                "schedule_revision_gap",
                k,
                f"is {name} revision {revision}, where revision {last.get(name, 0) + 1} was due",
            )
        last[name] = max(last.get(name, 0), revision)
        for number in k.fields.integers("items"):
            item = items.get(number)
            if item is None or item.seq > k.seq:
                yield _finding(
                    "schedule_item_unknown",
                    k,
                    f"lists item {number}, which was never recorded before it",
                )
            elif item.data.get("sensitive") is not (name == "mg6d") and not any(
                # Corrected since: the schedule fitted it then, and the item is pending
                # on the other schedule, which completeness reports.
                c > k.seq
                for c in item.corrected_by
            ):
                kind = "sensitive" if item.data.get("sensitive") else "not sensitive"
                yield _finding(
                    "schedule_item_misfiled",
                    k,
                    f"lists item {number} on {name}, yet the item is {kind}; it is not shown there",
                    item.seq,
                )


def _hearings(index: CaseIndex) -> Iterator[FindingItem]:
    against: dict[int, bytes] = {
        k.seq: k.fields.raw("person_id", 16) for k in index.of("offence.alleged")
    }
    charged: dict[bytes, int] = {}
    events = sorted(
        [*index.of("offence.charged"), *index.of("hearing.listed")], key=lambda k: k.seq
    )
    for k in events:
        if k.event_type == "offence.charged":
            person = against.get(k.fields.integer("offence"))
            if person is not None:
                charged.setdefault(person, k.seq)
        elif k.fields.raw("person_id", 16) not in charged:
            yield _finding(
                "hearing_uncharged",
                k,
                "lists a hearing for a person charged with no offence before it",
            )


def _victims(index: CaseIndex) -> Iterator[FindingItem]:
    for k in index.of("vps.recorded"):
        person = k.fields.raw("person_id", 16)
        if index.person(person).role != "victim":
            yield _finding(
                "vps_not_victim",
                k,
                "records a victim personal statement of a person who is not a victim",
            )
        statement = k.fields.integer_or_none("statement")
        outcome = k.fields.string("outcome")
        if (statement is None) != (outcome != "made"):
            yield _finding(
                "vps_statement_invalid",
                k,
                f"has outcome {outcome} and statement {cite_of(statement)}",
            )
        elif statement is not None:
            cited = index.by_seq.get(statement)
            if (
                cited is None
                or not _earlier(index, statement, k.seq, "statement.recorded")
                or cited.data.get("witness_id") != person
            ):
                yield _finding(
                    "vps_statement_invalid",
                    k,
                    f"cites record {cite_of(statement)}, "
                    "which is no earlier statement of the victim",
                )


def _missing(index: CaseIndex) -> Iterator[FindingItem]:
    reported: dict[bytes, int | None] = {}  # person -> the found record since the last report
    events = sorted(
        [*index.of("missing_person_report.recorded"), *index.of("missing.found")],
        key=lambda k: k.seq,
    )
    for k in events:
        person = k.fields.raw("person_id", 16)
        if k.event_type == "missing_person_report.recorded":
            reported[person] = None
        elif person not in reported:
            yield _finding(
                "found_unreported", k, "records a person found who was never reported missing"
            )
        elif (earlier := reported[person]) is not None:
            yield _finding(
                "found_twice",
                k,
                f"records a person found again, already found by record {cite_of(earlier)}",
                earlier,
            )
        else:
            reported[person] = k.seq
