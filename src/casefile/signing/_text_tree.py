"""The shape and hashing of a text's tree (FORMAT.md §4.1).

A text's units are the leaves of a 16-ary tree. This module holds its
arithmetic alone: level counts and the canonical cover of a range of units,
the GGM tree of seeds whose leaves are the units' salts, and the leaf, node
and commitment hashes. :mod:`casefile.signing._text` builds disclosures on it.

Speed matters here (every word of every statement passes through it): seeds
are expanded one SHAKE256 call per internal node, leaves are hashed in list
comprehensions, and no object is built per unit.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from typing import Final

from casefile.encoding import encode

__all__ = [
    "BITS",
    "MAX_TEXT_UNITS",
    "TEXT_FANOUT",
    "TEXT_HASH_SIZE",
    "TEXT_SEED_SIZE",
    "Node",
    "children_seeds",
    "cover",
    "leaf_hashes",
    "leaf_salts",
    "level_counts",
    "node_of_children",
    "parents",
    "split_units",
    "subtree",
    "text_commitment",
]

TEXT_FANOUT: Final = 16
MAX_TEXT_UNITS: Final = 1 << 20
TEXT_SEED_SIZE: Final = 32
TEXT_HASH_SIZE: Final = 32
#: log2 of the fanout: node (j, i) covers units from ``i << (BITS * j)``.
BITS: Final = 4

_SEED_TAG: Final = b"casefile:text-seed:v2\x00"
_LEAF_TAG: Final = b"casefile:text-leaf:v2\x00"
_NODE_TAG: Final = b"casefile:text-node:v2\x00"
_TEXT_TAG: Final = b"casefile:text:v2\x00"
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
Node = tuple[int, int]


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


def level_counts(n: int) -> tuple[int, ...]:
    """The node count of each level, leaves first, up to the root's level."""
    counts = [n]
    while counts[-1] > 1:
        counts.append((counts[-1] + TEXT_FANOUT - 1) >> BITS)
    return tuple(counts)


def cover(a: int, b: int, n: int, h: int) -> list[Node]:
    """The canonical cover of units ``[a, b)``: maximal aligned subtrees, left to right."""
    nodes = []
    while a < b:
        j = 0
        while j < h and not a & ((1 << (BITS * (j + 1))) - 1):
            if min(a + (1 << (BITS * (j + 1))), n) > b:
                break
            j += 1
        nodes.append((j, a >> (BITS * j)))
        a = min(a + (1 << (BITS * j)), n)
    return nodes


def children_seeds(seed: bytes, count: int) -> list[bytes]:
    """The seeds of the first ``count`` children of a node whose seed is ``seed``."""
    return list(_SPLIT[count](_shake(_SEED_TAG + seed).digest(_SEED_SIZES[count])))


def leaf_salts(counts: Sequence[int], j: int, i: int, seed: bytes) -> list[bytes]:
    """The salts of every unit under node ``(j, i)`` whose seed is ``seed``."""
    seeds = [seed]
    split16, shake, tag = _SPLIT[TEXT_FANOUT], _shake, _SEED_TAG
    for level in range(j, 0, -1):
        below = counts[level - 1]
        first = i << (BITS * (j - level))
        last = first + len(seeds) - 1
        # Every node of the level has 16 children except perhaps the level's last;
        # a struct split of each output beats slicing it 32 bytes at a time.
        tail = min(TEXT_FANOUT, below - (last << BITS))
        full, final = seeds[:-1], seeds[-1]
        seeds = [child for s in full for child in split16(shake(tag + s).digest(512))]
        seeds += _SPLIT[tail](shake(tag + final).digest(_SEED_SIZES[tail]))
    return seeds


def leaf_hashes(salts: Sequence[bytes], units: Sequence[str]) -> list[bytes]:
    """The leaf hash of each unit under its salt, in order."""
    tag = _LEAF_TAG
    return [
        _sha256(tag + salt + unit.encode()).digest()
        for salt, unit in zip(salts, units, strict=True)
    ]


def parents(level: list[bytes]) -> list[bytes]:
    """The node hashes over ``level``, sixteen children to a parent."""
    joined = b"".join(level)
    step = TEXT_FANOUT * TEXT_HASH_SIZE
    return [_sha256(_NODE_TAG + joined[o : o + step]).digest() for o in range(0, len(joined), step)]


def subtree(
    counts: Sequence[int], j: int, i: int, seed: bytes, units: Sequence[str]
) -> tuple[list[bytes], list[bytes]]:
    """(salts, hashes) of the subtree ``(j, i)``; ``hashes[-1]`` is its own hash."""
    salts = leaf_salts(counts, j, i, seed)
    level = leaf_hashes(salts, units)
    hashes = level
    for _ in range(j):
        level = parents(level)
        hashes = hashes + level
    return salts, hashes


def node_of_children(children: Iterable[bytes]) -> bytes:
    """The hash of an internal node over its children's hashes, in order."""
    return _sha256(_NODE_TAG + b"".join(children)).digest()
