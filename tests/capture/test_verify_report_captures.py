"""A verification report accounts for the captures a bundle carries.

Without it a reader of ``casefile verify`` saw the case's records alone: no word of the
capture's records, and "disclosures all" with no redaction shown, while the captured
statement the bundle carries has the witness's address withheld from its audience.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from _captureworld import INTAKE, NAMESPACE, T0, TRUST, statement_capture
from casefile.bundle import verify_bundle
from casefile.cli._verify_cmd import render_report
from casefile.errors import VerificationError

AT = T0 + 86_400 * 10**9


def _cps_bundle(tmp_path: Path) -> tuple[Path, str]:
    app, case_id, _dev, stream = statement_capture(tmp_path)
    bundle = tmp_path / "cps"
    app.export_bundle(
        case_id,
        bundle,
        checkpoint_signer=INTAKE,
        checkpoint_name="intake-0001",
        origin_namespace=NAMESPACE,
        audience="cps",
    )
    return bundle, str(stream)


def test_report_silent_on_a_captured_statements_withheld_address_is_stopped(
    tmp_path: Path,
) -> None:
    bundle, stream = _cps_bundle(tmp_path)
    result = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    assert result.verified
    assert result.redacted == ()  # the case's own records withhold nothing
    (capture,) = result.captures
    assert (str(capture.stream), capture.records) == (stream, 4)
    assert len(capture.bound_by) == 1
    (body,) = capture.redacted
    assert (body.seq, body.field) == (3, "body")
    assert "[withheld 3 words: victim_or_witness_contact_details]" in body.text
    shown = json.loads(json.dumps(result.to_json()))["captures"]
    assert shown[0]["stream"] == stream
    assert shown[0]["redacted"][0]["seq"] == 3

    text = render_report(result, str(bundle), "folder", trust_given=True)
    assert f"  capture      {stream}: 4 records, bound by record {capture.bound_by[0]}\n" in text
    assert f"  redacted     {stream}#3, body:\n" in text
    assert "victim_or_witness_contact_details" in text


def test_failure_of_a_captured_record_read_as_the_cases_record_of_that_number_is_stopped(
    tmp_path: Path,
) -> None:
    # B19 names the stream as the case of a V step's failure; the text said "record 3",
    # which in the case is another record altogether.
    bundle, stream = _cps_bundle(tmp_path)
    result = verify_bundle(bundle, at=AT, trust=TRUST, report=True)
    broken = VerificationError("signature does not verify", case_id=stream, seq=3, step="V9")
    case_error = VerificationError("a case fault", case_id=str(result.case_id), seq=2, step="V5")
    failed = dataclasses.replace(result, verified=False, errors=(broken, case_error))
    text = render_report(failed, str(bundle), "folder", trust_given=True)
    assert f"  error        record {stream}#3, step V9" in text
    assert "  error        record 2, step V5" in text
