"""The manifest, its canonical JSON and its DSSE envelope: strict, one text per value."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import uuid
from typing import Any

import pytest

from _casebuilder import signer_from
from casefile.bundle import DISCLOSE_ALL, DISCLOSE_NONE, DisclosurePolicy, FileEntry, Manifest
from casefile.bundle._dsse import parse_envelope, seal_envelope
from casefile.bundle._json import dumps
from casefile.bundle._manifest import manifest_bytes, parse_manifest
from casefile.errors import ManifestError
from casefile.signing._keys import verify_signature

SIGNER = signer_from("log")
FILES = tuple(
    FileEntry(p, 3, hashlib.sha256(p.encode()).digest())
    for p in ("checkpoint.txt", "disclosures.bin", "records.bin", "trust.json")
)
MANIFEST = Manifest(
    uuid.UUID(int=0xABCDEF), 3, "origin/x\n3\nAAAA\n\n\u2014 log sig\n", DISCLOSE_ALL, FILES
)


def test_manifest_round_trips() -> None:
    assert parse_manifest(manifest_bytes(MANIFEST), max_files=10) == MANIFEST


@pytest.mark.parametrize("audience", [None, "cps", "defence", "court", "victim"])
def test_manifest_names_its_audience_or_null(audience: str | None) -> None:
    manifest = dataclasses.replace(MANIFEST, audience=audience)
    document = json.loads(manifest_bytes(manifest))
    assert document["audience"] == audience
    assert document["version"] == 2
    assert parse_manifest(manifest_bytes(manifest), max_files=10) == manifest


def test_manifest_without_audience_is_refused() -> None:
    document = MANIFEST.to_json()
    del document["audience"]
    with pytest.raises(ManifestError, match="exactly the fields"):
        parse_manifest(dumps(document), max_files=10)


def test_manifest_of_an_unknown_audience_cannot_be_made() -> None:
    with pytest.raises(ValueError, match="audience"):
        dataclasses.replace(MANIFEST, audience="press")


def _mutated(**changes: Any) -> bytes:
    document = MANIFEST.to_json()
    document.update(changes)
    return dumps(document)


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"format": "other"}, "format"),
        ({"version": 1}, "version"),
        ({"version": 3}, "version"),
        ({"audience": "press"}, "audience"),
        ({"audience": "CPS"}, "audience"),
        ({"audience": 1}, "audience"),
        ({"version": True}, "version"),
        ({"case_id": str(uuid.UUID(int=0xABCDEF)).upper()}, "case_id"),
        ({"records": 0}, "records"),
        ({"records": "3"}, "records"),
        ({"checkpoint": ""}, "checkpoint"),
        ({"disclosure_policy": {"fields": ["a"], "mode": "all"}}, "disclosure_policy"),
        ({"disclosure_policy": {"fields": ["b", "a"], "mode": "list"}}, "fields"),
        ({"disclosure_policy": {"fields": [], "mode": "some"}}, "disclosure_policy"),
        ({"files": [f.to_json() for f in reversed(FILES)]}, "sorted"),
        ({"files": [f.to_json() for f in FILES[1:]]}, "does not list checkpoint.txt"),
        (
            {
                "files": [
                    *(f.to_json() for f in FILES),
                    {"path": "../x", "sha256": "0" * 64, "size": 1},
                ]
            },
            "traversal",
        ),
        (
            {
                "files": [
                    {"path": "manifest.dsse.json", "sha256": "0" * 64, "size": 1},
                    *(f.to_json() for f in FILES),
                ]
            },
            "itself",
        ),
        (
            {
                "files": [
                    {**FILES[0].to_json(), "sha256": "A" * 64},
                    *(f.to_json() for f in FILES[1:]),
                ]
            },
            "hex",
        ),
        (
            {"files": [{**FILES[0].to_json(), "size": -1}, *(f.to_json() for f in FILES[1:])]},
            "size",
        ),
        ({"extra": 1}, "exactly the fields"),
    ],
)
def test_malformed_manifest_is_refused_naming_the_field(
    changes: dict[str, Any], where: str
) -> None:
    with pytest.raises(ManifestError, match=where) as caught:
        parse_manifest(_mutated(**changes), max_files=10)
    assert caught.value.step == "B3"


def test_manifest_listing_too_many_files_is_refused() -> None:
    with pytest.raises(ManifestError, match="more than the limit"):
        parse_manifest(manifest_bytes(MANIFEST), max_files=3)


def test_disclosure_policy_values() -> None:
    assert DisclosurePolicy.only(["name", "dob", "name"]).fields == ("dob", "name")
    assert not DISCLOSE_NONE.allows("name")
    assert DISCLOSE_ALL.allows("name")
    with pytest.raises(ValueError, match="at least one"):
        DisclosurePolicy.only([])
    with pytest.raises(ValueError, match="no fields"):
        DisclosurePolicy("none", ("name",))


@pytest.mark.parametrize(
    "name", ["Name", "1dob", "date of birth", "name\u200b", "na\u00efve", "a.b", "x" * 65, ""]
)
def test_policy_listing_a_name_outside_the_field_grammar_is_refused(name: str) -> None:
    # Writer side: such a name could never match a committed field.
    with pytest.raises(ValueError, match="is not a lower-case ASCII letter"):
        DisclosurePolicy.only(["name", name])
    # Reader side: a signed manifest naming it is refused at B3, naming the place.
    policy = {"fields": sorted(["address", name]), "mode": "list"}
    index = policy["fields"].index(name)
    with pytest.raises(ManifestError, match=rf"disclosure_policy\.fields\[{index}\]") as e:
        parse_manifest(_mutated(disclosure_policy=policy), max_files=10)
    assert e.value.step == "B3"


def test_policy_fields_out_of_byte_order_are_refused() -> None:
    # "date_of_birth" < "dob" in UTF-8 byte order ("a" 0x61 < "o" 0x6f), and "_" (0x5f)
    # sorts before the lower-case letters.
    assert DisclosurePolicy.only(["dob", "date_of_birth", "a_b", "ab"]).fields == (
        "a_b",
        "ab",
        "date_of_birth",
        "dob",
    )
    policy = {"fields": ["ab", "a_b"], "mode": "list"}
    with pytest.raises(ManifestError, match="sorted by UTF-8 bytes"):
        parse_manifest(_mutated(disclosure_policy=policy), max_files=10)


def test_envelope_signature_covers_the_pae_of_the_payload() -> None:
    payload = manifest_bytes(MANIFEST)
    envelope = parse_envelope(seal_envelope(payload, SIGNER))
    assert envelope.payload == payload
    assert envelope.key_id == SIGNER.public_key.key_id
    assert envelope.signed_bytes().startswith(
        b"DSSEv1 41 application/vnd.casefile.manifest.v1+json "
    )
    assert verify_signature(SIGNER.public_key.raw, envelope.signed_bytes(), envelope.signature)


def _envelope_with(**changes: Any) -> bytes:
    document = json.loads(seal_envelope(b"{}\n", SIGNER))
    document.update(changes)
    return dumps(document)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"payloadType": "application/vnd.in-toto+json"}, "payloadType"),
        ({"signatures": []}, "exactly one signature"),
        (
            {"signatures": [{"keyid": "AB" * 32, "sig": base64.b64encode(bytes(64)).decode()}]},
            "keyid",
        ),
        (
            {"signatures": [{"keyid": "ab" * 32, "sig": base64.b64encode(bytes(63)).decode()}]},
            "64 bytes",
        ),
        ({"signatures": [{"keyid": "ab" * 32, "sig": "A" * 85 + "B=="}]}, "canonical"),
        ({"payload": "e31="}, "canonical base64"),
        ({"payload": "not base64!"}, "not valid base64"),
        ({"extra": 1}, "exactly the fields"),
    ],
)
def test_malformed_envelope_is_refused(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ManifestError, match=problem) as caught:
        parse_envelope(_envelope_with(**changes))
    assert caught.value.step == "B1"
