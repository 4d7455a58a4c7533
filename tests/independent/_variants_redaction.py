"""Hostile variants of the demo's bundles for an audience: the redaction records and B7, B11.

The demo's CPS bundle carries the victim's statement (record 7) with units [4, 10) of its
``body`` withheld, decision 42 (``redactor``, for the CPS and the defence) covering that run,
and decision 43 withholding the victim's ``address`` (record 2) whole. Each variant re-signs it
with one change; both verifiers must then give the same failures, the same B11 findings (one
per run or field, docs/FORMAT.md §9.6) and the same redacted texts with their markers.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from independent._forge import Forge
from independent._spec_text import write_text
from independent._variants import Change, Expected

__all__ = ["CPS_VARIANTS", "DEFENCE_VARIANTS", "Findings", "acts_changed"]

#: B11's findings, as (kind, record), one per run or field.
Findings = list[tuple[str, int]]
WITHOUT = "redaction_without_decision"
NOT_APPLIED = "redaction_not_applied"
STATEMENT, DECISION, VALUE_DECISION = 7, 42, 43
#: The record a variant inserts before the handover that ends the CPS bundle (76 records, then it).
APPENDED = 77
CONTACT = "victim_or_witness_contact_details"
OFFICER, SUPERVISOR = "officer/4721", "officer/3308"  # the redactor; a supervisor, no redactor


def _decision(f: Forge, seq: int = DECISION, **fields: Any) -> dict[str, Any]:
    h = f.headers[seq - 1]
    h["data"] = dict(h["data"], **fields)
    return {}


def _holder(f: Forge, part: str) -> dict[str, str]:
    """The person a key's own records name in ``by`` (V15: the key's holder)."""
    kid = f.key_named(part)
    return next(
        dict(h["data"]["by"])
        for h in f.headers
        if h["key"] == kid and h["data"].get("recorded_by", 0) is None
    )


def _append(f: Forge, type_: str, part: str, **data: Any) -> dict[str, Any]:
    """A new record signed by the key named ``part``, just before the bundle's own handover
    (which stays last, a second later: the sender hands over what it now holds, B13)."""
    handover = f.headers.pop()
    last = f.headers[-1]
    body = {"by": _holder(f, part), "recorded_by": None, **data}
    f.headers.append(
        dict(
            last,
            seq=last["seq"] + 1,
            type=type_,
            schema=1,
            key=f.key_named(part),
            time=max(last["time"], handover["time"]) + 10**9,
            data=body,
            pd={},
        )
    )
    f.headers.append(dict(handover, seq=last["seq"] + 2, time=f.headers[-1]["time"] + 10**9))
    return {}


def _withdraw(f: Forge, decision: int = DECISION) -> dict[str, Any]:
    return _append(f, "redaction.withdrawn", OFFICER, decision=decision)


def _erase(f: Forge, part: str, runs: list[list[int]] | None) -> dict[str, Any]:
    fields = {"record": STATEMENT, "field": "body", "runs": runs, "basis": "erasure_request"}
    return _append(f, "disclosure.erased", part, **fields)


def _drop_decision(f: Forge) -> dict[str, Any]:
    """Record 42 cut out and the records after it renumbered, as if it was never made."""
    del f.headers[DECISION - 1]
    for h in f.headers[DECISION - 1 :]:
        h["seq"] -= 1
        # A later confirmation names the record it confirms by seq: it follows the renumbering.
        if h["type"] == "record.confirmed" and h["data"]["confirms"] > DECISION:
            h["data"]["confirms"] -= 1
    for d in f.disclosures:
        d["seq"] -= d["seq"] > DECISION
    return {}


def _drop_disclosure(f: Forge, seq: int, name: str) -> None:
    f.disclosures = [d for d in f.disclosures if (d["seq"], d["name"]) != (seq, name)]


def _audience(value: str | None) -> Change:
    return lambda f: {"manifest_edit": lambda m: m.update(audience=value)}


def _both(*changes: Callable[[Forge], dict[str, Any]]) -> Change:
    def change(f: Forge) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for c in changes:
            out.update(c(f))
        return out

    return change


def _signed_by(part: str, seq: int = DECISION) -> Change:
    def change(f: Forge) -> dict[str, Any]:
        f.headers[seq - 1] = dict(f.headers[seq - 1], key=f.key_named(part))
        return {}

    return change


def _forged(f: Forge) -> dict[str, Any]:
    f.bad_signatures.add(DECISION)
    return {}


def _withheld_whole(f: Forge) -> dict[str, Any]:
    _drop_disclosure(f, STATEMENT, "body")
    return _decision(f, runs=None)


def _place_withheld(f: Forge) -> dict[str, Any]:
    _drop_disclosure(f, STATEMENT, "place")
    return {}


def _value_decision_on_the_witness(f: Forge) -> dict[str, Any]:
    return _decision(f, VALUE_DECISION, record=16)


REPORT, CORRECTION = 3, 28  # the crime report, and the demo's correction of it


def _corrected_summary(f: Forge) -> dict[str, Any]:
    """The correction (28) also corrects the report's summary, disclosed in full."""
    units = ["Back ", "door ", "forced ", "at ", "7 ", "Wren ", "Terrace."]
    case = f.headers[0]["case"]
    commitment, disclosure = write_text(case, CORRECTION, "summary", units, b"\x5a" * 32, [])
    h = f.headers[CORRECTION - 1]
    h["pd"] = dict(h["pd"], summary=commitment)
    f.disclosures = sorted([*f.disclosures, disclosure], key=lambda d: (d["seq"], d["name"]))
    return {}


