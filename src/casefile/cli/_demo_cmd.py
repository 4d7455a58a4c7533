"""``casefile demo``: the whole life of a burglary case on embedded SQLite, in a few seconds.

Two officers, a property officer and a lab examiner get keys (sealed key
files and a trust store) and record the case on their devices (the scene
officer's first visit offline on her tablet, attached when it syncs): statements,
photographs and an audio clip (kept in the evidence store, in the custody of
whoever captured them), and the exhibits' custody to the lab. The force's case file service signs a
checkpoint and hands the case over as a bundle (a directory and a zip) with
the evidence files and the exhibit register, and both are verified against
the trust store. Everything is built in a temporary folder and takes its
name only once it all verified.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import TextIO

from casefile.cli._demo_handovers import (
    BETWEEN_HANDOVERS,
    BUNDLES,
    FIRST_CPS,
    RECEIPTED,
    RECIPIENTS,
    SECOND_CPS,
)
from casefile.cli._demo_keys import (
    CHECKPOINT_NAME,
    CPS_RECEIPTS,
    DEMO_PASSPHRASE,
    DOMAIN,
    INTAKE_NAME,
    PROSECUTOR_LABEL,
    demo_people,
    make_keys,
)
from casefile.cli._demo_summary import (
    DemoSummary,
    carried_line,
    render_summary,
    timestamp_line,
    withheld_line,
)
from casefile.cli._demo_tsa import demo_tsa, tsa_anchors
from casefile.cli._files import staged_directory, write_new_file
from casefile.cli._register import verified_register
from casefile.errors import InputError, VerificationError

# CHECKPOINT_NAME and DEMO_PASSPHRASE are named here as well: what the demo signs with.
__all__ = ["CHECKPOINT_NAME", "DEMO_PASSPHRASE", "add_demo_parser", "run_demo"]


def add_demo_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``demo``."""
    demo = commands.add_parser(
        "demo",
        parents=parents,
        help="record a burglary case on SQLite, charge it, hand it over as bundles, verify them",
        description="Record a realistic burglary case from the scene to a charge in an SQLite "
        "file: its first visit offline on an officer's tablet (a capture in a SQLite file of "
        "its own, synced twice to the case), statements, photographs and audio in custody, a "
        "suspect interviewed, the CPS's charging decision. Hand it over as bundles (folder "
        "and zip) for the CPS and the defence, verify them all, and write the case file the "
        "CPS may read (JSON, HTML, DCF).",
    )
    demo.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="a new (or empty) folder to write into (default: ./casefile-demo-<time>)",
    )
    demo.add_argument(
        "--no-tablet",
        action="store_true",
        help="record the first visit at the centre, as a force without tablets does: "
        "the case then binds no capture",
    )
    demo.set_defaults(handler=run_demo)


def _default_folder(now: int) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now // 10**9))
    for attempt in range(1, 100):
        name = f"casefile-demo-{stamp}" + (f"-{attempt}" if attempt > 1 else "")
        if not os.path.lexists(name):
            return Path(name)
    raise InputError("too many demo folders for this second; give --out DIR")


