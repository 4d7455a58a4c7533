"""B9 of docs/FORMAT.md §9.6: the chain of custody of a verified bundle, reported as findings.

A gap in custody or a seal quoted wrongly is something a court weighs; a wrong
hash is a failure. So the exhibit register of docs/CUSTODY.md §4, built from
the records that verified, adds findings to a bundle's result and never an
error. Records pass by one at a time during B6; only custody records, captured
evidence, corrections of them and the bindings of captures are kept (the
register needs them all to apply corrections and to place each captured
record), so memory grows with the exhibits' histories, not with the case. When
the case binds captures, the register reads the case's story (docs/FORMAT.md
§12.5): the kept records and the records B19 verified for each carried
capture, which B9 therefore follows (docs/DECISIONS.md D68). Unexplained gaps
run up to the time of the case's last verified record: what the bundle shows,
not how long ago it was made.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final

from casefile.bundle._layout import EVIDENCE_DIR
from casefile.bundle._manifest import FileEntry
from casefile.errors import InputError
from casefile.findings import Finding
from casefile.projections import (
    CUSTODY_TYPES,
    ContinuityPolicy,
    ExhibitRegister,
    RecordView,
    TextReader,
    build_exhibit_register,
    records_as_read,
)
from casefile.projections._custody_records import (
    CAPTURED_TYPE,
    CONFIRMATION_TYPE,
    CORRECTION_TYPE,
)
from casefile.verifier._payloads import CAPTURE_ATTACHED
from casefile.verifier._verified import VerifiedRecord

__all__ = [
    "EVIDENCE_NOT_IN_BUNDLE",
    "CustodyCollector",
    "evidence_findings",
    "exhibit_files",
    "whose_file",
]

#: The finding for an exhibit whose SHA-256 is on record but whose file the bundle lacks.
EVIDENCE_NOT_IN_BUNDLE: Final = "evidence_not_in_bundle"

# A binding is kept too: it places its capture's records in the story.
_KEPT: Final = CUSTODY_TYPES | {CAPTURED_TYPE, CAPTURE_ATTACHED}


class CustodyCollector:
    """Keeps what the exhibit register needs from a stream of verified records."""

    __slots__ = ("_kept", "_last", "_policy", "_seqs", "_texts")

    def __init__(self, policy: ContinuityPolicy | None = None) -> None:
        self._policy = ContinuityPolicy() if policy is None else policy
        self._kept: deque[RecordView] = deque()
        self._seqs: set[int] = set()
        self._last: int | None = None
        # Each record's texts as the bundle discloses them (verified at V11).
        self._texts = TextReader()

    def __len__(self) -> int:
        """How many records are held for the register."""
        return len(self._kept)

    def take(self, record: VerifiedRecord) -> None:
        """Note one verified record (in sequence order); keep it if custody depends on it."""
        if self._last is None or record.time_ns > self._last:
            self._last = record.time_ns
        kind = record.event_type
        if kind == CAPTURE_ATTACHED:
            pass  # no custody of its own: nothing corrects it for the register
        elif kind in _KEPT:
            self._seqs.add(record.seq)
        elif kind in (CORRECTION_TYPE, CONFIRMATION_TYPE):
            target = record.data.get("corrects" if kind == CORRECTION_TYPE else "confirms")
            # Corrections and confirmations of other records change no custody:
            # dropping them keeps memory bounded by the exhibits' histories.
            if type(target) is not int or target not in self._seqs:
                self._texts.note(record)
                return
        else:
            self._texts.note(record)
            return
        self._kept.append(self._texts.read(record))

    def register(
        self, at: int, captures: Mapping[uuid.UUID, Sequence[VerifiedRecord]] | None = None
    ) -> ExhibitRegister:
        """The register of the records taken; gaps run up to the last record (not after ``at``).

        ``captures`` are the records B19 verified for each carried capture: the
        register then reads the story, citing a captured record
        ``"<stream-uuid>#<seq>"``. When a binding's records are not all there
        (its capture failed B18-B20, already a failure) the case's records are
        read alone, as far as they go.
        """
        as_of = None if self._last is None else min(self._last, at)
        kept, self._kept, self._seqs = self._kept, deque(), set()
        if captures:
            story = {s: list(records_as_read(rs)) for s, rs in captures.items()}
            try:
                return build_exhibit_register(
                    list(kept), policy=self._policy, as_of=as_of, captures=story
                )
            except InputError:
                pass
        return build_exhibit_register(_drain(kept), policy=self._policy, as_of=as_of)


def _drain(kept: deque[RecordView]) -> Iterator[RecordView]:
    # Each view is let go once the register has its own copy, so the records are
    # not held twice while it is built.
    while kept:
        yield kept.popleft()


def exhibit_files(register: ExhibitRegister | None) -> dict[str, list[str]]:
    """The references of the exhibits on record for each SHA-256 (hex), read once.

    B8 may name the exhibits of many failing files: one pass over the register
    keeps that linear rather than a scan of every exhibit per file.
    """
    index: dict[str, list[str]] = {}
    if register is not None:
        for ex in register.exhibits:
            digest = _hex(ex.sha256)
            if digest is not None:
                index.setdefault(digest, []).append(ex.reference)
    return index


#: At most this many exhibits are named for one file; the rest are counted.
_NAMED: Final = 5


def whose_file(index: Mapping[str, list[str]], sha256_hex: str) -> str:
    """`` (the file of exhibit JS/1)`` when exhibits have ``sha256_hex`` on record, else ``""``."""
    refs = index.get(sha256_hex)
    if not refs:
        return ""
    named = ", ".join(refs[:_NAMED])
    more = f" and {len(refs) - _NAMED} more" if len(refs) > _NAMED else ""
    return f" (the file of exhibit {named}{more})"


def evidence_findings(register: ExhibitRegister, files: Iterable[FileEntry]) -> Iterator[Finding]:
    """An ``evidence_not_in_bundle`` finding per exhibit whose recorded file is not carried.

    ``files`` are the manifest's entries. A bundle with no evidence file at
    all is an export by reference: nothing is reported then.
    """
    prefix = EVIDENCE_DIR + "/"
    carried = {f.path[len(prefix) :] for f in files if f.path.startswith(prefix)}
    if not carried:
        return
    for ex in register.exhibits:
        digest = _hex(ex.sha256)
        if digest is not None and digest not in carried:
            yield Finding(
                EVIDENCE_NOT_IN_BUNDLE,
                f"exhibit {ex.reference} has SHA-256 {digest} on record, but the bundle "
                f"carries no evidence/{digest}",
                ex.first_seq,
                ex.reference,
            )


def _hex(digest: bytes | None) -> str | None:
    return None if digest is None else digest.hex()
