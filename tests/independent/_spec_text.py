"""Text disclosures (docs/FORMAT.md §4.1), checked from the spec alone.

Written apart from casefile's code and in another shape: the tree is walked
recursively from the root, depth first, consuming the revealed units left to
right, where the library works level by level. It imports nothing from casefile.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import msgpack

from independent._spec_rules import canon

__all__ = ["TEXT_KEYS", "cover", "text_commitment_of", "text_parses", "write_text"]

TEXT_KEYS = ["case", "hashes", "n", "name", "seeds", "seq", "units", "withheld"]
K = 16


class _BadError(Exception):
    pass


def _sha(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def _counts(n: int) -> list[int]:
    c = [n]
    while c[-1] != 1:
        c.append(-(-c[-1] // K))
    return c


def cover(a: int, b: int, n: int) -> list[tuple[int, int]]:
    """§4.1 canonical cover of [a, b), as (level, index) pairs."""
    h = len(_counts(n)) - 1
    out = []
    while a < b:
        j = h
        while not (a % K**j == 0 and min(a + K**j, n) <= b):
            j -= 1
        out.append((j, a // K**j))
        a = min(a + K**j, n)
    return out


def text_commitment_of(d: Any) -> bytes | None:
    """The commitment a text disclosure opens, or None if it breaks any rule of §4.1."""
    try:
        return _commitment(d)
    except (_BadError, KeyError, TypeError, ValueError, IndexError, StopIteration):
        return None


def text_parses(d: Any) -> bool:
    """V11.1: the exact keys, and each of its type and within its limits."""
    if not isinstance(d, dict) or sorted(d) != TEXT_KEYS:
        return False
    n, runs, seeds, hashes, units = d["n"], d["withheld"], d["seeds"], d["hashes"], d["units"]
    ok = isinstance(d["case"], bytes) and len(d["case"]) == 16
    ok = ok and type(d["seq"]) is int and d["seq"] >= 1
    ok = ok and isinstance(d["name"], str) and re.fullmatch(r"[a-z][a-z0-9_]{0,63}", d["name"])
    ok = ok and type(n) is int and 1 <= n <= 2**20
    ok = ok and isinstance(runs, list)
    ok = ok and all(
        isinstance(r, list) and len(r) == 2 and all(type(x) is int for x in r) for r in runs
    )
    for group in (seeds, hashes):
        ok = ok and isinstance(group, list)
        ok = ok and all(isinstance(x, bytes) and len(x) == 32 for x in group)
    ok = ok and isinstance(units, list) and all(isinstance(u, str) for u in units)
    return bool(ok)


def _commitment(d: dict[str, Any]) -> bytes:
    if not text_parses(d):
        raise _BadError
    n, runs, seeds, hashes, units = d["n"], d["withheld"], d["seeds"], d["hashes"], d["units"]
    if type(n) is not int or not 1 <= n <= 2**20 or type(d["seq"]) is not int or d["seq"] < 1:
        raise _BadError
    if not (isinstance(d["case"], bytes) and len(d["case"]) == 16 and isinstance(d["name"], str)):
        raise _BadError
    for group in (seeds, hashes):
        if not isinstance(group, list) or any(
            not isinstance(x, bytes) or len(x) != 32 for x in group
        ):
            raise _BadError
    if not isinstance(units, list) or any(not isinstance(u, str) for u in units):
        raise _BadError
    if n > 1 and "" in units:
        raise _BadError
    # The ranges in order of position: revealed between the withheld runs.
    ranges: list[tuple[int, int, bool]] = []
    at = 0
    for run in runs if isinstance(runs, list) else [None]:
        if not (isinstance(run, list) and len(run) == 2):
            raise _BadError
        a, b = run
        if type(a) is not int or type(b) is not int or not (at <= a < b <= n):
            raise _BadError
        if ranges and a == at:  # adjacent to the run before: not maximal
            raise _BadError
        if a > at:
            ranges.append((at, a, False))
        ranges.append((a, b, True))
        at = b
    if at < n:
        ranges.append((at, n, False))
    seed_of: dict[tuple[int, int], bytes] = {}
    hash_of: dict[tuple[int, int], bytes] = {}
    seed_list, hash_list = list(seeds), list(hashes)
    for a, b, withheld in ranges:
        for node in cover(a, b, n):
            if withheld:
                hash_of[node] = hash_list.pop(0)
            else:
                seed_of[node] = seed_list.pop(0)
    if seed_list or hash_list:
        raise _BadError
    if sum(b - a for a, b, withheld in ranges if not withheld) != len(units):
        raise _BadError
    counts = _counts(n)
    unit_iter: Iterator[str] = iter(units)
    salts: list[bytes] = []
    computed: list[bytes] = []

    def grown(j: int, i: int, seed: bytes) -> bytes:
        if j == 0:
            salts.append(seed)
            out = _sha(b"casefile:text-leaf:v2\x00", seed, next(unit_iter).encode("utf-8"))
        else:
            kids = min(K, counts[j - 1] - K * i)
            stream = hashlib.shake_256(b"casefile:text-seed:v2\x00" + seed).digest(32 * kids)
            out = _sha(
                b"casefile:text-node:v2\x00",
                *(grown(j - 1, K * i + m, stream[32 * m : 32 * m + 32]) for m in range(kids)),
            )
        computed.append(out)
        return out

    def node(j: int, i: int) -> bytes:
        if (j, i) in hash_of:
            return hash_of[(j, i)]
        if (j, i) in seed_of:
            return grown(j, i, seed_of[(j, i)])
        if j == 0:
            raise _BadError
        kids = min(K, counts[j - 1] - K * i)
        return _sha(b"casefile:text-node:v2\x00", *(node(j - 1, K * i + m) for m in range(kids)))

    root = node(len(counts) - 1, 0)
    if len(set(salts)) != len(salts) or len(set(hashes)) != len(hashes):
        raise _BadError
    if set(hashes) & set(computed):
        raise _BadError
    body = msgpack.packb(canon({"n": n, "name": d["name"], "root": root}), use_bin_type=True)
    return _sha(b"casefile:text:v2\x00", body)


def write_text(
    case: bytes,
    seq: int,
    name: str,
    units: list[str],
    root_seed: bytes,
    runs: list[list[int]],
    salts: dict[int, bytes] | None = None,
) -> tuple[bytes, dict[str, Any]]:
    """An outside writer of §4.1: (commitment, disclosure withholding ``runs``).

    ``salts`` replaces the salts of chosen units, as a faulty writer would; a unit
    with a replaced salt must then be revealed or withheld as a leaf of its own.
    """
    n = len(units)
    counts = _counts(n)
    h = len(counts) - 1
    seed: dict[tuple[int, int], bytes] = {(h, 0): root_seed}
    for j in range(h, 0, -1):
        for i in range(counts[j]):
            kids = min(K, counts[j - 1] - K * i)
            out = hashlib.shake_256(b"casefile:text-seed:v2\x00" + seed[(j, i)]).digest(32 * kids)
            for m in range(kids):
                seed[(j - 1, K * i + m)] = out[32 * m : 32 * m + 32]
    for i, salt in (salts or {}).items():
        seed[(0, i)] = salt
    digest = {
        (0, i): _sha(b"casefile:text-leaf:v2\x00", seed[(0, i)], u.encode())
        for i, u in enumerate(units)
    }
    for j in range(1, h + 1):
        for i in range(counts[j]):
            kids = min(K, counts[j - 1] - K * i)
            digest[(j, i)] = _sha(
                b"casefile:text-node:v2\x00", *(digest[(j - 1, K * i + m)] for m in range(kids))
            )
    body = msgpack.packb(canon({"n": n, "name": name, "root": digest[(h, 0)]}), use_bin_type=True)
    seeds, hashes, shown, at = [], [], [], 0
    for a, b in [*runs, [n, n]]:
        seeds += [seed[node] for node in cover(at, a, n)]
        shown += units[at:a]
        hashes += [digest[node] for node in cover(a, b, n)]
        at = b
    disclosure = {
        "case": case,
        "hashes": hashes,
        "n": n,
        "name": name,
        "seeds": seeds,
        "seq": seq,
        "units": shown,
        "withheld": [list(r) for r in runs],
    }
    return _sha(b"casefile:text:v2\x00", body), disclosure
