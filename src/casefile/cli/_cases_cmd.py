"""``casefile cases``: the cases of a store, from its case index, filtered and in opening order."""

from __future__ import annotations

import argparse
import datetime
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
_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


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

    With ``--trust`` the reference, records, status, offence and times are those of
    the authenticated records; the officer is the index's.
    """
    from casefile.events._custody_values import check_custody_reference

    if args.exhibit is not None:
        check_custody_reference(args.exhibit, "--exhibit")
    trust = load_trust_store(args.trust) if args.trust is not None else TrustStore([])
    config = store_config(args)
    listed = 0
    with store_errors(config), open_app(config, trust) as app:
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
                last = summary.last_activity_ns
                if args.trust is not None:
                    # The index is derived data: show what the authenticated records say.
                    case = app.get_case(summary.case_id)
                    reference, records, status = case.reference, case.sealed_version, case.status
                    offence, opened = case.offence or "", case.opened_ns
                    last = (case.modified_on - _EPOCH) // datetime.timedelta(microseconds=1) * 1000
                # Text from the store is shown as text, never as terminal controls; times
                # are for people, to the second.
                out.write(
                    f"{summary.case_id}  {one_line(reference):<14} {records:>7} records  "
                    f"{one_line(status):<19} {one_line(summary.officer)}  "
                    f"opened {ns_to_human(opened)}  last {ns_to_human(last)}  "
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
