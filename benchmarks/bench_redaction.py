"""Redactable text in a realistic case, against the same records with the text in clear.

The case mix (default): 40 short records (notes, places, descriptions) of 5 to 30
words each, and 4 statements of 1,000 words each. Each record is sealed twice:

- redactable: the text fields as text commitments (FORMAT.md §4.1) in ``pd``,
  their full disclosures beside the record;
- clear (the baseline): the same payloads with the text as plain strings in
  ``data``, sealed straight with ``seal_record``.

Both are verified by the verifier without payload schemas, one process, so both
sides do the same work apart from the text (the redactable side also checks each
full text disclosure against its commitment, V11). It prints, each the median of
``--repeat`` runs, interleaved so that load on the machine hits both alike:

1. sealing, redactable / clear, as a rate ratio (target >= 0.5x);
2. verification, redactable / clear, as a rate ratio (target >= 0.7x);
3. a redacted export of one 1,000-word statement: 20 withheld runs applied to its
   full disclosure and the result encoded (target under 5 ms);
4. storage per word: disclosure bytes over the text's UTF-8 bytes and per word,
   and the constant 32 bytes a record holds per text field.

Run: python benchmarks/bench_redaction.py [--short N] [--statements M] [--repeat R]
"""

from __future__ import annotations

import argparse
import random
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench_core import interleaved

from _casebuilder import AT, World, person_of
from _textcase import random_text
from casefile.signing import TextDisclosure, commit_fields, split_units
from casefile.signing._records import ZERO_HASH, seal_record
from casefile.verifier import verify_case

_CASE = uuid.UUID("0192f1a2-0000-7000-8000-0000000000bd")


@dataclass(frozen=True, slots=True)
class _Payload:
    event_type: str
    data: dict[str, Any]
    texts: dict[str, str]


def case_mix(short: int, statements: int, by: dict[str, str], seed: int = 7) -> list[_Payload]:
    """``short`` notes and places of 5-30 words, then ``statements`` 1,000-word statements.

    ``by`` names who acted (V15 checks it against the signing key's holder).
    """
    rng = random.Random(seed)
    mix = []
    for i in range(short):
        kind = i % 3
        if kind == 0:
            mix.append(
                _Payload(
                    "note.added", {"note_id": i}, {"text": random_text(rng, rng.randint(5, 30))}
                )
            )
        elif kind == 1:
            mix.append(
                _Payload(
                    "evidence.captured",
                    {"exhibit": f"JS/{i}", "by": by, "recorded_by": None},
                    {
                        "description": random_text(rng, rng.randint(5, 30)),
                        "location": random_text(rng, rng.randint(5, 12)),
                    },
                )
            )
        else:
            mix.append(
                _Payload(
                    "exhibit.transferred",
                    {"exhibit": f"JS/{i}", "seal": f"S{i:06d}", "by": by, "recorded_by": None},
                    {"notes": random_text(rng, rng.randint(5, 30))},
                )
            )
    for i in range(statements):
        mix.append(
            _Payload(
                "statement.recorded",
                {
                    "declaration": "This statement is true.",
                    "statement_id": i,
                    "by": by,
                    "recorded_by": None,
                },
                {"body": random_text(rng, 1000), "place": random_text(rng, 6)},
            )
        )
    return mix


def seal_redactable(world: World, mix: Sequence[_Payload]) -> tuple[list[bytes], list[Any]]:
    records: list[bytes] = []
    disclosures: list[Any] = []
    prev = ZERO_HASH
    for seq, item in enumerate(mix, 1):
        commitments, opened = commit_fields(_CASE, seq, {}, texts=item.texts)
        rec = seal_record(
            case_id=_CASE,
            seq=seq,
            prev=prev,
            event_type=item.event_type,
            schema=1,
            time_ns=AT - 10**12 + seq,
            data=item.data,
            signer=world.alice,
            commitments=commitments,
        )
        prev = rec.hash
        records.append(rec.raw)
        disclosures.extend(opened)
    return records, disclosures


def seal_clear(world: World, mix: Sequence[_Payload]) -> list[bytes]:
    records: list[bytes] = []
    prev = ZERO_HASH
    for seq, item in enumerate(mix, 1):
        rec = seal_record(
            case_id=_CASE,
            seq=seq,
            prev=prev,
            event_type=item.event_type,
            schema=1,
            time_ns=AT - 10**12 + seq,
            data={**item.data, **item.texts},
            signer=world.alice,
        )
        prev = rec.hash
        records.append(rec.raw)
    return records


