"""B8 and the evidence part of B9 of docs/FORMAT.md §9.6, read from the format alone.

The case's story (§12.5) is its verified records with, right after each binding, the records
of the capture it newly binds that passed B19. B8 holds each `evidence/<sha256>` file to its
name and to the `size` of every `evidence.captured` record of the story with that `sha256`.
B9 reports `evidence_not_in_bundle` for each exhibit the story introduces with a SHA-256 on
record (B9's list of introducing fields; a copy of an exhibit on record; no correction changes
a hash) whose file a bundle carrying evidence lacks, at the record that first introduced it.
The rest of B9, the chain of custody, needs docs/CUSTODY.md and is left to the library.

A captured record the case's state does not take (§12.7: it names a reference held apart for
its stream) names that reference as `R (capture <stream-uuid>)` in the story (§12.5), an
exhibit of its own, so its file is looked for under its own record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from independent._spec_rules import Report

_PREFIX = "evidence/"
#: B9: the records that introduce an exhibit, the field naming it and the one holding its SHA-256.
_INTRODUCES = {
    "evidence.captured": ("exhibit", "sha256"),
    "exhibit.seized": ("exhibit", "sha256"),
    "exhibit.located": ("exhibit", "sha256"),
    "exhibit.produced": ("exhibit", "sha256"),
    "exhibit.imaged": ("derived", "output_sha256"),
    "exhibit.derived": ("derived", "output_sha256"),
}

#: §12.7 step 1: the records that bring a reference in, by `exhibit` (and `derived`).
_OPENING = frozenset(_INTRODUCES)
#: §12.7 "What joins": `evidence.captured` and the custody types of §10.
_JOINING = _OPENING | {
    "exhibit." + t
    for t in [
        "packaged",
        "booked",
        "transferred",
        "seal_opened",
        "resealed",
        "examined",
        "accessed",
        "fixity_checked",
        "disclosed",
        "retention_reviewed",
        "produced_in_court",
        "returned",
        "destroyed",
        "lost",
        "damaged",
    ]
}

Records = dict[int, dict[str, Any]]


def story(
    case: Records, captures: dict[str, Records]
) -> Iterator[tuple[int | str, dict[str, Any]]]:
    """(citation, record) of the story: a captured record is cited ``<stream>#<seq>``.

    A captured record naming a reference held apart for its stream (§12.7) names it
    ``R (capture <stream>)``.
    """
    held: set[str] = set()  # every reference of the case's state
    owner: dict[str, str] = {}
    apart: dict[str, set[str]] = {}
    for seq in sorted(case):
        h = case[seq]
        yield seq, h
        if h["type"] in _OPENING:
            held.update(_names(h["data"]))
        if h["type"] != "capture.attached" or h["schema"] != 1:
            continue
        d = h["data"]
        stream = str(uuid.UUID(bytes=d["stream"]))
        records = captures.get(stream, {})
        in_use = held.union(*apart.values())  # U, at the binding
        mine = apart.setdefault(stream, set())
        walked: set[str] = set()
        for n in range(d["from_size"] + 1, d["size"] + 1):
            if n not in records:
                continue
            r = records[n]
            if r["type"] not in _JOINING:
                yield f"{stream}#{n}", r
                continue
            names = _names(r["data"])
            if r["type"] in _OPENING:
                for ref in names:  # step 1
                    if ref in in_use and ref not in walked and owner.get(ref) != stream:
                        mine.add(ref)
                    walked.add(ref)
            if mine.isdisjoint(names):
                if r["type"] in _OPENING:  # step 4
                    for ref in names:
                        if ref not in held:
                            owner[ref] = stream
                            held.add(ref)
                yield f"{stream}#{n}", r
                continue
            if len(names) > 1:
                mine.add(names[1])  # step 2: a copy of what is apart is apart
            named = {
                k: f"{v} (capture {stream})" if k in _NAMING and v in mine else v
                for k, v in r["data"].items()
            }
            yield f"{stream}#{n}", {**r, "data": named}


_NAMING = ("exhibit", "derived", "root")


def _names(d: dict[str, Any]) -> tuple[str, ...]:
    return tuple(d[k] for k in ("exhibit", "derived") if isinstance(d.get(k), str))


def check_evidence(
    listed: dict[str, dict[str, Any]], case: Records, captures: dict[str, Records], report: Report
) -> None:
    """B8 over every listed evidence file, then B9's ``evidence_not_in_bundle``."""
    sizes: dict[str, set[int]] = {}
    introduced: dict[str, tuple[int | str, bytes | None]] = {}
    for cite, h in story(case, captures):
        d = h["data"]
        if h["type"] == "evidence.captured":
            sizes.setdefault(d["sha256"].hex(), set()).add(d["size"])
        if h["type"] in _INTRODUCES and h["schema"] == 1:
            ref, field = _INTRODUCES[h["type"]]
            # The first introduction counts; a copy is made of an exhibit on record.
            if d[ref] not in introduced and (ref == "exhibit" or d["exhibit"] in introduced):
                introduced[d[ref]] = (cite, d.get(field))
    for path, f in listed.items():
        if not path.startswith(_PREFIX):
            continue
        name = path[len(_PREFIX) :]
        if f["sha256"] != name or sizes.get(name, set()) - {f["size"]}:
            report.fail("B8", "fixity")
    carried = {p[len(_PREFIX) :] for p in listed if p.startswith(_PREFIX)}
    if not carried:
        return  # an export by reference
    for cite, digest in introduced.values():
        if digest is not None and digest.hex() not in carried:
            report.note("evidence_not_in_bundle", cite)
