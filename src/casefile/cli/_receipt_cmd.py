"""``casefile receipt`` (the recipient cosigns what it received) and ``receipt-record``.

``receipt`` is run by the recipient: it verifies the bundle first (as
``verify`` does), then cosigns the bundle's checkpoint with the recipient's own
key (c2sp.org/tlog-cosignature) and prints the cosignature line; with ``--out``
it also writes the *receipted checkpoint*, the checkpoint note with that line
appended, which the recipient keeps (``verify --previous`` reads it) and returns
to the sender. ``receipt-record`` is run by the sender: it records that
receipted checkpoint in the case as a ``receipt.recorded`` record.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TextIO

from casefile._readfile import read_regular_file
from casefile.bundle import open_bundle, verify_bundle
from casefile.bundle._layout import CHECKPOINT
from casefile.cli._errors import about, rfc3339_option
from casefile.cli._files import check_new_path, write_new_file
from casefile.cli._secrets import key_argument, load_signer, passphrase_reader
from casefile.cli._store import add_store_arguments, find_case, open_app, store_config, store_errors
from casefile.cli._text import one_line
from casefile.cli._trust_files import add_verifier_trust_options, verifier_trust
from casefile.errors import InputError, InvalidCommandError, NoteError
from casefile.signing import (
    MAX_NOTE_SIZE,
    RECIPIENT_ROLE,
    WITNESS_ROLE,
    append_cosignatures,
    cosign_checkpoint,
    load_trust_store,
    split_note,
)

__all__ = ["add_receipt_parsers"]

_SECOND = 1_000_000_000


def add_receipt_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``receipt`` and ``receipt-record``."""
    receipt = commands.add_parser(
        "receipt",
        parents=parents,
        help="as the recipient, verify a bundle and cosign its checkpoint (a receipt)",
        description="Verify the bundle, then print the recipient's cosignature of its "
        "checkpoint (c2sp.org/tlog-cosignature). Nothing is signed if it does not verify. "
        "Exit status: 0 cosigned, 1 the bundle did not verify, 2 unusable input.",
    )
    receipt.add_argument("path", type=Path, metavar="BUNDLE", help="bundle directory or .zip")
    receipt.add_argument(
        "--key",
        required=True,
        type=key_argument,
        metavar="KEY",
        help="the recipient's own key: a key file, or a pkcs11: URI naming a key in a token",
    )
    receipt.add_argument(
        "--name",
        metavar="NAME",
        help="the key's name as the sender's trust store lists it (default: looked up there)",
    )
    add_verifier_trust_options(receipt, required=True)
    receipt.add_argument(
        "--time", metavar="RFC3339", help="the cosignature's time (default: now), in seconds"
    )
    receipt.add_argument(
        "--at", metavar="RFC3339", help="time of verification (default: --time, or now)"
    )
    receipt.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="also write the receipted checkpoint (the checkpoint and the cosignature) to "
        "the new file FILE",
    )
    receipt.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="the key file's passphrase in the first line of FILE (default: ask)",
    )
    receipt.set_defaults(handler=run_receipt)

    record = commands.add_parser(
        "receipt-record",
        parents=parents,
        help="record in the case a receipt the recipient returned (receipt.recorded)",
        description="Record the recipient's cosignature from the receipted checkpoint they "
        "returned, keyed by you on their behalf; the cosignature is their confirmation.",
    )
    add_store_arguments(record)
    record.add_argument("--case", required=True, help="the case id (UUID) or its reference (URN)")
    record.add_argument(
        "--receipted",
        required=True,
        type=Path,
        metavar="FILE",
        help="the receipted checkpoint (written by 'casefile receipt --out')",
    )
    record.add_argument(
        "--cosigner",
        metavar="NAME",
        help="whose cosignature to record, by trust store name (default: the only one)",
    )
    record.add_argument(
        "--trust", required=True, type=Path, metavar="TRUSTFILE", help="the force's trust store"
    )
    record.add_argument(
        "--key",
        required=True,
        type=key_argument,
        metavar="KEY",
        help="the recording officer's key: a key file, or a pkcs11: URI naming a key in a token",
    )
    record.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="the key file's passphrase in the first line of FILE (default: ask)",
    )
    record.set_defaults(handler=run_receipt_record)


