"""Withholding more runs of a text disclosure (FORMAT.md §4.1).

From a checked layout, the new disclosure's parts are worked out: one seed
per node of each revealed range's canonical cover (derived from the seeds
already held) and one hash per node of each withheld range's cover (taken
as given, or computed from the revealed units beneath it).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from casefile.signing._text_check import Fault, Layout
from casefile.signing._text_tree import (
    BITS,
    TEXT_FANOUT,
    Node,
    children_seeds,
    cover,
    node_of_children,
    subtree,
)

__all__ = ["withhold"]


def withhold(
    layout: Layout,
    n: int,
    units: Sequence[str],
    merged: Sequence[tuple[int, int]],
    fault: Fault,
) -> tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[str, ...]]:
    """(seeds, hashes, units) of the disclosure laid out as ``layout`` with ``merged`` withheld.

    ``merged`` are maximal runs that include every run the layout withholds.
    """
    counts = layout.counts
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
    known: dict[Node, bytes] = dict(seed_at)

    def seed_of(j: int, i: int) -> bytes | None:
        seed = known.get((j, i))
        if seed is not None:
            return seed
        up = j + 1
        while up <= h and (up, i >> (BITS * (up - j))) not in known:
            up += 1
        if up > h:
            return None  # no revealed node above it
        for level in range(up, j, -1):
            parent = i >> (BITS * (level - j))
            first = parent << BITS
            count = min(TEXT_FANOUT, counts[level - 1] - first)
            for m, child in enumerate(children_seeds(known[(level, parent)], count)):
                known[(level - 1, first + m)] = child
        return known[(j, i)]

    def units_of(a: int, b: int) -> tuple[str, ...]:
        k = bisect.bisect_right(starts, a) - 1
        first = offsets[k] + a - starts[k]
        return tuple(units[first : first + b - a])

    def hash_of(j: int, i: int) -> bytes:
        if (j, i) in hash_at:
            return hash_at[(j, i)]
        seed = seed_of(j, i)
        start, end = i << (BITS * j), min((i + 1) << (BITS * j), n)
        if seed is not None:
            return subtree(counts, j, i, seed, units_of(start, end))[1][-1]
        if j == 0:
            raise fault(f"unit {i} is neither revealed nor withheld")
        first = i << BITS
        kids = range(first, min(first + TEXT_FANOUT, counts[j - 1]))
        return node_of_children(hash_of(j - 1, k) for k in kids)

    seeds: list[bytes] = []
    hashes: list[bytes] = []
    shown_units: list[str] = []
    at = 0
    for a, b in (*merged, (n, n)):
        if at < a:
            for j, i in cover(at, a, n, h):
                seed = seed_of(j, i)
                if seed is None:
                    raise fault(f"units from {at} are not revealed")
                seeds.append(seed)
            shown_units += units_of(at, a)
        if a < b:
            hashes += [hash_of(j, i) for j, i in cover(a, b, n, h)]
        at = b
    return tuple(seeds), tuple(hashes), tuple(shown_units)
