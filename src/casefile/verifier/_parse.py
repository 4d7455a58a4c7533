"""Per-record work that needs no knowledge of other records: V1, V2, V9 and V10's payload check.

It runs in worker processes for large inputs, so it takes and returns only
plain picklable values: for each record either ``(problem, step, hash)`` or
the parsed header fields, the record hash and the signature verdict. A record
that fails V1 or V2 still has a record hash: the chain and the Merkle tree are
over stored bytes (docs/FORMAT.md §3.2), whether or not those bytes parse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from casefile.errors import MalformedRecordError
from casefile.signing._keys import verify_signature
from casefile.signing._records import parse_record_fields, record_hash, signing_input
from casefile.verifier._actor import ACTOR_TYPES
from casefile.verifier._payloads import CORRECTION_TYPE, PayloadSchemas

__all__ = ["Parsed", "parse_chunk"]

# (case bytes, seq, prev, type, schema, time, key id, data (None unless asked for),
#  commitments, hash, payload fault: None when it fits its schema or none was asked for,
#  else where it fails; signature verdict: True / False / None when the key is unknown).
# The raw record is not sent back: the caller still holds it.
Parsed = tuple[bytes, int, bytes, str, int, int, bytes, Any, Any, bytes, str | None, bool | None]
# (problem, step, record hash or None when the item is not bytes at all).
Failed = tuple[str, str, bytes | None]

_keys: Mapping[bytes, bytes] = {}
_payloads: PayloadSchemas | None = None


def init_worker(keys: Mapping[bytes, bytes], payloads: PayloadSchemas | None = None) -> None:
    """Process-pool initializer: the trusted public keys, by key id, and the payload schemas."""
    global _keys, _payloads  # one table per worker process, set once
    _keys = keys
    _payloads = payloads


def parse_chunk_in_worker(chunk: Sequence[bytes], with_data: bool) -> list[Parsed | Failed]:
    return parse_chunk(chunk, _keys, with_data, _payloads)


def parse_chunk(
    chunk: Sequence[bytes],
    keys: Mapping[bytes, bytes],
    with_data: bool = True,
    payloads: PayloadSchemas | None = None,
) -> list[Parsed | Failed]:
    out: list[Parsed | Failed] = []
    append = out.append
    for raw in chunk:
        try:
            header_bytes, signature, h, digest = parse_record_fields(raw)  # V1, V2
        except MalformedRecordError as exc:
            stored = isinstance(raw, bytes | bytearray)
            append((exc.message, exc.step, record_hash(bytes(raw)) if stored else None))
            continue
        public = keys.get(h["key"])
        # V9, computed here so that it runs in parallel; the verifier applies
        # the verdict only after V3-V8 pass for this record.
        verdict = (
            None
            if public is None
            else verify_signature(public, signing_input(header_bytes), signature)
        )
        # V10 (payload): checked here, in parallel; the verifier reports it in order.
        etype, schema = h["type"], h["schema"]
        fault = (
            None
            if payloads is None or (etype, schema) not in payloads
            else payloads.check(etype, schema, h["data"], h["pd"])
        )
        append(
            (
                h["case"],
                h["seq"],
                h["prev"],
                etype,
                schema,
                h["time"],
                h["key"],
                # V15 reads who acted, and V10 checks a correction against the record
                # it corrects: those payloads are kept in any case.
                h["data"]
                if with_data or etype == CORRECTION_TYPE or etype in ACTOR_TYPES
                else None,
                h["pd"],
                digest,
                fault,
                verdict,
            )
        )
    return out
