"""The demo's first visit, recorded offline on the tablet: it joins the case by two syncs,
never forks it, travels in every bundle, and leaves the tablet once the centre receipted it."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from casefile.application import CasefileApp, DeviceApp, StoreConfig
from casefile.bundle import open_bundle, verify_bundle
from casefile.bundle._capture_package import read_capture_package
from casefile.cli._demo_keys import DOMAIN
from casefile.cli._demo_tablet import TABLET
from casefile.signing import load_trust_store
from casefile.signing._records import parse_record, record_hash
from cli._support import Demo, run_cli

REFERENCE = "42NS1234526"
#: The tablet's stream: 12 records at the scene, then a correction and two withholdings.
FIRST, SECOND = 12, 15


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo as ``casefile demo`` runs it: the first visit on the tablet."""
    root = tmp_path_factory.mktemp("tablet") / "casefile-demo"
    result = run_cli(["demo", "--out", root])
    assert result.code == 0, result.err
    return Demo(root, result.out)


@contextmanager
def _centre(demo: Demo) -> Iterator[tuple[CasefileApp, uuid.UUID]]:
    app = CasefileApp(store=StoreConfig.sqlite(demo.db), trust=load_trust_store(demo.trust))
    try:
        yield app, app.find_case(REFERENCE)
    finally:
        app.close()


def _bindings(app: CasefileApp, case_id: uuid.UUID) -> list[dict[str, Any]]:
    headers = [parse_record(r).header for r in app.records(case_id)]
    return [dict(h.data) | {"seq": h.seq} for h in headers if h.event_type == "capture.attached"]


def _stream(binding: dict[str, Any]) -> uuid.UUID:
    return uuid.UUID(bytes=binding["stream"])


def test_tablet_stream_is_attached_twice_only_its_new_records_the_second_time(demo: Demo) -> None:
    with _centre(demo) as (app, case_id):
        first, second = _bindings(app, case_id)
    assert (first["from_size"], first["size"]) == (0, FIRST)
    assert (second["from_size"], second["size"]) == (FIRST, SECOND)
    assert first["stream"] == second["stream"]
    assert first["device"] == second["device"] == TABLET
    # Each sync was received after what it carries was recorded: no finding on either.
    assert first["findings"] == second["findings"] == []
    # DC Reyes recorded at the station while the tablet was out: the first binding
    # comes after his notes, and the case's own records go on after it.
    assert 2 < first["seq"] < second["seq"]


def test_case_never_forked_while_the_tablet_recorded(demo: Demo) -> None:
    with _centre(demo) as (app, case_id):
        records = list(app.records(case_id))
        verified = app.verify(case_id)
    headers = [parse_record(r).header for r in records]
    # One linear chain: every seq once, in order, each record naming the one before.
    assert [h.seq for h in headers] == list(range(1, len(records) + 1))
    assert all(
        h.prev == record_hash(before) for h, before in zip(headers[1:], records, strict=False)
    )
    assert {h.case_id for h in headers} == {case_id}
    assert len(verified.records) == len(records)


def test_cps_bundle_carries_the_tablets_capture_and_verifies(demo: Demo) -> None:
    with _centre(demo) as (app, case_id):
        _, second = _bindings(app, case_id)
    stream = _stream(second)
    for name in ("bundle", "bundle-first", "bundle-defence"):
        folder = demo.root / name
        package = read_capture_package((folder / "captures" / f"{stream}.pkg").read_bytes())
        assert package.stream == stream
        assert len(package.records) == SECOND, name
        assert [parse_record(r).header.case_id for r in package.records] == [stream] * SECOND
        with open_bundle(folder) as opened:
            assert opened.manifest.entry(f"captures/{stream}.pkg") is not None
        result = verify_bundle(folder, at=time.time_ns(), trust=load_trust_store(demo.trust))
        assert result.verified, (name, result.errors)


def test_tablet_kept_the_receipt_and_forgot_the_stream(demo: Demo) -> None:
    with _centre(demo) as (app, case_id):
        _, second = _bindings(app, case_id)
    tablet = DeviceApp(
        demo.root / "tablet.sqlite",
        trust=load_trust_store(demo.trust),
        device=TABLET,
        origin_namespace=DOMAIN,
    )
    try:
        stream = _stream(second)
        assert tablet.streams() == []
        receipt = tablet.receipt(stream)
        assert receipt is not None
        assert (receipt.case_id, receipt.size, receipt.seq) == (case_id, SECOND, second["seq"])
    finally:
        tablet.close()
    # The victim's home address is gone from the tablet's file with the stream.
    assert b"Wren Terrace" not in (demo.root / "tablet.sqlite").read_bytes()


@pytest.mark.parametrize(
    ("name", "records"), [("bundle-first", 65), ("bundle", 68), ("bundle-defence", 69)]
)
def test_each_bundle_holds_the_case_records_up_to_its_own_handover(
    demo: Demo, name: str, records: int
) -> None:
    result = run_cli(["verify", demo.root / f"{name}.zip", "--json", "--trust", demo.trust])
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert (report["verified"], report["records"]) == (True, records)


