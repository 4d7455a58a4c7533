"""Commands about work on an exhibit: examination, copies, access, fixity, disclosure, reports.

Examining or imaging an exhibit is custodial work (only its custodian, with
its seal open); a derived copy of a digital exhibit, an access, a fixity
check, a disclosure, a retention review, a loss or damage may be recorded by
anyone with access. Copies name their source's SHA-256 on record, so that a court
can see each copy is made from the exhibit seized, bit for bit.
"""

from __future__ import annotations

from casefile.errors import ExhibitHashError, InvalidCommandError
from casefile.events._custody_base import CustodyAct, CustodyRecording
from casefile.events._custody_events import ExhibitDamaged, ExhibitLost
from casefile.events._custody_values import (
    Custodian,
    ExhibitStatus,
    FixityResult,
    RetentionDecision,
)
from casefile.events._exhibit_work_events import (
    ExhibitAccessed,
    ExhibitDerived,
    ExhibitDisclosed,
    ExhibitExamined,
    ExhibitImaged,
    FixityChecked,
    RetentionReviewed,
)
from casefile.events._state import ExhibitCustody
from casefile.events._values import (
    MAX_LONG_TEXT,
    Instant,
    check_choice,
    check_media_type,
    check_sha256,
    check_text,
    check_time,
)

__all__ = ["ExhibitWorkCommands"]


def _require_open_seal(act: CustodyAct, state: ExhibitCustody, verb: str) -> None:
    if state.sealed:
        raise InvalidCommandError(
            "exhibit", f"exhibit {act.ref} is sealed ({state.seal}): open the seal to {verb} it"
        )


def _source_hash(act: CustodyAct, state: ExhibitCustody, quoted: bytes, field: str) -> None:
    if state.sha256 is None:
        raise ExhibitHashError(
            f"{field}: exhibit {act.ref} has no SHA-256 on record, so a copy of it cannot "
            "be shown to be bit for bit; image it first"
        )
    if quoted != state.sha256:
        raise ExhibitHashError(
            f"{field}: {quoted.hex()} is not exhibit {act.ref}'s SHA-256 on record "
            f"({state.sha256.hex()})"
        )


