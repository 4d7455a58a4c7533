"""``casefile redact``: show a text field with unit numbers, or record a redaction decision.

A decision withholds whole units (a word with the whitespace after it) of one
field of one record from the exports made for the audiences it names. The
units are chosen by matching text, by unit numbers or by character offsets;
the command prints the runs it chose, with the words each covers, and asks
before it records anything (``--yes`` records without asking). The decision is
a signed record of its own, by a key holding the ``redactor`` role.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from casefile.cli._errors import about
from casefile.cli._secrets import key_argument, load_signer, passphrase_reader
from casefile.cli._store import add_store_arguments, find_case, open_app, store_config, store_errors
from casefile.cli._text import one_line
from casefile.errors import InputError, InvalidCommandError, UnknownReferenceError
from casefile.signing import TextDisclosure, TrustStore, load_trust_store, split_units
from casefile.verifier._redaction_codes import Audience, RedactionReason

if TYPE_CHECKING:
    from casefile.application import CasefileApp, RedactionPlan

__all__ = ["add_redact_parser"]

_RANGE: Final = re.compile(r"(\d{1,9})-(\d{1,9})")
_UNIT: Final = re.compile(r"(\d{1,9})(?:-(\d{1,9}))?")
# The library's argument names, as the options of this command that carry them.
_OPTIONS: Final = {
    "seq": "--record",
    "field": "--field",
    "runs": "--units",
    "offsets": "--offsets",
    "match": "--match",
    "occurrence": "--occurrence",
    "whole_field": "--whole-field",
    "audiences": "--audience",
    "reason": "--reason",
    "explanation": "--explanation",
}
_WIDTH: Final = 88
_DECISION: Final = "redaction.decided"


def add_redact_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``redact``."""
    redact = commands.add_parser(
        "redact",
        parents=parents,
        help="show a text field with unit numbers, or record a redaction decision",
        description="With --show, print the field with the number of each unit (a word with "
        "the whitespace after it), as an audience would see it if --audience is given. "
        "Otherwise choose units by --match, --units or --offsets (or --whole-field), print "
        "the runs chosen and, once confirmed (or with --yes), record a signed decision that "
        "exports for the named audiences withhold them.",
    )
    add_store_arguments(redact)
    redact.add_argument("--case", required=True, help="the case id (UUID) or its reference (URN)")
    redact.add_argument(
        "--trust", required=True, type=Path, metavar="TRUSTFILE", help="the force's trust store"
    )
    redact.add_argument("--record", required=True, type=int, metavar="N", help="the record's seq")
    redact.add_argument("--field", required=True, metavar="NAME", help="e.g. body, address")
    redact.add_argument("--show", action="store_true", help="print the field with unit numbers")
    choose = redact.add_mutually_exclusive_group()
    choose.add_argument("--match", metavar="TEXT", help="withhold every occurrence of TEXT")
    choose.add_argument(
        "--units",
        metavar="A-B[,C-D]",
        help="withhold units A to B, both included, as --show numbers them (and C to D ...); "
        "a single unit is A or A-A",
    )
    choose.add_argument(
        "--offsets", metavar="S-E[,S-E]", help="withhold characters S to E-1 (widened to units)"
    )
    choose.add_argument(
        "--whole-field", action="store_true", help="withhold the whole field (any field)"
    )
    redact.add_argument(
        "--occurrence", type=int, metavar="K", help="with --match: only the K-th occurrence"
    )
    redact.add_argument(
        "--audience",
        action="append",
        choices=[str(a) for a in Audience],
        help="who the decision applies to (repeatable); with --show, read the field as them",
    )
    redact.add_argument(
        "--reason",
        choices=[str(r) for r in RedactionReason],
        help="why, after the CPS/NPCC Joint Principles for Redaction",
    )
    redact.add_argument("--explanation", metavar="TEXT", help="in words (needed for 'other')")
    redact.add_argument("--yes", action="store_true", help="record without asking")
    redact.add_argument(
        "--key",
        type=key_argument,
        metavar="KEY",
        help="the redactor's key file, or pkcs11: URI of a token key",
    )
    redact.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="the key file's passphrase in the first line of FILE (default: ask)",
    )
    redact.set_defaults(handler=run_redact)


