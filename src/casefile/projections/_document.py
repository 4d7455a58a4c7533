"""The bytes of a JSON document a projection writes: one form for every file it writes.

Sorted keys, two-space indentation, text as itself (UTF-8, not ``\\u``
escapes) and a final newline, with nothing from the clock or locale: the same
value gives the same bytes, so a recipient can compare or hash two files
written from the same records.
"""

from __future__ import annotations

import json

__all__ = ["json_document"]


def json_document(value: object) -> bytes:
    """``value`` (a JSON-ready object) as the UTF-8 bytes of a document."""
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
