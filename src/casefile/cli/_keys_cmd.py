"""``casefile keys new``: an officer's (or a service's) key pair and its trust entry.

The private key goes to a key file (``--out``) or is made inside a PKCS#11 token
(``--pkcs11 URI``), which it never leaves.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import TextIO

from casefile._time import ns_to_human
from casefile.cli._errors import about, rfc3339_option
from casefile.cli._files import check_new_path, replace_file, write_new_file
from casefile.cli._root_keys_cmd import add_root_key_actions
from casefile.cli._secrets import (
    key_argument,
    key_file_bytes,
    passphrase_reader,
    pin_reader,
    token_module,
)
from casefile.cli._text import one_line
from casefile.errors import InputError
from casefile.signing import (
    RECORDER_ROLE,
    Holder,
    InMemorySigner,
    Pkcs11Signer,
    Pkcs11Uri,
    PublicKey,
    TrustEntry,
    TrustPolicy,
    TrustStore,
    dump_trust_store,
    load_trust_store,
)

__all__ = ["add_keys_parser"]


def add_keys_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``keys`` and its ``new`` subcommand."""
    keys = commands.add_parser(
        "keys", parents=parents, help="make signing keys and their trust entries"
    )
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    new = actions.add_parser(
        "new",
        parents=parents,
        help="a new key pair: an encrypted private key file (or a token key) and a trust entry",
        description="Generate an Ed25519 key pair, write the private key file (sealed under "
        "a passphrase), or make the key inside a PKCS#11 token (--pkcs11), and write the "
        "key's trust entry.",
    )
    new.add_argument("--name", required=True, help="note key name, e.g. force.police.uk/pc/1234")
    new.add_argument("--holder-name", required=True, help="who holds the key")
    new.add_argument("--rank", required=True, help="rank (may be empty for police staff)")
    new.add_argument("--number", required=True, help="collar or staff number")
    new.add_argument("--force", required=True, help="the holder's force or organisation")
    new.add_argument(
        "--role",
        action="append",
        dest="roles",
        metavar="ROLE",
        help=f"a role the key holds (repeatable; default: {RECORDER_ROLE})",
    )
    new.add_argument(
        "--valid-from",
        metavar="RFC3339",
        help="first valid instant (default: now)",
    )
    new.add_argument(
        "--valid-until",
        metavar="RFC3339",
        help="end of validity (default: none)",
    )
    where = new.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="KEYFILE", help="key file to write")
    where.add_argument(
        "--pkcs11",
        type=key_argument,
        metavar="URI",
        help="generate the key inside the PKCS#11 token this pkcs11: URI names, labelled "
        "with its object= (the private key never leaves the token)",
    )
    trust = new.add_mutually_exclusive_group()
    trust.add_argument(
        "--trust-entry",
        type=Path,
        metavar="FILE",
        help="write a new trust store holding just this key (default: print it)",
    )
    trust.add_argument(
        "--add-to-trust",
        type=Path,
        metavar="TRUSTFILE",
        help="add the key to this existing trust store file",
    )
    secret = new.add_mutually_exclusive_group()
    secret.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="read the passphrase from the first line of FILE (default: ask)",
    )
    secret.add_argument(
        "--no-passphrase",
        action="store_true",
        help="write the private key UNENCRYPTED (only for keys held in a secure store)",
    )
    new.set_defaults(handler=run_keys_new)
    add_root_key_actions(actions, parents)


def _check_roles(roles: frozenset[str], policy: TrustPolicy, err: TextIO) -> None:
    # A key none of whose roles the policy names can sign nothing: a typo, not a choice.
    # Other roles are allowed (FORMAT.md §7.1: a policy may name them later), but noted.
    known = policy.checkpoint_roles.union(*policy.record_roles.values())
    unused = sorted(roles - known)
    if roles <= set(unused):
        raise InputError(
            f"--role: with only {', '.join(repr(one_line(r)) for r in unused)} the key could "
            f"sign nothing under the trust store's policy, whose roles are: "
            f"{', '.join(sorted(known))}"
        )
    for role in unused:
        err.write(f"note: role {one_line(role)!r} grants nothing under this trust policy\n")


