"""Captured records about a reference another holder has: kept apart in the views.

docs/FORMAT.md §12.7 says which exhibit references a case's state takes from
its captures: a reference keeps its first holder (the case, or the first
capture bound that named it), and a later capture's records naming it, and
the copies made of it, are **held apart** for that capture. The views read
the story (§12.5), so they apply the same rule here, read from the format
text alone (the bundle's verifier never imports the domain's fold): a
record that the case's state does not take shows its held-apart references
qualified by its stream, ``C/1 (capture <uuid>)``, an exhibit of its own that
never acts on the first holder's (docs/DECISIONS.md D73).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

from casefile.projections._continuity_exhibit import ORIGINS
from casefile.projections._custody_records import CAPTURED_TYPE, CUSTODY_TYPES
from casefile.verifier._payloads import CAPTURE_ATTACHED

__all__ = ["held_apart", "qualified", "qualify"]

#: The record types that bring a reference in (§12.7 step 1; CUSTODY.md §2): the
#: custody origins, a captured file, and a copy or image of an exhibit.
_OPENING: Final = ORIGINS | {CAPTURED_TYPE, "exhibit.imaged", "exhibit.derived"}
#: The records a capture adds to the case's state (§12.7 "What joins").
_JOINING: Final = CUSTODY_TYPES | {CAPTURED_TYPE}
#: The fields that name an exhibit; ``root`` names the first of a line of copies.
_NAMING: Final = ("exhibit", "derived", "root")


def qualified(reference: str, stream: uuid.UUID) -> str:
    """How a view names ``reference`` held apart for ``stream``: ``C/1 (capture <uuid>)``."""
    return f"{reference} (capture {stream})"


def _names(data: Mapping[str, Any]) -> tuple[str, ...]:
    exhibit, derived = data.get("exhibit"), data.get("derived")
    names = (exhibit,) if derived is None else (exhibit, derived)
    return tuple(n for n in names if isinstance(n, str))


def held_apart(
    kinds: Sequence[str], datas: Sequence[Mapping[str, Any]], streams: Sequence[uuid.UUID | None]
) -> dict[int, frozenset[str]]:
    """Each story position (from 0) the case's state does not take: the references held apart.

    ``kinds``, ``datas`` and ``streams`` describe the story's records in
    story order (stream None: the case's own). Empty for a case whose
    captures clash with nothing.
    """
    case_refs: set[str] = set()
    owner: dict[str, uuid.UUID] = {}
    apart: dict[uuid.UUID, set[str]] = {}
    in_use: set[str] = set()
    introduced: set[str] = set()
    out: dict[int, frozenset[str]] = {}
    for p, (kind, data, stream) in enumerate(zip(kinds, datas, streams, strict=True)):
        if stream is None:
            if kind in _OPENING:
                case_refs.update(_names(data))
            elif kind == CAPTURE_ATTACHED:
                # §12.7: U is read at the binding, the walk's own introductions apart.
                in_use = case_refs.union(*apart.values())
                introduced = set()
            continue
        if kind not in _JOINING:
            continue
        names = _names(data)
        mine = apart.setdefault(stream, set())
        if kind in _OPENING:
            for ref in names:
                if ref in in_use and ref not in introduced and owner.get(ref) != stream:
                    mine.add(ref)  # step 1
                introduced.add(ref)
        if not mine.isdisjoint(names):
            if len(names) > 1:
                mine.add(names[1])  # step 2: a copy of what stays apart stays apart
            out[p] = frozenset(mine)
            continue
        if kind in _OPENING:
            for ref in names:
                if ref not in case_refs:
                    case_refs.add(ref)
                    owner[ref] = stream
    return out


def qualify(data: dict[str, Any], apart: frozenset[str], stream: uuid.UUID) -> list[str]:
    """Name each held-apart reference of a record not taken as its capture's own; the names."""
    names = []
    for name in _NAMING:
        value = data.get(name)
        if isinstance(value, str) and value in apart:
            data[name] = qualified(value, stream)
            names.append(data[name])
    return names
