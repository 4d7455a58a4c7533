"""Disclosures beside the record stream: a merge-join in constant memory (step V11)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from casefile.errors import EncodeError
from casefile.signing._commitments import AnyDisclosure, Disclosure, TextDisclosure

__all__ = ["DisclosureCursor", "commitment_of", "mismatch", "shown_name"]


def shown_name(name: str) -> str:
    """A field name from the input, quoted, and only in part when long.

    A report holds up to a thousand errors, each of which may name one.
    """
    return repr(name) if len(name) <= 80 else repr(name[:80]) + "…"


def commitment_of(d: Disclosure) -> bytes | None:
    try:
        return d.commitment()
    except (EncodeError, ValueError):
        return None  # a value or salt outside the format matches nothing


def mismatch(d: AnyDisclosure, commitment: bytes) -> str | None:
    """None if ``d`` opens ``commitment``, else what is wrong, in words (V11)."""
    if isinstance(d, TextDisclosure):
        # V11.2-V11.6 for a text disclosure (FORMAT.md §4.1.7); V11.1 was its parsing.
        return d.opens(commitment)
    return None if commitment_of(d) == commitment else "does not match its commitment"


class DisclosureCursor:
    """Merge-join over disclosures sorted by (seq, name): O(1) memory."""

    def __init__(self, it: Iterator[AnyDisclosure]) -> None:
        self._it = it
        self._head: AnyDisclosure | None = next(it, None)

    def due(self, seq: int) -> bool:
        """Whether a disclosure for record ``seq`` (or an earlier one) is waiting."""
        return self._head is not None and self._head.seq <= seq

    def take(self, seq: int) -> Iterator[AnyDisclosure]:
        while self._head is not None and self._head.seq <= seq:
            head = self._head
            self._head = next(self._it, None)
            yield head

    def rest(self) -> Iterator[AnyDisclosure]:
        while self._head is not None:
            head = self._head
            self._head = next(self._it, None)
            yield head

    def match(
        self,
        seq: int,
        pd: Mapping[str, bytes] | None,
        case_id: uuid.UUID | None,
        refuse: Callable[[AnyDisclosure, str, bool], None],
    ) -> dict[str, Any]:
        """V11 for record ``seq``: the values of its disclosures that match its commitments ``pd``.

        Every other disclosure up to ``seq`` is handed to ``refuse`` with the
        reason and whether it fails the record, one at a time (there may be any
        number of them). A disclosure out of place is a fault of the
        disclosures, not of this record: it is compared with nothing and fails
        no record. ``pd`` is None for a record that could not be read (V1, V2):
        its disclosures are checked for order and case only.
        """
        disclosed: dict[str, Any] = {}
        last_name = ""
        for d in self.take(seq):
            problem = None
            misplaced = d.seq < seq or d.name <= last_name
            if misplaced:
                problem = "out of order or duplicated (disclosures are sorted by seq, name)"
            elif case_id is not None and d.case_id != case_id:
                problem = f"belongs to case {d.case_id}"
            elif pd is None:
                pass  # its record could not be read: nothing to compare with
            elif d.name not in pd:
                problem = "names no commitment of this record"
            else:
                problem = mismatch(d, pd[d.name])
            if not misplaced:
                last_name = d.name
            if problem is not None:
                refuse(d, problem, not misplaced)
            elif pd is not None:
                # A text field's entry is its verified TextDisclosure: the revealed
                # units and withheld runs, which a reader shows with their markers.
                disclosed[d.name] = d if isinstance(d, TextDisclosure) else d.value
        return disclosed
