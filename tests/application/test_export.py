"""The documented recipes: verify feeds the projections, and a whole export takes one call."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest

from _bundlecase import carried_views
from application.conftest import CHECKPOINTER, NAMESPACE, OFFICER, T0, TRUST
from casefile.application import CasefileApp
from casefile.bundle import VIEW_NAMES, DisclosurePolicy, verify_bundle
from casefile.errors import InputError, UnauthorisedSignerError
from casefile.evidence import FileSystemBlobStore
from casefile.projections import build_exhibit_register, records_as_read

PHOTO = b"\xff\xd8 a photograph of the point of entry"
LATER = T0 + 10**12


def _case_with_exhibit(app: CasefileApp, store: FileSystemBlobStore | None = None) -> uuid.UUID:
    case_id = app.open_case(OFFICER, offence="Burglary", channel="online", reference="01YE0000126")
    if store is not None:
        store.put_stream(io.BytesIO(PHOTO))
    app.capture_evidence(
        case_id,
        OFFICER,
        exhibit="AB/1",
        kind="photo",
        sha256=hashlib.sha256(PHOTO).digest(),
        size=len(PHOTO),
        media_type="image/jpeg",
        device="tablet",
        location="kitchen",
        captured_at=T0,
    )
    app.add_person(case_id, OFFICER, role="victim", name="A Victim")
    return case_id


def test_verify_result_feeds_the_exhibit_register_as_the_docs_show(
    memory_app: CasefileApp,
) -> None:
    case_id = _case_with_exhibit(memory_app)
    verified = memory_app.verify(case_id, at=LATER)
    assert len(verified.records) == verified.size == 3
    register = build_exhibit_register(records_as_read(verified.records), as_of=LATER)
    assert [e.reference for e in register.exhibits] == ["AB/1"]
    # Records not read for their texts lack them: the register says so, never guesses.
    unread = build_exhibit_register(verified.records, as_of=LATER)
    assert [f.kind for f in unread.findings] == ["malformed_custody_record"]


def test_verify_keeps_no_records_only_when_asked(memory_app: CasefileApp) -> None:
    case_id = _case_with_exhibit(memory_app)
    summary = memory_app.verify(case_id, at=LATER, keep_records=False)
    assert summary.size == 3
    assert summary.records == ()


def test_a_case_verified_without_its_records_is_refused_by_the_register_not_shown_empty(
    memory_app: CasefileApp,
) -> None:
    # The case holds exhibit AB/1: an empty register would say it holds none.
    case_id = _case_with_exhibit(memory_app)
    summary = memory_app.verify(case_id, at=LATER, keep_records=False)
    with pytest.raises(InputError, match="keep_records=True"):
        build_exhibit_register(summary.records, as_of=LATER)
    with pytest.raises(InputError, match="keep_records=True"):
        records_as_read(summary.records)


def test_export_in_one_call_publishes_a_verified_zip_with_its_evidence(
    memory_app: CasefileApp, tmp_path: Path
) -> None:
    store = FileSystemBlobStore(tmp_path / "evidence")
    case_id = _case_with_exhibit(memory_app, store)
    out = tmp_path / "handover" / "case.zip"
    out.parent.mkdir()
    result = memory_app.export_bundle(
        case_id,
        out,
        checkpoint_signer=CHECKPOINTER,
        checkpoint_name="custody-suite",
        origin_namespace=NAMESPACE,
        evidence=store,
        disclosure_policy=DisclosurePolicy.only(["name"]),
        zip=True,
    )
    assert result.verification.verified
    assert result.path == result.info.path == out
    assert result.missing_evidence == frozenset()
    assert result.info.evidence_files == 1
    assert [p.name for p in out.parent.iterdir()] == ["case.zip"]  # no staging left
    again = verify_bundle(out, at=LATER, trust=TRUST)
    assert again.verified
    assert again.case_id == case_id
    with zipfile.ZipFile(out) as archive:
        assert any(n.startswith("evidence/") for n in archive.namelist())


def test_export_names_the_exhibits_whose_files_it_could_not_find(
    memory_app: CasefileApp, tmp_path: Path
) -> None:
    case_id = _case_with_exhibit(memory_app)
    result = memory_app.export_bundle(
        case_id,
        tmp_path / "bundle",
        checkpoint_signer=CHECKPOINTER,
        checkpoint_name="custody-suite",
    )
    assert result.missing_evidence == {hashlib.sha256(PHOTO).digest()}
    assert result.info.evidence_files == 0
    assert (tmp_path / "bundle" / "manifest.dsse.json").is_file()


def test_export_never_overwrites_and_a_refused_export_leaves_nothing(
    memory_app: CasefileApp, tmp_path: Path
) -> None:
    case_id = _case_with_exhibit(memory_app)
    taken = tmp_path / "case.zip"
    taken.write_bytes(b"someone else's")
    with pytest.raises(InputError, match="already exists"):
        memory_app.export_bundle(
            case_id,
            taken,
            checkpoint_signer=CHECKPOINTER,
            checkpoint_name="custody-suite",
            zip=True,
        )
    with pytest.raises(UnauthorisedSignerError):
        memory_app.export_bundle(
            case_id, tmp_path / "other.zip", checkpoint_signer=OFFICER, checkpoint_name="pc-1234"
        )
    assert taken.read_bytes() == b"someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["case.zip"]


def test_the_views_of_an_export_are_rebuilt_byte_for_byte(
    memory_app: CasefileApp, tmp_path: Path
) -> None:
    # B12: the export and the verifier build each view by one function from the records
    # the bundle carries, judged at its last record's time, never the clock of either.
    case_id = _case_with_exhibit(memory_app)
    out = tmp_path / "bundle"
    result = memory_app.export_bundle(
        case_id,
        out,
        checkpoint_signer=CHECKPOINTER,
        checkpoint_name="custody-suite",
        origin_namespace=NAMESPACE,
        audience="cps",
    )
    assert result.verification.verified
    views = {p.name: p.read_bytes() for p in (out / "views").iterdir()}
    assert sorted(views) == sorted(VIEW_NAMES)
    assert views == carried_views(out, TRUST, "cps")
    case_file = json.loads(views["casefile.json"])
    assert case_file["audience"] == "cps"
    assert "AB/1" in views["exhibits.json"].decode()
    # Read much later, the bundle's views are still the ones its records make.
    assert verify_bundle(out, at=LATER + 10**18, trust=TRUST).verified
