"""The custody records as a reader sees them: authenticated maps, checked against their schema.

This module knows the custody record types of docs/CUSTODY.md by name and
field, independently of the domain classes that write them, so that a
continuity check runs inside an offline verifier (no domain classes, no
database) and is a second, separate reading of the same records. A record
whose payload does not fit its schema is reported, never trusted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final, Protocol

from casefile.signing._trust import TrustEntry

__all__ = [
    "CAPTURED_TYPE",
    "CONFIRMATION_TYPE",
    "CORRECTION_TYPE",
    "CUSTODY_TYPES",
    "CaseRecord",
    "Party",
    "RecordView",
    "check_custody_data",
    "check_party",
    "correctable_fields",
    "naming_apart",
]

CAPTURED_TYPE: Final = "evidence.captured"
CORRECTION_TYPE: Final = "record.corrected"
CONFIRMATION_TYPE: Final = "record.confirmed"

_REFERENCE: Final = re.compile(r"[A-Z]{1,5}/[1-9][0-9]{0,5}(?:/[A-Z0-9]{1,8}){0,4}")
# The names the story being read gave references held apart (FORMAT.md §12.5, D73): only
# those pass as references, so a record signed with such a name is still malformed.
_APART: Final[ContextVar[frozenset[str]]] = ContextVar("casefile_apart", default=frozenset())


@contextmanager
def naming_apart(names: frozenset[str]) -> Iterator[None]:
    """Within the block, ``names`` (a story's held-apart references) read as references."""
    token = _APART.set(names)
    try:
        yield
    finally:
        _APART.reset(token)


_PARTY_KEYS: Final = ("name", "number", "organisation", "rank", "role")


class CaseRecord(Protocol):
    """What the projection reads of one authenticated record.

    :class:`casefile.verifier.VerifiedRecord` fits, as does :class:`RecordView`.
    ``signer`` is the trust entry of the key that signed it, when known.
    """

    @property
    def event_type(self) -> str: ...
    @property
    def schema(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def time_ns(self) -> int: ...
    @property
    def data(self) -> Mapping[str, Any]: ...
    @property
    def signer(self) -> TrustEntry | None: ...


@dataclass(frozen=True, slots=True)
class RecordView:
    """A record's type, sequence number, time, payload and signer, from any source."""

    event_type: str
    seq: int
    time_ns: int
    data: Mapping[str, Any]
    signer: TrustEntry | None = None
    schema: int = 1


@dataclass(frozen=True, slots=True)
class Party:
    """A person named in a custody record: who acted, received, or witnessed.

    The same person whenever ``name``, ``number`` and ``organisation`` agree.
    """

    name: str
    number: str
    organisation: str
    rank: str = ""
    role: str = ""

    @property
    def identity(self) -> tuple[str, str, str]:
        """(name, number, organisation): what makes two parties the same person."""
        return (self.name, self.number, self.organisation)

    def describe(self) -> str:
        """``PC 1234 Jane Smith (Metropolitan Police)``."""
        who = " ".join(part for part in (self.rank, self.number, self.name) if part)
        return f"{who} ({self.organisation})"

    def to_json(self) -> dict[str, str]:
        """The five fields, as the register's JSON writes them."""
        return {
            "name": self.name,
            "number": self.number,
            "organisation": self.organisation,
            "rank": self.rank,
            "role": self.role,
        }

    @classmethod
    def of(cls, value: Mapping[str, Any]) -> Party:
        """The party of a checked record map."""
        return cls(*(value[key] for key in ("name", "number", "organisation", "rank", "role")))


# Field kinds: what each value must be. "words" is a text field as read
# (projections/_texts.py): its text, shown with markers where runs are
# withheld, or None when it is not disclosed at all; "words0" may be empty.
_COMMON: Final = {
    "exhibit": "ref",
    "by": "party",
    "recorded_by": "party?",
    "place": "words",
    "occurred_at": "time?",
    "notes": "words0",
}
_ORIGIN: Final = {"description": "words", "sha256": "sha?", "media_type": "text?"}
_COPY: Final = {
    "derived": "ref",
    "root": "ref",
    "output_sha256": "sha",
    "media_type": "text?",
    "description": "words",
}
_FIELDS: Final[dict[str, dict[str, str]]] = {
    "exhibit.located": _ORIGIN,
    "exhibit.seized": {**_ORIGIN, "power": "text", "authority": "text0", "seized_from": "uuid?"},
    "exhibit.produced": {**_ORIGIN, "produced_by": "uuid?"},
    "exhibit.packaged": {"bag": "text", "seal": "text"},
    "exhibit.booked": {"to": "party", "property_ref": "text"},
    "exhibit.transferred": {
        "to": "party",
        "purpose": "text",
        "seal_checked": "bool",
        "seal": "text?",
        "seal_intact": "bool?",
        "submission_ref": "text0",
    },
    "exhibit.seal_opened": {"seal": "text", "reason": "words"},
    "exhibit.resealed": {"old_seal": "text", "new_seal": "text", "bag": "text"},
    "exhibit.examined": {
        "lab": "text",
        "method": "text",
        "tool": "text0",
        "tool_version": "text0",
        "destructive": "bool",
    },
    "exhibit.imaged": {
        **_COPY,
        "source_sha256": "sha",
        "tool": "text",
        "tool_version": "text0",
        "write_blocker": "text0",
    },
    "exhibit.derived": {
        **_COPY,
        "input_sha256": "sha",
        "method": "text",
        "purpose": "text",
        "tool": "text0",
    },
    "exhibit.accessed": {"purpose": "text"},
    "exhibit.fixity_checked": {
        "expected_sha256": "sha",
        "actual_sha256": "sha",
        "result": "fixity",
    },
    "exhibit.disclosed": {"recipient": "text", "checkpoint": "text0"},
    "exhibit.produced_in_court": {"court": "text", "hearing": "text0"},
    "exhibit.retention_reviewed": {
        "decision": "decision",
        "reason": "words",
        "next_review": "time?",
    },
    "exhibit.returned": {"returned_to": "uuid?"},
    "exhibit.destroyed": {"method": "text", "authority": "text", "witness": "party"},
    "exhibit.lost": {"circumstances": "words"},
    "exhibit.damaged": {"damage": "words"},
}
_SCHEMAS: Final = {name: {**_COMMON, **extra} for name, extra in _FIELDS.items()}
_CAPTURED_CHECKED: Final = {
    "exhibit": "ref",
    "by": "party",
    "recorded_by": "party?",
    "sha256": "sha",
    "media_type": "text",
    "description": "words0",
    "location": "words",
}

#: The custody record types this reader knows (schema 1 of each).
CUSTODY_TYPES: Final = frozenset(_SCHEMAS)

_DESCRIPTIVE: Final = {"description", "media_type"}
_CORRECTABLE: Final[dict[str, frozenset[str]]] = {
    name: frozenset({"place", "notes"} | extra)
    for name, extra in {
        "exhibit.located": _DESCRIPTIVE,
        "exhibit.seized": _DESCRIPTIVE | {"power", "authority"},
        "exhibit.produced": _DESCRIPTIVE,
        "exhibit.packaged": set(),
        "exhibit.booked": {"property_ref"},
        "exhibit.transferred": {"purpose", "submission_ref"},
        "exhibit.seal_opened": {"reason"},
        "exhibit.resealed": set(),
        "exhibit.examined": {"lab", "method", "tool", "tool_version"},
        "exhibit.imaged": _DESCRIPTIVE | {"tool", "tool_version", "write_blocker"},
        "exhibit.derived": _DESCRIPTIVE | {"method", "purpose", "tool"},
        "exhibit.accessed": {"purpose"},
        "exhibit.fixity_checked": set(),
        "exhibit.disclosed": {"recipient"},
        "exhibit.produced_in_court": {"court", "hearing"},
        "exhibit.retention_reviewed": {"reason", "next_review"},
        "exhibit.returned": set(),
        "exhibit.destroyed": {"method", "authority"},
        "exhibit.lost": {"circumstances"},
        "exhibit.damaged": {"damage"},
    }.items()
}
_CORRECTABLE[CAPTURED_TYPE] = frozenset(
    {"kind", "media_type", "device", "location", "captured_at", "description", "produced_by"}
)


def correctable_fields(event_type: str) -> frozenset[str]:
    """The payload fields a correction of an ``event_type`` record may change."""
    return _CORRECTABLE.get(event_type, frozenset())


def _problem(kind: str, value: Any) -> str | None:
    """Why ``value`` is not of field kind ``kind``, or None."""
    if kind.endswith("?"):
        if value is None:
            return None
        kind = kind[:-1]
    if kind == "ref":
        ok = type(value) is str and (
            _REFERENCE.fullmatch(value) is not None or value in _APART.get()
        )
        return None if ok else "not an exhibit reference"
    if kind in ("words", "words0"):
        if value is None:
            return None
        kind = "text" if kind == "words" else "text0"
    if kind in ("text", "text0"):
        if type(value) is not str:
            return "not text"
        return "empty" if kind == "text" and not value else None
    if kind == "time":
        return None if type(value) is int else "not a time"
    if kind == "bool":
        return None if type(value) is bool else "not true or false"
    if kind == "sha":
        return None if type(value) is bytes and len(value) == 32 else "not a SHA-256"
    if kind == "uuid":
        return None if type(value) is bytes and len(value) == 16 else "not a person id"
    if kind == "party":
        if type(value) is not dict or tuple(sorted(value)) != _PARTY_KEYS:
            return f"not a map of {', '.join(_PARTY_KEYS)}"
        if any(type(v) is not str for v in value.values()):
            return "a field that is not text"
        missing = [k for k in ("name", "number", "organisation") if not value[k]]
        return f"empty {', '.join(missing)}" if missing else None
    if kind == "fixity":
        return None if value in ("match", "mismatch") else "not match or mismatch"
    if kind == "decision":
        return None if value in ("retain", "return", "destroy") else "not retain, return or destroy"
    return f"unknown field kind {kind}"


def check_party(value: Any) -> str | None:
    """Why ``value`` is not a person map, or None."""
    return _problem("party", value)


def check_custody_data(event_type: str, data: Mapping[str, Any]) -> str | None:
    """Why ``data`` does not fit the schema of ``event_type``, or None if it does."""
    if event_type == CAPTURED_TYPE:
        fields, exact = _CAPTURED_CHECKED, False
    else:
        fields, exact = _SCHEMAS[event_type], True
    keys = set(data)
    if (exact and keys != fields.keys()) or (not exact and not fields.keys() <= keys):
        missing = sorted(fields.keys() - keys)
        extra = sorted(keys - fields.keys()) if exact else []
        return f"payload fields missing {missing}, unexpected {extra}"
    for name, kind in fields.items():
        problem = _problem(kind, data[name])
        if problem is not None:
            return f"{name}: {problem}"
    if event_type == "exhibit.transferred":
        checked = data["seal_checked"]
        quoted = data["seal"] is not None and data["seal_intact"] is not None
        unquoted = data["seal"] is None and data["seal_intact"] is None
        if (checked and not quoted) or (not checked and not unquoted):
            return "seal and seal_intact are given exactly when seal_checked is true"
    return None
