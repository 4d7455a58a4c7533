"""B8 and the evidence part of B9 of docs/FORMAT.md §9.6, read from the format alone.

The case's story (§12.5) is its verified records with, right after each binding, the records
of the capture it newly binds that passed B19. B8 holds each `evidence/<sha256>` file to its
name and to the `size` of every `evidence.captured` record of the story with that `sha256`.
B9 reports `evidence_not_in_bundle` for each exhibit the story introduces with a SHA-256 on
record (B9's list of introducing fields; a copy of an exhibit on record; no correction changes
a hash) whose file a bundle carrying evidence lacks, at the record that first introduced it.
The rest of B9, the chain of custody, needs docs/CUSTODY.md and is left to the library.
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

Records = dict[int, dict[str, Any]]


def story(
    case: Records, captures: dict[str, Records]
) -> Iterator[tuple[int | str, dict[str, Any]]]:
    """(citation, record) of the story: a captured record is cited ``<stream>#<seq>``."""
    for seq in sorted(case):
        h = case[seq]
        yield seq, h
        if h["type"] != "capture.attached" or h["schema"] != 1:
            continue
        d = h["data"]
        stream = str(uuid.UUID(bytes=d["stream"]))
        records = captures.get(stream, {})
        for n in range(d["from_size"] + 1, d["size"] + 1):
            if n in records:
                yield f"{stream}#{n}", records[n]


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
