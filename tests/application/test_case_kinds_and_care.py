"""Opening cases of each kind through the application, and witness care kept from the defence."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from pathlib import Path

import pytest

from application.conftest import CHECKPOINTER, NAMESPACE, OFFICER, T0
from casefile.application import CasefileApp
from casefile.bundle import open_bundle, verify_bundle
from casefile.bundle._dsse import seal_envelope
from casefile.bundle._manifest import FileEntry, manifest_bytes
from casefile.errors import InvalidCommandError, ManifestError

CARE = {"care_needs", "interpreter", "special_measures", "dates_to_avoid"}


def test_the_application_opens_a_missing_person_case_without_an_offence(
    memory_app: CasefileApp,
) -> None:
    case_id = memory_app.open_case(
        OFFICER, kind="missing_person", channel="phone", reference="01YE0000226"
    )
    case = memory_app.get_case(case_id)
    assert (case.kind, case.offence) == ("missing_person", None)
    (summary,) = memory_app.case_summaries()
    assert (summary.case_id, summary.offence) == (case_id, "")


def test_the_application_refuses_a_crime_without_an_offence_and_stores_nothing(
    memory_app: CasefileApp,
) -> None:
    with pytest.raises(InvalidCommandError, match="offence: a crime case names its offence"):
        memory_app.open_case(OFFICER, channel="phone", reference="01YE0000326")
    with (
        pytest.raises(InvalidCommandError, match="offence: a missing_person case names no"),
        memory_app.open_session(
            OFFICER, kind="missing_person", offence="Theft", channel="phone", reference="R"
        ),
    ):
        pass
    assert memory_app.list_cases() == []


def _case_with_care(app: CasefileApp) -> uuid.UUID:
    with app.open_session(
        OFFICER, offence="Burglary", channel="online", reference="01YE0000426"
    ) as case:
        witness = case.add_person(role="witness", name="Wes Witness")
        case.assess_witness_care(
            person_id=witness,
            care_needs="uses a wheelchair",
            interpreter="Polish",
            special_measures="screens",
            dates_to_avoid="the week of 9 March",
        )
        return case.id


def _export(app: CasefileApp, case_id: uuid.UUID, out: Path, audience: str) -> set[str]:
    app.export_bundle(
        case_id,
        out,
        checkpoint_signer=CHECKPOINTER,
        checkpoint_name="custody-suite",
        origin_namespace=NAMESPACE,
        audience=audience,
    )
    with open_bundle(out) as opened:
        return {d.name for d in opened.disclosures(opened.manifest.entry("disclosures.bin"))}


def test_witness_care_needs_never_reach_a_defence_bundle(
    memory_app: CasefileApp, tmp_path: Path
) -> None:
    case_id = _case_with_care(memory_app)
    assert _export(memory_app, case_id, tmp_path / "cps", "cps") >= CARE | {"name"}
    kept = _export(memory_app, case_id, tmp_path / "defence", "defence")
    assert "name" in kept, "the defence still gets what is not restricted"
    assert not kept & CARE


def test_care_needs_smuggled_into_a_defence_bundle_fail_b7(
    memory_app: CasefileApp, tmp_path: Path
) -> None:
    # A sender holding the checkpoint key writes the CPS disclosures into a defence bundle.
    case_id = _case_with_care(memory_app)
    _export(memory_app, case_id, tmp_path / "cps", "cps")
    _export(memory_app, case_id, tmp_path / "defence", "defence")
    smuggled = (tmp_path / "cps" / "disclosures.bin").read_bytes()
    target = tmp_path / "defence"
    (target / "disclosures.bin").write_bytes(smuggled)
    with open_bundle(target) as bundle:
        manifest = bundle.manifest
    files = tuple(
        FileEntry(f.path, len(smuggled), hashlib.sha256(smuggled).digest())
        if f.path == "disclosures.bin"
        else f
        for f in manifest.files
    )
    envelope = seal_envelope(
        manifest_bytes(dataclasses.replace(manifest, files=files)), CHECKPOINTER
    )
    (target / "manifest.dsse.json").write_bytes(envelope)
    report = verify_bundle(target, at=T0 + 10**15, trust=memory_app.trust, report=True)
    assert not report.verified
    faults = [e.message for e in report.errors if e.step == "B7"]
    for name in CARE:
        assert any(f"restricted field '{name}'" in m for m in faults), (name, faults)
    with pytest.raises(ManifestError, match="restricted field"):
        verify_bundle(target, at=T0 + 10**15, trust=memory_app.trust)
