"""The bundle report names each fault once: no failure restates another (FORMAT.md §9.7).

A court reading a report must not be told that more was tampered with than
was: a framing fault in records.bin is one V1 failure, not also a truncated
checkpoint, a wrong record count and disclosures of missing records.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from _bundlecase import AT, World, make_bundle, replace_and_resign
from casefile.bundle import open_bundle, verify_bundle
from casefile.bundle._dsse import seal_envelope
from casefile.bundle._manifest import Manifest, manifest_bytes

WORLD = World()


@pytest.fixture(scope="module")
def built() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        make_bundle(Path(folder) / "b", WORLD)
        yield Path(folder) / "b"


def _element_end(data: bytes, start: int) -> int:
    tag = data[start]
    width = {0xC4: 1, 0xC5: 2, 0xC6: 4}[tag]
    (length,) = struct.unpack(">" + " BH I"[width], data[start + 1 : start + 1 + width])
    return start + 1 + width + length


def _resigned_with(built: Path, into: Path, name: str, data: bytes) -> Path:
    target = into / "b"
    shutil.copytree(built, target)
    replace_and_resign(target, name, data, WORLD)
    return target


@pytest.mark.parametrize("after", [1, 3, 5])
def test_framing_fault_in_records_bin_is_one_v1_failure(
    built: Path, tmp_path: Path, after: int
) -> None:
    data = (built / "records.bin").read_bytes()
    cut = 0
    for _ in range(after):
        cut = _element_end(data, cut)
    target = _resigned_with(built, tmp_path, "records.bin", data[:cut] + b"\xc1" + data[cut:])
    result = verify_bundle(target, at=AT, trust=WORLD.trust, report=True, workers=1)
    assert [(e.step, e.kind, e.seq) for e in result.errors] == [
        ("V1", "malformed_record", after + 1)
    ]
    assert result.records == after


def test_wrong_record_count_under_a_resigned_manifest_is_one_b6_failure(
    built: Path, tmp_path: Path
) -> None:
    target = tmp_path / "b"
    shutil.copytree(built, target)
    with open_bundle(target) as bundle:
        m = bundle.manifest
    counted = Manifest(m.case_id, m.records + 1, m.checkpoint, m.disclosure_policy, m.files)
    (target / "manifest.dsse.json").write_bytes(seal_envelope(manifest_bytes(counted), WORLD.log))
    result = verify_bundle(target, at=AT, trust=WORLD.trust, report=True, workers=1)
    assert [(e.step, e.kind) for e in result.errors] == [("B6", "manifest")]
