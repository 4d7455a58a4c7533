"""``casefile demo``: the whole life of a burglary case on embedded SQLite, in a few seconds.

Two officers, a property officer and a lab examiner get keys (sealed key
files and a trust store) and record the case on their devices: statements,
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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from casefile._time import ns_to_human
from casefile.cli._demo_tsa import demo_tsa, tsa_anchors
from casefile.cli._files import staged_directory, write_new_file
from casefile.cli._register import verified_register
from casefile.cli._secrets import key_file_bytes, load_signer
from casefile.errors import InputError, VerificationError
from casefile.signing import (
    CHECKPOINT_ROLE,
    PROSECUTOR_ROLE,
    RECIPIENT_ROLE,
    RECORDER_ROLE,
    REDACTOR_ROLE,
    SUPERVISOR_ROLE,
    Holder,
    InMemorySigner,
    Signer,
    TimestampAuthorities,
    TrustEntry,
    TrustStore,
    dump_trust_store,
)

if TYPE_CHECKING:
    from casefile.bundle import BundleInfo, BundleVerification, Root
    from casefile.cli._demo_case import DemoCase
    from casefile.cli._demo_casefile import CaseFileOutput
    from casefile.cli._demo_custody import DemoPeople

__all__ = ["DEMO_PASSPHRASE", "add_demo_parser", "run_demo"]

#: The passphrase of the demo's key files (a demo: real keys need a real secret).
DEMO_PASSPHRASE: Final = "casefile demo passphrase"  # noqa: S105 - published on purpose
FORCE: Final = "Northshire Police (fictional)"
LAB_ORGANISATION: Final = "Northshire Scientific Services (fictional)"
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
    recorders: tuple[Signer, ...]
    prosecutor: Signer
    receipts: Signer
    checkpoint: Signer
    trust: TrustStore
    #: The force's root (keys/root.json) and the trust store signed under it.
    root: Root
    trust_list: bytes


# (key file, key name, holder, role, surname, initials, custody role)
_PEOPLE: Final = (
    ("pc-4721", "officer/4721", Holder("Sarah Okafor", "PC", "4721", FORCE), "Okafor", "SO",
     "officer in the case"),
    ("dc-3308", "officer/3308", Holder("Daniel Reyes", "DC", "3308", FORCE), "Reyes", "DR",
     "investigating officer"),
    ("ps-2291", "staff/PS-2291", Holder("Janet Moss", "", "PS-2291", FORCE), "Moss", "JM",
     "property officer"),
    ("fs-0417", "lab/FS-0417", Holder("Dr Priya Nair", "", "FS-0417", LAB_ORGANISATION), "Nair",
     "PN", "forensic examiner"),
)  # fmt: skip


# The CPS prosecutor who decides to charge and marks the unused material, with her own key.
_PROSECUTOR: Final = (
    "cps-1187",
    "cps.gov.example/prosecutor/CPS-1187",
    Holder("Aisha Bello", "", "CPS-1187", "Crown Prosecution Service"),
)

_PROSECUTOR_LABEL: Final = "CPS-1187 Bello"

# The key with which CPS Direct gives receipts (cosignatures) for the bundles it receives.
_CPS_RECEIPTS: Final = (
    "cps-receipts",
    "cps.gov.example/receipts",
    Holder("CPS Direct, Northshire", "", "CPS-DIRECT", "Crown Prosecution Service"),
)

# Beyond recording: the officer in the case decides redactions, and the
# investigating officer supervises the case, so may record an erasure.
_EXTRA_ROLES: Final = {"pc-4721": (REDACTOR_ROLE,), "dc-3308": (SUPERVISOR_ROLE,)}


def _make_keys(folder: Path, now: int, tsa: TimestampAuthorities | None) -> _Keys:
    """Seven keys, sealed in key files, opened again as a device would, and a trust store
    (naming the demo's time-stamping authority, if it has one)."""
    folder.mkdir()
    passphrase = DEMO_PASSPHRASE.encode("utf-8")
    write_new_file(folder / "demo-passphrase.txt", passphrase + b"\n", mode=0o600)
    people = [
        (file, f"{DOMAIN}/{name}", holder, frozenset({RECORDER_ROLE, *_EXTRA_ROLES.get(file, ())}))
        for file, name, holder, *_ in _PEOPLE
    ]
    people.append((*_PROSECUTOR, frozenset({PROSECUTOR_ROLE})))
    people.append((*_CPS_RECEIPTS, frozenset({RECIPIENT_ROLE})))
    service = Holder("Northshire case file service", "", "SVC-01", FORCE)
    people.append(("checkpoint", CHECKPOINT_NAME, service, frozenset({CHECKPOINT_ROLE})))
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
                name=key_name,
                holder=holder,
                roles=role,
                valid_from=now - 30 * _DAY,
                valid_until=now + 365 * _DAY,
            )
        )
    trust = TrustStore(entries, timestamping=tsa)
    write_new_file(folder / "trust.json", dump_trust_store(trust).encode("utf-8"))
    root, trust_list = _sign_trust(folder, trust, now, passphrase)
    return _Keys(
        tuple(signers[:-3]), signers[-3], signers[-2], signers[-1], trust, root, trust_list
    )


