"""Commands about evidence items and exhibits."""

from __future__ import annotations

import uuid

from casefile._time import ns_to_rfc3339
from casefile.errors import DuplicateExhibitError, InvalidCommandError
from casefile.events._custody_values import Custodian
from casefile.events._evidence_events import EvidenceCaptured
from casefile.events._recording import RecordingBase
from casefile.events._values import (
    MAX_LONG_TEXT,
    EvidenceKind,
    Instant,
    check_choice,
    check_exhibit_reference,
    check_int,
    check_media_type,
    check_sha256,
    check_text,
    check_time,
)

__all__ = ["EvidenceCommands"]


class EvidenceCommands(RecordingBase):
    """Capturing evidence under unique exhibit references."""

    def capture_evidence(
        self,
        *,
        exhibit: str,
        kind: EvidenceKind | str,
        sha256: bytes,
        size: int,
        media_type: str,
        device: str,
        location: str,
        captured_at: Instant,
        description: str = "",
        produced_by: uuid.UUID | None = None,
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record a captured evidence item under a new exhibit reference such as ``JS/1``.

        ``by`` (by default the bound signer) captured it and holds it from then
        on, so it can be sealed and handed on with no seizure. Another ``by``
        than the signer records the capture on their behalf.
        """
        self._require_open()
        ref = check_exhibit_reference(exhibit)
        # Unique across captured evidence and exhibits in custody alike.
        earlier = self._exhibit_seq(ref)
        if earlier is not None:
            raise DuplicateExhibitError(
                f"exhibit {ref} already exists in case {self._id} (record {earlier})"
            )
        when = check_time(self._context.clock() if at is None else at, "at")
        captured = check_time(captured_at, "captured_at")
        # As for custody acts (CUSTODY.md rule 6): nothing is captured after it is recorded.
        if captured > when:
            raise InvalidCommandError(
                "captured_at",
                f"{ns_to_rfc3339(captured)} is later than the record's time {ns_to_rfc3339(when)}",
            )
        fields = {
            "exhibit": ref,
            "kind": check_choice(EvidenceKind, kind, "kind"),
            "sha256": check_sha256(sha256, "sha256"),
            "size": check_int(size, "size", minimum=0),
            "media_type": check_media_type(media_type),
            "device": check_text(device, "device"),
            "location": check_text(location, "location"),
            "captured_at": captured,
            "description": check_text(
                description, "description", max_length=MAX_LONG_TEXT, allow_empty=True
            ),
            "produced_by": self._person_or_none(produced_by, "produced_by"),
        }
        fields.update(self._acting(by)[1])
        return self._record(EvidenceCaptured, when, fields)
