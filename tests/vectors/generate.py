"""Generate the format vectors in case-v2.json from fixed keys, salts and times.

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

from _casebuilder import (  # noqa: E402
    T0,
    CaseBuilder,
    CountingSalts,
    World,
    entry_for,
    person_of,
)
from casefile.signing._merkle import merkle_root  # noqa: E402
from casefile.signing._records import parse_record, signing_input  # noqa: E402
from casefile.signing._text import TextDisclosure  # noqa: E402
from casefile.signing._trust import TrustStore  # noqa: E402
from casefile.signing._trust_json import dump_trust_store  # noqa: E402

VECTOR_FILE = HERE / "case-v2.json"
CASE_ID = uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")
STATEMENT = (
    "I live at 14 Larch Close, Northshire NS4 7QT. At about 23:10 on Friday I was walking "
    "along Mill Lane towards the station when a man in a grey hooded top pulled my bag "
    "from my shoulder and ran towards the canal."
)
#: The victim's home address: withheld from the statement for the CPS and the defence.
HOME_ADDRESS = "14 Larch Close, Northshire NS4 7QT. "
NOTE = "Called the victim back on 07700 900123 to arrange the statement; she asked us to use it."
#: Erased from the note at the victim's request: her telephone number.
ERASED = "07700 900123 "


def _runs_of(disclosure: TextDisclosure, *phrases: str) -> list[tuple[int, int]]:
    """The unit runs that hold exactly each phrase of the disclosure's text."""
    text = "".join(disclosure.units)
    offsets = disclosure.unit_offsets()
    runs = []
    for phrase in phrases:
        start = text.index(phrase)
        end = start + len(phrase)
        units = [u for u, a, b in offsets if a < end and b > start]
        assert "".join(disclosure.units[units[0] : units[-1] + 1]) == phrase
        runs.append((units[0], units[-1] + 1))
    return runs


def _trust(world: World) -> TrustStore:
    # Alice may also record redaction decisions and bob erasures (FORMAT.md §10.4).
    return TrustStore(
        [
            entry_for(
                world.alice,
                "test.police.uk/officer/alice",
                roles=frozenset({"recorder", "redactor"}),
            ),
            entry_for(
                world.bob,
                "test.police.uk/officer/bob",
                roles=frozenset({"recorder", "data_protection"}),
            ),
            entry_for(world.log, "test.police.uk/log", roles=frozenset({"checkpoint"})),
        ]
    )


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
            "occurred_from": T0 - 8 * 3600 * 10**9,
            "occurred_to": T0,
            "reported_by": uuid.UUID("6f1c1f0e-3b9e-4c55-9a43-2f1d5e0a7b11").bytes,
        },
        texts={"summary": "Rear window smashed; a laptop taken.", "location": "1 High St"},
        time_ns=T0 + 3 * minute,
    )
    # Bob keys in a photograph alice captured: recorded for alice by bob ...
    case.add(
        world.bob,
        "evidence.captured",
        {
            "by": alice,
            "captured_at": T0 + 3 * minute,
            "device": "Force tablet T-1138",
            "exhibit": "AE/1",
            "kind": "photo",
            "media_type": "image/jpeg",
            "produced_by": None,
            "recorded_by": bob,
            "sha256": hashlib.sha256(b"photo").digest(),
            "size": 5,
        },
        texts={"description": "Rear window, point of entry.", "location": "1 High St"},
        time_ns=T0 + 4 * minute,
    )
    case.add(
        world.alice,
        "case.status_changed",
        {"status": "referred_to_cps"},
        texts={"reason": "File complete."},
        time_ns=T0 + 5 * minute,
    )
    # ... and alice confirms it with her own key.
    case.add(
        world.alice,
        "record.confirmed",
        {"by": alice, "confirms": 4, "recorded_by": None},
        time_ns=T0 + 6 * minute,
    )
    # The victim's statement: its body names her home address, which is not the scene.
    statement = case.add(
        world.alice,
        "statement.recorded",
        {
            "age": None,
            "by": alice,
            "declaration": "This statement is true to the best of my knowledge and belief.",
            "ended_at": T0 + 40 * minute,
            "exhibits": [],
            "over_18": True,
            "recorded_by": None,
            "started_at": T0 + 10 * minute,
            "statement_id": uuid.UUID("2d7b3c1e-8f4a-4b6e-9c2d-1a0e5f3b7c90").bytes,
            "witness_id": uuid.UUID("6f1c1f0e-3b9e-4c55-9a43-2f1d5e0a7b11").bytes,
        },
        texts={"body": STATEMENT, "place": "Kirkgate police station"},
        time_ns=T0 + 41 * minute,
    )
    note = case.add(world.bob, "note.added", {}, texts={"text": NOTE}, time_ns=T0 + 42 * minute)
    # Alice withholds the address from the CPS and the defence: a signed decision.
    body = _text_disclosure(case, statement.header.seq, "body")
    address_runs = _runs_of(body, HOME_ADDRESS)
    case.add(
        world.alice,
        "redaction.decided",
        {
            "audiences": ["cps", "defence"],
            "by": alice,
            "field": "body",
            "reason": "victim_or_witness_contact_details",
            "record": statement.header.seq,
            "recorded_by": None,
            "runs": [list(run) for run in address_runs],
        },
        texts={"explanation": "The victim's home address is not needed: the scene is."},
        time_ns=T0 + 50 * minute,
    )
    # Bob erases the telephone number from the note, at the victim's request.
    text = _text_disclosure(case, note.header.seq, "text")
    erased_runs = _runs_of(text, ERASED)
    case.add(
        world.bob,
        "disclosure.erased",
        {
            "basis": "erasure_request",
            "by": bob,
            "field": "text",
            "record": note.header.seq,
            "recorded_by": None,
            "runs": [list(run) for run in erased_runs],
        },
        texts={"explanation": "The victim asked that her number be erased."},
        time_ns=T0 + 51 * minute,
    )
    # The disclosures as an export for the CPS holds them: the statement with the
    # address withheld, the note with the number erased for good.
    case.disclosures = [
        body.redact(address_runs) if d is body else text.redact(erased_runs) if d is text else d
        for d in case.disclosures
    ]
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
        "description": (
            "casefile format v2: a ten-record case from fixed keys, salts and times, with a "
            "redacted statement and an erased note"
        ),
        "case_id": str(CASE_ID),
        "keys": {
            name: {
                "seed": signer.seed.hex(),
                "public_key": signer.public_key.raw.hex(),
                "key_id": signer.public_key.key_id.hex(),
            }
            for name, signer in (("alice", world.alice), ("bob", world.bob), ("log", world.log))
        },
        "trust_store": json.loads(dump_trust_store(_trust(world))),
        "records": records,
        "disclosures": [d.to_bytes().hex() for d in case.disclosures],
        "redacted": {
            "statement": {"seq": statement.header.seq, "field": "body", "runs": address_runs},
            "note": {"seq": note.header.seq, "field": "text", "runs": erased_runs},
        },
        "merkle_root": merkle_root([r.hash for r in case.sealed]).hex(),
        "checkpoint": checkpoint,
    }


def _text_disclosure(case: CaseBuilder, seq: int, name: str) -> TextDisclosure:
    (found,) = [d for d in case.disclosures if (d.seq, d.name) == (seq, name)]
    assert isinstance(found, TextDisclosure)
    return found


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    VECTOR_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {VECTOR_FILE.name}")
