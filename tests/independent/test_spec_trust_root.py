"""B17: the outside verifier (§7.5 alone) and the library agree on a bundle under a pinned root.

The roots and trust lists are made here from §7.5 too (canonical JSON, DSSE PAE, Ed25519 by
nacl keys), not by casefile's writer, so that both verifiers read what the spec describes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from cli._support import run_cli
from independent._forge import Forge
from independent._spec_rules import SpecError, jcs, key_id
from independent._spec_trust_root import ROOT_TYPE, TRUST_LIST_TYPE
from independent._spec_verifier import verify_dir
from independent.test_spec_agreement import AT, _agree, demo, signers

__all__ = ["demo", "signers"]  # the agreement module's fixtures, used here

YEAR = 365 * 86_400
LATER = "2099-01-01T00:00:00Z"
PAST = "2001-01-01T00:00:00Z"


def _key(n: int) -> SigningKey:
    return SigningKey(bytes([n]) * 32)


def _kid(n: int) -> bytes:
    return key_id(bytes(_key(n).verify_key))


def _envelope(kind: str, payload: dict[str, Any], by: list[int]) -> bytes:
    """§7.5.1: canonical JSON, one signature per key, sorted by key id, over PAE(T, payload)."""
    body = jcs(payload)
    pae = b"DSSEv1 %d %s %d " % (len(kind), kind.encode(), len(body)) + body
    sigs = sorted((_kid(n), _key(n).sign(pae).signature) for n in set(by))
    return jcs(
        {
            "payload": base64.b64encode(body).decode(),
            "payloadType": kind,
            "signatures": [
                {"keyid": k.hex(), "sig": base64.b64encode(s).decode()} for k, s in sigs
            ],
        }
    )


def root_doc(
    version: int, keys: list[int], by: list[int], threshold: int = 1, expires: str = LATER
) -> bytes:
    entries = sorted(keys, key=_kid)
    payload = {
        "format": "casefile-root",
        "version": version,
        "expires": expires,
        "keys": [
            {
                "name": f"northshire.police.example/root/{n}",
                "public_key": base64.b64encode(bytes(_key(n).verify_key)).decode(),
            }
            for n in entries
        ],
        "threshold": threshold,
    }
    return _envelope(ROOT_TYPE, payload, by)


def trust_list(
    trust: dict[str, Any], by: list[int], *, version: int = 1, root_version: int = 1,
    expires: str = LATER,
) -> bytes:  # fmt: skip
    payload = {
        "format": "casefile-trust-list",
        "version": version,
        "expires": expires,
        "root_version": root_version,
        "trust": trust,
    }
    return _envelope(TRUST_LIST_TYPE, payload, by)


Chain = Callable[[dict[str, Any]], dict[str, bytes]]
PINNED = root_doc(1, [1], [1])


def _rotated(trust: dict[str, Any]) -> dict[str, bytes]:
    # Root 1 (key 1) hands on to root 2 (keys 2, 3; threshold 2), then to root 3 (key 4).
    return {
        "trust-root/root.2.json": root_doc(2, [2, 3], [1, 2, 3], threshold=2),
        "trust-root/root.3.json": root_doc(3, [4], [2, 3, 4]),
        "trust-root/trust-list.json": trust_list(trust, [4], version=3, root_version=3),
    }


#: name -> (the files the sender adds, the lowest list version taken, does B17 fail)
CHAINS: dict[str, tuple[Chain, int, bool]] = {
    "list_signed_by_the_pinned_root": (lambda t: {
        "trust-root/trust-list.json": trust_list(t, [1]),
    }, 1, False),
    "a_good_chain_of_two_rotations": (_rotated, 1, False),
    "an_expired_intermediate_root_still_hands_on_trust": (lambda t: {
        "trust-root/root.2.json": root_doc(2, [2], [1, 2], expires=PAST),
        "trust-root/root.3.json": root_doc(3, [4], [2, 4]),
        "trust-root/trust-list.json": trust_list(t, [4], root_version=3),
    }, 1, False),
    "a_root_document_of_the_pinned_version_is_not_read": (lambda t: {
        "trust-root/root.1.json": b"not a root",
        "trust-root/trust-list.json": trust_list(t, [1]),
    }, 1, False),
    "a_skipped_version": (lambda t: {
        k: v for k, v in _rotated(t).items() if k != "trust-root/root.2.json"
    }, 1, True),
    "a_list_signed_by_a_removed_root_key": (lambda t: {
        "trust-root/root.2.json": root_doc(2, [2], [1, 2]),
        "trust-root/trust-list.json": trust_list(t, [1], root_version=2),
    }, 1, True),
    "a_list_signed_before_the_rotation_is_retired": (lambda t: {
        "trust-root/root.2.json": root_doc(2, [2], [1, 2]),
        "trust-root/trust-list.json": trust_list(t, [1, 2], root_version=1),
    }, 1, True),
    "an_expired_list": (lambda t: {
        "trust-root/trust-list.json": trust_list(t, [1], expires=PAST),
    }, 1, True),
    "the_final_root_expired": (lambda t: {
        "trust-root/root.2.json": root_doc(2, [2], [1, 2], expires=PAST),
        "trust-root/trust-list.json": trust_list(t, [2], root_version=2),
    }, 1, True),
    "the_new_root_threshold_not_met": (lambda t: {
        "trust-root/root.2.json": root_doc(2, [2, 3], [1, 2], threshold=2),
        "trust-root/trust-list.json": trust_list(t, [2, 3], root_version=2),
    }, 1, True),
    "the_old_root_threshold_not_met": (lambda t: {
        "trust-root/root.2.json": root_doc(2, [2], [2]),
        "trust-root/trust-list.json": trust_list(t, [2], root_version=2),
    }, 1, True),
    "the_list_threshold_not_met": (lambda t: {
        "trust-root/root.2.json": root_doc(2, [2, 3], [1, 2, 3], threshold=2),
        "trust-root/trust-list.json": trust_list(t, [2, 9], root_version=2),
    }, 1, True),
    "a_root_named_for_one_version_holding_another": (lambda t: {
        "trust-root/root.2.json": root_doc(3, [2], [1, 2]),
        "trust-root/trust-list.json": trust_list(t, [2], root_version=3),
    }, 1, True),
    "a_list_replayed_after_a_newer_one_was_seen": (lambda t: {
        "trust-root/trust-list.json": trust_list(t, [1], version=2),
    }, 3, True),
    "no_trust_list": (lambda t: {}, 1, True),
    "a_trust_list_that_is_a_bare_trust_store": (lambda t: {
        "trust-root/trust-list.json": jcs(t),
    }, 1, True),
    "a_trust_list_whose_store_breaks_7_1": (lambda t: {
        "trust-root/trust-list.json": trust_list(dict(t, version=2), [1]),
    }, 1, True),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_a_bundle_under_a_pinned_root_gets_the_same_report_from_both(
    name: str, demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    make, oldest, fails = CHAINS[name]
    trust = json.loads((demo / "keys" / "trust.json").read_bytes())
    bundle = Forge.read(demo / "bundle", signers).write(tmp_path / "bundle", added=make(trust))
    report = _agree(bundle, None, PINNED, oldest)
    if fails:
        assert report.failures == [("B17", "trust_root", None)]
        assert report.findings == set()
    else:
        assert report.verified
        assert report.findings == {"withheld_fields"}  # and not trust_from_bundle


def test_the_trust_list_not_the_bundle_trust_json_judges_the_records_in_both(
    demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    # B17 passed: the list's store is the verifier's own, and it lacks the scientist's key,
    # which the bundle's trust.json still holds: each record that key signed fails V6.
    trust = json.loads((demo / "keys" / "trust.json").read_bytes())
    trust["keys"] = [e for e in trust["keys"] if "FS-0417" not in e["name"]]
    added = {"trust-root/trust-list.json": trust_list(trust, [1])}
    forge = Forge.read(demo / "bundle", signers)
    bundle = forge.write(tmp_path / "bundle", added=added)
    report = _agree(bundle, None, PINNED)
    scientist = forge.key_named("FS-0417")
    signed = [("V6", "unknown_key", h["seq"]) for h in forge.headers if h["key"] == scientist]
    assert signed
    assert report.failures == signed


@pytest.mark.parametrize(
    "pinned",
    [
        root_doc(1, [1], [2]),  # not signed by itself
        root_doc(1, [1, 2], [1], threshold=2),
        root_doc(1, [1], [1], threshold=2),
        b"{}",
    ],
)
def test_a_pinned_root_not_signed_by_itself_is_unusable_in_both(
    pinned: bytes, demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    trust = json.loads((demo / "keys" / "trust.json").read_bytes())
    added = {"trust-root/trust-list.json": trust_list(trust, [1])}
    bundle = Forge.read(demo / "bundle", signers).write(tmp_path / "bundle", added=added)
    with pytest.raises(SpecError):
        verify_dir(bundle, None, AT, pinned)
    (tmp_path / "root.json").write_bytes(pinned)
    done = run_cli(["verify", bundle, "--root", tmp_path / "root.json"])
    assert done.code == 2, done.err  # §9.7.1: unusable input, no report
