"""``casefile trust root|sign|show``: the force's trust root and its signed trust list (§7.5)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TextIO

from casefile._time import ns_to_human
from casefile.bundle import (
    ROOT_PAYLOAD_TYPE,
    Root,
    RootKey,
    open_root,
    read_root,
    read_trust_list,
    sign_root,
    sign_trust_list,
)
from casefile.bundle._layout import MAX_TRUST_LIST_FILE_SIZE
from casefile.bundle._trust_root import root_envelope, signed_by
from casefile.cli._errors import about, rfc3339_option
from casefile.cli._files import check_new_path, write_new_file
from casefile.cli._secrets import key_argument
from casefile.cli._text import one_line
from casefile.cli._trust_files import (
    add_passphrase_option,
    load_root,
    load_root_signers,
    other_kind,
    read_document,
)
from casefile.errors import InputError, TrustRootError, TrustStoreError
from casefile.signing import Pkcs11Uri, Signer, TrustStore, load_trust_store

__all__ = [
    "add_root_key_options",
    "add_trust_parser",
    "future_expiry",
    "new_root",
    "root_keys",
    "show_root",
    "show_trust_list",
    "sign_list",
]


def add_trust_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``trust`` and its ``root``, ``sign`` and ``show`` actions."""
    trust = commands.add_parser(
        "trust", parents=parents, help="the force's signed trust root and trust list"
    )
    actions = trust.add_subparsers(dest="trust_command", metavar="ACTION", required=True)
    root = actions.add_parser(
        "root",
        parents=parents,
        help="make version 1 of a trust root, signed by its own keys",
        description="Write the first root document: the root keys, how many must sign "
        "(the threshold) and when it expires. Verifiers pin it with 'verify --root'.",
    )
    add_root_key_options(root, "key of the root")
    root.add_argument("--threshold", type=int, default=1, metavar="K", help="keys needed (1)")
    root.add_argument("--expires", required=True, metavar="RFC3339", help="expiry of the root")
    root.add_argument("--out", required=True, type=Path, metavar="FILE", help="root file to write")
    add_passphrase_option(root)
    root.set_defaults(handler=run_trust_root)

    sign = actions.add_parser(
        "sign",
        parents=parents,
        help="sign a trust store as a versioned, expiring trust list under a root",
        description="Wrap a trust store with a version and an expiry and sign it with "
        "enough keys of the root (its threshold).",
    )
    sign.add_argument("--root", required=True, type=Path, metavar="ROOT", help="the current root")
    sign.add_argument(
        "--root-key",
        action="append",
        required=True,
        type=key_argument,
        metavar="KEYFILE",
        help="a root key to sign with (repeatable, up to the threshold)",
    )
    sign.add_argument("--in", dest="source", required=True, type=Path, metavar="TRUSTFILE")
    sign.add_argument("--version", dest="list_version", required=True, type=int, metavar="N")
    sign.add_argument("--expires", required=True, metavar="RFC3339", help="expiry of the list")
    sign.add_argument("--out", required=True, type=Path, metavar="FILE", help="file to write")
    add_passphrase_option(sign)
    sign.set_defaults(handler=run_trust_sign)

    show = actions.add_parser(
        "show",
        parents=parents,
        help="summarise a root or a signed trust list",
        description="Show a root document or a signed trust list: version, expiry, keys, "
        "holders, roles, validity and who signed. Give --root to check a trust list's "
        "signatures; without it they are listed unchecked.",
    )
    show.add_argument("file", type=Path, metavar="FILE")
    show.add_argument("--root", type=Path, metavar="ROOT", help="the root that signed the list")
    show.set_defaults(handler=run_trust_show)


def add_root_key_options(parser: argparse.ArgumentParser, what: str) -> None:
    """``--key KEYFILE --name NAME`` pairs: the keys of a new root and their names."""
    parser.add_argument(
        "--key",
        dest="keys",
        action="append",
        type=key_argument,
        default=[],
        metavar="KEYFILE",
        help=f"a {what} (repeatable; it signs the new root)",
    )
    parser.add_argument(
        "--name",
        dest="names",
        action="append",
        default=[],
        metavar="NAME",
        help="the note key name of each --key, in the same order",
    )


def root_keys(args: argparse.Namespace) -> tuple[list[RootKey], list[Signer]]:
    """The ``--key``/``--name`` pairs as root keys, and the opened keys that sign with them."""
    paths: list[Path | Pkcs11Uri] = args.keys
    names: list[str] = args.names
    if len(paths) != len(names):
        raise InputError(f"give one --name for each --key ({len(paths)} keys, {len(names)} names)")
    signers = load_root_signers(paths, args.passphrase_file) if paths else []
    keys = []
    for signer, name in zip(signers, names, strict=True):
        try:
            keys.append(RootKey(signer.public_key, name))
        except TrustStoreError as exc:  # a name that is not a note key name
            raise InputError(f"--name {one_line(name)!r}: {exc}") from None
    return keys, signers


def future_expiry(text: str) -> int:
    """``--expires`` as integer ns, refused unless it lies ahead: a verifier refuses an
    expired root or trust list (B17), so signing one would hand out what cannot be used."""
    expires = rfc3339_option("--expires", text)
    if expires <= time.time_ns():
        raise InputError(
            f"--expires: {ns_to_human(expires)} has passed; a verifier refuses what has "
            "expired (B17), so nothing was signed"
        )
    return expires


