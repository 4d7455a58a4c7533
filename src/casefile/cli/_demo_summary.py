"""What ``casefile demo`` prints once the whole case verified: a summary and what to try."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casefile._time import ns_to_human
from casefile.cli._demo_handovers import RECEIPTED
from casefile.cli._demo_keys import CHECKPOINT_NAME
from casefile.cli._demo_tablet import TABLET

if TYPE_CHECKING:
    from pathlib import Path

    from casefile.bundle import BundleInfo, BundleVerification
    from casefile.cli._demo_case import DemoCase
    from casefile.cli._demo_casefile import CaseFileOutput

__all__ = ["DemoSummary", "carried_line", "render_summary", "timestamp_line", "withheld_line"]


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """The figures and lines of the summary, gathered once the demo verified."""

    elapsed: float
    folder: str
    records: int
    saves: int
    signed: str
    exhibits: int
    continuity: str
    checkpoint: str
    bundle: str
    defence: str
    timestamp: str
    first: int
    linked: str
    receipt: int
    case_file: CaseFileOutput


def timestamp_line(result: BundleVerification) -> str:
    """What the demo's RFC 3161 timestamp proves, or why it has none."""
    proven = result.trusted_time
    if proven is None:
        return "skipped: openssl is not installed, so the demo has no time-stamping authority"
    return (
        f"bundle/'s checkpoint existed by {ns_to_human(proven.time)}, says a local TSA (openssl ts)"
    )


def withheld_line(info: BundleInfo, held: int) -> str:
    """How many of the case's disclosures a bundle carries."""
    return f"{info.disclosures} of {held} fields disclosed"


def carried_line(bundle: Path, held: int) -> str:
    """How many of the tablet's disclosures (``held`` at the centre) a bundle's capture carries,
    or nothing for a bundle that carries no capture."""
    from casefile.bundle._capture_package import read_capture_package

    folder = bundle / "captures"
    packages = sorted(folder.iterdir()) if folder.is_dir() else []
    if not packages:
        return ""
    carried = sum(len(read_capture_package(p.read_bytes()).disclosures) for p in packages)
    return f", the tablet's {carried} of {held}"


def _completeness(output: CaseFileOutput) -> str:
    """The completeness report of the case file in one line, or the lacks it lists."""
    if not output.lacking:
        return "anticipated not-guilty plea file: complete, nothing lacking"
    return f"anticipated not-guilty plea file lacks {len(output.lacking)}: " + "; ".join(
        output.lacking
    )


_TABLET_FILE = (
    "  tablet.sqlite    PC Okafor's tablet: its capture pruned once the centre receipted it"
)


def _tablet_lines(case: DemoCase) -> list[str]:
    """What came from the tablet: its records, its syncs, the receipt it kept."""
    work = case.tablet
    if work is None:
        return []
    bound = ", then ".join(f"1-{size}" if i == 0 else f"{work.syncs[i - 1][1] + 1}-{size}"
                           for i, (_, size) in enumerate(work.syncs))  # fmt: skip
    bindings = " and ".join(str(seq) for seq, _ in work.syncs)
    return [
        f"  tablet      PC Okafor's first visit, offline on {TABLET}: {work.records} records,",
        f"              synced {len(work.syncs)} times (records {bound}, bound by records "
        f"{bindings}), pruned",
    ]


def _corrected(case: DemoCase) -> str:
    """Which record the correction corrects, and by which: both the tablet's when taken there."""
    where = "tablet record" if case.tablet else "record"
    return f"{where} {case.corrected[0]} by {where} {case.corrected[1]}"


def _points_lines(summary: DemoSummary, case: DemoCase) -> list[str]:
    """How the points to prove cite their evidence: a point cites records of the case
    (FORMAT.md §10.4), so those only the tablet's records prove cite none."""
    uncited = sum("point_evidence" in lack for lack in summary.case_file.lacking)
    if not case.tablet or not uncited:
        return ["              burglary alleged, each point to prove tied to its evidence; "
                "MG3 to the CPS;"]  # fmt: skip
    return [
        f"              burglary alleged; {uncited} of its points to prove cite no evidence (only "
        "the",
        "              tablet's records prove them, and a point cites the case's); MG3 to the CPS;",
    ]


