"""B15 step 2: the outside verifier and the library count witnesses' cosignatures alike.

A witness policy (§7.1.3) is added to the demo's trust store, and cosignature lines (§6.1)
made here from the spec's text (nacl keys, `cosignature/v1`, key id of type 0x04) are put
under the bundle's checkpoint, which the sender then signs into its manifest (B5).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from independent._forge import Forge
from independent.test_spec_agreement import AT, _agree, demo, signers

__all__ = ["demo", "signers"]  # the agreement module's fixtures, used here

W1, W2 = "witness.example/w1", "witness.example/w2"
_KEYS = {W1: SigningKey(b"\x31" * 32), W2: SigningKey(b"\x32" * 32)}
_TOLERANCE = 300  # seconds (§8)


def _entry(name: str, roles: list[str]) -> dict[str, Any]:
    public = bytes(_KEYS[name].verify_key)
    return {
        "holder": {"force": "Witness Service", "name": name, "number": name[-2:], "rank": ""},
        "name": name,
        "public_key": base64.b64encode(public).decode(),
        "roles": roles,
        "valid_from": "2020-01-01T00:00:00Z",
    }


def _line(name: str, body: str, t: int, *, type_byte: bytes = b"\x04", bad: bool = False) -> Any:
    """(name, key id ‖ timestamp ‖ signature) of a §6.1 cosignature line over ``body``."""
    key = _KEYS[name]
    kid = hashlib.sha256(name.encode() + b"\n" + type_byte + bytes(key.verify_key)).digest()[:4]
    sig = key.sign(b"cosignature/v1\ntime %d\n" % t + body.encode()).signature
    if bad:
        sig = bytes([sig[0] ^ 1]) + sig[1:]
    return (name, kid + t.to_bytes(8, "big") + sig)


#: name -> (witness names, threshold, roles of w1, lines(body, last record s, at s), failures)
Lines = Callable[[str, int, int], tuple[Any, ...]]
_POLICY_UNMET = ("B15", "cosignature", None)
CASES: dict[str, tuple[list[str], int, list[str], Lines, int]] = {
    "one_of_one_met": ([W1], 1, ["witness"], lambda b, last, at: (_line(W1, b, last + 1),), 0),
    "two_of_two_with_one": (
        [W1, W2], 2, ["witness"], lambda b, last, at: (_line(W1, b, last + 1),), 1,
    ),
    "two_of_two_met": (
        [W1, W2], 2, ["witness"],
        lambda b, last, at: (_line(W1, b, last + 1), _line(W2, b, last + 2)), 0,
    ),
    "one_witness_twice_counts_once": (
        [W1, W2], 2, ["witness"],
        lambda b, last, at: (_line(W1, b, last + 1), _line(W1, b, last + 2)), 1,
    ),
    "a_line_that_does_not_verify": (
        [W1], 1, ["witness"], lambda b, last, at: (_line(W1, b, last + 1, bad=True),), 2,
    ),
    "a_bad_line_beside_a_good_one_still_fails": (
        [W1, W2], 1, ["witness"],
        lambda b, last, at: (_line(W1, b, last + 1), _line(W2, b, last + 1, bad=True)), 1,
    ),
    "cosigned_before_the_last_record_beyond_the_tolerance": (
        [W1], 1, ["witness"], lambda b, last, at: (_line(W1, b, last - _TOLERANCE - 2),), 1,
    ),
    "cosigned_just_within_the_tolerance_before_the_last_record": (
        [W1], 1, ["witness"], lambda b, last, at: (_line(W1, b, last - _TOLERANCE + 1),), 0,
    ),
    "cosigned_after_the_verification_time_beyond_the_tolerance": (
        [W1], 1, ["witness"], lambda b, last, at: (_line(W1, b, at + _TOLERANCE + 2),), 1,
    ),
    "a_key_without_the_witness_role": (
        [W1], 1, ["recipient"], lambda b, last, at: (_line(W1, b, last + 1),), 1,
    ),
    "a_note_signature_line_of_the_witness_key": (
        [W1], 1, ["witness"],
        lambda b, last, at: (_line(W1, b, last + 1, type_byte=b"\x01"),), 1,
    ),
    "a_bad_line_of_a_name_not_in_the_policy_is_ignored": (
        [W1], 1, ["witness"],
        lambda b, last, at: (_line(W1, b, last + 1), _line(W2, b, last + 1, bad=True)), 0,
    ),
    "a_line_of_the_witness_key_id_too_short_for_a_cosignature": (
        [W1], 1, ["witness"], lambda b, last, at: ((W1, _line(W1, b, last + 1)[1][:8]),), 2,
    ),
    "a_line_of_the_witness_key_id_too_long_for_a_cosignature": (
        [W1], 1, ["witness"], lambda b, last, at: ((W1, _line(W1, b, last + 1)[1] + b"x"),), 2,
    ),
    "a_time_of_two_to_the_63_minus_one_seconds_is_after_every_record_time": (
        [W1], 1, ["witness"], lambda b, last, at: (_line(W1, b, 2**63 - 1),), 1,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_witness_policy_is_judged_alike_by_both(
    name: str, demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    names, threshold, roles, lines, unmet = CASES[name]
    doc = json.loads((demo / "keys" / "trust.json").read_bytes())
    doc["keys"] += [_entry(W1, roles), _entry(W2, ["witness"])]
    doc["policy"]["witnesses"] = {"names": names, "threshold": threshold}
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    forge = Forge.read(demo / "bundle", signers)
    plain = forge.write(tmp_path / "plain", trust=trust.read_bytes())
    body = (plain / "checkpoint.txt").read_text("utf-8").split("\n\n")[0] + "\n"
    last = max(h["time"] for h in forge.headers) // 10**9
    extra = lines(body, last, AT // 10**9)
    bundle = forge.write(tmp_path / "bundle", trust=trust.read_bytes(), extra_signatures=extra)
    report = _agree(bundle, trust)
    assert report.failures == [_POLICY_UNMET] * unmet
