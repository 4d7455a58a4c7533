"""Attacks by a curious recipient on what an export for an audience lets through.

A redaction decision names one field of one record. A correction is another
record that carries the corrected words (or value) under the same field name:
without care, correcting a redacted text or a withheld value would hand the
audience in full what the decision withheld. Each test searches every byte of
the bundle for the words the audience may not see.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from application.conftest import (
    CHECKPOINTER,
    NAMESPACE,
    OFFICER,
    _entry,
    signer_for,
    stepping_clock,
)
from casefile.application import CasefileApp, StoreConfig
from casefile.bundle import open_bundle
from casefile.bundle._redactions import REDACTION_NOT_APPLIED, REDACTION_WITHOUT_DECISION
from casefile.errors import InvalidCommandError
from casefile.signing._text import TextDisclosure, Withheld
from casefile.signing._trust import TrustStore

REDACTOR = signer_for("redactor")
TRUST = TrustStore(
    [
        _entry(OFFICER, "pc-1234", {"recorder"}),
        _entry(REDACTOR, "redactor", {"redactor"}),
        _entry(CHECKPOINTER, "custody-suite", {"checkpoint"}),
    ]
)
# Unlikely anywhere else in a file: what the tests search the bytes for (one word: a
# text's words are stored unit by unit, so a phrase is never one run of bytes).
HOME = "Quillfeather"
NOTE = f"Spoke to the victim at 7 {HOME} about the van seen outside."
CORRECTED = f"Spoke to the victim at 9 {HOME} about the blue van seen outside."
REASON = "victim_or_witness_contact_details"


@pytest.fixture
def app() -> Iterator[CasefileApp]:
    made = CasefileApp(store=StoreConfig.memory(), trust=TRUST, clock=stepping_clock())
    yield made
    made.close()


def _export(app: CasefileApp, case_id: uuid.UUID, out: Path, audience: str) -> None:
    result = app.export_bundle(
        case_id,
        out,
        checkpoint_signer=CHECKPOINTER,
        checkpoint_name="custody-suite",
        origin_namespace=NAMESPACE,
        audience=audience,
    )
    assert result.verification.verified, result.verification.errors
    kinds = {f.kind for f in result.verification.findings}
    assert not kinds & {REDACTION_WITHOUT_DECISION, REDACTION_NOT_APPLIED}, kinds


def _bytes_of(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _redacted_note(app: CasefileApp) -> tuple[uuid.UUID, int]:
    case_id = app.open_case(OFFICER, reference="01YE1234526", offence="Burglary", channel="phone")
    seq = app.add_note(case_id, OFFICER, text=NOTE)
    app.redact(case_id, REDACTOR, seq, "text", match=f"7 {HOME}", audiences=["cps"],
               reason=REASON)  # fmt: skip
    return case_id, seq


def test_corrected_text_does_not_escape_the_decision_on_the_original(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id, seq = _redacted_note(app)
    fix = app.correct(case_id, OFFICER, seq=seq, reason="wrong house number",
                      fields={"text": CORRECTED})  # fmt: skip
    _export(app, case_id, tmp_path / "cps", "cps")
    assert HOME.encode() not in _bytes_of(tmp_path / "cps")
    view = app.field_view(case_id, fix, "text", audience="cps")
    assert view.segments is None
    assert REASON in view.withheld
    # Another audience, for which nothing was decided, reads the correction in full.
    assert app.field_view(case_id, fix, "text", audience="court").render() == CORRECTED


def test_correction_with_its_own_decision_follows_that_decision(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id, seq = _redacted_note(app)
    fix = app.correct(case_id, OFFICER, seq=seq, reason="wrong house number",
                      fields={"text": CORRECTED})  # fmt: skip
    app.redact(case_id, REDACTOR, fix, "text", match=f"9 {HOME}", audiences=["cps"],
               reason=REASON)  # fmt: skip
    _export(app, case_id, tmp_path / "cps", "cps")
    assert HOME.encode() not in _bytes_of(tmp_path / "cps")
    shown = app.field_view(case_id, fix, "text", audience="cps").render()
    assert shown.startswith(f"Spoke to the victim at [withheld 2 words: {REASON}]")
    assert shown.endswith("about the blue van seen outside.")


def test_corrected_address_does_not_escape_a_whole_field_decision(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id = app.open_case(OFFICER, reference="01YE1234526", offence="Burglary", channel="phone")
    victim = app.add_person(case_id, OFFICER, role="victim", name="Ann Example",
                            address=f"7 {HOME}")  # fmt: skip
    person = min(app.get_case(case_id).person_record_seqs(victim))
    app.redact(case_id, REDACTOR, person, "address", audiences=["cps"], reason=REASON,
               whole_field=True)  # fmt: skip
    fix = app.correct(case_id, OFFICER, seq=person, reason="wrong house number",
                      personal={"address": f"9 {HOME}"})  # fmt: skip
    _export(app, case_id, tmp_path / "cps", "cps")
    assert HOME.encode() not in _bytes_of(tmp_path / "cps")
    assert app.field_view(case_id, fix, "address", audience="cps").value is None


def test_decision_explanation_quoting_the_withheld_words_is_refused(app: CasefileApp) -> None:
    # The explanation is itself a text every audience of the decision reads.
    case_id = app.open_case(OFFICER, reference="01YE1234526", offence="Burglary", channel="phone")
    seq = app.add_note(case_id, OFFICER, text=NOTE)
    quoted = f"her home, 7  {HOME.upper()}, is not relevant"
    with pytest.raises(InvalidCommandError, match="explanation: quotes words it withholds"):
        app.redact(case_id, REDACTOR, seq, "text", match=f"7 {HOME}", audiences=["cps"],
                   reason="other", explanation=quoted)  # fmt: skip
    assert len(list(app.records(case_id))) == 2


def test_decision_explanation_quoting_a_withheld_value_is_refused(app: CasefileApp) -> None:
    case_id = app.open_case(OFFICER, reference="01YE1234526", offence="Burglary", channel="phone")
    victim = app.add_person(case_id, OFFICER, role="victim", name="Ann Example",
                            address=f"7 {HOME} Row")  # fmt: skip
    person = min(app.get_case(case_id).person_record_seqs(victim))
    with pytest.raises(InvalidCommandError, match="explanation: quotes words it withholds"):
        app.redact(case_id, REDACTOR, person, "address", audiences=["cps"], reason=REASON,
                   whole_field=True, explanation=f"lives at 7 {HOME} Row.")  # fmt: skip
    assert len(list(app.records(case_id))) == 2


def test_erasure_explanation_quoting_the_erased_words_is_refused() -> None:
    dpo = signer_for("data-protection-officer")
    trust = TrustStore([*TRUST.entries, _entry(dpo, "dpo", {"data_protection"})])
    app = CasefileApp(store=StoreConfig.memory(), trust=trust, clock=stepping_clock())
    case_id = app.open_case(OFFICER, reference="01YE1234526", offence="Burglary", channel="phone")
    seq = app.add_note(case_id, OFFICER, text=NOTE)
    with pytest.raises(InvalidCommandError, match="explanation: quotes words it withholds"):
        app.erase_words(case_id, dpo, seq, "text", match=f"7 {HOME}", basis="erasure_request",
                        explanation=f"Subject asked us to erase '7 {HOME}'")  # fmt: skip
    assert len(list(app.records(case_id))) == 2
    done = app.erase_words(case_id, dpo, seq, "text", match=f"7 {HOME}",
                           basis="erasure_request", explanation="Request of 2 May")  # fmt: skip
    assert done.seq == 3
    app.close()


def _carried(bundle: Path) -> list[tuple[int, str, object]]:
    """What a bundle discloses, salts aside: each value, and each text as its reader sees it."""
    with open_bundle(bundle) as opened:
        entry = opened.manifest.entry("disclosures.bin")
        return [
            (d.seq, d.name, d.segments() if isinstance(d, TextDisclosure) else d.value)
            for d in opened.disclosures(entry)
        ]


def test_every_backend_exports_the_same_redacted_bundle_for_each_audience(
    store: StoreConfig, tmp_path: Path
) -> None:
    app = CasefileApp(store=store, trust=TRUST, clock=stepping_clock())
    case_id = app.open_case(OFFICER, reference="01YE1234526", offence="Burglary", channel="phone")
    victim = app.add_person(case_id, OFFICER, role="victim", name="Ann Example",
                            address=f"7 {HOME}", phone="07700 900456")  # fmt: skip
    person = min(app.get_case(case_id).person_record_seqs(victim))
    note = app.add_note(case_id, OFFICER, text=NOTE)
    app.redact(case_id, REDACTOR, note, "text", match=f"7 {HOME}", audiences=["cps"],
               reason=REASON)  # fmt: skip
    app.redact(case_id, REDACTOR, person, "address", audiences=["cps"], reason=REASON,
               whole_field=True)  # fmt: skip
    for audience in ("cps", "defence"):
        _export(app, case_id, tmp_path / audience, audience)
    app.close()
    cps, defence = _carried(tmp_path / "cps"), _carried(tmp_path / "defence")
    assert cps == [
        (2, "name", "Ann Example"),
        (2, "phone", "07700 900456"),
        (3, "text", ("Spoke to the victim at ", Withheld(5, 7), "about the van seen outside.")),
    ]
    # The decisions are for the CPS: the defence reads the note whole, never her details.
    assert defence == [(2, "name", "Ann Example"), (3, "text", (NOTE,))]
