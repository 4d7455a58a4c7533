"""Capture streams: what an officer records on a device, and its joining a case.

A capture stream is a chain of ordinary records whose header ``case`` is the
stream's own id. Its first record, ``capture.opened``, names the case the
work belongs to (or none yet, with a provisional reference) and the device;
the records after it are the scene commands of any case, cross-referring by
the stream's own sequence numbers. The case itself later records one
``capture.attached`` per attachment, binding the stream's signed checkpoint,
what was attached before it, the time of receipt and the findings of the
case's rules (docs/FORMAT.md §12).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from casefile.errors import InvalidCommandError
from casefile.events._base import CaseEvent
from casefile.events._case_events import CaseOpening
from casefile.events._correction_checks import CorrectionCheck
from casefile.events._recording import NO_PERSONAL, CommandContext, RecordingBase
from casefile.events._registry import register
from casefile.events._values import (
    CaseKind,
    Instant,
    check_choice,
    check_text,
    check_time,
    check_uuid,
)

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "CAPTURE_FINDING_KINDS",
    "CaptureAttached",
    "CaptureCommands",
    "CaptureOpened",
    "check_device",
    "open_capture_event",
]

#: The outcomes of the case's rules that a ``capture.attached`` may record
#: (docs/FORMAT.md §12.4); each names the capture record it concerns.
CAPTURE_FINDING_KINDS: Final = frozenset(
    {
        "exhibit_reference_in_use",
        "seal_number_in_use",
        "recorded_while_closed",
        "device_time_after_receipt",
    }
)
_MAX_DEVICE: Final = 128
_MAX_FINDINGS: Final = 10_000


def check_device(value: object, field: str = "device") -> str:
    """A device identifier: 1 to 128 characters of display text."""
    return check_text(value, field, max_length=_MAX_DEVICE)


@register
class CaptureOpened(CaseOpening):
    """The first record of a capture stream: the case it belongs to, and the device.

    ``target`` is the case id, or None for a case whose reference is issued
    later (``reference`` is then the device's provisional reference).
    """

    TYPE = "capture.opened"
    SCHEMA = 1
    UUID_FIELDS = ("target",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"target", "reference", "device", "kind"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {}
    NOT_DATA: ClassVar[frozenset[str]] = frozenset({"offence", "channel"})

    target: uuid.UUID | None
    device: str
    kind: str

    @property
    def case_kind(self) -> str:
        return self.kind

    def apply(self, aggregate: Investigation) -> None:
        aggregate._kind = self.kind
        aggregate._offence = None
        aggregate._channel = ""
        aggregate._opened_ns = self.time_ns
        # A store indexes one stream per reference: a device may hold several
        # captures of one case, so the stream is indexed under its own id.
        aggregate._reference = str(self.originator_id)
        aggregate._capture_of = (self.target, self.reference, self.device)

    @classmethod
    def apply_correction(
        cls, aggregate: Investigation, seq: int, fields: Mapping[str, Any]
    ) -> None:
        """Nothing of a capture's opening is corrected."""


@register
class CaptureAttached(CaseEvent):
    """Records ``from_size + 1`` to the checkpoint's size of capture ``stream`` join the case.

    ``checkpoint`` is the stream's signed checkpoint note as the device sent it;
    ``received`` the centre's time of receipt; ``findings`` what the case's
    rules found in the records attached (each ``{"kind", "seq"}``, seq of the stream).
    """

    TYPE = "capture.attached"
    SCHEMA = 1
    UUID_FIELDS = ("stream",)
    LIST_FIELDS = ("findings",)
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"stream", "device", "checkpoint", "from_size", "size", "received", "findings"}
    )
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {}

    stream: uuid.UUID
    device: str
    checkpoint: str
    from_size: int
    size: int
    received: int
    findings: tuple[Mapping[str, Any], ...]

    def apply(self, aggregate: Investigation) -> None:
        seqs = aggregate._attached.get(self.stream, (0, ()))[1]
        aggregate._attached[self.stream] = (self.size, (*seqs, self.originator_version))


class CaptureCommands(RecordingBase):
    """Opening a capture stream, and recording its attachment to the case."""

    _attached: dict[uuid.UUID, tuple[int, tuple[int, ...]]]
    _capture_of: tuple[uuid.UUID | None, str, str] | None

    @property
    def capture_of(self) -> tuple[uuid.UUID | None, str, str] | None:
        """For a capture stream: (target case id or None, reference, device); else None."""
        return self._capture_of

    @property
    def attached(self) -> Mapping[uuid.UUID, tuple[int, int]]:
        """Capture streams attached to the case: stream id -> (size attached, latest binding)."""
        return {stream: (size, seqs[-1]) for stream, (size, seqs) in self._attached.items()}

    def bindings_of(self, stream: uuid.UUID) -> tuple[int, ...]:
        """The seqs of the ``capture.attached`` records of ``stream``, in order (none: ())."""
        return self._attached.get(stream, (0, ()))[1]

    def record_capture_attached(
        self,
        *,
        stream: uuid.UUID,
        device: str,
        checkpoint: str,
        from_size: int,
        size: int,
        received: int,
        findings: tuple[Mapping[str, Any], ...],
        at: Instant | None = None,
    ) -> int:
        """Bind records ``from_size + 1`` to ``size`` of a verified capture stream.

        The application calls this once it has verified the stream and its
        ``checkpoint``; a closed case still takes the binding (the work was done),
        with its findings saying what the rules found.
        """
        stream = check_uuid(stream, "stream")
        before = self._attached.get(stream, (0, ()))[0]
        if from_size != before or not before < size:
            raise InvalidCommandError(
                "size", f"capture {stream} has {before} records attached, not {from_size}"
            )
        for finding in findings:
            if finding.get("kind") not in CAPTURE_FINDING_KINDS:
                raise InvalidCommandError("findings", f"unknown finding {finding.get('kind')!r}")
        if len(findings) > _MAX_FINDINGS:
            raise InvalidCommandError("findings", "too many findings")
        fields = {
            "stream": stream,
            "device": check_device(device),
            "checkpoint": check_text(checkpoint, "checkpoint", max_length=4096),
            "from_size": from_size,
            "size": size,
            "received": check_time(received, "received"),
            "findings": tuple({"kind": f["kind"], "seq": int(f["seq"])} for f in findings),
        }
        return self._record(CaptureAttached, at, fields)


def open_capture_event(
    *,
    reference: str,
    device: str,
    kind: CaseKind | str,
    target: uuid.UUID | None,
    at: Instant | None,
    stream_id: uuid.UUID | None,
    context: CommandContext,
) -> CaptureOpened:
    """The first record of a new capture stream, checked."""
    fields = {
        "target": None if target is None else check_uuid(target, "target"),
        "reference": check_text(reference, "reference", max_length=64),
        "device": check_device(device),
        "kind": check_choice(CaseKind, kind, "kind"),
    }
    when = check_time(context.clock() if at is None else at, "at")
    stream = check_uuid(stream_id, "stream_id") if stream_id is not None else context.new_id()
    return CaptureOpened.new(stream, 1, when, NO_PERSONAL, fields)
