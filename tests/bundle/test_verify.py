"""verify_bundle: every byte and every file covered; trust, policy, evidence and reports."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _bundlecase import AT, World, make_bundle, trust_with
from casefile.bundle import DISCLOSE_ALL, DisclosurePolicy, open_bundle, verify_bundle, zip_bundle
from casefile.bundle._dsse import seal_envelope
from casefile.bundle._manifest import FileEntry, Manifest, manifest_bytes
from casefile.encoding import encode
from casefile.errors import (
    BadSignatureError,
    BundleError,
    CasefileError,
    DisclosureError,
    FixityError,
    ManifestError,
    VerificationError,
    WrongCaseError,
)
from casefile.signing._commitments import Disclosure

WORLD = World()


@pytest.fixture(scope="module")
def built() -> Iterator[Path]:
    """One bundle directory and its stored zip, shared read-only by the tests below."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_bundle(root / "b", WORLD)
        zip_bundle(root / "b", root / "b.zip")
        zip_bundle(root / "b", root / "d.zip", compression=zipfile.ZIP_DEFLATED)
        yield root


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _copy(built: Path, into: Path) -> Path:
    dest = into / "b"
    shutil.copytree(built / "b", dest)
    return dest


def _fails(path: Path) -> CasefileError:
    with pytest.raises((BundleError, VerificationError)) as caught:
        verify_bundle(path, at=AT, trust=WORLD.trust)
    return caught.value


def _resign(bundle_dir: Path, manifest: Manifest) -> None:
    (bundle_dir / "manifest.dsse.json").write_bytes(
        seal_envelope(manifest_bytes(manifest), WORLD.log)
    )


# --- every byte, every file -------------------------------------------------------


def test_intact_bundle_verifies_with_the_auditors_trust(built: Path) -> None:
    for name in ("b", "b.zip", "d.zip"):
        result = verify_bundle(built / name, at=AT, trust=WORLD.trust)
        assert result.verified, name
        assert result.manifest.verified
        assert result.manifest.signer == "test.police.uk/log"
        assert not any(f.kind == "trust_from_bundle" for f in result.findings)


@given(data=st.data())
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_flipping_any_byte_of_any_file_fails(built: Path, data: st.DataObject) -> None:
    names = _files(built / "b")
    name = data.draw(st.sampled_from(names), label="file")
    original = (built / "b" / name).read_bytes()
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    mask = data.draw(st.integers(1, 255), label="xor")
    with tempfile.TemporaryDirectory() as folder:
        target = _copy(built, Path(folder))
        changed = bytearray(original)
        changed[position] ^= mask
        (target / name).write_bytes(bytes(changed))
        _fails(target)
        zip_bundle(target, Path(folder) / "b.zip", compression=zipfile.ZIP_DEFLATED)
        _fails(Path(folder) / "b.zip")


@given(data=st.data())
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_flipping_any_byte_of_the_stored_zip_fails(built: Path, data: st.DataObject) -> None:
    original = (built / "b.zip").read_bytes()
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    mask = data.draw(st.integers(1, 255), label="xor")
    changed = bytearray(original)
    changed[position] ^= mask
    with zipfile.ZipFile(built / "b.zip") as archive:
        starts = {i.filename: i.header_offset + 30 + len(i.filename) for i in archive.infolist()}
        hit = next(
            (
                i.filename
                for i in archive.infolist()
                if starts[i.filename] <= position < starts[i.filename] + i.compress_size
            ),
            None,
        )
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "b.zip"
        target.write_bytes(bytes(changed))
        error = _fails(target)
        if hit is None:
            # The archive's structure: unusable before any trust question.
            assert isinstance(error, BundleError)
        else:
            # A member's content: a failed verification naming the member.
            assert isinstance(error, ManifestError)
            assert f"{hit}: zip member" in error.message
            report = verify_bundle(target, at=AT, trust=WORLD.trust, report=True)
            assert not report.verified


