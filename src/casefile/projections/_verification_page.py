"""What the verification page of a readable case file shows: who signed what, the checkpoint.

:func:`verification_page` is a pure function of verified records: for each key
that signed any of them, its note name, key id, holder and roles, with the runs of
record numbers it signed; the checkpoint the records were proven against, when
given; and the findings the verification made. The case file's own findings and
its continuity findings are already in the :class:`CaseFile` and are not repeated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casefile.findings import Finding
from casefile.signing import Checkpoint, TrustEntry
from casefile.verifier import VerifiedRecord

__all__ = ["KeyUse", "PageCheckpoint", "VerificationPage", "seq_runs", "verification_page"]


@dataclass(frozen=True, slots=True)
class KeyUse:
    """One signing key and the records it signed, as runs ``(first, last)`` of seq."""

    name: str
    key_id: str
    holder: str
    roles: tuple[str, ...]
    runs: tuple[tuple[int, int], ...]
    records: int


@dataclass(frozen=True, slots=True)
class PageCheckpoint:
    """The signed tree head the records were proven against."""

    origin: str
    size: int
    root: str


@dataclass(frozen=True, slots=True)
class VerificationPage:
    """The last page of a readable case file."""

    keys: tuple[KeyUse, ...]
    checkpoint: PageCheckpoint | None
    #: None: the page was built without the verifier's findings (a view in a bundle,
    #: whose findings depend on how it is verified); the page then says where they are.
    findings: tuple[Finding, ...] | None
    records: int


def seq_runs(seqs: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Record numbers as runs ``(first, last)`` of consecutive numbers, in order."""
    runs: list[tuple[int, int]] = []
    for seq in sorted(seqs):
        if runs and seq == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return tuple(runs)


def verification_page(
    records: Iterable[VerifiedRecord],
    *,
    checkpoint: Checkpoint | None = None,
    findings: Iterable[Finding] | None = (),
) -> VerificationPage:
    """The verification page of ``records`` (verified), ``checkpoint`` and ``findings``.

    Keys are listed by note name then key id, runs in order, findings in the order
    given (the verifier's order), so the same input gives the same page. With
    ``findings=None`` the page says that the verifier's report lists them.
    """
    by_key: dict[bytes, tuple[TrustEntry, list[int]]] = {}
    count = 0
    for record in records:
        count += 1
        entry = record.signer
        by_key.setdefault(entry.key_id, (entry, []))[1].append(record.seq)
    keys = []
    for key_id, (signer, seqs) in by_key.items():
        holder = signer.holder
        who = " ".join(part for part in (holder.rank, holder.name) if part)
        if holder.number:
            who += f" ({holder.number})"
        who = ", ".join(part for part in (who, holder.force) if part)
        keys.append(
            KeyUse(
                name=signer.name,
                key_id=key_id.hex(),
                holder=who,
                roles=tuple(sorted(signer.roles)),
                runs=seq_runs(seqs),
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
    return VerificationPage(tuple(keys), page_checkpoint, given, count)
