"""A stored case's exhibit register, read from its verified records, and the evidence store.

The register is built by the application (``CasefileApp.exhibit_register``)
from records that the offline verifier has checked, never from the domain's
own state, so what the command line shows is what an auditor would see.
Evidence files come from a content-addressed store (by default ``evidence/``
beside an SQLite case store); every read re-checks the file's SHA-256.
"""

from __future__ import annotations

import stat
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Final

from casefile.errors import InputError
from casefile.evidence import FileSystemBlobStore
from casefile.projections import ExhibitRegister

if TYPE_CHECKING:
    from casefile.application import CasefileApp

__all__ = [
    "DEFAULT_STORE_NAME",
    "default_store",
    "is_store",
    "open_existing_store",
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
    """The case's exhibit register from its verified records (see ``app.exhibit_register``)."""
    return app.exhibit_register(case_id, at=at, size=size)
