"""B18-B21 of docs/FORMAT.md §9.6: the capture streams a bundle carries, read from §12 alone.

A capture package (§12.2) is framed as records.bin is; its records and disclosures verify as
a case does, with the stream as the case, so the verifier's own record walk runs on them, with
the capture roles (§12.1: those the policy gives ``capture.opened``) in place of the checkpoint
roles: its V12 is A2 and its V13 is A3. A capture is judged alone and reported once, at its
first fault (§9.7.4). B21 holds the disclosures that passed V11 there to the bundle's policy and
audience, and to the stream's own decisions and erasures, counted as B11 counts the case's.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgpack

from independent._spec_redactions import Redactions, _revealed, _units
from independent._spec_rules import RESTRICTED, Key, Report, frames, mp

PATH = re.compile(r"captures/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.pkg")
#: §12.1: the types a capture never holds after its record 1 (A4).
_NOT_CAPTURED = {
    "case.opened",
    "capture.opened",
    "capture.attached",
    "case.handed_over",
    "receipt.recorded",
    "unused.item_recorded",
    "unused.scheduled",
    "unused.decided",
    "case_summary.written",
}
_HEAD = ["checkpoint", "disclosures", "format", "records", "stream", "v"]
_MIB = 1 << 20

Trust = tuple[dict[bytes, Key], dict[str, list[str]], list[str]]
#: The verifier's record walk: (records.bin, disclosures.bin), a manifest's fields, the trust
#: store, the time, a report, and where the verified records go; it gives the key ids used first.
Walk = Callable[..., tuple[set[bytes], Any, Any, Any]]


def check_captures(
    root: Path,
    listed: set[str],
    changed: set[str],
    verified: dict[int, dict[str, Any]],
    context: tuple[dict[str, Any], Trust, int],
    report: Report,
    walk: Walk,
) -> tuple[set[bytes], dict[str, dict[int, dict[str, Any]]]]:
    """B18-B21 for the bundle whose manifest is ``context[0]``; the key ids the verified
    captures used (B10), and the records of each capture that passed B19 (B8, B9)."""
    manifest, trust, at = context
    bound: dict[str, list[tuple[int, int, int, str]]] = {}
    for seq in sorted(verified):
        h = verified[seq]
        if h["type"] == "capture.attached" and h["schema"] == 1:
            d = h["data"]
            stream = str(uuid.UUID(bytes=d["stream"]))
            bound.setdefault(stream, []).append((seq, d["from_size"], d["size"], d["checkpoint"]))
    carried = {m[1]: path for path in sorted(listed) if (m := PATH.fullmatch(path))}
    for stream, bindings in bound.items():  # B18
        expected = 0
        for seq, start, size, _note in bindings:
            if start != expected or size <= expected:
                report.fail("B18", "capture", seq)
            expected = size
        if stream not in carried:
            report.fail("B18", "capture", bindings[-1][0])
    used: set[bytes] = set()
    passed: dict[str, dict[int, dict[str, Any]]] = {}
    for stream, path in carried.items():
        if stream not in bound:
            report.fail("B18", "capture")  # records of a stream never bound are no part of it
        elif path not in changed:  # a changed file failed B4 already
            records: dict[int, dict[str, Any]] = {}
            keys = _one(
                root / path, stream, bound[stream], (manifest, trust, at), report, walk,
                records,
            )  # fmt: skip
            if keys is not None:
                used |= keys
                passed[stream] = records
    return used, passed


def _one(
    path: Path,
    stream: str,
    bindings: list[tuple[int, int, int, str]],
    context: tuple[dict[str, Any], Trust, int],
    report: Report,
    walk: Walk,
    records: dict[int, dict[str, Any]],
) -> set[bytes] | None:
    manifest, (keys, record_roles, _), at = context
    package = _package(path.read_bytes(), stream)
    if package is None:
        report.fail("B19", "capture")
        return None
    note, n, files = package
    capture_roles = record_roles.get("capture.opened", record_roles.get("*", []))
    fields = {
        "case_id": stream,
        "records": n,
        "checkpoint": note,
        "audience": None,
        "disclosure_policy": {"mode": "all"},
    }
    mine = Report()
    shown: dict[tuple[int, str], dict[str, Any]] = {}
    last = bindings[-1]
    used, _, _, hashes = walk(
        files, fields, (keys, record_roles, capture_roles), at, mine, (records, shown)
    )
    if mine.failures:  # B19: the first fault only; A2 and A3 are the walk's V12 and V13
        step, kind, seq = mine.failures[0]
        report.fail(*(("B19", "capture", None) if step in ("V12", "V13") else (step, kind, seq)))
        return None
    first = records[1]
    later = (h["type"] for s, h in records.items() if s > 1)
    if (first["type"], first["schema"]) != ("capture.opened", 1) or _NOT_CAPTURED & set(later):
        report.fail("B19", "capture")  # A4
        return None
    target = first["data"]["target"]
    if note != last[3]:  # B20: exactly the records the latest binding bound
        report.fail("B20", "capture", last[0])
    for seq, _start, size, bound_note in bindings:  # B20: each binding over its records
        if _size_and_root(bound_note) != (size, _merkle_root(hashes[:size])):
            report.fail("B20", "capture", seq)
    if target is not None and str(uuid.UUID(bytes=target)) != manifest["case_id"]:
        report.fail("B20", "capture", last[0])
    for seq, _name in _b21(manifest, records, shown):
        report.fail("B21", "capture", seq)
    _b7(manifest, records, set(shown), report)
    return used


def _b7(
    manifest: dict[str, Any],
    records: dict[int, dict[str, Any]],
    disclosed: set[tuple[int, str]],
    report: Report,
) -> None:
    """B7 over a capture that passed B19: the fields the policy covers that it leaves out and
    that no act of the stream withholds whole count in the case's finding."""
    from independent._spec_verifier import _withheld_whole

    policy, audience = manifest["disclosure_policy"], manifest["audience"]
    if policy["mode"] == "none":
        return
    covered = {
        (seq, name)
        for seq, h in records.items()
        for name in h["pd"]
        if policy["mode"] == "all" or name in policy["fields"]
    }
    covered -= _withheld_whole(audience, records)
    if audience == "defence":
        covered = {(s, n) for s, n in covered if n not in RESTRICTED}
    if covered - disclosed:
        report.note("policy_fields_not_disclosed")
        left_out = report.counts.get("policy_fields_not_disclosed", 0)
        report.counts["policy_fields_not_disclosed"] = left_out + len(covered - disclosed)


