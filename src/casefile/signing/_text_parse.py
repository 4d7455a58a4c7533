"""The strict shape of a text disclosure's decoded map (FORMAT.md §4.1, V11.1).

Exact types and sizes only: whether the parts fit the tree (V11.2 on) is
checked with the commitment, so a disclosure that parses is read, and one
whose parts do not fit fails its record alone.
"""

from __future__ import annotations

import uuid
from typing import Any

from casefile.errors import DisclosureError
from casefile.signing._text_tree import MAX_TEXT_UNITS
from casefile.signing._value import FIELD_NAME_RULE, is_field_name

__all__ = ["TextFields", "check_text_fields", "fault_prefix"]

#: The parts of a text disclosure, in the order of TextDisclosure's fields.
TextFields = tuple[
    uuid.UUID,
    int,
    str,
    int,
    tuple[tuple[int, int], ...],
    tuple[bytes, ...],
    tuple[bytes, ...],
    tuple[str, ...],
]


def fault_prefix(name: str) -> str:
    """How a fault of the text disclosure of field ``name`` begins."""
    return f"text disclosure of field {name!r}: "


def check_text_fields(fields: dict[str, Any]) -> TextFields:
    """Check the decoded map of a text disclosure, whose key set the caller has checked."""
    # V11.1: exact types and sizes.
    case, seq, name = fields["case"], fields["seq"], fields["name"]
    if type(case) is not bytes or len(case) != 16:
        raise DisclosureError("malformed text disclosure: case must be 16 bytes", step="V11")
    if type(seq) is not int or seq < 1:
        raise DisclosureError(
            "malformed text disclosure: seq must be an integer from 1", step="V11"
        )
    if not is_field_name(name):
        raise DisclosureError(
            f"malformed text disclosure: name must be a field name ({FIELD_NAME_RULE})",
            step="V11",
        )
    case_id = uuid.UUID(bytes=case)

    def fault(problem: str) -> DisclosureError:
        return DisclosureError(
            fault_prefix(name) + problem,
            case_id=str(case_id),
            seq=seq,
            step="V11",
        )

    n, runs = fields["n"], fields["withheld"]
    seeds, hashes, units = fields["seeds"], fields["hashes"], fields["units"]
    if type(n) is not int:
        raise fault("n must be an integer")
    if type(runs) is not list or not all(
        type(run) is list and len(run) == 2 and all(type(x) is int for x in run) for run in runs
    ):
        raise fault("withheld must be a list of [start, end] integer pairs")
    for label, items in (("seeds", seeds), ("hashes", hashes)):
        if type(items) is not list or not all(
            type(item) is bytes and len(item) == 32 for item in items
        ):
            raise fault(f"{label} must be a list of 32-byte strings")
    # One C-level pass over the units' types rather than a Python loop per word.
    if type(units) is not list or not set(map(type, units)) <= {str}:
        raise fault("units must be a list of text strings")
    if not 1 <= n <= MAX_TEXT_UNITS:
        raise fault(f"n must be from 1 to {MAX_TEXT_UNITS}")
    return (
        case_id,
        seq,
        name,
        n,
        tuple((a, b) for a, b in runs),
        tuple(seeds),
        tuple(hashes),
        tuple(units),
    )
