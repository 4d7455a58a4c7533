"""The filesystem blob store: evidence files named by their SHA-256 under one root.

Layout::

    <root>/sha256/ab/cd/abcd...(64 hex digits)   one read-only file per blob
    <root>/tmp/ingest-*.part                     ingests in progress

An ingest streams into a temporary file in ``<root>/tmp`` (same filesystem),
hashing as it goes; only when the content is complete, checked and fsynced is
it renamed to its content address and the directory fsynced. A crash at any
point leaves at worst a temporary file, never a partial file under a valid
name; the ingest holds a lock on that file while it lives, so
:meth:`FileSystemBlobStore.clean_temp_files` removes only the stale ones.
Names are built only from validated 32-byte digests, so no input can steer a
path outside the store.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from casefile._scratch import ScratchSurvey, clean_scratch, new_locked_file, survey_scratch
from casefile.errors import EvidenceError, FixityError

from ._blob import CHUNK_SIZE, BlobInfo, check_sha256
from ._fixity_reader import open_verifying
from ._fixity_report import FixityReport, FixityResult, FixityStatus
from ._fs_layout import (
    BLOBS_DIR,
    blob_path,
    check_entry,
    drop_cache,
    fsync_dir,
    hash_fd,
    open_regular,
    walk,
)
from ._ingest import copy_and_hash

__all__ = ["FileSystemBlobStore", "ImportResult"]

_TMP: Final = "tmp"
_PART_PREFIX: Final = "ingest-"
_PART_SUFFIX: Final = ".part"
_DIR_MODE: Final = 0o750
_O_NONBLOCK: Final[int] = getattr(os, "O_NONBLOCK", 0)
_fadvise = getattr(os, "posix_fadvise", None)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The outcome of importing a file: the blob, where it came from, and whether it was new.

    ``stored`` is False when the same bytes were already in the store.
    """

    blob: BlobInfo
    source: Path
    stored: bool


def _check_request(expected: bytes | None, max_bytes: int | None) -> None:
    if expected is not None:
        check_sha256(expected, "expected_sha256")
    if max_bytes is not None and (type(max_bytes) is not int or max_bytes < 0):
        raise EvidenceError(f"max_bytes must be a non-negative int, got {max_bytes!r}")


def _is_part(name: str) -> bool:
    return name.startswith(_PART_PREFIX) and name.endswith(_PART_SUFFIX)


def _stream_label(stream: BinaryIO) -> str:
    name = getattr(stream, "name", None)
    return f"input {name!r}" if isinstance(name, str) else "input stream"


