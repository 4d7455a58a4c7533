"""Runs of text units: the ranges redaction decisions and erasures name (FORMAT.md §10.4).

A run is ``[start, end)`` of unit positions; a set of runs is kept merged and
sorted. Also here: applying what an audience may not see to a stream of
disclosures, the one place an export withholds runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from casefile.signing._commitments import Disclosure
from casefile.signing._text import TextDisclosure

__all__ = ["Runs", "apply_redactions", "merge_runs", "overlaps", "parse_runs", "uncovered"]

#: Unit ranges ``[start, end)``, sorted and disjoint.
Runs = tuple[tuple[int, int], ...]

_MAX_RUNS: Final = 1 << 20


def parse_runs(value: Any) -> Runs | None:
    """The runs of a decision or erasure's ``runs`` (None: the whole field).

    Raises ValueError for anything but a list of ``[a, b]`` with ``0 <= a < b``;
    the runs are returned merged and sorted, as the ranges they cover.
    """
    if value is None:
        return None
    if not isinstance(value, Sequence) or isinstance(value, str | bytes) or not value:
        raise ValueError("runs must be null or a non-empty array of [start, end] pairs")
    if len(value) > _MAX_RUNS:
        raise ValueError(f"at most {_MAX_RUNS} runs")
    pairs = []
    for item in value:
        if not isinstance(item, Sequence) or isinstance(item, str | bytes) or len(item) != 2:
            raise ValueError("each run is a [start, end] pair")
        start, end = item
        if type(start) is not int or type(end) is not int or not 0 <= start < end:
            raise ValueError("each run is [start, end] with 0 <= start < end")
        pairs.append((start, end))
    return merge_runs(pairs)


def merge_runs(runs: Iterable[tuple[int, int]]) -> Runs:
    out: list[tuple[int, int]] = []
    for start, end in sorted(runs):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)


def uncovered(run: tuple[int, int], cover: Runs) -> Runs:
    """The parts of ``run`` that ``cover`` (merged) leaves out."""
    start, end = run
    gaps: list[tuple[int, int]] = []
    for a, b in cover:
        if b <= start:
            continue
        if a >= end:
            break
        if a > start:
            gaps.append((start, a))
        start = max(start, b)
        if start >= end:
            break
    if start < end:
        gaps.append((start, end))
    return tuple(gaps)


def overlaps(run: tuple[int, int], runs: Runs) -> bool:
    return any(a < run[1] and run[0] < b for a, b in runs)


def apply_redactions(
    disclosures: Iterable[Disclosure | TextDisclosure],
    withheld: Mapping[tuple[int, str], Runs | None],
) -> Iterator[Disclosure | TextDisclosure]:
    """The disclosures as an audience may see them, in the order given.

    ``withheld`` maps ``(record, field)`` to the runs to withhold, or None to
    withhold the whole field (its disclosure is left out, as is any value
    disclosure named at all: a value is withheld whole or not at all). Runs
    reaching past a text's last unit are cut at its end.
    """
    for item in disclosures:
        key = (item.seq, item.name)
        if key not in withheld:
            yield item
            continue
        runs = withheld[key]
        if runs is None or not isinstance(item, TextDisclosure):
            continue
        inside = [(a, min(b, item.n)) for a, b in runs if a < item.n]
        yield item.redact(inside) if inside else item
