"""Builders for bundle tests: signed cases written as bundles, and hand-crafted zip archives."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from _casebuilder import AT, T0, World, entry_for, signer_from
from casefile.bundle import (
    AUDIENCES,
    DISCLOSE_ALL,
    BundleInfo,
    DisclosurePolicy,
    open_bundle,
    write_bundle,
)
from casefile.bundle import _zipfmt as fmt
from casefile.bundle._dsse import seal_envelope
from casefile.bundle._manifest import FileEntry, manifest_bytes
from casefile.bundle._views import build_views
from casefile.signing._checkpoint import Checkpoint, parse_checkpoint_body, sign_checkpoint
from casefile.signing._commitments import commit_fields
from casefile.signing._keys import Signer
from casefile.signing._merkle import MerkleAccumulator
from casefile.signing._records import ZERO_HASH, seal_record
from casefile.signing._trust import TrustStore
from casefile.verifier import iter_verified_records, payload_schemas

__all__ = [
    "AT",
    "EVIDENCE",
    "Member",
    "World",
    "carried_views",
    "craft_zip",
    "deflate_zeros",
    "make_bundle",
    "replace_and_resign",
    "stream_case",
    "trust_with",
    "write_streamed_case",
]

EVIDENCE = b"photograph of the scene\n" * 200


def make_bundle(
    dest: Path,
    world: World | None = None,
    *,
    records: int = 6,
    policy: DisclosurePolicy = DISCLOSE_ALL,
    evidence: bool = True,
    views: bool = True,
    signer_name: str = "log",
    trust: TrustStore | None = None,
    audience: str | None = None,
    trust_list: bytes | None = None,
    roots: dict[int, bytes] | None = None,
) -> BundleInfo:
    """A small signed case with personal data, one evidence file and its views, as a bundle.

    The views are those the verifier rebuilds (B12): built, as an export builds
    them, from the records as a first writing of the bundle carries them.
    """
    w = world or World()
    case = w.case(records)
    if audience in AUDIENCES:
        w.hand_over(case, audience)  # a bundle for an audience ends with its handover (B13)
    evidence_file = dest.parent / f"{dest.name}.evidence"
    evidence_file.write_bytes(EVIDENCE)

    def write(to: Path, built: dict[str, bytes] | None, files: bool = evidence) -> BundleInfo:
        return write_bundle(
            to,
            case_id=case.case_id,
            records=iter(case.records),
            disclosures=iter(case.disclosures),
            trust=trust or w.trust,
            checkpoint_note=w.checkpoint(case),
            signer=w.log if signer_name == "log" else signer_from(signer_name),
            evidence={hashlib.sha256(EVIDENCE).digest(): evidence_file} if files else None,
            views=built,
            disclosure_policy=policy,
            audience=audience,
            trust_list=trust_list,
            roots=roots,
        )

    if not views:
        return write(dest, None)
    plain = dest.parent / f"{dest.name}.plain"
    write(plain, None, files=False)  # the views read no evidence file
    built = carried_views(plain, w.trust, audience)
    shutil.rmtree(plain)
    return write(dest, built)


def carried_views(bundle_dir: Path, trust: TrustStore, audience: str | None) -> dict[str, bytes]:
    """The views of the records and disclosures a bundle carries, as an export builds them."""
    with open_bundle(bundle_dir) as bundle:
        checkpoint = parse_checkpoint_body(bundle.checkpoint_text.split("\n\n", 1)[0] + "\n")
        records = list(
            iter_verified_records(
                bundle.records(),
                trust=trust,
                at=AT,
                case_id=bundle.case_id,
                disclosures=bundle.disclosures(),
                payloads=payload_schemas(),
            )
        )
    return build_views(records, audience=audience, checkpoint=checkpoint)


def replace_and_resign(bundle_dir: Path, name: str, data: bytes, world: World) -> None:
    """Replace one file of a bundle directory and re-sign its manifest over the new bytes.

    What a sender holding a trusted checkpoint key can do: the manifest is then
    authentic, and only the later steps can tell what is wrong.
    """
    resign_with(bundle_dir, name, data, world.log)


def resign_with(bundle_dir: Path, name: str, data: bytes, signer: Signer) -> None:
    """:func:`replace_and_resign` with the manifest signed by ``signer``."""
    (bundle_dir / name).write_bytes(data)
    with open_bundle(bundle_dir) as bundle:
        m = bundle.manifest
    files = tuple(
        FileEntry(name, len(data), hashlib.sha256(data).digest()) if f.path == name else f
        for f in m.files
    )
    manifest = dataclasses.replace(m, files=files)
    (bundle_dir / "manifest.dsse.json").write_bytes(seal_envelope(manifest_bytes(manifest), signer))


def stream_case(world: World, case_id: uuid.UUID, n: int, *, texts: bool = True) -> Iterator[bytes]:
    """Yield ``n`` sealed records one at a time, holding none of them (nor their texts).

    Without ``texts`` the notes commit nothing (an empty text is not committed).
    """
    prev = ZERO_HASH
    for seq in range(1, n + 1):
        text = {"text": f"note {seq} " + "x" * 100} if texts else {}
        # The same seed each time the case is streamed: the records are the same.
        seed = hashlib.sha256(b"stream seed %d" % seq).digest()
        commitments, _ = commit_fields(
            case_id, seq, {}, texts=text, random_bytes=lambda k, seed=seed: seed[:k]
        )
        rec = seal_record(
            case_id=case_id,
            seq=seq,
            prev=prev,
            event_type="note.added",
            schema=1,
            time_ns=T0 + seq * 10**9,
            data={},
            signer=world.alice,
            commitments=commitments,
        )
        prev = rec.hash
        yield rec.raw


def write_streamed_case(dest: Path, world: World, n: int, *, texts: bool = True) -> BundleInfo:
    """A bundle of ``n`` records, written without ever holding the records together."""
    case_id = uuid.UUID(int=n)
    acc = MerkleAccumulator()
    for raw in stream_case(world, case_id, n, texts=texts):
        acc.append(hashlib.sha256(b"\x00" + raw).digest())
    checkpoint = sign_checkpoint(
        Checkpoint(f"casefile.test.police.uk/{case_id}", n, acc.root()),
        "test.police.uk/log",
        world.log,
    )
    return write_bundle(
        dest,
        case_id=case_id,
        records=stream_case(world, case_id, n, texts=texts),
        disclosures=(),
        trust=world.trust,
        checkpoint_note=checkpoint,
        signer=world.log,
    )


def trust_with(
    world: World,
    *extra_names: str,
    revoked_at: int | None = None,
    valid_until: int | None = None,
) -> TrustStore:
    """The world's trust store plus extra checkpoint keys named after their seeds."""
    extra = [
        entry_for(
            signer_from(name),
            f"test.police.uk/{name}",
            frozenset({"checkpoint"}),
            revoked_at=revoked_at,
            valid_until=valid_until,
        )
        for name in extra_names
    ]
    return TrustStore([*world.trust.entries, *extra])


