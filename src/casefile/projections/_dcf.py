"""The DCF export: the case file as a DCF 1.2-compatible document (public 2016 schema).

:func:`dcf_export` maps the case file's JSON (:func:`case_file_json`) onto the
last public CPS Digital Case File schema (1.2.2.1) and returns the document with
a :class:`DcfMappingReport` of what the mapping dropped, could not fill, or
refused. It is a lossy view (docs/DECISIONS.md D31): the case file stays the
source of truth. The mapping is a pure function of the case file (and of the
date given for the file), so one case file always gives one document.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from typing import Any, Final

from casefile.errors import InputError
from casefile.projections._casefile_forms import CaseFile
from casefile.projections._casefile_json import case_file_json
from casefile.projections._casefile_schema import case_file_schema
from casefile.projections._cite import Cite
from casefile.projections._dcf_build import DcfWriter, day_of
from casefile.projections._dcf_defendants import (
    bail_breach_arrest,
    bob_defendant,
    first_hearing_defendant,
)
from casefile.projections._dcf_offences import Evidence
from casefile.projections._dcf_report import (
    DCF_SCHEMA_VERSION,
    DcfMappingReport,
    dcf_urn_refusal,
)
from casefile.projections._dcf_source import SourceReader, dropped_items, pointer
from casefile.projections._dcf_witnesses import multimedia, witnesses
from casefile.verifier._payloads import _Strict

__all__ = ["dcf_export"]

# The case file's own envelope: what the DCF's schema_version replaces.
_ENVELOPE: Final = frozenset({"/format", "/version"})
# The DCF's limit on the brief description of the case, in words.
_BRIEF_WORDS: Final = 1200
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The most of a schema error's message an error repeats.
_MESSAGE: Final = 200


@functools.cache
def _case_file_validator() -> Any:
    # A pattern's final '$' is the end of the text (ECMA-262; docs/FORMAT.md §10), as V10 reads the
    # record schemas: plain Draft 2020-12 in Python lets a value ending in a line feed pass.
    return _Strict(case_file_schema())


def _check_case_file(case_file: Mapping[str, Any]) -> None:
    # The first error is enough to name: a hostile document may have very many.
    first = next(iter(_case_file_validator().iter_errors(case_file)), None)
    if first is not None:
        where = pointer(*first.absolute_path) or "/"
        # jsonschema's message quotes the value, which may be huge or personal: keep its start.
        message = (
            first.message if len(first.message) <= _MESSAGE else first.message[:_MESSAGE] + "…"
        )
        raise InputError(f"case file {where}: {message}")


def _check_date(date: str | None) -> None:
    if date is None:
        return
    try:
        valid = _DATE.fullmatch(date) is not None and bool(datetime.date.fromisoformat(date))
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise InputError(f"date: {date!r} is not a calendar date written YYYY-MM-DD")


def dcf_export(
    case_file: CaseFile | Mapping[str, Any], *, date: str | None = None
) -> tuple[dict[str, Any], DcfMappingReport]:
    """The DCF 1.2-compatible document of ``case_file`` and the report of what it left behind.

    ``case_file`` is a :class:`CaseFile` or the JSON of one
    (:func:`case_file_json`); JSON from elsewhere is checked against the
    case-file schema first. A :class:`CaseFile` as :func:`build_case_file`
    makes it is not: its JSON fits the schema by construction (the tests hold
    generated case files to it), and checking a large one costs as much as
    verifying its records. ``date`` (``YYYY-MM-DD``) is
    the file's date; by default the date its case summary (MG5) was written.
    The document is a ``FirstHearingDCF``, or a ``BobDCF`` when the file's one
    defendant faces no offence and was arrested under the Bail Act 1976, s.7.
    The document passes the DCF 1.2.2.1 schema iff ``report.conforms``; the
    report names each placeholder written so that it does.
    Raises :class:`~casefile.errors.InputError` for a case file that does not
    fit its schema or a malformed ``date``.
    """
    if isinstance(case_file, CaseFile):
        source: Mapping[str, Any] = case_file_json(case_file)
    else:
        _check_case_file(case_file)
        source = case_file
    _check_date(date)
    reader = SourceReader(source)
    w = DcfWriter(reader)
    defendants = reader.look("mg1", "defendants")
    bob = (
        len(defendants) == 1 and not defendants[0]["offences"] and bail_breach_arrest(defendants[0])
    )
    dcf_type = "BobDCF" if bob else "FirstHearingDCF"
    case: dict[str, Any] = {}
    _urn(w, case, dcf_type)
    case["type"] = dcf_type
    _summary(w, case)
    if bob:
        case["defendants"] = [bob_defendant(w, ("mg1", "defendants", 0), "/case/defendants/0")]
    else:
        case["defendants"] = _defendants(w)
    if not case["defendants"]:
        del case["defendants"]
        w.omit("/case/defendants", "no defendant in the case file faces an offence", required=True)
    case["witnesses"] = witnesses(w, bob=bob)
    if not case["witnesses"]:
        del case["witnesses"]
        w.omit("/case/witnesses", "the case file lists no witness", required=True)
    mme = multimedia(w, bob=bob)
    if mme:
        case["multimedia_evidence"] = mme
    if reader.look("mg1", "first_hearing") is not None:
        reader.leave(
            "mg1",
            "first_hearing",
            reason="sent_with_defendant",
            message="the DCF sends each defendant's first hearing with the defendant",
        )
    if not bob:
        _first_hearing_case(w, case)
    _officers(w, case)
    _file_date(w, case, date)
    report = DcfMappingReport(
        dcf_type=dcf_type,
        case_file_format=source["format"],
        case_file_version=source["version"],
        dropped=dropped_items(reader, ignore=_ENVELOPE),
        unfilled=tuple(w.unfilled),
        refused=tuple(w.refused),
    )
    return {"schema_version": DCF_SCHEMA_VERSION, "case": case}, report


def _urn(w: DcfWriter, case: dict[str, Any], dcf_type: str) -> None:
    urn = w.reader.look("case", "urn")
    refusal = dcf_urn_refusal(urn, dcf_type)
    if refusal is None:
        case["pti_urn"] = w.reader.take("case", "urn")
        if w.reader.look("mg1", "urn") == urn:
            w.reader.take("mg1", "urn")
        return
    # A URN the CPS would refuse is never sent, nor replaced by a made-up one.
    if urn is not None:
        w.refuse("/case/urn", "/case/pti_urn", refusal)
    w.omit("/case/pti_urn", refusal, required=True)


def _summary(w: DcfWriter, case: dict[str, Any]) -> None:
    mg5 = w.reader.look("mg5")
    if mg5 is None:
        case["version"] = w.placeholder(
            "/case/version", 1, "the case file holds no case summary (MG5) to version"
        )
        case["brief_description_of_case"] = w.placeholder(
            "/case/brief_description_of_case", "", "the case file holds no case summary (MG5)"
        )
        return
    case["version"] = w.reader.take("mg5", "version")
    headline = w.reader.look("mg5", "headline")
    words = len(headline.split()) if isinstance(headline, str) else 0
    if words > _BRIEF_WORDS:
        # The schema means this limit but writes it as a `maximum` that checks
        # nothing; a cut would drop words unreported, so the headline stays out.
        reason = f"the MG5 headline has {words} words; the DCF allows {_BRIEF_WORDS}"
        w.refuse("/mg5/headline", "/case/brief_description_of_case", reason)
        w.omit("/case/brief_description_of_case", reason, required=True)
        return
    case["brief_description_of_case"] = w.text(
        "/case/brief_description_of_case", w.reader.take("mg5", "headline"), "MG5 headline"
    )


def _evidence(w: DcfWriter) -> dict[Cite, str]:
    """Each piece of evidence by its record's citation, in words for a point to prove."""
    named: dict[Cite, str] = {}
    for statement in w.reader.look("mg11"):
        given = statement["witness"]["name"]
        who = given if isinstance(given, str) and given else "a witness"
        named[statement["statement"]] = f"statement of {who}"
    for row in w.reader.look("mg12"):
        for seq in row["records"]:
            named.setdefault(seq, f"exhibit {row['reference']}")
    for defendant in w.reader.look("mg1", "defendants"):
        given = defendant["person"]["name"]
        who = given if isinstance(given, str) and given else "the defendant"
        for interview in defendant["interviews"]:
            named[interview["interview"]] = (
                f"interview of {who} on {day_of(interview['started_at'])}"
            )
    return named


