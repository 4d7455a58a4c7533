"""A prosecutable case for the DCF tests, built through the domain, and the DCF validator."""

from __future__ import annotations

import functools
import hashlib
import json
import pathlib
from typing import Any

import jsonschema

from casefile.events import Custodian, Investigation, PointToProve
from casefile.projections import build_case_file, case_file_json
from projections._casefile_cases import OFFICER_HOLDER, SECOND, T0, verified_case

HERE = pathlib.Path(__file__).parent
OFFICER_AS_CUSTODIAN = Custodian(
    name=OFFICER_HOLDER.name,
    number=OFFICER_HOLDER.number,
    organisation=OFFICER_HOLDER.force,
    rank=OFFICER_HOLDER.rank,
)
HOUR = 3600 * SECOND
# The events happened days before they were recorded (the test clock starts at T0).
BASE = T0 - 240 * HOUR
VIDEO = hashlib.sha256(b"doorbell video").digest()
STATEMENT = "I saw a man climb through the back window of number 12 at about ten."
VICTIM_STATEMENT = "I came home to find the back window broken and my laptop gone."
HEADLINE = "A house in High Street was burgled at night; the suspect is on the doorbell video."
WORDING = (
    "On 22 December 2025 at Testtown entered 12 High Street as a trespasser and stole a laptop."
)


@functools.cache
def dcf_validator() -> jsonschema.Draft4Validator:
    """The public DCF 1.2.2.1 schema (third-party test data beside this file)."""
    schema = json.loads((HERE / "combined.schema.json").read_text("utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


@functools.cache
def _defendant_validators() -> dict[str, jsonschema.Draft4Validator]:
    definitions = dcf_validator().schema["definitions"]
    return {
        kind: jsonschema.Draft4Validator(
            {"definitions": definitions, "$ref": f"#/definitions/{kind[:-3]}Defendant"}
        )
        for kind in ("FirstHearingDCF", "BobDCF")
    }


def dcf_errors(document: dict[str, Any]) -> list[str]:
    """The DCF schema's complaints about ``document``, with those inside each ``oneOf``.

    The schema checks only the first defendant (a known defect of 1.2.2.1): the
    others are checked here against the same definition, as the schema means.
    """
    found = list(dcf_validator().iter_errors(document))
    case = document.get("case", {})
    defendant = _defendant_validators().get(case.get("type", ""))
    if defendant is not None:
        for item in case.get("defendants", [])[1:]:
            found.extend(defendant.iter_errors(item))
    out: list[str] = []
    while found:
        error = found.pop()
        out.append(f"/{'/'.join(map(str, error.absolute_path))}: {error.message}")
        found.extend(error.context or ())
    return sorted(out)


def burglary(
    case: Investigation,
    *,
    code: str = "TH68001",
    power: str | None = None,
    summary: bool = True,
) -> None:
    """A burglary through to charge and first hearing: the parts the DCF asks for."""
    victim = case.add_person(role="victim", name="Vera Victim")
    victim_statement = case.record_statement(
        witness_id=victim,
        declaration="This statement is true to the best of my knowledge and belief.",
        body=VICTIM_STATEMENT,
        place="12 High Street",
        started_at=BASE - 3600 * SECOND,
        ended_at=BASE - 3000 * SECOND,
    )
    case.record_vps(
        person_id=victim,
        outcome="made",
        offered_at=BASE - 3000 * SECOND,
        statement=case.statements[victim_statement].seq,
    )
    case.assess_witness_care(person_id=victim, interpreter="Polish", special_measures="Screens")
    witness = case.add_person(role="witness", name="Walt Witness")
    suspect = case.add_person(role="suspect", name="Sam Suspect")
    statement = case.record_statement(
        witness_id=witness,
        declaration="This statement is true to the best of my knowledge and belief.",
        body=STATEMENT,
        place="14 High Street",
        started_at=BASE,
        ended_at=BASE + 600 * SECOND,
    )
    case.sign_statement(statement_id=statement)
    video = case.capture_evidence(
        exhibit="JS/1",
        kind="video",
        sha256=VIDEO,
        size=1024,
        media_type="video/mp4",
        device="doorbell camera",
        location="12 High Street",
        captured_at=BASE + HOUR,
        description="Doorbell video of the back garden",
    )
    case.identify_suspect(person_id=suspect, grounds="Seen on the doorbell video")
    case.record_arrest(
        person_id=suspect,
        arrested_at=BASE + 2 * HOUR,
        place="Testtown",
        power=power or "Police and Criminal Evidence Act 1984 s.24",
        grounds="Suspected burglary; necessary to interview",
    )
    interview = case.record_interview(
        person_id=suspect,
        started_at=BASE + 3 * HOUR,
        ended_at=BASE + 4 * HOUR,
        place="Testtown police station",
        interviewers=[OFFICER_AS_CUSTODIAN],
        legal_representative=True,
        summary="Denied being at the address.",
        denials="Denied entering the house.",
    )
    if power is not None:
        return
    offence = case.allege_offence(
        person_id=suspect,
        code=code,
        title="Burglary dwelling and theft",
        wording=WORDING,
        place="12 High Street, Testtown",
        from_date="2025-12-22",
        anticipated_plea="not_guilty",
        points_to_prove=(
            PointToProve(
                "entered a building as a trespasser", (case.statements[statement].seq, video)
            ),
            PointToProve("stole", (interview,)),
        ),
    )
    case.charge_offence(offence=offence, charged_at=BASE + 5 * HOUR, wording=WORDING)
    case.record_bail(
        person_id=suspect,
        status="court_bail",
        starts_at=BASE + 5 * HOUR,
        conditions="Not to enter High Street, Testtown",
    )
    case.list_hearing(
        person_id=suspect, court="Testtown Magistrates' Court", hearing_at=BASE + 48 * HOUR
    )
    if summary:
        case.write_case_summary(
            headline=HEADLINE,
            chronology="At ten a man climbed in at the back; the doorbell camera filmed him.",
            anticipated_plea="not_guilty",
        )


def case_file_of(build: Any = burglary, *, audience: str = "cps", **kwargs: Any) -> dict[str, Any]:
    """The case file JSON of a case built by ``build``, as ``audience`` reads it."""
    verified = verified_case(lambda case: build(case, **kwargs))
    return case_file_json(build_case_file(verified.records, audience=audience))


def resolve(document: Any, path: str) -> tuple[bool, Any]:
    """(found, value) of the JSON pointer ``path`` in ``document``."""
    node = document
    for raw in path.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def _empty_leaves(node: Any, path: str = "") -> list[str]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _empty_leaves(v, f"{path}/{k}")]
    if isinstance(node, list) and node:
        return [p for k, v in enumerate(node) for p in _empty_leaves(v, f"{path}/{k}")]
    return [path] if node in ("", []) else []


def assert_every_empty_value_is_a_reported_placeholder(document: Any, report: Any) -> None:
    """An empty text or list in the document stands for nothing in the case file: the
    report must name it (or the value around it) as a placeholder."""
    stated = [u.path for u in report.unfilled if u.action == "placeholder"]
    for leaf in _empty_leaves(document):
        assert any(leaf == p or leaf.startswith(p + "/") for p in stated), leaf
