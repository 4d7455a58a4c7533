"""FORMAT.md's worked example of redactable text is what the library and the spec compute.

The example is rendered from the library (text_example.py) and must appear in
FORMAT.md as rendered; every value in it is then recomputed here with hashlib
and msgpack alone, following §4.1 rather than casefile's code, so an example
that the spec does not produce fails even if the library agrees with it.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Any

import msgpack

from independent._spec_text import cover, text_commitment_of

HERE = Path(__file__).resolve().parent
FORMAT = HERE.parents[1] / "docs" / "FORMAT.md"


def _example() -> Any:
    spec = importlib.util.spec_from_file_location("text_example", HERE / "text_example.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_format_md_holds_the_rendered_example() -> None:
    example = _example()
    document = FORMAT.read_text(encoding="utf-8")
    start = document.index(example.BEGIN)
    end = document.index(example.END) + len(example.END) + 1
    assert document[start:end] == example.render(), (
        "FORMAT.md's worked example is stale: run tests/vectors/text_example.py and paste it"
    )


def _by_the_spec(text_units: list[str], root_seed: bytes) -> dict[str, Any]:
    """Every value of §4.1 for a text of at most 256 units, written out level by level."""
    n = len(text_units)
    level1 = -(-n // 16)
    stream = hashlib.shake_256(b"casefile:text-seed:v2\x00" + root_seed).digest(32 * level1)
    node_seeds = [stream[32 * m : 32 * m + 32] for m in range(level1)]
    salts = []
    for i, seed in enumerate(node_seeds):
        kids = min(16, n - 16 * i)
        out = hashlib.shake_256(b"casefile:text-seed:v2\x00" + seed).digest(32 * kids)
        salts += [out[32 * m : 32 * m + 32] for m in range(kids)]
    leaves = [
        hashlib.sha256(b"casefile:text-leaf:v2\x00" + s + u.encode("utf-8")).digest()
        for s, u in zip(salts, text_units, strict=True)
    ]
    nodes = [
        hashlib.sha256(
            b"casefile:text-node:v2\x00" + b"".join(leaves[16 * i : 16 * i + 16])
        ).digest()
        for i in range(level1)
    ]
    root = hashlib.sha256(b"casefile:text-node:v2\x00" + b"".join(nodes)).digest()
    body = msgpack.packb({"n": n, "name": "body", "root": root}, use_bin_type=True)
    commitment = hashlib.sha256(b"casefile:text:v2\x00" + body).digest()
    return {
        "node_seeds": node_seeds,
        "salts": salts,
        "leaves": leaves,
        "nodes": nodes,
        "root": root,
        "body": body,
        "commitment": commitment,
    }


def test_every_value_of_the_example_follows_from_the_spec() -> None:
    example = _example()
    built = example.build()
    units = list(built["units"])
    assert "".join(units) == example.TEXT
    assert 16 < len(units) <= 256  # two levels above the leaves, as the example promises
    spec = _by_the_spec(units, example.ROOT_SEED)
    assert built["seeds"][0] == spec["salts"]
    assert built["seeds"][1] == spec["node_seeds"]
    assert built["hashes"][0] == spec["leaves"]
    assert built["hashes"][1] == spec["nodes"]
    assert built["root"] == spec["root"]
    assert built["commitment_input"] == spec["body"]
    assert built["commitment"] == spec["commitment"]
    rendered = example.render()
    for value in [*spec["salts"], *spec["leaves"], *spec["nodes"], *spec["node_seeds"]]:
        assert value.hex() in rendered
    assert spec["commitment"].hex() in rendered


def test_the_example_disclosures_open_the_commitment_by_the_spec() -> None:
    example = _example()
    built = example.build()
    spec = _by_the_spec(list(built["units"]), example.ROOT_SEED)
    full = msgpack.unpackb(built["full"], raw=False)
    redacted = msgpack.unpackb(built["redacted_bytes"], raw=False)
    assert text_commitment_of(full) == spec["commitment"]
    assert text_commitment_of(redacted) == spec["commitment"]
    assert redacted["withheld"] == [list(run) for run in example.RUNS]
    # The redacted disclosure carries exactly the seeds and hashes of the canonical covers.
    n = len(built["units"])
    seeds_by_node = {(0, i): s for i, s in enumerate(spec["salts"])}
    seeds_by_node |= {(1, i): s for i, s in enumerate(spec["node_seeds"])}
    hashes_by_node = {(0, i): h for i, h in enumerate(spec["leaves"])}
    hashes_by_node |= {(1, i): h for i, h in enumerate(spec["nodes"])}
    expected_seeds, expected_hashes, at = [], [], 0
    for a, b in [*example.RUNS, (n, n)]:
        expected_seeds += [seeds_by_node[node] for node in cover(at, a, n)]
        expected_hashes += [hashes_by_node[node] for node in cover(a, b, n)]
        at = b
    assert redacted["seeds"] == expected_seeds
    assert redacted["hashes"] == expected_hashes
    # Each run's words are gone from the redacted bytes.
    for a, b in example.RUNS:
        for unit in built["units"][a:b]:
            assert unit.encode() not in built["redacted_bytes"]
