"""Runs of text units withheld from an audience: finding the gaps, applying them to disclosures.

A run is ``[start, end)`` of unit positions (merged and sorted by
:func:`casefile.verifier._redaction_codes.merge_runs`). :func:`apply_redactions`
is the one place an export withholds runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from casefile.signing._commitments import AnyDisclosure, TextDisclosure
from casefile.verifier._redaction_codes import Run

__all__ = ["apply_redactions", "uncovered"]


def uncovered(run: tuple[int, int], cover: Sequence[Run]) -> tuple[Run, ...]:
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


def apply_redactions(
    disclosures: Iterable[AnyDisclosure],
    withheld: Mapping[tuple[int, str], tuple[Run, ...] | None],
) -> Iterator[AnyDisclosure]:
    """The disclosures as an audience may see them, in the order given.

    ``withheld`` maps ``(record, field)`` to the runs to withhold, or None to
    withhold the whole field (its disclosure is left out, as is any value
    disclosure named at all: a value is withheld whole or not at all). A run
    reaching past a text's last unit covers nothing (FORMAT.md §10.4).
    """
    for item in disclosures:
        key = (item.seq, item.name)
        if key not in withheld:
            yield item
            continue
        runs = withheld[key]
        if runs is None or not isinstance(item, TextDisclosure):
            continue
        # FORMAT.md §10.4: a run past the text's last unit covers nothing.
        inside = [(a, b) for a, b in runs if b <= item.n]
        yield item.redact(inside) if inside else item
