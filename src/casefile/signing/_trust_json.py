"""The JSON form of a trust store (docs/FORMAT.md §7): strict parsing and deterministic output.

:func:`parse_trust_store` treats its input as hostile: it caps the size, refuses
duplicate JSON keys, unknown fields, wrong types, non-canonical base64, invalid
or small-order public keys and inconsistent windows, and every error it raises
is a :class:`TrustStoreError` that names the place, e.g.
``keys[2].public_key: not valid base64``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from typing import Any, Final

from casefile._readfile import read_regular_file
from casefile._time import ns_to_rfc3339, rfc3339_to_ns
from casefile.errors import InvalidPublicKeyError, TimeFormatError, TrustStoreError
from casefile.signing._keys import PUBLIC_KEY_SIZE, PublicKey
from casefile.signing._timestamp import TimestampAuthorities
from casefile.signing._trust import (
    Holder,
    TrustEntry,
    TrustPolicy,
    TrustStore,
)
from casefile.signing._trust_names import check_note_name, check_role

__all__ = [
    "MAX_TRUST_STORE_SIZE",
    "TRUST_STORE_FORMAT",
    "TRUST_STORE_VERSION",
    "dump_trust_store",
    "load_trust_store",
    "parse_trust_store",
    "trust_store_from_json",
]

TRUST_STORE_FORMAT: Final = "casefile-trust-store"
TRUST_STORE_VERSION: Final = 1
#: Larger documents are refused before parsing (tens of thousands of keys fit).
MAX_TRUST_STORE_SIZE: Final = 8 * 1024 * 1024

_KEY_ID_HEX: Final = re.compile(r"[0-9a-f]{64}")


class _Object(dict[str, Any]):
    """A JSON object that remembers the first key it saw twice.

    ``json`` keeps the last of duplicate keys; two parsers disagreeing on which
    one counts is how a reviewed file can mean something else to the verifier.
    The duplicate is reported later, with the object's path.
    """

    duplicate: str | None = None


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    for key, value in pairs:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj


def _reject_constant(name: str) -> Any:
    raise TrustStoreError(f"$: {name} is not allowed in a trust store")


def _object(value: Any, path: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    # A plain dict comes from a parser that already refused duplicate keys
    # (the canonical JSON of a signed trust list, trust_store_from_json).
    if type(value) is not _Object and type(value) is not dict:
        raise TrustStoreError(f"{path}: expected a JSON object")
    if type(value) is _Object and value.duplicate is not None:
        raise TrustStoreError(f"{path}: duplicate key {value.duplicate!r}")
    for key in sorted(value):
        if key not in required and key not in optional:
            raise TrustStoreError(f"{path}: unknown field {key!r}")
    for key in sorted(required):
        if key not in value:
            raise TrustStoreError(f"{path}: missing field {key!r}")
    return value


def _string(value: Any, path: str) -> str:
    if type(value) is not str:
        raise TrustStoreError(f"{path}: expected a string")
    return value


def _time(value: Any, path: str) -> int:
    try:
        return rfc3339_to_ns(_string(value, path))
    except TimeFormatError as exc:
        raise TrustStoreError(f"{path}: {exc}") from None


def _optional_time(value: Any, path: str) -> int | None:
    return None if value is None else _time(value, path)


def _roles(value: Any, path: str) -> frozenset[str]:
    if type(value) is not list:
        raise TrustStoreError(f"{path}: expected an array of role names")
    if not value:
        raise TrustStoreError(f"{path}: must name at least one role")
    roles: set[str] = set()
    for index, role in enumerate(value):
        where = f"{path}[{index}]"
        try:
            check_role(role)
        except TrustStoreError as exc:
            raise TrustStoreError(f"{where}: {_problem(exc)}") from None
        if role in roles:
            raise TrustStoreError(f"{where}: duplicate role {role!r}")
        roles.add(role)
    return frozenset(roles)


def _problem(exc: TrustStoreError) -> str:
    # Value constructors name the field ("holder.name: ..."); the parser puts
    # the document path in front instead, so the field's own label is dropped.
    text = str(exc)
    head, sep, tail = text.partition(": ")
    return tail if sep and " " not in head else text


def _public_key(value: Any, path: str) -> PublicKey:
    text = _string(value, path)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise TrustStoreError(f"{path}: not valid base64") from None
    # Padding bits and '=' placement have several decodable spellings; only
    # the one canonical spelling is accepted, so the text names one key.
    if base64.b64encode(raw).decode("ascii") != text:
        raise TrustStoreError(f"{path}: not valid base64 (non-canonical encoding)")
    if len(raw) != PUBLIC_KEY_SIZE:
        raise TrustStoreError(f"{path}: expected {PUBLIC_KEY_SIZE} bytes, got {len(raw)}")
    try:
        return PublicKey(raw)
    except InvalidPublicKeyError as exc:
        raise TrustStoreError(f"{path}: {exc}") from None


def _holder(value: Any, path: str) -> Holder:
    obj = _object(value, path, {"name", "rank", "number", "force"}, set())
    for key in ("name", "rank", "number", "force"):
        _string(obj[key], f"{path}.{key}")
    try:
        return Holder(name=obj["name"], rank=obj["rank"], number=obj["number"], force=obj["force"])
    except TrustStoreError as exc:
        raise TrustStoreError(f"{path}.{str(exc).partition('.')[2]}") from None


_ENTRY_REQUIRED: Final = {"public_key", "name", "holder", "roles", "valid_from"}
_ENTRY_OPTIONAL: Final = {"key_id", "valid_until", "revoked_at"}


def _entry(value: Any, path: str) -> TrustEntry:
    obj = _object(value, path, _ENTRY_REQUIRED, _ENTRY_OPTIONAL)
    public_key = _public_key(obj["public_key"], f"{path}.public_key")
    if "key_id" in obj:
        key_id = _string(obj["key_id"], f"{path}.key_id")
        if _KEY_ID_HEX.fullmatch(key_id) is None:
            raise TrustStoreError(f"{path}.key_id: expected 64 lower-case hex digits")
        if key_id != public_key.key_id.hex():
            raise TrustStoreError(
                f"{path}.key_id: does not match the public key (its key id is "
                f"{public_key.key_id.hex()})"
            )
    name = _string(obj["name"], f"{path}.name")
    try:
        check_note_name(name)
    except TrustStoreError as exc:
        raise TrustStoreError(f"{path}.name: {_problem(exc)}") from None
    holder = _holder(obj["holder"], f"{path}.holder")
    roles = _roles(obj["roles"], f"{path}.roles")
    valid_from = _time(obj["valid_from"], f"{path}.valid_from")
    valid_until = _optional_time(obj.get("valid_until"), f"{path}.valid_until")
    revoked_at = _optional_time(obj.get("revoked_at"), f"{path}.revoked_at")
    if valid_until is not None and valid_until <= valid_from:
        raise TrustStoreError(f"{path}.valid_until: must be later than valid_from")
    return TrustEntry(
        public_key=public_key,
        name=name,
        holder=holder,
        roles=roles,
        valid_from=valid_from,
        valid_until=valid_until,
        revoked_at=revoked_at,
    )


def _witnesses(value: Any, path: str) -> tuple[frozenset[str], int]:
    obj = _object(value, path, {"threshold", "names"}, set())
    threshold = obj["threshold"]
    if type(threshold) is not int:
        raise TrustStoreError(f"{path}.threshold: expected an integer")
    names = obj["names"]
    if type(names) is not list or not names:
        raise TrustStoreError(f"{path}.names: expected a non-empty array of key names")
    seen: set[str] = set()
    for index, name in enumerate(names):
        where = f"{path}.names[{index}]"
        _string(name, where)
        try:
            check_note_name(name)
        except TrustStoreError as exc:
            raise TrustStoreError(f"{where}: {_problem(exc)}") from None
        if name in seen:
            raise TrustStoreError(f"{where}: {name!r} is named twice")
        seen.add(name)
    if not 1 <= threshold <= len(seen):
        raise TrustStoreError(
            f"{path}.threshold: {threshold} is not from 1 to the {len(seen)} witnesses named"
        )
    return frozenset(seen), threshold


def _policy(value: Any, path: str) -> TrustPolicy:
    obj = _object(value, path, {"record_roles", "checkpoint_roles"}, {"witnesses"})
    record_path = f"{path}.record_roles"
    mapping = obj["record_roles"]
    if type(mapping) is not _Object and type(mapping) is not dict:
        raise TrustStoreError(f"{record_path}: expected a JSON object")
    if type(mapping) is _Object and mapping.duplicate is not None:
        raise TrustStoreError(f"{record_path}: duplicate key {mapping.duplicate!r}")
    record_roles = {
        event_type: _roles(roles, f"{record_path}[{event_type!r}]")
        for event_type, roles in mapping.items()
    }
    checkpoint_roles = _roles(obj["checkpoint_roles"], f"{path}.checkpoint_roles")
    witnesses, threshold = (
        _witnesses(obj["witnesses"], f"{path}.witnesses")
        if "witnesses" in obj
        else (frozenset[str](), 0)
    )
    # TrustPolicy checks the record type names; its errors already say "policy.".
    return TrustPolicy(
        record_roles=record_roles,
        checkpoint_roles=checkpoint_roles,
        witnesses=witnesses,
        witness_threshold=threshold,
    )


def _timestamping(value: Any, path: str) -> TimestampAuthorities:
    obj = _object(value, path, {"anchors", "max_skew_seconds"}, {"required"})
    anchors = obj["anchors"]
    if type(anchors) is not list:
        raise TrustStoreError(f"{path}.anchors: expected an array of PEM certificates")
    pems = [_string(pem, f"{path}.anchors[{index}]") for index, pem in enumerate(anchors)]
    skew = obj["max_skew_seconds"]
    if type(skew) is not int:
        raise TrustStoreError(f"{path}.max_skew_seconds: expected an integer number of seconds")
    required = obj.get("required", False)
    if type(required) is not bool:
        raise TrustStoreError(f"{path}.required: expected true or false")
    # Range and certificate checks are the value's; its messages already say "timestamping.".
    return TimestampAuthorities.from_pem(pems, max_skew_seconds=skew, required=required)


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        # Characters never outnumber UTF-8 bytes, so this check comes first and
        # the encode below never sees more than the cap's worth of characters.
        if len(data) > MAX_TRUST_STORE_SIZE or len(data.encode("utf-8", "surrogatepass")) > (
            MAX_TRUST_STORE_SIZE
        ):
            raise TrustStoreError(f"$: larger than {MAX_TRUST_STORE_SIZE} bytes")
        return data
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TrustStoreError(f"$: expected bytes or str, not {type(data).__name__}")
    if len(data) > MAX_TRUST_STORE_SIZE:
        raise TrustStoreError(f"$: larger than {MAX_TRUST_STORE_SIZE} bytes")
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TrustStoreError(f"$: not valid UTF-8 (at byte {exc.start})") from None


def parse_trust_store(data: bytes | str) -> TrustStore:
    """Parse a trust store document (UTF-8 JSON, docs/FORMAT.md §7).

    Raises :class:`TrustStoreError` naming the place of the first fault.
    """
    text = _text(data)
    try:
        document = json.loads(text, object_pairs_hook=_pairs, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise TrustStoreError(
            f"$: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise TrustStoreError("$: not valid JSON (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer literal with thousands of digits
        raise TrustStoreError(f"$: not valid JSON ({exc})") from None
    return trust_store_from_json(document)


def trust_store_from_json(document: object, path: str = "") -> TrustStore:
    """The trust store of a JSON value already parsed by a parser that refuses duplicate keys.

    A signed trust list (§7.5) carries its trust store as a value of its
    canonical JSON; ``path`` (e.g. ``"trust."``) is put before each error's place.
    """
    try:
        return _store(document)
    except TrustStoreError as exc:
        if not path:
            raise
        text = str(exc)
        where = path.rstrip(".") + text[1:] if text.startswith("$") else path + text
        raise TrustStoreError(where) from None


def _store(document: object) -> TrustStore:
    root = _object(document, "$", {"format", "version", "keys"}, {"policy", "timestamping"})
    if root["format"] != TRUST_STORE_FORMAT:
        raise TrustStoreError(f"format: expected {TRUST_STORE_FORMAT!r}")
    if type(root["version"]) is not int or root["version"] != TRUST_STORE_VERSION:
        raise TrustStoreError(f"version: expected {TRUST_STORE_VERSION}")
    keys = root["keys"]
    if type(keys) is not list:
        raise TrustStoreError("keys: expected an array")
    entries = [_entry(value, f"keys[{index}]") for index, value in enumerate(keys)]
    policy = _policy(root["policy"], "policy") if "policy" in root else None
    timestamping = (
        _timestamping(root["timestamping"], "timestamping") if "timestamping" in root else None
    )
    if policy is None:
        return TrustStore(entries, timestamping=timestamping)
    return TrustStore(entries, policy, timestamping)


def dump_trust_store(store: TrustStore) -> str:
    """The JSON text of ``store``: keys sorted, entries in name order, ending in a newline.

    Equal stores give identical text, and :func:`parse_trust_store` reads it
    back to an equal store.
    """
    keys = [
        {
            "public_key": base64.b64encode(entry.public_key.raw).decode("ascii"),
            "key_id": entry.key_id.hex(),
            "name": entry.name,
            "holder": {
                "name": entry.holder.name,
                "rank": entry.holder.rank,
                "number": entry.holder.number,
                "force": entry.holder.force,
            },
            "roles": sorted(entry.roles),
            "valid_from": ns_to_rfc3339(entry.valid_from),
            "valid_until": None if entry.valid_until is None else ns_to_rfc3339(entry.valid_until),
            "revoked_at": None if entry.revoked_at is None else ns_to_rfc3339(entry.revoked_at),
        }
        for entry in store.entries
    ]
    policy: dict[str, Any] = {
        "record_roles": {
            event_type: sorted(roles) for event_type, roles in store.policy.record_roles.items()
        },
        "checkpoint_roles": sorted(store.policy.checkpoint_roles),
    }
    # Written only when set, so that a store without it reads as before (§7.1.3).
    if store.policy.witness_threshold:
        policy["witnesses"] = {
            "names": sorted(store.policy.witnesses, key=lambda name: name.encode()),
            "threshold": store.policy.witness_threshold,
        }
    document: dict[str, object] = {
        "format": TRUST_STORE_FORMAT,
        "version": TRUST_STORE_VERSION,
        "keys": keys,
        "policy": policy,
    }
    tsa = store.timestamping
    if tsa is not None:  # written only when set: a store without it is the same text as before
        document["timestamping"] = {
            "anchors": tsa.anchors_pem(),
            "max_skew_seconds": tsa.max_skew_seconds,
            "required": tsa.required,
        }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def load_trust_store(path: str | os.PathLike[str]) -> TrustStore:
    """Read and parse the trust store file at ``path`` (at most the size cap is read)."""
    try:
        data = read_regular_file(
            path, limit=MAX_TRUST_STORE_SIZE, what="trust store", error=TrustStoreError
        )
    except OSError as exc:
        raise TrustStoreError(f"{os.fspath(path)}: cannot read ({exc.strerror})") from None
    try:
        return parse_trust_store(data)
    except TrustStoreError as exc:
        raise TrustStoreError(f"{os.fspath(path)}: {exc}") from None