def _b21(
    manifest: dict[str, Any],
    records: dict[int, dict[str, Any]],
    shown: dict[tuple[int, str], dict[str, Any]],
) -> list[tuple[int, str]]:
    """B21: the capture's disclosures that the bundle's audience may not see, by (seq, name)."""
    policy, audience = manifest["disclosure_policy"], manifest["audience"]
    acts = Redactions(audience, records, shown).acts  # B11 steps 1-2 over the stream alone
    out = []
    for key, d in sorted(shown.items()):
        name = key[1]
        named = acts.get(key, [])
        whole = any(a.runs is None for a in named)
        if (
            (audience == "defence" and name in RESTRICTED)
            or policy["mode"] == "none"
            or (policy["mode"] == "list" and name not in policy["fields"])
            or whole
        ):
            bad = True
        elif "salt" in d:  # a value: any decision in force or erasure withholds it
            bad = any(a.runs for a in named)
        else:
            bad = bool({u for a in named for u in _units(a.runs or [], d["n"])} & _revealed(d))
        if bad:
            out.append(key)
    return out


def _package(data: bytes, stream: str) -> tuple[str, int, tuple[bytes, bytes]] | None:
    """§12.2: the head's note and count, and the records and disclosures framed as in §9.1.1."""
    elements, fault = frames(data)
    if fault is not None or not elements or len(elements[0]) > 64 * 1024:
        return None
    head = mp(elements[0])
    if not isinstance(head, dict) or sorted(head) != _HEAD:
        return None
    n, m, note = head["records"], head["disclosures"], head["checkpoint"]
    if (
        head["format"] != "casefile-capture-package"
        or type(head["v"]) is not int
        or head["v"] != 1
        or type(n) is not int
        or type(m) is not int
        or n < 1
        or m < 0
        or not isinstance(note, str)
        or not 1 <= len(note) <= 4096
        or head["stream"] != uuid.UUID(stream).bytes  # of the stream the file name gives
        or len(elements) != 1 + n + m
    ):
        return None
    records, disclosures = elements[1 : 1 + n], elements[1 + n :]
    if any(len(r) > 16 * _MIB for r in records) or any(len(d) > _MIB for d in disclosures):
        return None
    frame = b"".join
    return (
        note,
        n,
        (
            frame(msgpack.packb(r, use_bin_type=True) for r in records),
            frame(msgpack.packb(d, use_bin_type=True) for d in disclosures),
        ),
    )


def _size_and_root(note: str) -> tuple[int, bytes] | None:
    """The size and root lines of a checkpoint note's body (§6), or None."""
    lines = note.split("\n\n", 1)[0].split("\n")
    if len(lines) < 3 or not re.fullmatch(r"0|[1-9]\d*", lines[1]):
        return None
    try:
        return int(lines[1]), base64.b64decode(lines[2], validate=True)
    except ValueError:
        return None


def _merkle_root(leaves: list[bytes]) -> bytes:
    from independent._spec_verifier import merkle_root

    return merkle_root(leaves)
