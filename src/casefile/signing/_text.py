"""Redactable text: disclosures of a text commitment (FORMAT.md §4.1).

A free-text field is committed as the root of a salted 16-ary tree over its
units (words with the whitespace after them; the tree's arithmetic is in
:mod:`casefile.signing._text_tree`). Each unit's salt is a leaf of a GGM tree
of seeds grown from one random root seed, so a disclosure that withholds runs
of units carries one seed per maximal revealed subtree and one hash per
maximal withheld subtree: it grows with the number of runs, not with the
number of words, and the signed record holds 32 bytes whatever the text's
length. This module holds the disclosure itself: making one, encoding and
parsing it, checking it (:mod:`casefile.signing._text_check`) and withholding
more of it (:mod:`casefile.signing._text_redact`).
"""

from __future__ import annotations

import os
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from casefile.encoding import decode, encode
from casefile.errors import DecodeError, DisclosureError, InvalidCommandError
from casefile.signing._runs import merge_runs
from casefile.signing._text_check import Layout, lay_out, root_of
from casefile.signing._text_parse import check_text_fields, fault_prefix
from casefile.signing._text_redact import withhold
from casefile.signing._text_tree import (
    MAX_TEXT_UNITS,
    TEXT_FANOUT,
    TEXT_HASH_SIZE,
    TEXT_SEED_SIZE,
    level_counts,
    split_units,
    subtree,
    text_commitment,
)
from casefile.signing._value import (
    DISCLOSURE_KEYS,
    FIELD_NAME_RULE,
    MAX_DISCLOSURE_SIZE,
    Disclosure,
    is_field_name,
)

__all__ = [
    "MAX_TEXT_UNITS",
    "TEXT_DISCLOSURE_KEYS",
    "TEXT_FANOUT",
    "TEXT_HASH_SIZE",
    "TEXT_SEED_SIZE",
    "AnyDisclosure",
    "TextDisclosure",
    "Withheld",
    "adopt_outcomes",
    "commit_text",
    "outcomes",
    "parse_disclosure",
    "split_units",
    "text_commitment",
]

#: The exact key set of a text disclosure (FORMAT.md §4.1).
TEXT_DISCLOSURE_KEYS: Final = frozenset(
    {"case", "hashes", "n", "name", "seeds", "seq", "units", "withheld"}
)


