"""``casefile keys revoke`` and ``keys rotate``: a new trust list version, a new root version.

Revoking re-issues the signed trust list with the key's ``revoked_at`` set,
one version higher. Rotating is TUF's root rotation: root version N+1, with
its own keys and threshold, signed by a threshold of version N's keys and a
threshold of its own; a trust list must then be signed again under it.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path
from typing import TextIO

from casefile.bundle import sign_root, update_root
from casefile.cli._errors import about, rfc3339_option
from casefile.cli._files import check_new_path, write_new_file
from casefile.cli._secrets import key_argument
from casefile.cli._text import one_line
from casefile.cli._trust_cmd import (
    add_root_key_options,
    future_expiry,
    new_root,
    root_keys,
    show_root,
    show_trust_list,
    sign_list,
)
from casefile.cli._trust_files import (
    add_passphrase_option,
    load_root,
    load_root_signers,
    load_signed_trust_list,
)
from casefile.errors import InputError, TrustRootError
from casefile.signing import TrustEntry, TrustStore

__all__ = ["add_root_key_actions"]

_KEY_ID: re.Pattern[str] = re.compile(r"[0-9a-f]{64}")


def add_root_key_actions(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``keys revoke`` and ``keys rotate``."""
    revoke = actions.add_parser(
        "revoke",
        parents=parents,
        help="revoke a key: the next version of the signed trust list",
        description="Write the next version of a signed trust list in which KEY is revoked "
        "from TIME (signatures from then on no longer count), signed by the root's keys.",
    )
    revoke.add_argument("key", metavar="KEY", help="the key id (64 hex digits) or key name")
    revoke.add_argument("--at", required=True, metavar="RFC3339", help="revoked from this time")
    revoke.add_argument("--trust-list", required=True, type=Path, metavar="FILE")
    revoke.add_argument("--root", required=True, type=Path, metavar="ROOT", help="current root")
    revoke.add_argument(
        "--root-key", action="append", required=True, type=key_argument, metavar="KEYFILE"
    )
    revoke.add_argument("--expires", required=True, metavar="RFC3339", help="expiry of the list")
    revoke.add_argument("--out", required=True, type=Path, metavar="FILE", help="file to write")
    add_passphrase_option(revoke)
    revoke.set_defaults(handler=run_keys_revoke)

    rotate = actions.add_parser(
        "rotate",
        parents=parents,
        help="rotate the root keys: the next root version, signed by old and new keys",
        description="Write root version N+1 holding the --key keys and the --keep keys of "
        "version N, signed by --root-key keys of version N (its threshold) and by the new "
        "keys (the new threshold). Sign the trust list again under it.",
    )
    rotate.add_argument("--root", required=True, type=Path, metavar="ROOT", help="current root")
    rotate.add_argument(
        "--root-key",
        action="append",
        default=[],
        type=key_argument,
        metavar="KEYFILE",
        help="a key of the current root that signs (repeatable)",
    )
    add_root_key_options(rotate, "new key of the root")
    rotate.add_argument(
        "--keep", action="append", default=[], metavar="NAME", help="a current root key to keep"
    )
    rotate.add_argument("--threshold", type=int, metavar="K", help="default: the current one")
    rotate.add_argument("--expires", required=True, metavar="RFC3339", help="expiry of the root")
    rotate.add_argument("--out", required=True, type=Path, metavar="FILE", help="file to write")
    add_passphrase_option(rotate)
    rotate.set_defaults(handler=run_keys_rotate)


def _target(store: TrustStore, key: str) -> TrustEntry:
    entry = store.get(bytes.fromhex(key)) if _KEY_ID.fullmatch(key) else store.by_name(key)
    if entry is None:
        raise InputError(f"KEY: the trust list holds no key {one_line(key)!r} (key id or name)")
    return entry


def run_keys_revoke(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Re-sign the trust list, one version up, with the key revoked."""
    revoked_at = rfc3339_option("--at", args.at)
    expires = future_expiry(args.expires)
    check_new_path(args.out)
    with about(args.root):
        root, _ = load_root(args.root)
    with about(args.trust_list):
        current, _ = load_signed_trust_list(args.trust_list, root)
    entry = _target(current.store, args.key)
    if entry.revoked_at is not None and entry.revoked_at <= revoked_at:
        raise InputError(f"{one_line(entry.name)}: already revoked from an earlier time")
    store = TrustStore(
        [dataclasses.replace(e, revoked_at=revoked_at) if e is entry else e for e in current.store],
        current.store.policy,
    )
    data = sign_list(root, store, current.version + 1, expires, args.root_key, args.passphrase_file)
    write_new_file(args.out, data)
    out.write(show_trust_list(data, root))
    return 0


def run_keys_rotate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write the next root version, checked as a verifier will check it."""
    expires = future_expiry(args.expires)
    check_new_path(args.out)
    with about(args.root):
        current, _ = load_root(args.root)
    kept = []
    for name in args.keep:
        match = [k for k in current.keys if k.name == name]
        if not match:
            raise InputError(f"--keep: root version {current.version} has no key {name!r}")
        kept.append(match[0])
    added, new_signers = root_keys(args)
    threshold = current.threshold if args.threshold is None else args.threshold
    root = new_root(current.version + 1, kept + added, threshold, expires)
    signers = load_root_signers(args.root_key, args.passphrase_file) if args.root_key else []
    signers += new_signers
    if not signers:
        raise InputError("give the --root-key keys of the current root that sign")
    data = sign_root(root, signers)
    try:
        update_root(current, data)  # refuse to write what a verifier would refuse
    except TrustRootError as exc:
        raise InputError(
            f"{exc.message} (sign with --root-key keys of version {current.version} "
            f"and --key keys of the new root)"
        ) from None
    write_new_file(args.out, data)
    out.write(show_root(root, data))
    return 0