def _offsets(text: str) -> list[tuple[int, int]]:
    """``S-E[,S-E]``: character ranges, each from S to E-1 (as Python slices them)."""
    out = []
    for part in text.split(","):
        found = _RANGE.fullmatch(part.strip())
        if found is None:
            raise InputError(f"--offsets: {one_line(part)!r} is not a range START-END")
        start, end = int(found[1]), int(found[2])
        if start >= end:
            raise InputError(f"--offsets: {start}-{end} is empty (characters START to END-1)")
        out.append((start, end))
    return out


def _units(text: str) -> list[tuple[int, int]]:
    """``A-B[,C-D]``: unit runs, both ends included, as ``--show`` and the plan number them.

    Inclusive because the numbers a person copies are the ones shown: ``[4-9]``
    in ``--show`` and ``units 4-9`` in a plan both include unit 9, so
    ``--units 4-9`` must too, or the last word shown would stay revealed.
    """
    out = []
    for part in text.split(","):
        found = _UNIT.fullmatch(part.strip())
        if found is None:
            raise InputError(f"--units: {one_line(part)!r} is not a unit A or a range A-B")
        first = int(found[1])
        last = first if found[2] is None else int(found[2])
        if first > last:
            raise InputError(f"--units: {first}-{last} ends before it starts (A-B, A <= B)")
        out.append((first, last + 1))
    return out


@contextlib.contextmanager
def _as_options() -> Iterator[None]:
    """Name this command's option, not the library's argument, in a refused command."""
    try:
        yield
    except (InvalidCommandError, UnknownReferenceError) as exc:
        # Both carry the library's argument name (``field``) beside the problem.
        option = _OPTIONS.get(exc.field.split("[", 1)[0])
        if option is None:
            raise
        raise InputError(f"{option}: {exc.problem}") from None


def _show(app: CasefileApp, case_id: uuid.UUID, args: argparse.Namespace, out: TextIO) -> int:
    audiences = args.audience or []
    if len(audiences) > 1:
        raise InputError("--show reads the field as one --audience at most")
    audience = audiences[0] if audiences else None
    view = app.field_view(case_id, args.record, args.field, audience=audience)
    seen = f" as the {audiences[0]} audience sees it" if audiences else ""
    out.write(f"field      {one_line(args.field)} of record {args.record}{seen}\n")
    if view.withheld is not None:
        # Withheld whole: a text erased or decided whole as much as a value.
        out.write(f"withheld   whole: {', '.join(view.withheld)}\n")
        return 0
    if view.segments is None:
        out.write(f"value      {one_line(view.render())}\n")
        return 0
    words: list[str] = []
    unit = 0
    for piece in view.segments:
        if isinstance(piece, str):
            for text in split_units(piece) if piece else ():
                words.append(f"[{unit}]{one_line(text.rstrip())}")
                unit += 1
        else:
            words.append(f"[{piece.start}-{piece.end - 1}]{piece.marker()}")
            unit = piece.end
    out.write(f"units      {unit}\n")
    for line in textwrap.wrap(" ".join(words), width=_WIDTH, break_long_words=False):
        out.write(f"  {line}\n")
    return 0


def _check_redactor(args: argparse.Namespace, trust: TrustStore, key_id: bytes) -> None:
    # Checked before the plan is shown and confirmed: the user must learn at once that the
    # key file cannot sign a decision, and which of the key file and the trust store says so.
    entry = trust.get(key_id)
    if entry is None:
        raise InputError(f"{args.key}: holds a key that {args.trust} does not hold")
    needed = trust.policy.roles_for(_DECISION)
    if entry.roles.isdisjoint(needed):
        raise InputError(
            f"{args.key}: the key of {one_line(entry.name)} holds no role that may decide a "
            f"redaction in {args.trust} (needs one of: {', '.join(sorted(needed))})"
        )


