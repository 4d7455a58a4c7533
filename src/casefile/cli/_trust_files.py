"""Reading the signed trust documents and the root keys that sign them, for the CLI."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from casefile._readfile import read_regular_file
from casefile._time import ns_to_human
from casefile.bundle import (
    ROOT_PAYLOAD_TYPE,
    TRUST_LIST_PAYLOAD_TYPE,
    Root,
    SignedTrustList,
    open_root,
    open_trust_list,
    read_trust_list,
)
from casefile.bundle._layout import MAX_ROOT_FILE_SIZE, MAX_TRUST_LIST_FILE_SIZE
from casefile.cli._errors import about
from casefile.cli._secrets import load_signer, passphrase_reader
from casefile.errors import InputError, TrustRootError, TrustStoreError
from casefile.signing import Pkcs11Uri, Signer, TrustStore, load_trust_store

__all__ = [
    "add_passphrase_option",
    "add_verifier_trust_options",
    "load_root",
    "load_root_signers",
    "load_signed_trust_list",
    "other_kind",
    "read_document",
    "signed_trust_files",
    "verifier_trust",
]


def read_document(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a signed trust document, refused past ``limit``."""
    try:
        data = read_regular_file(path, limit=limit, what=what, error=TrustStoreError)
    except OSError as exc:
        raise TrustStoreError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    if len(data) > limit:
        raise TrustStoreError(f"{path}: larger than {limit} bytes: not a {what}")
    return data


def other_kind(data: bytes, expected: str) -> str:
    """What a file refused as ``expected`` (a root, a signed trust list) seems to be, when it
    is another file of the library's: said after the refusal, so that the reader finds the
    right file instead of puzzling over canonical JSON or envelope fields."""
    if data.startswith(b"PK\x03\x04"):
        return " (this is a zip file: a bundle?)"
    if b'"casefile-trust-store"' in data:
        return " (this is a trust store, unsigned: 'casefile trust sign' makes a signed trust list)"
    for payload_type, kind in (
        (ROOT_PAYLOAD_TYPE, "trust root"),
        (TRUST_LIST_PAYLOAD_TYPE, "signed trust list"),
    ):
        if kind != expected and payload_type.encode() in data:
            return f" (this is a {kind}, not a {expected})"
    return ""


def load_root(path: Path) -> tuple[Root, bytes]:
    """A root document given on the command line: checked against its own keys.

    A root that does not check is unusable input (exit 2), not a failed verification.
    """
    data = read_document(path, MAX_ROOT_FILE_SIZE, "trust root")
    try:
        return open_root(data), data
    except TrustRootError as exc:
        hint = other_kind(data, "trust root")
        raise TrustStoreError(f"{path}: {exc.message}{hint}") from None


def load_signed_trust_list(path: Path, root: Root) -> tuple[SignedTrustList, bytes]:
    """A signed trust list signed under ``root`` (its expiry is not judged here)."""
    data = read_document(path, MAX_TRUST_LIST_FILE_SIZE, "signed trust list")
    try:
        listed, _ = open_trust_list(data, root, at=0)
    except TrustRootError as exc:
        hint = other_kind(data, "signed trust list")
        raise TrustStoreError(f"{path}: {exc.message}{hint}") from None
    return listed, data


def add_passphrase_option(parser: argparse.ArgumentParser) -> None:
    """``--passphrase-file``, shared by the commands that open root keys."""
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="the root key files' passphrase in the first line of FILE (default: ask)",
    )


def add_verifier_trust_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    """``--trust FILE | --root ROOT | --trust-bundle``: whose keys a command that verifies a
    bundle judges it by (read back with :func:`verifier_trust`)."""
    trust = parser.add_mutually_exclusive_group(required=required)
    trust.add_argument(
        "--trust",
        type=Path,
        metavar="FILE",
        help="your own trust store: the keys you accept (needed to verify who signed)",
    )
    trust.add_argument(
        "--root",
        type=Path,
        metavar="ROOT",
        help="a trust root you pinned: the bundle's signed trust list must follow from it "
        "(step B17)",
    )
    trust.add_argument(
        "--trust-bundle",
        action="store_true",
        help="integrity only: accept the keys the bundle vouches for itself, not keys you trust",
    )


def verifier_trust(args: argparse.Namespace) -> tuple[TrustStore | None, Root | None]:
    """What ``--trust FILE`` and ``--root ROOT`` name, for a command that verifies a bundle:
    the trust store, the pinned root, either or neither (the bundle's own keys)."""
    trust: TrustStore | None = None
    if args.trust is not None:
        with about(args.trust):
            trust = load_trust_store(args.trust)
    root: Root | None = None
    if args.root is not None:
        with about(args.root):
            root, _ = load_root(args.root)
    return trust, root


def load_root_signers(
    paths: Sequence[Path | Pkcs11Uri], passphrase_file: Path | None
) -> list[Signer]:
    """Open each root key file (one passphrase for all, asked once if needed)."""
    if not paths:
        raise InputError("give at least one --root-key KEYFILE to sign with")
    cached: list[bytes] = []
    ask = passphrase_reader(passphrase_file)

    def passphrase() -> bytes:
        if not cached:
            cached.append(ask())
        return cached[0]

    signers = []
    for path in paths:
        with about(path):
            signers.append(load_signer(path, passphrase))
    return signers


def signed_trust_files(
    trust_list: Path | None, root_files: Sequence[Path]
) -> tuple[bytes | None, dict[int, bytes]]:
    """The signed trust list and root documents an export carries, read and parsed.

    Each must be well formed (roots signed by their own keys); the chain
    itself is checked by the verifier that pins the first root (B17).
    """
    if root_files and trust_list is None:
        raise InputError("--root-file: give the signed trust list too (--trust-list)")
    roots: dict[int, bytes] = {}
    for path in root_files:
        with about(path):
            root, data = load_root(path)
        if root.version in roots:
            raise InputError(f"{path}: a second root of version {root.version}")
        roots[root.version] = data
    if trust_list is None:
        return None, roots
    with about(trust_list):
        data = read_document(trust_list, MAX_TRUST_LIST_FILE_SIZE, "signed trust list")
        try:
            listed, _ = read_trust_list(data)
        except TrustRootError as exc:
            hint = other_kind(data, "signed trust list")
            raise TrustStoreError(f"{trust_list}: {exc.message}{hint}") from None
    # Read unauthenticated, for a refusal only: a verifier refuses an expired list (B17),
    # and an export is a recorded handover that should not carry one.
    if listed.expires <= time.time_ns():
        raise InputError(
            f"{trust_list}: trust list version {listed.version} expired at "
            f"{ns_to_human(listed.expires)}; a verifier that pins the root would refuse the "
            "bundle (B17): sign the next version (casefile trust sign)"
        )
    return data, roots
