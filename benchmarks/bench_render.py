"""The HTML case file against verification: rendering a large case for a reader.

The case of benchmarks/bench_casefile.py (about N records, default 10,000:
statements, exhibits, prosecution, unused material, redactions) is recorded in
memory and verified; then, after one warm-up run of each and interleaved so that
load on the machine hits all alike, each the median of ``--repeat`` runs:

1. verification (the baseline): ``verify_case`` of the stored records with every
   disclosure, one process;
2. the HTML: ``case_file_html`` of the case file built from those records, with
   its verification page (the target: at most 0.25x verification);
3. the whole way from verified records to the page: ``build_case_file``,
   ``verification_page`` and ``case_file_html``.

Printing to PDF is not timed here: it is Chromium's work, not the library's.

Usage: python benchmarks/bench_render.py [--records N] [--repeat R] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from typing import Any

from bench_casefile import case_verifier, record_case
from bench_core import interleaved

from casefile.projections import build_case_file, case_file_html, verification_page
from casefile.verifier import VerifiedCase

TARGET = 0.25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="profile the rendering")
    args = parser.parse_args()
    app, case_id = record_case(args.records)
    stored = list(app.records(case_id))
    disclosures = list(app.disclosures(case_id))
    at = app.now()
    run = case_verifier(app, case_id, stored, at, disclosures)
    verified: list[VerifiedCase] = []

    def verify() -> None:
        verified[:] = [run()]

    verify()
    case_file = build_case_file(verified[0].records, as_of=at)
    page = verification_page(verified[0].records, findings=verified[0].findings)

    def render() -> bytes:
        return case_file_html(case_file, verification=page)

    def whole() -> Any:
        records = verified[0].records
        return case_file_html(
            build_case_file(records, as_of=at),
            verification=verification_page(records, findings=verified[0].findings),
        )

    size = len(render())
    whole()
    print(f"casefile HTML benchmark: {len(stored)} records, median of {args.repeat}")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(render)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return
    t_verify, t_render, t_whole = interleaved(args.repeat, verify, render, whole)
    print(f"  {'verification (one process)':<44} {t_verify * 1000:8.1f} ms")
    for label, took in (
        (f"the HTML ({size // 1024} KiB, case_file_html)", t_render),
        ("build, verification page and HTML", t_whole),
    ):
        print(f"  {label:<44} {took * 1000:8.1f} ms  {took / t_verify:5.2f}x verification")
    verdict = "within" if t_render / t_verify <= TARGET else "OVER"
    print(f"  target: the HTML <= {TARGET}x verification: {verdict}")


if __name__ == "__main__":
    main()
