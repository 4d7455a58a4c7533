"""Hostile variants of the demo's records: each breaks one rule, and what both must report.

Each entry is a change made to a :class:`Forge` (it returns the options of ``Forge.write``), the
failures (step, kind, record) and the findings beyond ``withheld_fields`` it must produce.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from independent._forge import Forge

__all__ = ["RECORD_VARIANTS", "Change", "Expected"]


Change = Callable[[Forge], dict[str, Any]]
Expected = list[tuple[str, str, int | None]]


def _data(f: Forge, n: int) -> dict[str, Any]:
    h = f.headers[n - 1]
    h["data"] = dict(h["data"])
    return h["data"]


def _pd(f: Forge, n: int) -> dict[str, bytes]:
    h = f.headers[n - 1]
    h["pd"] = dict(h["pd"])
    return h["pd"]


def _signed_by(f: Forge, n: int, part: str) -> dict[str, Any]:
    f.headers[n - 1] = dict(f.headers[n - 1], key=f.key_named(part))
    return {}


def _on_behalf(f: Forge, n: int) -> dict[str, Any]:
    data = _data(f, n)
    data["recorded_by"] = data["by"]
    data["by"] = dict(_data(f, 24)["by"])
    return {}


def _person(f: Forge, n: int, **fields: str) -> dict[str, Any]:
    data = _data(f, n)
    data["by"] = dict(data["by"], **fields)
    return {}


def _set(f: Forge, n: int, **fields: Any) -> dict[str, Any]:
    _data(f, n).update(fields)
    return {}


def _repeat_pd(f: Forge, src: int, dst: int, name: str, as_name: str) -> dict[str, Any]:
    _pd(f, dst)[as_name] = f.headers[src - 1]["pd"][name]
    return {}


def _correct(f: Forge, **fields: Any) -> dict[str, Any]:
    data = _data(f, 28)
    data["fields"] = dict(data["fields"], **fields)
    return {}


def _disclose(f: Forge, seq: int, name: str, **fields: Any) -> None:
    (d,) = [d for d in f.disclosures if (d["seq"], d["name"]) == (seq, name)]
    d.update(fields)


def _noncanonical_record(f: Forge, n: int) -> dict[str, Any]:
    # A record map whose entries are out of order: the bytes differ, the values do not.
    body = b"\x82\xa3sig\xc4\x40" + bytes(64) + b"\xa3rec\xc4\x00"
    f.raw[n] = body
    return {}


def _nested(lists: int) -> Any:
    """``lists`` arrays one inside the other; inside a header's data, depth is 2 more (§1)."""
    value: Any = []
    for _ in range(lists - 1):
        value = [value]
    return value


#: The demo's certified MG6D, revision 1 (its MG6C is record 63).
_MG6D = 64


def _handover_first(f: Forge) -> dict[str, Any]:
    """Record 1 is a handover of schema 2: it hands over no record (FORMAT.md §9.6 B13 1)."""
    handover = next(h for h in f.headers if h["type"] == "case.handed_over" and h["schema"] == 2)
    f.headers[0] = dict(handover, seq=1)
    return {}