def _check_text(app: CasefileApp, case_id: uuid.UUID, args: argparse.Namespace) -> None:
    # Units are chosen in a text; a value (an address, a date of birth) goes whole or not.
    found = app.stored_disclosure(case_id, args.record, args.field)
    if found is None:
        raise InputError(
            f"--field: the store holds no text of {one_line(args.field)} of record "
            f"{args.record} to choose units in (erased): give --whole-field"
        )
    if not isinstance(found, TextDisclosure):
        raise InputError(
            f"--field: {one_line(args.field)} of record {args.record} is a value, not a text: "
            "it is withheld whole: give --whole-field"
        )


def _print_plan(plan: RedactionPlan, out: TextIO) -> None:
    if plan.runs is None:
        out.write(f"withhold   the whole of {one_line(plan.field)} of record {plan.seq}\n")
        return
    for run in plan.runs:
        count = run.end - run.start
        units = f"unit {run.start}" if count == 1 else f"units {run.start}-{run.end - 1}"
        words = "1 word" if count == 1 else f"{count} words"
        out.write(f"withhold   {units} ({words}): {one_line(run.text)!r}\n")
    if plan.widened:
        out.write("note       widened to whole words (a unit is a word and the space after it)\n")


def _confirmed(args: argparse.Namespace, err: TextIO) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise InputError("not recorded: confirm at a terminal, or give --yes to record as shown")
    err.write("record this decision? [y/N] ")
    err.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def run_redact(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Show the field, or plan, confirm and record one redaction decision."""
    chosen = [args.match, args.units, args.offsets, args.whole_field or None]
    if args.show:
        if any(c is not None for c in chosen) or args.reason or args.key or args.yes:
            raise InputError(
                "--show records nothing: drop --match/--units/--offsets/--whole-field/"
                "--reason/--key/--yes"
            )
    else:
        if all(c is None for c in chosen):
            raise InputError("choose the units: --match, --units, --offsets or --whole-field")
        for option, value in (
            ("--audience", args.audience),
            ("--reason", args.reason),
            ("--key", args.key),
        ):
            if not value:
                raise InputError(f"{option} is needed to record a decision")
    if args.occurrence is not None and args.match is None:
        raise InputError("--occurrence goes with --match")
    if args.match is not None and not args.match.strip():
        raise InputError("--match: give the text to withhold, not an empty string")
    if args.reason == RedactionReason.OTHER and not (args.explanation or "").strip():
        raise InputError("--explanation is needed with --reason other: say why in words")
    runs = None if args.units is None else _units(args.units)
    offsets = None if args.offsets is None else _offsets(args.offsets)
    with about(args.trust):
        trust = load_trust_store(args.trust)
    signer = None
    if not args.show:
        with about(args.key):
            signer = load_signer(args.key, passphrase_reader(args.passphrase_file))
        _check_redactor(args, trust, signer.public_key.key_id)
    config = store_config(args)
    with store_errors(config), open_app(config, trust) as app:
        try:
            case_id = find_case(app, args.case, config)
            if args.show:
                with _as_options():
                    return _show(app, case_id, args, out)
            with _as_options():
                if not args.whole_field:
                    _check_text(app, case_id, args)
                plan = app.plan_redaction(
                    case_id,
                    args.record,
                    args.field,
                    runs=runs,
                    offsets=offsets,
                    match=args.match,
                    occurrence=args.occurrence,
                    whole_field=bool(args.whole_field),
                )
            _print_plan(plan, out)
            out.flush()
            if signer is None or not _confirmed(args, err):
                out.write("recorded   nothing\n")
                return 0
            # The runs shown are the runs recorded: the plan's, not the choice again.
            with _as_options():
                result = app.redact(
                    case_id,
                    signer,
                    args.record,
                    args.field,
                    audiences=sorted(set(args.audience)),
                    reason=args.reason,
                    explanation=args.explanation,
                    runs=plan.unit_runs(),
                    whole_field=plan.runs is None,
                    at=time.time_ns(),
                )
        finally:
            app.close()
    out.write(
        f"recorded   decision {result.seq}: withheld from {', '.join(sorted(set(args.audience)))} "
        f"({args.reason})\n"
    )
    return 0
