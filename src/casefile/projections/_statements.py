"""Continuity statements: what each custodian's MG11 would say about the exhibits they held.

One statement per custodian, one paragraph per spell in which they held an
exhibit: how they came to hold it, what they did with it, and how they
parted with it (or that they still hold it). The text is built only from the
records, deterministically: the same records always give the same words. It
is a draft for the custodian to check and sign, not a signed statement.

Only acts a custodian signed, or confirmed with their own key, are told in
their voice: an act recorded on their behalf and not confirmed is left out
of the first-person text, and a note says which record awaits confirmation.
A transfer or booking is signed by the giver, so the receiver's paragraph
opens with what the giver's record says, in brackets, unless the receiver
confirmed the receipt with their own key or keyed that record in themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from casefile._time import ns_to_human
from casefile.projections._cite import cite_of, position
from casefile.projections._continuity_model import (
    CustodyEntry,
    CustodySpan,
    ExhibitHistory,
    ExhibitRegister,
)
from casefile.projections._custody_records import Party
from casefile.projections._texts import shown_text

__all__ = ["ContinuityStatement", "continuity_statements"]


@dataclass(frozen=True, slots=True)
class ContinuityStatement:
    """The continuity evidence of one custodian: the exhibits they held, a paragraph each spell."""

    custodian: Party
    exhibits: tuple[str, ...]
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """An opening line and the paragraphs, separated by blank lines."""
        return "\n\n".join((f"I am {self.custodian.describe()}.", *self.paragraphs))


def _on(ns: int) -> str:
    # People read a statement: to the second, as every human-facing time (the
    # nanoseconds stay in the records and the JSON register).
    date, clock, _ = ns_to_human(ns).split(" ")
    return f"On {date} at {clock} UTC"


def _seal_words(span: CustodySpan) -> str:
    if span.sealed and span.seal is not None:
        bag = f"in bag {span.bag} " if span.bag else ""
        return f", sealed {bag}with seal {span.seal},"
    return ""


def _a(kind: str) -> str:
    # A kind is read aloud in a statement: "an audio", never "a audio".
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def _what(ex: ExhibitHistory) -> str:
    return (
        f"exhibit {ex.reference} ({ex.description})"
        if ex.description
        else f"exhibit {ex.reference}"
    )


def _tool(d: Mapping[str, Any]) -> str:
    tool = " ".join(part for part in (d.get("tool", ""), d.get("tool_version", "")) if part)
    return f" using {tool}" if tool else ""


_Say = Callable[[CustodyEntry, Mapping[str, Any]], str]

# What the custodian did while holding the exhibit, by record type ("it" is the exhibit).
_WHILE_HELD: Final[dict[str, _Say]] = {
    "exhibit.packaged": lambda e, d: (
        f"I packaged it in bag {d['bag']} and sealed it with seal {d['seal']}."
    ),
    "exhibit.seal_opened": lambda e, d: f"I opened seal {d['seal']} ({shown_text(d['reason'])}).",
    "exhibit.resealed": lambda e, d: (
        f"I resealed it in bag {d['bag']} with seal {d['new_seal']}, "
        f"replacing seal {d['old_seal']}."
    ),
    "exhibit.examined": lambda e, d: (
        f"I examined it at {d['lab']} ({d['method']}){_tool(d)}"
        + ("; the examination was destructive." if d["destructive"] else ".")
    ),
    "exhibit.imaged": lambda e, d: (
        f"I imaged it as exhibit {d['derived']}{_tool(d)}"
        + (f" with write blocker {d['write_blocker']}" if d["write_blocker"] else "")
        + f": SHA-256 read {d['source_sha256'].hex()}, written {d['output_sha256'].hex()}."
    ),
    "exhibit.derived": lambda e, d: (
        f"I made exhibit {d['derived']} from it ({d['method']}, for "
        f"{d['purpose']}): SHA-256 {d['output_sha256'].hex()}."
    ),
    "exhibit.accessed": lambda e, d: f"I accessed it ({d['purpose']}).",
    "exhibit.fixity_checked": lambda e, d: (
        f"I hashed it again: SHA-256 {d['actual_sha256'].hex()}, "
        + (
            "which matches the SHA-256 on record."
            if d["result"] == "match"
            else "which does NOT match the SHA-256 on record."
        )
    ),
    "exhibit.disclosed": lambda e, d: f"I disclosed it to {d['recipient']}.",
    "exhibit.produced_in_court": lambda e, d: (
        f"I produced it at {d['court']}" + (f" ({d['hearing']})." if d["hearing"] else ".")
    ),
    "exhibit.retention_reviewed": lambda e, d: (
        f"I reviewed its retention: {d['decision']} ({shown_text(d['reason'])})."
    ),
    "exhibit.damaged": lambda e, d: f"I recorded damage to it: {shown_text(d['damage'])}.",
}


def _awaits(e: CustodyEntry) -> str:
    keyed = "" if e.recorded_by is None else f" by {e.recorded_by.describe()}"
    return (
        f"[Record {cite_of(e.seq)} ({e.event_type}) was made on my behalf{keyed} and awaits my "
        "confirmation: it is not stated here.]"
    )


def _received(ex: ExhibitHistory, e: CustodyEntry, me: Party, span: CustodySpan) -> str:
    d, at = e.details, f"{_on(e.time_ns)}, at {shown_text(e.place)},"
    kind = e.event_type
    if kind not in ("exhibit.transferred", "exhibit.booked") and not e.own_act:
        return _awaits(e)  # the new holder's own act, keyed in by someone else
    if kind == "evidence.captured":
        when = d["captured_at"] if type(d.get("captured_at")) is int else e.time_ns
        return (
            f"{_on(when)}, at {shown_text(e.place)}, I captured {_what(ex)}, {_a(d['kind'])} "
            f"({d['media_type']}), on {d['device']}; its SHA-256 is {d['sha256'].hex()}."
        )
    if kind == "exhibit.seized":
        authority = f" ({d['authority']})" if d["authority"] else ""
        return f"{at} I seized {_what(ex)} under {d['power']}{authority}."
    if kind == "exhibit.produced":
        return f"{at} I received {_what(ex)} from a member of the public."
    if kind in ("exhibit.imaged", "exhibit.derived") and ex.reference == d.get("derived"):
        read = d.get("source_sha256", d.get("input_sha256", b""))
        return (
            f"{at} I made {_what(ex)}, a copy of exhibit {ex.source} (SHA-256 {read.hex()})"
            f"{_tool(d)}; its SHA-256 is {d['output_sha256'].hex()}."
        )
    if kind in ("exhibit.transferred", "exhibit.booked"):
        return _handed_to(ex, e, me, span)
    return f"{at} I handled {_what(ex)} ({kind}); no handover to me is recorded."


def _handed_to(ex: ExhibitHistory, e: CustodyEntry, me: Party, span: CustodySpan) -> str:
    """A transfer or booking to ``me``: in my words only if I signed or confirmed its record.

    The giver signs a transfer; the receiver stands behind it by confirming
    the receipt (``receipt_confirmed_by``, a confirmation the register counted
    only if its signer was the receiver) or by keying it in (``recorded_by``).
    Otherwise the receipt is told as what the giver's record says, not as the
    receiver's own account.
    """
    d, by = e.details, "" if e.by is None else e.by.describe()
    if e.event_type == "exhibit.transferred":
        why = f" for {d['purpose']}"
        if d["seal_checked"]:
            state = "intact" if d["seal_intact"] else "NOT intact"
            why += f"; seal {d['seal']} was checked and found {state}"
    else:
        why = f" into the property store under reference {d['property_ref']}"
    keyed = e.recorded_by is not None and e.recorded_by.identity == me.identity
    if keyed or e.receipt_confirmed_by is not None:
        return (
            f"{_on(e.time_ns)}, at {shown_text(e.place)}, I received {_what(ex)}"
            f"{_seal_words(span)} from {by}{why}."
        )
    return (
        f"[Record {cite_of(e.seq)} ({e.event_type}), signed by {by}, "
        f"says that o{_on(e.time_ns)[1:]}, "
        f"at {shown_text(e.place)}, {_what(ex)}{_seal_words(span)} was handed to me{why}. "
        "I signed no record of receiving it, so it is not stated here in my words.]"
    )


def _parted(ex: ExhibitHistory, e: CustodyEntry, me: Party, before: CustodySpan) -> str:
    d, at = e.details, f"{_on(e.time_ns)}, at {shown_text(e.place)},"
    kind = e.event_type
    acted = e.by is not None and e.by.identity == me.identity
    if acted and not e.own_act:
        return _awaits(e)
    if acted and kind == "exhibit.transferred":
        to = Party.of(d["to"]).describe()
        sub = f" (submission reference {d['submission_ref']})" if d["submission_ref"] else ""
        return f"{at} I handed it{_seal_words(before)} to {to} for {d['purpose']}{sub}."
    if acted and kind == "exhibit.booked":
        to = Party.of(d["to"]).describe()
        return (
            f"{at} I booked it into the property store{_seal_words(before)} under reference "
            f"{d['property_ref']}, where {to} received it."
        )
    if acted and kind == "exhibit.returned":
        return f"{at} I returned it to its owner."
    if acted and kind == "exhibit.destroyed":
        witness = Party.of(d["witness"]).describe()
        return (
            f"{at} I destroyed it by {d['method']} under {d['authority']}, witnessed by {witness}."
        )
    who = "" if e.by is None else f" by {e.by.describe()}"
    if kind == "exhibit.lost":
        return f"{at} it was reported lost{who}."
    return f"{at} it was next handled{who} ({kind}); no handover by me is recorded."


def _holder_after(ex: ExhibitHistory) -> list[CustodySpan]:
    """The custody span in force after each entry of ``ex`` (entries and spans share seqs)."""
    out, i = [], 0
    for entry in ex.entries:
        while i + 1 < len(ex.spans) and position(ex.spans[i + 1].start_seq) <= position(entry.seq):
            i += 1
        out.append(ex.spans[i])
    return out


def _spells(ex: ExhibitHistory) -> list[tuple[Party, int, str]]:
    """(custodian, first seq, paragraph) for each spell in which someone held ``ex``."""
    spells: list[tuple[Party, int, str]] = []
    after = _holder_after(ex)
    holder: Party | None = None
    words: list[str] = []
    start = 0
    for n, (entry, span) in enumerate(zip(ex.entries, after, strict=True)):
        now = span.custodian
        same = holder is not None and now is not None and now.identity == holder.identity
        if holder is not None and not same:
            words.append(_parted(ex, entry, holder, after[n - 1]))
            spells.append((holder, start, " ".join(words)))
            holder = None
        if holder is None and now is not None:
            holder, start, words = now, position(entry.seq), [_received(ex, entry, now, span)]
        elif same and holder is not None and entry.by is not None:
            say = _WHILE_HELD.get(entry.event_type)
            if say is not None and entry.by.identity == holder.identity:
                words.append(
                    f"{_on(entry.time_ns)}, at {shown_text(entry.place)}, "
                    f"{say(entry, entry.details)}"
                    if entry.own_act
                    else _awaits(entry)
                )
    if holder is not None:
        last = after[-1]
        words.append(
            f"It remains in my custody at {shown_text(last.location)}"
            f"{_seal_words(last).rstrip(',')}."
        )
        spells.append((holder, start, " ".join(words)))
    return spells


def continuity_statements(register: ExhibitRegister) -> tuple[ContinuityStatement, ...]:
    """One statement per custodian, in the order they first held an exhibit."""
    found: dict[tuple[str, str, str], list[tuple[int, str, str]]] = {}
    people: dict[tuple[str, str, str], Party] = {}
    for ex in register.exhibits:
        if not ex.spans:
            continue
        for who, start, paragraph in _spells(ex):
            people.setdefault(who.identity, who)
            found.setdefault(who.identity, []).append((start, ex.reference, paragraph))
    order = sorted(found, key=lambda key: min(found[key]))
    statements = []
    for key in order:
        spells = sorted(found[key])
        refs = tuple(dict.fromkeys(ref for _, ref, _ in spells))
        statements.append(ContinuityStatement(people[key], refs, tuple(p for *_, p in spells)))
    return tuple(statements)
