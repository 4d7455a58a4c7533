"""What a capture's erasures take out of the centre's store when they arrive.

A device erases words from its own store when its officer records the
erasure. If the record they belong to was attached before, the centre holds
the words from that earlier package, and attaching only stores what is new:
so the erasure, arriving in a later package, is applied by the centre to the
disclosures it holds, exactly as a central erasure is (the text kept with the
erased runs withheld, or the field dropped). An erasure of a record arriving in
the same package is applied to that package's disclosure too, so the centre
never keeps words a record of the stream says were erased, whatever the
device sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence

from casefile.application._recorders import DisclosureRow, ErasureRow
from casefile.signing._commitments import AnyDisclosure
from casefile.signing._text import TextDisclosure, parse_disclosure
from casefile.verifier import VerifiedRecord
from casefile.verifier._redaction_codes import ERASURE_TYPE

__all__ = ["apply_capture_erasures"]


def apply_capture_erasures(
    stream: uuid.UUID,
    new: Iterable[VerifiedRecord],
    before: int,
    rows: Sequence[DisclosureRow],
    held: Callable[[int, str], AnyDisclosure | None],
) -> tuple[list[DisclosureRow], list[ErasureRow]]:
    """The new disclosure rows with the new erasures applied, and the rows to erase.

    ``new`` are the stream's records joining the case (after ``before``),
    ``rows`` the package's disclosure rows for them, ``held(seq, field)`` the
    centre's stored disclosure of an earlier attached record (None: none held).
    """
    arriving = {(seq, field): raw for _, seq, field, raw in rows}
    current: dict[tuple[int, str], AnyDisclosure | None] = {}
    for record in new:
        if record.event_type != ERASURE_TYPE:
            continue
        key = (record.data["record"], record.data["field"])
        if key not in current:
            if key[0] > before:
                raw = arriving.get(key)
                current[key] = None if raw is None else parse_disclosure(raw)
            else:
                current[key] = held(*key)
        current[key] = _erase(current[key], record.data["runs"])
    kept = [row for row in rows if (row[1], row[2]) not in current]
    erase: list[ErasureRow] = []
    for (seq, field), disclosure in current.items():
        replacement = None if disclosure is None else disclosure.to_bytes()
        if seq > before:
            if replacement is not None:
                kept.append((stream, seq, field, replacement))
        else:
            erase.append((stream, seq, field, replacement))
    return kept, erase


def _erase(disclosure: AnyDisclosure | None, runs: list[list[int]] | None) -> AnyDisclosure | None:
    # As a central erasure: runs of a text are withheld; the whole field, or every
    # unit of it, leaves no disclosure at all.
    if disclosure is None or runs is None or not isinstance(disclosure, TextDisclosure):
        return None
    kept = disclosure.redact((start, end) for start, end in runs)
    return None if kept.withheld == ((0, kept.n),) else kept
