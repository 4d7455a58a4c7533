"""What proving a bundle's views costs its verification (B12, docs/FORMAT.md §9.6).

The case of benchmarks/bench_casefile.py (about N records, default 10,000) is
exported as a bundle for the CPS, with its views (``casefile.html``,
``casefile.json``, ``exhibits.json``); a copy of it, its manifest re-signed without
the views, is the baseline. After one warm-up run of each, interleaved so that
load on the machine hits both alike, each the median of ``--repeat`` runs of
``verify_bundle`` in one process:

1. the bundle without views (the baseline);
2. the same bundle with its views, each rebuilt from the verified records and
   compared byte for byte.

Usage: python benchmarks/bench_views.py [--records N] [--repeat R]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import tempfile
from pathlib import Path

from bench_casefile import record_case
from bench_core import interleaved

from _casebuilder import signer_from
from casefile.bundle import open_bundle, verify_bundle
from casefile.bundle._dsse import seal_envelope
from casefile.bundle._manifest import manifest_bytes
from casefile.signing import CHECKPOINT_ROLE, Holder, TrustEntry, TrustStore

CHECKPOINTER = signer_from("bench checkpoint")
NAME = "bench.police.example/checkpoint"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app, case_id = record_case(args.records)
    first = min(e.valid_from for e in app.trust)
    app.trust = TrustStore(
        [
            *app.trust,
            TrustEntry(
                public_key=CHECKPOINTER.public_key,
                name=NAME,
                holder=Holder("Bench Log", "", "LOG-1", "Bench Police"),
                roles=frozenset({CHECKPOINT_ROLE}),
                valid_from=first,
            ),
        ],
        app.trust.policy,
    )
    with tempfile.TemporaryDirectory() as tmp:
        views = Path(tmp) / "views"
        result = app.export_bundle(
            case_id, views, checkpoint_signer=CHECKPOINTER, checkpoint_name=NAME, audience="cps"
        )
        plain = Path(tmp) / "plain"
        shutil.copytree(views, plain)
        shutil.rmtree(plain / "views")
        with open_bundle(plain) as bundle:
            m = bundle.manifest
        kept = tuple(f for f in m.files if not f.path.startswith("views/"))
        (plain / "manifest.dsse.json").write_bytes(
            seal_envelope(manifest_bytes(dataclasses.replace(m, files=kept)), CHECKPOINTER)
        )
        at = app.now()

        def verify(path: Path) -> None:
            checked = verify_bundle(path, at=at, trust=app.trust, workers=1)
            assert checked.verified

        sizes = {p.name: p.stat().st_size // 1024 for p in (views / "views").iterdir()}
        verify(plain)
        verify(views)
        t_plain, t_views = interleaved(args.repeat, lambda: verify(plain), lambda: verify(views))
    print(f"bundle views benchmark: {result.verification.records} records, for the CPS, ")
    print(f"  median of {args.repeat}, one process; views (KiB): {sizes}")
    print(f"  {'verify_bundle without views (baseline)':<44} {t_plain * 1000:8.1f} ms")
    print(
        f"  {'verify_bundle with its views rebuilt (B12)':<44} {t_views * 1000:8.1f} ms"
        f"  {t_views / t_plain:5.2f}x the baseline"
    )


if __name__ == "__main__":
    main()
