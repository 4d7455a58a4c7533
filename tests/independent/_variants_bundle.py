"""Hostile variants of the demo's bundle that break a rule of the bundle around the records.

The trust store it carries (B10), the checkpoint (§6, V13), the manifest's canonical JSON and
fields (§9.2, B3, B6), the disclosure policy (B7), the framing of its streams (§9.1.1) and
the views it carries (B12).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from independent._forge import Forge
from independent._variants import Change, Expected

__all__ = ["BUNDLE_VARIANTS", "VIEW_VARIANTS"]

#: The demo's receipt (record 75) cosigns a checkpoint of the bundle's origin, which the
#: forger re-cosigns; an origin that is not a casefile origin names no case, so it fails B15.
RECEIPT_OF_NO_CASE = ("B15", "cosignature", 75)


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


def _policy(f: Forge, policy: dict[str, Any]) -> dict[str, Any]:
    return {"manifest_edit": lambda m: m.update(disclosure_policy=policy)}


def _note_id(f: Forge) -> bytes:
    """The note key id of the demo's checkpoint key (§6)."""
    name = b"northshire.police.example/casefile-checkpoint"
    public = bytes(f.signers[f.key_named("checkpoint")].verify_key)
    return hashlib.sha256(name + b"\n\x01" + public).digest()[:4]


