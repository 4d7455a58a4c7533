"""The exhibit register as JSON: the ``views/exhibits.json`` a bundle can carry.

The document is UTF-8 JSON with sorted keys, two-space indentation and a
final newline, so one register always has one text. Times are RFC 3339 UTC
strings (nanosecond integers do not survive a JavaScript reader); hashes and
other bytes are lowercase hex. It holds no personal data: committed fields
are not in the records' payloads, so they are not here either.

Shape (version 1)::

    {"format": "casefile-exhibit-register", "version": 1,
     "exhibits": [{"reference", "root", "source", "original", "description",
                   "sha256", "media_type", "produced_by", "status", "custodian",
                   "location", "property_ref", "bag", "seal", "sealed",
                   "in_store", "damaged", "first_seq", "last_seq",
                   "timeline": [{"start", "end", "start_seq", "custodian",
                                 "location", "property_ref", "bag", "seal",
                                 "sealed", "in_store", "status"}],
                   "events": [{"seq", "type", "time", "recorded", "by", "place",
                               "recorded_by", "confirmed_by",
                               "receipt_confirmed_by", "signed_by",
                               "corrected_by", "details"}]}],
     "findings": [{"kind", "message", "seq", "exhibit"}]}

People (``produced_by``, ``custodian``, ``by``, ``recorded_by``) are objects of ``name``,
``number``, ``organisation``, ``rank``, ``role``, or null. Texts (``description``,
``location``, ``place`` and the texts among ``details``) are as their reader may see them
(:func:`~casefile.projections.records_as_read`): with a marker such as
``[withheld 3 words]`` for each withheld run, or null when not disclosed at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from casefile._time import ns_to_rfc3339
from casefile.projections._continuity_model import (
    CustodyEntry,
    CustodySpan,
    ExhibitHistory,
    ExhibitRegister,
)
from casefile.projections._custody_records import Party
from casefile.projections._document import json_document

__all__ = [
    "EXHIBITS_VIEW",
    "REGISTER_FORMAT",
    "exhibit_register_document",
    "exhibit_register_json",
]

#: The view name under which a bundle carries the register (``views/exhibits.json``).
EXHIBITS_VIEW: Final = "exhibits.json"
#: The ``format`` of the document.
REGISTER_FORMAT: Final = "casefile-exhibit-register"

# Payload fields that hold times, written as RFC 3339 like every other time.
_TIME_FIELDS: Final = frozenset({"captured_at", "next_review"})


def _party(party: Party | None) -> dict[str, str] | None:
    return None if party is None else party.to_json()


def _value(name: str, value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if name in _TIME_FIELDS and type(value) is int:
        return ns_to_rfc3339(value)
    if isinstance(value, Mapping):
        return {str(k): _value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_value(name, v) for v in value]
    return value


def _span(span: CustodySpan) -> dict[str, Any]:
    return {
        "start": ns_to_rfc3339(span.start_ns),
        "end": None if span.end_ns is None else ns_to_rfc3339(span.end_ns),
        "start_seq": span.start_seq,
        "custodian": _party(span.custodian),
        "location": span.location,
        "property_ref": span.property_ref,
        "bag": span.bag,
        "seal": span.seal,
        "sealed": span.sealed,
        "in_store": span.in_store,
        "status": span.status,
    }


def _event(entry: CustodyEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "type": entry.event_type,
        "time": ns_to_rfc3339(entry.time_ns),
        "recorded": ns_to_rfc3339(entry.recorded_ns),
        "by": _party(entry.by),
        "place": entry.place,
        "recorded_by": _party(entry.recorded_by),
        "confirmed_by": entry.confirmed_by,
        "receipt_confirmed_by": entry.receipt_confirmed_by,
        "signed_by": entry.signed_by,
        "corrected_by": list(entry.corrected_by),
        "details": _value("details", entry.details),
    }


def _exhibit(ex: ExhibitHistory) -> dict[str, Any]:
    return {
        "reference": ex.reference,
        "root": ex.root,
        "source": ex.source,
        "original": ex.original,
        "description": ex.description,
        "sha256": None if ex.sha256 is None else ex.sha256.hex(),
        "media_type": ex.media_type,
        "produced_by": _party(ex.produced_by),
        "status": ex.status,
        "custodian": _party(ex.custodian),
        "location": ex.location,
        "property_ref": ex.property_ref,
        "bag": ex.bag,
        "seal": ex.seal,
        "sealed": ex.sealed,
        "in_store": ex.in_store,
        "damaged": ex.damaged,
        "first_seq": ex.first_seq,
        "last_seq": ex.last_seq,
        "timeline": [_span(span) for span in ex.spans],
        "events": [_event(entry) for entry in ex.entries],
    }


def exhibit_register_document(register: ExhibitRegister) -> dict[str, Any]:
    """The register as a JSON-ready object (see the module docstring for its shape)."""
    return {
        "format": REGISTER_FORMAT,
        "version": 1,
        "exhibits": [_exhibit(ex) for ex in register.exhibits],
        "findings": [
            {"kind": f.kind, "message": f.message, "seq": f.seq, "exhibit": f.exhibit}
            for f in register.findings
        ],
    }


def exhibit_register_json(register: ExhibitRegister) -> bytes:
    """The register as canonical JSON bytes, ready for ``views/exhibits.json``."""
    return json_document(exhibit_register_document(register))
