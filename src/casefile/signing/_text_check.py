"""Checking a text disclosure against its tree (FORMAT.md §4.1, V11.2 to V11.5).

A disclosure's parts are placed in the tree (its layout: which node each
seed, hash and unit stands for), then joined up to the root. Every fault is
raised through the caller's ``fault``, which names the record and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casefile.errors import DisclosureError
from casefile.signing._text_tree import (
    BITS,
    MAX_TEXT_UNITS,
    TEXT_FANOUT,
    cover,
    leaf_hashes,
    leaf_salts,
    level_counts,
    node_of_children,
    parents,
)

__all__ = ["Fault", "Layout", "lay_out", "root_of"]

#: Builds the error for a fault of the disclosure being checked, in words.
Fault = Callable[[str], DisclosureError]


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each seed, hash and unit of a disclosure sits in the tree."""

    counts: tuple[int, ...]
    # (start, end, withheld) for every range of [0, n), in order of position.
    ranges: tuple[tuple[int, int, bool], ...]
    # Per revealed cover node: (level, index, seed, first unit's index in ``units``).
    revealed: tuple[tuple[int, int, bytes, int], ...]
    withheld: tuple[tuple[int, int, bytes], ...]


def lay_out(
    n: int,
    runs: Sequence[tuple[int, int]],
    seeds: Sequence[bytes],
    hashes: Sequence[bytes],
    units: Sequence[str],
    fault: Fault,
) -> Layout:
    """Place a disclosure's seeds, hashes and units in the tree of ``n`` units."""
    # V11.2: n, the withheld runs and the counts of seeds, hashes and units.
    if type(n) is not int or not 1 <= n <= MAX_TEXT_UNITS:
        raise fault(f"n must be an integer from 1 to {MAX_TEXT_UNITS}")
    ranges: list[tuple[int, int, bool]] = []
    at = 0
    for run in runs:
        a, b = run
        if not (type(a) is int and type(b) is int and at <= a < b <= n):
            raise fault(f"withheld run {[a, b]} is not a sorted, non-adjacent run within [0, {n})")
        if ranges and a == at:
            raise fault(f"withheld run {[a, b]} touches the run before it")
        if a > at:
            ranges.append((at, a, False))
        ranges.append((a, b, True))
        at = b
    if at < n:
        ranges.append((at, n, False))
    counts = level_counts(n)
    h = len(counts) - 1
    revealed: list[tuple[int, int, bytes, int]] = []
    withheld: list[tuple[int, int, bytes]] = []
    shown = 0
    for a, b, is_withheld in ranges:
        if is_withheld:
            for j, i in cover(a, b, n, h):
                if len(withheld) < len(hashes):
                    withheld.append((j, i, hashes[len(withheld)]))
                else:
                    raise fault("fewer hashes than the withheld runs' cover nodes")
        else:
            for j, i in cover(a, b, n, h):
                if len(revealed) < len(seeds):
                    first = shown + (i << (BITS * j)) - a
                    revealed.append((j, i, seeds[len(revealed)], first))
                else:
                    raise fault("fewer seeds than the revealed ranges' cover nodes")
            shown += b - a
    if len(withheld) != len(hashes):
        raise fault("more hashes than the withheld runs' cover nodes")
    if len(revealed) != len(seeds):
        raise fault("more seeds than the revealed ranges' cover nodes")
    if shown != len(units):
        raise fault(f"{len(units)} units given for {shown} revealed units")
    if n > 1 and "" in units:
        raise fault("a unit is empty in a text of more than one unit")
    return Layout(counts, tuple(ranges), tuple(revealed), tuple(withheld))


def root_of(layout: Layout, n: int, units: Sequence[str], fault: Fault) -> bytes:
    """The root of the tree the laid-out disclosure opens."""
    counts = layout.counts
    levels: list[dict[int, bytes]] = [{} for _ in counts]
    # V11.3: each revealed cover node's salts from its seed (a leaf's seed is
    # its salt), then every revealed unit's leaf hash in one pass.
    salts: list[bytes] = []
    for j, i, seed, _ in layout.revealed:
        if j:
            salts += leaf_salts(counts, j, i, seed)
        else:
            salts.append(seed)
    leaves = leaf_hashes(salts, units)
    internal: list[bytes] = []
    leaf_level = levels[0]
    for j, i, _, first in layout.revealed:
        if not j:
            leaf_level[i] = leaves[first]
            continue
        size = min((i + 1) << (BITS * j), n) - (i << (BITS * j))
        below = leaves[first : first + size]
        for _ in range(j):
            below = parents(below)
            internal += below
        levels[j][i] = below[0]
    given = [digest for _, _, digest in layout.withheld]
    # V11.4: no salt twice, no withheld hash twice or equal to a computed one.
    if len(set(salts)) != len(salts):
        raise fault("a salt repeats across revealed units")
    given_set = set(given)
    if len(given_set) != len(given):
        raise fault("a withheld hash repeats")
    if not (given_set.isdisjoint(leaves) and given_set.isdisjoint(internal)):
        raise fault("a withheld hash equals a hash of revealed units")
    for j, i, digest in layout.withheld:
        levels[j][i] = digest
    # V11.5: join the cover nodes up to the root.
    for j in range(len(counts) - 1):
        level, up, count = levels[j], levels[j + 1], counts[j]
        for parent in sorted({i >> BITS for i in level}):
            first = parent << BITS
            kids = range(first, min(first + TEXT_FANOUT, count))
            if parent in up or any(k not in level for k in kids):
                raise fault("the cover nodes do not tile the text")
            up[parent] = node_of_children(level[k] for k in kids)
    root = levels[-1].get(0)
    if root is None:
        raise fault("the cover nodes do not reach the root")
    return root