def measure(world: World, mix: Sequence[_Payload], repeat: int) -> tuple[float, ...]:
    """Median times of sealing and verifying ``mix``: redactable, clear, redactable, clear."""
    trust = world.trust
    records, disclosures = seal_redactable(world, mix)
    clear = seal_clear(world, mix)

    def verify_redactable() -> object:
        return verify_case(
            records, trust=trust, at=AT, case_id=_CASE, disclosures=disclosures, workers=1
        )

    def verify_clear() -> object:
        return verify_case(clear, trust=trust, at=AT, case_id=_CASE, workers=1)

    # Both must verify before they are timed, or the figures mean nothing.
    for run in (verify_redactable, verify_clear):
        if getattr(run(), "records", None) is None:
            raise SystemExit("the benchmark's case does not verify")
    seal_text, seal_plain = interleaved(
        repeat, lambda: seal_redactable(world, mix), lambda: seal_clear(world, mix)
    )
    verify_text, verify_plain = interleaved(repeat, verify_redactable, verify_clear)
    return seal_text, seal_plain, verify_text, verify_plain


def twenty_runs(n: int, runs: int, rng: random.Random) -> list[tuple[int, int]]:
    """``runs`` disjoint, non-adjacent runs of 1-6 units spread over ``n`` units."""
    step = n // runs
    out = []
    for k in range(runs):
        start = k * step + rng.randint(0, step // 2)
        out.append((start, min(start + rng.randint(1, 6), (k + 1) * step - 1)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", type=int, default=40)
    parser.add_argument("--statements", type=int, default=4)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    world = World()
    trust = world.trust
    alice = trust.by_name("test.police.uk/officer/alice")
    if alice is None:
        raise SystemExit("the benchmark's trust store lacks its officer")
    mix = case_mix(args.short, args.statements, person_of(alice))
    words = sum(len(split_units(t)) for p in mix for t in p.texts.values())
    _, disclosures = seal_redactable(world, mix)
    seal_text, seal_plain, verify_text, verify_plain = measure(world, mix, args.repeat)
    shorts = [p for p in mix if p.event_type != "statement.recorded"]
    short_times = measure(world, shorts, args.repeat)

    statement = next(d for d in disclosures if isinstance(d, TextDisclosure) and d.name == "body")
    runs = twenty_runs(statement.n, args.runs, random.Random(11))

    def export() -> bytes:
        return statement.redact(runs).to_bytes()

    (export_time,) = interleaved(max(args.repeat, 51), export)
    redacted = statement.redact(runs)
    redacted.commitment()  # the export is a disclosure that verifies

    text_bytes = sum(len(t.encode()) for p in mix for t in p.texts.values())
    stored = sum(len(d.to_bytes()) for d in disclosures)
    fields = sum(len(p.texts) for p in mix)
    print(
        f"case mix: {args.short} short records (notes, places, descriptions of 5-30 words), "
        f"{args.statements} statements of 1,000 words; {len(mix)} records, {fields} text "
        f"fields, {words} words"
    )
    seal_ratio = seal_plain / seal_text
    verify_ratio = verify_plain / verify_text
    print(
        f"seal     redactable {len(mix) / seal_text:9.0f} rec/s, clear "
        f"{len(mix) / seal_plain:9.0f} rec/s: ratio {seal_ratio:.2f}x (target >= 0.5x)"
    )
    print(
        f"verify   redactable {len(mix) / verify_text:9.0f} rec/s, clear "
        f"{len(mix) / verify_plain:9.0f} rec/s: ratio {verify_ratio:.2f}x (target >= 0.7x)"
    )
    s_text, s_plain, v_text, v_plain = short_times
    print(
        f"short    the {len(shorts)} short records alone: sealing {s_plain / s_text:.2f}x, "
        f"verification {v_plain / v_text:.2f}x of clear text"
    )
    print(
        f"export   a 1,000-word statement with {len(redacted.withheld)} withheld runs: "
        f"{export_time * 1e3:.2f} ms (target < 5 ms), {len(redacted.to_bytes())} bytes, "
        f"{len(redacted.seeds)} seeds, {len(redacted.hashes)} hashes"
    )
    print(
        f"storage  full disclosures {stored} bytes for {text_bytes} bytes of text: "
        f"{stored / text_bytes:.2f}x, {(stored - text_bytes) / words:.1f} bytes per word over "
        f"the text; the record holds 32 bytes per text field whatever its length"
    )


if __name__ == "__main__":
    main()
