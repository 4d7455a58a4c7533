"""B9: a break in an exhibit's chain of custody is a finding a court weighs, never a failure.

Bundles are built from custody records sealed directly (payloads as in
docs/CUSTODY.md), so that the verifier is tested against the format rather
than against the domain code that writes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _casebuilder import AT, T0, CaseBuilder, CustodyWorld
from casefile._time import ns_to_rfc3339
from casefile.bundle import (
    DISCLOSE_ALL,
    BundleVerification,
    verify_bundle,
    write_bundle,
    zip_bundle,
)
from casefile.cli import main
from casefile.errors import FixityError, VerificationError
from casefile.projections import ContinuityFindingKind, ContinuityPolicy
from casefile.signing._trust_json import dump_trust_store

WORLD = CustodyWorld()
MINUTE = 60 * 10**9
DAY = 86_400 * 10**9
START = T0 + 3600 * 10**9
PHOTO = b"\x89PNG photograph of the scene\n" * 64
SKETCH = b"\x89PNG sketch of the scene\n" * 64
CONTINUITY_KINDS = {k.value for k in ContinuityFindingKind} | {"evidence_not_in_bundle"}


def _party(name: str, number: str, organisation: str, rank: str = "", role: str = "") -> Any:
    return {
        "name": name,
        "number": number,
        "organisation": organisation,
        "rank": rank,
        "role": role,
    }


PC = _party("Jane Smith", "1234", "Test Police", rank="PC")
DC = _party("Raj Patel", "5678", "Test Police", rank="DC")
LAB = _party("Ann Lee", "L-77", "Forensic Lab Ltd", role="examiner")
STORE = _party("Central Store", "PS-1", "Test Police", role="property")


@dataclass
class Chain:
    """A case whose records are sealed one by one, with the evidence files it carries."""

    case: CaseBuilder = field(default_factory=lambda: CaseBuilder(uuid.UUID(int=0xC0FFEE)))
    evidence: dict[bytes, bytes] = field(default_factory=dict)

    def custody(self, kind: str, at: int, *, by: Any = PC, ref: str = "JS/1", **fields: Any) -> int:
        data = {
            "exhibit": ref, "by": by, "recorded_by": None, "place": "Station",
            "occurred_at": None, "notes": "",
        }  # fmt: skip
        data.update(fields)
        personal = None
        return self._add(f"exhibit.{kind}", data, personal, at)

    def seize(self, at: int, ref: str = "JS/1") -> int:
        return self.custody(
            "seized", at, ref=ref, description="Black iPhone", sha256=None, media_type=None,
            power="PACE s.19", authority="", seized_from=None,
        )  # fmt: skip

    def capture(
        self, at: int, ref: str, content: bytes, *, carried: bool = True, size: int | None = None
    ) -> int:
        digest = hashlib.sha256(content).digest()
        data = {
            "exhibit": ref, "kind": "photo", "sha256": digest,
            "size": len(content) if size is None else size,
            "media_type": "image/png", "device": "tablet-7", "location": "12 High Street",
            "captured_at": at, "description": "Photograph of the scene", "produced_by": None,
            "by": PC, "recorded_by": None,
        }  # fmt: skip
        if carried:
            self.evidence[digest] = content
        return self._add("evidence.captured", data, None, at)

    def note(self, at: int) -> int:
        return self._add("note.added", {"text": "case review"}, None, at)

    def _add(self, event_type: str, data: Any, personal: Any, at: int) -> int:
        WORLD.add(self.case, event_type, data, personal=personal, time_ns=at)
        return len(self.case.records)  # the sequence number of the record just sealed

    def write(self, dest: Path) -> Path:
        sources = {}
        for digest, content in self.evidence.items():
            sources[digest] = dest.parent / f"{dest.name}-{digest.hex()[:8]}"
            sources[digest].write_bytes(content)
        write_bundle(
            dest,
            case_id=self.case.case_id,
            records=iter(self.case.records),
            disclosures=iter(self.case.disclosures),
            trust=WORLD.trust,
            checkpoint_note=WORLD.checkpoint(self.case),
            signer=WORLD.log,
            evidence=sources or None,
            disclosure_policy=DISCLOSE_ALL,
        )
        return dest


def clean_chain() -> Chain:
    """Seized, sealed, booked, checked out to a lab, opened, resealed, booked back; a photo."""
    chain = Chain()
    t = iter(range(START, START + 100 * MINUTE, MINUTE))
    chain.capture(next(t), "JS/2", PHOTO)
    chain.seize(next(t))
    chain.custody("packaged", next(t), bag="B1", seal="S1")
    chain.custody("booked", next(t), to=STORE, property_ref="P/26/1")
    chain.custody(
        "transferred", next(t), by=STORE, to=LAB, purpose="Examination", seal_checked=True,
        seal="S1", seal_intact=True, submission_ref="LAB-7",
    )  # fmt: skip
    chain.custody("seal_opened", next(t), by=LAB, seal="S1", reason="Examination")
    chain.custody("resealed", next(t), by=LAB, old_seal="S1", new_seal="S2", bag="B2")
    chain.custody("booked", next(t), by=LAB, to=STORE, property_ref="P/26/1")
    return chain


def gap_and_wrong_seal(pause: int = 40 * DAY) -> tuple[Chain, int]:
    """Sealed by PC, then handed to DC after ``pause`` outside a store, quoting another seal."""
    chain = Chain()
    chain.seize(START)
    chain.custody("packaged", START + MINUTE, bag="B1", seal="S1")
    handover = chain.custody(
        "transferred", START + MINUTE + pause, to=DC, purpose="Interview", seal_checked=True,
        seal="S9", seal_intact=True, submission_ref="",
    )  # fmt: skip
    return chain, handover


def _continuity(result: BundleVerification) -> set[tuple[str, str | None, int | None]]:
    return {(f.kind, f.exhibit, f.seq) for f in result.findings if f.kind in CONTINUITY_KINDS}


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


# --- findings, not failures ------------------------------------------------------


def test_clean_custody_chain_verifies_with_no_finding(tmp_path: Path) -> None:
    bundle = clean_chain().write(tmp_path / "b")
    zip_bundle(bundle, tmp_path / "b.zip")
    for source in (bundle, tmp_path / "b.zip"):
        result = verify_bundle(source, at=AT, trust=WORLD.trust)
        assert result.verified, result.errors
        assert result.records == 8
        assert result.findings == ()
        assert result.evidence.files == 1
        assert result.to_json()["findings"] == []


def test_gap_and_seal_mismatch_are_findings_naming_exhibit_and_record(tmp_path: Path) -> None:
    chain, handover = gap_and_wrong_seal()
    bundle = chain.write(tmp_path / "b")
    result = verify_bundle(bundle, at=AT, trust=WORLD.trust)  # raises on any failure
    assert result.verified
    assert result.errors == ()
    assert _continuity(result) == {
        ("unexplained_gap", "JS/1", handover),
        ("seal_mismatch", "JS/1", handover),
    }
    for finding in result.findings:
        assert "JS/1" in finding.message
    reported = verify_bundle(bundle, at=AT, trust=WORLD.trust, report=True)
    assert reported.verified
    assert reported.findings == result.findings


def test_to_json_lists_continuity_findings_with_kind_exhibit_seq_and_message(
    tmp_path: Path,
) -> None:
    chain, handover = gap_and_wrong_seal()
    document = verify_bundle(chain.write(tmp_path / "b"), at=AT, trust=WORLD.trust).to_json()
    assert document["verified"] is True
    assert document["errors"] == []
    findings = document["findings"]
    assert isinstance(findings, list)
    assert all(set(f) == {"kind", "exhibit", "seq", "message"} for f in findings)
    mismatch = next(f for f in findings if f["kind"] == "seal_mismatch")
    assert (mismatch["exhibit"], mismatch["seq"]) == ("JS/1", handover)
    assert "S9" in mismatch["message"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pause_days=st.integers(min_value=0, max_value=90))
def test_a_gap_is_reported_exactly_when_longer_than_the_policy_allows(pause_days: int) -> None:
    chain, handover = gap_and_wrong_seal(pause_days * DAY)
    with tempfile.TemporaryDirectory() as folder:
        bundle = chain.write(Path(folder) / "b")
        default = verify_bundle(bundle, at=AT, trust=WORLD.trust, workers=1)
        lenient = verify_bundle(
            bundle,
            at=AT,
            trust=WORLD.trust,
            workers=1,
            continuity_policy=ContinuityPolicy(max_gap_ns=60 * DAY),
        )
    for result, allowed in ((default, 30), (lenient, 60)):
        assert result.verified
        gap = ("unexplained_gap", "JS/1", handover) in _continuity(result)
        assert gap == (pause_days * DAY > allowed * DAY), (pause_days, allowed)
        assert ("seal_mismatch", "JS/1", handover) in _continuity(result)


def test_exhibit_idle_until_the_last_record_is_a_gap_but_not_until_verification(
    tmp_path: Path,
) -> None:
    idle = Chain()
    seized = idle.seize(START)
    quiet = verify_bundle(idle.write(tmp_path / "quiet"), at=AT, trust=WORLD.trust)
    # Verified a year later, nothing in the bundle shows a gap: findings depend on the bundle.
    assert quiet.verified
    assert _continuity(quiet) == set()
    idle.note(START + 40 * DAY)
    later = verify_bundle(idle.write(tmp_path / "later"), at=AT, trust=WORLD.trust)
    assert later.verified
    assert _continuity(later) == {("unexplained_gap", "JS/1", seized)}


# --- evidence: a wrong hash fails, a file left out is a finding ------------------


def test_tampered_evidence_file_is_a_fixity_error_not_a_finding(tmp_path: Path) -> None:
    bundle = clean_chain().write(tmp_path / "b")
    (victim,) = (bundle / "evidence").iterdir()
    _flip_last_byte(victim)
    with pytest.raises(VerificationError):
        verify_bundle(bundle, at=AT, trust=WORLD.trust)
    result = verify_bundle(bundle, at=AT, trust=WORLD.trust, report=True)
    assert not result.verified
    assert not result.evidence.verified
    fixity = [e for e in result.errors if isinstance(e, FixityError)]
    assert [(e.step, e.kind) for e in fixity] == [("B8", "fixity")]
    assert f"evidence/{victim.name}" in fixity[0].message
    assert "JS/2" in fixity[0].message
    assert result.findings == ()


@pytest.mark.parametrize("zipped", [False, True])
def test_evidence_file_shorter_than_its_recorded_size_fails_b8(
    tmp_path: Path, zipped: bool
) -> None:
    # The file hashes to its name, but the capture signed for it says it was longer:
    # the bytes in the bundle are not all that was captured.
    chain = Chain()
    chain.seize(START)
    chain.capture(START + MINUTE, "JS/2", PHOTO, size=len(PHOTO) + 1)
    bundle = chain.write(tmp_path / "b")
    if zipped:
        bundle = zip_bundle(bundle, tmp_path / "b.zip")
    with pytest.raises(FixityError, match="evidence/"):
        verify_bundle(bundle, at=AT, trust=WORLD.trust)
    result = verify_bundle(bundle, at=AT, trust=WORLD.trust, report=True)
    assert not result.verified
    assert not result.evidence.verified
    assert [(e.step, e.kind) for e in result.errors] == [("B8", "fixity")]
    message = result.errors[0].message
    assert f"evidence/{hashlib.sha256(PHOTO).hexdigest()}" in message
    assert f"exhibit JS/2 was captured as {len(PHOTO) + 1} bytes" in message
    assert f"{len(PHOTO)} bytes" in message


def test_evidence_file_of_its_recorded_size_passes_b8(tmp_path: Path) -> None:
    chain = Chain()
    chain.seize(START)
    chain.capture(START + MINUTE, "JS/2", PHOTO)
    result = verify_bundle(chain.write(tmp_path / "b"), at=AT, trust=WORLD.trust, report=True)
    assert result.verified
    assert result.evidence.verified


def test_recorded_evidence_left_out_of_a_bundle_with_evidence_is_a_finding(
    tmp_path: Path,
) -> None:
    chain = clean_chain()
    sketch = chain.capture(START + DAY, "JS/3", SKETCH, carried=False)
    result = verify_bundle(chain.write(tmp_path / "b"), at=AT, trust=WORLD.trust)
    assert result.verified
    assert result.evidence.verified
    assert result.evidence.files == 1
    assert _continuity(result) == {("evidence_not_in_bundle", "JS/3", sketch)}
    (finding,) = result.findings
    assert hashlib.sha256(SKETCH).hexdigest() in finding.message


def test_export_by_reference_without_evidence_files_reports_none_missing(
    tmp_path: Path,
) -> None:
    chain = clean_chain()
    chain.evidence.clear()
    result = verify_bundle(chain.write(tmp_path / "b"), at=AT, trust=WORLD.trust)
    assert result.verified
    assert result.evidence.files == 0
    assert result.findings == ()


# --- reports go as far as they can ------------------------------------------------


def test_report_of_a_case_whose_records_fail_still_lists_continuity(tmp_path: Path) -> None:
    chain, handover = gap_and_wrong_seal()
    last = chain.note(START + 50 * DAY)
    bundle = chain.write(tmp_path / "b")
    _flip_last_byte(bundle / "records.bin")  # inside the last record's signature
    with pytest.raises(VerificationError):
        verify_bundle(bundle, at=AT, trust=WORLD.trust)
    result = verify_bundle(bundle, at=AT, trust=WORLD.trust, report=True)
    assert not result.verified
    assert ("bad_signature", "V9", last) in {(e.kind, e.step, e.seq) for e in result.errors}
    assert not any(e.kind in CONTINUITY_KINDS for e in result.errors)
    assert {
        ("unexplained_gap", "JS/1", handover),
        ("seal_mismatch", "JS/1", handover),
    } <= _continuity(result)


def test_cli_verify_json_shows_the_continuity_findings(tmp_path: Path) -> None:
    chain, handover = gap_and_wrong_seal()
    bundle = chain.write(tmp_path / "b")
    trust = tmp_path / "trust.json"
    trust.write_text(dump_trust_store(WORLD.trust), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    argv = ["verify", str(bundle), "--json", "--trust", str(trust), "--at", ns_to_rfc3339(AT)]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code == 0, err.getvalue()
    report = json.loads(out.getvalue())
    assert report["verified"] is True
    assert report["errors"] == []
    shown = {(f["kind"], f["exhibit"], f["seq"]) for f in report["findings"]}
    assert shown == {("unexplained_gap", "JS/1", handover), ("seal_mismatch", "JS/1", handover)}
