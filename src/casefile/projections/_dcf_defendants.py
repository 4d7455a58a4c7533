"""DCF 1.2 defendants from the case file's MG1: arrest, interview, bail, hearing, offences.

Each function reads one part of a case-file defendant through the export's
:class:`~casefile.projections._dcf_build.DcfWriter`, so that every value it
carries is marked as carried and every DCF field it cannot fill is reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from casefile.projections._casefile_json import is_withheld
from casefile.projections._dcf_build import DcfWriter, day_of
from casefile.projections._dcf_offences import Evidence, offences

__all__ = [
    "bail_breach_arrest",
    "bob_defendant",
    "first_hearing_defendant",
]

_REMAND: Final = {
    "remanded_in_custody": "custody",
    "unconditional_bail": "unconditional_bail",
    "released_under_investigation": "not_applicable",
}


# An arrest for breaking bail (Bail Act 1976, s.7(3)) is the one arrest that needs
# no offence: a BobDCF's defendant.
_BAIL_ACT_S7: Final = re.compile(r"bail act 1976.*\bs(ection)?\.? ?7\b", re.IGNORECASE)

_MISSING_ANSWER: Final = "the case file does not record it"


def _flag(w: DcfWriter, path: str, what: str) -> bool:
    # A yes/no the DCF requires and the case file does not hold: "no", stated.
    return bool(w.placeholder(path, False, f"{_MISSING_ANSWER} ({what})"))


def _arrest(w: DcfWriter, src: tuple[str | int, ...], path: str) -> dict[str, Any] | None:
    arrests = w.reader.look(*src, "arrests")
    if not arrests:
        w.omit(path, "the case file records no arrest of the defendant", required=False)
        return None
    for later in range(1, len(arrests)):
        w.reader.leave(
            *src,
            "arrests",
            later,
            reason="one_arrest",
            message="the DCF carries one arrest per defendant: the first",
        )
    # Grounds, place and power have no field (comments_on_arrest_and_caution is
    # the defendant's reply on arrest, which the case file does not hold).
    return {"type": "Arrest", "date_time": w.reader.take(*src, "arrests", 0, "arrested_at")}


def _interview(w: DcfWriter, src: tuple[str | int, ...], path: str) -> dict[str, Any]:
    interviews = w.reader.look(*src, "interviews")
    if not interviews:
        return {
            "type": "NotInterviewed",
            "reason": w.placeholder(
                path + "/reason", "", "the case file records no interview and no reason"
            ),
        }
    at = (*src, "interviews", 0)
    for later in range(1, len(interviews)):
        w.reader.leave(
            *src,
            "interviews",
            later,
            reason="one_interview",
            message="the DCF carries one interview per defendant: the first",
        )
    out: dict[str, Any] = {
        "type": "StandardInterview",
        "date": w.reader.take(*at, "started_at"),
        "defendant_legally_represented": w.reader.take(*at, "legal_representative"),
        "special_warnings_given": bool(w.reader.take(*at, "special_warnings")),
        "no_comment_response": w.reader.take(*at, "no_comment"),
    }
    for key, field in (
        ("admissions", "admissions_made"),
        ("denials", "denials"),
        ("defences", "defences"),
    ):
        value = w.reader.take(*at, key)
        if value:
            out[field] = value
    return out


def _remand(
    w: DcfWriter, src: tuple[str | int, ...], path: str, *, conditions_field: bool
) -> tuple[str, list[Any]]:
    bail = w.reader.look(*src, "bail")
    if bail is None:
        status = w.placeholder(
            path, "not_applicable", "the case file records no bail or remand for the defendant"
        )
        return str(status), []
    kind = w.reader.take(*src, "bail", "status")
    conditions = w.reader.look(*src, "bail", "conditions")
    if kind in _REMAND:
        return _REMAND[kind], []
    if is_withheld(conditions):
        # Conditions were set; the reader may not see them, so none is sent.
        return "conditional_bail", []
    if conditions:
        if conditions_field:
            w.reader.take(*src, "bail", "conditions")
            return "conditional_bail", [{"condition": conditions}]
        return "conditional_bail", []
    return "unconditional_bail", []


def _hearing(w: DcfWriter, src: tuple[str | int, ...], path: str, out: dict[str, Any]) -> None:
    hearings = w.reader.look(*src, "hearings")
    first = next((k for k, h in enumerate(hearings) if h["first"]), None)
    if first is None:
        out["first_hearing_datetime"] = w.placeholder(
            path + "/first_hearing_datetime", "", "no first hearing is listed for the defendant"
        )
        court = w.placeholder(
            path + "/first_hearing_location/ou_bottom_level_name",
            "",
            "no first hearing is listed for the defendant",
        )
    else:
        at = (*src, "hearings", first)
        w.reader.take(*at, "first")
        out["first_hearing_datetime"] = w.reader.take(*at, "hearing_at")
        court = w.reader.take(*at, "court")
    location = {"ou_bottom_level_name": court}
    for level in ("top", "second", "third"):
        # The DCF names a court by four organisational-unit levels; the case file
        # holds the court's name alone, written at the bottom (the court itself).
        location[f"ou_{level}_level_name"] = w.placeholder(
            f"{path}/first_hearing_location/ou_{level}_level_name",
            "",
            "the case file names the court, not its organisational units",
        )
    out["first_hearing_location"] = location


def _common(
    w: DcfWriter, src: tuple[str | int, ...], path: str, *, conditions_field: bool
) -> dict[str, Any]:
    person = (*src, "person")
    out: dict[str, Any] = {"defendant_id": w.reader.take(*person, "person_id")}
    name = w.person_name(path + "/name", w.reader.take(*person, "name"))
    if name is not None:
        out["name"] = name
    out["date_of_birth"] = w.placeholder(
        path + "/date_of_birth", "", "the case file holds no date of birth the reader may see"
    )
    arrest = _arrest(w, src, path + "/arrest")
    if arrest is not None:
        out["arrest"] = arrest
    out["occupation"] = w.placeholder(path + "/occupation", "", "the case file holds no occupation")
    for field in ("foreign_national_offender", "pnc_check_performed", "dealt_with_in_welsh"):
        out[field] = _flag(w, f"{path}/{field}", field.replace("_", " "))
    out["interpreter_required"] = _flag(
        w, path + "/interpreter_required", "a suspect's interpreter"
    )
    status, conditions = _remand(
        w, src, path + "/person_remand_status", conditions_field=conditions_field
    )
    out["person_remand_status"] = status
    if conditions:
        out["bail_conditions"] = conditions
    out["interview"] = _interview(w, src, path + "/interview")
    _hearing(w, src, path, out)
    return out


def first_hearing_defendant(
    w: DcfWriter,
    src: tuple[str | int, ...],
    path: str,
    evidence: Evidence,
    summary: list[Any],
    victim: tuple[str | int, ...] | None,
) -> dict[str, Any]:
    """A ``FirstHearingDefendant`` from the case-file defendant at ``src``."""
    out = _common(w, src, path, conditions_field=True)
    out["offences"] = offences(w, src, path + "/offences", evidence, summary, victim)
    charged = [o for o in w.reader.look(*src, "offences") if o["charge"] is not None]
    out["given_charges"] = bool(charged)
    if charged:
        out["initiation_type"] = "charge"
    else:
        out["initiation_type"] = w.placeholder(
            path + "/initiation_type", "charge", "no offence has been charged yet"
        )
    out["cc_not_suitable_reasons"] = w.placeholder(
        path + "/cc_not_suitable_reasons", [], "the case file records no conditional-caution view"
    )
    for field in ("has_eec_passports", "breach_of_order"):
        out[field] = _flag(w, f"{path}/{field}", field.replace("_", " "))
    out["court_order_applications"] = w.placeholder(
        path + "/court_order_applications",
        [{"court_order_title": "no_orders_required"}],
        "the case file records no application for a court order",
    )
    return out


def bob_defendant(w: DcfWriter, src: tuple[str | int, ...], path: str) -> dict[str, Any]:
    """A ``BobDefendant`` (arrested for breach of bail) from the case-file defendant at ``src``."""
    out = _common(w, src, path, conditions_field=False)
    breach = path + "/breach_of_bail"
    why = "the case file records the arrest for breach of bail, not the breach itself"
    out["breach_of_bail"] = {
        "breach_details": w.placeholder(breach + "/breach_details", "", why),
        "witness_statement_establishes_breach": w.placeholder(
            breach + "/witness_statement_establishes_breach", False, why
        ),
        "key_evidence": w.placeholder(breach + "/key_evidence", "", why),
        "existing_bail_breached": _existing_bail(w, src, breach + "/existing_bail_breached"),
    }
    return out


def _existing_bail(w: DcfWriter, src: tuple[str | int, ...], path: str) -> dict[str, Any]:
    bail = w.reader.look(*src, "bail")
    why = "the case file names no bailing or answering court or station"
    unit = {f"ou_{level}_level_name": "" for level in ("top", "second", "third", "bottom")}
    out: dict[str, Any] = {
        "original_charge_wording": w.placeholder(
            path + "/original_charge_wording", [], "the case file holds no earlier charge"
        ),
        "bailed_from": w.placeholder(path + "/bailed_from", dict(unit), why),
        "to_appear_at": w.placeholder(path + "/to_appear_at", dict(unit), why),
    }
    if bail is not None:
        out["bailed_date"] = day_of(w.reader.take(*src, "bail", "starts_at"))
        if bail["ends_at"] is not None:
            out["datetime_to_appear"] = w.reader.take(*src, "bail", "ends_at")
    if "bailed_date" not in out:
        out["bailed_date"] = w.placeholder(path + "/bailed_date", "", "no bail is recorded")
    if "datetime_to_appear" not in out:
        out["datetime_to_appear"] = w.placeholder(
            path + "/datetime_to_appear", "", "the bail recorded has no answer date"
        )
    return out


def bail_breach_arrest(defendant: Mapping[str, Any]) -> bool:
    """Whether the defendant was arrested under the Bail Act 1976, s.7 (breach of bail)."""
    return any(_BAIL_ACT_S7.search(a["power"]) for a in defendant["arrests"])
