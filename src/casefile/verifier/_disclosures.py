"""Disclosures beside the record stream: a merge-join in constant memory (step V11)."""

from __future__ import annotations

from collections.abc import Iterator

from casefile.errors import EncodeError
from casefile.signing._commitments import Disclosure

__all__ = ["DisclosureCursor", "commitment_of"]


def commitment_of(d: Disclosure) -> bytes | None:
    try:
        return d.commitment()
    except (EncodeError, ValueError):
        return None  # a value or salt outside the format matches nothing


class DisclosureCursor:
    """Merge-join over disclosures sorted by (seq, name): O(1) memory."""

    def __init__(self, it: Iterator[Disclosure]) -> None:
        self._it = it
        self._head: Disclosure | None = next(it, None)

    def due(self, seq: int) -> bool:
        """Whether a disclosure for record ``seq`` (or an earlier one) is waiting."""
        return self._head is not None and self._head.seq <= seq

    def take(self, seq: int) -> Iterator[Disclosure]:
        while self._head is not None and self._head.seq <= seq:
            head = self._head
            self._head = next(self._it, None)
            yield head

    def rest(self) -> Iterator[Disclosure]:
        while self._head is not None:
            head = self._head
            self._head = next(self._it, None)
            yield head
