"""The exhibit register of a case: each exhibit's chain of custody and every break in it.

:func:`build_exhibit_register` reads a case's authenticated records — the
:class:`~casefile.verifier.VerifiedRecord` values of a verified case, or any
:class:`~casefile.projections.CaseRecord` — in one pass, keeping only custody
records, captured evidence and corrections of them, and returns an
:class:`ExhibitRegister`. It needs no domain classes, database or network, so
an auditor's offline verifier can run it over a handed-over bundle.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from casefile._time import instant_ns
from casefile.findings import Finding
from casefile.projections._cite import cite_of, cited, citing
from casefile.projections._continuity_exhibit import WorkingExhibit
from casefile.projections._continuity_model import ContinuityFindingKind as K
from casefile.projections._continuity_model import (
    ContinuityPolicy,
    CustodyEntry,
    ExhibitHistory,
    ExhibitRegister,
)
from casefile.projections._continuity_walk import ContinuityWalk
from casefile.projections._custody_records import (
    CAPTURED_TYPE,
    CONFIRMATION_TYPE,
    CORRECTION_TYPE,
    CUSTODY_TYPES,
    CaseRecord,
    Party,
    check_custody_data,
    check_party,
    correctable_fields,
    naming_apart,
)
from casefile.projections._story_records import story_records
from casefile.projections._texts import require_kept
from casefile.signing._trust import TrustEntry
from casefile.verifier._actor import actor_problem

__all__ = ["build_exhibit_register"]

_DEFAULT_POLICY: Final = ContinuityPolicy()
_COMMON: Final = frozenset({"exhibit", "by", "recorded_by", "place", "occurred_at"})
_DAY: Final = 86_400 * 10**9
#: Records handing an exhibit to ``to``, whose receipt ``to`` may confirm.
_RECEIPTS: Final = frozenset({"exhibit.transferred", "exhibit.booked"})


@dataclass(slots=True)
class _Kept:
    event_type: str
    time_ns: int
    data: dict[str, Any]
    signer: TrustEntry | None
    corrected_by: list[int] = field(default_factory=list)
    confirmed_by: int | None = None
    receipt_confirmed_by: int | None = None


def _exhibit_of(data: Mapping[str, Any]) -> str | None:
    ref = data.get("exhibit")
    return ref if type(ref) is str else None


def build_exhibit_register(
    records: Iterable[CaseRecord],
    *,
    policy: ContinuityPolicy = _DEFAULT_POLICY,
    as_of: int | datetime.datetime | None = None,
    captures: Mapping[uuid.UUID, Sequence[CaseRecord]] | None = None,
) -> ExhibitRegister:
    """Every exhibit's custody timeline and the continuity findings, from a case's records.

    ``records`` are authenticated records in sequence order. ``policy`` sets
    the longest pause allowed outside a store; with ``as_of`` (ns since the
    epoch, or an aware datetime) a pause running up to that time is reported
    too. Records that do not fit their schema are reported as findings, never
    raised. The records of a case verified without keeping them
    (``keep_records=False``) are refused with :class:`~casefile.errors.InputError`:
    they would show a case with no exhibits. ``captures`` maps the id of
    each capture stream the case bound to that stream's records (from 1, in
    order): the register then reads the case's story (docs/FORMAT.md §12.5)
    and cites a captured record as ``"<stream-uuid>#<seq>"``.
    """
    require_kept(records)
    if captures:
        story = story_records(records, captures)
        with citing(story.cites), naming_apart(story.apart):
            register = build_exhibit_register(story.records, policy=policy, as_of=as_of)
        return cited(register, story.cites)
    until = None if as_of is None else instant_ns(as_of, "as_of")
    kept: dict[int, _Kept] = {}
    early: list[Finding] = []
    confirmations: list[tuple[int, Mapping[str, Any]]] = []
    for rec in records:
        kind = rec.event_type
        if kind in CUSTODY_TYPES or kind == CAPTURED_TYPE:
            problem = (
                f"schema {rec.schema} is not understood"
                if rec.schema != 1
                else check_custody_data(kind, rec.data) or _actor(rec)
            )
            if problem is not None:
                early.append(_malformed(rec.seq, _exhibit_of(rec.data), f"{kind}: {problem}"))
            else:
                kept[rec.seq] = _Kept(kind, rec.time_ns, dict(rec.data), rec.signer)
        elif kind == CORRECTION_TYPE:
            _correct(kept, rec.seq, rec.data, early, _actor(rec))
        elif kind == CONFIRMATION_TYPE and _actor(rec) is None:
            confirmations.append((rec.seq, rec.data))
    _confirm(kept, confirmations)
    walk = ContinuityWalk(policy)
    for seq in sorted(kept):
        _apply(walk, seq, kept[seq])
        if kept[seq].data.get("recorded_by") is not None and kept[seq].confirmed_by is None:
            early.append(_unconfirmed(seq, kept[seq]))
    if until is not None:
        _final_gaps(walk, until)
    exhibits = sorted(walk.exhibits.values(), key=lambda ex: (ex.first_seq, ex.reference))
    findings = sorted([*early, *walk.findings], key=lambda f: f.seq or 0)
    return ExhibitRegister(tuple(_freeze(ex) for ex in exhibits), tuple(findings))


def _actor(rec: CaseRecord) -> str | None:
    """Why ``rec``'s signer may not have made it as it says (CUSTODY.md §1.1), or None.

    A verified case passed V15 already; records from elsewhere that carry their
    signer's trust entry are held to the same rule here, so that no key makes
    the view (or a statement) speak for someone else. Without a signer, who
    signed is not known to the view and only the verifier can judge it.
    """
    signer = rec.signer
    return None if signer is None else actor_problem(rec.event_type, rec.data, signer.holder)


def _malformed(seq: int, exhibit: str | None, message: str) -> Finding:
    return Finding(K.MALFORMED_CUSTODY_RECORD.value, message, seq, exhibit)


def _confirm(kept: dict[int, _Kept], confirmations: list[tuple[int, Mapping[str, Any]]]) -> None:
    """Mark records confirmed: on-behalf acts by their actor, receipts by their receiver.

    The first confirmation that fits counts, once per (record, person). The
    verifier refuses any other confirmation (V15); records from elsewhere are
    read as strictly: only the person the record names as acting, or as
    receiving, confirms it.
    """
    for seq, data in confirmations:
        confirms, by = data.get("confirms"), data.get("by")
        target = kept.get(confirms) if type(confirms) is int and confirms < seq else None
        if target is None or not isinstance(by, dict) or check_party(by) is not None:
            continue
        me = Party.of(by).identity
        acted = target.data.get("recorded_by") is not None
        if acted and target.confirmed_by is None and Party.of(target.data["by"]).identity == me:
            target.confirmed_by = seq
        to = target.data.get("to") if target.event_type in _RECEIPTS else None
        if to is not None and target.receipt_confirmed_by is None and Party.of(to).identity == me:
            target.receipt_confirmed_by = seq


def _unconfirmed(seq: int, kept: _Kept) -> Finding:
    by, keyed = Party.of(kept.data["by"]), Party.of(kept.data["recorded_by"])
    return Finding(
        K.ACTED_ON_BEHALF_UNCONFIRMED.value,
        f"record {cite_of(seq)} ({kept.event_type}) was made on behalf of {by.describe()} by "
        f"{keyed.describe()}, and {by.describe()} has not confirmed it",
        seq,
        _exhibit_of(kept.data),
    )


def _correct(
    kept: dict[int, _Kept],
    seq: int,
    data: Mapping[str, Any],
    out: list[Finding],
    actor: str | None,
) -> None:
    """Fold a correction of a custody record into it; its descriptive fields only.

    ``actor`` is why the correction's signer may not have made it, if so: it
    then changes nothing.
    """
    target_seq, fields = data.get("corrects"), data.get("fields")
    if type(target_seq) is not int or type(fields) is not dict:
        return
    target = kept.get(target_seq)
    if target is None:
        return
    ref = _exhibit_of(target.data)
    if actor is not None:
        out.append(_malformed(seq, ref, f"correction of record {cite_of(target_seq)}: {actor}"))
        return
    keys = sorted(set(fields) - correctable_fields(target.event_type))
    if keys:
        message = f"correction of record {cite_of(target_seq)} changes fields it may not: {keys}"
        out.append(_malformed(seq, ref, message))
        return
    merged = {**target.data, **fields}
    problem = check_custody_data(target.event_type, merged)
    if problem is not None:
        out.append(_malformed(seq, ref, f"correction of record {cite_of(target_seq)}: {problem}"))
        return
    target.data = merged
    target.corrected_by.append(seq)


def _apply(walk: ContinuityWalk, seq: int, kept: _Kept) -> None:
    data, signer = kept.data, kept.signer
    signed_by = None if signer is None else signer.name
    by = Party.of(data["by"])
    recorded_by = None if data["recorded_by"] is None else Party.of(data["recorded_by"])
    # Captured evidence names where it was captured as `location`.
    place = data["place"] if kept.event_type != CAPTURED_TYPE else data.get("location")
    details = {k: v for k, v in data.items() if k not in _COMMON}
    entry = CustodyEntry(
        seq=seq,
        event_type=kept.event_type,
        time_ns=kept.time_ns,
        recorded_ns=kept.time_ns,
        by=by,
        place=place if type(place) is str else None,
        details=details,
        signed_by=signed_by,
        corrected_by=tuple(kept.corrected_by),
        recorded_by=recorded_by,
        confirmed_by=kept.confirmed_by,
        receipt_confirmed_by=kept.receipt_confirmed_by,
    )
    if kept.event_type == CAPTURED_TYPE:
        walk.captured(seq, kept.time_ns, data, entry)
    else:
        walk.custody(kept.event_type, kept.time_ns, data, entry)


def _final_gaps(walk: ContinuityWalk, as_of: int) -> None:
    for ex in walk.exhibits.values():
        idle = as_of - ex.last_ns
        if ex.status == "active" and not ex.in_store and idle > walk.policy.max_gap_ns:
            walk.find(
                K.UNEXPLAINED_GAP,
                ex.last_seq,
                ex.reference,
                f"no custody record of exhibit {ex.reference} for {idle // _DAY} days since "
                f"record {cite_of(ex.last_seq)}, outside a store",
            )


def _freeze(ex: WorkingExhibit) -> ExhibitHistory:
    return ExhibitHistory(
        reference=ex.reference,
        root=ex.root,
        source=ex.source,
        original=ex.original,
        description=ex.description,
        sha256=ex.sha256,
        media_type=ex.media_type,
        produced_by=ex.produced_by,
        first_seq=ex.first_seq,
        last_seq=ex.last_seq,
        custodian=ex.custodian,
        location=ex.location,
        property_ref=ex.property_ref,
        bag=ex.bag,
        seal=ex.seal,
        sealed=ex.sealed,
        in_store=ex.in_store,
        status=ex.status,
        damaged=ex.damaged,
        entries=tuple(ex.entries),
        spans=tuple(ex.spans),
    )
