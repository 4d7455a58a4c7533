"""Runs of text units: ``[start, end)`` ranges of a text's unit positions (FORMAT.md §4.1).

A text disclosure withholds runs, a redaction decision or an erasure names
runs, and B11 judges one set of runs against another. They all do the same
arithmetic on them, kept here, below every layer that needs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["Run", "merge_runs", "runs_cover", "uncovered"]

#: A run of units ``[start, end)`` of a text field.
Run = tuple[int, int]


def merge_runs(runs: Iterable[Run]) -> tuple[Run, ...]:
    """``runs`` sorted, with overlapping and adjacent runs merged: the maximal runs they cover.

    Each run must be a pair of integers ``0 <= start < end``; raises
    ``ValueError`` naming the first that is not.
    """
    ordered = []
    for index, run in enumerate(runs):
        if (
            not isinstance(run, tuple | list)
            or len(run) != 2
            or any(type(x) is not int for x in run)
            or not 0 <= run[0] < run[1]
        ):
            raise ValueError(f"run {index} ({run!r}) is not a pair of integers 0 <= start < end")
        ordered.append((run[0], run[1]))
    ordered.sort()
    merged: list[Run] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def runs_cover(cover: Iterable[Run], runs: Iterable[Run]) -> bool:
    """True if every unit of ``runs`` lies in a run of ``cover``."""
    merged = merge_runs(cover)
    return all(any(a <= start and end <= b for a, b in merged) for start, end in runs)


def uncovered(run: Run, cover: Sequence[Run]) -> tuple[Run, ...]:
    """The parts of ``run`` that ``cover`` (merged, as :func:`merge_runs` gives) leaves out."""
    start, end = run
    gaps: list[Run] = []
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
