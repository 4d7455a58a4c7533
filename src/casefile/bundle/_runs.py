"""Applying the runs withheld from an audience to the disclosures of an export.

:func:`apply_redactions` is the one place an export withholds runs; the run
arithmetic itself is :mod:`casefile.signing._runs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from casefile.signing._commitments import AnyDisclosure, TextDisclosure
from casefile.signing._runs import Run

__all__ = ["apply_redactions"]


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
