"""An officer's app: one visit to a burglary victim, recorded as one unit of work.

    python examples/officer_visit.py OUTPUT_DIR

The first run sets up a (fictional) force in OUTPUT_DIR: the officer's sealed key
file, the case file service's checkpoint key, and the force's trust store. Each run
then records one visit in a single transaction: the crime report, the victim (whose
personal details are committed, never stored in clear in a signed record), a
photograph kept in the content-addressed evidence store and taken into the
officer's custody as an exhibit, sealed in a bag, and the victim's signed MG11
statement. Everything lands in OUTPUT_DIR/cases.sqlite.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import time
from pathlib import Path

from casefile.application import CasefileApp, StoreConfig
from casefile.events import Custodian, DcfUrnScheme
from casefile.evidence import FileSystemBlobStore
from casefile.signing import (
    Holder,
    InMemorySigner,
    TrustEntry,
    TrustStore,
    dump_trust_store,
    encrypt_private_key,
    load_private_key,
    load_trust_store,
)

# An officer types their passphrase into the device; it never lives in code.
PASSPHRASE = b"example passphrase - use a real secret"
FORCE = "Example Constabulary (fictional)"
OFFICER_KEY_NAME = "example.police.uk/officer/4721"
CHECKPOINT_KEY_NAME = "example.police.uk/casefile-checkpoint"
DAY_NS = 86_400 * 10**9
MINUTE_NS = 60 * 10**9
# How custody records name the officer: she signs each of them with her key.
OFFICER = Custodian(name="Sarah Okafor", number="4721", organisation=FORCE, rank="PC")

# The picture the tablet's camera took (a tiny real PNG, to keep the example short).
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCC"
)


def set_up_force(out: Path) -> None:
    """Make the officer's and the checkpoint service's keys and the trust store, once."""
    if (out / "trust.json").exists():
        return
    (out / "keys").mkdir(parents=True, exist_ok=True)
    now = time.time_ns()
    entries = []
    for file_name, name, holder, role in (
        ("pc-4721.key", OFFICER_KEY_NAME, Holder("Sarah Okafor", "PC", "4721", FORCE), "recorder"),
        (
            "checkpoint.key",
            CHECKPOINT_KEY_NAME,
            Holder("Case file service", "", "SVC-01", FORCE),
            "checkpoint",
        ),
    ):
        signer = InMemorySigner.generate()
        (out / "keys" / file_name).write_bytes(encrypt_private_key(signer.seed, PASSPHRASE))
        entries.append(
            TrustEntry(
                public_key=signer.public_key,
                name=name,
                holder=holder,
                roles=frozenset({role}),
                valid_from=now - DAY_NS,
                valid_until=now + 365 * DAY_NS,
            )
        )
    (out / "trust.json").write_text(dump_trust_store(TrustStore(entries)), encoding="utf-8")


def record_visit(out: Path) -> str:
    """Record one visit as one transaction; return the case's reference (URN)."""
    trust = load_trust_store(out / "trust.json")
    officer = load_private_key(out / "keys" / "pc-4721.key", PASSPHRASE)
    evidence = FileSystemBlobStore(out / "evidence")
    app = CasefileApp(
        store=StoreConfig.sqlite(out / "cases.sqlite"),
        trust=trust,
        # The station's serial counter: in production, a database sequence.
        reference_scheme=DcfUrnScheme("42", "EX", lambda: len(app.list_cases()) + 1),
    )
    try:
        now = time.time_ns()
        with app.open_session(officer, offence="burglary", channel="officer_mobile") as case:
            victim = case.add_person(
                role="victim",
                name="Margaret Hale",
                date_of_birth="1958-03-14",
                address="14 Larch Close, Northam",
            )
            case.record_crime_report(
                offence="Burglary (dwelling), Theft Act 1968 s.9(1)(b)",
                summary="Rear door forced; jewellery box taken from the bedroom.",
                location="14 Larch Close, Northam",
                occurred_from=now - 10 * 60 * MINUTE_NS,
                occurred_to=now - 60 * MINUTE_NS,
                reported_by=victim,
            )
            photo = evidence.put_stream(io.BytesIO(PHOTO))
            case.capture_evidence(
                exhibit="SO/1",
                kind="photo",
                sha256=photo.sha256,
                size=photo.size,
                media_type="image/png",
                device="Force tablet T-0193",
                location="14 Larch Close, rear door",
                captured_at=now,
                description="Pry marks on the rear door frame",
            )
            # A captured photograph is in its capturer's custody from capture: the
            # officer seals its master copy in a bag, no seizure needed. Commands of a
            # session act as the holder of its key, so `by` defaults to the officer.
            case.package_exhibit(
                exhibit="SO/1",
                place="14 Larch Close, Northam",
                # Seal numbers are never reused: this one quotes the case's reference.
                bag="EB-1",
                seal=f"SEAL-{case.reference}-1",
            )
            statement = case.record_statement(
                witness_id=victim,
                declaration="This statement is true to the best of my knowledge and belief.",
                body="I came home at 17:45 and found the back door forced open.",
                place="14 Larch Close, Northam",
                started_at=now - 30 * MINUTE_NS,
                ended_at=now - 5 * MINUTE_NS,
            )
            case.sign_statement(
                statement_id=statement,
                signature_sha256=hashlib.sha256(b"signature pad capture").digest(),
            )
            reference = case.reference
            records = len(case.pending_events)
        # Leaving the block sealed every record with the officer's key and stored them at once.
        print(f"case {reference}: {records} records stored in one transaction")
        return reference
    finally:
        app.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder (created if missing)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    set_up_force(args.out)
    record_visit(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
