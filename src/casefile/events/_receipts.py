"""A recipient's receipt for a handover: their cosignature of the checkpoint they were given.

The recipient (the CPS, say) cosigns the checkpoint of the bundle it received
with its own key (c2sp.org/tlog-cosignature); the force records that line as a
``receipt.recorded`` record of the case, keyed by a force officer for the
recipient. The cosignature is the recipient's own signature, so it is the
recipient's confirmation of the record (B15 checks it): no ``record.confirmed``
follows, and the record is never left awaiting one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from casefile.errors import InvalidCommandError, NoteError
from casefile.events._base import CaseEvent
from casefile.events._case_events import HandedOver
from casefile.events._custody_values import Custodian
from casefile.events._recording import RecordingBase
from casefile.events._registry import register
from casefile.events._values import Instant, check_text
from casefile.signing._checkpoint import case_of_checkpoint, parse_checkpoint_body
from casefile.signing._cosignature import parse_cosignature
from casefile.verifier._actor import COSIGNED_RECEIPT_TYPE

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = ["ReceiptCommands", "ReceiptRecorded"]

# A checkpoint's three lines, and one cosignature line, are far shorter.
_MAX_CHECKPOINT = 1024
_MAX_LINE = 1024


@register
class ReceiptRecorded(CaseEvent):
    """``by`` (the recipient) cosigned ``checkpoint`` (its note text) with ``cosignature``."""

    TYPE = COSIGNED_RECEIPT_TYPE
    # A receipt is the recipient's signed statement: nothing in it is corrected.
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"by", "recorded_by", "checkpoint", "cosignature"}
    )

    by: dict[str, str]
    recorded_by: dict[str, str]
    checkpoint: str
    cosignature: str

    def apply(self, aggregate: Investigation) -> None:
        # The cosignature is the recipient's own confirmation (FORMAT.md V15, B15).
        seq = self.originator_version
        aggregate._confirmations[seq] = seq
        try:
            cosigner = parse_cosignature(self.cosignature).name
        except NoteError:  # the command checked it; a stored event must still load
            return
        aggregate._cosigned[(self.checkpoint, cosigner)] = seq


class ReceiptCommands(RecordingBase):
    """Recording a recipient's receipt."""

    def record_receipt(
        self,
        *,
        checkpoint: str,
        cosignature: str,
        recipient: Custodian,
        at: Instant | None = None,
    ) -> int:
        """Record ``recipient``'s ``cosignature`` line over ``checkpoint`` (note text).

        The record is keyed by the bound signer for the recipient: ``recorded_by``
        is the signer and ``by`` the recipient, who must be someone else. The
        checkpoint must be of this case and cover at most its records; the
        cosignature must be a well-formed line. Whether it verifies under the
        recipient's trusted key is the application's check (and B15's).
        """
        body = check_text(checkpoint, "checkpoint", max_length=_MAX_CHECKPOINT)
        line = check_text(cosignature, "cosignature", max_length=_MAX_LINE)
        try:
            parsed = parse_checkpoint_body(body)
            named = case_of_checkpoint(parsed)
        except NoteError as exc:
            raise InvalidCommandError("checkpoint", str(exc)) from None
        if named != self._id:
            raise InvalidCommandError("checkpoint", f"names case {named}, not {self._id}")
        if not 1 <= parsed.size <= self._version:
            raise InvalidCommandError(
                "checkpoint", f"covers {parsed.size} records; the case has {self._version}"
            )
        if parsed.size not in self._handovers or self._classes[parsed.size - 1] is not HandedOver:
            raise InvalidCommandError(
                "checkpoint",
                f"covers {parsed.size} records, which do not end with a handover: a receipt"
                " acknowledges the checkpoint of a handover",
            )
        try:
            cosigner = parse_cosignature(line).name
        except NoteError as exc:
            raise InvalidCommandError("cosignature", str(exc)) from None
        # One receipt is one fact: recording it again would add a record saying nothing new.
        earlier = self._cosigned.get((body, cosigner))
        if earlier is not None:
            raise InvalidCommandError(
                "cosignature",
                f"{cosigner}'s receipt of the checkpoint of {parsed.size} records is already "
                f"recorded, as record {earlier}",
            )
        if line.endswith("\n"):
            raise InvalidCommandError("cosignature", "give the line without its newline")
        _, acting = self._acting(recipient, "recipient")
        if acting["recorded_by"] is None:
            raise InvalidCommandError(
                "recipient", "a receipt is recorded by the sender for the recipient, not by them"
            )
        fields = {**acting, "checkpoint": body, "cosignature": line}
        return self._record(ReceiptRecorded, at, fields)
