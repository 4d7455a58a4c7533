"""B13 and B14 of docs/FORMAT.md §9.6, read from the text alone: handovers and earlier handovers.

Written without casefile: the consistency proof is checked by a from-scratch reading of
RFC 9162 §2.1.4.2 (with the extra checks of FORMAT.md §5).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from pathlib import Path
from typing import Any

from independent._spec_rules import ORIGIN, Key, Report, canonical_json, frames

__all__ = ["check_handovers"]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _root(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _root(leaves[:k]) + _root(leaves[k:])).digest()


def _body(note: str) -> tuple[str, int, bytes] | None:
    """(origin, size, root) of a casefile checkpoint text (§6), or None."""
    lines = (note.split("\n\n", 1)[0] + "\n").split("\n")
    if len(lines) != 4 or lines[3] != "" or not ORIGIN.fullmatch(lines[0]):
        return None
    if not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        return None
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        return None
    if len(root) != 32 or base64.b64encode(root).decode() != lines[2]:
        return None
    return lines[0], int(lines[1]), root


def _signed(note: str, keys: dict[bytes, Key], roles: list[str], at: int, last: int) -> set[bytes]:
    """The key ids of trusted checkpoint keys whose signature lines verify (none if one fails)."""
    from independent._spec_verifier import _cp_valid, roles_ok

    body, sep, sigs = note.partition("\n\n")
    if not sep:
        return set()
    counted: set[bytes] = set()
    for line in sigs.splitlines():
        name, _, b64 = line.removeprefix("\u2014 ").partition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error:
            return set()
        for kid, k in keys.items():
            note_id = hashlib.sha256(name.encode() + b"\n\x01" + bytes(k.verify)).digest()[:4]
            if k.name != name or raw[:4] != note_id:
                continue
            if not roles_ok(k, roles) or not _cp_valid(k, at, last):
                continue
            try:
                k.verify.verify((body + "\n").encode(), raw[4:])
            except Exception:
                return set()
            counted.add(kid)
    return counted


def _consistent(m: int, n: int, old: bytes, new: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2, with sizes at least 1 and 32-byte hashes (FORMAT.md §5)."""
    if not 1 <= m <= n or any(len(p) != 32 for p in proof):
        return False
    if m == n:
        return not proof and old == new
    if not proof:
        return False
    path = ([old] if m & (m - 1) == 0 else []) + proof
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = hashlib.sha256(b"\x01" + c + fr).digest()
            sr = hashlib.sha256(b"\x01" + c + sr).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = hashlib.sha256(b"\x01" + sr + c).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old and sr == new


def check_handovers(
    root: Path,
    manifest: dict[str, Any],
    verified: dict[int, dict[str, Any]],
    trust: tuple[dict[bytes, Key], list[str]],
    at: int,
    report: Report,
) -> set[bytes]:
    """B13 and B14 when every record verified; the key ids whose signatures counted (B10)."""
    keys, cp_roles = trust
    n = manifest["records"]
    elements, fault = frames((root / "records.bin").read_bytes())
    if fault is not None or len(elements) != n or sorted(verified) != list(range(1, n + 1)):
        return set()
    leaves = [hashlib.sha256(b"\x00" + raw).digest() for raw in elements]
    latest = [max(verified[s]["time"] for s in range(1, i + 1)) for i in range(1, n + 1)]
    mine = _body(manifest["checkpoint"])
    handovers = {
        s: h["data"]
        for s, h in verified.items()
        if h["type"] == "case.handed_over" and h["schema"] == 2
    }
    used: set[bytes] = set()

    def names_prefix(note: str, size: int) -> bool:
        """B13 1-2 (and B14 3): a trusted checkpoint over exactly records 1..size."""
        signers = _signed(note, keys, cp_roles, at, latest[size - 1]) if size else set()
        used.update(signers)
        body = _body(note)
        return (
            bool(signers)
            and body is not None
            and body[0].split("/")[1] == manifest["case_id"]
            and (mine is None or body[0] == mine[0])
            and body[1] == size
            and body[2] == _root(leaves[:size])
        )

    for s, data in sorted(handovers.items()):  # B13 1-2
        if not names_prefix(data["checkpoint"], s - 1):
            report.fail("B13", "handover", s)
    audience = manifest["audience"]
    if audience is not None and (n not in handovers or handovers[n]["audience"] != audience):
        report.fail("B13", "handover", n)  # B13 3
    _earlier(root, manifest, handovers, leaves, names_prefix, report)
    return used


def _earlier(
    root: Path,
    manifest: dict[str, Any],
    handovers: dict[int, dict[str, Any]],
    leaves: list[bytes],
    names_prefix: Any,
    report: Report,
) -> None:
    """B14: handovers.json holds exactly the earlier handovers to this bundle's recipient."""
    n = manifest["records"]
    listed = (root / "handovers.json").is_file()
    own = handovers.get(n)
    earlier = (
        []
        if own is None
        else [s for s in handovers if s < n and handovers[s]["recipient"] == own["recipient"]]
    )
    if not earlier:
        if listed:
            report.fail("B14", "handover")
        return
    path = root / "handovers.json"
    doc = canonical_json(path.read_bytes()) if listed and path.is_file() else None
    if not _document_ok(doc):
        report.fail("B14", "handover")
        return
    assert doc is not None
    entries = doc["handovers"]
    if [e["seq"] for e in entries] != sorted(earlier):
        report.fail("B14", "handover")
        return
    new_root = _root(leaves)
    for e in entries:
        s = e["seq"]
        proof = [base64.b64decode(h) for h in e["consistency"]]
        if not names_prefix(e["checkpoint"], s) or not _consistent(
            s, n, _root(leaves[:s]), new_root, proof
        ):
            report.fail("B14", "handover", s)


def _document_ok(doc: Any) -> bool:
    """§9.9: the shape of handovers.json."""
    if not isinstance(doc, dict) or sorted(doc) != ["format", "handovers", "version"]:
        return False
    if doc["format"] != "casefile-handovers" or doc["version"] != 1:
        return False
    entries = doc["handovers"]
    if not isinstance(entries, list) or not entries:
        return False
    for e in entries:
        if not isinstance(e, dict) or sorted(e) != ["checkpoint", "consistency", "seq"]:
            return False
        if type(e["seq"]) is not int or not isinstance(e["checkpoint"], str):
            return False
        hashes = e["consistency"]
        if not isinstance(hashes, list) or len(hashes) > 64:
            return False
        for h in hashes:
            if not isinstance(h, str):
                return False
            try:
                raw = base64.b64decode(h, validate=True)
            except binascii.Error:
                return False
            if len(raw) != 32 or base64.b64encode(raw).decode() != h:
                return False
    return True
