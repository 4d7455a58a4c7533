"""Token signing benchmark: a key in SoftHSM2 against the same token unchecked and a key in memory.

Every figure is set beside a baseline measured in the same run:

1. ``Pkcs11Signer.sign`` (the token's signature, then its check against the
   public key) against python-pkcs11's bare ``sign`` on the same key: what the
   check adds, set against one PyNaCl verification (target: the check costs at
   most 1.2 verifications, i.e. nothing beyond the verification itself);
2. ``Pkcs11Signer.sign`` against ``InMemorySigner.sign``: what keeping the key
   in a (software) token costs per record.

Needs SoftHSM2 (Debian's softhsm2) and python-pkcs11 (``casefile[hsm]``); the
token lives in a temporary folder, removed afterwards.

Usage: python benchmarks/bench_pkcs11.py [--messages N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _softhsm import SoftHsmUnavailableError, make_tokens
from casefile.signing import InMemorySigner, Pkcs11Signer, verify_signature


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    messages = [b"casefile record %08d " % i + b"x" * 300 for i in range(args.messages)]
    with tempfile.TemporaryDirectory() as folder:
        try:
            (token,) = make_tokens(Path(folder), ("casefile-bench",))
        except SoftHsmUnavailableError as exc:
            print(f"not run: {exc}")
            return
        import pkcs11

        with Pkcs11Signer.generate(token.uri("bench")) as signer:
            bare_key = signer._key  # the same token object, signing without the check
            memory = InMemorySigner.generate()

            def ours() -> None:
                for m in messages:
                    signer.sign(m)

            def bare() -> None:
                for m in messages:
                    bare_key.sign(m, mechanism=pkcs11.Mechanism.EDDSA)

            def in_memory() -> None:
                for m in messages:
                    memory.sign(m)

            public = memory.public_key.raw
            signed = [(m, memory.sign(m)) for m in messages]

            def verify() -> None:
                for m, signature in signed:
                    verify_signature(public, m, signature)

            candidates = {"ours": ours, "bare": bare, "memory": in_memory, "verify": verify}
            samples: dict[str, list[float]] = {name: [] for name in candidates}
            # Interleaved rounds, so that machine noise hits every candidate alike.
            for _ in range(args.repeat):
                for name, fn in candidates.items():
                    samples[name].append(_seconds(fn))
    t = {name: statistics.median(values) / len(messages) for name, values in samples.items()}
    print(f"messages: {len(messages)}, repeats: {args.repeat} (medians, per signature)")
    print(f"in memory (PyNaCl)                 {t['memory'] * 1e6:8.1f} us")
    print(f"verification (PyNaCl)              {t['verify'] * 1e6:8.1f} us")
    print(f"token, bare python-pkcs11 sign     {t['bare'] * 1e6:8.1f} us")
    print(f"token, Pkcs11Signer.sign (checked) {t['ours'] * 1e6:8.1f} us")
    check = (t["ours"] - t["bare"]) / t["verify"]
    verdict = "within" if check <= 1.2 else "OVER"
    print(f"check / one verification  {check:5.2f}  ({verdict} target 1.2)")
    print(f"checked / bare            {t['ours'] / t['bare']:5.2f}")
    print(f"token / memory            {t['ours'] / t['memory']:5.1f}")


if __name__ == "__main__":
    main()