@pytest.mark.parametrize(
    "name", ["views/extra.json", "evidence/" + "0" * 64, "notes.txt", ".hidden"]
)
def test_added_file_fails(built: Path, tmp_path: Path, name: str) -> None:
    target = _copy(built, tmp_path)
    (target / name).parent.mkdir(exist_ok=True)
    (target / name).write_bytes(b"smuggled")
    error = _fails(target)
    assert isinstance(error, BundleError) or error.step == "B4"
    zip_bundle_ok = not isinstance(error, BundleError)
    if zip_bundle_ok:
        zip_bundle(target, tmp_path / "b.zip")
        assert isinstance(_fails(tmp_path / "b.zip"), ManifestError)


def test_empty_evidence_and_views_folders_are_allowed_in_a_directory(tmp_path: Path) -> None:
    # An export by reference may leave the two folders empty; they hold no
    # byte, so nothing unsigned travels, and a zip of the tree has no entry for them.
    target = tmp_path / "b"
    make_bundle(target, WORLD, evidence=False, views=False)
    (target / "evidence").mkdir(exist_ok=True)
    (target / "views").mkdir(exist_ok=True)
    assert verify_bundle(target, at=AT, trust=WORLD.trust).verified
    zip_bundle(target, tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        assert not any(name.endswith("/") for name in archive.namelist())
    assert verify_bundle(tmp_path / "b.zip", at=AT, trust=WORLD.trust).verified


@pytest.mark.parametrize("folder", ["extra", "views/sub", "evidence/sub", "Evidence"])
def test_any_other_empty_folder_is_refused(built: Path, tmp_path: Path, folder: str) -> None:
    # Not even an empty one: a directory the manifest cannot list is not part of the format.
    target = _copy(built, tmp_path)
    (target / folder).mkdir()
    error = _fails(target)
    assert isinstance(error, BundleError)
    assert "unexpected directory" in str(error)


def test_removing_any_file_fails(built: Path, tmp_path: Path) -> None:
    for index, name in enumerate(_files(built / "b")):
        case = tmp_path / str(index)
        case.mkdir()
        target = _copy(built, case)
        (target / name).unlink()
        error = _fails(target)
        if name == "manifest.dsse.json":
            assert isinstance(error, BundleError)
        else:
            assert isinstance(error, ManifestError), name
            assert error.step == "B4", name
            assert name in str(error)
            zip_bundle(target, case / "b.zip")
            assert isinstance(_fails(case / "b.zip"), ManifestError)


def test_file_changed_after_verification_fails_when_read(built: Path, tmp_path: Path) -> None:
    target = _copy(built, tmp_path)
    with open_bundle(target) as bundle:
        assert verify_bundle(bundle, at=AT, trust=WORLD.trust).verified
        raw = bytearray((target / "records.bin").read_bytes())
        raw[-1] ^= 1
        (target / "records.bin").write_bytes(bytes(raw))
        with pytest.raises(ManifestError, match=r"records\.bin does not match"):
            list(bundle.records())


# --- the manifest and its signature -----------------------------------------------


def test_manifest_signed_by_an_untrusted_key_fails(built: Path, tmp_path: Path) -> None:
    target = _copy(built, tmp_path)
    with open_bundle(target) as bundle:
        manifest = bundle.manifest
    from _casebuilder import signer_from

    (target / "manifest.dsse.json").write_bytes(
        seal_envelope(manifest_bytes(manifest), signer_from("mallory"))
    )
    error = _fails(target)
    assert isinstance(error, ManifestError)
    assert error.step == "B2"


def test_manifest_signed_by_a_recorder_fails(built: Path, tmp_path: Path) -> None:
    target = _copy(built, tmp_path)
    with open_bundle(target) as bundle:
        manifest = bundle.manifest
    (target / "manifest.dsse.json").write_bytes(
        seal_envelope(manifest_bytes(manifest), WORLD.alice)
    )
    error = _fails(target)
    assert isinstance(error, ManifestError)
    assert "checkpoint role" in str(error)


def test_manifest_key_revoked_before_the_last_record_fails(tmp_path: Path) -> None:
    world = World()
    revoked = trust_with(world, "log2", revoked_at=world.case(6).time_ns - 1)
    make_bundle(tmp_path / "b", world, signer_name="log2", trust=revoked)
    with pytest.raises(ManifestError, match="revoked") as caught:
        verify_bundle(tmp_path / "b", at=AT, trust=revoked)
    assert caught.value.step == "B2"


def test_non_canonical_manifest_envelope_fails(built: Path, tmp_path: Path) -> None:
    target = _copy(built, tmp_path)
    text = (target / "manifest.dsse.json").read_bytes()
    (target / "manifest.dsse.json").write_bytes(text.replace(b'":', b'": ', 1))
    error = _fails(target)
    assert isinstance(error, ManifestError)
    assert error.step == "B1"


def test_resigned_manifest_that_omits_a_file_fails(built: Path, tmp_path: Path) -> None:
    target = _copy(built, tmp_path)
    with open_bundle(target) as bundle:
        manifest = bundle.manifest
    files = tuple(f for f in manifest.files if not f.path.startswith("views/"))
    _resign(
        target,
        Manifest(
            manifest.case_id,
            manifest.records,
            manifest.checkpoint,
            manifest.disclosure_policy,
            files,
        ),
    )
    error = _fails(target)
    assert isinstance(error, ManifestError)
    assert "views/casefile.html is not listed" in str(error)


def test_records_of_another_case_under_a_resigned_manifest_fail(
    built: Path, tmp_path: Path
) -> None:
    import uuid

    target = _copy(built, tmp_path)
    with open_bundle(target) as bundle:
        m = bundle.manifest
    _resign(
        target, Manifest(uuid.UUID(int=77), m.records, m.checkpoint, m.disclosure_policy, m.files)
    )
    error = _fails(target)
    assert isinstance(error, WrongCaseError)
    assert error.step == "V3"
    assert error.seq == 1


def test_disclosure_outside_the_policy_fails(built: Path, tmp_path: Path) -> None:
    target = _copy(built, tmp_path)
    with open_bundle(target) as bundle:
        m = bundle.manifest
    _resign(
        target,
        Manifest(
            m.case_id, m.records, m.checkpoint, DisclosurePolicy.only(["date_of_birth"]), m.files
        ),
    )
    with pytest.raises(ManifestError, match="outside the manifest's disclosure policy") as caught:
        verify_bundle(target, at=AT, trust=WORLD.trust)
    assert caught.value.step == "B7"
    assert caught.value.seq == 1


def test_policy_all_with_withheld_fields_is_reported(tmp_path: Path) -> None:
    from casefile.bundle import write_bundle

    case = WORLD.case(4)
    write_bundle(
        tmp_path / "b",
        case_id=case.case_id,
        records=case.records,
        disclosures=[d for d in case.disclosures if d.name == "name"],
        trust=WORLD.trust,
        checkpoint_note=WORLD.checkpoint(case),
        signer=WORLD.log,
        disclosure_policy=DISCLOSE_ALL,
    )
    result = verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust)
    assert result.verified
    assert {f.kind for f in result.findings} >= {"policy_fields_not_disclosed", "withheld_fields"}


