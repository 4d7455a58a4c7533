"""The signed trust list and step B17, Trust root (docs/FORMAT.md §7.5, §9.6).

A signed trust list is a trust store (§7) wrapped with its own version, an
expiry and the version of the root whose keys signed it, signed by a
threshold of that root's keys. B17 follows the root chain from the pinned
root to the newest one the bundle carries, then accepts the trust list only
if the final root signed it, it names that root's version, it is no older
than a version seen before, and neither it nor the final root has expired
at the verification time.

Naming the signing root's version means that rotating the root retires every
trust list signed before: a list signed by a key that a later root removed
(a revoked root key) is refused by signature, and an older list replayed
under an unchanged key set is refused by version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from casefile._time import ns_to_rfc3339
from casefile.bundle import _json
from casefile.bundle._dsse import MultiEnvelope, parse_multi_envelope, seal_multi_envelope
from casefile.bundle._layout import MAX_TRUST_LIST_FILE_SIZE, TRUST_LIST
from casefile.bundle._trust_root import (
    MAX_ROOT_KEYS,
    Root,
    RootKey,
    check_document_time,
    document_fields,
    signed_by,
    update_root,
)
from casefile.errors import TrustRootError, TrustStoreError
from casefile.signing._keys import Signer
from casefile.signing._trust import TrustStore
from casefile.signing._trust_json import (
    MAX_TRUST_STORE_SIZE,
    dump_trust_store,
    trust_store_from_json,
)

__all__ = [
    "MAX_TRUST_LIST_SIZE",
    "TRUST_LIST_FORMAT",
    "TRUST_LIST_PAYLOAD_TYPE",
    "SignedTrustList",
    "TrustResolution",
    "open_trust_list",
    "read_trust_list",
    "resolve_trust",
    "seen_trust_list_version",
    "sign_trust_list",
]

TRUST_LIST_FORMAT: Final = "casefile-trust-list"
TRUST_LIST_PAYLOAD_TYPE: Final = "application/vnd.casefile.trust-list.v1+json"
#: The trust store's own cap plus room for the wrapper; the envelope's base64 adds a third.
MAX_TRUST_LIST_SIZE: Final = MAX_TRUST_STORE_SIZE + 64 * 1024


@dataclass(frozen=True, slots=True)
class SignedTrustList:
    """A trust list as signed: its version, expiry, signing root version and trust store."""

    version: int
    expires: int
    root_version: int
    store: TrustStore


@dataclass(frozen=True, slots=True)
class TrustResolution:
    """What B17 established: the final root, the trust list and who signed it."""

    root: Root
    trust_list: SignedTrustList
    signers: tuple[RootKey, ...]


def _fail(problem: str) -> TrustRootError:
    return TrustRootError(problem)


def _envelope(data: bytes) -> MultiEnvelope:
    return parse_multi_envelope(
        data,
        payload_type=TRUST_LIST_PAYLOAD_TYPE,
        max_size=MAX_TRUST_LIST_FILE_SIZE,
        max_signatures=MAX_ROOT_KEYS,
        fail=lambda problem: _fail(f"trust list: {problem}"),
    )


def _parse(payload: bytes) -> SignedTrustList:
    doc = document_fields(
        payload,
        TRUST_LIST_FORMAT,
        {"format", "version", "expires", "root_version", "trust"},
        MAX_TRUST_LIST_SIZE,
        "trust list",
    )
    expires = check_document_time(doc["expires"], "trust list.expires")
    root_version = doc["root_version"]
    if type(root_version) is not int or root_version < 1:
        raise _fail("trust list.root_version: expected a positive integer")
    try:
        store = trust_store_from_json(doc["trust"], "trust list.trust.")
    except TrustStoreError as exc:
        raise _fail(str(exc)) from None
    return SignedTrustList(doc["version"], expires, root_version, store)


def read_trust_list(data: bytes) -> tuple[SignedTrustList, MultiEnvelope]:
    """The trust list and envelope of ``data``, NOT authenticated (for display only)."""
    envelope = _envelope(data)
    return _parse(envelope.payload), envelope


def open_trust_list(
    data: bytes, root: Root, *, at: int, min_version: int = 1
) -> tuple[SignedTrustList, tuple[RootKey, ...]]:
    """The trust list of ``data`` if ``root`` signed it and it is current at ``at``.

    Signatures are counted (each key once) over the stored bytes before the
    payload is read. Raises :class:`TrustRootError` otherwise.
    """
    envelope = _envelope(data)
    signers = signed_by(root, envelope)
    if len(signers) < root.threshold:
        raise _fail(
            f"trust list: signed by {len(signers)} of the keys of root version "
            f"{root.version}, which needs {root.threshold}"
        )
    listed = _parse(envelope.payload)
    if listed.root_version != root.version:
        raise _fail(
            f"trust list: signed under root version {listed.root_version}, but the root is "
            f"now version {root.version}: a trust list from before a root rotation is retired"
        )
    if listed.version < min_version:
        raise _fail(
            f"trust list: version {listed.version} is older than version {min_version}, "
            "already seen (a rollback)"
        )
    if listed.expires <= at:
        raise _fail(
            f"trust list: version {listed.version} expired at {ns_to_rfc3339(listed.expires)}"
        )
    return listed, signers


def sign_trust_list(
    store: TrustStore,
    *,
    version: int,
    expires: int,
    root_version: int,
    signers: Sequence[Signer],
) -> bytes:
    """The signed trust list of ``store``: its canonical payload signed by each of ``signers``."""
    payload = _json.dumps(
        {
            "format": TRUST_LIST_FORMAT,
            "version": version,
            "expires": ns_to_rfc3339(expires),
            "root_version": root_version,
            "trust": json.loads(dump_trust_store(store)),
        }
    )
    # Refuse to sign what a verifier would refuse to read.
    _parse(payload)
    return seal_multi_envelope(payload, TRUST_LIST_PAYLOAD_TYPE, signers)


def _follow(pinned: Root, roots: Mapping[int, bytes]) -> Root:
    """B17 steps 1 and 2: the final root reached from ``pinned`` through ``roots``."""
    root = pinned  # B17.1: the pinned root, already checked against its own keys
    newer = sorted(v for v in roots if v > pinned.version)
    for expected, version in enumerate(newer, start=pinned.version + 1):
        if version != expected:
            raise _fail(
                f"root version {expected} is missing: the chain goes from version "
                f"{expected - 1} to {version} (a root cannot skip a version)"
            )
        root = update_root(root, roots[version], f"root version {version}")  # B17.2
    return root


def seen_trust_list_version(pinned: Root, roots: Mapping[int, bytes], trust_list: bytes) -> int:
    """The version of a trust list a verifier accepted before (an earlier bundle's), as
    authenticated from ``pinned``: B17 steps 1, 2 and 4 but for its expiry, which has no
    bearing on its having been seen. A later bundle's list must be at least as new (§7.5.4
    ``m``). Raises :class:`TrustRootError` if the chain or the list does not authenticate.
    """
    root = _follow(pinned, roots)
    envelope = _envelope(trust_list)
    if len(signed_by(root, envelope)) < root.threshold:
        raise _fail(f"trust list: not signed by a threshold of root version {root.version}")
    listed = _parse(envelope.payload)
    if listed.root_version != root.version:
        raise _fail(
            f"trust list: signed under root version {listed.root_version}, not {root.version}"
        )
    return listed.version


def resolve_trust(
    pinned: Root,
    roots: Mapping[int, bytes],
    trust_list: bytes | None,
    *,
    at: int,
    min_trust_version: int = 1,
) -> TrustResolution:
    """B17: follow ``roots`` (version -> document) from ``pinned``, then open ``trust_list``.

    Root documents of versions up to the pinned one are not read (the pinned
    root already stands for them). Those above it must run without a gap; a
    trust list signed under a root older than the pinned one is refused.
    """
    root = _follow(pinned, roots)  # B17.1, B17.2
    if root.expires <= at:  # B17.3: expiry of the final root only, as TUF
        raise _fail(f"root version {root.version} expired at {ns_to_rfc3339(root.expires)}")
    if trust_list is None:
        raise _fail(f"the bundle carries no signed trust list ({TRUST_LIST})")
    listed, signers = open_trust_list(  # B17.4
        trust_list, root, at=at, min_version=min_trust_version
    )
    return TrustResolution(root, listed, signers)
