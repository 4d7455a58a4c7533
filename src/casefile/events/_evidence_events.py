"""Events about evidence items and exhibits."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from casefile.events._base import CaseEvent
from casefile.events._case_events import check_person_of
from casefile.events._correction_checks import (
    CorrectionCheck,
    check_long_maybe_empty,
    check_media,
    check_person_ref,
    check_short,
    choice_of,
)
from casefile.events._custody_values import Custodian
from casefile.events._registry import register
from casefile.events._state import Exhibit, ExhibitCustody
from casefile.events._values import EvidenceKind, check_time

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = ["EvidenceCaptured"]


@register
class EvidenceCaptured(CaseEvent):
    """A photo, recording or document captured as an exhibit.

    The bytes live in the evidence store, named by ``sha256``; ``exhibit`` is
    the exhibit reference (``JS/1``), unique within the case. ``by`` captured
    it and holds it from then on: a digital item starts in its capturer's
    custody, with no seizure (``recorded_by`` as for custody records).
    """

    TYPE = "evidence.captured"
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"description", "location"})
    UUID_FIELDS = ("produced_by",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"exhibit", "sha256", "size", "by", "recorded_by"}
    )
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "kind": choice_of(EvidenceKind),
        "media_type": check_media,
        "device": check_short,
        "location": check_short,
        "captured_at": check_time,
        "description": check_long_maybe_empty,
        "produced_by": check_person_ref,
    }

    exhibit: str
    by: dict[str, str]
    recorded_by: dict[str, str] | None
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
        exhibit = Exhibit(
            reference=self.exhibit,
            seq=self.originator_version,
            kind=self.kind,
            sha256=self.sha256,
            time_ns=self.time_ns,
            media_type=self.media_type,
        )
        aggregate._exhibits[self.exhibit] = exhibit
        aggregate._custody[self.exhibit] = ExhibitCustody.of_captured(
            exhibit, Custodian.from_data(self.by)
        )

    @classmethod
    def apply_correction(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        changes = {k: fields[k] for k in ("media_type",) if k in fields}
        if not changes:
            return
        for ref, exhibit in list(aggregate._exhibits.items()):
            if exhibit.seq == seq:
                aggregate._exhibits[ref] = dataclasses.replace(exhibit, **changes)
                state = aggregate._custody.get(ref)
                if state is not None and state.seq == seq:
                    aggregate._custody[ref] = dataclasses.replace(state, **changes)

    @classmethod
    def check_correction_of(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        check_person_of(aggregate, fields, "produced_by")
