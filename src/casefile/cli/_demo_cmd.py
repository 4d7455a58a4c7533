"""``casefile demo``: the whole life of a burglary case on embedded SQLite, in a few seconds.

Two officers get keys (sealed key files and a trust store), record the case
on their devices, the force's case file service signs a checkpoint and hands
the case over as a bundle (a directory and a zip), and both are verified
against the trust store. Everything is built in a temporary folder and takes
its name only once it all verified.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

from casefile.cli._files import staged_directory, write_new_file
from casefile.cli._secrets import key_file_bytes, load_signer
from casefile.errors import InputError, VerificationError
from casefile.signing import (
    CHECKPOINT_ROLE,
    RECORDER_ROLE,
    Holder,
    InMemorySigner,
    TrustEntry,
    TrustStore,
    dump_trust_store,
)

__all__ = ["DEMO_PASSPHRASE", "add_demo_parser", "run_demo"]

#: The passphrase of the demo's key files (a demo: real keys need a real secret).
DEMO_PASSPHRASE: Final = "casefile demo passphrase"  # noqa: S105 - published on purpose
FORCE: Final = "Northshire Police (fictional)"
DOMAIN: Final = "northshire.police.example"
CHECKPOINT_NAME: Final = f"{DOMAIN}/casefile-checkpoint"
_DAY: Final = 86_400 * 10**9


def add_demo_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``demo``."""
    demo = commands.add_parser(
        "demo",
        parents=parents,
        help="record a burglary case on SQLite, hand it over as a bundle, and verify it",
        description="Record a realistic burglary case (two officers, statements, photographs, "
        "a correction, a referral to the CPS) in an SQLite file, export it as a handover "
        "bundle and zip, and verify both.",
    )
    demo.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="a new (or empty) folder to write into (default: ./casefile-demo-<time>)",
    )
    demo.set_defaults(handler=run_demo)


def _default_folder(now: int) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now // 10**9))
    for attempt in range(1, 100):
        name = f"casefile-demo-{stamp}" + (f"-{attempt}" if attempt > 1 else "")
        if not os.path.lexists(name):
            return Path(name)
    raise InputError("too many demo folders for this second; give --out DIR")


@dataclass(frozen=True, slots=True)
class _Keys:
    pc: InMemorySigner
    dc: InMemorySigner
    checkpoint: InMemorySigner
    trust: TrustStore


def _make_keys(folder: Path, now: int) -> _Keys:
    """Three keys, sealed in key files, opened again as a device would, and a trust store."""
    folder.mkdir()
    passphrase = DEMO_PASSPHRASE.encode("utf-8")
    write_new_file(folder / "demo-passphrase.txt", passphrase + b"\n", mode=0o600)
    people = (
        ("pc-4721", "officer/4721", Holder("Sarah Okafor", "PC", "4721", FORCE), RECORDER_ROLE),
        ("dc-3308", "officer/3308", Holder("Daniel Reyes", "DC", "3308", FORCE), RECORDER_ROLE),
        (
            "checkpoint",
            "casefile-checkpoint",
            Holder("Northshire case file service", "", "SVC-01", FORCE),
            CHECKPOINT_ROLE,
        ),
    )
    entries = []
    signers = []
    for file_name, key_name, holder, role in people:
        path = folder / f"{file_name}.key"
        write_new_file(path, key_file_bytes(InMemorySigner.generate(), passphrase), mode=0o600)
        signer = load_signer(path, lambda: passphrase)
        signers.append(signer)
        entries.append(
            TrustEntry(
                public_key=signer.public_key,
                name=f"{DOMAIN}/{key_name}",
                holder=holder,
                roles=frozenset({role}),
                valid_from=now - 30 * _DAY,
                valid_until=now + 365 * _DAY,
            )
        )
    trust = TrustStore(entries)
    write_new_file(folder / "trust.json", dump_trust_store(trust).encode("utf-8"))
    return _Keys(signers[0], signers[1], signers[2], trust)


