"""What makes verified records a capture stream (docs/FORMAT.md §12.1, §12.3 A2-A4).

Shared by the centre when it attaches a package and by the bundle verifier
when it checks the captures a bundle carries (B19): one definition of a
capture's checkpoint keys and of the types a capture may hold.
"""

from __future__ import annotations

import uuid
from typing import Final

from casefile.bundle._capture_package import CapturePackage
from casefile.errors import CaptureError, CheckpointSignatureError, InputError
from casefile.signing._checkpoint import Checkpoint, case_of_checkpoint, open_checkpoint
from casefile.signing._note import NoteVerifier, split_note
from casefile.signing._records import parse_record
from casefile.signing._text import parse_disclosure
from casefile.signing._trust import TrustStore
from casefile.verifier import VerifiedCase, verify_case
from casefile.verifier._payloads import CAPTURE_ATTACHED, CAPTURE_OPENED, payload_schemas

__all__ = [
    "CAPTURE_ATTACHED",
    "CAPTURE_ONLY_TYPES",
    "CAPTURE_OPENED",
    "capture_checkpoint_roles",
    "capture_signers",
    "check_capture_types",
    "verify_capture_checkpoint",
    "verify_capture_records",
]

#: Types a capture stream never holds beyond its first record: a capture opens no
#: case, binds no other capture and is handed over only through the case it joins;
#: unused material and the case summary are numbered by the case (items, schedule
#: revisions, versions), so a capture's own would stand in the case's schedules and
#: summary (docs/DECISIONS.md D69).
CAPTURE_ONLY_TYPES: Final = frozenset(
    {
        "case.opened",
        CAPTURE_OPENED,
        CAPTURE_ATTACHED,
        "case.handed_over",
        "receipt.recorded",
        "unused.item_recorded",
        "unused.scheduled",
        "unused.decided",
        "case_summary.written",
    }
)


def capture_checkpoint_roles(trust: TrustStore) -> frozenset[str]:
    """The roles that may sign a capture's checkpoint: those that may open a capture.

    Offline, no checkpoint service is reachable: the officer's own key signs
    (docs/DECISIONS.md D52).
    """
    return trust.policy.roles_for(CAPTURE_OPENED)


def verify_capture_checkpoint(
    note: str, verified: VerifiedCase, trust: TrustStore, *, at: int, step: str = "A2"
) -> Checkpoint:
    """A2 and A3 for a stream whose verified records ``verified`` holds (kept records).

    ``step`` names the step reported (the bundle verifier's B19 runs the same checks).
    """
    label = str(verified.case_id)
    roles = capture_checkpoint_roles(trust)
    last = max((r.time_ns for r in verified.records), default=at)
    keys = [
        NoteVerifier(e.name, e.public_key)
        for e in trust.entries
        if not e.roles.isdisjoint(roles) and e.may_sign_after(last, at)
    ]
    content = "A3" if step == "A2" else step
    try:
        checkpoint, _ = open_checkpoint(note, keys)  # A2
        named = case_of_checkpoint(checkpoint)
    except (InputError, CheckpointSignatureError) as exc:
        raise CaptureError(f"capture checkpoint: {exc}", case_id=label, step=step) from None
    # A3: the checkpoint is over exactly the records carried.
    if named != verified.case_id:
        raise CaptureError("capture checkpoint names another stream", case_id=label, step=content)
    if checkpoint.size != verified.size or checkpoint.root != verified.root:
        raise CaptureError(
            f"capture checkpoint (size {checkpoint.size}) is not over the "
            f"{verified.size} records carried",
            case_id=label,
            step=content,
        )
    return checkpoint


def verify_capture_records(package: CapturePackage, trust: TrustStore, *, at: int) -> VerifiedCase:
    """The package's records verified as a case's (V1-V15), with the disclosures it carries.

    B19 judges a carried capture by them, and a bundle's views (B12) read
    them: the writer builds its views from the very packages it carries.
    """
    return verify_case(
        package.records,
        trust=trust,
        at=at,
        case_id=package.stream,
        disclosures=(parse_disclosure(raw) for raw in package.disclosures),
        payloads=payload_schemas(),
        workers=1,
    )


def check_capture_types(verified: VerifiedCase, *, step: str = "A4") -> uuid.UUID | None:
    """A4: record 1 opens a capture and no later record is of a case's own; returns the
    case the capture names (None: a case named when it is attached)."""
    label = str(verified.case_id)
    records = verified.records
    first = records[0]
    if (first.event_type, first.schema) != (CAPTURE_OPENED, 1):
        raise CaptureError(
            f"not a capture stream: record 1 is not {CAPTURE_OPENED}",
            case_id=label,
            seq=1,
            step=step,
        )
    for record in records[1:]:
        if record.event_type in CAPTURE_ONLY_TYPES:
            raise CaptureError(
                f"a capture stream holds no {record.event_type}",
                case_id=label,
                seq=record.seq,
                step=step,
            )
    target = first.data["target"]
    return None if target is None else uuid.UUID(bytes=target)


def capture_signers(package: CapturePackage, trust: TrustStore) -> set[bytes]:
    """The key ids of ``trust`` that sign a carried capture: its records' and its
    checkpoint's (a bundle's trust.json must hold them, B10). Reads headers only."""
    found: set[bytes] = set()
    for raw in package.records:
        try:
            found.add(parse_record(raw).header.key_id)
        except InputError:
            continue  # B19 names a record that does not parse
    try:
        _text, signatures = split_note(package.checkpoint)
    except InputError:
        return found
    for entry in trust.entries:
        key = NoteVerifier(entry.name, entry.public_key)
        if any((s.name, s.key_id) == (key.name, key.key_id) for s in signatures):
            found.add(entry.public_key.key_id)
    return found
