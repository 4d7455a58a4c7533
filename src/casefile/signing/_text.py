"""Redactable text: a salted 16-ary hash tree over a text's units (FORMAT.md §4.1).

A free-text field is committed as the root of a tree over its units (words
with the whitespace after them). Each unit's salt is a leaf of a GGM tree of
seeds grown from one random root seed, so a disclosure that withholds runs of
units carries one seed per maximal revealed subtree and one hash per maximal
withheld subtree: it grows with the number of runs, not with the number of
words, and the signed record holds 32 bytes whatever the text's length.

Speed matters here (every word of every statement passes through it): seeds
are expanded one SHAKE256 call per internal node, leaves are hashed in list
comprehensions, and no object is built per unit.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import struct
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from casefile.encoding import decode, encode
from casefile.errors import DecodeError, DisclosureError, InvalidCommandError
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

TEXT_FANOUT: Final = 16
MAX_TEXT_UNITS: Final = 1 << 20
TEXT_SEED_SIZE: Final = 32
TEXT_HASH_SIZE: Final = 32
#: The exact key set of a text disclosure (FORMAT.md §4.1).
TEXT_DISCLOSURE_KEYS: Final = frozenset(
    {"case", "hashes", "n", "name", "seeds", "seq", "units", "withheld"}
)

_SEED_TAG: Final = b"casefile:text-seed:v2\x00"
_LEAF_TAG: Final = b"casefile:text-leaf:v2\x00"
_NODE_TAG: Final = b"casefile:text-node:v2\x00"
_TEXT_TAG: Final = b"casefile:text:v2\x00"
_BITS: Final = 4  # log2 of the fanout
_WORD: Final = re.compile(r"\S+\s*")
_SPACE: Final = re.compile(r"\s*")
_sha256: Final = hashlib.sha256
_shake: Final = hashlib.shake_256
_SEED_SIZES: Final = tuple(TEXT_SEED_SIZE * m for m in range(TEXT_FANOUT + 1))
#: _SPLIT[m] cuts 32*m bytes into m seeds in one C call.
_SPLIT: Final = tuple(
    struct.Struct(f"{TEXT_SEED_SIZE}s" * m).unpack for m in range(TEXT_FANOUT + 1)
)

#: A node of the tree: (level, index), leaves at level 0.
_Node = tuple[int, int]


def split_units(text: str) -> tuple[str, ...]:
    """Split ``text`` into casefile's units: each word with the whitespace after it.

    Whitespace before the first word is a unit of its own; the empty text is
    the one empty unit. ``"".join(split_units(t)) == t`` always.
    """
    if not text:
        return ("",)
    lead = _SPACE.match(text)
    start = lead.end() if lead is not None else 0
    words = _WORD.findall(text, start)
    return (text[:start], *words) if start else tuple(words)


def text_commitment(name: str, n: int, root: bytes) -> bytes:
    """The 32-byte commitment to a text of ``n`` units whose tree root is ``root``."""
    return _sha256(_TEXT_TAG + encode({"n": n, "name": name, "root": root})).digest()


@dataclass(frozen=True, slots=True)
class Withheld:
    """A withheld run of units ``[start, end)`` in a redacted view."""

    start: int
    end: int

    @property
    def units(self) -> int:
        return self.end - self.start


def _level_counts(n: int) -> tuple[int, ...]:
    counts = [n]
    while counts[-1] > 1:
        counts.append((counts[-1] + TEXT_FANOUT - 1) >> _BITS)
    return tuple(counts)


def _cover(a: int, b: int, n: int, h: int) -> list[_Node]:
    """The canonical cover of units ``[a, b)``: maximal aligned subtrees, left to right."""
    nodes = []
    while a < b:
        j = 0
        while j < h and not a & ((1 << (_BITS * (j + 1))) - 1):
            if min(a + (1 << (_BITS * (j + 1))), n) > b:
                break
            j += 1
        nodes.append((j, a >> (_BITS * j)))
        a = min(a + (1 << (_BITS * j)), n)
    return nodes


def _children_seeds(seed: bytes, count: int) -> list[bytes]:
    return list(_SPLIT[count](_shake(_SEED_TAG + seed).digest(_SEED_SIZES[count])))


def _leaf_salts(counts: Sequence[int], j: int, i: int, seed: bytes) -> list[bytes]:
    """The salts of every unit under node ``(j, i)`` whose seed is ``seed``."""
    seeds = [seed]
    split16, shake, tag = _SPLIT[TEXT_FANOUT], _shake, _SEED_TAG
    for level in range(j, 0, -1):
        below = counts[level - 1]
        first = i << (_BITS * (j - level))
        last = first + len(seeds) - 1
        # Every node of the level has 16 children except perhaps the level's last;
        # a struct split of each output beats slicing it 32 bytes at a time.
        tail = min(TEXT_FANOUT, below - (last << _BITS))
        parents, final = seeds[:-1], seeds[-1]
        seeds = [child for s in parents for child in split16(shake(tag + s).digest(512))]
        seeds += _SPLIT[tail](shake(tag + final).digest(_SEED_SIZES[tail]))
    return seeds


def _parents(level: list[bytes]) -> list[bytes]:
    """The node hashes over ``level``, sixteen children to a parent."""
    joined = b"".join(level)
    step = TEXT_FANOUT * TEXT_HASH_SIZE
    return [_sha256(_NODE_TAG + joined[o : o + step]).digest() for o in range(0, len(joined), step)]


def _subtree(
    counts: Sequence[int], j: int, i: int, seed: bytes, units: Sequence[str]
) -> tuple[list[bytes], list[bytes]]:
    """(salts, hashes) of the subtree ``(j, i)``; ``hashes[-1]`` is its own hash."""
    salts = _leaf_salts(counts, j, i, seed)
    level = [
        _sha256(_LEAF_TAG + salt + unit.encode()).digest()
        for salt, unit in zip(salts, units, strict=True)
    ]
    hashes = level
    for _ in range(j):
        level = _parents(level)
        hashes = hashes + level
    return salts, hashes


def _node_of_children(children: Iterable[bytes]) -> bytes:
    return _sha256(_NODE_TAG + b"".join(children)).digest()


def _fault_prefix(name: str) -> str:
    return f"text disclosure of field {name!r}: "


def _merge_runs(runs: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted maximal runs: overlapping and adjacent runs joined."""
    merged: list[list[int]] = []
    for a, b in sorted(runs):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple((a, b) for a, b in merged)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each seed, hash and unit of a disclosure sits in the tree."""

    counts: tuple[int, ...]
    # (start, end, withheld) for every range of [0, n), in order of position.
    ranges: tuple[tuple[int, int, bool], ...]
    # Per revealed cover node: (level, index, seed, first unit's index in ``units``).
    revealed: tuple[tuple[int, int, bytes, int], ...]
    withheld: tuple[tuple[int, int, bytes], ...]


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
    _layout_cache: _Layout | None = field(default=None, init=False, repr=False, compare=False)
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
            _fault_prefix(self.name) + problem,
            case_id=str(self.case_id),
            seq=self.seq,
            step="V11",
        )

    def _layout(self) -> _Layout:
        if self._layout_cache is not None:
            return self._layout_cache
        layout = self._work_out_layout()
        object.__setattr__(self, "_layout_cache", layout)
        return layout

    def _work_out_layout(self) -> _Layout:
        n = self.n
        # V11.2: n, the withheld runs and the counts of seeds, hashes and units.
        if type(n) is not int or not 1 <= n <= MAX_TEXT_UNITS:
            raise self._fault(f"n must be an integer from 1 to {MAX_TEXT_UNITS}")
        ranges: list[tuple[int, int, bool]] = []
        at = 0
        for run in self.withheld:
            a, b = run
            if not (type(a) is int and type(b) is int and at <= a < b <= n):
                raise self._fault(
                    f"withheld run {[a, b]} is not a sorted, non-adjacent run within [0, {n})"
                )
            if ranges and a == at:
                raise self._fault(f"withheld run {[a, b]} touches the run before it")
            if a > at:
                ranges.append((at, a, False))
            ranges.append((a, b, True))
            at = b
        if at < n:
            ranges.append((at, n, False))
        counts = _level_counts(n)
        h = len(counts) - 1
        revealed: list[tuple[int, int, bytes, int]] = []
        withheld: list[tuple[int, int, bytes]] = []
        shown = 0
        for a, b, is_withheld in ranges:
            if is_withheld:
                for j, i in _cover(a, b, n, h):
                    if len(withheld) < len(self.hashes):
                        withheld.append((j, i, self.hashes[len(withheld)]))
                    else:
                        raise self._fault("fewer hashes than the withheld runs' cover nodes")
            else:
                for j, i in _cover(a, b, n, h):
                    if len(revealed) < len(self.seeds):
                        first = shown + (i << (_BITS * j)) - a
                        revealed.append((j, i, self.seeds[len(revealed)], first))
                    else:
                        raise self._fault("fewer seeds than the revealed ranges' cover nodes")
                shown += b - a
        if len(withheld) != len(self.hashes):
            raise self._fault("more hashes than the withheld runs' cover nodes")
        if len(revealed) != len(self.seeds):
            raise self._fault("more seeds than the revealed ranges' cover nodes")
        if shown != len(self.units):
            raise self._fault(f"{len(self.units)} units given for {shown} revealed units")
        if n > 1 and "" in self.units:
            raise self._fault("a unit is empty in a text of more than one unit")
        return _Layout(counts, tuple(ranges), tuple(revealed), tuple(withheld))

    def commitment(self) -> bytes:
        """Recompute the commitment (FORMAT.md §4.1); DisclosureError on any fault."""
        layout = self._layout()
        counts, units = layout.counts, self.units
        levels: list[dict[int, bytes]] = [{} for _ in counts]
        # V11.3: each revealed cover node's salts from its seed (a leaf's seed is
        # its salt), then every revealed unit's leaf hash in one pass.
        salts: list[bytes] = []
        for j, i, seed, _ in layout.revealed:
            if j:
                salts += _leaf_salts(counts, j, i, seed)
            else:
                salts.append(seed)
        leaves = [
            _sha256(_LEAF_TAG + salt + unit.encode()).digest()
            for salt, unit in zip(salts, units, strict=True)
        ]
        internal: list[bytes] = []
        leaf_level = levels[0]
        for j, i, _, first in layout.revealed:
            if not j:
                leaf_level[i] = leaves[first]
                continue
            size = min((i + 1) << (_BITS * j), self.n) - (i << (_BITS * j))
            below = leaves[first : first + size]
            for _ in range(j):
                below = _parents(below)
                internal += below
            levels[j][i] = below[0]
        given = [digest for _, _, digest in layout.withheld]
        # V11.4: no salt twice, no withheld hash twice or equal to a computed one.
        if len(set(salts)) != len(salts):
            raise self._fault("a salt repeats across revealed units")
        given_set = set(given)
        if len(given_set) != len(given):
            raise self._fault("a withheld hash repeats")
        if not (given_set.isdisjoint(leaves) and given_set.isdisjoint(internal)):
            raise self._fault("a withheld hash equals a hash of revealed units")
        for j, i, digest in layout.withheld:
            levels[j][i] = digest
        # V11.5: join the cover nodes up to the root.
        for j in range(len(counts) - 1):
            level, up, count = levels[j], levels[j + 1], counts[j]
            for parent in sorted({i >> _BITS for i in level}):
                first = parent << _BITS
                kids = range(first, min(first + TEXT_FANOUT, count))
                if parent in up or any(k not in level for k in kids):
                    raise self._fault("the cover nodes do not tile the text")
                up[parent] = _node_of_children(level[k] for k in kids)
        root = levels[-1].get(0)
        if root is None:
            raise self._fault("the cover nodes do not reach the root")
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
            fault = exc.message.removeprefix(_fault_prefix(self.name))
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
        merged = _merge_runs([*self.withheld, *wanted])
        if merged == self.withheld:
            return self
        layout = self._layout()
        counts, n = layout.counts, self.n
        h = len(counts) - 1
        seed_at = {(j, i): seed for j, i, seed, _ in layout.revealed}
        hash_at = {(j, i): digest for j, i, digest in layout.withheld}
        starts = [a for a, _, _ in layout.ranges]
        offsets: list[int] = []  # index in ``units`` of each range's first unit
        shown = 0
        for a, b, is_withheld in layout.ranges:
            offsets.append(shown)
            if not is_withheld:
                shown += b - a
        # Seeds of nodes as far as worked out: the revealed cover nodes', then
        # every child of a node expanded, so siblings share one SHAKE call and
        # a lookup rarely climbs.
        known: dict[_Node, bytes] = dict(seed_at)

        def seed_of(j: int, i: int) -> bytes | None:
            seed = known.get((j, i))
            if seed is not None:
                return seed
            up = j + 1
            while up <= h and (up, i >> (_BITS * (up - j))) not in known:
                up += 1
            if up > h:
                return None  # no revealed node above it
            for level in range(up, j, -1):
                parent = i >> (_BITS * (level - j))
                first = parent << _BITS
                count = min(TEXT_FANOUT, counts[level - 1] - first)
                for m, child in enumerate(_children_seeds(known[(level, parent)], count)):
                    known[(level - 1, first + m)] = child
            return known[(j, i)]

        def units_of(a: int, b: int) -> tuple[str, ...]:
            k = bisect.bisect_right(starts, a) - 1
            first = offsets[k] + a - starts[k]
            return self.units[first : first + b - a]

        def hash_of(j: int, i: int) -> bytes:
            if (j, i) in hash_at:
                return hash_at[(j, i)]
            seed = seed_of(j, i)
            start, end = i << (_BITS * j), min((i + 1) << (_BITS * j), n)
            if seed is not None:
                return _subtree(counts, j, i, seed, units_of(start, end))[1][-1]
            if j == 0:
                raise self._fault(f"unit {i} is neither revealed nor withheld")
            first = i << _BITS
            kids = range(first, min(first + TEXT_FANOUT, counts[j - 1]))
            return _node_of_children(hash_of(j - 1, k) for k in kids)

        seeds: list[bytes] = []
        hashes: list[bytes] = []
        shown_units: list[str] = []
        at = 0
        for a, b in (*merged, (n, n)):
            if at < a:
                for j, i in _cover(at, a, n, h):
                    seed = seed_of(j, i)
                    if seed is None:
                        raise self._fault(f"units from {at} are not revealed")
                    seeds.append(seed)
                shown_units += units_of(at, a)
            if a < b:
                hashes += [hash_of(j, i) for j, i in _cover(a, b, n, h)]
            at = b
        return TextDisclosure(
            self.case_id,
            self.seq,
            self.name,
            n,
            merged,
            tuple(seeds),
            tuple(hashes),
            tuple(shown_units),
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
        # V11.1: exact types and sizes.
        case, seq, name = fields["case"], fields["seq"], fields["name"]
        if type(case) is not bytes or len(case) != 16:
            raise DisclosureError("malformed text disclosure: case must be 16 bytes", step="V11")
        if type(seq) is not int or seq < 1:
            raise DisclosureError(
                "malformed text disclosure: seq must be an integer from 1", step="V11"
            )
        if not is_field_name(name):
            raise DisclosureError(
                f"malformed text disclosure: name must be a field name ({FIELD_NAME_RULE})",
                step="V11",
            )
        case_id = uuid.UUID(bytes=case)

        def fault(problem: str) -> DisclosureError:
            return DisclosureError(
                f"text disclosure of field {name!r}: {problem}",
                case_id=str(case_id),
                seq=seq,
                step="V11",
            )

        n, runs = fields["n"], fields["withheld"]
        seeds, hashes, units = fields["seeds"], fields["hashes"], fields["units"]
        if type(n) is not int:
            raise fault("n must be an integer")
        if type(runs) is not list or not all(
            type(run) is list and len(run) == 2 and all(type(x) is int for x in run) for run in runs
        ):
            raise fault("withheld must be a list of [start, end] integer pairs")
        for label, items in (("seeds", seeds), ("hashes", hashes)):
            if type(items) is not list or not all(
                type(item) is bytes and len(item) == 32 for item in items
            ):
                raise fault(f"{label} must be a list of 32-byte strings")
        # One C-level pass over the units' types rather than a Python loop per word.
        if type(units) is not list or not set(map(type, units)) <= {str}:
            raise fault("units must be a list of text strings")
        if not 1 <= n <= MAX_TEXT_UNITS:
            raise fault(f"n must be from 1 to {MAX_TEXT_UNITS}")
        # The layout (V11.2) is checked with the commitment: a disclosure that
        # parses is read, and one whose parts do not fit fails its record alone.
        return cls(
            case_id,
            seq,
            name,
            n,
            tuple((a, b) for a, b in runs),
            tuple(seeds),
            tuple(hashes),
            tuple(units),
        )

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
    counts = _level_counts(len(units))
    h = len(counts) - 1
    root = _subtree(counts, h, 0, seed, units)[1][-1]
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