def _decision_follows_to_a_correction(f: Forge) -> dict[str, Any]:
    # Decision 42 now withholds the report's summary whole (and no longer the statement's
    # run): it follows to the correction's summary, which the bundle reveals in full.
    _corrected_summary(f)
    return _decision(f, record=REPORT, field="summary", runs=None)


def _correction_with_its_own_decision(f: Forge) -> dict[str, Any]:
    # A decision on the correction's own field governs it; the one on the original does not.
    _decision_follows_to_a_correction(f)
    return _decision(f, VALUE_DECISION, record=CORRECTION, field="summary", runs=[[4, 7]])


def _one_word_withheld(f: Forge) -> dict[str, Any]:
    """Unit 1 of the statement withheld too: units 0-3 are leaves of the revealed cover."""
    (d,) = [d for d in f.disclosures if (d["seq"], d["name"]) == (STATEMENT, "body")]
    salt, unit = d["seeds"][1], d["units"][1]
    leaf = hashlib.sha256(b"casefile:text-leaf:v2\x00" + salt + unit.encode()).digest()
    d["withheld"] = [[1, 2], *d["withheld"]]
    d["hashes"] = [leaf, *d["hashes"]]
    del d["seeds"][1], d["units"][1]
    return _decision(f, runs=[[1, 2], [4, 10]])


def _place_erased(f: Forge) -> dict[str, Any]:
    _drop_disclosure(f, STATEMENT, "place")
    fields = {"record": STATEMENT, "field": "place", "runs": None, "basis": "erasure_request"}
    return _append(f, "disclosure.erased", SUPERVISOR, **fields)


def _withdrawn_before(f: Forge) -> dict[str, Any]:
    """A withdrawal naming a decision made after it: the decision is the only one in force."""
    _decision(f, audiences=["court"])
    # The decision is the record after the withdrawal, itself the first appended.
    _append(f, "redaction.withdrawn", OFFICER, decision=len(f.headers) + 2)
    return _append(f, "redaction.decided", OFFICER, **dict(_copy42(f), audiences=["cps"]))


# name: (change, failures, B11 findings)
def _flip_proof(doc: dict[str, Any]) -> dict[str, Any]:
    proof = doc["handovers"][0]["consistency"]
    raw = bytearray(base64.b64decode(proof[0]))
    raw[-1] ^= 0x80
    proof[0] = base64.b64encode(bytes(raw)).decode()
    return doc


def _truncate_proof(doc: dict[str, Any]) -> dict[str, Any]:
    doc["handovers"][0]["consistency"].pop()
    return doc


def _name_own_handover(doc: dict[str, Any]) -> dict[str, Any]:
    first = doc["handovers"][0]
    doc["handovers"].append(dict(first, seq=FIRST_HANDOVER + 2))
    return doc


#: The CPS bundle's earlier handover to the same recipient (B14): the first bundle's last record.
FIRST_HANDOVER = 74

