"""Any valid sequence of prosecution commands seals into records that verify and load back."""

from __future__ import annotations

import unicodedata
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casefile.events import CommandContext, Investigation, PointToProve, load_investigation
from casefile.verifier import payload_schemas, verify_case
from events._prosecution import DC, DIGEST, PROSECUTOR, prosecutor_key, seal, trust_with_prosecutor
from events.conftest import OFFICER, SECOND, T0, counted_bytes, signer_for, stepping_clock

# Commands assert times up to a million seconds after T0; records are made after them all.
START = T0 + 10**7 * SECOND
LATER = START + 10**7 * SECOND
SCHEMAS = payload_schemas()
_EVIDENCE = ("statement.recorded", "evidence.captured", "interview.recorded")
_TEXT = (
    st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")),
        min_size=1,
        max_size=30,
    )
    .map(lambda s: unicodedata.normalize("NFC", s))
    .filter(lambda s: 0 < len(s) <= 1024)
)


def _evidence(case: Investigation) -> list[int]:
    return [seq for seq in range(1, case.version + 1) if case.record_type(seq).TYPE in _EVIDENCE]


def _step(case: Investigation, draw: Any) -> str:
    """Run one command chosen among those the case admits now; return its name."""
    people = list(case.people)
    suspects = list(case.suspects)
    open_offences = [s for s, o in case.offences.items() if o.charged is None]
    awaiting = {o for r in case.charging_requests.values() if r.decided is None for o in r.offences}
    undecided = [s for s, r in case.charging_requests.items() if r.decided is None]
    charged = {o.person_id for o in case.offences.values() if o.charged is not None}
    # The later a command comes in a case, the likelier it is drawn once it may be.
    choices = ["person", "statement", "capture"]
    if [p for p in people if p not in case.suspects]:
        choices += ["identify"] * 2
    if suspects:
        choices += ["arrest", "attend", "interview", "bail", *["allege"] * 3]
    if open_offences:
        choices += ["charge", "correct"]
    if [o for o in open_offences if o not in awaiting]:
        choices += ["request"] * 4
    if undecided:
        choices += ["decide"] * 6
    if charged:
        choices += ["hearing"] * 2
    choice = draw(st.sampled_from(choices))
    when = T0 + draw(st.integers(0, 10**6)) * SECOND
    text = draw(_TEXT)
    if choice == "person":
        case.add_person(role=draw(st.sampled_from(["suspect", "witness", "victim"])), name=text)
    elif choice == "statement":
        witness = (
            draw(st.sampled_from(people)) if people else case.add_person(role="witness", name=text)
        )
        case.record_statement(
            witness_id=witness, declaration="True.", body=text, place="Home",
            started_at=when, ended_at=when,
        )  # fmt: skip
    elif choice == "capture":
        case.capture_evidence(
            exhibit=f"JS/{case.version}", kind="video", sha256=DIGEST, size=1,
            media_type="video/mp4", device="Recorder", location=text, captured_at=when,
        )  # fmt: skip
    elif choice == "identify":
        person = draw(st.sampled_from([p for p in people if p not in case.suspects]))
        case.identify_suspect(person_id=person, grounds=text)
    elif choice == "arrest":
        case.record_arrest(
            person_id=draw(st.sampled_from(suspects)), arrested_at=when, place=text,
            power="Police and Criminal Evidence Act 1984 s.24", grounds=text,
        )  # fmt: skip
    elif choice == "attend":
        case.record_voluntary_attendance(
            person_id=draw(st.sampled_from(suspects)), attended_at=when, place=text
        )
    elif choice == "interview":
        exhibits = list(case.exhibits)
        recording = draw(st.sampled_from([None, *exhibits]))
        case.record_interview(
            person_id=draw(st.sampled_from(suspects)), started_at=when,
            ended_at=when + draw(st.integers(0, 7200)) * SECOND, place=text,
            interviewers=draw(st.sampled_from([[OFFICER], [DC], [OFFICER, DC]])),
            legal_representative=draw(st.booleans()), summary=text,
            denials=draw(st.sampled_from(["", text])), no_comment=draw(st.booleans()),
            special_warnings=draw(st.sampled_from([(), ("s36",), ("s37", "s36")])),
            recording=recording, recording_sha256=None if recording is None else DIGEST,
        )  # fmt: skip
    elif choice == "allege":
        evidence = _evidence(case)
        cited = draw(st.lists(st.sampled_from(evidence), unique=True)) if evidence else []
        day = draw(st.integers(1, 28))
        case.allege_offence(
            person_id=draw(st.sampled_from(suspects)),
            code=draw(st.from_regex(r"[A-Z0-9]{1,16}", fullmatch=True)), title=text,
            wording=text, place=text, from_date=f"2026-02-{day:02d}",
            to_date=draw(st.sampled_from([None, f"2026-02-{day:02d}", "2026-03-01"])),
            anticipated_plea=draw(st.sampled_from(["guilty", "not_guilty", "unknown"])),
            committed_on_bail=draw(st.booleans()),
            points_to_prove=[PointToProve(text, tuple(cited))] if cited else (),
        )  # fmt: skip
    elif choice == "bail":
        case.record_bail(
            person_id=draw(st.sampled_from(suspects)),
            status=draw(st.sampled_from(["police_bail", "released_under_investigation"])),
            starts_at=when, ends_at=draw(st.sampled_from([None, when + SECOND])),
            conditions=draw(st.sampled_from(["", text])),
        )  # fmt: skip
    elif choice == "charge":
        seq = draw(st.sampled_from(open_offences))
        decisions = [
            d.seq for d in case.charging_decisions.values()
            if seq in d.offences and d.outcome == "charge"
        ]  # fmt: skip
        case.charge_offence(
            offence=seq, charged_at=when, wording=text,
            decision=draw(st.sampled_from([None, *decisions])),
        )  # fmt: skip
    elif choice == "correct":
        seq = draw(st.sampled_from(open_offences))
        case.correct(seq=seq, reason=text, fields={"title": text, "anticipated_plea": "guilty"})
    elif choice == "request":
        free = [o for o in open_offences if o not in awaiting]
        asked = draw(st.lists(st.sampled_from(free), min_size=1, unique=True))
        case.request_charging_decision(
            offences=asked, test=draw(st.sampled_from(["full_code", "threshold"])), summary=text,
            questions=draw(st.sampled_from(["", text])),
        )  # fmt: skip
    elif choice == "decide":
        request = case.charging_requests[draw(st.sampled_from(undecided))]
        outcome = draw(st.sampled_from(["charge", "no_further_action", "further_evidence"]))
        chosen: list[int] = []
        if outcome == "charge":
            chosen = draw(st.lists(st.sampled_from(request.offences), min_size=1, unique=True))
        case.bind_actor(PROSECUTOR)
        case.record_charging_decision(
            request=request.seq, outcome=outcome, test="full_code", reasons=text,
            offences=chosen, action_plan=text if outcome == "further_evidence" else "",
        )  # fmt: skip
        case.bind_actor(OFFICER)
    else:
        case.list_hearing(
            person_id=draw(st.sampled_from(sorted(charged))), court=text,
            hearing_at=when, first=draw(st.booleans()),
        )  # fmt: skip
    return choice


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_valid_prosecution_commands_seal_verify_and_load_back(data: st.DataObject) -> None:
    officer, prosecutor = signer_for("officer"), prosecutor_key()
    trust = trust_with_prosecutor(officer)
    context = CommandContext(clock=stepping_clock(START), random_bytes=counted_bytes())
    case = Investigation.open(
        reference="01YE1234526", offence="Burglary", channel="phone", context=context
    )
    case.bind_actor(OFFICER)
    stored = []
    for _ in range(data.draw(st.integers(1, 30))):
        done = _step(case, data.draw)
        event(done)
        # A prosecutor's decision is sealed by the prosecutor's key, all else by the officer's.
        signer = prosecutor if done == "decide" else officer
        stored.extend(seal(case, signer, trust).stored_events)
    loaded = load_investigation(case.id, stored, trust)
    assert loaded.suspects == case.suspects
    assert loaded.offences == case.offences
    assert loaded.charging_requests == case.charging_requests
    assert loaded.charging_decisions == case.charging_decisions
    assert loaded.corrections == case.corrections
    assert (loaded.version, loaded.head) == (case.version, case.head)
    records = [s.state for s in stored]
    verified = verify_case(records, trust=trust, at=LATER, payloads=SCHEMAS)
    assert verified.size == case.version
