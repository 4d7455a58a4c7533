"""Where an export finds the exhibits' files: evidence stores, or finders given digests."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Set
from typing import BinaryIO

from casefile.bundle import EvidenceSource
from casefile.evidence import BlobStore
from casefile.projections import ExhibitRegister

__all__ = ["EvidenceFinder", "exhibit_hashes", "find_evidence"]

#: Finds files for some of the wanted SHA-256 digests: ``{digest: path or opener}``.
EvidenceFinder = Callable[[Set[bytes]], Mapping[bytes, EvidenceSource]]


def exhibit_hashes(register: ExhibitRegister) -> list[bytes]:
    """The distinct SHA-256 digests of the register's exhibits, in order of introduction."""
    seen: dict[bytes, None] = {}
    for history in register.exhibits:
        if history.sha256 is not None:
            seen.setdefault(history.sha256, None)
    return list(seen)


def _from_store(store: BlobStore) -> EvidenceFinder:
    def find(wanted: Set[bytes]) -> dict[bytes, Callable[[], BinaryIO]]:
        return {d: functools.partial(store.open, d) for d in wanted if store.contains(d)}

    return find


def _finders(
    evidence: BlobStore | EvidenceFinder | Iterable[BlobStore | EvidenceFinder],
) -> list[EvidenceFinder]:
    if isinstance(evidence, BlobStore):
        return [_from_store(evidence)]
    if callable(evidence):
        return [evidence]
    return [_from_store(s) if isinstance(s, BlobStore) else s for s in evidence]


def find_evidence(
    evidence: BlobStore | EvidenceFinder | Iterable[BlobStore | EvidenceFinder],
    wanted: Iterable[bytes],
) -> dict[bytes, EvidenceSource]:
    """The files found for ``wanted`` digests, each from the first place in order that has it."""
    wanted = set(wanted)
    files: dict[bytes, EvidenceSource] = {}
    for finder in _finders(evidence):
        absent = wanted - set(files)
        if not absent:
            break
        files.update((d, src) for d, src in finder(absent).items() if d in absent)
    return files
