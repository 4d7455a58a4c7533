"""Findings: observations a court may weigh, reported beside a verification verdict.

A finding is not a failure. A record time later than the verification time, a
withheld personal field or a gap in an exhibit's continuity leaves the records
authentic; it is reported so that a person can weigh it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation: a stable ``kind``, a sentence, and where it was made.

    ``seq`` is the record it concerns: its sequence number in the case, or
    for a record of a capture stream the case bound, ``"<stream-uuid>#<seq>"``
    (docs/FORMAT.md §12.5).
    """

    kind: str
    message: str
    seq: int | str | None = None
    exhibit: str | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "message": self.message, "seq": self.seq}
        if self.exhibit is not None:
            out["exhibit"] = self.exhibit
        return out