CPS_VARIANTS: dict[str, tuple[Change, Expected, Findings]] = {
    "cps_bundle_untouched": (lambda f: {}, [], []),
    # B14: what a recipient holding only the first checkpoint relies on.
    "earlier_handover_left_out_of_handovers_json": (
        lambda f: {"handovers": lambda doc: None},
        [("B14", "handover", None)],
        [],
    ),
    "handovers_json_with_a_forged_proof": (
        lambda f: {"handovers": _flip_proof},
        [("B14", "handover", FIRST_HANDOVER)],
        [],
    ),
    "handovers_json_with_a_truncated_proof": (
        lambda f: {"handovers": _truncate_proof},
        [("B14", "handover", FIRST_HANDOVER)],
        [],
    ),
    "handovers_json_naming_the_bundles_own_handover": (
        lambda f: {"handovers": _name_own_handover},
        [("B14", "handover", None)],
        [],
    ),
    "redaction_decision_forged": (
        _forged,
        [("V9", "bad_signature", DECISION)],
        [(WITHOUT, STATEMENT)],
    ),
    "redaction_decision_absent": (_drop_decision, [], [(WITHOUT, STATEMENT)]),
    "redaction_decision_by_a_key_without_the_role": (
        _signed_by(SUPERVISOR),
        [("V8", "key_role", DECISION)],
        [(WITHOUT, STATEMENT)],
    ),
    "redaction_decision_withdrawn": (_withdraw, [], [(WITHOUT, STATEMENT)]),
    "redaction_decision_withdrawn_and_made_again": (
        _both(_withdraw, lambda f: _append(f, "redaction.decided", OFFICER, **_copy42(f))),
        [],
        [],
    ),
    "redaction_withdrawal_by_a_key_without_the_role": (
        _both(_withdraw, _signed_by(SUPERVISOR, APPENDED)),
        [("V8", "key_role", APPENDED)],
        [],
    ),
    "redaction_withdrawal_naming_a_record_that_is_no_decision": (
        lambda f: _withdraw(f, STATEMENT),
        [],
        [],
    ),
    "redaction_decision_keyed_on_behalf_of_another_officer": (
        lambda f: _decision(
            f, by=_holder(f, SUPERVISOR), recorded_by=f.headers[DECISION - 1]["data"]["by"]
        ),
        [],
        [],  # still a decision; V15's acted_on_behalf_unconfirmed names record 42
    ),
    "redaction_decision_for_another_audience": (
        lambda f: _decision(f, audiences=["court"]),
        [],
        [(WITHOUT, STATEMENT)],
    ),
    "redaction_decision_for_another_field": (
        lambda f: _decision(f, field="place"),
        [],
        [(WITHOUT, STATEMENT)],
    ),
    "redaction_decision_for_another_record": (
        lambda f: _decision(f, record=17),
        [],
        [(WITHOUT, STATEMENT), (NOT_APPLIED, 17)],
    ),
    "redaction_decision_moved_by_one_unit": (
        lambda f: _decision(f, runs=[[5, 11]]),
        [],
        [(WITHOUT, STATEMENT), (NOT_APPLIED, STATEMENT)],
    ),
    "redaction_decision_split_around_a_revealed_unit": (
        lambda f: _decision(f, runs=[[4, 6], [7, 12]]),
        [],
        [(WITHOUT, STATEMENT), (NOT_APPLIED, STATEMENT)],
    ),
    "redaction_decision_with_a_run_past_the_text_end": (
        lambda f: _decision(f, runs=[[4, 132]]),
        [],
        [(WITHOUT, STATEMENT)],
    ),
    "redaction_decision_with_runs_that_are_not_maximal": (
        lambda f: _decision(f, runs=[[4, 6], [6, 10]]),
        [],
        [(WITHOUT, STATEMENT)],
    ),
    "redaction_decision_with_overlapping_runs": (
        lambda f: _decision(f, runs=[[4, 8], [6, 10]]),
        [],
        [(WITHOUT, STATEMENT)],
    ),
    "redaction_decision_with_a_whole_field_run_on_a_withheld_text": (
        _withheld_whole,
        [],
        [],
    ),
    "two_decisions_on_one_run_named_in_sorted_order": (
        _both(
            lambda f: _decision(f, runs=[[4, 6]], reason="witness_identity"),
            lambda f: _append(
                f, "redaction.decided", OFFICER, **dict(_copy42(f), runs=[[6, 10]], reason=CONTACT)
            ),
        ),
        [],
        [],
    ),
    "one_word_withheld_by_a_decision": (_one_word_withheld, [], []),
    "text_withheld_whole_by_an_erasure": (_place_erased, [], []),
    "redaction_withdrawal_made_before_the_decision_it_names": (_withdrawn_before, [], []),
    "redaction_decision_on_a_later_record": (
        # Signed before the record it names: it covers nothing (B11 step 1).
        lambda f: _decision(f, record=44, field="reason", runs=None),
        [],
        [(WITHOUT, STATEMENT)],
    ),
    "erasure_with_runs_that_are_not_maximal": (
        _both(
            lambda f: _decision(f, audiences=["court"]),
            lambda f: _erase(f, SUPERVISOR, [[4, 6], [6, 10]]),
        ),
        [],
        [(WITHOUT, STATEMENT)],
    ),
    "text_withheld_whole_under_a_decision_on_some_of_its_words": (
        lambda f: _drop_disclosure(f, STATEMENT, "body") or {},
        [],
        [(WITHOUT, STATEMENT)],
    ),
    "text_withheld_whole_without_a_decision": (_place_withheld, [], [(WITHOUT, STATEMENT)]),
    "decision_on_the_original_follows_to_a_correction_revealed_in_full": (
        _decision_follows_to_a_correction,
        [],
        [(WITHOUT, STATEMENT), (NOT_APPLIED, REPORT), (NOT_APPLIED, CORRECTION)],
    ),
    "decision_on_a_correction_governs_it_instead_of_the_original": (
        _correction_with_its_own_decision,
        [],
        [(WITHOUT, STATEMENT), (NOT_APPLIED, REPORT), (NOT_APPLIED, CORRECTION)],
    ),
    "erasure_completes_a_partial_decision": (
        _both(lambda f: _decision(f, runs=[[4, 6]]), lambda f: _erase(f, SUPERVISOR, [[6, 10]])),
        [],
        [],
    ),
    "erasure_of_the_whole_text": (lambda f: _erase(f, SUPERVISOR, None), [], []),
    "erasure_of_words_the_bundle_reveals": (
        lambda f: _erase(f, SUPERVISOR, [[20, 22]]),
        [],
        [],
    ),
    "erasure_by_a_key_without_the_role": (
        _both(lambda f: _decision(f, runs=[[4, 6]]), lambda f: _erase(f, OFFICER, [[6, 10]])),
        [("V8", "key_role", APPENDED)],
        [(WITHOUT, STATEMENT)],
    ),
    "redaction_decision_inside_the_withheld_run": (
        lambda f: _decision(f, runs=[[5, 7]]),
        [],
        [(WITHOUT, STATEMENT), (WITHOUT, STATEMENT)],  # [4, 5) and [7, 10), once each
    ),
    "value_decision_with_runs_on_a_value_the_bundle_discloses": (
        lambda f: _decision(f, VALUE_DECISION, record=16, runs=[[0, 1]]),
        [],
        [(NOT_APPLIED, 16)],
    ),
    "value_decision_on_a_value_the_bundle_discloses": (
        _value_decision_on_the_witness,
        [],
        [(NOT_APPLIED, 16)],
    ),
    # B13: the bundle ends with the handover to the CPS, for the CPS.
    "manifest_audience_changed_to_court": (
        _audience("court"),
        [("B13", "handover", 77)],
        [(WITHOUT, STATEMENT)],
    ),
    "manifest_audience_changed_to_none": (_audience(None), [], []),
    "manifest_audience_changed_to_the_defence": (
        _audience("defence"),
        [("B7", "manifest", 2), ("B7", "manifest", 2)]
        + [("B7", "manifest", 16)] * 3  # date_of_birth, phone; address, date_of_birth, phone
        + [("B7", "manifest", 45)]  # the suspect's date_of_birth
        + [("B7", "manifest", 73)] * 3  # witness care: care_needs, dates_to_avoid, measures
        + [("B13", "handover", 77)],  # its handover is to the CPS, for the CPS
        [],
    ),
    "manifest_audience_unknown": (_audience("public"), [("B3", "manifest", None)], []),
    "manifest_without_an_audience": (
        lambda f: {"manifest_edit": lambda m: m.pop("audience")},
        [("B3", "manifest", None)],
        [],
    ),
    "manifest_of_version_1": (
        lambda f: {"manifest_edit": lambda m: m.update(version=1)},
        [("B3", "manifest", None)],
        [],
    ),
}


