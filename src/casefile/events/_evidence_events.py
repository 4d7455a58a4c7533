"""Events about evidence items and exhibits."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar

from casefile.events._base import CaseEvent
from casefile.events._registry import register
from casefile.events._state import Exhibit

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = ["EvidenceCaptured"]


@register
class EvidenceCaptured(CaseEvent):
    """A photo, recording or document captured as an exhibit.

    The bytes live in the evidence store, named by ``sha256``; ``exhibit`` is
    the exhibit reference (``JS/1``), unique within the case.
    """

    TYPE = "evidence.captured"
    UUID_FIELDS = ("produced_by",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"exhibit", "sha256", "size"})

    exhibit: str
    kind: str
    sha256: bytes
    size: int
    media_type: str
    device: str
    location: str
    captured_at: int
    description: str
    produced_by: uuid.UUID | None

    def apply(self, aggregate: Investigation) -> None:
        aggregate._exhibits[self.exhibit] = Exhibit(
            reference=self.exhibit,
            seq=self.originator_version,
            kind=self.kind,
            sha256=self.sha256,
            time_ns=self.time_ns,
        )