@dataclass
class Member:
    """One member of a hand-crafted archive; defaults follow the canonical form."""

    name: str
    data: bytes = b""
    method: int = fmt.STORED
    payload: bytes | None = None  # the bytes placed in the archive (default: from data)
    usize: int | None = None  # declared uncompressed size (default: len(data))
    crc: int | None = None
    external: int = fmt.FILE_ATTR
    offset: int | None = None  # central-directory offset override (default: its own header)


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def craft_zip(members: list[Member]) -> bytes:
    """Assemble an archive in the canonical layout, honouring each member's overrides."""
    out = bytearray()
    central = bytearray()
    for m in members:
        payload = m.payload
        if payload is None:
            payload = _deflate(m.data) if m.method == fmt.DEFLATED else m.data
        usize = len(m.data) if m.usize is None else m.usize
        crc = zlib.crc32(m.data) if m.crc is None else m.crc
        name = m.name.encode("utf-8")
        offset = len(out)
        out += fmt.LOCAL.pack(
            fmt.SIG_LOCAL,
            fmt.VERSION,
            0,
            m.method,
            fmt.DOS_TIME,
            fmt.DOS_DATE,
            crc,
            len(payload),
            usize,
            len(name),
            0,
        )
        out += name + payload
        central += fmt.CENTRAL.pack(
            fmt.SIG_CENTRAL,
            fmt.MADE_BY,
            fmt.VERSION,
            0,
            m.method,
            fmt.DOS_TIME,
            fmt.DOS_DATE,
            crc,
            len(payload),
            usize,
            len(name),
            0,
            0,
            0,
            0,
            m.external,
            offset if m.offset is None else m.offset,
        )
        central += name
    cd_offset = len(out)
    out += central
    out += fmt.EOCD.pack(fmt.SIG_EOCD, 0, 0, len(members), len(members), len(central), cd_offset, 0)
    return bytes(out)


def deflate_zeros(n: int) -> bytes:
    """Raw deflate of ``n`` zero bytes, built without holding them."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(1 << 20)
    parts = []
    left = n
    while left:
        step = min(left, len(block))
        parts.append(c.compress(block[:step]))
        left -= step
    parts.append(c.flush())
    return b"".join(parts)
