"""What the verification page of a readable case file shows: who signed what, the checkpoint.

:func:`verification_page` is a pure function of verified records: for each key
that signed any of them, its note name, key id, holder and roles, with the runs of
record numbers it signed; each handover the records hold and each recipient's
receipt of one (B13, B15); the checkpoint the records were proven against, when
given; and the findings the verification made. The case file's own findings and
its continuity findings are already in the :class:`CaseFile` and are not repeated.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from casefile.errors import InputError, NoteError
from casefile.findings import Finding
from casefile.projections._cite import Cite
from casefile.projections._story import StoryEntry, case_story
from casefile.signing import (
    Checkpoint,
    TrustEntry,
    parse_checkpoint_body,
    parse_cosignature,
    split_note,
)
from casefile.verifier import VerifiedRecord
from casefile.verifier._payloads import CAPTURE_ATTACHED

__all__ = [
    "KeyUse",
    "PageCapture",
    "PageCheckpoint",
    "PageHandover",
    "VerificationPage",
    "cite_runs",
    "seq_runs",
    "verification_page",
]

_HANDOVER: Final = "case.handed_over"
_RECEIPT: Final = "receipt.recorded"


@dataclass(frozen=True, slots=True)
class KeyUse:
    """One signing key and the records it signed, as runs ``(first, last)`` of citations.

    A run is of consecutive records of the case, or of one capture stream the
    case bound (``("<stream>#2", "<stream>#4")``, docs/FORMAT.md §12.5).
    """

    name: str
    key_id: str
    holder: str
    roles: tuple[str, ...]
    runs: tuple[tuple[Cite, Cite], ...]
    records: int


@dataclass(frozen=True, slots=True)
class PageCheckpoint:
    """The signed tree head the records were proven against."""

    origin: str
    size: int
    root: str


@dataclass(frozen=True, slots=True)
class PageHandover:
    """A handover the records hold, or a recipient's receipt of one, in record order.

    A handover (``receipt`` False) was to ``recipient`` (for ``audience``, if named), by
    ``by``, at ``at`` (the record's time, ns); its bundle ended with record ``seq``. A
    receipt says ``by`` (the recipient) cosigned at ``at`` the checkpoint of the first
    ``covers`` records, which ended with the handover it acknowledges.
    """

    seq: int
    receipt: bool
    recipient: str
    audience: str | None
    by: str
    at: int
    covers: int


@dataclass(frozen=True, slots=True)
class PageCapture:
    """A capture the case bound: its records are chained and checkpointed in a stream of
    their own, so the case's checkpoint does not cover them; the binding holds theirs."""

    stream: str
    #: Its records the page counts (0 when the page was built without the captures).
    records: int
    #: The ``capture.attached`` records of the case that bound it, in order.
    bound_by: tuple[int, ...]
    #: The capture's checkpoint as its latest binding holds it (None: not a checkpoint).
    checkpoint: PageCheckpoint | None


@dataclass(frozen=True, slots=True)
class VerificationPage:
    """The last page of a readable case file."""

    keys: tuple[KeyUse, ...]
    checkpoint: PageCheckpoint | None
    handovers: tuple[PageHandover, ...]
    #: None: the page was built without the verifier's findings (a view in a bundle,
    #: whose findings depend on how it is verified); the page then says where they are.
    findings: tuple[Finding, ...] | None
    records: int
    #: Each capture the case bound, by stream (docs/FORMAT.md §12.5).
    captures: tuple[PageCapture, ...] = ()


def seq_runs(seqs: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Record numbers as runs ``(first, last)`` of consecutive numbers, in order."""
    runs: list[tuple[int, int]] = []
    for seq in sorted(seqs):
        if runs and seq == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return tuple(runs)


def cite_runs(cites: Sequence[Cite]) -> tuple[tuple[Cite, Cite], ...]:
    """Citations as runs ``(first, last)``: of consecutive case records, or of one stream's.

    Case records alone are taken in ``seq`` order (:func:`seq_runs`); with
    captured records, in the order given (the story's).
    """
    numbers = [c for c in cites if type(c) is int]
    if len(numbers) == len(cites):
        return seq_runs(numbers)
    runs: list[tuple[Cite, Cite]] = []
    last: tuple[str, int] | None = None
    for cite in cites:
        stream, _, n = str(cite).rpartition("#")
        here = (stream, int(n))
        if runs and last is not None and last[0] == stream and last[1] + 1 == here[1]:
            runs[-1] = (runs[-1][0], cite)
        else:
            runs.append((cite, cite))
        last = here
    return tuple(runs)


def verification_page(
    records: Iterable[VerifiedRecord],
    *,
    checkpoint: Checkpoint | None = None,
    findings: Iterable[Finding] | None = (),
    captures: Mapping[uuid.UUID, Sequence[VerifiedRecord]] | None = None,
) -> VerificationPage:
    """The verification page of ``records`` (verified), ``checkpoint`` and ``findings``.

    Keys are listed by note name then key id, runs in order, findings in the order
    given (the verifier's order), so the same input gives the same page. With
    ``findings=None`` the page says that the verifier's report lists them.
    ``captures`` (each bound stream's verified records) adds the records the
    case bound to the keys that signed them, in story order (docs/FORMAT.md
    §12.5), cited ``<stream-uuid>#<seq>``.
    """
    by_key: dict[bytes, tuple[TrustEntry, list[Cite]]] = {}
    handovers: list[PageHandover] = []
    bound: dict[str, tuple[list[int], str]] = {}
    count = 0
    story = case_story(records, captures) if captures else map(StoryEntry, records)
    for entry in story:
        record = entry.record
        count += 1
        signer = record.signer
        by_key.setdefault(signer.key_id, (signer, []))[1].append(entry.cite)
        if entry.stream is None and record.event_type in (_HANDOVER, _RECEIPT):
            handovers.extend(_handover(record))
        if entry.stream is None and record.event_type == CAPTURE_ATTACHED:
            stream = str(uuid.UUID(bytes=record.data["stream"]))
            bound.setdefault(stream, ([], ""))[0].append(record.seq)
            bound[stream] = (bound[stream][0], str(record.data["checkpoint"]))
    keys = []
    for key_id, (signer, seqs) in by_key.items():
        holder = signer.holder
        keys.append(
            KeyUse(
                name=signer.name,
                key_id=key_id.hex(),
                holder=_who(holder.rank, holder.name, holder.number, holder.force),
                roles=tuple(sorted(signer.roles)),
                runs=cite_runs(seqs),
                records=len(seqs),
            )
        )
    keys.sort(key=lambda use: (use.name, use.key_id))
    page_checkpoint = (
        None
        if checkpoint is None
        else PageCheckpoint(checkpoint.origin, checkpoint.size, checkpoint.root.hex())
    )
    given = None if findings is None else tuple(findings)
    held = {str(stream): len(kept) for stream, kept in (captures or {}).items()}
    bindings = tuple(
        PageCapture(stream, held.get(stream, 0), tuple(seqs), _bound_checkpoint(note))
        for stream, (seqs, note) in sorted(bound.items())
    )
    return VerificationPage(tuple(keys), page_checkpoint, tuple(handovers), given, count, bindings)


def _bound_checkpoint(note: str) -> PageCheckpoint | None:
    """The checkpoint a verified binding holds (the intake verified its signature, A2)."""
    try:
        checkpoint = parse_checkpoint_body(split_note(note)[0])
    except InputError:
        return None
    return PageCheckpoint(checkpoint.origin, checkpoint.size, checkpoint.root.hex())


def _who(rank: str, name: str, number: str, organisation: str) -> str:
    # "PC Sarah Okafor (4721), Northshire Police": a key's holder and a record's person alike.
    who = " ".join(part for part in (rank, name) if part)
    if number:
        who += f" ({number})"
    return ", ".join(part for part in (who, organisation) if part)


def _person(value: Any) -> str:
    if not isinstance(value, Mapping):
        return ""
    parts = (value.get(key) for key in ("rank", "name", "number", "organisation"))
    return _who(*(part if isinstance(part, str) else "" for part in parts))


def _handover(record: VerifiedRecord) -> tuple[PageHandover, ...]:
    """The handover or receipt ``record`` holds, read from its verified data (FORMAT §10.4)."""
    data = record.data
    by = _person(data.get("by"))
    if record.event_type == _HANDOVER:
        audience = data.get("audience")
        recipient = str(data.get("recipient", ""))
        shown = audience if isinstance(audience, str) else None
        return (PageHandover(record.seq, False, recipient, shown, by, record.time_ns, record.seq),)
    try:
        covers = parse_checkpoint_body(str(data.get("checkpoint", ""))).size
        at = parse_cosignature(str(data.get("cosignature", ""))).timestamp * 1_000_000_000
    except NoteError:  # a record of schema 1 checks both; no other reaches a verified page
        return ()
    return (PageHandover(record.seq, True, by, None, by, at, covers),)
