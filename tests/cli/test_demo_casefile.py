"""``casefile demo`` as a prosecutable case: the case file it writes, and what that rests on."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import jsonschema
import pytest

from casefile.bundle import open_bundle, verify_bundle
from casefile.cli._demo_case import VICTIM_HOME
from casefile.projections import build_case_file, case_file_json
from casefile.signing import load_trust_store
from casefile.verifier import verify_case
from cli._support import Demo, run_cli
from dcf._dcf_cases import dcf_errors


@pytest.fixture
def case_file(demo: Demo) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((demo.root / "casefile.json").read_text("utf-8"))
    return document


def test_demo_case_file_fits_the_schema_casefile_schema_prints(
    demo: Demo, case_file: dict[str, Any]
) -> None:
    printed = run_cli(["schema", "casefile"])
    assert printed.code == 0, printed.err
    jsonschema.Draft202012Validator(json.loads(printed.out)).validate(case_file)
    assert (case_file["format"], case_file["audience"]) == ("casefile-case-file", "cps")


def test_demo_file_is_complete_for_an_anticipated_not_guilty_plea(
    demo: Demo, case_file: dict[str, Any]
) -> None:
    assert case_file["file_type"] == "anticipated_not_guilty_plea"
    assert case_file["completeness"] == {
        "complete": True,
        "file_type": "anticipated_not_guilty_plea",
        "lacking": [],
    }
    assert "anticipated not-guilty plea file: complete, nothing lacking" in demo.output
    assert "casefile.json, for the CPS: MG1, MG3, MG5, MG6C, MG6D, MG6E, MG9" in demo.output


def test_demo_case_file_withholds_the_victims_home_from_the_cps(
    demo: Demo, case_file: dict[str, Any]
) -> None:
    text = (demo.root / "casefile.json").read_text("utf-8")
    for word in re.findall(r"[A-Za-z]{4,}", VICTIM_HOME):
        assert word not in text, word
    victim_statement = case_file["mg11"][0]
    assert victim_statement["witness"]["name"] == "Margaret Hale"
    # The marker says why: the prosecutor's file names the signed decision's reason.
    assert (
        "I live alone at [withheld 6 words: victim_or_witness_contact_details] Since"
        in victim_statement["body"]
    )


def test_the_case_file_marker_equals_the_verification_reports_marker(
    demo: Demo, case_file: dict[str, Any]
) -> None:
    # The CPS's bundle verified: the report's text of the victim's statement, marker
    # and all, is the body of its MG11 in the case file the police wrote beside it.
    report = verify_bundle(
        demo.root / "bundle.zip", at=time.time_ns(), trust=load_trust_store(demo.trust)
    )
    statement = case_file["mg11"][0]
    [shown] = [r for r in report.redacted if (r.seq, r.field) == (statement["statement"], "body")]
    markers = [str(s) for s in shown.segments if not isinstance(s, str)]
    assert markers == ["[withheld 6 words: victim_or_witness_contact_details]"]
    assert shown.text == statement["body"]


def test_demo_charge_rests_on_the_prosecutors_own_signed_decision(
    case_file: dict[str, Any],
) -> None:
    [request] = case_file["mg3"]
    decision = request["decision"]
    assert (decision["outcome"], decision["test"]) == ("charge", "full_code")
    assert decision["signed_by"]["key"] == "cps.gov.example/prosecutor/CPS-1187"
    assert decision["signed_by"]["holder"]["organisation"] == "Crown Prosecution Service"
    assert decision["signed_by"]["holder"]["role"] == "prosecutor"
    [defendant] = case_file["mg1"]["defendants"]
    assert defendant["person"]["name"] == "Lee Carver"
    [offence] = defendant["offences"]
    assert offence["charge"]["decision"] == decision["decision"]
    assert offence["offence"] in request["offences"]
    assert defendant["bail"]["ends_at"] == defendant["hearings"][0]["hearing_at"]
    assert defendant["hearings"][0]["first"] is True


def test_demo_points_to_prove_each_cite_evidence_of_the_case(case_file: dict[str, Any]) -> None:
    [defendant] = case_file["mg1"]["defendants"]
    [offence] = defendant["offences"]
    points = offence["points_to_prove"]
    assert len(points) == 5
    interview = defendant["interviews"][0]["interview"]
    statements = {s["statement"] for s in case_file["mg11"]}
    for point in points:
        assert point["evidence"], point["element"]
    cited = {seq for point in points for seq in point["evidence"]}
    assert interview in cited
    assert statements & cited


def test_demo_interview_recording_is_an_exhibit_whose_hash_the_interview_quotes(
    case_file: dict[str, Any],
) -> None:
    [interview] = case_file["mg1"]["defendants"][0]["interviews"]
    assert interview["legal_representative"] is True
    exhibits = {row["reference"]: row for row in case_file["mg12"]}
    assert interview["recording"] == "DR/3"
    assert exhibits["DR/3"]["sha256"] == interview["recording_sha256"]
    assert exhibits["DR/3"]["media_type"] == "audio/wav"


def test_demo_unused_material_is_scheduled_and_every_item_marked_by_the_prosecutor(
    case_file: dict[str, Any],
) -> None:
    mg6c, mg6d, mg6e = case_file["mg6c"], case_file["mg6d"], case_file["mg6e"]
    assert [i["item"] for i in mg6c["items"]] == [1, 2]
    assert [i["item"] for i in mg6d["items"]] == [3]
    assert [i["item"] for i in mg6e["items"]] == [2]
    for item in mg6c["items"] + mg6d["items"]:
        assert item["decision"]["signed_by"]["holder"]["role"] == "prosecutor", item["item"]
    assert [i["decision"]["decision"] for i in mg6c["items"]] == [
        "clearly_not_disclosable",
        "disclose",
    ]
    assert mg6c["pending"] == mg6d["pending"] == []


def test_demo_summary_is_in_its_second_version_and_the_victim_made_a_vps(
    case_file: dict[str, Any],
) -> None:
    assert case_file["mg5"]["version"] == 2
    assert len(case_file["mg5"]["earlier_versions"]) == 1
    assert case_file["mg5"]["anticipated_plea"] == "not_guilty"
    victim = next(w for w in case_file["mg9"]["witnesses"] if w["person"]["role"] == "victim")
    assert victim["vps"]["outcome"] == "made"
    assert victim["vps"]["statement"] in victim["statements"]
    assert victim["care"]["special_measures"] == "Screens at court."


def test_demo_case_file_is_what_the_cps_builds_from_its_bundle(
    demo: Demo, case_file: dict[str, Any]
) -> None:
    # The outside path: verify the CPS's bundle and build the file from its records
    # alone. It holds the same forms as the file the police built from their store.
    trust = load_trust_store(demo.trust)
    with open_bundle(demo.root / "bundle.zip") as bundle:
        verified = verify_case(
            bundle.records(),
            trust=trust,
            at=time.time_ns(),
            disclosures=bundle.disclosures(),
        )
        audience = bundle.manifest.audience
    assert audience == "cps"
    from_bundle = case_file_json(
        build_case_file(
            verified.records, audience=audience, file_type="anticipated_not_guilty_plea"
        )
    )
    for form in ("mg1", "mg3", "mg5", "mg6c", "mg6d", "mg6e", "mg9", "mg11", "mg12"):
        assert from_bundle[form] == case_file[form], form


def test_demo_dcf_document_passes_the_public_dcf_schema_and_says_what_it_lost(
    demo: Demo, case_file: dict[str, Any]
) -> None:
    dcf = json.loads((demo.root / "dcf.json").read_text("utf-8"))
    report = json.loads((demo.root / "dcf-report.json").read_text("utf-8"))
    assert dcf_errors(dcf) == []
    assert report["conforms"] is True
    assert report["refused"] == []
    # What the DCF cannot carry is named, not silently lost: the MG6C among it.
    dropped = {item["pointer"] for item in report["dropped"]}
    assert "/mg6c" in dropped
    assert f"names the {len(report['dropped'])} parts it cannot carry" in demo.output
    assert case_file["case"]["urn"] == "42NS1234526"
    assert dcf["case"]["pti_urn"] == case_file["case"]["urn"]
    assert dcf["case"]["type"] == "FirstHearingDCF"


def test_demo_records_never_go_back_in_time(demo: Demo) -> None:
    # A record dated before the one it follows is a finding (time_went_backwards):
    # the scenario's steps must keep the order a real case's devices would.
    report = json.loads(
        run_cli(["verify", demo.root / "bundle", "--trust", demo.trust, "--json"]).out
    )
    assert {f["kind"] for f in report["findings"]} == {"withheld_fields"}


def test_demo_summary_states_every_time_the_victims_statement_gives(
    case_file: dict[str, Any],
) -> None:
    # The MG5 chronology took the corrected 07:45 while her MG11 still says 08:30: a
    # prosecutor must see the difference in the summary, not find it at trial.
    chronology = case_file["mg5"]["chronology"]
    victim = case_file["mg11"][0]
    assert victim["witness"]["name"] == "Margaret Hale"
    for stated in re.findall(r"\b\d\d:\d\d\b", victim["body"]):
        assert stated in chronology, stated


def test_demo_labels_its_dcf_view_honestly_and_counts_its_placeholders(demo: Demo) -> None:
    # The DCF document is a lossy view compatible with a public 2016 schema, and some of its
    # values were written only because that schema demands them: the demo must not call it
    # "the same file", and must say how many of its values are placeholders, not facts.
    report = json.loads((demo.root / "dcf-report.json").read_text("utf-8"))
    placeholders = sum(gap["action"] == "placeholder" for gap in report["unfilled"])
    said = " ".join(demo.output.split())
    assert "the same file as a DCF" not in said
    assert f"dcf.json, {report['label']}, passes that schema: a FirstHearingDCF;" in said
    assert f"({placeholders} hold placeholders, not facts)" in said


def test_demo_interview_gives_no_special_warning_its_arrest_cannot_support(
    case_file: dict[str, Any],
) -> None:
    # CJPOA 1994 s.37 reaches a suspect the arresting officer found at the place at or about
    # the time of the offence; the demo's arrest is the next day, outside 3 Mill Row. An
    # inference a court cannot draw must not be claimed in the file.
    for defendant in case_file["mg1"]["defendants"]:
        scenes = {(o["place"], o["from_date"]) for o in defendant["offences"]}
        found_there = any(
            (arrest["place"], arrest["arrested_at"][:10]) in scenes
            for arrest in defendant["arrests"]
        )
        for interview in defendant["interviews"]:
            if "s37" in interview["special_warnings"]:
                assert found_there, interview["records"]
            assert ("s.37" in interview["summary"]) == ("s37" in interview["special_warnings"])


def test_demo_burglary_carries_a_burglary_code_not_the_shop_theft_code(
    demo: Demo, case_file: dict[str, Any]
) -> None:
    # TH68010 is the CJS code of theft from a shop (the DCF files it under retail theft): a
    # burglary charged under it is a different offence on every system that reads the code.
    (offence,) = case_file["mg1"]["defendants"][0]["offences"]
    assert (offence["code"], offence["charge"]["code"]) == ("TH68036", "TH68036")
    assert offence["title"].startswith("Burglary dwelling and theft")
    report = (demo.root / "dcf-report.json").read_text("utf-8")
    assert "RetailTheft" not in report


def test_demo_writes_the_cps_case_file_as_a_page_and_says_how_to_print_it(
    demo: Demo, case_file: dict[str, Any]
) -> None:
    page = (demo.root / "casefile.html").read_text("utf-8")
    assert page.lower().startswith("<!doctype html>")
    for heading in ("MG1 File front sheet", "MG11 Witness statements", "MG12 Exhibit list"):
        assert heading in page
    verification = page[page.index('id="verification-h"') :]
    # The page rests on a checkpoint signed over the records it shows.
    assert "No checkpoint was given." not in verification
    assert f"northshire.police.example/{case_file['case']['id']}" in verification
    assert any("casefile.html," in line for line in demo.output.splitlines())
    (line,) = [line for line in demo.output.splitlines() if "--format pdf" in line]
    assert line.split()[:2] == ["casefile", "casefile"]
    assert "--audience cps --format pdf --out casefile.pdf" in line