def _sign_trust(folder: Path, trust: TrustStore, now: int, passphrase: bytes) -> tuple[Root, bytes]:
    """The force's root key (kept offline in practice), its root, and the trust list it signs."""
    from casefile.bundle import Root, RootKey, open_root, sign_root, sign_trust_list

    path = folder / "root.key"
    write_new_file(path, key_file_bytes(InMemorySigner.generate(), passphrase), mode=0o600)
    key = load_signer(path, lambda: passphrase)
    root = Root(1, now + 5 * 365 * _DAY, (RootKey(key.public_key, f"{DOMAIN}/root"),), 1)
    root_bytes = sign_root(root, [key])
    write_new_file(folder / "root.json", root_bytes)
    listed = sign_trust_list(
        trust, version=1, expires=now + 365 * _DAY, root_version=1, signers=[key]
    )
    write_new_file(folder / "trust-list.json", listed)
    return open_root(root_bytes), listed


def _people(signers: tuple[Signer, ...]) -> DemoPeople:
    """The demo's recorders, each with the key opened from their key file."""
    from casefile.cli._demo_custody import DemoPeople, Officer

    officers = [
        Officer(holder.rank, holder.number, surname, initials, signer, holder.name, holder.force,
                role)
        for (_, _, holder, surname, initials, role), signer in zip(_PEOPLE, signers, strict=True)
    ]  # fmt: skip
    return DemoPeople(*officers)


