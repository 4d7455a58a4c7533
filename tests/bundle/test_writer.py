"""Writing bundles: round trips, atomicity, refusals, deterministic and interoperable zips."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import uuid
import zipfile
from pathlib import Path

import pytest

from _bundlecase import AT, EVIDENCE, World, make_bundle
from casefile.bundle import (
    DISCLOSE_ALL,
    DISCLOSE_NONE,
    DisclosurePolicy,
    open_bundle,
    verify_bundle,
    write_bundle,
    zip_bundle,
)
from casefile.errors import (
    BundleError,
    CheckpointMismatchError,
    DisclosureError,
    FixityError,
    KeyRoleError,
    SequenceError,
    WrongCaseError,
)

LAYOUT = [
    "checkpoint.txt",
    "disclosures.bin",
    f"evidence/{hashlib.sha256(EVIDENCE).hexdigest()}",
    "manifest.dsse.json",
    "records.bin",
    "trust.json",
    "views/casefile.html",
    "views/casefile.json",
    "views/exhibits.json",
]


def _args(world: World, n: int = 4) -> dict[str, object]:
    case = world.case(n)
    return {
        "case_id": case.case_id,
        "records": list(case.records),
        "disclosures": list(case.disclosures),
        "trust": world.trust,
        "checkpoint_note": world.checkpoint(case),
        "signer": world.log,
    }


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_directory_round_trip(tmp_path: Path) -> None:
    world = World()
    case = world.case(6)
    info = make_bundle(tmp_path / "b", world)
    assert (
        sorted(
            str(p.relative_to(tmp_path / "b")) for p in (tmp_path / "b").rglob("*") if p.is_file()
        )
        == LAYOUT
    )
    with open_bundle(tmp_path / "b") as bundle:
        assert bundle.kind == "directory"
        assert bundle.case_id == case.case_id == info.case_id
        assert list(bundle.records()) == case.records
        assert list(bundle.disclosures()) == case.disclosures
        assert bundle.trust() == world.trust
        assert bundle.checkpoint_text == world.checkpoint(case)
        assert bundle.evidence_hashes == (hashlib.sha256(EVIDENCE).digest(),)
        assert bundle.open_evidence(hashlib.sha256(EVIDENCE).digest()).read() == EVIDENCE
        case_file = json.loads(bundle.open_file("views/casefile.json").read())
        assert case_file["format"] == "casefile-case-file"
    result = verify_bundle(tmp_path / "b", at=AT, trust=world.trust)
    assert result.verified
    assert result.records == 6
    assert result.errors == ()


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_zip_round_trip(tmp_path: Path, compression: int) -> None:
    world = World()
    make_bundle(tmp_path / "b", world)
    zip_bundle(tmp_path / "b", tmp_path / "b.zip", compression=compression)
    with open_bundle(tmp_path / "b.zip") as bundle:
        assert bundle.kind == "zip"
        assert sorted(bundle.files) == LAYOUT
        assert list(bundle.records()) == world.case(6).records
    result = verify_bundle(tmp_path / "b.zip", at=AT, trust=world.trust)
    assert result.verified
    assert result.evidence.files == 1
    assert result.evidence.total_bytes == len(EVIDENCE)


def test_zip_is_deterministic_and_readable_by_other_zip_readers(tmp_path: Path) -> None:
    make_bundle(tmp_path / "b")
    zip_bundle(tmp_path / "b", tmp_path / "one.zip")
    zip_bundle(tmp_path / "b", tmp_path / "two.zip")
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        assert archive.testzip() is None
        assert archive.namelist() == LAYOUT
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert archive.read(info) == (tmp_path / "b" / info.filename).read_bytes()


def test_zip64_forms_round_trip_and_stay_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casefile.bundle import _zipfmt

    # Lowering the threshold puts every member and the end records in their zip64 forms.
    monkeypatch.setattr(_zipfmt, "ZIP64_THRESHOLD", 64)
    world = World()
    make_bundle(tmp_path / "b", world)
    zip_bundle(tmp_path / "b", tmp_path / "b.zip")
    assert verify_bundle(tmp_path / "b.zip", at=AT, trust=world.trust).verified
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        assert archive.testzip() is None


def test_existing_non_empty_destination_is_not_overwritten(tmp_path: Path) -> None:
    dest = tmp_path / "b"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(BundleError, match="not empty"):
        write_bundle(dest, **_args(World()))  # type: ignore[arg-type]
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]


def test_empty_destination_directory_is_used(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    write_bundle(tmp_path / "b", **_args(World()))  # type: ignore[arg-type]
    assert (tmp_path / "b" / "manifest.dsse.json").is_file()


def test_existing_zip_is_not_overwritten(tmp_path: Path) -> None:
    make_bundle(tmp_path / "b")
    (tmp_path / "b.zip").write_bytes(b"precious")
    with pytest.raises(BundleError, match="already exists"):
        zip_bundle(tmp_path / "b", tmp_path / "b.zip")
    assert (tmp_path / "b.zip").read_bytes() == b"precious"
    assert _leftovers(tmp_path) == []


def test_failure_midway_leaves_no_partial_bundle(tmp_path: Path) -> None:
    world = World()
    args = _args(world)
    records = list(args["records"])  # type: ignore[call-overload]

    def failing() -> object:
        yield from records[:2]
        raise OSError("disk gone")

    args["records"] = failing()
    with pytest.raises(OSError, match="disk gone"):
        write_bundle(tmp_path / "b", **args)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_record_of_another_case_is_refused(tmp_path: Path) -> None:
    world = World()
    args = _args(world)
    other = world.case(1, case_id=uuid.UUID(int=99))
    args["records"] = [*args["records"], *other.records]  # type: ignore[misc]
    with pytest.raises(WrongCaseError):
        write_bundle(tmp_path / "b", **args)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_reordered_records_are_refused(tmp_path: Path) -> None:
    args = _args(World())
    rec = list(args["records"])  # type: ignore[call-overload]
    args["records"] = [rec[1], rec[0], *rec[2:]]
    with pytest.raises(SequenceError):
        write_bundle(tmp_path / "b", **args)  # type: ignore[arg-type]


def test_checkpoint_over_fewer_records_is_refused(tmp_path: Path) -> None:
    world = World()
    case = world.case(4)
    args = _args(world)
    args["checkpoint_note"] = world.checkpoint(case, size=3)
    with pytest.raises(CheckpointMismatchError):
        write_bundle(tmp_path / "b", **args)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_manifest_signer_without_checkpoint_role_is_refused(tmp_path: Path) -> None:
    world = World()
    args = _args(world)
    args["signer"] = world.alice
    with pytest.raises(KeyRoleError):
        write_bundle(tmp_path / "b", **args)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_unsorted_disclosures_are_refused(tmp_path: Path) -> None:
    args = _args(World())
    disclosures = list(args["disclosures"])  # type: ignore[call-overload]
    args["disclosures"] = list(reversed(disclosures))
    with pytest.raises(DisclosureError):
        write_bundle(tmp_path / "b", **args, disclosure_policy=DISCLOSE_ALL)  # type: ignore[arg-type]


def test_default_policy_carries_no_personal_data(tmp_path: Path) -> None:
    info = write_bundle(tmp_path / "b", **_args(World()))  # type: ignore[arg-type]
    assert info.disclosures == 0
    assert info.manifest.disclosure_policy == DISCLOSE_NONE
    assert (tmp_path / "b" / "disclosures.bin").read_bytes() == b""


def test_list_policy_keeps_only_the_named_fields(tmp_path: Path) -> None:
    world = World()
    info = make_bundle(tmp_path / "b", world, policy=DisclosurePolicy.only(["date_of_birth"]))
    with open_bundle(tmp_path / "b") as bundle:
        names = {d.name for d in bundle.disclosures()}
    assert names == {"date_of_birth"}
    assert info.disclosures == 2
    result = verify_bundle(tmp_path / "b", at=AT, trust=world.trust)
    assert result.verified


def test_evidence_that_does_not_match_its_hash_is_refused(tmp_path: Path) -> None:
    args = _args(World())
    with pytest.raises(FixityError):
        write_bundle(
            tmp_path / "b",
            **args,  # type: ignore[arg-type]
            evidence={hashlib.sha256(b"other").digest(): lambda: io.BytesIO(b"tampered")},
        )
    assert list(tmp_path.iterdir()) == []


def test_trust_json_holds_only_the_keys_needed(tmp_path: Path) -> None:
    from _bundlecase import trust_with

    world = World()
    make_bundle(tmp_path / "b", world, trust=trust_with(world, "spare"))
    with open_bundle(tmp_path / "b") as bundle:
        names = {e.name for e in bundle.trust().entries}
    assert names == {e.name for e in world.trust.entries}


def _modes(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)) + ("/" if p.is_dir() else ""): stat.S_IMODE(p.lstat().st_mode)
        for p in [root, *root.rglob("*")]
    }


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("umask", [0o022, 0o002, 0o027, 0o077], ids=oct)
def test_recipients_can_read_the_bundle_as_far_as_the_umask_allows(
    tmp_path: Path, umask: int
) -> None:
    # A bundle left at mkdtemp's 0700 or mkstemp's 0600 cannot be read by the recipient.
    old = os.umask(umask)
    try:
        make_bundle(tmp_path / "b")
        zip_bundle(tmp_path / "b", tmp_path / "b.zip")
    finally:
        os.umask(old)
    modes = _modes(tmp_path / "b")
    assert sorted(modes) == sorted(["./", "evidence/", "views/", *LAYOUT])
    for name, mode in modes.items():
        wanted = 0o755 if name.endswith("/") else 0o644
        assert mode == wanted & ~umask, (name, oct(mode))
    assert stat.S_IMODE((tmp_path / "b.zip").stat().st_mode) == 0o644 & ~umask


def test_writing_never_touches_the_process_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading the umask by setting it races with other threads creating files.
    def forbidden(mask: int) -> int:
        raise AssertionError("os.umask was called")

    monkeypatch.setattr(os, "umask", forbidden)
    make_bundle(tmp_path / "b")
    zip_bundle(tmp_path / "b", tmp_path / "b.zip")
    assert verify_bundle(tmp_path / "b.zip", at=AT).verified
    assert _leftovers(tmp_path) == []


def test_evidence_is_hashed_once_while_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Evidence files run to gigabytes: hashing each byte twice doubles an export's work.
    real_sha256 = hashlib.sha256
    hashed: list[bytes] = []

    class _Counted:
        def __init__(self, data: bytes = b"") -> None:
            self._inner = real_sha256(data)

        def update(self, data: bytes) -> None:
            hashed.append(bytes(data))
            self._inner.update(data)

        def digest(self) -> bytes:
            return self._inner.digest()

        def hexdigest(self) -> str:
            return self._inner.hexdigest()

    evidence_digest = real_sha256(EVIDENCE).digest()
    monkeypatch.setattr(hashlib, "sha256", _Counted)
    make_bundle(tmp_path / "b")
    monkeypatch.undo()
    assert hashed.count(EVIDENCE) == 1
    assert evidence_digest.hex() in {p.name for p in (tmp_path / "b" / "evidence").iterdir()}
