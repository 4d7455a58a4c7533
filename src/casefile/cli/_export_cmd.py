"""``casefile export``: one case to a bundle, verified before it is published."""

from __future__ import annotations

import argparse
import hashlib
import os
import stat
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from casefile._time import ns_to_rfc3339
from casefile.bundle import (
    AUDIENCES,
    DISCLOSE_ALL,
    DISCLOSE_NONE,
    RESTRICTED_FIELDS,
    DisclosurePolicy,
)
from casefile.cli._errors import about
from casefile.cli._files import check_new_path
from casefile.cli._register import default_store, is_store, open_existing_store
from casefile.cli._secrets import key_argument, load_signer, passphrase_reader
from casefile.cli._store import (
    add_store_arguments,
    named_case,
    open_app,
    store_config,
    store_errors,
)
from casefile.cli._text import one_line
from casefile.cli._trust_files import signed_trust_files
from casefile.errors import InputError, NoteError
from casefile.projections import exhibit_list
from casefile.signing import TrustedTime, TrustStore, case_origin, load_trust_store

if TYPE_CHECKING:
    from casefile.application import EvidenceFinder, TimestampAuthority
    from casefile.evidence import BlobStore

__all__ = [
    "add_export_parser",
    "check_checkpoint_key",
    "evidence_in",
    "namespace_of",
    "origin_namespace",
]

_CHUNK = 1 << 20
_MAX_EVIDENCE_DIR_FILES = 100_000
_MAX_MISSING_SHOWN = 20
#: Longer than any TSA should take; a typo of minutes for seconds is refused.
_MAX_TSA_TIMEOUT = 300.0