def _sole_victim(w: DcfWriter) -> tuple[str | int, ...] | None:
    victims = [
        k
        for k, witness in enumerate(w.reader.look("mg9", "witnesses"))
        if witness["person"]["role"] == "victim"
    ]
    return ("mg9", "witnesses", victims[0], "person") if len(victims) == 1 else None


def _defendants(w: DcfWriter) -> list[dict[str, Any]]:
    evidence: Evidence = _evidence(w)
    mg5 = w.reader.look("mg5")
    summary = list(enumerate(mg5["points"])) if mg5 is not None else []
    victim = _sole_victim(w)
    out: list[dict[str, Any]] = []
    for k, defendant in enumerate(w.reader.look("mg1", "defendants")):
        if not defendant["offences"]:
            w.reader.leave(
                "mg1",
                "defendants",
                k,
                reason="not_a_defendant",
                message="a suspect who faces no offence is not a DCF defendant",
            )
            continue
        path = f"/case/defendants/{len(out)}"
        src = ("mg1", "defendants", k)
        out.append(first_hearing_defendant(w, src, path, evidence, summary, victim))
    return out


def _first_hearing_case(w: DcfWriter, case: dict[str, Any]) -> None:
    case["likely_case_progression"] = w.placeholder(
        "/case/likely_case_progression",
        "either_way_and_likely_to_remain_in_the_magistrates_court",
        "the case file records no view on where the case will be heard",
    )
    case["expert_evidence"] = w.placeholder(
        "/case/expert_evidence", False, "the case file does not mark expert evidence"
    )
    requests = w.reader.look("mg3")
    decided = [k for k, r in enumerate(requests or ()) if r["decision"] is not None]
    if requests is None:
        case["pca_cps"] = w.placeholder(
            "/case/pca_cps", False, "this reader's case file carries no MG3 (charging)"
        )
    else:
        case["pca_cps"] = bool(decided)
    if decided:
        case["test_code"] = w.reader.take("mg3", decided[-1], "decision", "test") + "_test"
    elif requests:
        case["test_code"] = w.reader.take("mg3", len(requests) - 1, "test") + "_test"
    else:
        case["test_code"] = w.placeholder(
            "/case/test_code", "full_code_test", "the case file holds no charging request (MG3)"
        )


def _officers(w: DcfWriter, case: dict[str, Any]) -> None:
    oic = w.reader.look("mg1", "officer_in_case")
    if oic is None:
        w.omit(
            "/case/officer_in_the_case", "the case file names no officer in the case", required=True
        )
    else:
        officer = w.party("/case/officer_in_the_case", "mg1", "officer_in_case", "holder")
        if officer is not None:
            case["officer_in_the_case"] = officer
    if w.reader.look("mg5") is not None:
        signatory = w.party("/case/signatory_name", "mg5", "by")
    elif "officer_in_the_case" in case:
        signatory = w.placeholder(
            "/case/signatory_name",
            case["officer_in_the_case"],
            "no case summary names its author; the officer in the case signs",
        )
    else:
        signatory = None
        w.omit("/case/signatory_name", "the case file names no officer to sign", required=True)
    if signatory is not None:
        case["signatory_name"] = signatory


def _file_date(w: DcfWriter, case: dict[str, Any], date: str | None) -> None:
    if date is not None:
        case["date"] = date
    elif w.reader.look("mg5") is not None:
        case["date"] = day_of(w.reader.take("mg5", "written_at"))
    else:
        case["date"] = w.placeholder(
            "/case/date", "", "no date was given and the case file has no case summary"
        )
