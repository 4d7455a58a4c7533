"""The ``casefile`` command: argument parsing, dispatch, and the one place errors become exits.

Exit status: 0 success (verified), 1 verification failed, 2 unusable input or
a usage error (or standard output closed by its reader, said nowhere: the
reader chose to stop), 3 an internal error (a bug: please report it). No
traceback reaches the user unless ``--debug`` asks for it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Final, NoReturn, TextIO, cast

from casefile import __version__
from casefile.cli._casefile_cmd import add_casefile_parser
from casefile.cli._cases_cmd import add_cases_parser
from casefile.cli._clean_cmd import add_clean_parser
from casefile.cli._demo_cmd import add_demo_parser
from casefile.cli._errors import error_json, named_stream, path_of
from casefile.cli._evidence_cmd import add_evidence_parser
from casefile.cli._exhibits_cmd import add_exhibits_parser
from casefile.cli._export_cmd import add_export_parser
from casefile.cli._handover_cmd import add_prove_parser
from casefile.cli._keys_cmd import add_keys_parser
from casefile.cli._receipt_cmd import add_receipt_parsers
from casefile.cli._redact_cmd import add_redact_parser
from casefile.cli._schema_cmd import add_schema_parser
from casefile.cli._secrets import close_token_signers
from casefile.cli._text import one_line
from casefile.cli._trust_cmd import add_trust_parser
from casefile.cli._verify_cmd import add_verify_parser
from casefile.errors import CasefileError, VerificationError

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_UNUSABLE",
    "build_parser",
    "main",
]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_UNUSABLE: Final = 2
EXIT_INTERNAL: Final = 3
_STDOUT: Final = "standard output"


class _UsageError(SystemExit):
    """A usage error argparse has printed; carries its message for a ``--json`` caller."""

    def __init__(self, message: str) -> None:
        super().__init__(EXIT_UNUSABLE)
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors kept to one printable line (they quote the arguments)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {one_line(message)}\n")
        raise _UsageError(one_line(message))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an unexpected error",
    )
    parser = _Parser(
        prog="casefile",
        description="Signed, hash-chained police case records: record, export and verify.",
        epilog="Exit status: 0 success or verified, 1 verification or fixity check failed, "
        "2 unusable input or usage error (or the reader of standard output closed it early, "
        "as '| head' does: quietly), 3 internal error (please report it).",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"casefile {__version__}")
    # Subcommand parsers are _Parser too (argparse uses the parent's class); typed as the base.
    commands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", metavar="COMMAND", required=True),
    )
    # Each subcommand also takes --debug after its name (``casefile verify x --debug``).
    parents = [common]
    add_demo_parser(commands, parents)
    add_keys_parser(commands, parents)
    add_trust_parser(commands, parents)
    add_export_parser(commands, parents)
    add_redact_parser(commands, parents)
    add_clean_parser(commands, parents)
    add_verify_parser(commands, parents)
    add_receipt_parsers(commands, parents)
    add_prove_parser(commands, parents)
    add_cases_parser(commands, parents)
    add_evidence_parser(commands, parents)
    add_exhibits_parser(commands, parents)
    add_casefile_parser(commands, parents)
    add_schema_parser(commands, parents)
    return parser


def _error(err: TextIO, message: str) -> None:
    err.write(f"casefile: error: {one_line(message)}\n")


def _json_error(out: TextIO, kind: str, message: str, path: str | None) -> None:
    # Under --json stdout holds one JSON document whatever happened; the line on stderr stays.
    with contextlib.suppress(OSError, ValueError):
        out.write(json.dumps(error_json(kind, message, path), indent=2, ensure_ascii=True) + "\n")


def _wants_json(arguments: Sequence[str]) -> bool:
    # Before parsing succeeds only the words are known: any command given ``--json``.
    return "--json" in arguments


def _tolerant_streams() -> None:
    # A terminal whose encoding cannot show a name in a report must not turn it into a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):
                reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    # Further writes (the interpreter's final flush) would fail again: point stdout at nothing.
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _exit_status(code: object) -> int:
    if code is None:
        return EXIT_OK
    return code if type(code) is int else EXIT_UNUSABLE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``casefile`` command with ``argv`` (default: the process arguments)."""
    if argv is None:
        _tolerant_streams()
    if sys.stdout is None or sys.stderr is None:
        # Started with a standard stream closed (``casefile ... >&-``): the command would do
        # its work (sign a record, write a bundle) and then fail to say so. Do nothing.
        if sys.stderr is not None:
            _error(sys.stderr, "standard output is closed: nowhere to write what was done")
        return EXIT_UNUSABLE
    out, err = named_stream(sys.stdout, _STDOUT), sys.stderr
    parser = build_parser()
    arguments = sys.argv[1:] if argv is None else list(argv)
    if any("\x00" in arg for arg in arguments):
        # A process's arguments cannot hold NUL; a caller passing one gets a usage error.
        _error(err, "an argument contains a NUL character")
        return EXIT_UNUSABLE
    try:
        args = parser.parse_args(arguments)
    except _UsageError as exc:
        if _wants_json(arguments):
            _json_error(out, "usage", exc.message, None)
        return EXIT_UNUSABLE
    except SystemExit as exc:
        # argparse has already printed the help (0).
        return _exit_status(exc.code)
    debug = bool(getattr(args, "debug", False))
    # Every command taking --json (verify, exhibits, evidence check) keeps stdout one JSON
    # document on failure too: a script parsing it must never meet an empty stdout.
    as_json = bool(getattr(args, "json", False))
    try:
        try:
            status: int = args.handler(args, out, err)
        finally:
            close_token_signers()
        # Flushed here, not at exit, so that a full disk behind stdout is reported, and named.
        out.flush()
        return status
    except VerificationError as exc:
        step = f" (step {exc.step})" if exc.step else ""
        message = f"verification failed{step}: {exc}"
        if exc.step == "V6" and getattr(args, "trust", None) is not None:
            # A store's records are checked against --trust before anything is shown or
            # added: a trust store of one new key (as ``keys new`` writes) cannot do that.
            message += f"; {args.trust} must hold the key of everyone who signed the case"
        _error(err, message)
        if as_json:
            _json_error(out, exc.kind, message, path_of(exc))
        return EXIT_FAILED
    except CasefileError as exc:
        message = str(exc) or type(exc).__name__
        where = path_of(exc)
        if where is not None and where not in message:
            message = f"{where}: {message}"
        _error(err, message)
        if as_json:
            _json_error(out, type(exc).__name__, message, where)
        return EXIT_UNUSABLE
    except BrokenPipeError:
        # The reader went away (``casefile verify x | head``): say nothing more.
        _silence_stdout()
        return EXIT_UNUSABLE
    except OSError as exc:
        where = path_of(exc)
        message = f"{where + ': ' if where else ''}{exc.strerror or exc}"
        _error(err, message)
        if where == _STDOUT:
            # What is still buffered would fail again at exit, with a traceback.
            _silence_stdout()
        elif as_json:
            _json_error(out, type(exc).__name__, message, where)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        _error(err, "interrupted; nothing was left half-written")
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc(file=err)
        message = f"unexpected internal error ({type(exc).__name__}: {exc})"
        _error(err, message + ("" if debug else "; run with --debug for details"))
        if as_json:
            _json_error(out, "internal", message, None)
        return EXIT_INTERNAL