def add_export_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``export``."""
    export = commands.add_parser(
        "export",
        parents=parents,
        help="write one case as a signed handover bundle (directory or zip)",
        description="Checkpoint one case with the checkpoint key, write it as a bundle, and "
        "verify the bundle before it takes its name. Refuses to overwrite anything.",
    )
    add_store_arguments(export)
    export.add_argument("--case", required=True, help="the case id (UUID) or its reference (URN)")
    export.add_argument("--out", required=True, type=Path, metavar="DEST", help="where to write")
    export.add_argument("--zip", action="store_true", help="write DEST as a zip file")
    export.add_argument(
        "--trust", required=True, type=Path, metavar="TRUSTFILE", help="the force's trust store"
    )
    export.add_argument(
        "--trust-list",
        type=Path,
        metavar="FILE",
        help="the force's signed trust list, carried for verifiers that pin its root",
    )
    export.add_argument(
        "--root-file",
        action="append",
        default=[],
        type=Path,
        metavar="ROOT",
        help="a root document the verifier must follow to the trust list's root (repeatable)",
    )
    export.add_argument(
        "--checkpoint-key",
        required=True,
        type=key_argument,
        metavar="KEY",
        help="key file, or pkcs11: URI of a token key, of a key holding a checkpoint role "
        "(signs checkpoint and manifest)",
    )
    export.add_argument(
        "--checkpoint-name",
        required=True,
        metavar="NAME",
        help="that key's name in the trust store",
    )
    export.add_argument(
        "--origin-namespace",
        metavar="NS",
        help="checkpoint origin prefix (default: the checkpoint name up to its first '/')",
    )
    export.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="the key file's passphrase in the first line of FILE (default: ask)",
    )
    export.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="the evidence store whose files of the case's exhibits go into the bundle "
        "(default: evidence/ beside the SQLite file, if there is one)",
    )
    export.add_argument(
        "--evidence-dir",
        type=Path,
        metavar="DIR",
        help="also include the files of DIR whose SHA-256 is an exhibit of the case",
    )
    export.add_argument(
        "--evidence-by-reference",
        action="store_true",
        help="carry no evidence files, only their SHA-256 (in the records and the exhibit view)",
    )
    export.add_argument(
        "--audience",
        choices=AUDIENCES,
        help="make the bundle for this audience: apply its redaction decisions and every "
        "erasure, and disclose all the rest (unless told otherwise below); for the defence, "
        "never the witness's restricted details",
    )
    export.add_argument(
        "--tsa",
        metavar="URL",
        help="have the RFC 3161 time-stamping authority at URL stamp the checkpoint; the "
        "bundle carries its token (checkpoint.tsr), which a verifier whose trust store names "
        "the authority checks",
    )
    export.add_argument(
        "--tsa-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for the time-stamping authority (default: 10)",
    )
    export.add_argument(
        "--recipient",
        metavar="NAME",
        help="hand the case to NAME (e.g. 'CPS Direct, Northshire'): a signed handover record "
        "naming NAME, the audience and the checkpoint of the records before it ends the "
        "bundle, which also carries NAME's earlier handovers (default with --audience: the "
        "audience's name; without either, the bundle is the case as it stands, handed to no one)",
    )
    disclose = export.add_mutually_exclusive_group()
    disclose.add_argument(
        "--no-disclosures",
        action="store_true",
        help="no personal data (the default without --audience)",
    )
    disclose.add_argument(
        "--disclose",
        action="append",
        metavar="FIELD",
        help="disclose this field, a personal value or a text (repeatable)",
    )
    disclose.add_argument("--disclose-all", action="store_true", help="every disclosure held")
    export.set_defaults(handler=run_export)


def namespace_of(checkpoint_name: str) -> str:
    """The default origin namespace: the checkpoint key name up to its first '/'."""
    return checkpoint_name.split("/", 1)[0]


def origin_namespace(args: argparse.Namespace) -> str:
    """The origin namespace of ``--origin-namespace`` or ``--checkpoint-name``, checked."""
    # Checked before any key is unlocked, naming the option the user can change.
    namespace: str = args.origin_namespace or namespace_of(args.checkpoint_name)
    try:
        case_origin(namespace, uuid.UUID(int=0))
    except NoteError as exc:
        if args.origin_namespace:
            raise InputError(f"--origin-namespace: {exc}") from None
        raise InputError(
            f"--checkpoint-name: its first part is no origin namespace ({exc});"
            " give one with --origin-namespace"
        ) from None
    return namespace


def check_checkpoint_key(args: argparse.Namespace, trust: TrustStore, key_id: bytes) -> None:
    """Refuse a ``--checkpoint-key`` that is not the trusted checkpoint key it is named as."""
    # The application checks this too, but knows no file: the user must learn which of the
    # key file, the trust store and --checkpoint-name disagree.
    name: str = args.checkpoint_name
    named = trust.by_name(name)
    if named is None:
        raise InputError(f"{args.trust}: holds no key named {one_line(name)!r} (--checkpoint-name)")
    if named.key_id != key_id:
        held = trust.get(key_id)
        whose = "a key the trust store lacks" if held is None else f"the key of {held.name}"
        raise InputError(
            f"{args.checkpoint_key}: holds {one_line(whose)}, not the key of "
            f"{one_line(name)} (--checkpoint-name) in {args.trust}"
        )
    if named.roles.isdisjoint(trust.policy.checkpoint_roles):
        raise InputError(
            f"{args.trust}: the key of {one_line(name)} holds no checkpoint role; a checkpoint "
            f"needs one of: {', '.join(sorted(trust.policy.checkpoint_roles))}"
        )


def _policy(args: argparse.Namespace) -> DisclosurePolicy:
    if args.disclose_all:
        return DISCLOSE_ALL
    if args.disclose:
        from casefile.events import EVENT_TYPES

        # A name no record type holds can match nothing: a typo would silently withhold the
        # field the user meant to disclose.
        # Texts are committed fields too: without an audience, a text travels only if named.
        known = frozenset().union(
            *(event.PERSONAL_FIELDS | event.TEXT_FIELDS for event in EVENT_TYPES)
        )
        for name in args.disclose:
            if name not in known:
                raise InputError(
                    f"--disclose: {one_line(name)!r} is no committed field of any record; "
                    f"the fields are: {', '.join(sorted(known))}"
                )
            if args.audience == "defence" and name in RESTRICTED_FIELDS:
                # Never written for the defence whatever the policy: asking for it is a
                # mistake to say, not a wish to drop in silence.
                raise InputError(
                    f"--disclose: {name} is a witness's restricted detail (the MG11 back "
                    "page), never disclosed to the defence (--audience defence)"
                )
        try:
            return DisclosurePolicy.only(args.disclose)
        except ValueError as exc:
            raise InputError(f"--disclose: {exc}") from None
    if args.audience is not None and not args.no_disclosures:
        return DISCLOSE_ALL  # an audience sees all but what was decided withheld from it
    return DISCLOSE_NONE


def evidence_in(folder: Path, wanted: set[bytes]) -> dict[bytes, Path]:
    """The regular files directly in ``folder`` whose SHA-256 is in ``wanted``.

    Symbolic links and subfolders are skipped; each file is hashed in chunks.
    """
    found: dict[bytes, Path] = {}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise InputError(f"{folder}: cannot list the evidence folder ({exc.strerror})") from None
    if len(entries) > _MAX_EVIDENCE_DIR_FILES:
        raise InputError(f"{folder}: more than {_MAX_EVIDENCE_DIR_FILES} files")
    for entry in entries:
        if not stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
            continue
        digest = hashlib.sha256()
        with open(entry.path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        if digest.digest() in wanted:
            found.setdefault(digest.digest(), Path(entry.path))
    return found


def _evidence_store(args: argparse.Namespace) -> Path | None:
    """The store to read evidence from: the one named, else the default one if it exists."""
    if args.evidence_by_reference:
        if args.store is not None or args.evidence_dir is not None:
            raise InputError(
                "--evidence-by-reference carries no files: drop --store/--evidence-dir"
            )
        return None
    if args.store is not None:
        return Path(args.store)
    fallback = default_store(args.db)
    return fallback if fallback is not None and is_store(fallback) else None


def _tsa(args: argparse.Namespace) -> TimestampAuthority | None:
    """The ``--tsa`` authority, its URL and timeout checked before anything is written."""
    if args.tsa is None:
        return None
    timeout: float = args.tsa_timeout
    if not 0 < timeout <= _MAX_TSA_TIMEOUT:
        raise InputError(f"--tsa-timeout: must lie between 0 and {_MAX_TSA_TIMEOUT:g} seconds")
    url: str = args.tsa
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise InputError(f"--tsa: {one_line(url)!r} is not an http or https URL")
    from casefile.application import TimestampAuthority

    return TimestampAuthority(url=url, timeout=timeout)


def _stamped(proven: TrustedTime | None, url: str) -> str:
    if proven is None:
        # The exporter's trust store names no TSA: the token travels, unchecked here.
        return f"checkpoint.tsr from {one_line(url)} (this trust store names no TSA to check it)"
    return f"{ns_to_rfc3339(proven.time)} by {one_line(proven.tsa)} (checkpoint.tsr)"


def run_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Checkpoint, write, verify, then publish: a bundle that fails its own check never appears."""
    dest: Path = args.out
    store_path = _evidence_store(args)
    store = None if store_path is None else open_existing_store(store_path)
    # Read only if the store lacks a file: a mistyped folder must not pass unseen.
    if args.evidence_dir is not None and not Path(args.evidence_dir).is_dir():
        raise InputError(f"{args.evidence_dir}: not a folder (--evidence-dir)")
    check_new_path(dest, allow_empty_dir=not args.zip)
    if args.recipient is not None and not args.recipient.strip():
        raise InputError("--recipient: give the name of whom the case is handed to")
    namespace = origin_namespace(args)
    policy = _policy(args)
    with about(args.trust):
        trust = load_trust_store(args.trust)
    with about(args.checkpoint_key):
        signer = load_signer(args.checkpoint_key, passphrase_reader(args.passphrase_file))
    check_checkpoint_key(args, trust, signer.public_key.key_id)
    tsa = _tsa(args)
    trust_list, roots = signed_trust_files(args.trust_list, args.root_file)
    config = store_config(args)
    finders: list[BlobStore | EvidenceFinder] = [] if store is None else [store]
    if args.evidence_dir is not None:
        folder: Path = args.evidence_dir
        finders.append(lambda wanted: evidence_in(folder, set(wanted)))
    with store_errors(config), open_app(config, trust) as app:
        case = named_case(app, args.case, config)
        case_id, reference = case.id, case.reference
        result = app.export_bundle(
            case_id,
            dest,
            checkpoint_signer=signer,
            checkpoint_name=args.checkpoint_name,
            origin_namespace=namespace,
            evidence=finders,
            disclosure_policy=policy,
            audience=args.audience,
            recipient=args.recipient,
            zip=args.zip,
            tsa=tsa,
            trust_list=trust_list,
            roots=roots,
        )
    info, register = result.info, result.register
    out.write(f"case       {one_line(reference)} ({case_id})\n")
    out.write(f"records    {info.records}, checkpoint signed by {args.checkpoint_name}\n")
    recipient = args.recipient or args.audience
    if recipient is not None:
        out.write(f"handed to  {one_line(recipient)}: record {info.records} says so\n")
    shown = policy.mode if policy.mode != "list" else ", ".join(policy.fields)
    if args.audience is not None and policy.mode != "all":
        shown += " for personal values; every text as the audience's decisions leave it"
    out.write(f"disclosed  {info.disclosures} field(s) (policy: {shown})\n")
    if args.audience is not None:
        withheld = sum(1 for f in result.verification.redacted)
        restricted = ", restricted details never disclosed" if args.audience == "defence" else ""
        out.write(
            f"audience   {args.audience}: its redaction decisions and every erasure applied, "
            f"{withheld} text field(s) redacted{restricted}\n"
        )
    from casefile.application import exhibit_hashes

    wanted = len(exhibit_hashes(register))
    missing = len(result.missing_evidence)
    if args.evidence_by_reference:
        note_missing = f" (by reference: {wanted} SHA-256 in the records)"
    else:
        note_missing = f", {missing} exhibit file(s) not included" if missing else ""
    out.write(f"evidence   {info.evidence_files} file(s){note_missing}\n")
    if missing and not args.evidence_by_reference:
        # Which exhibits lack their file, so that the user can find it and export again.
        absent = {digest.hex() for digest in result.missing_evidence}
        refs = [row.reference for row in exhibit_list(register) if row.sha256 in absent]
        shown_refs = ", ".join(one_line(ref) for ref in refs[:_MAX_MISSING_SHOWN])
        more = (
            f" and {len(refs) - _MAX_MISSING_SHOWN} more" if len(refs) > _MAX_MISSING_SHOWN else ""
        )
        out.write(f"missing    the file of {shown_refs}{more} (not in the store or folder)\n")
    found = len(register.findings)
    continuity = f"{found} finding(s)" if found else "no findings"
    out.write(f"exhibits   {len(register.exhibits)}, continuity: {continuity}\n")
    if tsa is not None:
        out.write(f"timestamp  {_stamped(result.verification.trusted_time, tsa.url)}\n")
    out.write(f"bundle     {dest} ({'zip' if args.zip else 'directory'})\n")
    out.write(f"verified   {'yes' if result.verification.verified else 'NO'}\n")
    return 0
