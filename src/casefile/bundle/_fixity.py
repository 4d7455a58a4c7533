"""A bundle's files are as the manifest lists them (B4); evidence, as named and captured (B8).

B4 (docs/FORMAT.md §9.6): every listed file is present with its size and
SHA-256, and nothing else is. B8: a file under ``evidence/`` is named by the
SHA-256 of its content, and every verified ``evidence.captured`` record of
that SHA-256, the case's or a carried capture's, gives its length. The
content is judged as B4 read it (the bytes present, not the manifest's claim
about them), so a file that fails B4 is still checked here against its own
name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from casefile.bundle._continuity import exhibit_files, whose_file
from casefile.bundle._layout import EVIDENCE_DIR, MANIFEST
from casefile.bundle._manifest import FileEntry, Manifest
from casefile.bundle._reader import Bundle
from casefile.errors import FixityError, ManifestError
from casefile.projections import ExhibitRegister

__all__ = ["CapturedSizes", "listed_files"]

_PREFIX = EVIDENCE_DIR + "/"


def _digest(chunks: Iterator[bytes]) -> tuple[int, bytes, ManifestError | None]:
    """Size and SHA-256 of what was read, and the failure of a changed zip member, if any."""
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            digest.update(chunk)
    except ManifestError as exc:
        return size, digest.digest(), exc
    return size, digest.digest(), None


def listed_files(
    bundle: Bundle, manifest: Manifest, observed: dict[str, FileEntry], label: str | None
) -> Iterator[tuple[str, ManifestError]]:
    """B4's failures, each with the path it is about, one file at a time.

    Each file read in full is added to ``observed`` (its size and SHA-256 as
    read), even when it fails: later steps walk those bytes, re-hashed against
    this entry as they are read, so the report can go further.
    """
    present = bundle.files
    for entry in manifest.files:
        path = entry.path
        problem = None
        if path not in present:
            problem = "is listed in the manifest but missing"
        elif present[path] != entry.size:
            problem = f"is {present[path]} bytes, the manifest lists {entry.size}"
        else:
            size, digest, damage = _digest(bundle.raw_chunks(path))
            if size == entry.size:
                observed[path] = FileEntry(path, size, digest)
            if damage is not None:
                yield path, ManifestError(damage.message, case_id=label, step="B4")
            elif digest != entry.sha256:
                problem = "does not match the SHA-256 in the manifest"
        if problem is not None:
            yield path, ManifestError(f"{path} {problem}", case_id=label, step="B4")
    listed = {entry.path for entry in manifest.files}
    for path in present:
        if path != MANIFEST and path not in listed:
            yield (
                path,
                ManifestError(f"{path} is not listed in the manifest", case_id=label, step="B4"),
            )


class CapturedSizes:
    """The (exhibit, size) of each ``evidence.captured`` record, by SHA-256 (hex)."""

    __slots__ = ("_by_file",)

    def __init__(self) -> None:
        self._by_file: dict[str, list[tuple[str, int]]] = {}

    def note(self, data: Mapping[str, Any]) -> None:
        """Remember a verified capture record's payload ``data``."""
        digest, size, exhibit = data.get("sha256"), data.get("size"), data.get("exhibit")
        # V10 has checked the payload; a reader given other schemas may not have.
        if type(digest) is bytes and type(size) is int and type(exhibit) is str:
            self._by_file.setdefault(digest.hex(), []).append((exhibit, size))

    def failures(
        self,
        files: Iterable[FileEntry],
        observed: Mapping[str, FileEntry],
        register: ExhibitRegister | None,
        label: str | None,
    ) -> Iterator[tuple[str, FixityError]]:
        """B8's failures, each with the evidence file's path.

        ``files`` are the manifest's entries, ``observed`` what B4 read of
        each, ``register`` names the exhibits a misnamed file belongs to.
        """
        index: dict[str, list[str]] | None = None
        for entry in files:
            if not entry.path.startswith(_PREFIX):
                continue
            name, seen = entry.path[len(_PREFIX) :], observed.get(entry.path)
            digest = entry.sha256 if seen is None or seen.sha256 == entry.sha256 else seen.sha256
            if digest.hex() != name:
                if index is None:
                    index = exhibit_files(register)
                yield (
                    entry.path,
                    FixityError(
                        f"{entry.path}{whose_file(index, name)}: its content's "
                        f"SHA-256 is {digest.hex()}",
                        case_id=label,
                        step="B8",
                    ),
                )
            # The file is as long as every capture of it recorded.
            size = entry.size if seen is None else seen.size
            for exhibit, recorded in self._by_file.get(name, ()):
                if recorded != size:
                    yield (
                        entry.path,
                        FixityError(
                            f"{entry.path} (the file of exhibit {exhibit}): {size} bytes, but "
                            f"exhibit {exhibit} was captured as {recorded} bytes",
                            case_id=label,
                            step="B8",
                        ),
                    )
