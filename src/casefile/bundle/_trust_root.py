"""A force's trust root: signed, versioned, expiring root documents (docs/FORMAT.md §7.5).

A root names the root keys and how many of them (the threshold) must sign.
Version 1 is pinned by the verifier; version N+1 is accepted only when signed
by a threshold of version N's keys AND a threshold of its own, exactly one
version higher (TUF's root rotation, as python-tuf's ``TrustedMetadataSet``
applies it). Expiry is judged on the final root only: an intermediate root
that has expired still hands on trust to its successor, as TUF does, because
the successor is what a verifier must reach.

Signatures are checked over the stored bytes (DSSE's PAE of the payload as
carried), before the payload is read as a root; nothing is re-serialised.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from casefile._time import ns_to_rfc3339, rfc3339_to_ns
from casefile.bundle import _json
from casefile.bundle._dsse import MultiEnvelope, parse_multi_envelope, seal_multi_envelope
from casefile.bundle._layout import MAX_ROOT_FILE_SIZE
from casefile.errors import (
    InvalidPublicKeyError,
    TimeFormatError,
    TrustRootError,
    TrustStoreError,
)
from casefile.signing._keys import PublicKey, Signer, verify_signature
from casefile.signing._trust_names import check_note_name

__all__ = [
    "MAX_ROOT_KEYS",
    "MAX_ROOT_SIZE",
    "ROOT_FORMAT",
    "ROOT_PAYLOAD_TYPE",
    "Root",
    "RootKey",
    "check_document_time",
    "document_fields",
    "open_root",
    "read_root",
    "root_envelope",
    "sign_root",
    "signed_by",
    "update_root",
]

ROOT_FORMAT: Final = "casefile-root"
ROOT_PAYLOAD_TYPE: Final = "application/vnd.casefile.root.v1+json"
#: A root document is small: a few keys and their names.
MAX_ROOT_SIZE: Final = 1024 * 1024
#: At most this many root keys, and so at most this many signatures on a document.
MAX_ROOT_KEYS: Final = 64
#: Versions are I-JSON integers; a chain this long is never followed in practice.
_MAX_VERSION: Final = 2**31 - 1


def _fail(problem: str) -> TrustRootError:
    return TrustRootError(problem)


@dataclass(frozen=True, slots=True)
class RootKey:
    """A root key and the note key name it is shown by."""

    public_key: PublicKey
    name: str

    def __post_init__(self) -> None:
        check_note_name(self.name)

    @property
    def key_id(self) -> bytes:
        return self.public_key.key_id


@dataclass(frozen=True, slots=True)
class Root:
    """A trust root of one version: its keys and how many of them must sign."""

    version: int
    expires: int
    keys: tuple[RootKey, ...]
    threshold: int

    def __post_init__(self) -> None:
        if type(self.version) is not int or not 1 <= self.version <= _MAX_VERSION:
            raise ValueError(f"version must be an integer from 1 to {_MAX_VERSION}")
        if not 1 <= len(self.keys) <= MAX_ROOT_KEYS:
            raise ValueError(f"a root holds 1 to {MAX_ROOT_KEYS} keys")
        ids = [k.key_id for k in self.keys]
        if len(set(ids)) != len(ids):
            raise ValueError("a root lists the same key twice")
        if len({k.name for k in self.keys}) != len(self.keys):
            raise ValueError("two root keys have the same name")
        if type(self.threshold) is not int or not 1 <= self.threshold <= len(self.keys):
            raise ValueError(f"threshold must be from 1 to the number of keys ({len(self.keys)})")
        # Key id order is the document's order (§7.5), so equal roots compare equal.
        object.__setattr__(self, "keys", tuple(sorted(self.keys, key=lambda k: k.key_id)))

    def key(self, key_id: bytes) -> RootKey | None:
        """The root key with this key id, or None."""
        for key in self.keys:
            if key.key_id == key_id:
                return key
        return None


def document_fields(
    payload: bytes, fmt: str, fields: set[str], max_size: int, what: str
) -> dict[str, Any]:
    """The canonical JSON object of a signed document's payload, with exactly ``fields``."""
    try:
        document = _json.loads(payload, max_size=max_size)
    except _json.CanonicalJSONError as exc:
        raise _fail(f"{what}: payload is not canonical JSON: {exc}") from None
    if type(document) is not dict or document.keys() != fields:
        raise _fail(f"{what}: expected exactly the fields {', '.join(sorted(fields))}")
    if document["format"] != fmt:
        raise _fail(f"{what}: format must be {fmt!r}")
    version = document["version"]
    if type(version) is not int or not 1 <= version <= _MAX_VERSION:
        raise _fail(f"{what}: version must be an integer from 1 to {_MAX_VERSION}")
    return document


def check_document_time(value: Any, where: str) -> int:
    """A time of §7.2 in a signed document, as ns."""
    if type(value) is not str:
        raise _fail(f"{where}: expected a time string")
    try:
        return rfc3339_to_ns(value)
    except TimeFormatError as exc:
        raise _fail(f"{where}: {exc}") from None