def run_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Build the demo folder, then print what is in it."""
    # Imported here: the other commands start without eventsourcing.
    from casefile.application import CasefileApp, DeviceApp, StoreConfig, TimestampAuthority
    from casefile.bundle import check_extends, verify_bundle, zip_bundle
    from casefile.cli._demo_case import record_demo_case
    from casefile.cli._demo_casefile import write_case_file
    from casefile.cli._demo_prosecution import cps_receipt, record_prosecution
    from casefile.cli._demo_tablet import TABLET
    from casefile.events import DcfUrnScheme
    from casefile.evidence import FileSystemBlobStore

    started = time.perf_counter()
    now = time.time_ns()
    folder: Path = args.out if args.out is not None else _default_folder(now)
    with staged_directory(folder) as root, demo_tsa() as tsa:
        keys = make_keys(root / "keys", now, tsa_anchors(tsa))
        store = FileSystemBlobStore(root / "evidence")
        app = CasefileApp(
            store=StoreConfig.sqlite(root / "casefile.sqlite"),
            trust=keys.trust,
            # One station's counter; a force keeps it in its database.
            reference_scheme=DcfUrnScheme("42", "NS", lambda: 12345),
        )
        # PC Okafor's tablet: its own store, in which she records offline.
        tablet = (
            None
            if args.no_tablet
            else DeviceApp(
                root / "tablet.sqlite", trust=keys.trust, device=TABLET, origin_namespace=DOMAIN
            )
        )
        try:
            people = demo_people(keys.recorders)
            case = record_demo_case(
                app,
                people,
                now=now,
                store=store,
                tablet=tablet,
                intake=(keys.intake, INTAKE_NAME),
            )
            prosecution = record_prosecution(app, case, people, keys.prosecutor, store=store)
            # What an auditor will see: the register of the records as verified.
            register = verified_register(app, case.case_id, at=time.time_ns())
            # Two successive handovers to the CPS, with a record made between them, and
            # one to the defence; each applies the redaction decisions made for its
            # audience (and, for the defence, never the witness's restricted details),
            # ends with its own handover record, and is zipped as well. The second CPS
            # bundle carries the first's checkpoint with a proof that it extends it.
            exported = {}
            for audience, name in BUNDLES:
                if name == SECOND_CPS:
                    # CPS Direct receipts the first bundle (cosigns its checkpoint with
                    # its own key); the officer in the case records that receipt.
                    receipted = cps_receipt(root / FIRST_CPS, CPS_RECEIPTS[1], keys.receipts)
                    write_new_file(root / RECEIPTED, receipted.encode("utf-8"))
                    receipt = app.record_receipt(
                        case.case_id, people.pc.signer, receipted=receipted
                    )
                    app.add_note(case.case_id, people.pc.signer, text=BETWEEN_HANDOVERS)
                exported[name] = app.export_bundle(
                    case.case_id,
                    root / name,
                    checkpoint_signer=keys.checkpoint,
                    checkpoint_name=CHECKPOINT_NAME,
                    origin_namespace=DOMAIN,
                    evidence=store,
                    audience=audience,
                    # The second handover to the CPS is stamped by the local TSA.
                    tsa=None if tsa is None or name != SECOND_CPS else TimestampAuthority(tsa.url),
                    trust_list=keys.trust_list,
                    recipient=RECIPIENTS[audience],
                    # The officer in the case hands the file over, with her own key.
                    handed_over_by=people.pc.signer,
                )
                zip_bundle(root / name, root / f"{name}.zip")
            held = sum(1 for _ in app.disclosures(case.case_id))
            # The centre holds the tablet's disclosures under its stream's id.
            captured = (
                0 if case.tablet is None else sum(1 for _ in app.disclosures(case.tablet.stream))
            )
            note = app.checkpoint(case.case_id, keys.checkpoint, CHECKPOINT_NAME, DOMAIN)
            case_file = write_case_file(app, case.case_id, root, checkpoint=note)
        finally:
            if tablet is not None:
                tablet.close()
            app.close()
        verified = {
            path: verify_bundle(
                root / path, at=time.time_ns(), root=keys.root, report=True, keep_history=True
            )
            for _, name in BUNDLES
            for path in (name, f"{name}.zip")
        }
        for result in verified.values():
            if not result.verified:
                first = result.errors[0] if result.errors else None
                if first is not None:
                    raise first
                raise VerificationError("the demo bundle did not verify")
        # What `casefile verify bundle --previous bundle-first` shows: the CPS's second
        # bundle extends the first (same records first, a consistency proof between).
        previous = check_extends(
            verified[SECOND_CPS],
            exported[FIRST_CPS].checkpoint,
            trust=keys.trust,
            at=time.time_ns(),
        )
    checkpoint = verified[SECOND_CPS].checkpoint
    found = len(register.findings)
    signed = dict(case.records_by)
    labels = {"pc": people.pc.label, "dc": people.dc.label, "keeper": people.keeper.label}
    for who, n in prosecution.signed.items():
        label = labels.get(who, PROSECUTOR_LABEL)
        signed[label] = signed.get(label, 0) + n
    # The receipt and the note between the two handovers to the CPS, and the three
    # handovers: hers.
    signed[people.pc.label] = signed.get(people.pc.label, 0) + 2 + len(BUNDLES)
    summary = DemoSummary(
        elapsed=time.perf_counter() - started,
        folder=str(folder),
        records=sum(signed.values()),
        saves=case.saves + prosecution.saves,
        signed=", ".join(f"{label} {n}" for label, n in signed.items()),
        exhibits=len(register.exhibits),
        continuity=f"{found} finding(s)" if found else "no findings",
        checkpoint=f"{checkpoint.size} records, root {checkpoint.root.hex()[:16]}…"
        if checkpoint is not None
        else "?",
        bundle=withheld_line(exported[SECOND_CPS].info, held)
        + carried_line(folder / SECOND_CPS, captured),
        timestamp=timestamp_line(verified[SECOND_CPS]),
        defence=withheld_line(exported["bundle-defence"].info, held)
        + carried_line(folder / "bundle-defence", captured),
        first=exported[FIRST_CPS].info.records,
        linked=f"{previous.size} of its {checkpoint.size if checkpoint else '?'} records",
        receipt=receipt,
        case_file=case_file,
    )
    out.write(render_summary(summary, case) + "\n")
    return 0
