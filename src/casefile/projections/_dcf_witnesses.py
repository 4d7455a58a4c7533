"""DCF 1.2 witnesses (MG9) and multimedia evidence (MG12's recordings) from the case file.

A victim is a ``PersonVictim``, every other witness a ``StatementWitness``; the
DCF asks yes or no of a witness's special measures and interpreter, and the
needs themselves stay in the case file. A recording on the exhibit list is
multimedia evidence, identified by its exhibit reference.
"""

from __future__ import annotations

from typing import Any, Final

from casefile.projections._dcf_build import DcfWriter

__all__ = ["multimedia", "witnesses"]

_MME_MEDIA: Final = ("audio/", "video/")


def _witness_type(w: DcfWriter, path: str, role: str | None, child: bool) -> list[str]:
    kinds = []
    if role == "officer":
        kinds.append("police")
    if child:
        kinds.append("child")
    if kinds:
        return kinds
    return list(
        w.placeholder(path, ["other"], "the case file does not say what kind of witness this is")
    )


def _children(w: DcfWriter) -> frozenset[str]:
    # A witness whose statement says they are under 18 is a child witness.
    return frozenset(
        s["witness"]["person_id"] for s in w.reader.look("mg11") if s["over_18"] is False
    )


def _witness(w: DcfWriter, src: tuple[str | int, ...], path: str, *, bob: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "witness_id": w.reader.take(*src, "person", "person_id"),
        "nature_of_involvement": w.reader.take(*src, "person", "role") or "witness",
        "evidence_they_can_give": w.placeholder(
            path + "/evidence_they_can_give",
            "",
            "the case file holds no summary of the witness's evidence (statement text is"
            " not carried)",
        ),
    }
    care = w.reader.look(*src, "care")
    if care is not None and not bob:
        # The DCF asks yes or no; the needs themselves stay in the case file.
        out["special_measures"] = bool(care["special_measures"])
        out["interpreter_required"] = bool(care["interpreter"])
        if care["interpreter"]:
            out["interpreter_language_or_dialect"] = w.reader.take(*src, "care", "interpreter")
    return out


def witnesses(w: DcfWriter, *, bob: bool) -> list[dict[str, Any]]:
    children = _children(w)
    out: list[dict[str, Any]] = []
    for k, witness in enumerate(w.reader.look("mg9", "witnesses")):
        src = ("mg9", "witnesses", k)
        path = f"/case/witnesses/{len(out)}"
        role = witness["person"]["role"]
        child = witness["person"]["person_id"] in children
        victim = role == "victim" and not bob
        inner = path + ("/victim/witness" if victim else "/witness")
        item: dict[str, Any] = {"type": "PersonVictim" if victim else "StatementWitness"}
        name = w.person_name(path + "/name", w.reader.take(*src, "person", "name"))
        if name is not None:
            item["name"] = name
        kinds_path = path + ("/victim/witness_type" if victim else "/witness_type")
        kinds = _witness_type(w, kinds_path, role, child)
        recorded = w.placeholder(
            path + "/visually_recorded_interview",
            False,
            "the case file does not record whether the witness was interviewed on video",
        )
        if victim:
            item["victim"] = _victim(w, src, path + "/victim", kinds, inner)
        else:
            item["witness"] = _witness(w, src, inner, bob=bob)
            item["witness_type"] = kinds
        item["visually_recorded_interview"] = recorded
        out.append(item)
    return out


def _victim(
    w: DcfWriter, src: tuple[str | int, ...], path: str, kinds: list[str], inner: str
) -> dict[str, Any]:
    vps = w.reader.look(*src, "vps")
    if vps is None:
        made = w.placeholder(
            path + "/has_the_victim_made_a_vps_isb",
            False,
            "the case file records no victim personal statement offer",
        )
    else:
        made = w.reader.take(*src, "vps", "outcome") == "made"
    # The DCF's victim kinds lack interviewing officer and the like; police stays.
    return {
        "witness_type": kinds,
        "witness": _witness(w, src, inner, bob=False),
        "victim_code_requirements_met": w.placeholder(
            path + "/victim_code_requirements_met",
            False,
            "the case file does not record the Victims' Code assessment",
        ),
        "has_the_victim_made_a_vps_isb": made,
    }


def multimedia(w: DcfWriter, *, bob: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for k, row in enumerate(w.reader.look("mg12")):
        if not row["media_type"].startswith(_MME_MEDIA):
            continue
        src = ("mg12", k)
        path = f"/case/multimedia_evidence/{len(out)}"
        item: dict[str, Any] = {
            "id": w.reader.take(*src, "reference"),
            "date": w.placeholder(
                path + "/date", "", "the exhibit list gives no date for the recording"
            ),
            "type": w.reader.take(*src, "media_type"),
            "evidential_value": True,
            "description_of_what_is_contained_in_multimedia_evidence": w.text(
                path + "/description_of_what_is_contained_in_multimedia_evidence",
                w.reader.take(*src, "description"),
                "exhibit description",
            ),
            "total_duration": w.placeholder(
                path + "/total_duration", "", "the case file does not hold the duration"
            ),
        }
        if not bob:
            item["relied_upon_trial"] = w.placeholder(
                path + "/relied_upon_trial", True, "listed as an exhibit: taken as relied upon"
            )
            item["relied_upon_sentence"] = w.placeholder(
                path + "/relied_upon_sentence", False, "the case file does not say"
            )
        out.append(item)
    return out
