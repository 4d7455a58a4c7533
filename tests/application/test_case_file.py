"""``CasefileApp.case_file``: a stored case's MG forms, verified, as an audience may read them."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from application.conftest import SECOND, T0, Tamper, signer_for, stepping_clock
from casefile.application import CaseFile, CasefileApp, StoreConfig
from casefile.bundle import open_bundle, verify_bundle
from casefile.errors import InvalidCommandError, UnknownReferenceError, VerificationError
from casefile.projections import build_case_file, case_file_json
from casefile.signing import Holder, TrustEntry, TrustStore, verify_signature
from casefile.verifier import _parse, verify_case

OFFICER = signer_for("case-file officer")
SERVICE = signer_for("case-file checkpoint")
HOME = "9 Alder Way, Northam NS2 4QT"
BODY = f"I live at {HOME}. I saw a man climb out of the kitchen window of number 14."


def _trust() -> TrustStore:
    def entry(signer: object, name: str, roles: set[str]) -> TrustEntry:
        return TrustEntry(
            public_key=signer.public_key,  # type: ignore[attr-defined]
            name=name,
            holder=Holder(name="A Officer", rank="PC", number="1234", force="Test Force"),
            roles=frozenset(roles),
            valid_from=T0 - 86_400 * SECOND,
        )

    return TrustStore(
        [
            entry(OFFICER, "test.police.uk/pc-1234", {"recorder", "redactor"}),
            entry(SERVICE, "test.police.uk/checkpoint", {"checkpoint"}),
        ]
    )


@pytest.fixture
def app() -> Iterator[CasefileApp]:
    made = CasefileApp(store=StoreConfig.memory(), trust=_trust(), clock=stepping_clock())
    yield made
    made.close()


def _witness_case(app: CasefileApp) -> tuple[uuid.UUID, int]:
    """A witness whose statement names her home, and her witness care needs."""
    with app.open_session(OFFICER, offence="burglary", channel="online", reference="01YE1") as c:
        witness = c.add_person(role="witness", name="Ann Witness", date_of_birth="1980-02-03")
        statement = c.record_statement(
            witness_id=witness,
            declaration="This statement is true.",
            body=BODY,
            place="Northam Police Station",
            started_at=T0,
            ended_at=T0 + 60 * SECOND,
        )
        seq = c.statements[statement].seq
        c.sign_statement(statement_id=statement, signature_sha256=hashlib.sha256(b"s").digest())
        c.assess_witness_care(person_id=witness, special_measures="Screens at court")
        case_id = c.id
    return case_id, seq


def test_case_file_is_the_projection_of_the_verified_records(app: CasefileApp) -> None:
    case_id, seq = _witness_case(app)
    later = T0 + 3600 * SECOND
    made = app.case_file(case_id, as_of=later)
    assert isinstance(made, CaseFile)
    expected = build_case_file(app.verify(case_id).records, as_of=later)
    assert case_file_json(made) == case_file_json(expected)
    [statement] = made.mg11
    # The police's own file: every word the store holds.
    assert (statement.statement, statement.body) == (seq, BODY)
    assert made.case.urn == "01YE1"


def test_case_file_for_the_cps_withholds_what_its_decisions_withhold(app: CasefileApp) -> None:
    case_id, seq = _witness_case(app)
    app.redact(
        case_id,
        OFFICER,
        seq,
        "body",
        audiences=["cps"],
        reason="victim_or_witness_contact_details",
        match=HOME,
    )
    [for_cps] = app.case_file(case_id, audience="cps").mg11
    assert for_cps.body is not None
    assert "Alder" not in for_cps.body
    assert for_cps.body.startswith(
        "I live at [withheld 6 words: victim_or_witness_contact_details] I saw"
    )
    # The decision was for the CPS only: the court and the police read every word.
    for audience in ("court", None):
        [statement] = app.case_file(case_id, audience=audience).mg11
        assert statement.body == BODY, audience


def test_case_file_for_the_defence_carries_no_witness_care_nor_restricted_values(
    app: CasefileApp,
) -> None:
    case_id, _ = _witness_case(app)
    police = json.dumps(case_file_json(app.case_file(case_id)))
    assert "Screens at court" in police
    defence = app.case_file(case_id, audience="defence")
    [witness] = defence.mg9.witnesses
    assert witness.care is None
    document = json.dumps(case_file_json(defence))
    assert "Screens at court" not in document
    assert "1980-02-03" not in document
    assert (defence.mg3, defence.mg6d, defence.mg6e) == (None, None, None)


def test_case_file_matches_the_one_built_from_the_bundle_for_that_audience(
    app: CasefileApp, tmp_path: Path
) -> None:
    case_id, seq = _witness_case(app)
    app.redact(
        case_id, OFFICER, seq, "body", audiences=["cps"],
        reason="victim_or_witness_contact_details", match=HOME,
    )  # fmt: skip
    out = tmp_path / "cps.zip"
    app.export_bundle(
        case_id,
        out,
        checkpoint_signer=SERVICE,
        checkpoint_name="test.police.uk/checkpoint",
        audience="cps",
        zip=True,
    )
    at = app.now()
    assert verify_bundle(out, at=at, trust=app.trust).verified
    with open_bundle(out) as bundle:
        verified = verify_case(
            bundle.records(), trust=app.trust, at=at, disclosures=bundle.disclosures()
        )
    outside = case_file_json(build_case_file(verified.records, audience="cps", as_of=at))
    inside = case_file_json(app.case_file(case_id, audience="cps", as_of=at))
    # The police's path (store, redactions applied) and the CPS's (bundle) agree.
    for form in ("mg1", "mg9", "mg11", "mg12", "completeness"):
        assert inside[form] == outside[form], form


def test_case_file_of_a_tampered_record_is_refused(app: CasefileApp, tamper: Tamper) -> None:
    case_id, seq = _witness_case(app)
    stored = list(app.records(case_id))[seq - 1]
    flipped = bytearray(stored)
    flipped[-1] ^= 0x01  # a bit of the signature
    tamper(app, case_id, seq, state=bytes(flipped))
    with pytest.raises(VerificationError) as caught:
        app.case_file(case_id, audience="cps")
    assert caught.value.seq == seq


@pytest.mark.parametrize(
    ("argument", "value"),
    [("audience", "press"), ("audience", "CPS"), ("file_type", "guilty")],
)
def test_unknown_audience_or_file_type_is_refused_by_name(
    app: CasefileApp, argument: str, value: str
) -> None:
    case_id, _ = _witness_case(app)
    with pytest.raises(InvalidCommandError) as caught:
        app.case_file(case_id, **{argument: value})  # type: ignore[arg-type]
    assert caught.value.field == argument
    assert repr(value) in str(caught.value)


def test_case_file_of_an_unknown_case_is_refused(app: CasefileApp) -> None:
    with pytest.raises(UnknownReferenceError) as caught:
        app.case_file(uuid.UUID(int=7))
    assert caught.value.field == "case_id"


@pytest.mark.parametrize("audience", [None, "cps", "defence"])
def test_case_file_for_an_audience_checks_each_signature_once(
    app: CasefileApp, monkeypatch: pytest.MonkeyPatch, audience: str | None
) -> None:
    # Reading the audience's redaction decisions must not verify the whole
    # case a second time: that doubled the cost of every file for an audience.
    case_id, seq = _witness_case(app)
    app.redact(
        case_id, OFFICER, seq, "body", audiences=["cps", "defence"],
        reason="victim_or_witness_contact_details", match=HOME,
    )  # fmt: skip
    checked: list[bytes] = []

    def counted(public_key: bytes, message: bytes, signature: bytes) -> bool:
        checked.append(signature)
        return verify_signature(public_key, message, signature)

    monkeypatch.setattr(_parse, "verify_signature", counted)
    [statement] = app.case_file(case_id, audience=audience).mg11
    assert len(checked) == len(list(app.records(case_id)))
    assert statement.body is not None
    assert ("Alder" in statement.body) is (audience is None)
