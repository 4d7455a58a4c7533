"""MG6C, MG6D and MG6E: the unused material schedules and the disclosure officer's report.

An item stands as its ``unused.item_recorded`` record, corrections applied.
Its decision is the prosecutor's latest ``unused.decided`` on it (a later
decision replaces an earlier one). MG6C and MG6D list the items of the latest
``unused.scheduled`` revision of each schedule, as the items now stand; the
earlier revisions are named by their records. An item the revision lists whose
sensitivity has since been corrected is shown by number only (``reclassified``)
and never with its detail: an item made sensitive must not stay on the MG6C
that the defence reads; an item listed on the wrong schedule when it was
certified is left off it and reported. A revision listing no item is a
certified nil schedule. MG6E lists every item that
might undermine the prosecution case or assist the defence, with the
assessment of why.
"""

from __future__ import annotations

from casefile.projections._casefile_forms import (
    Schedule,
    UndermineReport,
    UnusedDecision,
    UnusedItem,
)
from casefile.projections._casefile_read import CaseIndex, Kept, signed_by

__all__ = ["UnusedMaterial"]


def _decision(kept: Kept, prosecution: bool) -> UnusedDecision:
    f = kept.fields
    return UnusedDecision(
        decision=f.string("decision"),
        reason=f.text("reason") if prosecution else None,
        decided_at=kept.time_ns,
        by=f.party("by"),
        recorded_by=f.party_or_none("recorded_by"),
        signed_by=signed_by(kept.signer),
        records=kept.records,
    )


def _item(kept: Kept, decided: Kept | None, prosecution: bool) -> UnusedItem:
    f = kept.fields
    decision = None if decided is None else _decision(decided, prosecution)
    return UnusedItem(
        item=f.integer("item"),
        description=f.text("description"),
        location=f.text("location"),
        sensitive=f.flag("sensitive"),
        sensitivity_reason=f.text("sensitivity_reason") if prosecution else None,
        undermines_or_assists=f.flag("undermines_or_assists"),
        assessment=f.text("assessment") if prosecution else None,
        by=f.party("by"),
        recorded_by=f.party_or_none("recorded_by"),
        decision=decision,
        reclassified_by=kept.changed.get("sensitive"),
        records=tuple(sorted({*kept.records, *(() if decision is None else decision.records)})),
    )


class UnusedMaterial:
    """The unused material of a case: its items and its schedules, read once.

    With ``prosecution`` false (a file for the defence, the court or a victim)
    an item carries no sensitivity reason, no assessment of why it might
    undermine or assist (the MG6E's content) and no reason for the
    prosecutor's decision: those are the disclosure officer's and the
    prosecutor's work, not the schedule served.
    """

    __slots__ = ("_schedules", "items")

    def __init__(self, index: CaseIndex, prosecution: bool = True) -> None:
        latest: dict[int, Kept] = {}
        for kept in index.of("unused.decided"):
            latest[kept.fields.integer("item")] = kept
        self.items: dict[int, UnusedItem] = {}
        for kept in index.of("unused.item_recorded"):
            number = kept.fields.integer("item")
            self.items.setdefault(number, _item(kept, latest.get(number), prosecution))
        self._schedules: dict[str, list[Kept]] = {}
        for kept in index.of("unused.scheduled"):
            self._schedules.setdefault(kept.fields.string("schedule"), []).append(kept)

    def schedule(self, name: str) -> Schedule | None:
        """Schedule ``name`` (``mg6c`` or ``mg6d``) at its latest revision, or None if it has
        neither a revision nor an item that belongs on it."""
        sensitive = name == "mg6d"
        revisions = self._schedules.get(name, [])
        last = max(revisions, key=lambda k: (k.fields.integer("revision"), k.seq), default=None)
        listed = () if last is None else last.fields.integers("items")
        # An item not of this schedule's kind as it stands is never shown on it (a
        # sensitive item on the MG6C would reach the defence): a finding names it.
        items = tuple(
            self.items[n]
            for n in listed
            if n in self.items and self.items[n].sensitive is sensitive
        )
        reclassified = tuple(
            n for n in listed if n in self.items and self.items[n].sensitive is not sensitive
        )
        on = set(listed)
        pending = tuple(
            i for n, i in sorted(self.items.items()) if i.sensitive is sensitive and n not in on
        )
        if last is None and not pending:
            return None
        records = {s for i in (*items, *pending) for s in i.records}
        return Schedule(
            schedule=name,
            revision=None if last is None else last.fields.integer("revision"),
            items=items,
            pending=pending,
            nil=last is not None and not listed,
            reclassified=reclassified,
            disclosure_officer=None if last is None else last.fields.party("by"),
            certified_at=None if last is None else last.time_ns,
            revisions=tuple(k.seq for k in revisions),
            records=tuple(sorted(records | set(() if last is None else last.records))),
        )

    def undermining(self) -> UndermineReport | None:
        """MG6E: the items that might undermine or assist, or None when there are none."""
        items = tuple(i for _, i in sorted(self.items.items()) if i.undermines_or_assists)
        if not items:
            return None
        return UndermineReport(
            items=items,
            disclosure_officer=items[-1].by,
            records=tuple(sorted({s for i in items for s in i.records})),
        )
