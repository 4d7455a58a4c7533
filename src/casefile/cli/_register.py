"""A stored case's exhibit register, read from its verified records, and the evidence store.

The register is built by :func:`casefile.projections.build_exhibit_register`
from records that the offline verifier has checked, never from the domain's
own state, so what the command line shows is what an auditor would see.
Evidence files come from a content-addressed store (by default ``evidence/``
beside an SQLite case store); every read re-checks the file's SHA-256.
"""

from __future__ import annotations

import functools
import itertools
import stat
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final

from casefile.errors import InputError
from casefile.evidence import FileSystemBlobStore
from casefile.projections import ExhibitRegister, build_exhibit_register

if TYPE_CHECKING:
    from casefile.application import CasefileApp

__all__ = [
    "DEFAULT_STORE_NAME",
    "default_store",
    "exhibit_hashes",
    "is_store",
    "open_existing_store",
    "store_evidence",
    "verified_register",
]

#: The evidence store's folder name beside an SQLite case store.
DEFAULT_STORE_NAME: Final = "evidence"


def default_store(db: Path | None) -> Path | None:
    """The default evidence store of an SQLite case store: ``evidence/`` beside it."""
    return None if db is None else db.parent / DEFAULT_STORE_NAME


def is_store(path: Path) -> bool:
    """True if ``path`` is a directory holding a store's ``sha256/`` folder (no links inside)."""
    try:
        return path.is_dir() and stat.S_ISDIR((path / "sha256").lstat().st_mode)
    except OSError:
        return False


def open_existing_store(path: Path) -> FileSystemBlobStore:
    """The evidence store at ``path``; refuses a folder that is not one (nothing is created)."""
    if not path.exists():
        raise InputError(f"{path}: no such evidence store")
    if not is_store(path):
        raise InputError(f"{path}: not an evidence store (no sha256/ folder in it)")
    return FileSystemBlobStore(path)


def verified_register(
    app: CasefileApp, case_id: uuid.UUID, *, at: int, size: int | None = None
) -> ExhibitRegister:
    """The case's exhibit register, from its records as the offline verifier checks them.

    Raises the first :class:`~casefile.errors.VerificationError` if a record
    does not verify against the application's trust store at ``at``; a pause
    in custody running up to ``at`` is reported as a finding. ``size`` reads
    only the first records (those a checkpoint covers).
    """
    from casefile.events import EVENT_TYPES
    from casefile.verifier import iter_verified_records, payload_schemas

    stored = app.records(case_id)
    records = iter_verified_records(
        stored if size is None else itertools.islice(stored, size),
        trust=app.trust,
        at=at,
        case_id=case_id,
        known_types=EVENT_TYPES.known_types(),
        payloads=payload_schemas(),
    )
    return build_exhibit_register(records, as_of=at)


def exhibit_hashes(register: ExhibitRegister) -> list[bytes]:
    """The distinct SHA-256 digests of the register's exhibits, in order of introduction."""
    seen: dict[bytes, None] = {}
    for history in register.exhibits:
        if history.sha256 is not None:
            seen.setdefault(history.sha256, None)
    return list(seen)


def store_evidence(
    store: FileSystemBlobStore, wanted: list[bytes]
) -> dict[bytes, Callable[[], BinaryIO]]:
    """Openers of the ``wanted`` files that ``store`` holds (each read re-checks its hash)."""
    return {
        digest: functools.partial(store.open, digest) for digest in wanted if store.contains(digest)
    }
