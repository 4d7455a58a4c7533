"""The record types that are evidence a point to prove may cite (FORMAT.md §10.4).

Held below the domain so that the domain, which refuses a point citing any
other record when recording, and the case file, which reports one it reads
from authentic records, share one list.
"""

from __future__ import annotations

from typing import Final

__all__ = ["EVIDENCE_TYPES"]

#: The record types whose records are evidence a point to prove may cite.
EVIDENCE_TYPES: Final = frozenset(
    {
        "statement.recorded",
        "evidence.captured",
        "exhibit.seized",
        "exhibit.produced",
        "exhibit.located",
        "interview.recorded",
    }
)