def _write_trust(args: argparse.Namespace, trust_text: bytes) -> None:
    if args.trust_entry is not None:
        write_new_file(args.trust_entry, trust_text)
    elif args.add_to_trust is not None:
        replace_file(args.add_to_trust, trust_text)


def run_keys_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Make the key, then write the key file and the trust entry, or nothing at all."""
    now = time.time_ns()
    valid_from = now if args.valid_from is None else rfc3339_option("--valid-from", args.valid_from)
    valid_until = (
        None if args.valid_until is None else rfc3339_option("--valid-until", args.valid_until)
    )
    key_path: Path | None = args.out
    if args.pkcs11 is not None and not isinstance(args.pkcs11, Pkcs11Uri):
        raise InputError("--pkcs11: give a pkcs11: URI naming the token and the new key")
    token_uri: Pkcs11Uri | None = args.pkcs11
    if token_uri is not None and (args.no_passphrase or args.passphrase_file is not None):
        raise InputError("--pkcs11: a token key is guarded by the token's PIN, not a passphrase")
    if key_path is not None:
        check_new_path(key_path)
    if args.trust_entry is not None:
        check_new_path(args.trust_entry)

    def trust_with(public_key: PublicKey) -> tuple[TrustEntry, TrustStore]:
        entry = TrustEntry(
            public_key=public_key,
            name=args.name,
            holder=Holder(args.holder_name, args.rank, args.number, args.force),
            roles=frozenset(args.roles or [RECORDER_ROLE]),
            valid_from=valid_from,
            valid_until=valid_until,
        )
        if args.add_to_trust is None:
            return entry, TrustStore([entry])
        with about(args.add_to_trust):
            existing = load_trust_store(args.add_to_trust)
            return entry, TrustStore(
                [*existing.entries, entry], existing.policy, existing.timestamping
            )

    file_signer = InMemorySigner.generate()
    # Every check of the entry runs before a key is made in a token.
    entry, store = trust_with(file_signer.public_key)
    _check_roles(entry.roles, store.policy, err)
    if key_path is not None:
        trust_text = dump_trust_store(store).encode("utf-8")
        passphrase = (
            None if args.no_passphrase else passphrase_reader(args.passphrase_file, confirm=True)()
        )
        write_new_file(key_path, key_file_bytes(file_signer, passphrase), mode=0o600)
        try:
            _write_trust(args, trust_text)
        except BaseException:
            # The key is useless without its trust entry: take it back.
            os.unlink(key_path)
            raise
    elif token_uri is not None:
        with about(token_uri):
            token_signer = Pkcs11Signer.generate(
                token_uri, pin=pin_reader(token_uri), module_path=token_module()
            )
        try:
            entry, store = trust_with(token_signer.public_key)
            trust_text = dump_trust_store(store).encode("utf-8")
            _write_trust(args, trust_text)
        except BaseException:
            # As for a key file: a key trusted nowhere must not stay behind in the token.
            with about(token_uri):
                token_signer.discard()
            raise
        token_signer.close()
    where = args.trust_entry or args.add_to_trust
    # Without a trust file the entry goes to stdout alone, so that it can be redirected.
    report = out if where is not None else err
    if token_uri is not None:
        report.write(f"token key {token_uri}\n")
    else:
        report.write(f"key file  {key_path}{' (UNENCRYPTED)' if args.no_passphrase else ''}\n")
    report.write(f"key id    {entry.key_id.hex()}\n")
    report.write(f"name      {entry.name} (roles: {', '.join(sorted(entry.roles))})\n")
    until = "" if valid_until is None else f" until {ns_to_human(valid_until)}"
    report.write(f"valid     from {ns_to_human(valid_from)}{until}\n")
    if where is not None:
        report.write(f"trust     {where} ({len(store)} key(s))\n")
    else:
        out.write(trust_text.decode("utf-8"))
    return 0