def _copy42(f: Forge) -> dict[str, Any]:
    data = dict(f.headers[DECISION - 1]["data"])
    return {k: v for k, v in data.items() if k not in ("by", "recorded_by")}


def _restricted(f: Forge) -> dict[str, Any]:
    """The witness's address, as the CPS bundle beside it discloses it, in the defence bundle."""
    cps = Forge.read(f.src.parent / "bundle-cps", f.signers)
    (d,) = [d for d in cps.disclosures if (d["seq"], d["name"]) == (16, "address")]
    f.disclosures = sorted([*f.disclosures, d], key=lambda d: (d["seq"], d["name"]))
    return {}


# The demo's defence bundle: the same decisions, and no restricted field of the MG11 (B7).
DEFENCE_VARIANTS: dict[str, tuple[Change, Expected, Findings]] = {
    "defence_bundle_untouched": (lambda f: {}, [], []),
    "defence_bundle_carrying_a_restricted_field": (_restricted, [("B7", "manifest", 16)], []),
    "defence_manifest_audience_changed_to_cps": (
        _audience("cps"),
        [("B13", "handover", 78)],  # its handover is for the defence
        [],
    ),
}


def acts_changed(
    runs: list[list[int]] | None,
    audiences: list[str],
    withdrawn: bool,
    erased: list[list[int]] | bool | None,
) -> Change:
    """Decision 42 remade with ``runs`` and ``audiences``; then maybe withdrawn, and an erasure.

    ``erased`` False adds no erasure; otherwise the erasure's runs (None: the whole field).
    """

    def change(f: Forge) -> dict[str, Any]:
        _decision(f, runs=runs, audiences=audiences)
        if withdrawn:
            _withdraw(f)
        if erased is not False:
            _erase(f, SUPERVISOR, erased)
        return {}

    return change