def render_summary(summary: DemoSummary, case: DemoCase) -> str:
    """The summary as printed."""
    shown = summary.folder + os.sep
    lines = [
        "casefile demo: a burglary recorded, charged, handed over and verified in "
        f"{summary.elapsed:.1f} s",
        "",
        f"  case        {case.reference}  burglary at {case.location}",
        f"              id {case.case_id}",
        f"  records     {summary.records} in {summary.saves} saves, each signed by the person "
        "who acted (receipts",
        "              confirmed by receivers; one booking keyed for DC Reyes):",
        f"              {summary.signed}",
        *_tablet_lines(case),
        "  recorded    report at the scene, victim and witness (personal data committed),",
        f"              2 MG11 statements, {case.photographs} photographs and an audio clip, "
        "notes,",
        f"              a correction ({_corrected(case)}), 2 redaction decisions, referred_to_cps",
        "  prosecuted  suspect named, arrested, interviewed (recording DR/3, its SHA-256 checked);",
        *_points_lines(summary, case),
        "              charged on the decision of the CPS prosecutor (her own key), bailed to "
        "a first",
        "              hearing; 3 unused items on MG6C/MG6D, each marked by the prosecutor; MG5 in",
        "              2 versions; the victim's personal statement and witness care needs",
        f"  exhibits    {summary.exhibits}, sealed and booked into the property store; "
        f"{' and '.join(case.sent_to_lab)} sent",
        f"              to the lab, {case.imaged} imaged as {case.working_copy}; "
        f"continuity: {summary.continuity}",
        f"  checkpoint  {summary.checkpoint}, signed by {CHECKPOINT_NAME}",
        f"  handed over bundle-first/ to CPS Direct ({summary.first} records, its handover last);"
        " the CPS",
        f"              receipted it (record {summary.receipt}, checked by B15; it keeps "
        f"{RECEIPTED}); a note;",
        f"              bundle/ to CPS Direct again: extends bundle-first/ ({summary.linked},",
        "              checked as verify --previous does; handovers.json carries the proof)",
        f"  for CPS     bundle/, {summary.bundle}: her home address withheld",
        f"              ({case.address_words} words of her statement and her address field: "
        "victim_or_witness_contact_details)",
        f"  for defence bundle-defence/, {summary.defence}: that and her restricted details",
        f"  timestamp   {summary.timestamp}",
        "  verified    yes: each folder and its zip, against the force's root keys/root.json",
        "              (step B17: the bundle's trust list, signed by the root key)",
        f"  case file   casefile.json, for the CPS: {', '.join(summary.case_file.forms)}",
        "              " + _completeness(summary.case_file),
        "  readable    casefile.html, the same file as one printable page (to print it as a",
        "              PDF, see the last command below)",
        f"  DCF 1.2     dcf.json, {summary.case_file.dcf_label}, "
        f"{'passes' if summary.case_file.dcf_conforms else 'fails'} that schema:",
        f"              a {summary.case_file.dcf_type}; dcf-report.json names the "
        f"{summary.case_file.dcf_dropped} parts it cannot carry,",
        f"              the {summary.case_file.dcf_unfilled} fields it could not fill "
        f"({summary.case_file.dcf_placeholders} hold placeholders, not facts)",
        "",
        f"files in {shown}",
        "  casefile.sqlite  the case store (embedded SQLite)",
        *([_TABLET_FILE] if case.tablet else []),
        "  keys/            sealed key files (passphrase: keys/demo-passphrase.txt), trust.json;",
        "                   root.json, the force's root, and trust-list.json signed by root.key",
        "  evidence/        the evidence store: photographs and audio, named by SHA-256",
        "  bundle/          the second bundle for the CPS (bundle-first/: the first;",
        "                   bundle-defence/: for the defence); each also as one zip file, the",
        "                   same files: bundle.zip, bundle-first.zip, bundle-defence.zip",
        "  casefile.json    the case file (MG forms) the CPS may read: casefile schema casefile",
        "  casefile.html    the same case file as one printable page, with who signed what",
        "  dcf.json         what of it the DCF 1.2 can carry; dcf-report.json: what it could not",
        "",
        f"try: casefile exhibits --db {shown}casefile.sqlite --case {case.reference} "
        f"--trust {shown}keys{os.sep}trust.json",
        f"     casefile verify {shown}bundle.zip --root {shown}keys{os.sep}root.json",
        f"     casefile verify {shown}bundle.zip --root {shown}keys{os.sep}root.json "
        f"--previous {shown}bundle-first.zip",
        f"     casefile casefile --db {shown}casefile.sqlite --case {case.reference} --trust "
        f"{shown}keys{os.sep}trust.json --audience cps --format pdf --out casefile.pdf",
    ]
    return "\n".join(lines)