def new_root(version: int, keys: list[RootKey], threshold: int, expires: int) -> Root:
    """A root of these values, or an InputError naming what is wrong."""
    try:
        return Root(version=version, expires=expires, keys=tuple(keys), threshold=threshold)
    except ValueError as exc:
        raise InputError(f"the new root: {exc}") from None


def run_trust_root(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write root version 1, signed by all its keys."""
    expires = future_expiry(args.expires)
    check_new_path(args.out)
    keys, signers = root_keys(args)
    root = new_root(1, keys, args.threshold, expires)
    data = sign_root(root, signers)
    open_root(data)  # what a verifier will pin must pass its check
    write_new_file(args.out, data)
    out.write(show_root(root, data))
    return 0


def run_trust_sign(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Sign ``--in`` as trust list ``--version`` under ``--root``."""
    expires = future_expiry(args.expires)
    if args.list_version < 1:
        raise InputError("--version must be at least 1")
    check_new_path(args.out)
    with about(args.root):
        root, _ = load_root(args.root)
    with about(args.source):
        store = load_trust_store(args.source)
    data = sign_list(root, store, args.list_version, expires, args.root_key, args.passphrase_file)
    write_new_file(args.out, data)
    out.write(show_trust_list(data, root))
    return 0


def sign_list(
    root: Root,
    store: TrustStore,
    version: int,
    expires: int,
    key_files: list[Path | Pkcs11Uri],
    passphrase_file: Path | None,
) -> bytes:
    """The signed trust list, refused unless the keys given meet the root's threshold."""
    signers = load_root_signers(key_files, passphrase_file)
    outside = [s for s in signers if root.key(s.public_key.key_id) is None]
    if outside:
        raise InputError(
            f"--root-key: {outside[0].public_key.key_id.hex()[:16]}… is not a key of root "
            f"version {root.version}"
        )
    if len({s.public_key.key_id for s in signers}) < root.threshold:
        raise InputError(
            f"root version {root.version} needs {root.threshold} of its keys to sign; "
            f"{len(signers)} given"
        )
    return sign_trust_list(
        store, version=version, expires=expires, root_version=root.version, signers=signers
    )


def run_trust_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print a summary of a root or a signed trust list."""
    root = None
    if args.root is not None:
        with about(args.root):
            root, _ = load_root(args.root)
    with about(args.file):
        data = read_document(args.file, MAX_TRUST_LIST_FILE_SIZE, "signed trust document")
        # Both are canonical JSON: the type's member is spelled exactly so or not at all.
        is_root = b'"payloadType":' + json.dumps(ROOT_PAYLOAD_TYPE).encode() in data
        try:
            if is_root:
                document, _ = read_root(data)
                out.write(show_root(document, data))
            else:
                out.write(show_trust_list(data, root))
        except TrustRootError as exc:
            raise InputError(exc.message + other_kind(data, "signed trust list")) from None
    return 0


def show_root(root: Root, data: bytes) -> str:
    """The human summary of a root document (already checked against its own keys)."""
    signed = {k.key_id for k in signed_by(root, root_envelope(data))}
    lines = [
        f"root version {root.version}",
        f"  expires      {ns_to_human(root.expires)}",
        f"  threshold    {root.threshold} of {len(root.keys)} key(s)",
    ]
    for key in root.keys:
        mark = "signed" if key.key_id in signed else "did not sign"
        lines.append(f"  key          {one_line(key.name)} {key.key_id.hex()[:16]}… ({mark})")
    others = len(root_envelope(data).signatures) - len(signed)
    if others:
        lines.append(f"  signatures   {others} more by keys not of this root (the previous root's)")
    return "\n".join(lines) + "\n"


def show_trust_list(data: bytes, root: Root | None) -> str:
    """The human summary of a signed trust list; signers checked against ``root`` if given."""
    listed, envelope = read_trust_list(data)
    lines = [
        f"trust list version {listed.version} (signed under root version {listed.root_version})",
        f"  expires      {ns_to_human(listed.expires)}",
    ]
    if root is None:
        ids = ", ".join(f"{key_id.hex()[:16]}…" for key_id, _ in envelope.signatures)
        lines.append(f"  signatures   {ids} (not checked: give --root)")
    else:
        names = [one_line(k.name) for k in signed_by(root, envelope)]
        verdict = "enough" if len(names) >= root.threshold else "NOT enough"
        lines.append(
            f"  signed by    {', '.join(names) or 'no key of the root'} "
            f"({verdict}: root version {root.version} needs {root.threshold})"
        )
    for entry in listed.store.entries:
        holder = entry.holder
        window = f"from {ns_to_human(entry.valid_from)}"
        if entry.valid_until is not None:
            window += f" until {ns_to_human(entry.valid_until)}"
        if entry.revoked_at is not None:
            window += f", REVOKED at {ns_to_human(entry.revoked_at)}"
        lines.append(f"  key          {one_line(entry.name)} {entry.key_id.hex()[:16]}…")
        lines.append(
            f"    holder     {one_line(' '.join(p for p in (holder.rank, holder.name) if p))}, "
            f"{one_line(holder.number)}, {one_line(holder.force)}"
        )
        lines.append(f"    roles      {', '.join(sorted(entry.roles))}")
        lines.append(f"    valid      {window}")
    return "\n".join(lines) + "\n"