class ExhibitWorkCommands(CustodyRecording):
    """Examination, imaging, derived copies, access, fixity, disclosure, retention, reports."""

    def examine_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        lab: str,
        method: str,
        tool: str = "",
        tool_version: str = "",
        destructive: bool = False,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record an examination by the custodian at ``lab`` (the seal must be open)."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        _require_open_seal(act, self._existing(act, handles="examine"), "examine")
        if type(destructive) is not bool:
            raise InvalidCommandError("destructive", "expected True or False")
        fields = {
            "lab": check_text(lab, "lab"),
            "method": check_text(method, "method", max_length=MAX_LONG_TEXT),
            "tool": check_text(tool, "tool", allow_empty=True),
            "tool_version": check_text(tool_version, "tool_version", allow_empty=True),
            "destructive": destructive,
        }
        return self._append(ExhibitExamined, act, fields)

    def _copy_fields(
        self,
        act: CustodyAct,
        source: ExhibitCustody,
        derived: str,
        output_sha256: bytes,
        media_type: str | None,
        description: str,
    ) -> dict[str, object]:
        return {
            "derived": self._check_new_reference(derived, "derived"),
            "root": source.root,
            "output_sha256": check_sha256(output_sha256, "output_sha256"),
            "media_type": None if media_type is None else check_media_type(media_type),
            "description": check_text(description, "description", max_length=MAX_LONG_TEXT),
        }

    def image_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        derived: str,
        source_sha256: bytes,
        output_sha256: bytes,
        tool: str,
        description: str,
        tool_version: str = "",
        write_blocker: str = "",
        media_type: str | None = None,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record an image or copy of the exhibit, made by its custodian, as exhibit ``derived``.

        ``source_sha256`` is the hash of what was read: for a digital exhibit
        it must be its SHA-256 on record; for a device it is the acquisition
        hash. ``derived`` (e.g. ``JS/1/A``) is a new reference with the same root.
        """
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        source = self._existing(act, handles="image")
        _require_open_seal(act, source, "image")
        read = check_sha256(source_sha256, "source_sha256")
        if source.sha256 is not None:
            _source_hash(act, source, read, "source_sha256")
        fields = self._copy_fields(act, source, derived, output_sha256, media_type, description)
        fields.update(
            source_sha256=read,
            tool=check_text(tool, "tool"),
            tool_version=check_text(tool_version, "tool_version", allow_empty=True),
            write_blocker=check_text(write_blocker, "write_blocker", allow_empty=True),
        )
        return self._append(ExhibitImaged, act, fields)

    def derive_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        derived: str,
        input_sha256: bytes,
        output_sha256: bytes,
        method: str,
        purpose: str,
        description: str,
        tool: str = "",
        media_type: str | None = None,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record a derived or redacted copy of a digital exhibit as exhibit ``derived``.

        ``input_sha256`` must be the source's SHA-256 on record: a copy of an
        exhibit without one is refused (:class:`~casefile.errors.ExhibitHashError`).
        """
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        source = self._existing(act)
        _source_hash(act, source, check_sha256(input_sha256, "input_sha256"), "input_sha256")
        fields = self._copy_fields(act, source, derived, output_sha256, media_type, description)
        fields.update(
            input_sha256=input_sha256,
            method=check_text(method, "method", max_length=MAX_LONG_TEXT),
            purpose=check_text(purpose, "purpose"),
            tool=check_text(tool, "tool", allow_empty=True),
        )
        return self._append(ExhibitDerived, act, fields)

    def access_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        purpose: str,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record that ``by`` accessed or viewed the exhibit for ``purpose``."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        self._existing(act)
        return self._append(ExhibitAccessed, act, {"purpose": check_text(purpose, "purpose")})

    def check_fixity(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        actual_sha256: bytes,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record the exhibit's bytes hashed again; a mismatch is recorded, not refused."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at, after_closure=True)
        state = self._existing(act)
        actual = check_sha256(actual_sha256, "actual_sha256")
        if state.sha256 is None:
            raise ExhibitHashError(f"exhibit {act.ref} has no SHA-256 on record to check against")
        result = FixityResult.MATCH if actual == state.sha256 else FixityResult.MISMATCH
        fields = {
            "expected_sha256": state.sha256,
            "actual_sha256": actual,
            "result": result.value,
        }
        return self._append(FixityChecked, act, fields)

    def disclose_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        recipient: str,
        checkpoint: str = "",
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record the exhibit disclosed to ``recipient`` in the bundle of signed ``checkpoint``."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        self._existing(act)
        fields = {
            "recipient": check_text(recipient, "recipient"),
            "checkpoint": check_text(
                checkpoint, "checkpoint", max_length=16 * 1024, allow_empty=True
            ),
        }
        return self._append(ExhibitDisclosed, act, fields)

    def review_retention(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        decision: RetentionDecision | str,
        reason: str,
        next_review: int | None = None,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record a retention review: keep, return or destroy, why, and when to look again."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at, after_closure=True)
        self._existing(act)
        fields = {
            "decision": check_choice(RetentionDecision, decision, "decision"),
            "reason": check_text(reason, "reason", max_length=MAX_LONG_TEXT),
            "next_review": None if next_review is None else check_time(next_review, "next_review"),
        }
        return self._append(RetentionReviewed, act, fields)

    def report_exhibit_lost(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        circumstances: str,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record the exhibit lost; anyone may report it, and it is held by nobody after."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at, after_closure=True)
        state = self._existing(act)
        if state.status == ExhibitStatus.LOST:
            raise InvalidCommandError("exhibit", f"exhibit {act.ref} is already recorded lost")
        text = check_text(circumstances, "circumstances", max_length=MAX_LONG_TEXT)
        return self._append(ExhibitLost, act, {"circumstances": text})

    def report_exhibit_damaged(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        damage: str,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record damage to the exhibit, described in ``damage``."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at, after_closure=True)
        self._existing(act)
        text = check_text(damage, "damage", max_length=MAX_LONG_TEXT)
        return self._append(ExhibitDamaged, act, {"damage": text})