def _root_key(value: Any, where: str) -> RootKey:
    if type(value) is not dict or value.keys() != {"name", "public_key"}:
        raise _fail(f"{where}: expected exactly the fields name, public_key")
    text = value["public_key"]
    if type(text) is not str:
        raise _fail(f"{where}.public_key: expected a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(f"{where}.public_key: not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise _fail(f"{where}.public_key: not valid base64 (non-canonical encoding)")
    try:
        public_key = PublicKey(raw)
    except InvalidPublicKeyError as exc:
        raise _fail(f"{where}.public_key: {exc}") from None
    name = value["name"]
    if type(name) is not str:
        raise _fail(f"{where}.name: expected a string")
    try:
        return RootKey(public_key, name)
    except TrustStoreError as exc:  # check_note_name's, worded for a trust entry
        raise _fail(f"{where}.name: {exc}") from None


def _parse_root(payload: bytes) -> Root:
    doc = document_fields(
        payload,
        ROOT_FORMAT,
        {"format", "version", "expires", "keys", "threshold"},
        MAX_ROOT_SIZE,
        "root",
    )
    expires = check_document_time(doc["expires"], "root.expires")
    items = doc["keys"]
    if type(items) is not list or not 1 <= len(items) <= MAX_ROOT_KEYS:
        raise _fail(f"root.keys: expected an array of 1 to {MAX_ROOT_KEYS} keys")
    keys = tuple(_root_key(item, f"root.keys[{i}]") for i, item in enumerate(items))
    for index in range(1, len(keys)):
        # One order and one entry per key: the same key listed twice would count twice.
        if keys[index].key_id <= keys[index - 1].key_id:
            raise _fail(
                f"root.keys[{index}]: the same key as the one before it or out of key id order"
            )
    threshold = doc["threshold"]
    if type(threshold) is not int or not 1 <= threshold <= len(keys):
        raise _fail(f"root.threshold: expected an integer from 1 to {len(keys)} (the keys listed)")
    try:
        return Root(doc["version"], expires, keys, threshold)
    except ValueError as exc:
        raise _fail(f"root: {exc}") from None


def root_envelope(data: bytes, what: str = "root") -> MultiEnvelope:
    """The envelope of a root document, parsed but not checked."""
    return parse_multi_envelope(
        data,
        payload_type=ROOT_PAYLOAD_TYPE,
        max_size=MAX_ROOT_FILE_SIZE,
        max_signatures=MAX_ROOT_KEYS,
        fail=lambda problem: _fail(f"{what}: {problem}"),
    )


def signed_by(root: Root, envelope: MultiEnvelope) -> tuple[RootKey, ...]:
    """The keys of ``root`` whose signature on ``envelope`` verifies, each once."""
    message = envelope.signed_bytes()
    good = []
    for key_id, signature in envelope.signatures:  # unique key ids (parse_multi_envelope)
        key = root.key(key_id)
        if key is not None and verify_signature(key.public_key.raw, message, signature):
            good.append(key)
    return tuple(good)


def _threshold(root: Root, envelope: MultiEnvelope, what: str, by: str) -> None:
    count = len(signed_by(root, envelope))
    if count < root.threshold:
        raise _fail(
            f"{what}: signed by {count} of the keys of {by} (root version {root.version}), "
            f"which needs {root.threshold}"
        )


def read_root(data: bytes) -> tuple[Root, MultiEnvelope]:
    """A root document parsed and checked against its own keys (a pinned or shown root).

    A pinned root is trusted as given, but it must still be signed by a
    threshold of its own keys, so that a damaged or hand-edited file is refused.
    """
    envelope = root_envelope(data)
    root = _parse_root(envelope.payload)
    _threshold(root, envelope, f"root version {root.version}", "itself")
    return root, envelope


def open_root(data: bytes) -> Root:
    """The root of a pinned root document (see :func:`read_root`)."""
    return read_root(data)[0]


def update_root(trusted: Root, data: bytes, what: str = "root") -> Root:
    """The root that ``data`` holds, accepted as the successor of ``trusted``.

    Raises :class:`TrustRootError` unless it is signed by a threshold of
    ``trusted``'s keys (checked first, over the stored bytes), is version
    ``trusted.version + 1``, and is signed by a threshold of its own keys.
    """
    envelope = root_envelope(data, what)
    _threshold(trusted, envelope, what, "the root before it")
    new = _parse_root(envelope.payload)
    if new.version != trusted.version + 1:
        raise _fail(
            f"{what}: version {new.version} where version {trusted.version + 1} must follow "
            f"version {trusted.version} (versions go up by exactly one)"
        )
    _threshold(new, envelope, what, "itself")
    return new


def sign_root(root: Root, signers: Sequence[Signer]) -> bytes:
    """The signed root document: ``root``'s canonical payload signed by each of ``signers``.

    For a successor, ``signers`` must include a threshold of the previous
    root's keys as well as of this one's; :func:`update_root` checks that.
    """
    payload = _json.dumps(
        {
            "format": ROOT_FORMAT,
            "version": root.version,
            "expires": ns_to_rfc3339(root.expires),
            "keys": [
                {
                    "name": key.name,
                    "public_key": base64.b64encode(key.public_key.raw).decode("ascii"),
                }
                for key in root.keys
            ],
            "threshold": root.threshold,
        }
    )
    return seal_multi_envelope(payload, ROOT_PAYLOAD_TYPE, signers)