# --- trust, reports, JSON ---------------------------------------------------------


def test_without_auditor_trust_the_bundles_keys_are_used_and_said_so(built: Path) -> None:
    result = verify_bundle(built / "b.zip", at=AT)
    assert result.verified
    assert [f.kind for f in result.findings] == ["trust_from_bundle"]


def test_report_lists_every_error_with_step_and_record(built: Path, tmp_path: Path) -> None:
    target = _copy(built, tmp_path)
    raw = bytearray((target / "records.bin").read_bytes())
    raw[-1] ^= 1  # inside the signature of the last record
    (target / "records.bin").write_bytes(bytes(raw))
    with pytest.raises(ManifestError):
        verify_bundle(target, at=AT, trust=WORLD.trust)
    result = verify_bundle(target, at=AT, trust=WORLD.trust, report=True)
    assert not result.verified
    kinds = [(e.kind, e.step, e.seq) for e in result.errors]
    assert ("manifest", "B4", None) in kinds
    assert ("bad_signature", "V9", 6) in kinds
    document = json.loads(json.dumps(result.to_json()))
    assert document["verified"] is False
    assert document["case_id"] == str(result.case_id)
    assert document["records"] == 6
    assert {"kind", "step", "seq", "message"} <= set(document["errors"][0])
    assert all("seq" in f for f in document["findings"])
    assert document["evidence"] == {
        "bytes": result.evidence.total_bytes,
        "files": 1,
        "verified": True,
    }