@dataclass(frozen=True, slots=True)
class Withheld:
    """A withheld run of units ``[start, end)`` in a redacted view."""

    start: int
    end: int

    @property
    def units(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class TextDisclosure:
    """The revealed units, seeds and withheld hashes behind one text commitment."""

    case_id: uuid.UUID
    seq: int
    name: str
    n: int
    withheld: tuple[tuple[int, int], ...]
    seeds: tuple[bytes, ...]
    hashes: tuple[bytes, ...]
    units: tuple[str, ...]
    # The layout depends on the fields alone, so it is worked out once.
    _layout_cache: Layout | None = field(default=None, init=False, repr=False, compare=False)
    # What V11 makes of it (the commitment, or the fault in words), when a
    # verifier's worker process has worked it out on an equal copy.
    _outcome_cache: bytes | str | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def full(
        cls,
        case_id: uuid.UUID,
        seq: int,
        name: str,
        text_or_units: str | Sequence[str],
        seed: bytes,
    ) -> TextDisclosure:
        """The disclosure of every unit: the root seed and the whole text."""
        if isinstance(text_or_units, str):
            units = split_units(text_or_units)
        else:
            units = tuple(text_or_units)
        return cls(case_id, seq, name, len(units), (), (seed,), (), units)

    def _fault(self, problem: str) -> DisclosureError:
        return DisclosureError(
            fault_prefix(self.name) + problem,
            case_id=str(self.case_id),
            seq=self.seq,
            step="V11",
        )

    def _layout(self) -> Layout:
        if self._layout_cache is not None:
            return self._layout_cache
        layout = lay_out(self.n, self.withheld, self.seeds, self.hashes, self.units, self._fault)
        object.__setattr__(self, "_layout_cache", layout)
        return layout

    def commitment(self) -> bytes:
        """Recompute the commitment (FORMAT.md §4.1); DisclosureError on any fault."""
        root = root_of(self._layout(), self.n, self.units, self._fault)
        # V11.6: the commitment.
        return text_commitment(self.name, self.n, root)

    def outcome(self) -> bytes | str:
        """The commitment this disclosure opens, or what is wrong with it, in words (V11).

        The words follow "disclosure NAME", as the verifier reports them. An
        outcome handed over by :func:`adopt_outcomes` is taken instead, once.
        """
        adopted = self._outcome_cache
        if adopted is not None:
            object.__setattr__(self, "_outcome_cache", None)
            return adopted
        try:
            return self.commitment()
        except DisclosureError as exc:
            fault = exc.message.removeprefix(fault_prefix(self.name))
            return f"is not a valid text disclosure: {fault}"

    def opens(self, commitment: bytes) -> str | None:
        """None if this disclosure opens ``commitment``, else what is wrong (V11).

        Worded to follow "disclosure NAME", as the verifier reports it.
        """
        outcome = self.outcome()
        if type(outcome) is str:
            return outcome
        return None if outcome == commitment else "does not match its commitment"

    def redact(self, runs: Iterable[tuple[int, int]]) -> TextDisclosure:
        """This disclosure with ``runs`` withheld too (merged with those already withheld).

        Raises :class:`~casefile.errors.InvalidCommandError` (a ValueError)
        naming a run that is not ``0 <= start < end <= n``.
        """
        wanted = []
        for run in runs:
            pair = tuple(run) if isinstance(run, tuple | list) else ()
            if not (
                len(pair) == 2
                and type(pair[0]) is int
                and type(pair[1]) is int
                and 0 <= pair[0] < pair[1] <= self.n
            ):
                raise InvalidCommandError(
                    "runs",
                    f"run {run!r} of field {self.name!r} is not a range of units "
                    f"0 <= start < end <= {self.n}",
                )
            wanted.append((pair[0], pair[1]))
        # merge_runs takes well-formed runs only: the layout checks this
        # disclosure's own first, so a malformed one fails as a disclosure (V11).
        layout = self._layout()
        merged = merge_runs([*self.withheld, *wanted])
        if merged == self.withheld:
            return self
        seeds, hashes, units = withhold(layout, self.n, self.units, merged, self._fault)
        return TextDisclosure(
            self.case_id, self.seq, self.name, self.n, merged, seeds, hashes, units
        )

    def segments(self) -> tuple[str | Withheld, ...]:
        """The revealed text pieces and the withheld runs, in order of position."""
        out: list[str | Withheld] = []
        shown = 0
        at = 0
        for a, b in (*self.withheld, (self.n, self.n)):
            if at < a:
                out.append("".join(self.units[shown : shown + a - at]))
                shown += a - at
            if a < b:
                out.append(Withheld(a, b))
            at = b
        return tuple(out)

    @property
    def text(self) -> str | None:
        """The whole text when nothing is withheld, else None."""
        return None if self.withheld else "".join(self.units)

    def unit_offsets(self) -> tuple[tuple[int, int, int], ...]:
        """``(unit, start, end)`` for each revealed unit.

        ``start`` and ``end`` are character offsets in the revealed units joined
        together, which for a full disclosure is the text itself: a caller maps
        a span of characters to the units it touches with these.
        """
        out: list[tuple[int, int, int]] = []
        char = 0
        shown = 0
        at = 0
        for a, b in (*self.withheld, (self.n, self.n)):
            for unit in range(at, a):
                end = char + len(self.units[shown])
                out.append((unit, char, end))
                char = end
                shown += 1
            at = b
        return tuple(out)

    def to_bytes(self) -> bytes:
        return encode(
            {
                "case": self.case_id.bytes,
                "hashes": list(self.hashes),
                "n": self.n,
                "name": self.name,
                "seeds": list(self.seeds),
                "seq": self.seq,
                "units": list(self.units),
                "withheld": [[a, b] for a, b in self.withheld],
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> TextDisclosure:
        """Parse a stored text disclosure strictly; raise DisclosureError otherwise."""
        parsed = parse_disclosure(data)
        if not isinstance(parsed, TextDisclosure):
            raise DisclosureError(
                "malformed text disclosure: this is a value disclosure", step="V11"
            )
        return parsed

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> TextDisclosure:
        """Check the decoded map of a text disclosure, whose key set the caller has checked."""
        return cls(*check_text_fields(fields))

    def sort_key(self) -> tuple[int, str]:
        return (self.seq, self.name)


def _disclosure_bound(units: Sequence[str], text_size: int) -> int:
    # An upper bound on the encoded size of a full disclosure: each unit's
    # string header is at most 5 bytes, the rest is fixed and under 200.
    return text_size + 5 * len(units) + 200


def commit_text(
    case_id: uuid.UUID,
    seq: int,
    name: str,
    text: str,
    *,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> tuple[bytes, TextDisclosure]:
    """Commit ``text`` as field ``name`` of record ``seq``: (commitment, full disclosure).

    ``random_bytes`` supplies the root seed; inject a deterministic one only in
    tests. Raises ValueError for a text that is not NFC, has more than
    MAX_TEXT_UNITS units, or whose disclosure would exceed MAX_DISCLOSURE_SIZE.
    """
    if not is_field_name(name):
        raise ValueError(f"text field name {name!r} is not {FIELD_NAME_RULE}")
    if type(text) is not str or not unicodedata.is_normalized("NFC", text):
        raise ValueError(f"text field {name!r} must be an NFC-normalised string")
    seed = random_bytes(TEXT_SEED_SIZE)
    if type(seed) is not bytes or len(seed) != TEXT_SEED_SIZE:
        raise ValueError(f"random_bytes must return {TEXT_SEED_SIZE} bytes")
    units = split_units(text)
    if len(units) > MAX_TEXT_UNITS:
        raise ValueError(f"text field {name!r} has more than {MAX_TEXT_UNITS} units")
    size = len(text.encode())
    disclosure = TextDisclosure(case_id, seq, name, len(units), (), (seed,), (), units)
    if _disclosure_bound(units, size) > MAX_DISCLOSURE_SIZE and (
        len(disclosure.to_bytes()) > MAX_DISCLOSURE_SIZE
    ):
        raise ValueError(
            f"text field {name!r} is too long: its disclosure would exceed "
            f"{MAX_DISCLOSURE_SIZE} bytes"
        )
    # The writer's own full disclosure needs none of V11's checks: the root
    # comes straight from the seed and the units, which saves a tenth of the time.
    counts = level_counts(len(units))
    h = len(counts) - 1
    root = subtree(counts, h, 0, seed, units)[1][-1]
    return text_commitment(name, len(units), root), disclosure


def parse_disclosure(data: bytes) -> Disclosure | TextDisclosure:
    """Parse a stored disclosure of either kind, told apart by its exact key set."""
    # V11.1: at most 1 MiB, canonical, and exactly the keys of one kind.
    try:
        fields = decode(data, max_size=MAX_DISCLOSURE_SIZE)
    except DecodeError as exc:
        raise DisclosureError(f"malformed disclosure: {exc}", step="V11") from None
    if type(fields) is dict:
        keys = fields.keys()
        if keys == TEXT_DISCLOSURE_KEYS:
            return TextDisclosure.from_fields(fields)
        if keys == DISCLOSURE_KEYS:
            return Disclosure.from_fields(fields)
    raise DisclosureError(
        "malformed disclosure: expected exactly the keys of a value disclosure "
        "(case, name, salt, seq, value) or of a text disclosure "
        "(case, hashes, n, name, seeds, seq, units, withheld)",
        step="V11",
    )


def outcomes(disclosures: Iterable[TextDisclosure]) -> list[bytes | str]:
    """:meth:`TextDisclosure.outcome` of each, as a worker process works them out."""
    return [d.outcome() for d in disclosures]


def adopt_outcomes(disclosures: Sequence[TextDisclosure], found: Sequence[bytes | str]) -> None:
    """Hand each disclosure the outcome :func:`outcomes` found for an equal copy of it.

    Only for outcomes worked out by this module's own code (a verifier's
    worker process). The next :meth:`TextDisclosure.outcome` takes it, once:
    a disclosure checked again is worked out again.
    """
    for d, outcome in zip(disclosures, found, strict=True):
        if type(outcome) is bytes or type(outcome) is str:
            object.__setattr__(d, "_outcome_cache", outcome)


#: A disclosure of either kind, as disclosures.bin and the disclosures store hold them.
AnyDisclosure = Disclosure | TextDisclosure
