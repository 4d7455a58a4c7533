"""What B15 (receipts and witnesses) adds to verifying a bundle, against floors of the same run.

Verifying a record is bound by one Ed25519 verification (PyNaCl). B15 adds, per record, one
Merkle accumulator step (to know the root after each handover) and, per receipt or witness
line, one cosignature check. Printed ratios:

* B15's walk over n records / n Ed25519 verifications: the share of the verification floor B15
  adds to every bundle (0.02 means 2 %);
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

from casefile.bundle._receipts import ReceiptCheck
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._cosignature import cosign_checkpoint, cosignature_message, verify_cosignature
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import Holder, TrustEntry, TrustStore
from casefile.verifier._verified import VerifiedRecord

_HANDOVER_EVERY = 1000


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
    records = [
        VerifiedRecord(
            case_id=case_id,
            seq=seq,
            event_type="case.handed_over" if seq % _HANDOVER_EVERY == 0 else "note.added",
            schema=1,
            time_ns=seq,
            signer=entry,
            data={},
            commitments={},
            disclosed={},
            hash=hashlib.sha256(seq.to_bytes(8, "big")).digest(),
            raw=b"",
        )
        for seq in range(1, n + 1)
    ]
    key = SigningKey(bytes(range(32)))
    messages = [bytes(200) + seq.to_bytes(8, "big") for seq in range(n)]
    signed = [(m, key.sign(m).signature) for m in messages]
    verify_key = key.verify_key

    def floor() -> None:
        for message, signature in signed:
            verify_key.verify(message, signature)

    def b15_walk() -> None:
        check = ReceiptCheck(TrustStore([entry]), case_id, 0)
        for record in records:
            check.take(record)

    body = Checkpoint(f"force.example/{case_id}", n, bytes(32)).body()
    cosignature = cosign_checkpoint(body, "cps.example/receipts", signer, 1_780_000_000)
    message = cosignature_message(body, cosignature.timestamp)
    raw_key = signer.public_key.raw
    raw = VerifyKey(raw_key)
    k = 2000

    def raw_verify() -> None:
        for _ in range(k):
            raw.verify(message, cosignature.signature)

    def ours() -> None:
        for _ in range(k):
            verify_cosignature(cosignature, body, signer.public_key)

    floor_s, walk_s = _best(floor, repeats), _best(b15_walk, repeats)
    raw_s, ours_s = _best(raw_verify, repeats), _best(ours, repeats)
    print(f"B15 walk over {n} records / {n} Ed25519 verifications: {walk_s / floor_s:.3f}")
    print(f"verify_cosignature / raw PyNaCl verify ({k} each): {ours_s / raw_s:.2f}")


if __name__ == "__main__":
    main()
