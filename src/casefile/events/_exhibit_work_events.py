"""Events of work on an exhibit: examination, images and copies, access, fixity, disclosure.

Records that make a copy (``exhibit.imaged``, ``exhibit.derived``) name the
new exhibit (``derived``), its root, and the hashes in and out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from casefile.events._custody_event_base import (
    CorrectionCheck,
    CustodyEvent,
    check_long,
    check_maybe_empty,
    check_optional_media,
    check_optional_time,
    check_short,
    correctable,
)
from casefile.events._registry import register
from casefile.events._state import ExhibitCustody

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "ExhibitAccessed",
    "ExhibitDerived",
    "ExhibitDisclosed",
    "ExhibitExamined",
    "ExhibitImaged",
    "FixityChecked",
    "RetentionReviewed",
]


@register
@correctable(
    lab=check_short, method=check_long, tool=check_maybe_empty, tool_version=check_maybe_empty
)
class ExhibitExamined(CustodyEvent):
    """The exhibit examined at ``lab`` by ``method`` with ``tool`` ``tool_version``."""

    TYPE = "exhibit.examined"

    lab: str
    method: str
    tool: str
    tool_version: str
    destructive: bool

    def apply(self, aggregate: Investigation) -> None:
        self._put(aggregate, self._state(aggregate), **self._moved())


class _Copy(CustodyEvent):
    """An event that makes a new exhibit, ``derived``, from this one; it names their root."""

    TEXT_FIELDS: ClassVar[frozenset[str]] = CustodyEvent.TEXT_FIELDS | {"description"}

    derived: str
    root: str
    output_sha256: bytes
    media_type: str | None
    description: str

    def _make_copy(self, aggregate: Investigation, source: ExhibitCustody) -> None:
        self._new(
            aggregate,
            self.derived,
            root=source.root,
            original=False,
            source=source.reference,
            sha256=self.output_sha256,
            media_type=self.media_type,
            custodian=self.actor,
        )


_COPY_CHECKS: Final[dict[str, CorrectionCheck]] = {
    "description": check_long,
    "media_type": check_optional_media,
}


@register
@correctable(
    **_COPY_CHECKS,
    tool=check_short,
    tool_version=check_maybe_empty,
    write_blocker=check_maybe_empty,
)
class ExhibitImaged(_Copy):
    """The exhibit imaged or copied: the source read as ``source_sha256``, written as ``derived``.

    ``write_blocker`` names the write blocker used (empty if none).
    """

    TYPE = "exhibit.imaged"

    source_sha256: bytes
    tool: str
    tool_version: str
    write_blocker: str

    def apply(self, aggregate: Investigation) -> None:
        source = self._state(aggregate)
        self._put(aggregate, source, **self._moved())
        self._make_copy(aggregate, source)


@register
@correctable(**_COPY_CHECKS, method=check_long, purpose=check_short, tool=check_maybe_empty)
class ExhibitDerived(_Copy):
    """A derived or redacted copy of a digital exhibit: ``input_sha256`` in, ``derived`` out."""

    TYPE = "exhibit.derived"

    input_sha256: bytes
    method: str
    purpose: str
    tool: str

    def apply(self, aggregate: Investigation) -> None:
        source = self._state(aggregate)
        self._put(aggregate, source)
        self._make_copy(aggregate, source)


@register
@correctable(purpose=check_short)
class ExhibitAccessed(CustodyEvent):
    """The exhibit (or its bytes) accessed or viewed by ``by`` for ``purpose``."""

    TYPE = "exhibit.accessed"

    purpose: str


@register
@correctable()
class FixityChecked(CustodyEvent):
    """The exhibit's bytes hashed again: ``expected_sha256`` on record, ``actual_sha256`` found."""

    TYPE = "exhibit.fixity_checked"

    expected_sha256: bytes
    actual_sha256: bytes
    result: str


@register
@correctable(recipient=check_short)
class ExhibitDisclosed(CustodyEvent):
    """The exhibit disclosed or served to ``recipient`` in the bundle of ``checkpoint``."""

    TYPE = "exhibit.disclosed"

    recipient: str
    checkpoint: str


@register
@correctable(reason=check_long, next_review=check_optional_time)
class RetentionReviewed(CustodyEvent):
    """A review of whether to keep the exhibit: ``decision``, ``reason``, ``next_review``."""

    TYPE = "exhibit.retention_reviewed"
    TEXT_FIELDS: ClassVar[frozenset[str]] = CustodyEvent.TEXT_FIELDS | {"reason"}

    decision: str
    reason: str
    next_review: int | None