class FileSystemBlobStore:
    """A :class:`~casefile.evidence.BlobStore` in a local directory.

    ``root`` is created if missing. Stored blobs are given ``blob_mode``
    (read-only; owner and group may read by default). ``chunk_size`` is the
    read/write unit; memory use is a few chunks whatever the blob size.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        blob_mode: int = 0o440,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        if type(blob_mode) is not int or blob_mode & ~0o444 or not blob_mode & 0o400:
            raise EvidenceError(
                f"blob_mode must grant read access to the owner and nothing but read "
                f"access, got {blob_mode!r}"
            )
        if type(chunk_size) is not int or not 1 <= chunk_size <= 1 << 30:
            raise EvidenceError(f"chunk_size must be an int from 1 to 2**30, got {chunk_size!r}")
        self._root = Path(os.path.abspath(root))
        self._blobs = self._root / BLOBS_DIR
        self._tmp = self._root / _TMP
        self._blob_mode = blob_mode
        self._chunk_size = chunk_size
        for directory in (self._root, self._blobs, self._tmp):
            try:
                directory.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
            except OSError as exc:
                raise EvidenceError(
                    f"cannot create blob store directory {directory}: {exc}"
                ) from exc
        # The root may be a symbolic link (a mount point elsewhere); what lies inside may not.
        if not self._root.is_dir():
            raise EvidenceError(f"{self._root} is not a directory")
        self._require_directory(self._blobs)
        self._require_directory(self._tmp)

    @property
    def root(self) -> Path:
        """The store's root directory."""
        return self._root

    def __repr__(self) -> str:
        return f"FileSystemBlobStore({str(self._root)!r})"

    # --- writing -----------------------------------------------------------

    def put_stream(
        self,
        stream: BinaryIO,
        *,
        expected_sha256: bytes | None = None,
        max_bytes: int | None = None,
    ) -> BlobInfo:
        """Store ``stream`` read to EOF; see :meth:`BlobStore.put_stream`."""
        info, _ = self._ingest(stream, _stream_label(stream), expected_sha256, max_bytes)
        return info

    def put_path(
        self,
        path: str | os.PathLike[str],
        *,
        expected_sha256: bytes | None = None,
        max_bytes: int | None = None,
    ) -> BlobInfo:
        """Store the regular file at ``path``; see :meth:`BlobStore.put_path`."""
        return self.import_file(path, expected_sha256=expected_sha256, max_bytes=max_bytes).blob

    def import_file(
        self,
        path: str | os.PathLike[str],
        *,
        expected_sha256: bytes | None = None,
        max_bytes: int | None = None,
    ) -> ImportResult:
        """Store the regular file at ``path`` and say whether its bytes were new.

        Devices, pipes and directories are refused (they could block or never
        end); symbolic links to regular files are followed.
        """
        _check_request(expected_sha256, max_bytes)
        source = Path(path)
        try:
            # O_NONBLOCK so that opening a FIFO cannot hang before it is refused.
            fd = os.open(source, os.O_RDONLY | _O_NONBLOCK)
        except OSError as exc:
            raise EvidenceError(f"cannot open {source}: {exc.strerror or exc}") from exc
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise EvidenceError(f"{source}: not a regular file")
            file = io.FileIO(fd, "rb", closefd=True)
        except BaseException:
            os.close(fd)
            raise
        with file:
            if max_bytes is not None and st.st_size > max_bytes:
                raise EvidenceError(
                    f"{source}: {st.st_size} bytes, larger than the limit of {max_bytes} bytes"
                )
            os.set_blocking(fd, True)
            if _fadvise is not None:
                with contextlib.suppress(OSError):
                    _fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            info, stored = self._ingest(file, str(source), expected_sha256, max_bytes)
        return ImportResult(info, source, stored)

    def _ingest(
        self,
        stream: BinaryIO,
        source: str,
        expected: bytes | None,
        max_bytes: int | None,
    ) -> tuple[BlobInfo, bool]:
        _check_request(expected, max_bytes)
        try:
            # Locked while this process lives, so a cleaner never takes a live ingest's file.
            fd, tmp = new_locked_file(self._tmp, _PART_PREFIX, _PART_SUFFIX)
        except OSError as exc:
            raise EvidenceError(f"cannot create a temporary file in {self._tmp}: {exc}") from exc
        stored = False
        try:
            copied = copy_and_hash(
                stream,
                fd,
                source=source,
                target=str(tmp),
                max_bytes=max_bytes,
                chunk_size=self._chunk_size,
            )
            if expected is not None and copied.sha256 != expected:
                raise FixityError(
                    f"{source}: content hashes to {copied.sha256.hex()}, expected "
                    f"{expected.hex()}; nothing stored"
                )
            info = BlobInfo(copied.sha256, copied.size)
            final = self._path(info.sha256)
            self._make_parents(final.parent)
            if self._already_stored(final, info):
                return info, False  # the copy is discarded unsynced below
            with self._os_errors(f"cannot make {tmp} durable"):
                # Read-only before it gets its name, so it is never writable under it.
                os.fchmod(fd, self._blob_mode)
                os.fsync(fd)
            drop_cache(fd)
            with self._os_errors(f"cannot store blob {info.hex} at {final}"):
                os.replace(tmp, final)
                stored = True
                fsync_dir(final.parent)
            return info, True
        finally:
            if not stored:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            # Last: the lock goes with the descriptor, after the file has its name or is gone.
            os.close(fd)

    def stale_temp_files(self) -> ScratchSurvey:
        """Temporary files that killed ingests left in ``tmp/`` (no live process holds them)."""
        return survey_scratch(self._tmp, _is_part)

    def clean_temp_files(self) -> ScratchSurvey:
        """Remove what :meth:`stale_temp_files` finds; never a file a live ingest is writing."""
        return clean_scratch(self._tmp, _is_part)

    def _already_stored(self, final: Path, info: BlobInfo) -> bool:
        """True if the blob is present; refuses a name occupied by anything else."""
        try:
            st = os.lstat(final)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise EvidenceError(f"cannot inspect {final}: {exc.strerror or exc}") from exc
        if not stat.S_ISREG(st.st_mode):
            raise EvidenceError(f"blob {info.hex}: {final} exists but is not a regular file")
        if st.st_size != info.size:
            # Replacing it would silently erase the evidence that the store was damaged.
            raise FixityError(
                f"blob {info.hex} at {final}: stored copy has {st.st_size} bytes but the "
                f"content has {info.size}; the stored copy is damaged and was left as found"
            )
        return True

    def _make_parents(self, directory: Path) -> None:
        for level in (directory.parent, directory):
            try:
                level.mkdir(mode=_DIR_MODE)
            except FileExistsError:
                self._require_directory(level)
            except OSError as exc:
                raise EvidenceError(f"cannot create {level}: {exc.strerror or exc}") from exc
            else:
                with self._os_errors(f"cannot make {level} durable"):
                    fsync_dir(level.parent)

    # --- reading -----------------------------------------------------------

    def open(self, sha256: bytes) -> BinaryIO:
        """Open a blob for reading, re-checking its hash as it is read to EOF."""
        digest = check_sha256(sha256)
        path = self._path(digest)
        fd = self._open_blob(digest, path)
        return open_verifying(
            io.FileIO(fd, "rb", closefd=True), digest, f"blob {digest.hex()} at {path}"
        )

    def contains(self, sha256: bytes) -> bool:
        """True if a blob named ``sha256`` is stored (as a regular file)."""
        path = self._path(check_sha256(sha256))
        try:
            return stat.S_ISREG(os.lstat(path).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError as exc:
            raise EvidenceError(f"cannot inspect {path}: {exc.strerror or exc}") from exc

    def info(self, sha256: bytes) -> BlobInfo:
        """The blob's identity and size, from the filesystem (no re-hash)."""
        digest = check_sha256(sha256)
        path = self._path(digest)
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            raise EvidenceError(f"no blob {digest.hex()} in {self._root}") from None
        except OSError as exc:
            raise EvidenceError(f"cannot inspect {path}: {exc.strerror or exc}") from exc
        if not stat.S_ISREG(st.st_mode):
            raise EvidenceError(f"blob {digest.hex()}: {path} is not a regular file")
        return BlobInfo(digest, st.st_size)

    def verify(self, sha256: bytes) -> BlobInfo:
        """Re-hash the stored blob; return its identity or raise :class:`FixityError`."""
        digest = check_sha256(sha256)
        path = self._path(digest)
        fd = self._open_blob(digest, path)
        try:
            actual, size = hash_fd(fd, self._chunk_size)
        except OSError as exc:
            raise EvidenceError(f"cannot read blob {digest.hex()} at {path}: {exc}") from exc
        finally:
            os.close(fd)
        if actual != digest:
            raise FixityError(
                f"blob {digest.hex()} at {path}: fixity check failed: {size} bytes hash to "
                f"{actual.hex()}"
            )
        return BlobInfo(digest, size)

    def iter_blobs(self) -> Iterator[bytes]:
        """Digests of all well-formed blobs, ascending; stray entries are skipped."""
        for entry in walk(self._blobs):
            if entry.problem is not None and entry.problem.status is FixityStatus.UNREADABLE:
                raise EvidenceError(f"cannot list {entry.path}: {entry.problem.detail}")
            if entry.digest is not None and entry.problem is None:
                yield entry.digest

    # --- whole-store fixity ------------------------------------------------

    def check_all(self) -> Iterator[FixityResult]:
        """Re-hash every blob and report every entry, lazily, in path order.

        Never raises for what it finds: damaged blobs, unreadable files and
        stray entries are results. Use :meth:`fixity_report` for the summary.
        """
        for entry in walk(self._blobs):
            yield check_entry(entry, self._chunk_size)

    def fixity_report(self) -> FixityReport:
        """Re-check the fixity of the whole store (see :meth:`check_all`)."""
        return FixityReport(tuple(self.check_all()))

    # --- helpers -----------------------------------------------------------

    def _path(self, digest: bytes) -> Path:
        return blob_path(self._blobs, digest)

    def _open_blob(self, digest: bytes, path: Path) -> int:
        try:
            fd = open_regular(path)
        except (FileNotFoundError, NotADirectoryError):
            raise EvidenceError(f"no blob {digest.hex()} in {self._root}") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise EvidenceError(f"blob {digest.hex()}: {path} is a symbolic link") from exc
            raise EvidenceError(f"cannot open blob {digest.hex()} at {path}: {exc}") from exc
        if fd is None:
            raise EvidenceError(f"blob {digest.hex()}: {path} is not a regular file")
        return fd

    @staticmethod
    def _require_directory(path: Path) -> None:
        try:
            st = os.lstat(path)
        except OSError as exc:
            raise EvidenceError(f"cannot inspect {path}: {exc.strerror or exc}") from exc
        if not stat.S_ISDIR(st.st_mode):
            raise EvidenceError(f"{path} is not a directory (a symbolic link or a file is refused)")

    @staticmethod
    @contextlib.contextmanager
    def _os_errors(what: str) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise EvidenceError(f"{what}: {exc.strerror or exc}") from exc