BUNDLE_VARIANTS: dict[str, tuple[Change, Expected, set[str]]] = {
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
    "origin_naming_the_case_inside_a_path": (
        lambda f: {"origin": "northshire.police.example/cases/" + f.manifest["case_id"]},
        [("V13", "checkpoint_mismatch", None), RECEIPT_OF_NO_CASE],
        set(),
    ),
    "origin_with_an_upper_case_uuid": (
        lambda f: {"origin": "northshire.police.example/" + f.manifest["case_id"].upper()},
        [("V13", "checkpoint_mismatch", None), RECEIPT_OF_NO_CASE],
        set(),
    ),
    "origin_with_a_namespace_ending_in_a_dot": (
        lambda f: {"origin": "northshire.police.example./" + f.manifest["case_id"]},
        [("V13", "checkpoint_mismatch", None), RECEIPT_OF_NO_CASE],
        set(),
    ),
    "origin_with_an_upper_case_namespace": (
        lambda f: {"origin": "Northshire.police.example/" + f.manifest["case_id"]},
        [("V13", "checkpoint_mismatch", None), RECEIPT_OF_NO_CASE],
        set(),
    ),
    "origin_with_a_namespace_starting_with_a_hyphen": (
        lambda f: {"origin": "-northshire.police.example/" + f.manifest["case_id"]},
        [("V13", "checkpoint_mismatch", None), RECEIPT_OF_NO_CASE],
        set(),
    ),
    "origin_with_a_namespace_of_128_characters": (
        lambda f: {"origin": "n" * 128 + "/" + f.manifest["case_id"]},
        [],
        set(),
    ),
    "origin_with_a_namespace_of_129_characters": (
        lambda f: {"origin": "n" * 129 + "/" + f.manifest["case_id"]},
        [("V13", "checkpoint_mismatch", None), RECEIPT_OF_NO_CASE],
        set(),
    ),
    "checkpoint_over_fewer_records": (
        lambda f: {"checkpoint_records": 40},
        [("V13", "checkpoint_mismatch", 41)],
        set(),
    ),
    "checkpoint_with_a_second_bad_signature_by_the_trusted_key": (
        lambda f: {
            "extra_signatures": (
                ("northshire.police.example/casefile-checkpoint", _note_id(f) + bytes(64)),
            )
        },
        [("V12", "checkpoint_signature", None)],
        set(),
    ),
    "checkpoint_with_a_signature_by_an_unknown_key": (
        lambda f: {"extra_signatures": (("someone.example/key", bytes(68)),)},
        [],
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
    "manifest_with_an_integer_beyond_i_json": (
        lambda f: {
            "manifest_text": lambda b: b.replace(b'"records":78', b'"records":9007199254740992')
        },
        [("B3", "manifest", None)],
        set(),
    ),
    "manifest_counting_one_record_less": (
        lambda f: {"manifest_edit": lambda m: m.update(records=m["records"] - 1)},
        [("B6", "manifest", None)],
        set(),
    ),
    "manifest_counting_no_records": (
        lambda f: {"manifest_edit": lambda m: m.update(records=0)},
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
        [("B7", "manifest", 2), ("B7", "manifest", 16), ("B7", "manifest", 45)],
        set(),
    ),
    "manifest_with_an_escaped_non_ascii_character": (
        lambda f: {"manifest_text": lambda b: b.replace("\u2014".encode(), b"\\u2014")},
        [("B3", "manifest", None)],
        set(),
    ),
    "manifest_with_an_integer_written_as_a_fraction": (
        lambda f: {"manifest_text": lambda b: b.replace(b'"records":78', b'"records":78.0')},
        [("B3", "manifest", None)],
        set(),
    ),
    "empty_evidence_folder_of_an_export_by_reference": (
        lambda f: {"drop": ("evidence/*",)},
        [],
        set(),
    ),
    "records_ending_in_a_truncated_element": (
        lambda f: {"records_tail": b"\xc4\x05ab"},
        [("V1", "malformed_record", 79)],
        set(),
    ),
    "records_with_a_length_not_in_its_shortest_form": (
        lambda f: {"records_tail": b"\xc5\x00\x01\x00"},
        [("V1", "malformed_record", 79)],
        set(),
    ),
    "disclosures_ending_in_a_truncated_element": (
        lambda f: {"disclosures_tail": b"\xc4\x05ab"},
        [("V11", "disclosure", None)],
        set(),
    ),
    "disclosures_with_an_element_that_is_not_a_disclosure": (
        lambda f: {"disclosures_tail": b"\xc4\x01\xc0"},
        [("V11", "disclosure", None)],
        set(),
    ),
    "disclosure_outside_the_policy": (
        lambda f: _policy(f, {"mode": "none", "fields": []}),
        [("B7", "manifest", 2), ("B7", "manifest", 16), ("B7", "manifest", 45)],
        set(),
    ),
}


def _edited(view: str, edit: Callable[[dict[str, Any]], None]) -> ViewChange:
    def change(views: dict[str, bytes]) -> dict[str, bytes]:
        document = json.loads(views[view])
        edit(document)
        return {**views, view: json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"}

    return change


ViewChange = Callable[[dict[str, bytes]], dict[str, bytes]]

#: Views changed by their sender, manifest re-signed: (change, the outside verifier's
#: failures, the views only the library's B12 rebuild finds to differ).
VIEW_VARIANTS: dict[str, tuple[ViewChange, Expected, list[str]]] = {
    "case_file_naming_another_audience": (
        _edited("casefile.json", lambda d: d.update(audience="court")),
        [],
        ["casefile.json"],
    ),
    "case_file_with_an_officers_collar_number_changed_in_a_statement": (
        lambda views: {
            **views,
            "casefile.json": views["casefile.json"].replace(b"I am PC 4721", b"I am PC 4712", 1),
        },
        [],
        ["casefile.json"],
    ),
    "case_file_with_one_byte_more_at_its_end": (
        lambda views: {**views, "casefile.json": views["casefile.json"] + b" "},
        [],
        ["casefile.json"],
    ),
    "exhibit_register_without_its_exhibits": (
        _edited("exhibits.json", lambda d: d.update(exhibits=[])),
        [],
        ["exhibits.json"],
    ),
    "every_view_changed": (
        lambda views: {k: v.replace(b"\n", b"\r\n") for k, v in views.items()},
        [],
        ["casefile.html", "casefile.json", "exhibits.json"],
    ),
    "case_file_page_with_a_sentence_added": (
        lambda views: {
            **views,
            "casefile.html": views["casefile.html"].replace(
                b"</body>", b"<p>The defendant admitted the offence.</p></body>"
            ),
        },
        [],
        ["casefile.html"],
    ),
    "view_the_verifier_cannot_build": (
        lambda views: {**views, "casefile.pdf": b"%PDF-1.7 the defendant admitted it\n"},
        [("B12", "manifest", None)],
        [],
    ),
    "view_named_in_upper_case": (
        lambda views: {"CASEFILE.JSON" if k == "casefile.json" else k: v for k, v in views.items()},
        [("B12", "manifest", None)],
        [],
    ),
}