def run_receipt(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Verify the bundle; if it verifies, cosign its checkpoint and print the line."""
    now = time.time_ns()
    signed_at = now if args.time is None else rfc3339_option("--time", args.time)
    at = signed_at if args.at is None else rfc3339_option("--at", args.at)
    if args.out is not None:
        check_new_path(args.out)
    trust, root = verifier_trust(args)
    with about(args.key):
        signer = load_signer(args.key, passphrase_reader(args.passphrase_file))
    with about(args.path), open_bundle(args.path) as bundle:
        result = verify_bundle(bundle, at=at, trust=trust, report=True, root=root)
        if not result.verified:
            first = result.errors[0] if result.errors else None
            shown = "" if first is None else f" (step {first.step}: {one_line(first.message)})"
            err.write(
                f"casefile: {one_line(str(args.path))} does not verify{shown}; nothing was "
                "cosigned (run 'casefile verify' for the full report)\n"
            )
            return 1
        note = bundle.read_small(CHECKPOINT).decode("utf-8")
        # The keys it verified by: yours, those of the list your pinned root signed, or its own.
        pinned = None if result.trust_root is None else result.trust_root.store
        keys = trust if trust is not None else pinned if pinned is not None else bundle.trust()
    entry = keys.get(signer.public_key.key_id)
    # A trust store that lists the key without either role says its cosignature would not
    # count (B15), and the sender could not record it: sign nothing the recipient cannot use.
    if entry is not None and not entry.roles & {RECIPIENT_ROLE, WITNESS_ROLE}:
        raise InputError(
            f"--key: the trust store lists this key as {one_line(entry.name)}, without the "
            f"role {RECIPIENT_ROLE} or {WITNESS_ROLE}: a receipt by it would not count; "
            "nothing was cosigned"
        )
    # Nor does one by a key that may sign the case's checkpoints: the sender's own (B15).
    if entry is not None and entry.has_role(keys.policy.checkpoint_roles):
        raise InputError(
            f"--key: the trust store lets {one_line(entry.name)} sign the case's checkpoints: a "
            "receipt by the sender's own key would not count; nothing was cosigned"
        )
    name = args.name
    if name is None:
        if entry is None:
            raise InputError(
                "--name: your key is not in the trust store; give the name the sender's "
                "trust store lists it under"
            )
        name = entry.name
    text, _ = split_note(note)
    try:
        cosignature = cosign_checkpoint(text, name, signer, signed_at // _SECOND)
    except NoteError as exc:
        raise InputError(f"--name: {exc}") from None
    if trust is None and root is None:
        err.write(
            "casefile: cosigned after an integrity-only check (--trust-bundle): the bundle is "
            "intact, but was not shown to come from keys you trust\n"
        )
    if args.out is not None:
        with about(args.out):
            write_new_file(args.out, append_cosignatures(note, (cosignature,)).encode("utf-8"))
    out.write(cosignature.line + "\n")
    return 0


def run_receipt_record(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Record a receipted checkpoint in the case; print the record's sequence number."""
    with about(args.trust):
        trust = load_trust_store(args.trust)
    with about(args.receipted):
        data = read_regular_file(args.receipted, limit=MAX_NOTE_SIZE, what="receipted checkpoint")
        try:
            receipted = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})") from None
    with about(args.key):
        signer = load_signer(args.key, passphrase_reader(args.passphrase_file))
    config = store_config(args)
    with store_errors(config), open_app(config, trust) as app:
        case_id = find_case(app, args.case, config)
        try:
            seq = app.record_receipt(case_id, signer, receipted=receipted, cosigner=args.cosigner)
        except InvalidCommandError as exc:
            # The rules name the argument; the reader gave a file, and wants it named.
            if exc.field not in {"receipted", "checkpoint", "cosignature"}:
                raise
            raise InputError(f"{args.receipted}: {exc.problem}") from None
    out.write(f"receipt recorded as record {seq} of case {case_id}\n")
    return 0
