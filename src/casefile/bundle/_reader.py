"""Opening a bundle: a hostile directory or zip made safe to read, not yet trusted.

:func:`open_bundle` checks the container (names, types, sizes, zip structure)
and reads the manifest envelope once. Nothing in a :class:`Bundle` is
authentic until :func:`~casefile.bundle.verify_bundle` has passed; after that,
every later read of a listed file is re-hashed against the manifest as it is
streamed, so a file changed on disk afterwards fails at its end instead of
being handed on as verified.

A zip member whose data fails its CRC-32 or declared size was changed: that is
a failed verification (:class:`ManifestError`, step B4), never an unusable
bundle, so opening succeeds and the failure surfaces where the file is read.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from casefile.bundle._dsse import Envelope, parse_envelope
from casefile.bundle._layout import (
    CHECKPOINT,
    DISCLOSURES,
    EVIDENCE_DIR,
    HANDOVERS,
    MANIFEST,
    RECORDS,
    TIMESTAMP,
    TRUST,
    TRUST_LIST,
    BundleLimits,
    evidence_path,
    root_version_of,
    shown,
)
from casefile.bundle._manifest import FileEntry, Manifest, parse_manifest
from casefile.bundle._source import Source, open_source
from casefile.bundle._stream import FrameError, buffered, checked, iter_frames
from casefile.errors import (
    BundleError,
    DisclosureError,
    EvidenceError,
    FixityError,
    MalformedRecordError,
    ManifestError,
)
from casefile.signing._commitments import MAX_DISCLOSURE_SIZE, AnyDisclosure, parse_disclosure
from casefile.signing._records import MAX_RECORD_SIZE
from casefile.signing._trust import TrustStore
from casefile.signing._trust_json import parse_trust_store

__all__ = ["DEFAULT_LIMITS", "Bundle", "open_bundle"]

DEFAULT_LIMITS = BundleLimits()

#: Files read whole and kept, so that what was checked is what is used later.
_SMALL = (MANIFEST, TRUST, CHECKPOINT, TIMESTAMP, HANDOVERS)


class Bundle:
    """An opened bundle (a directory or a zip); close it, or use it as a context manager.

    ``manifest``, ``case_id``, ``trust()`` and the rest read what the bundle
    says: none of it is authentic until :func:`verify_bundle` has passed.
    """

    def __init__(self, path: Path, source: Source, limits: BundleLimits) -> None:
        self.path = path
        self.limits = limits
        self._source = source
        self._cache: dict[str, bytes] = {}
        # Small files whose zip member data was changed: the message of that failure.
        self._damaged: dict[str, str] = {}
        self._manifest: Manifest | None = None
        if MANIFEST not in source.files:
            raise BundleError(f"{shown(str(path))}: not a bundle (no {MANIFEST})")
        for name in _SMALL:
            if name in source.files:
                try:
                    self._cache[name] = b"".join(source.chunks(name))
                except ManifestError as exc:
                    # Verification reports it at the step that reads the file.
                    self._damaged[name] = exc.message

    @property
    def kind(self) -> str:
        """``"directory"`` or ``"zip"``."""
        return self._source.kind

    @property
    def files(self) -> dict[str, int]:
        """Every file present (the manifest included), with its size, sorted by path."""
        return dict(self._source.files)

    def read_small(self, path: str) -> bytes:
        """The bytes of a small file (manifest, trust.json, checkpoint.txt, checkpoint.tsr,
        handovers.json), as read once at open.

        Raises :class:`ManifestError` (step B4) if its zip member's data was changed.
        """
        if path in self._damaged:
            raise ManifestError(self._damaged[path], step="B4")
        if path not in self._cache:
            raise BundleError(f"bundle has no file {shown(path)}")
        return self._cache[path]

    def envelope(self) -> Envelope:
        """The manifest envelope, parsed (step B1) but not authenticated."""
        if MANIFEST in self._damaged:
            raise ManifestError(self._damaged[MANIFEST], step="B1")
        return parse_envelope(self.read_small(MANIFEST))

    @property
    def manifest(self) -> Manifest:
        """The manifest as the bundle states it (authentic only after verification)."""
        if self._manifest is None:
            self._manifest = parse_manifest(
                self.envelope().payload, max_files=self.limits.max_members
            )
        return self._manifest

    @property
    def case_id(self) -> uuid.UUID:
        """The case id the manifest states."""
        return self.manifest.case_id

    @property
    def checkpoint_text(self) -> str:
        """The signed checkpoint note in checkpoint.txt."""
        try:
            return self.read_small(CHECKPOINT).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BundleError(f"{CHECKPOINT}: not valid UTF-8 (at byte {exc.start})") from None

    def trust(self) -> TrustStore:
        """The trust store shipped in trust.json (the sender's keys: not independent)."""
        return parse_trust_store(self.read_small(TRUST))

    def trust_root_files(self) -> tuple[Mapping[int, bytes], bytes | None]:
        """The root documents (by the version their names give) and the signed trust list.

        Each is capped by its size limit (§9.4) and authenticated only by B17. A root
        document is read only when B17 asks for its version: they are read before the
        manifest is authenticated, and a bundle may carry thousands at the size cap, so
        holding them all at once would let a sender exhaust the verifier's memory.
        Raises :class:`ManifestError` (step B4) if a zip member's data was changed.
        """
        paths = {
            version: path for path in self.files if (version := root_version_of(path)) is not None
        }
        listed = b"".join(self.raw_chunks(TRUST_LIST)) if TRUST_LIST in self.files else None
        return _RootFiles(paths, self.raw_chunks), listed

    @property
    def evidence_hashes(self) -> tuple[bytes, ...]:
        """The SHA-256 names of the evidence files present, sorted."""
        prefix = EVIDENCE_DIR + "/"
        return tuple(bytes.fromhex(p[len(prefix) :]) for p in self.files if p.startswith(prefix))

    def raw_chunks(self, path: str) -> Iterator[bytes]:
        """Stream a file as stored, checked against the container only (not the manifest).

        A zip member whose data fails its CRC-32 or size raises :class:`ManifestError`
        (step B4) once the bytes read so far have been yielded.
        """
        if path in self._damaged:
            return _refused(ManifestError(self._damaged[path], step="B4"))
        if path in self._cache:
            return iter((self._cache[path],))
        return self._source.chunks(path)

    def chunks(self, path: str, expect: FileEntry | None = None) -> Iterator[bytes]:
        """Stream a file, re-hashed against ``expect`` (default: its manifest entry) at its end."""
        if expect is None:
            expect = self.manifest.entry(path)
            if expect is None:
                raise ManifestError(f"{shown(path)} is not listed in the manifest", step="B4")

        def changed(problem: str) -> ManifestError:
            return ManifestError(f"{path} does not match the manifest: {problem}", step="B4")

        raw = _hash_decides(self.raw_chunks(path), expect.size, changed)
        return checked(raw, size=expect.size, sha256=expect.sha256, on_mismatch=changed)

    def open_file(self, path: str) -> BinaryIO:
        """A binary stream of a listed file (views included), re-hashed at its end."""
        return buffered(self.chunks(path))

    def records(self, expect: FileEntry | None = None) -> Iterator[bytes]:
        """Each stored record of records.bin in order, read lazily (bounded memory)."""
        stream = buffered(self.chunks(RECORDS, expect))
        try:
            try:
                yield from iter_frames(stream, max_size=MAX_RECORD_SIZE)
            except FrameError as exc:
                raise MalformedRecordError(
                    f"{RECORDS}: {exc.problem}", seq=exc.index + 1, step="V1"
                ) from None
        finally:
            stream.close()

    def disclosures(self, expect: FileEntry | None = None) -> Iterator[AnyDisclosure]:
        """Each disclosure of disclosures.bin, value or text, in order, parsed strictly, lazily."""
        stream = buffered(self.chunks(DISCLOSURES, expect))
        try:
            try:
                for element in iter_frames(stream, max_size=MAX_DISCLOSURE_SIZE):
                    yield parse_disclosure(element)
            except FrameError as exc:
                raise DisclosureError(f"{DISCLOSURES}: {exc}", step="V11") from None
        finally:
            stream.close()

    def open_evidence(self, sha256: bytes) -> BinaryIO:
        """Stream evidence file ``sha256``; :class:`FixityError` at its end if the bytes differ."""
        if type(sha256) is not bytes or len(sha256) != 32:
            raise EvidenceError("an evidence hash is 32 bytes of SHA-256")
        path = evidence_path(sha256)
        if path not in self._source.files:
            raise EvidenceError(f"evidence {sha256.hex()} is not in this bundle")

        def mismatch(problem: str) -> FixityError:
            return FixityError(f"evidence {sha256.hex()}: {problem}", step="B8")

        size = self._source.files[path]
        raw = _hash_decides(self.raw_chunks(path), size, mismatch)
        return buffered(checked(raw, size=size, sha256=sha256, on_mismatch=mismatch))

    def close(self) -> None:
        """Release the archive handle (directories hold none)."""
        self._source.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _refused(error: Exception) -> Iterator[bytes]:
    """A stream that fails at its first read, as a changed zip member does."""
    yield from ()
    raise error


def _hash_decides(
    chunks: Iterator[bytes], size: int, on_mismatch: Callable[[str], Exception]
) -> Iterator[bytes]:
    """Pass on a file's bytes for a SHA-256 re-check; leave a late zip member fault to it.

    A zip member's CRC-32 or size fault found once ``size`` bytes have been
    handed on is left to the SHA-256 check that follows, which is the stronger
    one: so a verifier walks a changed member as far as it walks a changed
    directory file (verification has already reported the member at B4). An
    earlier fault ends the bytes: it is raised as ``on_mismatch(problem)``.
    """
    seen = 0
    try:
        for chunk in chunks:
            seen += len(chunk)
            yield chunk
    except ManifestError as exc:
        if seen != size:
            raise on_mismatch(exc.message) from None


def open_bundle(path: str | os.PathLike[str], *, limits: BundleLimits | None = None) -> Bundle:
    """Open a bundle directory or ``.zip`` safely; raise :class:`BundleError` if it is unusable.

    The container is checked in full (docs/FORMAT.md §9.4-5) before anything is
    read; the contents are checked by :func:`verify_bundle`.
    """
    chosen = DEFAULT_LIMITS if limits is None else limits
    where = Path(path)
    try:
        source = open_source(where, chosen)
        try:
            return Bundle(where, source, chosen)
        except BaseException:
            source.close()
            raise
    except BundleError as exc:
        # Every message names the bundle it is about, once.
        label = shown(str(where))
        if str(exc).startswith(label):
            raise
        raise BundleError(f"{label}: {exc}") from None


class _RootFiles(Mapping[int, bytes]):
    """Root documents by version, each read from the bundle when it is looked up."""

    def __init__(self, paths: dict[int, str], read: Callable[[str], Iterator[bytes]]) -> None:
        self._paths = paths
        self._read = read

    def __getitem__(self, version: int) -> bytes:
        return b"".join(self._read(self._paths[version]))

    def __iter__(self) -> Iterator[int]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)
