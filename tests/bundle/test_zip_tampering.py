"""A changed byte inside a zip member's data is a failed verification (B4), not an unusable zip.

The structure of a bundle zip is checked before any trust question, and a fault
there is an unusable bundle (exit 2). A member's data is bounded by that
structure; when it no longer matches its CRC-32 or size it was tampered with,
exactly as a directory file that no longer matches the manifest, and the
report says so and goes on (exit 1).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _bundlecase import AT, EVIDENCE, World, make_bundle
from casefile.bundle import BundleVerification, open_bundle, verify_bundle, zip_bundle
from casefile.cli import main
from casefile.errors import FixityError, ManifestError

WORLD = World()
AT_TEXT = datetime.fromtimestamp(AT // 10**9, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
EVIDENCE_NAME = f"evidence/{hashlib.sha256(EVIDENCE).hexdigest()}"


@pytest.fixture(scope="module")
def built() -> Iterator[Path]:
    """A bundle directory, its stored zip (b.zip) and its deflated zip (d.zip), read-only."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_bundle(root / "b", WORLD)
        zip_bundle(root / "b", root / "b.zip")
        zip_bundle(root / "b", root / "d.zip", compression=zipfile.ZIP_DEFLATED)
        yield root


def _data_regions(path: Path) -> dict[str, range]:
    """Where each member's (stored or compressed) data lies in the archive."""
    with zipfile.ZipFile(path) as archive:
        return {
            info.filename: range(
                start := info.header_offset + 30 + len(info.filename),
                start + info.compress_size,
            )
            for info in archive.infolist()
        }


def _flipped(source: Path, into: Path, position: int, mask: int = 0x01) -> Path:
    data = bytearray(source.read_bytes())
    data[position] ^= mask
    target = into / source.name
    target.write_bytes(bytes(data))
    return target


def _flip_in_member(source: Path, into: Path, member: str) -> tuple[Path, int]:
    """A copy of a zip with one byte in the middle of ``member``'s data flipped."""
    region = _data_regions(source)[member]
    position = region.start + len(region) // 2
    return _flipped(source, into, position), position - region.start


def _cli_json(path: Path) -> tuple[int, dict[str, object]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["verify", "--trust-bundle", str(path), "--json", "--at", AT_TEXT])
    document = json.loads(out.getvalue()) if out.getvalue() else {}
    return code, document


def _errors_naming(result: BundleVerification, member: str) -> list[ManifestError]:
    return [e for e in result.errors if isinstance(e, ManifestError) and member in e.message]


def test_flipped_byte_in_zip_member_is_a_verification_failure(built: Path, tmp_path: Path) -> None:
    target, _ = _flip_in_member(built / "b.zip", tmp_path, "records.bin")
    # Raising mode: the first failure is the changed member, at B4, naming it.
    with pytest.raises(ManifestError, match=r"records\.bin: zip member fails its CRC-32") as e:
        verify_bundle(target, at=AT, trust=WORLD.trust)
    assert e.value.step == "B4"
    assert e.value.case_id is not None
    # Report mode: the same failure listed once, and the walk still went on.
    result = verify_bundle(target, at=AT, trust=WORLD.trust, report=True)
    assert not result.verified
    assert not result.manifest.verified
    crc = [e for e in result.errors if "CRC-32" in e.message]
    assert [(e.kind, e.step) for e in crc] == [("manifest", "B4")]
    assert result.records > 0
    assert any(e.step.startswith("V") and e.seq is not None for e in result.errors)
    # The command: exit 1 (verification failed) with the full report, not exit 2.
    code, document = _cli_json(target)
    assert code == 1
    assert document["verified"] is False
    errors = document["errors"]
    assert isinstance(errors, list)
    assert any(
        e["kind"] == "manifest" and e["step"] == "B4" and "records.bin" in e["message"]
        for e in errors
    )


