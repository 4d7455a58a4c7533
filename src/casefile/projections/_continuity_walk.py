"""The continuity state machine: one pass over the custody records, noting every break.

Unlike the domain's commands, which refuse a record that would break
continuity, this reads records that exist — signed by trusted keys, perhaps
by other software — and reports each break as a finding, then carries on as
the record says (a handler who was not the custodian is taken to hold the
exhibit from then on), so that one break is reported once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from casefile.projections._cite import cite_of, position
from casefile.projections._continuity_exhibit import (
    CUSTODIAL,
    DISPOSED,
    EVIDENCE_STORE,
    MOVES,
    ORIGINS,
    WorkingExhibit,
)
from casefile.projections._continuity_kinds import KindRules
from casefile.projections._continuity_model import ContinuityFindingKind as K
from casefile.projections._continuity_model import CustodyEntry
from casefile.projections._custody_records import Party

__all__ = ["ContinuityWalk"]


class ContinuityWalk(KindRules):
    """Applies checked custody records in sequence order, collecting findings."""

    __slots__ = ()

    def captured(
        self, seq: int, time_ns: int, data: Mapping[str, Any], entry: CustodyEntry
    ) -> None:
        """Evidence captured into the store: an original held by its capturer from capture."""
        ref = data["exhibit"]
        if ref in self.exhibits:
            self.find(K.DUPLICATE_EXHIBIT, seq, ref, f"exhibit {ref} is introduced a second time")
            self.exhibits[ref].entries.append(entry)
            return
        captured = data.get("captured_at")
        if type(captured) is int and captured > time_ns:
            # Device clocks are assertions; a capture dated after its own record is one to weigh.
            self.find(
                K.TIME_OUT_OF_ORDER,
                seq,
                ref,
                f"record {cite_of(seq)} says it was captured after it was recorded",
            )
        ex = WorkingExhibit(
            ref, ref, None, True, data["description"], data["sha256"], data["media_type"],
            entry.by, seq, seq, time_ns, location=EVIDENCE_STORE, in_store=True,
        )  # fmt: skip
        ex.custodian = entry.by
        self.record(ex, entry, time_ns)

    def custody(
        self, event_type: str, time_ns: int, data: Mapping[str, Any], entry: CustodyEntry
    ) -> None:
        """One custody record: check it against the exhibit's state, then apply it."""
        seq, ref, by = position(entry.seq), data["exhibit"], entry.by
        if by is None:  # checked by the schema; custody records always name who acted
            raise ValueError("a custody entry names who acted")
        ex = self.exhibits.get(ref)
        if ex is None:
            if event_type in ORIGINS:
                self._originate(event_type, time_ns, data, entry)
            else:
                self.find(
                    K.UNKNOWN_EXHIBIT,
                    seq,
                    ref,
                    f"{event_type} names exhibit {ref}, which no record introduced",
                )
            return
        when = self._when(ex, time_ns, data, seq)
        if ex.status in DISPOSED:
            self.find(
                K.ACTIVITY_AFTER_DISPOSAL,
                seq,
                ref,
                f"{event_type} after exhibit {ref} was {ex.status} (record {cite_of(ex.last_seq)})",
            )
            ex.entries.append(dataclasses.replace(entry, time_ns=when))
            return
        if event_type in ORIGINS and not self._may_arrive(event_type, ex, seq):
            ex.entries.append(dataclasses.replace(entry, time_ns=when))
            return
        self._check_gap(ex, when, seq)
        if event_type in CUSTODIAL:
            self._check_custodian(event_type, ex, by, seq)
            ex.custodian = by
        self.current = dataclasses.replace(entry, time_ns=when)
        getattr(self, "_" + event_type.removeprefix("exhibit."))(ex, data, by, seq, when)
        if event_type in MOVES:
            ex.location = data["place"]
        self.record(ex, self.current, when)

    # --- the checks ---------------------------------------------------------------

    def _when(self, ex: WorkingExhibit, time_ns: int, data: Mapping[str, Any], seq: int) -> int:
        occurred = data["occurred_at"]
        when = time_ns if occurred is None else occurred
        if when > time_ns:
            self.find(
                K.TIME_OUT_OF_ORDER,
                seq,
                ex.reference,
                f"record {cite_of(seq)} says it happened after it was recorded",
            )
            when = time_ns
        if when < ex.last_ns:
            self.find(
                K.TIME_OUT_OF_ORDER,
                seq,
                ex.reference,
                f"record {cite_of(seq)} happened before exhibit {ex.reference}'s previous event "
                f"(record {cite_of(ex.last_seq)})",
            )
            when = ex.last_ns
        return when

    def _check_gap(self, ex: WorkingExhibit, when: int, seq: int) -> None:
        if ex.status == "active" and not ex.in_store and when - ex.last_ns > self.policy.max_gap_ns:
            days = (when - ex.last_ns) // (86_400 * 10**9)
            self.find(
                K.UNEXPLAINED_GAP,
                seq,
                ex.reference,
                f"no custody record of exhibit {ex.reference} for {days} days, outside a "
                f"store (records {cite_of(ex.last_seq)} to {cite_of(seq)})",
            )

    def _check_custodian(self, event_type: str, ex: WorkingExhibit, by: Party, seq: int) -> None:
        held = ex.custodian
        if held is None:
            self.find(
                K.CUSTODIAN_CHANGED_WITHOUT_TRANSFER,
                seq,
                ex.reference,
                f"{by.describe()} handled exhibit {ex.reference} ({event_type}) while "
                f"nobody held it on record",
            )
        elif held.identity != by.identity:
            self.find(
                K.CUSTODIAN_CHANGED_WITHOUT_TRANSFER,
                seq,
                ex.reference,
                f"exhibit {ex.reference} was held by {held.describe()}, but {by.describe()} "
                f"handled it ({event_type}) with no transfer recorded",
            )

    def _may_arrive(self, event_type: str, ex: WorkingExhibit, seq: int) -> bool:
        if event_type == "exhibit.located" and ex.status != "lost":
            held = "" if ex.custodian is None else f", held by {ex.custodian.describe()}"
        elif event_type != "exhibit.located" and ex.custodian is not None:
            held = f", held by {ex.custodian.describe()}"
        else:
            return True
        self.find(
            K.DUPLICATE_EXHIBIT,
            seq,
            ex.reference,
            f"exhibit {ex.reference} already exists (record {cite_of(ex.first_seq)}{held})",
        )
        return False

    def _originate(
        self, event_type: str, time_ns: int, data: Mapping[str, Any], entry: CustodyEntry
    ) -> None:
        ref, seq = data["exhibit"], position(entry.seq)
        occurred = data["occurred_at"]
        when = time_ns if occurred is None else min(occurred, time_ns)
        if occurred is not None and occurred > time_ns:
            self.find(
                K.TIME_OUT_OF_ORDER,
                seq,
                ref,
                f"record {cite_of(seq)} says it happened after it was recorded",
            )
        ex = WorkingExhibit(
            ref, ref, None, True, data["description"], data["sha256"], data["media_type"],
            entry.by, seq, seq, when, location=data["place"],
        )  # fmt: skip
        if event_type != "exhibit.located":
            ex.custodian = entry.by
        self.record(ex, dataclasses.replace(entry, time_ns=when), when)