def test_case_records_and_who_signed_them(demo: Demo) -> None:
    listed = run_cli(["cases", "--db", demo.db, "--trust", demo.trust])
    assert "69 records" in listed.out
    # DC Reyes opened the case when the victim rang in.
    assert "northshire.police.example/officer/3308" in listed.out
    # The case's own records by signer; the tablet's 15 are PC Okafor's, in its capture.
    assert (
        "PC 4721 Okafor 12, DC 3308 Reyes 35, PS-2291 Moss 8, FS-0417 Nair 8, "
        "SVC-02 capture intake 2, CPS-1187 Bello 4"
    ) in demo.output
    assert "records     69 in 18 saves" in demo.output
    # Both numbers are the tablet's: record 13 of the case is another record altogether.
    assert "a correction (tablet record 3 by tablet record 13)" in demo.output


def test_summary_says_what_came_from_the_tablet(demo: Demo) -> None:
    assert f"offline on {TABLET}: {SECOND} records" in demo.output
    assert f"synced 2 times (records 1-{FIRST}, then {FIRST + 1}-{SECOND}, bound by" in demo.output
    assert "tablet.sqlite" in demo.output


def test_summary_claiming_every_point_tied_to_evidence_while_four_cite_none_is_stopped(
    demo: Demo,
) -> None:
    # The completeness report names the four points only the tablet's records prove.
    assert "each point to prove tied to its evidence" not in demo.output
    assert "burglary alleged; 4 of its points to prove cite no evidence" in demo.output
    assert "lacks 4:" in demo.output


def test_points_to_prove_cite_only_evidence_records_of_the_case(demo: Demo) -> None:
    # A point's evidence is a list of the case's seqs (FORMAT §10.4): the tablet's statement
    # and photographs are records of its capture, and a captured exhibit's seq in the case
    # is its binding, so neither may be cited; the rest of the evidence still is.
    from casefile.events import EVIDENCE_TYPES

    with _centre(demo) as (app, case_id):
        headers = [parse_record(r).header for r in app.records(case_id)]
    types = {h.seq: h.event_type for h in headers}
    (alleged,) = [h for h in headers if h.event_type == "offence.alleged"]
    cited = {p["element"]: p["evidence"] for p in alleged.data["points_to_prove"]}
    assert all(types[seq] in EVIDENCE_TYPES for seqs in cited.values() for seq in seqs)
    defendant = cited["The defendant was the person who did so"]
    assert [types[seq] for seq in defendant] == [
        "statement.recorded", "evidence.captured", "interview.recorded",
    ]  # fmt: skip
    assert cited["Entered a building or part of a building"] == []


def test_tablets_withholding_reaches_the_bundles_and_no_byte_of_her_home_does(demo: Demo) -> None:
    # Her address field and the words of her statement naming her home were withheld on
    # the tablet, by decisions of its capture: each bundle's capture leaves them out.
    from cli.test_demo_redaction import _contents, _needles

    assert "bundle/, 80 of 80 fields disclosed, the tablet's 21 of 22:" in demo.output
    assert "bundle-defence/, 72 of 80 fields disclosed, the tablet's 19 of 22:" in demo.output
    for name in ("bundle", "bundle-first", "bundle-defence"):
        contents = _contents(demo.root / name, demo.root / f"{name}.zip")
        assert any("captures/" in where for where in contents)
        for where, data in contents.items():
            for needle in _needles():
                assert needle not in data, (where, needle)


def test_the_case_file_reads_the_tablets_first_visit_in_its_place(demo: Demo) -> None:
    # The projections read the case and the tablet's stream as one story: the victim's
    # statement taken on the tablet is an MG11 of the file, cited by its stream, and every
    # record a sentence of the file names is cited as the case or the stream numbers it.
    with _centre(demo) as (app, case_id):
        first, _ = _bindings(app, case_id)
        stream = _stream(first)
        document = json.loads((demo.root / "casefile.json").read_bytes())
        offences = [
            h.seq
            for h in (parse_record(r).header for r in app.records(case_id))
            if h.event_type == "offence.alleged"
        ]
    statements = document["mg11"]
    taken = [s for s in statements if str(s["records"][0]).startswith(f"{stream}#")]
    assert taken, "the statement taken on the tablet is not in the case file"
    assert "exhibits    7" in demo.output
    assert "continuity: no findings" in demo.output
    for lack in document["completeness"]["lacking"]:
        for named in re.findall(r"offence (\d+)", lack["message"]):
            assert int(named) in offences, lack["message"]


def test_demo_help_describing_one_bundle_of_two_officers_and_no_tablet_is_stopped() -> None:
    shown = run_cli(["demo", "--help"])
    assert shown.code == 0
    text = " ".join(shown.out.split())
    assert "first visit offline on an officer's tablet" in text
    assert "bundles (folder and zip) for the CPS and the defence" in text
    assert "two officers" not in text
