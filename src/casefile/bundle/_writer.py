"""Writing a bundle: one case, streamed to a directory in one atomic step (zipped by _zipbundle).

The writer takes plain bytes and values, never domain objects, so that what it
writes can be checked by a verifier that knows nothing of the domain. It checks
on the way what is cheap to check (framing, case, sequence, chain links, the
checkpoint against the records, disclosure order), so that it does not hand
over a bundle that would obviously fail; it does not re-verify signatures.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from casefile._scratch import new_locked_dir
from casefile.bundle._audience import AUDIENCES, is_restricted
from casefile.bundle._capture_check import capture_signers
from casefile.bundle._capture_package import read_capture_package
from casefile.bundle._dsse import seal_envelope
from casefile.bundle._files import (
    DIR_MODE,
    FILE_MODE,
    STAGING_PREFIX,
    HashingSink,
    allowed_bits,
    check_destination,
    clean_staging,
    fsync_dir,
    publish_dir,
    remove,
)
from casefile.bundle._layout import (
    CAPTURES_DIR,
    CHECKPOINT,
    DISCLOSURES,
    EVIDENCE_DIR,
    HANDOVERS,
    MANIFEST,
    RECORDS,
    TIMESTAMP,
    TRUST,
    TRUST_LIST,
    TRUST_ROOT_DIR,
    VIEWS_DIR,
    capture_path,
    evidence_path,
    root_path,
    view_path,
)
from casefile.bundle._manifest import (
    DISCLOSE_NONE,
    DisclosurePolicy,
    FileEntry,
    Manifest,
    manifest_bytes,
)
from casefile.bundle._receipts import cosigner_keys
from casefile.bundle._stream import CHUNK_SIZE, write_frame
from casefile.errors import (
    BrokenLinkError,
    BundleError,
    CheckpointMismatchError,
    DisclosureError,
    EvidenceError,
    FixityError,
    KeyRoleError,
    MalformedRecordError,
    NoteError,
    SequenceError,
    UnknownKeyError,
    WrongCaseError,
)
from casefile.signing._checkpoint import case_of_checkpoint, checkpoint_verifiers, open_checkpoint
from casefile.signing._commitments import AnyDisclosure, Disclosure, TextDisclosure
from casefile.signing._keys import Signer
from casefile.signing._merkle import MerkleAccumulator
from casefile.signing._records import ZERO_HASH, parse_record
from casefile.signing._timestamp import check_timestamp_imprint
from casefile.signing._trust import TrustStore
from casefile.signing._trust_json import dump_trust_store
from casefile.verifier._actor import COSIGNED_RECEIPT_TYPE

__all__ = ["BundleInfo", "EvidenceSource", "write_bundle"]

#: An evidence file: a path, or a function that opens a fresh binary stream.
EvidenceSource = str | os.PathLike[str] | Callable[[], BinaryIO]


@dataclass(frozen=True, slots=True)
class BundleInfo:
    """What :func:`write_bundle` wrote."""

    path: Path
    manifest: Manifest
    disclosures: int

    @property
    def case_id(self) -> uuid.UUID:
        return self.manifest.case_id

    @property
    def records(self) -> int:
        return self.manifest.records

    @property
    def files(self) -> tuple[FileEntry, ...]:
        """Every file but the manifest, as listed in it."""
        return self.manifest.files

    @property
    def evidence_files(self) -> int:
        return sum(1 for f in self.files if f.path.startswith(EVIDENCE_DIR + "/"))


@dataclass(slots=True)
class _Walk:
    """What the writer learns from the records as it streams them."""

    case_id: uuid.UUID
    count: int = 0
    last_hash: bytes = ZERO_HASH
    merkle: MerkleAccumulator | None = None
    key_ids: set[bytes] | None = None
    #: Cosignature lines of the receipts among the records (B15 checks them).
    cosignatures: list[str] = field(default_factory=list)


def _write_records(root: Path, records: Iterable[bytes], walk: _Walk, mode: int) -> FileEntry:
    label = str(walk.case_id)
    merkle = walk.merkle = MerkleAccumulator()
    keys = walk.key_ids = set()
    with HashingSink(root, RECORDS, mode=mode) as sink:
        for raw in records:
            position = walk.count + 1
            if type(raw) is not bytes:
                raise TypeError(f"record {position}: expected bytes, not {type(raw).__name__}")
            try:
                parsed = parse_record(raw)
            except MalformedRecordError as exc:
                raise MalformedRecordError(
                    exc.message, case_id=label, seq=position, step=exc.step
                ) from None
            header = parsed.header
            if header.case_id != walk.case_id:
                raise WrongCaseError(
                    f"record of case {header.case_id}", case_id=label, seq=position, step="V3"
                )
            if header.seq != position:
                raise SequenceError(
                    f"sequence number {header.seq} at position {position}",
                    case_id=label,
                    seq=header.seq,
                    step="V4",
                )
            if header.prev != walk.last_hash:
                raise BrokenLinkError(
                    "previous-record hash does not match", case_id=label, seq=position, step="V5"
                )
            keys.add(header.key_id)
            if header.event_type == COSIGNED_RECEIPT_TYPE:
                line = header.data.get("cosignature")
                if type(line) is str:
                    walk.cosignatures.append(line)
            merkle.append(parsed.hash)
            walk.last_hash = parsed.hash
            walk.count = position
            write_frame(sink, raw)
        return sink.finish()


def _checkpoint_signers(note: str, trust: TrustStore, walk: _Walk) -> set[bytes]:
    label = str(walk.case_id)
    checkpoint, names = open_checkpoint(note, checkpoint_verifiers(trust))
    if walk.merkle is None or walk.count == 0:
        raise SequenceError("the case has no records", case_id=label, step="V4")
    try:
        named = str(case_of_checkpoint(checkpoint))
    except NoteError as exc:
        raise CheckpointMismatchError(
            f"not a checkpoint: {exc}", case_id=label, step="V13"
        ) from None
    if named != label:
        raise CheckpointMismatchError(
            f"checkpoint origin {checkpoint.origin!r} does not name the case",
            case_id=label,
            step="V13",
        )
    if checkpoint.size != walk.count or checkpoint.root != walk.merkle.root():
        raise CheckpointMismatchError(
            f"checkpoint of size {checkpoint.size} does not describe the {walk.count} records",
            case_id=label,
            step="V13",
        )
    signers = set()
    for name in names:
        entry = trust.by_name(name)
        if entry is not None:
            signers.add(entry.key_id)
    return signers


def _write_disclosures(
    root: Path,
    disclosures: Iterable[AnyDisclosure],
    policy: DisclosurePolicy,
    audience: str | None,
    walk: _Walk,
    mode: int,
) -> tuple[FileEntry, int]:
    label = str(walk.case_id)
    written = 0
    last: tuple[int, str] | None = None
    with HashingSink(root, DISCLOSURES, mode=mode) as sink:
        for item in disclosures:
            if type(item) is not Disclosure and type(item) is not TextDisclosure:
                raise TypeError(
                    f"expected a Disclosure or TextDisclosure, not {type(item).__name__}"
                )
            # B7: the witness's restricted details never reach the defence, whatever the policy.
            if not policy.allows(item.name) or is_restricted(audience, item.name):
                continue
            problem = None
            if item.case_id != walk.case_id:
                problem = "belongs to another case"
            elif not 1 <= item.seq <= walk.count:
                problem = "names no record of the case"
            elif last is not None and item.sort_key() <= last:
                problem = "is out of (seq, name) order or duplicated"
            if problem is not None:
                raise DisclosureError(
                    f"disclosure {item.name!r} {problem}", case_id=label, seq=item.seq, step="V11"
                )
            last = item.sort_key()
            write_frame(sink, item.to_bytes())
            written += 1
        return sink.finish(), written


def _evidence_keys(evidence: Mapping[bytes, EvidenceSource]) -> list[bytes]:
    keys = list(evidence)
    for key in keys:
        if type(key) is not bytes or len(key) != 32:
            raise EvidenceError("evidence is keyed by 32-byte SHA-256 digests")
    return keys


def _write_evidence(root: Path, sha256: bytes, source: EvidenceSource, mode: int) -> FileEntry:
    try:
        stream: BinaryIO = (
            open(source, "rb")  # noqa: SIM115 - closed below
            if isinstance(source, str | os.PathLike)
            else source()
        )
    except OSError as exc:
        raise EvidenceError(f"evidence {sha256.hex()}: cannot open ({exc.strerror})") from None
    # The sink hashes what it writes: evidence files can be large, so once only.
    with stream, HashingSink(root, evidence_path(sha256), mode=mode) as sink:
        while chunk := stream.read(CHUNK_SIZE):
            sink.write(chunk)
        entry = sink.finish()
    if entry.sha256 != sha256:
        raise FixityError(
            f"evidence {sha256.hex()}: the file's SHA-256 is {entry.sha256.hex()}", step="B8"
        )
    return entry


def _folder(path: Path, mode: int) -> None:
    path.mkdir()
    # Set, not left to mkdir: a default ACL may widen what mkdir's mode asks for.
    os.chmod(path, mode)


def _manifest_signer(trust: TrustStore, signer: Signer) -> bytes:
    key_id = signer.public_key.key_id
    entry = trust.get(key_id)
    if entry is None:
        raise UnknownKeyError(f"manifest key {key_id.hex()} is not in the trust store", step="B2")
    if not entry.roles & trust.policy.checkpoint_roles:
        raise KeyRoleError(f"manifest key of {entry.name} lacks a checkpoint role", step="B2")
    return key_id


def _write_trust_root(
    tmp: Path, trust_list: bytes | None, roots: Mapping[int, bytes], file_mode: int, dir_mode: int
) -> list[FileEntry]:
    _folder(tmp / TRUST_ROOT_DIR, dir_mode)
    files = [(root_path(version), data) for version, data in sorted(roots.items())]
    if trust_list is not None:
        files.append((TRUST_LIST, trust_list))
    written = []
    for path, data in files:
        if type(data) is not bytes:
            raise TypeError(f"{path}: content must be bytes")
        with HashingSink(tmp, path, mode=file_mode) as sink:
            sink.write(data)
            written.append(sink.finish())
    fsync_dir(tmp / TRUST_ROOT_DIR)
    return written


def write_bundle(
    dest: str | os.PathLike[str],
    *,
    case_id: uuid.UUID,
    records: Iterable[bytes],
    disclosures: Iterable[AnyDisclosure],
    trust: TrustStore,
    checkpoint_note: str,
    signer: Signer,
    evidence: Mapping[bytes, EvidenceSource] | None = None,
    views: Mapping[str, bytes] | None = None,
    disclosure_policy: DisclosurePolicy = DISCLOSE_NONE,
    audience: str | None = None,
    timestamp: bytes | None = None,
    trust_list: bytes | None = None,
    roots: Mapping[int, bytes] | None = None,
    handovers: bytes | None = None,
    captures: Mapping[uuid.UUID, bytes] | None = None,
) -> BundleInfo:
    """Write one case as a bundle directory at ``dest``, atomically.

    ``records`` are the stored record bytes in sequence order and are streamed,
    never held together in memory; ``disclosures`` must come sorted by
    (seq, name) and are filtered by ``disclosure_policy`` (by default none
    travel: personal data leaves only when asked for). ``audience`` (one of
    :data:`~casefile.bundle.AUDIENCES`, or None) is named in the manifest; the
    disclosures must already be those the audience may see (the writer applies
    no redaction decision), except that for the defence it drops every
    restricted field whatever the policy says. ``trust`` must hold
    every signing key; only the entries needed go into trust.json.
    ``evidence`` maps SHA-256 digests to files or openers; ``views`` maps
    names to the bytes of extra projections (``views/<name>``). ``signer``
    signs the manifest and must hold a checkpoint role. ``timestamp`` is a
    TSA's DER TimeStampResp over the checkpoint's body, written as
    checkpoint.tsr (B16); one that stamps something else is refused. ``trust_list`` (a
    signed trust list) and ``roots`` (root documents by version, those after
    the first a verifier pins) travel under ``trust-root/`` for step B17; they
    are copied as given, signatures and all. ``handovers`` is the
    content of ``handovers.json`` (B14: see :func:`~casefile.bundle.earlier_handovers`),
    for a bundle whose recipient was handed the case before. ``captures`` maps
    each capture stream the case attached to its package (FORMAT.md §12.2),
    written as ``captures/<stream>.pkg`` (B18-B21); its signers join trust.json.

    ``dest`` must not exist, or be an empty directory. On any error nothing
    is left behind; staging that killed exports left beside ``dest`` is
    removed first (never a live export's: each holds a lock on its own).
    The bundle is written privately and published readable by others as the
    umask allows (directories 0755, files 0644, less the umask's bits).
    """
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)} or None")
    where = Path(dest)
    check_destination(where, directory=True)
    clean_staging(where.parent)  # what killed exports left here, never a live one's
    manifest_key = _manifest_signer(trust, signer)
    if timestamp is not None:
        check_timestamp_imprint(timestamp, checkpoint_note)
    view_items = sorted((view_path(name), data) for name, data in (views or {}).items())
    for path, data in view_items:
        if type(data) is not bytes:
            raise TypeError(f"{path}: view content must be bytes")
    try:
        # Locked while written, so that a later export's clean-up never takes it from us.
        lock, tmp = new_locked_dir(where.parent, STAGING_PREFIX)
    except OSError as exc:
        raise BundleError(f"{where.parent}: cannot create a bundle here ({exc.strerror})") from None
    try:
        try:
            allowed = allowed_bits(tmp)
            file_mode, dir_mode = FILE_MODE & allowed, DIR_MODE & allowed
            walk = _Walk(case_id)
            entries = [_write_records(tmp, records, walk, file_mode)]
            signers = _checkpoint_signers(checkpoint_note, trust, walk)
            file_entry, disclosed = _write_disclosures(
                tmp, disclosures, disclosure_policy, audience, walk, file_mode
            )
            entries.append(file_entry)
            needed = (walk.key_ids or set()) | signers | {manifest_key}
            needed |= cosigner_keys(trust, checkpoint_note, walk.cosignatures)  # B15, B10
            capture_items = sorted((capture_path(s), data) for s, data in (captures or {}).items())
            for _path, data in capture_items:
                needed |= capture_signers(read_capture_package(data), trust)  # B19, B10
            with HashingSink(tmp, TRUST, mode=file_mode) as sink:
                sink.write(dump_trust_store(trust.subset(sorted(needed))).encode("utf-8"))
                entries.append(sink.finish())
            with HashingSink(tmp, CHECKPOINT, mode=file_mode) as sink:
                sink.write(checkpoint_note.encode("utf-8"))
                entries.append(sink.finish())
            if timestamp is not None:
                with HashingSink(tmp, TIMESTAMP, mode=file_mode) as sink:
                    sink.write(timestamp)
                    entries.append(sink.finish())
            if handovers is not None:
                with HashingSink(tmp, HANDOVERS, mode=file_mode) as sink:
                    sink.write(handovers)
                    entries.append(sink.finish())
            if evidence:
                _folder(tmp / EVIDENCE_DIR, dir_mode)
                for sha256 in sorted(_evidence_keys(evidence)):
                    entries.append(_write_evidence(tmp, sha256, evidence[sha256], file_mode))
                fsync_dir(tmp / EVIDENCE_DIR)
            if capture_items:
                _folder(tmp / CAPTURES_DIR, dir_mode)
                for path, data in capture_items:
                    with HashingSink(tmp, path, mode=file_mode) as sink:
                        sink.write(data)
                        entries.append(sink.finish())
                fsync_dir(tmp / CAPTURES_DIR)
            if trust_list is not None or roots:
                entries.extend(_write_trust_root(tmp, trust_list, roots or {}, file_mode, dir_mode))
            if view_items:
                _folder(tmp / VIEWS_DIR, dir_mode)
                for path, data in view_items:
                    with HashingSink(tmp, path, mode=file_mode) as sink:
                        sink.write(data)
                        entries.append(sink.finish())
                fsync_dir(tmp / VIEWS_DIR)
            manifest = Manifest(
                case_id=case_id,
                records=walk.count,
                checkpoint=checkpoint_note,
                disclosure_policy=disclosure_policy,
                files=tuple(sorted(entries, key=lambda e: e.path)),
                audience=audience,
            )
            with HashingSink(tmp, MANIFEST, mode=file_mode) as sink:
                sink.write(seal_envelope(manifest_bytes(manifest), signer))
                sink.finish()
            # Private while written (0700); opened up only once complete.
            os.chmod(tmp, dir_mode)
            fsync_dir(tmp)
            publish_dir(tmp, where)
        except BaseException:
            remove(tmp)
            raise
    finally:
        os.close(lock)
    return BundleInfo(path=where, manifest=manifest, disclosures=disclosed)
