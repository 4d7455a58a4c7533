"""The handover an export to a recipient records, and the earlier ones its bundle carries.

docs/FORMAT.md B13 and B14: the handover names the checkpoint of every record
before it and ends the bundle; the bundle carries the checkpoints its
recipient was given before, each with a consistency proof to its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from casefile.bundle._earlier import earlier_handovers
from casefile.bundle._history import HistoryCollector
from casefile.errors import ConcurrencyConflictError, InvalidCommandError
from casefile.verifier._verified import VerifiedRecord

__all__ = ["handovers_file", "with_retries"]

#: How often a handover is tried again when records keep arriving meanwhile.
HANDOVER_ATTEMPTS: Final = 5


def with_retries(record: Callable[[], int]) -> int:
    """Run ``record`` (which checkpoints the case and records the handover); its seq.

    Officers may record between the checkpoint and the handover: the handover
    then no longer follows the records its note covers, and is refused (or its
    save conflicts), so it is tried again on the case as it has become.
    """
    for attempt in range(HANDOVER_ATTEMPTS):
        try:
            return record()
        except (InvalidCommandError, ConcurrencyConflictError) as exc:
            if attempt + 1 == HANDOVER_ATTEMPTS or (
                isinstance(exc, InvalidCommandError) and exc.field != "checkpoint"
            ):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def handovers_file(
    records: Iterable[VerifiedRecord], size: int, note_for: Callable[[int], str]
) -> bytes | None:
    """handovers.json for a bundle of these ``size`` verified records, or None.

    When the bundle ends with a handover (its own, or, handed to no one, the
    case's last), the checkpoints that recipient was given before, each signed
    again by ``note_for(size)``, with its proof.
    """
    collected = HistoryCollector(keep=True)
    for r in records:
        collected.take(r.seq, r.event_type, r.schema, r.time_ns, r.data, r.hash)
    history = collected.history(size)
    return None if history is None else earlier_handovers(history, note_for)
