"""A withheld run of a case file's text says why it is withheld, as the verification report does.

Every withholding is a signed decision for an audience (or an erasure): the
case file's marker names the reasons of the decisions in force on the run,
by the rule and in the words of B11's report (docs/CASEFILE.md §5).
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.application import CasefileApp, StoreConfig
from casefile.bundle._redactions import RedactionLedger
from casefile.events import Investigation
from casefile.projections import build_case_file
from casefile.projections._casefile_stream import _reasoned_marker
from casefile.projections._redactions import redactions_for
from casefile.signing import TextDisclosure, TrustEntry, TrustStore, Withheld
from casefile.signing._text import commit_text
from casefile.verifier import VerifiedCase, verify_case
from projections._casefile_cases import DAY, OFFICER, OFFICER_HOLDER, SECOND, T0

BODY = "I saw a man climb through the back window of number 12 at about ten."
UNITS = len(BODY.split())
REASON = "victim_or_witness_contact_details"
# The officer here may also decide what each audience sees, and erase.
TRUST = TrustStore(
    [
        TrustEntry(
            public_key=OFFICER.public_key,
            name="test.police.uk/pc-1234",
            holder=OFFICER_HOLDER,
            roles=frozenset({"recorder", "redactor", "data_protection"}),
            valid_from=T0 - DAY,
        )
    ]
)


def _case(act: Any = None) -> tuple[CasefileApp, uuid.UUID, int]:
    """A statement, then whatever ``act`` decides about its body; the app, the case, its seq."""
    ticks = itertools.count()
    app = CasefileApp(
        store=StoreConfig.memory(), trust=TRUST, clock=lambda: T0 + SECOND * next(ticks)
    )
    with app.open_session(
        OFFICER, channel="phone", reference="01YE1234526", kind="crime", offence="Burglary"
    ) as case:
        witness = case.add_person(role="witness", name="Walt Witness")
        statement_id = case.record_statement(
            witness_id=witness,
            declaration="This statement is true to the best of my knowledge and belief.",
            body=BODY,
            place="14 High Street",
            started_at=T0,
            ended_at=T0 + 600 * SECOND,
        )
        seq = case.statements[statement_id].seq
        if act is not None:
            act(case, seq)
        case_id = case.id
    return app, case_id, seq


def _decide(case: Investigation, seq: int, audiences: tuple[str, ...] = ("cps",)) -> int:
    return case.decide_redaction(
        record=seq, field="body", audiences=audiences, reason=REASON, runs=[(4, 7)], units=UNITS
    )


def _verified(app: CasefileApp, case_id: uuid.UUID) -> VerifiedCase:
    return verify_case(
        app.records(case_id), trust=TRUST, at=app.now(), disclosures=app.disclosures(case_id)
    )


def _withheld(verified: VerifiedCase, seq: int) -> list[Any]:
    """The case's disclosures with units 4 to 7 of the statement's body withheld."""
    out: list[Any] = []
    for record in verified.records:
        for value in record.disclosed.values():
            if isinstance(value, TextDisclosure) and (value.seq, value.name) == (seq, "body"):
                value = value.redact([(4, 7)])
            out.append(value)
    return out


def _body(app: CasefileApp, case_id: uuid.UUID, audience: str | None) -> str:
    body = app.case_file(case_id, audience=audience).mg11[0].body
    assert body is not None
    return body


def test_a_withheld_run_in_an_mg11_names_the_reason_of_the_decision_that_withholds_it() -> None:
    app, case_id, seq = _case(_decide)
    assert f"a man [withheld 3 words: {REASON}] back window" in _body(app, case_id, "cps")
    # The pure function from verified records says the same, the decision read
    # after the statement it withholds from.
    verified = _verified(app, case_id)
    file = build_case_file(verified.records, audience="cps", disclosures=_withheld(verified, seq))
    assert f"[withheld 3 words: {REASON}]" in (file.mg11[0].body or "")
    # Records handed over as a one-pass iterator are read twice all the same.
    once = build_case_file(
        iter(verified.records), audience="cps", disclosures=_withheld(verified, seq)
    )
    assert once.mg11[0].body == file.mg11[0].body


def test_a_run_withheld_with_no_decision_in_force_is_marked_without_a_reason() -> None:
    app, case_id, seq = _case()
    verified = _verified(app, case_id)
    file = build_case_file(verified.records, audience="cps", disclosures=_withheld(verified, seq))
    assert "a man [withheld 3 words] back window" in (file.mg11[0].body or "")


def test_a_withdrawn_decision_no_longer_gives_its_reason() -> None:
    def decide_then_withdraw(case: Investigation, seq: int) -> None:
        case.withdraw_redaction(decision=_decide(case, seq))

    app, case_id, seq = _case(decide_then_withdraw)
    verified = _verified(app, case_id)
    file = build_case_file(verified.records, audience="cps", disclosures=_withheld(verified, seq))
    body = file.mg11[0].body or ""
    assert "[withheld 3 words]" in body
    assert REASON not in body


def test_a_decision_for_another_audience_gives_no_reason_to_this_one() -> None:
    app, case_id, seq = _case(lambda case, seq: _decide(case, seq, ("defence",)))
    verified = _verified(app, case_id)
    for audience in ("cps", None):
        file = build_case_file(
            verified.records, audience=audience, disclosures=_withheld(verified, seq)
        )
        body = file.mg11[0].body or ""
        assert "[withheld 3 words]" in body, audience
        assert REASON not in body, audience


def test_an_erased_run_is_marked_erased_for_every_reader() -> None:
    app, case_id, seq = _case()
    app.erase_words(
        case_id, OFFICER, seq, "body", basis="erasure_request", explanation="Asked", runs=[(4, 7)]
    )
    for audience in (None, "cps", "defence"):
        assert "a man [erased 3 words] back window" in _body(app, case_id, audience), audience


def test_a_callers_own_marker_still_wins_over_the_reasons() -> None:
    app, case_id, seq = _case(_decide)
    verified = _verified(app, case_id)

    def mine(_seq: int, _name: str, run: Withheld) -> str:
        return f"<{run.units} gone>"

    file = build_case_file(
        verified.records, audience="cps", disclosures=_withheld(verified, seq), marker=mine
    )
    assert "a man <3 gone> back window" in (file.mg11[0].body or "")


# --- the same marker as the report, whatever the acts -------------------------------------

_CASE = uuid.UUID(int=0xCA5E)
_N = 12
_, _FULL = commit_text(_CASE, 2, "body", " ".join(f"w{i}" for i in range(_N)), random_bytes=bytes)
_REASONS = ("victim_or_witness_contact_details", "other", "third_party_personal_data")


@dataclass(frozen=True)
class _Record:
    """What both the report's ledger and the case file's marker read of a verified record."""

    seq: int
    event_type: str
    data: dict[str, Any]
    commitments: dict[str, bytes] = field(default_factory=dict)
    disclosed: dict[str, Any] = field(default_factory=dict)


_RUNS = st.lists(st.integers(0, _N + 3), max_size=6, unique=True).map(
    lambda xs: [[a, b] for a, b in zip(sorted(xs)[::2], sorted(xs)[1::2], strict=False)]
)


@st.composite
def _acts(draw: st.DrawFn) -> list[_Record]:
    out: list[_Record] = []
    for seq in range(3, 3 + draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["decided", "withdrawn", "erased"]))
        runs = None if draw(st.integers(0, 5)) == 0 else draw(_RUNS)
        named = {"record": 2, "field": "body", "runs": runs}
        if kind == "decided":
            audiences = draw(st.lists(st.sampled_from(("cps", "defence")), min_size=1))
            data = {**named, "audiences": sorted(set(audiences))}
            out.append(
                _Record(
                    seq, "redaction.decided", {**data, "reason": draw(st.sampled_from(_REASONS))}
                )
            )
        elif kind == "withdrawn":
            out.append(_Record(seq, "redaction.withdrawn", {"decision": draw(st.integers(2, seq))}))
        else:
            out.append(_Record(seq, "disclosure.erased", {**named, "basis": "erasure_request"}))
    return out


@given(
    acts=_acts(),
    withheld=st.lists(st.integers(0, _N), min_size=2, max_size=6, unique=True),
    audience=st.sampled_from(("cps", "defence", None)),
)
@settings(max_examples=300, deadline=None)
def test_the_case_file_marker_is_the_reports_whatever_the_decisions(
    acts: list[_Record], withheld: list[int], audience: str | None
) -> None:
    points = sorted(withheld)
    runs = [(a, b) for a, b in zip(points[::2], points[1::2], strict=False)]
    shown = _FULL.redact(runs)
    statement = _Record(2, "statement.recorded", {}, {"body": b"c"}, {"body": shown})
    records = [statement, *acts]
    ledger = RedactionLedger(audience)
    for record in records:
        ledger.take(record, frozenset({"body"}))  # type: ignore[arg-type]
    [report] = ledger.redacted()
    marker = _reasoned_marker(records, redactions_for(records, audience))  # type: ignore[arg-type]
    said = [s for s in report.segments if not isinstance(s, str)]
    runs_shown = [s for s in shown.segments() if not isinstance(s, str)]
    assert len(said) == len(runs_shown)
    for theirs, run in zip(said, runs_shown, strict=True):
        ours = marker(2, "body", run)
        if theirs.label.endswith(": no decision"):
            assert ours == f"[withheld {run.units} word{'' if run.units == 1 else 's'}]"
        else:
            assert ours == str(theirs)