def run_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Build the demo folder, then print what is in it."""
    # Imported here: the other commands start without eventsourcing.
    from casefile.application import CasefileApp, StoreConfig
    from casefile.bundle import DisclosurePolicy, verify_bundle, write_bundle, zip_bundle
    from casefile.cli._demo_case import Officer, record_demo_case
    from casefile.events import DcfUrnScheme

    started = time.perf_counter()
    now = time.time_ns()
    folder: Path = args.out if args.out is not None else _default_folder(now)
    with staged_directory(folder) as root:
        keys = _make_keys(root / "keys", now)
        (root / "evidence").mkdir()
        app = CasefileApp(
            store=StoreConfig.sqlite(root / "casefile.sqlite"),
            trust=keys.trust,
            # One station's counter; a force keeps it in its database.
            reference_scheme=DcfUrnScheme("42", "NS", lambda: 12345),
        )
        try:
            pc = Officer("PC", "4721", "Okafor", "SO", keys.pc)
            dc = Officer("DC", "3308", "Reyes", "DR", keys.dc)
            case = record_demo_case(app, pc, dc, now=now, evidence_dir=root / "evidence")
            note = app.checkpoint(case.case_id, keys.checkpoint, CHECKPOINT_NAME, DOMAIN)
            policy = DisclosurePolicy.only(["name"])
            info = write_bundle(
                root / "bundle",
                case_id=case.case_id,
                records=app.records(case.case_id),
                disclosures=app.disclosures(case.case_id),
                trust=keys.trust,
                checkpoint_note=note,
                signer=keys.checkpoint,
                evidence=dict(case.evidence),
                disclosure_policy=policy,
            )
            zip_bundle(root / "bundle", root / "bundle.zip")
            withheld = sum(1 for _ in app.disclosures(case.case_id)) - info.disclosures
        finally:
            app.close()
        results = [
            verify_bundle(root / name, at=time.time_ns(), trust=keys.trust, report=True)
            for name in ("bundle", "bundle.zip")
        ]
        for result in results:
            if not result.verified:
                first = result.errors[0] if result.errors else None
                if first is not None:
                    raise first
                raise VerificationError("the demo bundle did not verify")
    elapsed = time.perf_counter() - started
    checkpoint = results[0].checkpoint
    root_hex = checkpoint.root.hex()[:16] if checkpoint is not None else "?"
    pc_count = case.records_by[pc.label]
    dc_count = case.records_by[dc.label]
    total = pc_count + dc_count
    shown = str(folder)
    lines = [
        f"casefile demo: a burglary recorded, handed over and verified in {elapsed:.1f} s",
        "",
        f"  case        {case.reference}  burglary at {case.location}",
        f"              id {case.case_id}",
        f"  records     {total} in {case.saves} saves, each signed by the recording officer",
        f"  officers    PC 4721 Okafor: {pc_count} records; DC 3308 Reyes: {dc_count} records",
        "  recorded    report at the scene, victim and witness (personal data committed),",
        "              2 MG11 statements signed by the witnesses, 4 photographs, notes,",
        f"              a correction (record {case.corrected[0]} by record {case.corrected[1]}), "
        "referred_to_cps",
        f"  checkpoint  {checkpoint.size if checkpoint else '?'} records, root {root_hex}…, "
        f"signed by {CHECKPOINT_NAME}",
        f"  bundle      {info.disclosures} names disclosed, {withheld} other personal fields "
        f"withheld; {info.evidence_files} evidence files",
        "  verified    yes: bundle/ and bundle.zip, against keys/trust.json",
        "",
        f"files in {shown}{os.sep}",
        "  casefile.sqlite  the case store (embedded SQLite)",
        "  keys/            sealed key files (passphrase: keys/demo-passphrase.txt), trust.json",
        "  evidence/        the photographs as captured",
        "  bundle/          the handover bundle; bundle.zip is the same as one zip file",
        "",
        f"try: casefile verify {shown}{os.sep}bundle.zip --trust {shown}{os.sep}keys{os.sep}"
        "trust.json",
    ]
    out.write("\n".join(lines) + "\n")
    return 0
