"""The non-raising result of re-checking a whole store's fixity.

:meth:`BlobStore.verify` raises on the first bad blob; an auditor re-checking a
store wants every finding instead, with the place of each, so this is a report.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["FixityReport", "FixityResult", "FixityStatus"]


class FixityStatus(enum.StrEnum):
    """The outcome of re-checking one entry of a store."""

    #: The content hashes to the blob's name.
    OK = "ok"
    #: The content hashes to something else: the blob was altered at rest.
    MISMATCH = "mismatch"
    #: The blob could not be read (permissions, I/O error, vanished mid-check).
    UNREADABLE = "unreadable"
    #: Something that is not a blob sits where only blobs belong (a stray
    #: file, a misnamed or misplaced file, a symbolic link, a directory).
    UNEXPECTED = "unexpected"


@dataclass(frozen=True, slots=True)
class FixityResult:
    """One entry of a fixity re-check.

    ``path`` is the entry's location relative to the store root, in POSIX
    form. ``sha256`` is the blob's name when the entry is a well-named blob;
    ``actual_sha256`` and ``size`` are what was read, when it could be read.
    """

    path: str
    status: FixityStatus
    sha256: bytes | None = None
    size: int | None = None
    actual_sha256: bytes | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        """True if the entry is a blob whose content matches its name."""
        return self.status is FixityStatus.OK


@dataclass(frozen=True, slots=True)
class FixityReport:
    """All the results of re-checking a store, in path order."""

    results: tuple[FixityResult, ...]

    @property
    def ok(self) -> bool:
        """True if every entry checked out (an empty store is ok)."""
        return all(result.ok for result in self.results)

    @property
    def failures(self) -> tuple[FixityResult, ...]:
        """The entries that did not check out."""
        return tuple(result for result in self.results if not result.ok)

    @property
    def blobs_checked(self) -> int:
        """How many blobs were re-hashed and matched."""
        return sum(1 for result in self.results if result.ok)

    @property
    def bytes_checked(self) -> int:
        """How many bytes of matching blobs were re-hashed."""
        return sum(result.size or 0 for result in self.results if result.ok)
