"""``casefile cases``: the cases of a store, from its case index, filtered and in opening order."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final, TextIO

from casefile._time import ns_to_human
from casefile.cli._store import add_store_arguments, open_app, store_config, store_errors
from casefile.cli._text import one_line
from casefile.signing import TrustStore, load_trust_store

__all__ = ["CASE_STATUSES", "add_cases_parser"]

#: The statuses a case can have (the domain's ``CaseStatus`` values; the parser must not
#: import the domain, which brings eventsourcing into every command).
CASE_STATUSES: Final = (
    "under_investigation",
    "referred_to_cps",
    "charged",
    "no_further_action",
    "closed",
    "reopened",
)

_PAGE = 1000


def add_cases_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``cases``."""
    cases = commands.add_parser("cases", parents=parents, help="list the cases of a store")
    add_store_arguments(cases)
    cases.add_argument(
        "--trust",
        type=Path,
        metavar="TRUSTFILE",
        help="authenticate each case listed and show what its records say",
    )
    listing = cases.add_argument_group("filters (all given must match)")
    # A mistyped filter matches nothing: refused, not reported as "no cases match".
    listing.add_argument("--status", choices=CASE_STATUSES, help="a case status")
    listing.add_argument(
        "--officer", metavar="NAME", help="the key name of the officer in the case"
    )
    listing.add_argument("--exhibit", metavar="REF", help="an exhibit reference the case holds")
    cases.set_defaults(handler=run_cases)


def run_cases(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """One line per case: id, reference, records, status, officer, opened, last activity, offence.

    The last activity is the index's (the time of the newest record it saw).
    """
    from casefile.events._custody_values import check_custody_reference

    if args.exhibit is not None:
        check_custody_reference(args.exhibit, "--exhibit")
    trust = load_trust_store(args.trust) if args.trust is not None else TrustStore([])
    config = store_config(args)
    listed = 0
    with store_errors(config):
        app = open_app(config, trust)
        after = None
        while True:
            page = app.case_summaries(
                status=args.status or None,
                officer=args.officer or None,
                exhibit=args.exhibit or None,
                limit=_PAGE,
                after=after,
            )
            for summary in page:
                reference, records, status = summary.reference, summary.records, summary.status
                offence, opened = summary.offence, summary.opened_ns
                if args.trust is not None:
                    # The index is derived data: show what the authenticated records say.
                    case = app.get_case(summary.case_id)
                    reference, records, status = case.reference, case.sealed_version, case.status
                    offence, opened = case.offence, case.opened_ns
                # Text from the store is shown as text, never as terminal controls.
                out.write(
                    f"{summary.case_id}  {one_line(reference):<14} {records:>7} records  "
                    f"{one_line(status):<19} {one_line(summary.officer)}  "
                    f"opened {ns_to_human(opened)}  last {ns_to_human(summary.last_activity_ns)}  "
                    f"{one_line(offence)}\n"
                )
            listed += len(page)
            if len(page) < _PAGE:
                break
            after = page[-1]
    if not listed:
        filtered = args.status or args.officer or args.exhibit
        err.write("no cases match these filters\n" if filtered else "no cases in this store\n")
    elif args.trust is None:
        err.write("(from the case index, not authenticated: give --trust to check each case)\n")
    return 0