def test_to_json_of_a_verified_bundle(built: Path) -> None:
    document = verify_bundle(built / "b", at=AT, trust=WORLD.trust).to_json()
    assert document["verified"] is True
    assert document["errors"] == []
    assert document["records"] == 6
    assert document["evidence"]["verified"] is True  # type: ignore[index]


def test_progress_reports_the_records_checked(built: Path) -> None:
    seen: list[int] = []
    verify_bundle(built / "b", at=AT, trust=WORLD.trust, progress=seen.append)
    assert seen
    assert seen[-1] == 6


def test_signature_failure_raises_the_verifier_error(tmp_path: Path) -> None:
    # A bundle whose sender signed a tampered record: every hash matches, V9 fails.
    from casefile.bundle import write_bundle

    case = WORLD.case(3)
    records = list(case.records)
    forged = bytearray(records[2])
    forged[-1] ^= 1
    records[2] = bytes(forged)
    # The writer re-hashes its input, so the chain stays consistent up to the forged record.
    write_bundle(
        tmp_path / "b",
        case_id=case.case_id,
        records=records,
        disclosures=(),
        trust=WORLD.trust,
        checkpoint_note=_checkpoint_over(records, case.case_id),
        signer=WORLD.log,
    )
    with pytest.raises(BadSignatureError) as caught:
        verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust)
    assert caught.value.seq == 3
    assert caught.value.step == "V9"


def _checkpoint_over(records: list[bytes], case_id: object) -> str:
    import hashlib

    from casefile.signing._checkpoint import Checkpoint, sign_checkpoint
    from casefile.signing._merkle import merkle_root

    root = merkle_root([hashlib.sha256(b"\x00" + r).digest() for r in records])
    return sign_checkpoint(
        Checkpoint(f"casefile.test.police.uk/{case_id}", len(records), root),
        "test.police.uk/log",
        WORLD.log,
    )


def test_malformed_disclosure_bytes_are_a_disclosure_error(tmp_path: Path) -> None:
    target = tmp_path / "b"
    make_bundle(target, WORLD)
    # Re-sign a manifest over a disclosures.bin with one junk element.
    (target / "disclosures.bin").write_bytes(b"\xc4\x01\x00")
    with open_bundle(target) as bundle:
        m = bundle.manifest
    import hashlib

    from casefile.bundle._manifest import FileEntry

    files = tuple(
        FileEntry(f.path, 3, hashlib.sha256(b"\xc4\x01\x00").digest())
        if f.path == "disclosures.bin"
        else f
        for f in m.files
    )
    _resign(target, Manifest(m.case_id, m.records, m.checkpoint, m.disclosure_policy, files))
    with pytest.raises(DisclosureError):
        verify_bundle(target, at=AT, trust=WORLD.trust)
    result = verify_bundle(target, at=AT, trust=WORLD.trust, report=True)
    assert [e.step for e in result.errors] == ["V11"]


def test_disclosure_type_is_streamed(built: Path) -> None:
    with open_bundle(built / "b") as bundle:
        first = next(bundle.disclosures())
    assert isinstance(first, Disclosure)


def test_evidence_whose_content_does_not_match_its_name_fails(built: Path, tmp_path: Path) -> None:
    import hashlib

    from casefile.bundle._manifest import FileEntry

    target = _copy(built, tmp_path)
    (old,) = (target / "evidence").iterdir()
    new_name = "evidence/" + hashlib.sha256(b"something else").hexdigest()
    old.rename(target / new_name)
    with open_bundle(target) as bundle:
        m = bundle.manifest
    files = tuple(
        sorted(
            (
                FileEntry(new_name, f.size, f.sha256) if f.path.startswith("evidence/") else f
                for f in m.files
            ),
            key=lambda f: f.path,
        )
    )
    _resign(target, Manifest(m.case_id, m.records, m.checkpoint, m.disclosure_policy, files))
    with pytest.raises(FixityError) as caught:
        verify_bundle(target, at=AT, trust=WORLD.trust)
    assert caught.value.step == "B8"
    result = verify_bundle(target, at=AT, trust=WORLD.trust, report=True)
    assert result.evidence.verified is False
    assert result.manifest.verified is True


