"""Over random policies, audiences and stream decisions: what an export carries of a capture
passes B21, and putting back any disclosure it withheld makes B21 refuse it (FORMAT §9.6)."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from _captureworld import (
    INTAKE,
    SCENE,
    SERGEANT,
    T0,
    TRUST,
    centre,
    device,
    open_case,
)
from casefile.application._export_policy import audience_policy
from casefile.bundle import DISCLOSE_ALL, DISCLOSE_NONE, DisclosurePolicy
from casefile.bundle._capture_disclosures import capture_disclosure_faults
from casefile.bundle._capture_package import read_capture_package, write_capture_package
from casefile.signing._text import parse_disclosure
from casefile.verifier import payload_schemas, verify_case

AT = T0 + 86_400 * 10**9
AUDIENCES = ["cps", "court", "defence", "victim"]
#: record 2 (the witness) commits values, record 3 (her statement) texts.
VALUES = ["name", "address", "phone"]
TEXTS = {"body": 12, "place": 2}  # units of each text below
BODY = "I saw a man leave 12 Acacia Avenue over the back fence."

policies = st.one_of(
    st.none(),
    st.just(DISCLOSE_NONE),
    st.just(DISCLOSE_ALL),
    st.sets(st.sampled_from([*VALUES, *TEXTS]), min_size=1).map(DisclosurePolicy.only),
)


@st.composite
def decisions(draw: st.DrawFn) -> tuple[int, str, list[str], list[tuple[int, int]] | None, bool]:
    """(record, field, audiences, runs or None for the whole field, withdrawn later)."""
    field = draw(st.sampled_from([*VALUES, *TEXTS]))
    audiences = sorted(draw(st.sets(st.sampled_from(AUDIENCES), min_size=1)))
    runs = None
    if field in TEXTS and draw(st.booleans()):
        n = TEXTS[field]
        a = draw(st.integers(0, n - 1))
        runs = [(a, draw(st.integers(a + 1, n)))]
    return (2 if field in VALUES else 3), field, audiences, runs, draw(st.booleans())


def _faults(package: bytes, policy: DisclosurePolicy, audience: str | None) -> list[object]:
    parsed = read_capture_package(package)
    verified = verify_case(
        parsed.records,
        trust=TRUST,
        at=AT,
        case_id=parsed.stream,
        disclosures=[parse_disclosure(d) for d in parsed.disclosures],
        payloads=payload_schemas(),
        workers=1,
    )
    return list(capture_disclosure_faults(verified.records, policy=policy, audience=audience))


@settings(max_examples=60, deadline=None)
@given(
    audience=st.sampled_from([None, *AUDIENCES]),
    given_policy=policies,
    acts=st.lists(decisions(), max_size=3),
)
def test_what_an_export_carries_passes_b21_and_any_withheld_disclosure_put_back_fails(
    audience: str | None,
    given_policy: DisclosurePolicy | None,
    acts: list[tuple[int, str, list[str], list[tuple[int, int]] | None, bool]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = centre()
        case_id = open_case(app)
        dev = device(Path(folder))
        stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
        with dev.session(stream, SCENE) as capture:
            witness = capture.add_person(
                role="witness", name="Ann Example", address="1 High Street", phone="07700 900123"
            )
            capture.record_statement(
                witness_id=witness, declaration="This statement is true.", body=BODY,
                place="Her kitchen", started_at=T0, ended_at=T0 + 10**9,
            )  # fmt: skip
        for record, field, audiences, runs, withdrawn in acts:
            done = dev.redact(
                stream, SERGEANT, record, field, audiences=audiences, reason="other",
                explanation="Not needed.", runs=runs, whole_field=runs is None,
            )  # fmt: skip
            if withdrawn and done.seq is not None:
                dev.withdraw_redaction(stream, SERGEANT, done.seq)
        full = dev.capture_package(stream, signer=SCENE, name="pc-1001")
        app.attach_capture(full, signer=INTAKE, name="intake-0001")
        policy = audience_policy(given_policy, audience)  # as export_bundle writes it
        exported = app.carried_captures(
            app.verify(case_id).records,
            disclosures=lambda s, n: app.capture_disclosures(
                s, size=n, policy=policy, audience=audience, at=AT
            ),
        )[stream]
        dev.close()
    assert _faults(exported, policy, audience) == []
    parsed = read_capture_package(exported)
    carried = {(d.seq, d.name): raw for raw in parsed.disclosures if (d := parse_disclosure(raw))}
    stored = {
        (d.seq, d.name): raw
        for raw in read_capture_package(full).disclosures
        if (d := parse_disclosure(raw))
    }
    for key, raw in stored.items():
        if carried.get(key) == raw:
            continue  # carried as stored: nothing withheld
        forged = {**carried, key: raw}
        package = write_capture_package(
            uuid.UUID(bytes=parsed.stream.bytes),
            parsed.checkpoint,
            parsed.records,
            [forged[k] for k in sorted(forged)],
        )
        assert _faults(package, policy, audience), key
