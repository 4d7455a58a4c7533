"""What a pinned trust root adds to a bundle's verification (B17, docs/FORMAT.md §7.5).

A small bundle (the test suite's six-record case with evidence, no views) carries
a signed trust list under a root that was rotated ``--rotations`` times (default
20), each root holding five keys with a threshold of three, so every step of the
chain checks six signatures. After one warm-up run of each, interleaved so that
load on the machine hits both alike, each the median of ``--repeat`` runs:

1. ``verify_bundle`` with the trust store given directly (the baseline);
2. the same bundle verified against the first root, following every rotation;
3. the floor of B17: the Ed25519 verifications it makes (six per rotation, three
   for the list), alone, against which the extra time of 2 over 1 is compared.

Usage: python benchmarks/bench_trust_root.py [--rotations N] [--repeat R]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench_core import interleaved

from _bundlecase import AT, World, make_bundle
from _casebuilder import T0
from casefile.bundle import Root, RootKey, sign_root, sign_trust_list, verify_bundle
from casefile.signing import InMemorySigner, verify_signature

_YEAR = 365 * 86_400 * 10**9


def _keys(version: int) -> list[InMemorySigner]:
    return [InMemorySigner(bytes([version % 250 + 1, k]) * 16) for k in range(5)]


def _root(version: int) -> Root:
    keys = tuple(
        RootKey(s.public_key, f"bench.police.example/root/{version}/{k}")
        for k, s in enumerate(_keys(version))
    )
    return Root(version, T0 + 10 * _YEAR, keys, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rotations", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    last = args.rotations + 1
    roots = {v: sign_root(_root(v), _keys(v - 1)[:3] + _keys(v)[:3]) for v in range(2, last + 1)}
    world = World()
    listed = sign_trust_list(
        world.trust,
        version=1,
        expires=T0 + 5 * _YEAR,
        root_version=last,
        signers=_keys(last)[:3],
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle"
        make_bundle(path, world, views=False, trust_list=listed, roots=roots)
        pinned = _root(1)

        def with_trust() -> None:
            assert verify_bundle(path, at=AT, trust=world.trust, workers=1).verified

        def with_root() -> None:
            assert verify_bundle(path, at=AT, root=pinned, workers=1).verified

        signer = _keys(1)[0]
        message = b"x" * 300
        signature = signer.sign(message)
        checks = 6 * args.rotations + 3

        def floor() -> None:
            for _ in range(checks):
                verify_signature(signer.public_key.raw, message, signature)

        with_trust()
        with_root()
        t_trust, t_root, t_floor = interleaved(args.repeat, with_trust, with_root, floor)
    print(f"trust root benchmark: a 6-record bundle, {args.rotations} root rotations (3 of 5)")
    print(f"  median of {args.repeat}, one process")
    print(f"  {'verify_bundle with a trust store (baseline)':<48} {t_trust * 1000:8.2f} ms")
    print(
        f"  {'verify_bundle following the chain (B17)':<48} {t_root * 1000:8.2f} ms"
        f"  {t_root / t_trust:5.2f}x the baseline"
    )
    print(f"  {f'{checks} Ed25519 verifications alone (B17 floor)':<48} {t_floor * 1000:8.2f} ms")
    print(f"  B17's own time is {(t_root - t_trust) / t_floor:5.2f}x its signatures' floor")


if __name__ == "__main__":
    main()
