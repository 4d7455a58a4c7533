"""What B15 (receipts and witnesses) adds to verifying a bundle, against floors of the same run.

Verifying a record is bound by one Ed25519 verification (PyNaCl). B15 looks at each record
for receipts and, per receipt, reads the root of the prefix it acknowledges from the history
B13 and B14 snapshot after each handover, and checks one cosignature. Printed ratios:

* B15 over n records holding one receipt of a handover halfway / n Ed25519 verifications: the
  share of the verification floor B15 adds to such a bundle (0.02 means 2 %);
* ``verify_cosignature`` / one raw PyNaCl verification of the same message: the overhead of
  building the cosigned message and checking the key id (1.0 is none).

Run: python benchmarks/bench_receipts.py [--records N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import statistics
import time
import uuid
from collections.abc import Callable

from nacl.signing import SigningKey, VerifyKey

from casefile.bundle._history import HistoryCollector
from casefile.bundle._receipts import ReceiptCheck
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._cosignature import cosign_checkpoint, cosignature_message, verify_cosignature
from casefile.signing._keys import InMemorySigner
from casefile.signing._merkle import merkle_root
from casefile.signing._trust import Holder, TrustEntry, TrustStore
from casefile.verifier._verified import VerifiedRecord


def _best(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n, repeats = args.records, args.repeats

    signer = InMemorySigner(bytes(range(32)))
    entry = TrustEntry(
        public_key=signer.public_key,
        name="force.example/officer/1",
        holder=Holder("A Officer", "PC", "1", "Example Police"),
        roles=frozenset({"recorder"}),
        valid_from=0,
    )
    case_id = uuid.UUID(int=1)
    half = n // 2
    cps = InMemorySigner(bytes(range(1, 33)))
    recipient = TrustEntry(
        public_key=cps.public_key,
        name="cps.example/receipts",
        holder=Holder("A Prosecutor", "", "CPS-1", "Crown Prosecution Service"),
        roles=frozenset({"recipient"}),
        valid_from=0,
    )
    hashes = [hashlib.sha256(seq.to_bytes(8, "big")).digest() for seq in range(1, n + 1)]
    origin = f"force.example/{case_id}"
    body = Checkpoint(origin, half, merkle_root(hashes[:half])).body()
    cosignature = cosign_checkpoint(body, recipient.name, cps, 1)
    receipt = {
        "by": {"name": "A Prosecutor", "number": "CPS-1",
               "organisation": "Crown Prosecution Service", "rank": "", "role": "recipient"},
        "recorded_by": None, "checkpoint": body, "cosignature": cosignature.line,
    }  # fmt: skip
    handed = {"recipient": "CPS", "audience": "cps", "checkpoint": ""}

    def record(seq: int) -> VerifiedRecord:
        kind, schema, data = "note.added", 1, {}
        if seq == half:
            kind, schema, data = "case.handed_over", 2, handed
        elif seq == n:
            kind, data = "receipt.recorded", receipt
        return VerifiedRecord(
            case_id=case_id, seq=seq, event_type=kind, schema=schema, time_ns=10**9 * seq,
            signer=entry, data=data, commitments={}, disclosed={}, hash=hashes[seq - 1], raw=b"",
        )  # fmt: skip

    records = [record(seq) for seq in range(1, n + 1)]
    collected = HistoryCollector()  # kept for B13 and B14 whether or not B15 runs
    for r in records:
        collected.take(r.seq, r.event_type, r.schema, r.time_ns, r.data, r.hash)
    history = collected.history(n)
    trust = TrustStore([entry, recipient])
    note = Checkpoint(origin, n, bytes(32)).body() + "\n\u2014 x AAAAAAAA\n"
    key = SigningKey(bytes(range(32)))
    messages = [bytes(200) + seq.to_bytes(8, "big") for seq in range(n)]
    signed = [(m, key.sign(m).signature) for m in messages]
    verify_key = key.verify_key

    def floor() -> None:
        for message, signature in signed:
            verify_key.verify(message, signature)

    def b15_walk() -> None:
        check = ReceiptCheck(trust, case_id, 10**15)
        for r in records:
            check.take(r)
        problems = list(check.failures(note, 10**18, None, history))
        if problems:
            raise SystemExit(f"the benchmark's receipt does not hold: {problems[0]}")

    message = cosignature_message(body, cosignature.timestamp)
    raw_key = cps.public_key.raw
    raw = VerifyKey(raw_key)
    k = 2000

    def raw_verify() -> None:
        for _ in range(k):
            raw.verify(message, cosignature.signature)

    def ours() -> None:
        for _ in range(k):
            verify_cosignature(cosignature, body, cps.public_key)

    floor_s, walk_s = _best(floor, repeats), _best(b15_walk, repeats)
    raw_s, ours_s = _best(raw_verify, repeats), _best(ours, repeats)
    print(f"B15 over {n} records, one receipt / {n} Ed25519 verifications: {walk_s / floor_s:.3f}")
    print(f"verify_cosignature / raw PyNaCl verify ({k} each): {ours_s / raw_s:.2f}")


if __name__ == "__main__":
    main()