RECORD_VARIANTS: dict[str, tuple[Change, Expected, set[str]]] = {
    # Refused by B13, not a crash: no record time bounds its checkpoint key's validity.
    "handover_as_the_first_record": (
        _handover_first,
        [("B13", "handover", 1)],
        {"time_went_backwards"},
    ),
    # A nil schedule (FORMAT.md §10.4) fits its payload schema; that it lists the right items
    # is the domain's rule, not a verifier's step, so a nil MG6D over a sensitive item verifies.
    "schedule_certified_nil": (lambda f: _set(f, _MG6D, items=[]), [], set()),
    "schedule_listing_item_zero": (
        lambda f: _set(f, _MG6D, items=[0]),
        [("V10", "unknown_schema", _MG6D)],
        set(),
    ),
    "schedule_listing_an_item_twice": (
        lambda f: _set(f, _MG6D, items=[3, 3]),
        [("V10", "unknown_schema", _MG6D)],
        set(),
    ),
    "resigned_unchanged": (lambda f: {}, [], set()),
    "custody_act_signed_by_someone_else": (
        lambda f: _signed_by(f, 10, "3308"),
        [("V15", "actor", 10)],
        set(),
    ),
    "actor_name_with_a_trailing_space": (
        lambda f: _person(f, 10, name="Sarah Okafor "),
        [("V15", "actor", 10)],
        set(),
    ),
    "actor_organisation_in_another_case": (
        lambda f: _person(f, 10, organisation="northshire police (fictional)"),
        [("V15", "actor", 10)],
        set(),
    ),
    "actor_with_another_rank_and_role_is_the_same_person": (
        lambda f: _person(f, 10, rank="Sgt", role="exhibits officer"),
        [],
        set(),
    ),
    "on_behalf_record_for_the_key_holder_themself": (
        lambda f: _set(f, 10, recorded_by=_data(f, 10)["by"]),
        [("V15", "actor", 10)],
        set(),
    ),
    "confirmation_keyed_on_behalf": (
        lambda f: _set(f, 26, recorded_by=_data(f, 24)["recorded_by"]),
        [("V10", "unknown_schema", 26)],
        {"acted_on_behalf_unconfirmed"},
    ),
    "record_time_going_backwards": (
        lambda f: f.headers[9].update(time=f.headers[8]["time"] - 1) or {},
        [],
        {"time_went_backwards"},
    ),
    "record_time_after_verification": (
        lambda f: f.headers[-1].update(time=f.headers[-1]["time"] + 10**15) or {},
        [],
        {"time_after_verification"},
    ),
    "future_time_of_a_record_that_failed_raises_no_finding": (
        lambda f: (
            f.headers[-1].update(time=f.headers[-1]["time"] + 10**15)
            or f.bad_signatures.add(len(f.headers))
            or {}
        ),
        [("V9", "bad_signature", 78)],  # the demo's last record
        set(),
    ),
    "act_recorded_on_behalf_never_confirmed": (
        lambda f: _on_behalf(f, 10),
        [],
        {"acted_on_behalf_unconfirmed"},
    ),
    "confirmation_of_a_record_not_made_on_behalf": (
        lambda f: _set(f, 27, confirms=13),
        [("V15", "actor", 27)],
        {"acted_on_behalf_unconfirmed"},
    ),
    "confirmation_of_a_later_record": (
        lambda f: _set(f, 27, confirms=27),
        [("V15", "actor", 27)],
        {"acted_on_behalf_unconfirmed"},
    ),
    "second_confirmation_of_one_record": (
        lambda f: _set(f, 27, confirms=24),
        [("V15", "actor", 27)],
        {"acted_on_behalf_unconfirmed"},
    ),
    "confirmation_of_a_record_that_failed": (
        lambda f: f.bad_signatures.add(24) or {},
        [("V9", "bad_signature", 24), ("V15", "actor", 26)],
        set(),
    ),
    "confirmation_after_a_failed_confirmation_of_the_same_record": (
        lambda f: f.bad_signatures.add(26) or _set(f, 27, confirms=24),
        [("V9", "bad_signature", 26)],
        {"acted_on_behalf_unconfirmed"},
    ),
    # Demo records 29-31 confirm the store's receipt of bookings 13-15, records 34-35
    # the lab's receipt of transfers 32-33 (V15 (b)).
    "receipt_confirmations_of_two_transfers_in_the_other_order": (
        lambda f: _set(f, 34, confirms=33) or _set(f, 35, confirms=32),
        [],
        set(),
    ),
    "receipt_confirmed_by_someone_other_than_the_receiver": (
        lambda f: _set(f, 34, confirms=13),
        [("V15", "actor", 34)],
        set(),
    ),
    "receipt_confirmed_twice_by_the_receiver": (
        lambda f: _set(f, 35, confirms=32),
        [("V15", "actor", 35)],
        set(),
    ),
    "receipt_confirmation_after_a_failed_one_of_the_same_transfer": (
        lambda f: f.bad_signatures.add(34) or _set(f, 35, confirms=32),
        [("V9", "bad_signature", 34)],
        set(),
    ),
    "receipt_confirmation_of_a_transfer_that_failed": (
        lambda f: f.bad_signatures.add(32) or {},
        [("V9", "bad_signature", 32), ("V15", "actor", 34)],
        set(),
    ),
    "personal_field_name_in_upper_case": (
        lambda f: _pd(f, 2).update(Name=bytes(range(32))) or {},
        [("V2", "malformed_record", 2)],
        set(),
    ),
    "personal_field_name_posing_as_a_byte_string": (
        lambda f: _pd(f, 2).update({"$bytes": bytes(range(32))}) or {},
        [("V2", "malformed_record", 2)],
        set(),
    ),
    "record_type_outside_the_type_grammar": (
        lambda f: f.headers[8].update(type="Note.added") or {},
        [("V2", "malformed_record", 9)],
        set(),
    ),
    "schema_version_zero": (
        lambda f: f.headers[8].update(schema=0) or {},
        [("V2", "malformed_record", 9)],
        set(),
    ),
    "sequence_number_zero": (
        lambda f: f.headers[8].update(seq=0) or {},
        [("V2", "malformed_record", 9)],
        set(),
    ),
    "commitment_repeated_across_records": (
        lambda f: _repeat_pd(f, 2, 16, "address", "address"),
        [("V14", "repeated_commitment", 16)],
        set(),
    ),
    "commitment_repeated_within_a_record": (
        lambda f: _repeat_pd(f, 2, 2, "address", "phone"),
        [("V14", "repeated_commitment", 2)],
        set(),
    ),
    "payload_nested_32_deep_is_read_and_fails_its_schema": (
        lambda f: _set(f, 9, text=_nested(30)),
        [("V10", "unknown_schema", 9)],
        set(),
    ),
    "payload_nested_33_deep_is_malformed": (
        lambda f: _set(f, 9, text=_nested(31)),
        [("V2", "malformed_record", 9)],
        set(),
    ),
    "captured_size_differs_from_the_evidence_file": (
        lambda f: _set(f, 4, size=_data(f, 4)["size"] + 1),
        [("B8", "fixity", None)],
        set(),
    ),
    "undeclared_payload_field": (
        lambda f: _set(f, 9, extra="x"),
        [("V10", "unknown_schema", 9)],
        set(),
    ),
    "map_posing_as_a_byte_string": (
        lambda f: _set(f, 9, text={"$bytes": "00"}),
        [("V10", "unknown_schema", 9)],
        set(),
    ),
    "exhibit_reference_with_a_final_line_feed": (
        lambda f: _set(f, 10, exhibit="SO/1\n"),
        [("V10", "unknown_schema", 10)],
        set(),
    ),
    "correction_of_an_undeclared_field": (
        lambda f: _correct(f, colour="red"),
        [("V10", "unknown_schema", 28)],
        set(),
    ),
    "correction_with_a_value_of_the_wrong_type": (
        lambda f: _correct(f, occurred_from="yesterday"),
        [("V10", "unknown_schema", 28)],
        set(),
    ),
    "header_with_an_extra_entry_alone_fails": (
        lambda f: f.headers[8].update(extra=1) or {},
        [("V2", "malformed_record", 9)],
        set(),
    ),
    "record_not_in_canonical_form_alone_fails": (
        lambda f: _noncanonical_record(f, 9),
        [("V1", "malformed_record", 9)],
        set(),
    ),
    "disclosure_of_a_record_that_failed": (
        lambda f: _set(f, 2, extra="x"),
        [("V10", "unknown_schema", 2)],
        set(),
    ),
    "disclosure_with_a_changed_value": (
        lambda f: _disclose(f, 2, "name", value="someone else") or {},
        [("V11", "disclosure", 2)],
        set(),
    ),
    "a_record_whose_disclosure_fails_adds_no_commitments": (
        lambda f: (
            _disclose(f, 2, "name", value="someone else") or _repeat_pd(f, 2, 16, "phone", "phone")
        ),
        [("V11", "disclosure", 2)],
        set(),
    ),
    "malformed_record_before_a_correction_alone_fails": (
        lambda f: f.headers[1].update(extra=1) or {},
        [("V2", "malformed_record", 2)],
        set(),
    ),
    "malformed_record_with_a_disclosure_alone_fails": (
        lambda f: f.headers[15].update(extra=1) or {},
        [("V2", "malformed_record", 16)],
        set(),
    ),
    "correction_of_a_malformed_record_is_not_judged_against_it": (
        lambda f: f.headers[2].update(extra=1) or {},
        [("V2", "malformed_record", 3)],
        set(),
    ),
    "changed_disclosure_of_a_record_that_failed": (
        lambda f: _disclose(f, 2, "name", value="someone else") or _set(f, 2, extra="x"),
        [("V10", "unknown_schema", 2), ("V11", "disclosure", 2)],
        set(),
    ),
    "disclosures_out_of_order_fail_no_record": (
        lambda f: f.disclosures.reverse() or {},
        [("V11", "disclosure", 16), ("V11", "disclosure", 2)],
        {"policy_fields_not_disclosed"},
    ),
    "disclosure_naming_no_record": (
        lambda f: f.disclosures.append(dict(f.disclosures[-1], seq=99)) or {},
        [("V11", "disclosure", 99)],
        set(),
    ),
}