def run_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Build the demo folder, then print what is in it."""
    # Imported here: the other commands start without eventsourcing.
    from casefile.application import CasefileApp, StoreConfig, TimestampAuthority
    from casefile.bundle import check_extends, verify_bundle, zip_bundle
    from casefile.cli._demo_case import record_demo_case
    from casefile.cli._demo_casefile import write_case_file
    from casefile.cli._demo_prosecution import cps_receipt, record_prosecution
    from casefile.events import DcfUrnScheme
    from casefile.evidence import FileSystemBlobStore

    started = time.perf_counter()
    now = time.time_ns()
    folder: Path = args.out if args.out is not None else _default_folder(now)
    with staged_directory(folder) as root, demo_tsa() as tsa:
        keys = _make_keys(root / "keys", now, tsa_anchors(tsa))
        store = FileSystemBlobStore(root / "evidence")
        app = CasefileApp(
            store=StoreConfig.sqlite(root / "casefile.sqlite"),
            trust=keys.trust,
            # One station's counter; a force keeps it in its database.
            reference_scheme=DcfUrnScheme("42", "NS", lambda: 12345),
        )
        try:
            people = _people(keys.recorders)
            case = record_demo_case(app, people, now=now, store=store)
            prosecution = record_prosecution(app, case, people, keys.prosecutor, store=store)
            # What an auditor will see: the register of the records as verified.
            register = verified_register(app, case.case_id, at=time.time_ns())
            # Two successive handovers to the CPS, with a record made between them, and
            # one to the defence; each applies the redaction decisions made for its
            # audience (and, for the defence, never the witness's restricted details),
            # ends with its own handover record, and is zipped as well. The second CPS
            # bundle carries the first's checkpoint with a proof that it extends it.
            exported = {}
            for audience, name in _BUNDLES:
                if name == _SECOND_CPS:
                    # CPS Direct receipts the first bundle (cosigns its checkpoint with
                    # its own key); the officer in the case records that receipt.
                    receipted = cps_receipt(root / _FIRST_CPS, _CPS_RECEIPTS[1], keys.receipts)
                    write_new_file(root / _RECEIPTED, receipted.encode("utf-8"))
                    receipt = app.record_receipt(
                        case.case_id, people.pc.signer, receipted=receipted
                    )
                    app.add_note(case.case_id, people.pc.signer, text=_BETWEEN_HANDOVERS)
                exported[name] = app.export_bundle(
                    case.case_id,
                    root / name,
                    checkpoint_signer=keys.checkpoint,
                    checkpoint_name=CHECKPOINT_NAME,
                    origin_namespace=DOMAIN,
                    evidence=store,
                    audience=audience,
                    # The second handover to the CPS is stamped by the local TSA.
                    tsa=None if tsa is None or name != _SECOND_CPS else TimestampAuthority(tsa.url),
                    trust_list=keys.trust_list,
                    recipient=_RECIPIENTS[audience],
                    # The officer in the case hands the file over, with her own key.
                    handed_over_by=people.pc.signer,
                )
                zip_bundle(root / name, root / f"{name}.zip")
            held = sum(1 for _ in app.disclosures(case.case_id))
            note = app.checkpoint(case.case_id, keys.checkpoint, CHECKPOINT_NAME, DOMAIN)
            case_file = write_case_file(app, case.case_id, root, checkpoint=note)
        finally:
            app.close()
        verified = {
            path: verify_bundle(
                root / path, at=time.time_ns(), root=keys.root, report=True, keep_history=True
            )
            for _, name in _BUNDLES
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
            verified[_SECOND_CPS],
            exported[_FIRST_CPS].checkpoint,
            trust=keys.trust,
            at=time.time_ns(),
        )
    checkpoint = verified[_SECOND_CPS].checkpoint
    found = len(register.findings)
    signed = dict(case.records_by)
    labels = {"pc": people.pc.label, "dc": people.dc.label, "keeper": people.keeper.label}
    for who, n in prosecution.signed.items():
        label = labels.get(who, _PROSECUTOR_LABEL)
        signed[label] = signed.get(label, 0) + n
    # The receipt and the note between the two handovers to the CPS, and the three
    # handovers: hers.
    signed[people.pc.label] = signed.get(people.pc.label, 0) + 2 + len(_BUNDLES)
    summary = _Summary(
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
        bundle=_withheld_line(exported[_SECOND_CPS].info, held, case),
        timestamp=_timestamp_line(verified[_SECOND_CPS]),
        defence=_withheld_line(exported["bundle-defence"].info, held, case),
        first=exported[_FIRST_CPS].info.records,
        linked=f"{previous.size} of its {checkpoint.size if checkpoint else '?'} records",
        receipt=receipt,
        case_file=case_file,
    )
    out.write(_render(summary, case) + "\n")
    return 0


@dataclass(frozen=True, slots=True)
class _Summary:
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


#: The bundles the demo writes, in order: (audience, folder); each also as ``<folder>.zip``.
_FIRST_CPS: Final = "bundle-first"
_SECOND_CPS: Final = "bundle"
_BUNDLES: Final = (("cps", _FIRST_CPS), ("cps", _SECOND_CPS), ("defence", "bundle-defence"))
#: Whom each audience's bundles are handed to (their handover records name them).
_RECIPIENTS: Final = {
    "cps": "CPS Direct, Northshire",
    "defence": "Defence solicitors for the suspect",
}
#: Recorded after the first handover to the CPS and before the second.
#: The first CPS bundle's checkpoint with the CPS's cosignature: what the CPS keeps.
_RECEIPTED: Final = "bundle-first.receipt.txt"
_BETWEEN_HANDOVERS: Final = (
    "Victim told of the charge and of the first hearing date, as the Victims' Code requires."
)


def _timestamp_line(result: BundleVerification) -> str:
    proven = result.trusted_time
    if proven is None:
        return "skipped: openssl is not installed, so the demo has no time-stamping authority"
    return (
        f"bundle/'s checkpoint existed by {ns_to_human(proven.time)}, says a local TSA (openssl ts)"
    )


def _withheld_line(info: BundleInfo, held: int, case: DemoCase) -> str:
    return f"{info.disclosures} of {held} fields disclosed"


def _completeness(output: CaseFileOutput) -> str:
    """The completeness report of the case file in one line, or the lacks it lists."""
    if not output.lacking:
        return "anticipated not-guilty plea file: complete, nothing lacking"
    return f"anticipated not-guilty plea file lacks {len(output.lacking)}: " + "; ".join(
        output.lacking
    )


def _render(summary: _Summary, case: DemoCase) -> str:
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
        "  recorded    report at the scene, victim and witness (personal data committed),",
        f"              2 MG11 statements, {case.photographs} photographs and an audio clip, "
        "notes,",
        f"              a correction (record {case.corrected[0]} by record {case.corrected[1]}), "
        "2 redaction decisions, referred_to_cps",
        "  prosecuted  suspect named, arrested, interviewed (recording DR/3, its SHA-256 checked);",
        "              burglary alleged, each point to prove tied to its evidence; MG3 to the CPS;",
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
        f"{_RECEIPTED}); a note;",
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
