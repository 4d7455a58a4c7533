"""Generate the format vectors in case-v1.json from fixed keys, salts and times.

Run ``python tests/vectors/generate.py`` to rewrite the file after a deliberate
format change; ``test_vectors.py`` regenerates them in memory and compares, so
any unintended change to the bytes shows as a failing test.
"""

from __future__ import annotations

import hashlib
import json
import sys
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from _casebuilder import T0, CaseBuilder, CountingSalts, World, person_of  # noqa: E402
from casefile.signing._merkle import merkle_root  # noqa: E402
from casefile.signing._records import parse_record, signing_input  # noqa: E402
from casefile.signing._trust_json import dump_trust_store  # noqa: E402

VECTOR_FILE = HERE / "case-v1.json"
CASE_ID = uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")


def build() -> dict[str, Any]:
    world = World()
    case = CaseBuilder(CASE_ID, time_ns=T0, salts=CountingSalts("vector-salt"))
    minute = 60 * 10**9
    # The people the records name as acting: the holders of alice's and bob's keys (V15).
    alice, bob = (
        person_of(world.trust.get(k.public_key.key_id))  # type: ignore[arg-type]
        for k in (world.alice, world.bob)
    )
    # Payloads follow their types' schemas (docs/FORMAT.md §10), as every record must.
    case.add(
        world.alice,
        "case.opened",
        {"reference": "01YE1234526", "offence": "burglary", "channel": "officer_mobile"},
        time_ns=T0 + minute,
    )
    case.add(
        world.alice,
        "person.added",
        {"person_id": uuid.UUID("6f1c1f0e-3b9e-4c55-9a43-2f1d5e0a7b11").bytes, "role": "victim"},
        personal={"name": "Alex Example", "date_of_birth": "1980-02-29", "address": "1 High St"},
        time_ns=T0 + 2 * minute,
    )
    case.add(
        world.bob,
        "crime_report.recorded",
        {
            "offence": "burglary",
            "summary": "Rear window smashed; a laptop taken.",
            "location": "1 High St",
            "occurred_from": T0 - 8 * 3600 * 10**9,
            "occurred_to": T0,
            "reported_by": uuid.UUID("6f1c1f0e-3b9e-4c55-9a43-2f1d5e0a7b11").bytes,
        },
        time_ns=T0 + 3 * minute,
    )
    # Bob keys in a photograph alice captured: recorded for alice by bob ...
    case.add(
        world.bob,
        "evidence.captured",
        {
            "by": alice,
            "captured_at": T0 + 3 * minute,
            "description": "Rear window, point of entry.",
            "device": "Force tablet T-1138",
            "exhibit": "AE/1",
            "kind": "photo",
            "location": "1 High St",
            "media_type": "image/jpeg",
            "produced_by": None,
            "recorded_by": bob,
            "sha256": hashlib.sha256(b"photo").digest(),
            "size": 5,
        },
        time_ns=T0 + 4 * minute,
    )
    case.add(
        world.alice,
        "case.status_changed",
        {"status": "referred_to_cps", "reason": "File complete."},
        time_ns=T0 + 5 * minute,
    )
    # ... and alice confirms it with her own key.
    case.add(
        world.alice,
        "record.confirmed",
        {"by": alice, "confirms": 4, "recorded_by": None},
        time_ns=T0 + 6 * minute,
    )
    checkpoint = world.checkpoint(case)
    records = []
    for rec in case.sealed:
        parsed = parse_record(rec.raw)
        records.append(
            {
                "seq": rec.header.seq,
                "record": rec.raw.hex(),
                "header": parsed.header_bytes.hex(),
                "signing_input_sha256": hashlib.sha256(
                    signing_input(parsed.header_bytes)
                ).hexdigest(),
                "signature": parsed.signature.hex(),
                "record_hash": rec.hash.hex(),
                "commitments": {k: v.hex() for k, v in sorted(rec.header.commitments.items())},
            }
        )
    return {
        "description": "casefile format v1: a six-record case from fixed keys, salts and times",
        "case_id": str(CASE_ID),
        "keys": {
            name: {
                "seed": signer.seed.hex(),
                "public_key": signer.public_key.raw.hex(),
                "key_id": signer.public_key.key_id.hex(),
            }
            for name, signer in (("alice", world.alice), ("bob", world.bob), ("log", world.log))
        },
        "trust_store": json.loads(dump_trust_store(world.trust)),
        "records": records,
        "disclosures": [d.to_bytes().hex() for d in case.disclosures],
        "merkle_root": merkle_root([r.hash for r in case.sealed]).hex(),
        "checkpoint": checkpoint,
    }


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    VECTOR_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {VECTOR_FILE.name}")
