"""An outside producer: re-seals a demo bundle with one hostile change, from the spec alone.

It reads the sealed key files by docs/FORMAT.md §11 (Argon2id, XChaCha20-Poly1305 over the
header bytes), re-signs records (§3), the checkpoint (§6) and the manifest (§9.2-9.3), so a
change it makes is signed by keys the auditor trusts: only the rule it breaks can refuse it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgpack
from nacl import pwhash
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt
from nacl.signing import SigningKey

from independent._spec_rules import ORIGIN, canon, jcs, key_id
from independent._spec_verifier import merkle_root

__all__ = ["Forge", "load_signers"]


def load_signers(keys_dir: Path, passphrase: bytes) -> dict[bytes, SigningKey]:
    """Every sealed key file of a folder, opened as §11.5 says, by key id."""
    out = {}
    for path in sorted(keys_dir.glob("*.key")):
        outer = msgpack.unpackb(path.read_bytes(), raw=False)
        h = msgpack.unpackb(outer["header"], raw=False)
        sealing = pwhash.argon2id.kdf(
            32, passphrase, h["salt"], opslimit=h["ops"], memlimit=h["mem"]
        )
        seed = crypto_aead_xchacha20poly1305_ietf_decrypt(
            outer["box"], outer["header"], h["nonce"], sealing
        )
        key = SigningKey(seed)
        assert bytes(key.verify_key) == h["public_key"]
        out[key_id(h["public_key"])] = key
    return out


def _frame(items: list[bytes]) -> bytes:
    return b"".join(msgpack.packb(i, use_bin_type=True) for i in items)


def _proof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if whole else [merkle_root(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_proof(m, leaves[:k], whole), merkle_root(leaves[k:])]
    return [*_proof(m - k, leaves[k:], False), merkle_root(leaves[:k])]


def _pae(kind: bytes, body: bytes) -> bytes:
    return b"DSSEv1 %d %s %d " % (len(kind), kind, len(body)) + body


@dataclass
class Forge:
    """A bundle's decoded parts, to be changed and written out re-signed."""

    src: Path
    signers: dict[bytes, SigningKey]
    headers: list[dict[str, Any]]
    manifest: dict[str, Any]
    disclosures: list[dict[str, Any]]
    raw: dict[int, bytes]
    bad_signatures: set[int]

    @classmethod
    def read(cls, src: Path, signers: dict[bytes, SigningKey]) -> Forge:
        raw = msgpack.Unpacker(raw=False)
        raw.feed((src / "records.bin").read_bytes())
        headers = [msgpack.unpackb(msgpack.unpackb(r, raw=False)["rec"], raw=False) for r in raw]
        envelope = json.loads((src / "manifest.dsse.json").read_bytes())
        manifest = json.loads(base64.b64decode(envelope["payload"]))
        raw = msgpack.Unpacker(raw=False)
        raw.feed((src / "disclosures.bin").read_bytes())
        disclosures = [msgpack.unpackb(d, raw=False) for d in raw]
        return cls(src, signers, headers, manifest, disclosures, {}, set())

    def key_named(self, name_part: str) -> bytes:
        """The key id of the demo key whose trust entry's name contains ``name_part``."""
        doc = json.loads((self.src / "trust.json").read_bytes())
        (entry,) = [e for e in doc["keys"] if name_part in e["name"]]
        return bytes.fromhex(entry["key_id"])

    def _note(
        self, key: SigningKey, leaves: list[bytes], tail: str = "", origin: str | None = None
    ) -> str:
        """A checkpoint note over ``leaves`` (§6), signed by the demo's checkpoint key."""
        case = self.manifest["case_id"]
        body = f"{origin or 'northshire.police.example/' + case}\n{len(leaves)}\n"
        body += base64.b64encode(merkle_root(leaves)).decode() + "\n" + tail
        name = "northshire.police.example/casefile-checkpoint"
        note_id = hashlib.sha256(name.encode() + b"\n\x01" + bytes(key.verify_key)).digest()[:4]
        line = base64.b64encode(note_id + key.sign(body.encode()).signature).decode()
        return f"{body}\n\u2014 {name} {line}\n"

    def _receipt(
        self, data: dict[str, Any], leaves: list[bytes], key: SigningKey, origin: str | None
    ) -> dict[str, Any]:
        """A receipt's checkpoint (§6) and cosignature (§6.1) made again over ``leaves``."""
        size = int(data["checkpoint"].split("\n")[1])
        body = self._note(key, leaves[:size], origin=origin).split("\n\n")[0] + "\n"
        name, encoded = data["cosignature"].removeprefix("\u2014 ").split(" ")
        t = int.from_bytes(base64.b64decode(encoded)[4:12], "big")
        cps = self.signers[self.key_named(name)]
        kid = hashlib.sha256(name.encode() + b"\n\x04" + bytes(cps.verify_key)).digest()[:4]
        sig = cps.sign(b"cosignature/v1\ntime %d\n" % t + body.encode()).signature
        line = base64.b64encode(kid + t.to_bytes(8, "big") + sig).decode()
        return dict(data, checkpoint=body, cosignature=f"\u2014 {name} {line}")

    def _earlier_handovers(
        self, dest: Path, key: SigningKey, records: list[bytes], origin: str | None
    ) -> None:
        """handovers.json as B14 (§9.8) wants it for the records as re-signed, or none."""
        leaves = [hashlib.sha256(b"\x00" + r).digest() for r in records]
        handovers = [
            h for h in self.headers if h["type"] == "case.handed_over" and h["schema"] == 2
        ]
        own = handovers[-1] if handovers and handovers[-1]["seq"] == len(records) else None
        earlier = [
            h["seq"]
            for h in handovers
            if own is not None
            and h["seq"] < own["seq"]
            and h["data"]["recipient"] == own["data"]["recipient"]
        ]
        path = dest / "handovers.json"
        path.unlink(missing_ok=True)
        if not earlier:
            return
        entries = [
            {
                "checkpoint": self._note(key, leaves[:s], origin=origin),
                "consistency": [base64.b64encode(h).decode() for h in _proof(s, leaves, True)],
                "seq": s,
            }
            for s in earlier
        ]
        doc = {"format": "casefile-handovers", "handovers": entries, "version": 1}
        path.write_bytes(jcs(doc))

    def write(
        self,
        dest: Path,
        *,
        origin: str | None = None,
        checkpoint_tail: str = "",
        checkpoint_records: int | None = None,
        drop: tuple[str, ...] = (),
        records_tail: bytes = b"",
        extra_signatures: tuple[tuple[str, bytes], ...] = (),
        disclosures_tail: bytes = b"",
        trust: bytes | None = None,
        manifest_edit: Callable[[dict[str, Any]], None] | None = None,
        manifest_text: Callable[[bytes], bytes] | None = None,
        views: Callable[[dict[str, bytes]], dict[str, bytes]] | None = None,
        handovers: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
        added: dict[str, bytes] | None = None,
    ) -> Path:
        shutil.copytree(self.src, dest)
        for path, data in (added or {}).items():  # files the sender adds, listed and signed
            (dest / path).parent.mkdir(parents=True, exist_ok=True)
            (dest / path).write_bytes(data)
        for pattern in drop:
            for path in dest.glob(pattern):
                path.unlink()
        if views is not None:  # the views as the sender chose to write them, then re-signed
            folder = dest / "views"
            carried = {p.name: p.read_bytes() for p in folder.iterdir()}
            for p in folder.iterdir():
                p.unlink()
            for name, data in views(carried).items():
                (folder / name).write_bytes(data)
        cp_id = self.key_named("checkpoint")
        cp_key = self.signers[cp_id]
        records, prev = [], bytes(32)
        for h in self.headers:
            h = dict(h, prev=prev)
            if h["type"] == "case.handed_over" and h["schema"] == 2 and h["seq"] not in self.raw:
                # B13: as the sender would, the handover names the records before it as they
                # now are, so that a variant is refused only by the rule it breaks.
                done = [hashlib.sha256(b"\x00" + r).digest() for r in records]
                own = origin if origin is not None and ORIGIN.fullmatch(origin) else None
                h["data"] = dict(h["data"], checkpoint=self._note(cp_key, done, origin=own))
            if h["type"] == "receipt.recorded" and h["seq"] not in self.raw:
                # B15: the recipient's cosignature over the records as they now are (the
                # forger holds every key), so that a variant is refused by its own rule.
                done = [hashlib.sha256(b"\x00" + r).digest() for r in records]
                own = origin if origin is not None and ORIGIN.fullmatch(origin) else None
                h["data"] = self._receipt(h["data"], done, cp_key, own)
            rec = msgpack.packb(canon(h), use_bin_type=True)
            sig = (
                self.signers[h["key"]]
                .sign(_pae(b"application/vnd.casefile.record.v2+msgpack", rec))
                .signature
            )
            if h["seq"] in self.bad_signatures:
                sig = bytes(64)
            raw = self.raw.get(h["seq"]) or msgpack.packb(
                {"rec": rec, "sig": sig}, use_bin_type=True
            )
            records.append(raw)
            prev = hashlib.sha256(b"\x00" + raw).digest()
        (dest / "records.bin").write_bytes(_frame(records) + records_tail)
        self._earlier_handovers(
            dest,
            cp_key,
            records,
            origin if origin is not None and ORIGIN.fullmatch(origin) else None,
        )
        written = dest / "handovers.json"
        if handovers is not None and written.is_file():  # the sender's change, then re-signed
            changed = handovers(json.loads(written.read_bytes()))
            written.unlink()
            if changed is not None:
                written.write_bytes(jcs(changed))
        disclosures = [msgpack.packb(canon(d), use_bin_type=True) for d in self.disclosures]
        (dest / "disclosures.bin").write_bytes(_frame(disclosures) + disclosures_tail)
        leaves = [hashlib.sha256(b"\x00" + r).digest() for r in records][:checkpoint_records]
        case = self.manifest["case_id"]
        body = f"{origin or 'northshire.police.example/' + case}\n{len(leaves)}\n"
        body += base64.b64encode(merkle_root(leaves)).decode() + "\n" + checkpoint_tail
        name = "northshire.police.example/casefile-checkpoint"
        note_id = hashlib.sha256(name.encode() + b"\n\x01" + bytes(cp_key.verify_key)).digest()[:4]
        line = base64.b64encode(note_id + cp_key.sign(body.encode()).signature).decode()
        checkpoint = f"{body}\n\u2014 {name} {line}\n" + "".join(
            f"\u2014 {extra} {base64.b64encode(sig).decode()}\n" for extra, sig in extra_signatures
        )
        (dest / "checkpoint.txt").write_text(checkpoint, encoding="utf-8")
        stamped = dest / "checkpoint.tsr"
        if stamped.exists() and not self.manifest["checkpoint"].startswith(body + "\n"):
            # A TSA's token stamps the body it was shown (§6.2); a forger who changed the
            # body has none over the new one, and B16's own attacks are in test_spec_time.
            stamped.unlink()
        if trust is not None:
            (dest / "trust.json").write_bytes(trust)
        manifest = dict(self.manifest, checkpoint=checkpoint, records=len(records))
        manifest["files"] = [
            {"path": p, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
            for p, d in sorted(
                (f.relative_to(dest).as_posix(), f.read_bytes())
                for f in dest.rglob("*")
                if f.is_file() and f.name != "manifest.dsse.json"
            )
        ]
        if manifest_edit is not None:
            manifest_edit(manifest)
        payload = jcs(manifest)
        if manifest_text is not None:
            payload = manifest_text(payload)
        kind = "application/vnd.casefile.manifest.v1+json"
        sig = cp_key.sign(_pae(kind.encode(), payload)).signature
        envelope = {
            "payload": base64.b64encode(payload).decode(),
            "payloadType": kind,
            "signatures": [{"keyid": cp_id.hex(), "sig": base64.b64encode(sig).decode()}],
        }
        (dest / "manifest.dsse.json").write_bytes(jcs(envelope))
        return dest
