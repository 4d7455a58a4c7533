"""A verifier written from docs/FORMAT.md alone agrees with the library on hostile bundles.

Each variant is the demo's bundle re-signed by the demo's own keys with one rule broken, so
only that rule can refuse it. Both verifiers must give the same verdict, the same failures
(step, kind, record) and the same finding kinds; continuity findings (B9) are the library's
alone and are left out of the comparison.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from casefile.bundle import verify_bundle
from casefile.errors import InputError
from casefile.projections import ContinuityFindingKind
from casefile.signing import load_trust_store
from casefile.verifier._actor import ACTOR_TYPES
from cli._support import run_cli
from independent._forge import Forge, load_signers
from independent._spec_rules import CUSTODY_ACTOR_TYPES, Report, SpecError, jcs
from independent._spec_verifier import verify_dir

AT = time.time_ns()
# B9's findings are the library's alone; V15's finding is the spec's too (§9.7.5).
CONTINUITY_ONLY = {k.value for k in ContinuityFindingKind} - {"acted_on_behalf_unconfirmed"}
CONTINUITY_ONLY.add("evidence_not_in_bundle")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("independent") / "demo"
    done = run_cli(["demo", "--out", root])
    assert done.code == 0, done.err
    return root


@pytest.fixture(scope="module")
def signers(demo: Path) -> dict[bytes, Any]:
    passphrase = (demo / "keys" / "demo-passphrase.txt").read_bytes().splitlines()[0]
    return load_signers(demo / "keys", passphrase)


def _library(bundle: Path, trust: Path | None) -> Report:
    store = None if trust is None else load_trust_store(trust)
    result = verify_bundle(bundle, at=AT, trust=store, report=True)
    out = Report()
    out.failures = [(e.step, e.kind, e.seq) for e in result.errors]
    out.findings = {f.kind for f in result.findings} - CONTINUITY_ONLY
    assert result.verified == out.verified
    return out


def _agree(bundle: Path, trust: Path | None) -> Report:
    mine = verify_dir(bundle, None if trust is None else trust.read_bytes(), AT)
    theirs = _library(bundle, trust)
    assert sorted(mine.failures, key=str) == sorted(theirs.failures, key=str)
    assert mine.findings == theirs.findings
    return mine


def test_the_untouched_demo_bundle_verifies_in_both(demo: Path) -> None:
    report = _agree(demo / "bundle", demo / "keys" / "trust.json")
    assert report.verified
    assert report.findings == {"withheld_fields"}


Change = Callable[[Forge], dict[str, Any]]


def _data(f: Forge, n: int) -> dict[str, Any]:
    h = f.headers[n - 1]
    h["data"] = dict(h["data"])
    return h["data"]


def _pd(f: Forge, n: int) -> dict[str, bytes]:
    h = f.headers[n - 1]
    h["pd"] = dict(h["pd"])
    return h["pd"]


def _trust_without(f: Forge, part: str) -> bytes:
    doc = json.loads((f.src / "trust.json").read_bytes())
    doc["keys"] = [e for e in doc["keys"] if part not in e["name"]]
    return json.dumps(doc).encode()


def _trust_renamed(f: Forge, part: str, new: str) -> bytes:
    doc = json.loads((f.src / "trust.json").read_bytes())
    for e in doc["keys"]:
        if part in e["name"]:
            e["name"] = new
    return json.dumps(doc).encode()


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


def _policy(f: Forge, policy: dict[str, Any]) -> dict[str, Any]:
    return {"manifest_edit": lambda m: m.update(disclosure_policy=policy)}


VARIANTS: dict[str, tuple[Change, list[tuple[str, str, int | None]], set[str]]] = {
    "resigned_unchanged": (lambda f: {}, [], set()),
    "bundle_trust_store_emptied": (lambda f: {"trust": b"{}"}, [("B10", "manifest", None)], set()),
    "bundle_trust_store_missing_a_record_signer": (
        lambda f: {"trust": _trust_without(f, "FS-0417")},
        [("B10", "manifest", None)],
        set(),
    ),
    "bundle_trust_store_key_name_with_zero_width_space": (
        lambda f: {
            "trust": _trust_renamed(f, "FS-0417", "northshire.police.example/lab/FS\u200b-0417")
        },
        [("B10", "manifest", None)],
        set(),
    ),
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
    "future_time_of_a_record_that_failed_raises_no_finding": (
        lambda f: (
            f.headers[36].update(time=f.headers[36]["time"] + 10**15)
            or f.bad_signatures.add(37)
            or {}
        ),
        [("V9", "bad_signature", 37)],
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
    "disclosure_naming_no_record": (
        lambda f: f.disclosures.append(dict(f.disclosures[-1], seq=99)) or {},
        [("V11", "disclosure", 99)],
        set(),
    ),
    "origin_naming_the_case_inside_a_path": (
        lambda f: {"origin": "northshire.police.example/cases/" + f.manifest["case_id"]},
        [("V13", "checkpoint_mismatch", None)],
        set(),
    ),
    "origin_with_an_upper_case_uuid": (
        lambda f: {"origin": "northshire.police.example/" + f.manifest["case_id"].upper()},
        [("V13", "checkpoint_mismatch", None)],
        set(),
    ),
    "origin_with_a_namespace_ending_in_a_dot": (
        lambda f: {"origin": "northshire.police.example./" + f.manifest["case_id"]},
        [("V13", "checkpoint_mismatch", None)],
        set(),
    ),
    "origin_with_an_upper_case_namespace": (
        lambda f: {"origin": "Northshire.police.example/" + f.manifest["case_id"]},
        [("V13", "checkpoint_mismatch", None)],
        set(),
    ),
    "origin_with_a_namespace_starting_with_a_hyphen": (
        lambda f: {"origin": "-northshire.police.example/" + f.manifest["case_id"]},
        [("V13", "checkpoint_mismatch", None)],
        set(),
    ),
    "origin_with_a_namespace_of_128_characters": (
        lambda f: {"origin": "n" * 128 + "/" + f.manifest["case_id"]},
        [],
        set(),
    ),
    "origin_with_a_namespace_of_129_characters": (
        lambda f: {"origin": "n" * 129 + "/" + f.manifest["case_id"]},
        [("V13", "checkpoint_mismatch", None)],
        set(),
    ),
    "checkpoint_over_fewer_records": (
        lambda f: {"checkpoint_records": 35},
        [("V13", "checkpoint_mismatch", 36)],
        set(),
    ),
    "checkpoint_with_an_extension_line": (
        lambda f: {"checkpoint_tail": "extension\n"},
        [("V13", "checkpoint_mismatch", None)],
        set(),
    ),
    "manifest_with_an_escaped_solidus": (
        lambda f: {"manifest_text": lambda b: b.replace(b"/", b"\\/", 1)},
        [("B3", "manifest", None)],
        set(),
    ),
    "manifest_with_a_final_newline": (
        lambda f: {"manifest_text": lambda b: b + b"\n"},
        [("B3", "manifest", None)],
        set(),
    ),
    "policy_fields_out_of_order": (
        lambda f: _policy(f, {"mode": "list", "fields": ["name", "address"]}),
        [("B3", "manifest", None)],
        set(),
    ),
    "policy_fields_in_code_point_order_not_byte_order": (
        lambda f: _policy(f, {"mode": "list", "fields": ["ab", "a_b"]}),
        [("B3", "manifest", None)],
        set(),
    ),
    "policy_fields_in_byte_order_without_name": (
        lambda f: _policy(f, {"mode": "list", "fields": ["a_b", "ab"]}),
        [("B7", "manifest", 2), ("B7", "manifest", 16)],
        set(),
    ),
    "manifest_with_an_escaped_non_ascii_character": (
        lambda f: {"manifest_text": lambda b: b.replace("\u2014".encode(), b"\\u2014")},
        [("B3", "manifest", None)],
        set(),
    ),
    "manifest_with_an_integer_written_as_a_fraction": (
        lambda f: {"manifest_text": lambda b: b.replace(b'"records":37', b'"records":37.0')},
        [("B3", "manifest", None)],
        set(),
    ),
    "empty_evidence_folder_of_an_export_by_reference": (
        lambda f: {"drop": ("evidence/*",)},
        [],
        set(),
    ),
    "disclosure_outside_the_policy": (
        lambda f: _policy(f, {"mode": "none", "fields": []}),
        [("B7", "manifest", 2), ("B7", "manifest", 16)],
        set(),
    ),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_hostile_variant_gets_the_same_report_from_both(
    name: str, demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    change, failures, findings = VARIANTS[name]
    forge = Forge.read(demo / "bundle", signers)
    options = change(forge)
    bundle = forge.write(tmp_path / "bundle", **options)
    report = _agree(bundle, demo / "keys" / "trust.json")
    assert report.failures == failures
    unread = failures and failures[0][0] in ("B1", "B2", "B3")
    assert report.findings == (set() if unread else {"withheld_fields"}) | findings


def test_a_listed_evidence_file_that_is_absent_fails_b4_alone_in_both(
    demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    forge = Forge.read(demo / "bundle", signers)
    bundle = forge.write(tmp_path / "bundle")
    next((bundle / "evidence").iterdir()).unlink()
    report = _agree(bundle, demo / "keys" / "trust.json")
    assert report.failures == [("B4", "manifest", None)]


def _envelope_with_a_space(bundle: Path) -> None:
    path = bundle / "manifest.dsse.json"
    path.write_bytes(path.read_bytes().replace(b'"payloadType":', b'"payloadType": '))


@pytest.mark.parametrize(
    ("variant", "envelope_spaced", "failures", "findings"),
    [
        ("resigned_unchanged", False, [], {"trust_from_bundle", "withheld_fields"}),
        ("manifest_with_a_final_newline", False, [("B3", "manifest", None)], {"trust_from_bundle"}),
        ("resigned_unchanged", True, [("B1", "manifest", None)], set()),
    ],
)
def test_trust_from_bundle_is_reported_once_the_bundle_keys_were_read(
    variant: str,
    envelope_spaced: bool,
    failures: list[tuple[str, str, int | None]],
    findings: set[str],
    demo: Path,
    signers: dict[bytes, Any],
    tmp_path: Path,
) -> None:
    change = VARIANTS[variant][0]
    forge = Forge.read(demo / "bundle", signers)
    bundle = forge.write(tmp_path / "bundle", **change(forge))
    if envelope_spaced:
        _envelope_with_a_space(bundle)
    report = _agree(bundle, None)
    assert report.failures == failures
    assert report.findings == findings


def test_a_verifier_trust_store_with_a_bidi_mark_in_a_key_name_is_unusable_in_both(
    demo: Path, tmp_path: Path
) -> None:
    doc = json.loads((demo / "keys" / "trust.json").read_bytes())
    doc["keys"][1]["name"] = "northshire.police.example/lab/\u202eFS-0417"
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SpecError):
        verify_dir(demo / "bundle", trust.read_bytes(), AT)
    with pytest.raises(InputError):
        load_trust_store(trust)


def _rfc3339(ns: int) -> str:
    whole = datetime.fromtimestamp(ns // 10**9, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{whole}.{ns % 10**9:09d}Z"


def test_a_checkpoint_key_valid_only_after_the_last_record_still_signs_at_v12(
    demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    # V12 judges valid_from against the verification time, expiry and revocation against the
    # last record: a checkpoint key issued after the last record may sign the checkpoint.
    forge = Forge.read(demo / "bundle", signers)
    last = max(h["time"] for h in forge.headers)
    assert last + 10**9 < AT
    doc = json.loads((demo / "keys" / "trust.json").read_bytes())
    for entry in doc["keys"]:
        if "checkpoint" in entry["name"]:
            entry["valid_from"] = _rfc3339(last + 10**9)
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(doc), encoding="utf-8")
    report = _agree(demo / "bundle", trust)
    assert report.verified


@pytest.mark.parametrize(
    ("field", "text", "accepted"),
    [
        ("name", "northshire.police.example/lab/FS\u00a0-0417", False),  # White_Space
        ("name", "northshire.police.example/lab/FS\u200a-0417", False),
        ("name", "northshire.police.example/lab/FS\u00ad-0417", False),  # soft hyphen, Cf
        ("name", "northshire.police.example/lab/FS\U000e0041-0417", False),  # a tag
        ("name", "northshire.police.example/lab/FS-0417e\u0301", False),  # not NFC
        ("name", "northshire.police.example/lab/FS-0417\u00e9", True),
        ("holder.name", "Dr Priya\u00a0Nair", True),  # holder fields may hold spaces
        ("holder.name", "Dr Priya\u200aNair", True),
        ("holder.name", "Dr Priya Nair\u2028", False),
        ("holder.name", "Dr Priya Nair\u0085", False),  # a C1 control
        ("holder.name", "Dr Priya \u2066Nair\u2069", False),  # an isolate
        ("holder.name", "Dr Priya Nair\U0001d173", False),  # a musical format character
        ("holder.force", "Northshire\u061c Scientific", False),  # Arabic letter mark
        ("holder.rank", "", True),
        ("holder.number", "", False),
    ],
)
def test_display_text_of_a_trust_store_is_judged_alike_by_both(
    field: str, text: str, accepted: bool, demo: Path, tmp_path: Path
) -> None:
    doc = json.loads((demo / "keys" / "trust.json").read_bytes())
    (entry,) = [e for e in doc["keys"] if "FS-0417" in e["name"]]
    if field == "name":
        entry["name"] = text
    else:
        entry["holder"][field.split(".")[1]] = text
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    if accepted:
        verify_dir(demo / "bundle", trust.read_bytes(), AT)
        load_trust_store(trust)
        return
    with pytest.raises(SpecError):
        verify_dir(demo / "bundle", trust.read_bytes(), AT)
    with pytest.raises(InputError):
        load_trust_store(trust)


def test_the_spec_table_of_who_acted_names_exactly_the_types_v15_checks() -> None:
    text = (Path(__file__).parents[2] / "docs" / "FORMAT.md").read_text(encoding="utf-8")
    table = text.split("### 8.1 Who acted")[1].split("## 9.")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    named: set[str] = set()
    for row in rows:
        first = row.split(" | ")[0]
        if first.startswith("| `exhibit.<kind>`"):
            named |= {f"exhibit.{k}" for k in re.findall(r"`([a-z_]+)`", first.split(":", 1)[1])}
        else:
            named |= set(re.findall(r"`([a-z_.]+)`", first))
    assert named == set(ACTOR_TYPES)
    assert named == {*CUSTODY_ACTOR_TYPES, "record.corrected", "record.confirmed"}


def test_canonical_json_sorts_names_by_utf16_code_units() -> None:
    assert (
        jcs({"\ue000": 1, "\U00010000": 2, "a": 3}) == '{"a":3,"\U00010000":2,"\ue000":1}'.encode()
    )
    assert jcs({"s": "\u001f/\u007f\u2028é"}) == '{"s":"\\u001f/\u007f\u2028é"}'.encode()