@pytest.mark.parametrize(
    "member",
    [
        "records.bin",
        "disclosures.bin",
        "checkpoint.txt",
        "trust.json",
        EVIDENCE_NAME,
        "views/casefile.json",
    ],
)
def test_changed_zip_member_reports_as_much_as_the_same_change_in_a_directory(
    built: Path, tmp_path: Path, member: str
) -> None:
    target, offset = _flip_in_member(built / "b.zip", tmp_path, member)
    folder = tmp_path / "b"
    shutil.copytree(built / "b", folder)
    _flipped(built / "b" / member, (folder / member).parent, offset)
    from_zip = verify_bundle(target, at=AT, trust=WORLD.trust, report=True)
    from_dir = verify_bundle(folder, at=AT, trust=WORLD.trust, report=True)
    assert not from_dir.verified
    assert [(e.kind, e.step, e.seq) for e in from_zip.errors] == [
        (e.kind, e.step, e.seq) for e in from_dir.errors
    ]
    assert from_zip.records == from_dir.records
    assert from_zip.evidence == from_dir.evidence


@pytest.mark.parametrize("archive", ["b.zip", "d.zip"])
@pytest.mark.parametrize("own_trust", [True, False])
def test_flipped_byte_in_any_zip_member_is_reported_naming_it(
    built: Path, tmp_path: Path, archive: str, own_trust: bool
) -> None:
    trust = WORLD.trust if own_trust else None
    for index, member in enumerate(_data_regions(built / archive)):
        case = tmp_path / str(index)
        case.mkdir()
        target, _ = _flip_in_member(built / archive, case, member)
        result = verify_bundle(target, at=AT, trust=trust, report=True)
        assert not result.verified, member
        assert _errors_naming(result, member), (member, result.errors)
        if member == EVIDENCE_NAME:
            assert not result.evidence.verified
        code, document = _cli_json(target)
        assert code == 1, member
        assert document["verified"] is False


def test_changed_manifest_member_fails_at_b1(built: Path, tmp_path: Path) -> None:
    target, _ = _flip_in_member(built / "b.zip", tmp_path, "manifest.dsse.json")
    with pytest.raises(ManifestError, match=r"manifest\.dsse\.json: zip member") as caught:
        verify_bundle(target, at=AT, trust=WORLD.trust)
    assert caught.value.step == "B1"


def test_changed_trust_member_fails_at_b2_without_the_auditors_trust(
    built: Path, tmp_path: Path
) -> None:
    target, _ = _flip_in_member(built / "b.zip", tmp_path, "trust.json")
    with pytest.raises(ManifestError, match=r"trust\.json: zip member") as caught:
        verify_bundle(target, at=AT)
    assert caught.value.step == "B2"
    with pytest.raises(ManifestError, match=r"trust\.json: zip member") as caught:
        verify_bundle(target, at=AT, trust=WORLD.trust)
    assert caught.value.step == "B4"


def test_changed_evidence_member_is_a_fixity_failure_when_opened(
    built: Path, tmp_path: Path
) -> None:
    target, _ = _flip_in_member(built / "b.zip", tmp_path, EVIDENCE_NAME)
    with (
        open_bundle(target) as bundle,
        bundle.open_evidence(hashlib.sha256(EVIDENCE).digest()) as f,
        pytest.raises(FixityError, match="SHA-256 differs") as caught,
    ):
        f.read()
    assert caught.value.step == "B8"


def test_corrupt_deflated_member_fails_as_changed_when_read(built: Path, tmp_path: Path) -> None:
    target, _ = _flip_in_member(built / "d.zip", tmp_path, "records.bin")
    with open_bundle(target) as bundle:
        records = bundle.records()
        with pytest.raises(ManifestError, match=r"records\.bin does not match") as caught:
            list(records)
    assert caught.value.step == "B4"


@given(data=st.data())
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_flipped_byte_in_deflated_member_data_fails_verification_or_changes_nothing(
    built: Path, data: st.DataObject
) -> None:
    # Deflate can carry ignored padding bits (docs/FORMAT.md §9.5): a flip there changes
    # no file and may verify; any other flip in member data is a verification failure.
    regions = _data_regions(built / "d.zip")
    member = data.draw(st.sampled_from(sorted(regions)), label="member")
    region = regions[member]
    position = data.draw(st.integers(region.start, region.stop - 1), label="position")
    mask = data.draw(st.integers(1, 255), label="xor")
    with tempfile.TemporaryDirectory() as folder:
        target = _flipped(built / "d.zip", Path(folder), position, mask)
        result = verify_bundle(target, at=AT, trust=WORLD.trust, report=True)
        if result.verified:
            with zipfile.ZipFile(target) as changed, zipfile.ZipFile(built / "d.zip") as kept:
                assert changed.read(member) == kept.read(member)
        else:
            assert _errors_naming(result, member), (member, result.errors)
