"""B17 of docs/FORMAT.md (§7.5, §9.6), read as an outside implementer would.

A pinned root, the root documents `trust-root/root.<N>.json` a bundle carries and its
`trust-root/trust-list.json`: the chain is followed and the list checked in the order §7.5.4
gives, every envelope and payload read by §7.5.1-§7.5.3. Nothing here comes from casefile.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.bindings import crypto_core_ed25519_is_valid_point
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from independent._spec_rules import (
    WHITE_SPACE,
    _display_ok,
    _ns,
    canonical_json,
    key_id,
    parse_trust,
)

__all__ = [
    "ROOT_TYPE",
    "TRUST_LIST_TYPE",
    "Root",
    "TrustRootFaultError",
    "pinned_root",
    "trust_from_root",
]

ROOT_TYPE = "application/vnd.casefile.root.v1+json"
TRUST_LIST_TYPE = "application/vnd.casefile.trust-list.v1+json"
_ROOT_FILE = re.compile(r"trust-root/root\.([1-9][0-9]{0,9})\.json")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_MAX_VERSION = 2**31 - 1


class TrustRootFaultError(Exception):
    """A B17 failure: the first fault of the chain or of the trust list (§7.5.5)."""


@dataclass(frozen=True)
class Root:
    version: int
    expires: int
    keys: dict[bytes, VerifyKey]
    threshold: int


def _b64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TrustRootFaultError("not a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise TrustRootFaultError("not valid base64") from None
    if base64.b64encode(raw).decode() != text:  # §7.5.1: canonical base64 only
        raise TrustRootFaultError("not canonical base64")
    return raw


def _envelope(data: bytes, kind: str, limit: int) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """§7.5.1: the payload as carried and the signatures, sorted by key id, one per key."""
    if len(data) > limit:
        raise TrustRootFaultError("too large")
    env = canonical_json(data)
    if not isinstance(env, dict) or sorted(env) != ["payload", "payloadType", "signatures"]:
        raise TrustRootFaultError("not an envelope")
    if env["payloadType"] != kind:
        raise TrustRootFaultError("another payload type")
    payload = _b64(env["payload"])
    sigs = env["signatures"]
    if not isinstance(sigs, list) or not 1 <= len(sigs) <= 64:
        raise TrustRootFaultError("1 to 64 signatures")
    out: list[tuple[bytes, bytes]] = []
    for s in sigs:
        if not isinstance(s, dict) or sorted(s) != ["keyid", "sig"]:
            raise TrustRootFaultError("a signature is exactly keyid, sig")
        if not isinstance(s["keyid"], str) or not _HEX64.fullmatch(s["keyid"]):
            raise TrustRootFaultError("keyid")
        kid, sig = bytes.fromhex(s["keyid"]), _b64(s["sig"])
        if len(sig) != 64 or (out and kid <= out[-1][0]):
            raise TrustRootFaultError("a signature of 64 bytes, sorted by key id, no key id twice")
        out.append((kid, sig))
    return payload, out


def _signs(root: Root, kind: str, payload: bytes, sigs: list[tuple[bytes, bytes]]) -> bool:
    """§7.5.2: at least `threshold` distinct keys of the root signed PAE(T, payload)."""
    pae = b"DSSEv1 %d %s %d " % (len(kind), kind.encode(), len(payload)) + payload
    good = 0
    for kid, sig in sigs:
        if kid in root.keys:
            try:
                root.keys[kid].verify(pae, sig)
                good += 1
            except BadSignatureError:
                pass
    return good >= root.threshold


def _version(v: Any) -> int:
    if type(v) is not int or not 1 <= v <= _MAX_VERSION:
        raise TrustRootFaultError("version")
    return v


def _time(v: Any) -> int:
    try:
        return _ns(v)
    except (ValueError, TypeError):
        raise TrustRootFaultError("not a time of §7.2") from None


def _payload(payload: bytes, fmt: str, fields: list[str], limit: int) -> dict[str, Any]:
    if len(payload) > limit:
        raise TrustRootFaultError("payload too large")
    doc = canonical_json(payload)
    if not isinstance(doc, dict) or sorted(doc) != sorted(fields) or doc["format"] != fmt:
        raise TrustRootFaultError(f"not a {fmt} document")
    return doc


def _root(payload: bytes) -> Root:
    """§7.5.2."""
    fields = ["expires", "format", "keys", "threshold", "version"]
    doc = _payload(payload, "casefile-root", fields, 1024 * 1024)
    items = doc["keys"]
    if not isinstance(items, list) or not 1 <= len(items) <= 64:
        raise TrustRootFaultError("1 to 64 root keys")
    keys: dict[bytes, VerifyKey] = {}
    names: set[str] = set()
    last = b""
    for item in items:
        if not isinstance(item, dict) or sorted(item) != ["name", "public_key"]:
            raise TrustRootFaultError("a root key is exactly name, public_key")
        public, name = _b64(item["public_key"]), item["name"]
        if len(public) != 32 or not crypto_core_ed25519_is_valid_point(public):
            raise TrustRootFaultError("not a valid Ed25519 public key")
        if not _display_ok(name) or "+" in name or any(ord(c) in WHITE_SPACE for c in name):
            raise TrustRootFaultError("a root key's name")
        kid = key_id(public)
        if kid <= last or name in names:  # sorted by key id, no key twice, no name twice
            raise TrustRootFaultError("root keys out of key id order, or a key or name twice")
        keys[kid], last = VerifyKey(public), kid
        names.add(name)
    threshold = doc["threshold"]
    if type(threshold) is not int or not 1 <= threshold <= len(keys):
        raise TrustRootFaultError("threshold")
    return Root(_version(doc["version"]), _time(doc["expires"]), keys, threshold)


def pinned_root(data: bytes) -> Root:
    """§7.5.4: the pinned root, signed by itself; ValueError (unusable input) otherwise."""
    try:
        payload, sigs = _envelope(data, ROOT_TYPE, 2 * 1024 * 1024)
        root = _root(payload)
        if not _signs(root, ROOT_TYPE, payload, sigs):
            raise TrustRootFaultError("not signed by itself")
    except TrustRootFaultError as exc:
        raise ValueError(f"pinned root: {exc}") from None
    return root


def trust_from_root(bundle: Path, pinned: Root, at: int, oldest: int = 1) -> bytes:
    """B17 (§7.5.4): the trust store document of the bundle's trust list; raises otherwise."""
    root = pinned  # step 1
    carried = {
        int(m[1]): p
        for p in (bundle / "trust-root").glob("root.*.json")
        if (m := _ROOT_FILE.fullmatch(p.relative_to(bundle).as_posix()))
    }
    newer = sorted(v for v in carried if v > pinned.version)
    for v in range(pinned.version + 1, max(newer, default=0) + 1):  # step 2
        if v not in carried:
            raise TrustRootFaultError(f"root version {v} is missing (a root cannot skip a version)")
        payload, sigs = _envelope(carried[v].read_bytes(), ROOT_TYPE, 2 * 1024 * 1024)
        if not _signs(root, ROOT_TYPE, payload, sigs):  # the old root's threshold, first
            raise TrustRootFaultError(f"root version {v}: not signed by the root before it")
        new = _root(payload)
        if new.version != root.version + 1:
            raise TrustRootFaultError(f"root version {v}: holds version {new.version}")
        if not _signs(new, ROOT_TYPE, payload, sigs):
            raise TrustRootFaultError(f"root version {v}: not signed by itself")
        root = new
    if root.expires <= at:  # step 3: the final root only
        raise TrustRootFaultError(f"root version {root.version} expired")
    path = bundle / "trust-root" / "trust-list.json"
    if not path.is_file():  # step 4
        raise TrustRootFaultError("no trust list")
    payload, sigs = _envelope(path.read_bytes(), TRUST_LIST_TYPE, 12 * 1024 * 1024)
    if not _signs(root, TRUST_LIST_TYPE, payload, sigs):
        raise TrustRootFaultError("trust list: not signed by the final root")
    fields = ["expires", "format", "root_version", "trust", "version"]
    doc = _payload(payload, "casefile-trust-list", fields, 8 * 1024 * 1024 + 64 * 1024)
    version, expires = _version(doc["version"]), _time(doc["expires"])
    if type(doc["root_version"]) is not int or doc["root_version"] < 1:
        raise TrustRootFaultError("trust list: root_version")
    trust = json.dumps(doc["trust"], ensure_ascii=False).encode()
    try:  # §7.5.3: every rule of §7.1 but its file's size, which the payload's bound replaces
        parse_trust(trust)
    except (ValueError, KeyError, TypeError) as exc:
        raise TrustRootFaultError(f"trust list.trust: {exc}") from None
    if doc["root_version"] != root.version:
        raise TrustRootFaultError("trust list: signed under another root version (retired)")
    if version < oldest:
        raise TrustRootFaultError("trust list: older than one already seen (a rollback)")
    if not at < expires:
        raise TrustRootFaultError("trust list: expired")
    return trust
