"""An export to a recipient is a handover: recorded, and its bundle ends with it (B13)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from application.conftest import CHECKPOINTER, NAMESPACE, OFFICER, T0, TRUST
from casefile.application import CasefileApp
from casefile.bundle import check_extends, parse_handovers, verify_bundle
from casefile.errors import InvalidCommandError
from casefile.signing import NoteVerifier, open_checkpoint

LATER = T0 + 10**12
VERIFIERS = [NoteVerifier("custody-suite", CHECKPOINTER.public_key)]


def _case(app: CasefileApp) -> uuid.UUID:
    case_id = app.open_case(OFFICER, offence="Burglary", channel="online", reference="01YE0000127")
    app.add_note(case_id, OFFICER, text="Door forced at the rear.")
    return case_id


def test_export_for_an_audience_ends_with_a_handover_naming_the_records_before_it(
    memory_app: CasefileApp, tmp_path: Path
) -> None:
    case_id = _case(memory_app)
    result = memory_app.export_bundle(
        case_id,
        tmp_path / "b",
        checkpoint_signer=CHECKPOINTER,
        checkpoint_name="custody-suite",
        origin_namespace=NAMESPACE,
        audience="cps",
        recipient="CPS Direct, Northshire",
    )
    assert result.verification.verified, result.verification.errors
    records = memory_app.verify(case_id, at=LATER).records
    last = records[-1]
    assert (last.event_type, last.schema, last.seq) == ("case.handed_over", 2, 3)
    assert last.data["recipient"] == "CPS Direct, Northshire"
    assert last.data["audience"] == "cps"
    named, _ = open_checkpoint(last.data["checkpoint"], VERIFIERS)
    bundle, _ = open_checkpoint(result.checkpoint, VERIFIERS)
    # The handover names the two records before it; the bundle's checkpoint covers it too.
    assert (named.size, bundle.size, result.info.records) == (2, 3, 3)
    assert named.origin == bundle.origin


def test_export_for_an_audience_without_a_recipient_hands_the_case_to_the_audience(
    memory_app: CasefileApp, tmp_path: Path
) -> None:
    case_id = _case(memory_app)
    result = memory_app.export_bundle(
        case_id,
        tmp_path / "b",
        checkpoint_signer=CHECKPOINTER,
        checkpoint_name="custody-suite",
        origin_namespace=NAMESPACE,
        audience="defence",
    )
    assert result.verification.verified
    last = memory_app.verify(case_id, at=LATER).records[-1]
    assert (last.data["recipient"], last.data["audience"]) == ("defence", "defence")


def test_export_to_no_recipient_records_nothing(memory_app: CasefileApp, tmp_path: Path) -> None:
    case_id = _case(memory_app)
    result = memory_app.export_bundle(
        case_id, tmp_path / "b", checkpoint_signer=CHECKPOINTER, checkpoint_name="custody-suite"
    )
    assert result.verification.verified
    assert memory_app.verify(case_id, at=LATER).size == result.info.records == 2


def test_second_handover_extends_the_first(memory_app: CasefileApp, tmp_path: Path) -> None:
    case_id = _case(memory_app)
    first = memory_app.export_bundle(
        case_id,
        tmp_path / "first",
        checkpoint_signer=CHECKPOINTER,
        checkpoint_name="custody-suite",
        audience="cps",
    )
    memory_app.add_note(case_id, OFFICER, text="House-to-house enquiries done.")
    second = memory_app.export_bundle(
        case_id,
        tmp_path / "second",
        checkpoint_signer=CHECKPOINTER,
        checkpoint_name="custody-suite",
        audience="cps",
    )
    assert second.info.records == 5
    # The second carries the first: its checkpoint, and the proof that the second extends it.
    (earlier,) = parse_handovers((tmp_path / "second" / "handovers.json").read_bytes())
    assert (earlier.seq, earlier.checkpoint) == (3, first.checkpoint)
    again = verify_bundle(tmp_path / "second", at=LATER, trust=TRUST, keep_history=True)
    old = check_extends(again, first.checkpoint, trust=TRUST, at=LATER)
    assert old.size == 3


def test_a_handover_naming_other_than_the_records_before_it_is_refused(
    memory_app: CasefileApp,
) -> None:
    case_id = _case(memory_app)
    early = memory_app.checkpoint(case_id, CHECKPOINTER, "custody-suite", NAMESPACE, size=1)
    with pytest.raises(InvalidCommandError, match="the 2 records before it"):
        memory_app.record_handover(
            case_id, OFFICER, recipient="CPS", checkpoint=early, audience="cps"
        )
    assert memory_app.verify(case_id, at=LATER).size == 2


def test_a_record_made_between_checkpoint_and_handover_is_not_skipped_by_the_handover(
    memory_app: CasefileApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An officer records while the export runs: the handover first tried names a checkpoint
    # that no longer ends where the case does, and is made again over the case as it is.
    case_id = _case(memory_app)
    original = CasefileApp.checkpoint
    calls: list[int | None] = []

    def checkpoint_then_record(self: CasefileApp, *args: object, **kwargs: object) -> str:
        note = original(self, *args, **kwargs)  # type: ignore[arg-type]
        calls.append(kwargs.get("size"))  # type: ignore[arg-type]
        if len(calls) == 1:
            self.add_note(case_id, OFFICER, text="Recorded while the export ran.")
        return note

    monkeypatch.setattr(CasefileApp, "checkpoint", checkpoint_then_record)
    result = memory_app.export_bundle(
        case_id,
        tmp_path / "b",
        checkpoint_signer=CHECKPOINTER,
        checkpoint_name="custody-suite",
        audience="cps",
    )
    assert result.verification.verified
    records = memory_app.verify(case_id, at=LATER).records
    assert [r.event_type for r in records[-2:]] == ["note.added", "case.handed_over"]
    assert result.info.records == 4
    assert calls[:2] == [None, None]  # the first handover was refused, the second made