def test_signed_manifest_whose_checkpoint_is_not_a_note_is_reported_at_v12(
    built: Path, tmp_path: Path
) -> None:
    # The manifest signer chose the checkpoint text; a text that is no signed
    # note once escaped the report form as an input error instead of a failure.
    target = _copy(built, tmp_path)
    with open_bundle(target) as bundle:
        m = bundle.manifest
    garbage = "no signature lines here\n"
    (target / "checkpoint.txt").write_bytes(garbage.encode())
    files = tuple(
        FileEntry(f.path, len(garbage), hashlib.sha256(garbage.encode()).digest())
        if f.path == "checkpoint.txt"
        else f
        for f in m.files
    )
    _resign(target, Manifest(m.case_id, m.records, garbage, m.disclosure_policy, files))
    result = verify_bundle(target, at=AT, trust=WORLD.trust, report=True)
    assert not result.verified
    assert [(e.kind, e.step) for e in result.errors] == [("checkpoint_signature", "V12")]


def test_disclosure_with_a_huge_name_outside_the_policy_is_reported_in_a_short_message(
    tmp_path: Path,
) -> None:
    # Up to a thousand failures are kept: each must not quote a 1 MiB name. Such a
    # name is no field name, so the disclosure itself is refused (V11) before B7.
    target = tmp_path / "b"
    make_bundle(target, WORLD)
    forged = Disclosure(uuid.UUID(int=7), 1, "n" * (1 << 19), bytes(16), "x").to_bytes()
    framed = encode(forged)
    (target / "disclosures.bin").write_bytes(framed)
    with open_bundle(target) as bundle:
        m = bundle.manifest
    files = tuple(
        FileEntry(f.path, len(framed), hashlib.sha256(framed).digest())
        if f.path == "disclosures.bin"
        else f
        for f in m.files
    )
    policy = DisclosurePolicy.only(["date_of_birth"])
    _resign(target, Manifest(m.case_id, m.records, m.checkpoint, policy, files))
    result = verify_bundle(target, at=AT, trust=WORLD.trust, report=True)
    assert [e.step for e in result.errors] == ["V11"]
    assert "must be a field name" in str(result.errors[0])
    assert len(str(result.errors[0])) < 1000


def test_manifest_key_expired_before_the_last_record_fails(tmp_path: Path) -> None:
    # B2, as V12 for checkpoints: a key that expired before the last record
    # cannot have signed a manifest over it, revoked or not.
    world = World()
    expired = trust_with(world, "log2", valid_until=world.case(6).time_ns - 1)
    make_bundle(tmp_path / "b", world, signer_name="log2", trust=expired)
    with pytest.raises(ManifestError, match="expired") as caught:
        verify_bundle(tmp_path / "b", at=AT, trust=expired)
    assert caught.value.step == "B2"


def test_every_bundle_step_of_the_spec_is_marked_in_the_verification_modules() -> None:
    # FORMAT.md §9.6 numbers the steps B1-B21; each is marked (a "# Bn" comment or a
    # docstring opening with it) in the bundle/_verify*.py module that makes it.
    import re

    root = Path(__file__).resolve().parents[2]
    spec = (root / "docs" / "FORMAT.md").read_text(encoding="utf-8")
    steps = sorted(set(re.findall(r"^- \*\*(B\d+) ", spec, flags=re.M)), key=lambda s: int(s[1:]))
    assert steps == [f"B{k}" for k in range(1, 22)]
    modules = sorted((root / "src" / "casefile" / "bundle").glob("_verify*.py"))
    assert len(modules) > 1
    code = "".join(m.read_text(encoding="utf-8") for m in modules)
    for step in steps:
        assert re.search(rf'(# |""")({step}|B\d+, {step})\b', code), step
