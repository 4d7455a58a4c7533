"""B15 as docs/FORMAT.md §6.1, §7.1.3 and §9.6 state it, from the text alone (no casefile import).

A receipt's cosignature is checked against the trust entry of its name and type-0x04 key id,
over `cosignature/v1`, its time and the checkpoint's three lines; the root of the records it
acknowledged is recomputed from the record hashes; the witnesses' lines of the bundle's own
checkpoint are counted, once per witness.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from nacl.exceptions import BadSignatureError

from independent._spec_rules import ORIGIN, RECEIPT_RECORDED, Key, Report

__all__ = ["b15", "witness_policy"]

_TOLERANCE = 300 * 10**9  # §8: the clock tolerance
_SECOND = 10**9
_HANDOVER = "case.handed_over"


def witness_policy(trust_doc: bytes) -> tuple[set[str], int]:
    """§7.1.3: the named witnesses and the threshold (none, 0 when the field is absent)."""
    policy = json.loads(trust_doc.decode("utf-8")).get("policy") or {}
    witnesses = policy.get("witnesses")
    if witnesses is None:
        return set(), 0
    return set(witnesses["names"]), witnesses["threshold"]


def _key_id(name: str, key: Key) -> bytes:
    return hashlib.sha256(name.encode() + b"\n\x04" + bytes(key.verify)).digest()[:4]


def _cosignature(line: str) -> tuple[str, bytes, int, bytes] | None:
    """(name, key id, time, signature) of a §6.1 line, or None if it is not one."""
    if not line.startswith("\u2014 "):
        return None
    name, _, b64 = line[2:].partition(" ")
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 76 or base64.b64encode(raw).decode() != b64 or not name:
        return None
    t = int.from_bytes(raw[4:12], "big")
    return (name, raw[:4], t, raw[12:]) if t < 2**63 else None


def _signed(key: Key, body: str, t: int, signature: bytes) -> bool:
    try:
        key.verify.verify(b"cosignature/v1\ntime %d\n" % t + body.encode(), signature)
    except BadSignatureError:
        return False
    return True


def _entry(
    keys: dict[bytes, Key], name: str, kid: bytes, roles: set[str], cp_roles: set[str]
) -> Key | None:
    """The key of this name and cosignature key id holding one of ``roles``; a key that may
    sign checkpoints (``cp_roles``) is the sender's and cosigns for no one (§9.6 B15)."""
    for key in keys.values():
        if key.name == name and key.roles & roles and _key_id(name, key) == kid:
            return None if key.roles & cp_roles else key
    return None


def _root(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _root(hashes[:k]) + _root(hashes[k:])).digest()


def _receipt_ok(
    h: dict[str, Any],
    origin: str,
    keys: dict[bytes, Key],
    verified: dict[int, dict[str, Any]],
    hashes: list[bytes],
    identity: Callable[[Any], tuple[str, str, str] | None],
    complete: bool,
    cp_roles: set[str],
) -> tuple[bool, bytes | None]:
    data, seq = h["data"], h["seq"]
    body, line = data.get("checkpoint"), data.get("cosignature")
    if not isinstance(body, str) or not isinstance(line, str):
        return False, None
    lines = body.split("\n")
    if len(lines) != 4 or lines[3] != "" or lines[0] != origin or not ORIGIN.fullmatch(lines[0]):
        return False, None
    if not re.fullmatch(r"0|[1-9]\d{0,18}", lines[1]):
        return False, None
    size, root = int(lines[1]), lines[2]
    parsed = _cosignature(line)
    if parsed is None:
        return False, None
    name, kid, t, signature = parsed
    key = _entry(keys, name, kid, {"recipient", "witness"}, cp_roles)
    if key is None or not _signed(key, body, t, signature):
        return False, None
    t_ns = t * _SECOND
    if not key.valid(t_ns) or t_ns > h["time"] + _TOLERANCE:
        return False, None
    if identity(data.get("by")) != key.holder or size >= seq:
        return False, None
    if complete:  # every record passed B6: the case's roots are known
        last = verified.get(size)
        if last is None or last["type"] != _HANDOVER or last["schema"] != 2:
            return False, None
        if base64.b64encode(_root(hashes[:size])).decode() != root:
            return False, None
        if t_ns + _TOLERANCE < max(verified[i]["time"] for i in range(1, size + 1)):
            return False, None
    return True, key.key_id


def b15(
    note: str,
    keys: dict[bytes, Key],
    witnesses: tuple[set[str], int],
    verified: dict[int, dict[str, Any]],
    hashes: list[bytes],
    times: tuple[int, int],
    report: Report,
    identity: Callable[[Any], tuple[str, str, str] | None],
    records: int,
    cp_roles: set[str],
) -> set[bytes]:
    """B15's failures into ``report``; the key ids of the cosignatures that passed (for B10).

    ``records`` is the manifest's count: the roots are compared only when every record passed;
    ``cp_roles`` the policy's checkpoint roles.
    """
    at, last = times
    complete = len(hashes) == records == len(verified)
    body, _, block = note.rpartition("\n\n")
    body += "\n"
    origin = body.split("\n")[0]
    used: set[bytes] = set()
    for seq in sorted(verified):
        h = verified[seq]
        if h["type"] != RECEIPT_RECORDED or h["schema"] != 1:
            continue
        ok, kid = _receipt_ok(h, origin, keys, verified, hashes, identity, complete, cp_roles)
        if not ok:
            report.fail("B15", "cosignature", seq)
        elif kid is not None:
            used.add(kid)
    names, threshold = witnesses
    if not threshold:
        return used
    counted: dict[str, bytes] = {}
    for line in block.rstrip("\n").split("\n"):
        name, _, b64 = line.removeprefix("\u2014 ").partition(" ")
        if name not in names:
            continue
        raw = base64.b64decode(b64)
        key = _entry(keys, name, raw[:4], {"witness"}, cp_roles)
        if key is None:
            continue
        parsed = _cosignature(line)
        if parsed is None or not _signed(key, body, parsed[2], parsed[3]):
            report.fail("B15", "cosignature")  # a named witness's line that does not verify
            continue
        t_ns = parsed[2] * _SECOND
        if key.valid(t_ns) and t_ns <= at + _TOLERANCE and t_ns + _TOLERANCE >= last:
            counted[name] = key.key_id
    if len(counted) < threshold:
        report.fail("B15", "cosignature")
    return used | set(counted.values())
