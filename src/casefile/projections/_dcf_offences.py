"""DCF 1.2 offences from the case file's: code groups, wording as charged, points to prove.

The DCF files an offence in one of three groups by its CJS code: assaults (its
own list of codes, each naming a victim), retail theft (th68010, with the ids
of the property taken) and generic offences (every other code). The case file
holds no property, so th68010 goes as a generic offence and the report says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from casefile.projections._cite import Cite
from casefile.projections._dcf_build import DcfWriter, day_of

__all__ = ["ASSAULT_CODES", "Evidence", "offences"]

# The CJS codes the DCF files under AssaultOffences (its own enum, lower case).
ASSAULT_CODES: Final = frozenset(
    {
        "cj88001", "cj88116", "cj88001b", "cj88001a", "th68025", "pl96001", "pl96002",
        "pl96004", "cj91034", "cj91010", "ba07004", "tm04001", "ca05006", "of61095",
        "of61102a", "of61102", "of61131", "of61016", "of61017", "cd98073", "cd98070",
        "of61022", "of61127", "of61060", "of61126", "of61050", "of61059", "cy33049",
    }
)  # fmt: skip
# The one code the DCF files under RetailTheftOffences, which needs property ids.
_RETAIL_THEFT: Final = "th68010"

#: What a piece of evidence is called in words, by its record's citation (seq, or
#: ``<stream-uuid>#<seq>`` for a captured record).
Evidence = Mapping[Cite, str]


def _points(
    w: DcfWriter, src: tuple[str | int, ...], path: str, evidence: Evidence, summary: list[Any]
) -> str:
    points = w.reader.look(*src, "points_to_prove")
    lines = []
    for k, point in enumerate(points):
        w.reader.take(*src, "points_to_prove", k, "element")
        w.reader.take(*src, "points_to_prove", k, "evidence")
        named = ", ".join(evidence.get(seq, f"record {seq}") for seq in point["evidence"])
        lines.append(f"{point['element']}: {named}" if named else point["element"])
    if not lines:
        # MG5's points for this offence, when the allegation itself has none.
        seq = w.reader.look(*src, "offence")
        for k, point in summary:
            if point["offence"] == seq:
                for key in ("element", "evidence", "offence"):
                    w.reader.take("mg5", "points", k, key)
                named = ", ".join(evidence.get(s, f"record {s}") for s in point["evidence"])
                lines.append(f"{point['element']}: {named}" if named else point["element"])
    if lines:
        return "; ".join(lines)
    return str(w.placeholder(path, "", "the case file states no point to prove for the offence"))


def _offence(
    w: DcfWriter, src: tuple[str | int, ...], path: str, evidence: Evidence, summary: list[Any]
) -> dict[str, Any]:
    o = w.reader.look(*src)
    charge = o["charge"]
    out: dict[str, Any] = {"type": "Offence", "from_date": w.reader.take(*src, "from_date")}
    if o["to_date"] is not None:
        out["to_date"] = w.reader.take(*src, "to_date")
    else:
        out["to_date"] = w.placeholder(
            path + "/to_date", o["from_date"], "an offence on one day: to_date is from_date"
        )
    if charge is not None:
        out["charge_date"] = day_of(w.reader.take(*src, "charge", "charged_at"))
        out["offence_title"] = w.reader.take(*src, "charge", "title")
        wording = w.reader.take(*src, "charge", "wording")
        w.reader.leave(*src, "title", reason="superseded", message="the title as charged is sent")
        w.reader.leave(
            *src, "wording", reason="superseded", message="the wording as charged is sent"
        )
    else:
        out["charge_date"] = w.placeholder(
            path + "/charge_date", "", "the offence has not been charged"
        )
        out["offence_title"] = w.reader.take(*src, "title")
        wording = w.reader.take(*src, "wording")
    out["charge_wording"] = w.text(path + "/charge_wording", wording, "charge wording")
    out["points_to_prove_met_by"] = _points(
        w, src, path + "/points_to_prove_met_by", evidence, summary
    )
    plea = o["anticipated_plea"]
    if plea in ("guilty", "not_guilty"):
        out["anticipated_plea"] = w.reader.take(*src, "anticipated_plea")
    else:
        out["anticipated_plea"] = w.placeholder(
            path + "/anticipated_plea",
            "not_guilty",
            "the anticipated plea is unknown; the DCF has no 'unknown', and not guilty"
            " asks for the fuller file",
        )
    out["committed_on_bail"] = w.reader.take(*src, "committed_on_bail")
    w.omit(path + "/reply_to_charge", "the case file records no reply to charge", required=False)
    return out


def _code(offence: Mapping[str, Any]) -> str:
    charge = offence["charge"]
    return str(offence["code"] if charge is None else charge["code"]).lower()


def _take_code(w: DcfWriter, at: tuple[str | int, ...]) -> str:
    if w.reader.look(*at, "charge") is not None:
        # As charged: the alleged code stays behind in the case file.
        w.reader.leave(*at, "code", reason="superseded", message="the code as charged is sent")
        return str(w.reader.take(*at, "charge", "code")).lower()
    return str(w.reader.take(*at, "code")).lower()


def _assault(
    w: DcfWriter,
    at: tuple[str | int, ...],
    here: str,
    evidence: Evidence,
    summary: list[Any],
    victim: tuple[str | int, ...] | None,
) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "AssaultOffence", "cjs_offence_code": _take_code(w, at)}
    if victim is None:
        w.omit(
            here + "/victim_name",
            "the case file names no single victim for an assault",
            required=True,
        )
    else:
        name = w.person_name(here + "/victim_name", w.reader.take(*victim, "name"))
        if name is not None:
            item["victim_name"] = name
    item["offence"] = _offence(w, at, here + "/offence", evidence, summary)
    return item


def _generic(
    w: DcfWriter, at: tuple[str | int, ...], here: str, evidence: Evidence, summary: list[Any]
) -> dict[str, Any]:
    code = _take_code(w, at)
    if code == _RETAIL_THEFT:
        w.omit(
            here + "/property_ids",
            "the DCF files th68010 under RetailTheftOffences with the ids of the property"
            " taken, which the case file does not hold; sent as a generic offence",
            required=False,
        )
    return {
        "type": "GenericOffence",
        "cjs_offence_code": code,
        "offence": _offence(w, at, here + "/offence", evidence, summary),
    }


def offences(
    w: DcfWriter,
    src: tuple[str | int, ...],
    path: str,
    evidence: Evidence,
    summary: list[Any],
    victim: tuple[str | int, ...] | None,
) -> list[dict[str, Any]]:
    generic: list[dict[str, Any]] = []
    assault: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    offences = w.reader.look(*src, "offences")
    # Group paths depend on which groups exist: generic first, then assault.
    has_generic = any(_code(o) not in ASSAULT_CODES for o in offences)
    for k in range(len(offences)):
        at = (*src, "offences", k)
        mark = w.mark()
        code = _code(offences[k])
        if code in ASSAULT_CODES:
            here = f"{path}/{1 if has_generic else 0}/assault_offences/{len(assault)}"
            item = _assault(w, at, here, evidence, summary, victim)
            group = assault
        else:
            here = f"{path}/0/generic_offences/{len(generic)}"
            item = _generic(w, at, here, evidence, summary)
            group = generic
        if item in group:
            # The DCF refuses two identical offences in a group (uniqueItems).
            w.rollback(mark)
            w.reader.forget(*at)
            w.reader.leave(
                *at,
                reason="duplicate",
                message="the DCF refuses an offence identical to one already sent",
            )
        else:
            group.append(item)
    if generic:
        groups.append({"type": "GenericOffences", "generic_offences": generic})
    if assault:
        groups.append({"type": "AssaultOffences", "assault_offences": assault})
    return groups
