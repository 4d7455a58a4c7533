"""B13 Handover and the check that a bundle extends a checkpoint its recipient holds.

A sender holding every key can sign anything; what it cannot do is make a
rewritten case agree with a checkpoint the recipient already holds, nor a
handover that names other records than those before it.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _casebuilder import AT, CaseBuilder, World, signer_from
from casefile.bundle import (
    DISCLOSE_ALL,
    BundleVerification,
    check_extends,
    parse_handovers,
    verify_bundle,
)
from casefile.bundle import write_bundle as write
from casefile.bundle._json import dumps as canonical_json
from casefile.errors import (
    CheckpointSignatureError,
    HandoverError,
    InconsistentHistoryError,
    ProofError,
    RollbackError,
)
from casefile.signing import consistency_proof, merkle_root, verify_consistency
from casefile.signing._note import sign_note

WORLD = World()
LOG = "test.police.uk/log"


def _bundle(
    dest: Path, case: CaseBuilder, audience: str | None = None, handovers: bytes | None = b""
) -> BundleVerification:
    """The case as a bundle; ``handovers`` is handovers.json (by default as an export writes it)."""
    if handovers == b"":
        handovers = case.earlier_handovers(WORLD.log, LOG)
    write(
        dest,
        case_id=case.case_id,
        records=iter(case.records),
        disclosures=iter(case.disclosures),
        trust=WORLD.trust,
        checkpoint_note=WORLD.checkpoint(case),
        signer=WORLD.log,
        disclosure_policy=DISCLOSE_ALL,
        audience=audience,
        handovers=handovers,
    )
    return verify_bundle(dest, at=AT, trust=WORLD.trust, report=True, keep_history=True)


def _steps(result: BundleVerification) -> list[tuple[str, str, int | None]]:
    return [(e.kind, e.step, e.seq) for e in result.errors]


def _handed_over(n: int = 4, audience: str | None = "cps") -> CaseBuilder:
    case = WORLD.case(n, personal=False)
    WORLD.hand_over(case, audience, recipient="CPS Direct")
    return case


# --- B13 --------------------------------------------------------------------------------


def test_bundle_ending_with_its_handover_verifies(tmp_path: Path) -> None:
    result = _bundle(tmp_path / "b", _handed_over(), "cps")
    assert result.verified, result.errors
    assert result.history is not None
    assert [h.seq for h in result.history.handovers] == [5]


def test_bundle_for_an_audience_without_its_handover_is_refused(tmp_path: Path) -> None:
    result = _bundle(tmp_path / "b", WORLD.case(4, personal=False), "cps")
    assert _steps(result) == [("handover", "B13", 4)]
    assert "must end with its handover" in result.errors[0].message


def test_bundle_carrying_records_after_its_handover_is_refused(tmp_path: Path) -> None:
    # A handover to the CPS, then records it never covered, sent under the same audience.
    case = _handed_over()
    case.add(WORLD.alice)
    assert _steps(_bundle(tmp_path / "b", case, "cps")) == [("handover", "B13", 6)]


def test_handover_for_another_audience_is_refused(tmp_path: Path) -> None:
    result = _bundle(tmp_path / "b", _handed_over(audience="cps"), "defence")
    assert _steps(result) == [("handover", "B13", 5)]
    assert "audience cps" in result.errors[0].message


def test_handover_record_naming_another_checkpoint_is_refused(tmp_path: Path) -> None:
    # Signed by the trusted checkpoint key, but over fewer records than precede it.
    case = WORLD.case(4, personal=False)
    entry = WORLD.trust.get(WORLD.log.public_key.key_id)
    assert entry is not None
    case.hand_over(WORLD.log, entry, audience="cps", checkpoint=WORLD.checkpoint(case, 3))
    result = _bundle(tmp_path / "b", case, "cps")
    assert _steps(result) == [("handover", "B13", 5)]
    assert "covers 3 records, not the 4 before it" in result.errors[0].message


def test_handover_record_naming_another_cases_checkpoint_is_refused(tmp_path: Path) -> None:
    case = WORLD.case(4, personal=False)
    other = WORLD.case(4, case_id=uuid.UUID(int=99), personal=False)
    entry = WORLD.trust.get(WORLD.log.public_key.key_id)
    assert entry is not None
    case.hand_over(WORLD.log, entry, audience="cps", checkpoint=WORLD.checkpoint(other))
    result = _bundle(tmp_path / "b", case, "cps")
    assert _steps(result) == [("handover", "B13", 5)]
    assert "origin" in result.errors[0].message


def test_handover_checkpoint_signed_by_an_officer_is_refused(tmp_path: Path) -> None:
    case = WORLD.case(4, personal=False)
    entry = WORLD.trust.get(WORLD.log.public_key.key_id)
    assert entry is not None
    forged = case.checkpoint(WORLD.alice, "test.police.uk/officer/alice")
    case.hand_over(WORLD.log, entry, audience="cps", checkpoint=forged)
    result = _bundle(tmp_path / "b", case, "cps")
    assert _steps(result) == [("handover", "B13", 5)]
    assert "does not verify" in result.errors[0].message


def test_bundle_for_no_audience_needs_no_handover(tmp_path: Path) -> None:
    # An auditor's copy of the case as it stands, after a handover to the CPS.
    case = _handed_over()
    case.add(WORLD.alice)
    assert _bundle(tmp_path / "b", case, None).verified


# --- check_extends ----------------------------------------------------------------------


def _pair(tmp_path: Path) -> tuple[CaseBuilder, str]:
    """A case handed over once (its bundle's checkpoint), then grown by two records."""
    case = _handed_over()
    first = WORLD.checkpoint(case)
    case.add(WORLD.alice)
    WORLD.hand_over(case, "cps", recipient="CPS Direct")
    return case, first


def test_next_handover_extends_the_previous_checkpoint(tmp_path: Path) -> None:
    case, first = _pair(tmp_path)
    result = _bundle(tmp_path / "b", case, "cps")
    assert result.verified, result.errors
    old = check_extends(result, first, trust=WORLD.trust, at=AT)
    assert (old.size, result.records) == (5, 7)


def test_previous_checkpoint_over_no_record_is_an_inconsistent_history(tmp_path: Path) -> None:
    # FORMAT §9.6 B14 (--previous): a signed checkpoint of size 0 covers nothing to extend.
    case, _ = _pair(tmp_path)
    empty = WORLD.checkpoint(case, 0)
    result = _bundle(tmp_path / "b", case, "cps")
    with pytest.raises(InconsistentHistoryError, match="covers no record"):
        check_extends(result, empty, trust=WORLD.trust, at=AT)


def test_previous_checkpoint_with_unknown_cosignature_lines_is_accepted(tmp_path: Path) -> None:
    case, first = _pair(tmp_path)
    witness = sign_note(first.split("\n\n", 1)[0] + "\n", "witness.example", signer_from("w"))
    cosigned = first + witness.split("\n\n", 1)[1]
    assert cosigned.count("\u2014") == 2
    result = _bundle(tmp_path / "b", case, "cps")
    assert check_extends(result, cosigned, trust=WORLD.trust, at=AT).size == 5


def test_rewritten_history_presented_as_next_handover_is_refused(tmp_path: Path) -> None:
    case, first = _pair(tmp_path)
    # Same case id, same keys: record 2 is signed again with other words.
    rewritten = CaseBuilder(case.case_id)
    for i in range(4):
        rewritten.add(WORLD.alice if i % 2 == 0 else WORLD.bob, data={"text": f"edited {i}"})
    WORLD.hand_over(rewritten, "cps", recipient="CPS Direct")
    rewritten.add(WORLD.alice)
    WORLD.hand_over(rewritten, "cps", recipient="CPS Direct")
    result = _bundle(tmp_path / "b", rewritten, "cps")
    assert result.verified  # on its own it verifies: that is the attack
    with pytest.raises(InconsistentHistoryError, match="rewritten") as caught:
        check_extends(result, first, trust=WORLD.trust, at=AT)
    assert not isinstance(caught.value, RollbackError)
    # Both checkpoints are named: origin, size and root of each.
    message = str(caught.value)
    assert f"size 5 root {first.split(chr(10))[2]}" in message
    assert "size 7 root" in message
    assert message.count(f"casefile.test.police.uk/{case.case_id}") == 2


def test_rollback_to_a_shorter_bundle_is_refused(tmp_path: Path) -> None:
    case, _ = _pair(tmp_path)
    longer = WORLD.checkpoint(case)
    older = copy.deepcopy(case)
    del older.records[5:], older.sealed[5:]
    older.disclosures = [d for d in older.disclosures if d.seq <= 5]
    result = _bundle(tmp_path / "b", older, "cps")
    assert result.verified
    with pytest.raises(RollbackError, match="rollback"):
        check_extends(result, longer, trust=WORLD.trust, at=AT)


def test_previous_checkpoint_of_another_case_is_refused(tmp_path: Path) -> None:
    case, _ = _pair(tmp_path)
    other = WORLD.case(3, case_id=uuid.UUID(int=77), personal=False)
    result = _bundle(tmp_path / "b", case, "cps")
    with pytest.raises(InconsistentHistoryError, match="another log"):
        check_extends(result, WORLD.checkpoint(other), trust=WORLD.trust, at=AT)


def test_previous_checkpoint_signed_by_no_trusted_key_is_refused(tmp_path: Path) -> None:
    case, _ = _pair(tmp_path)
    result = _bundle(tmp_path / "b", case, "cps")
    forged = case.checkpoint(signer_from("stranger"), LOG, 5)
    with pytest.raises(CheckpointSignatureError):
        check_extends(result, forged, trust=WORLD.trust, at=AT)


def test_check_extends_refuses_a_bundle_that_did_not_verify(tmp_path: Path) -> None:
    case, first = _pair(tmp_path)
    result = _bundle(tmp_path / "b", case, "defence")  # B13 fails: the handover is for the CPS
    assert not result.verified
    with pytest.raises(ValueError, match="verified"):
        check_extends(result, first, trust=WORLD.trust, at=AT)


# --- B14 ------------------------------------------------------------------------------


def _doc(case: CaseBuilder) -> dict[str, Any]:
    data = case.earlier_handovers(WORLD.log, LOG)
    assert data is not None
    return cast("dict[str, Any]", json.loads(data))


def _again(doc: dict[str, Any]) -> bytes:
    return canonical_json(doc)


def test_earlier_handover_travels_with_its_checkpoint_and_proof(tmp_path: Path) -> None:
    case, first = _pair(tmp_path)
    (entry,) = _doc(case)["handovers"]
    assert (entry["seq"], entry["checkpoint"]) == (5, first)
    result = _bundle(tmp_path / "b", case, "cps")
    assert result.verified, result.errors


def test_earlier_handover_left_out_of_handovers_json_is_refused(tmp_path: Path) -> None:
    case, _ = _pair(tmp_path)
    result = _bundle(tmp_path / "b", case, "cps", handovers=None)
    assert _steps(result) == [("handover", "B14", None)]
    assert "handover records 5" in result.errors[0].message


def test_handovers_json_naming_no_earlier_handover_is_refused(tmp_path: Path) -> None:
    # An earlier handover to another recipient is not this recipient's to see linked.
    case = WORLD.case(4, personal=False)
    WORLD.hand_over(case, "cps", recipient="CPS Direct")
    mine = case.earlier_handovers(WORLD.log, LOG)
    case.add(WORLD.alice)
    WORLD.hand_over(case, "defence", recipient="Defence solicitors")
    assert case.earlier_handovers(WORLD.log, LOG) is None
    listed = _again(
        {
            "format": "casefile-handovers",
            "handovers": [{"checkpoint": WORLD.checkpoint(case, 5), "consistency": [], "seq": 5}],
            "version": 1,
        }
    )
    assert mine is None
    result = _bundle(tmp_path / "b", case, "defence", handovers=listed)
    assert _steps(result) == [("handover", "B14", None)]


def test_handovers_json_with_a_forged_proof_is_refused(tmp_path: Path) -> None:
    case, _ = _pair(tmp_path)
    doc = _doc(case)
    proof = doc["handovers"][0]["consistency"]
    raw = bytearray(base64.b64decode(proof[0]))
    raw[0] ^= 1
    proof[0] = base64.b64encode(bytes(raw)).decode()
    result = _bundle(tmp_path / "b", case, "cps", handovers=_again(doc))
    assert _steps(result) == [("handover", "B14", 5)]
    assert "consistency proof" in result.errors[0].message


def test_handovers_json_with_a_truncated_proof_is_refused(tmp_path: Path) -> None:
    case, _ = _pair(tmp_path)
    doc = _doc(case)
    doc["handovers"][0]["consistency"].pop()
    result = _bundle(tmp_path / "b", case, "cps", handovers=_again(doc))
    assert _steps(result) == [("handover", "B14", 5)]


def test_handovers_json_with_the_checkpoint_of_a_rewritten_prefix_is_refused(
    tmp_path: Path,
) -> None:
    case, _ = _pair(tmp_path)
    rewritten = CaseBuilder(case.case_id)
    for i in range(5):
        rewritten.add(WORLD.alice, data={"text": f"other {i}"})
    doc = _doc(case)
    doc["handovers"][0]["checkpoint"] = WORLD.checkpoint(rewritten)
    result = _bundle(tmp_path / "b", case, "cps", handovers=_again(doc))
    assert _steps(result) == [("handover", "B14", 5)]
    assert "not that of records 1-5" in result.errors[0].message


def test_handovers_json_with_a_proof_hash_that_is_not_ascii_is_refused(tmp_path: Path) -> None:
    # base64 of a str outside ASCII raises a bare ValueError, not binascii.Error: it must
    # still be a B14 failure, not an exception escaping verification.
    case, _ = _pair(tmp_path)
    doc = _doc(case)
    doc["handovers"][0]["consistency"][0] = "\u00e9" * 44
    result = _bundle(tmp_path / "b", case, "cps", handovers=_again(doc))
    assert _steps(result) == [("handover", "B14", None)]
    assert "not base64" in result.errors[0].message


def test_handovers_json_that_is_not_canonical_is_refused(tmp_path: Path) -> None:
    case, _ = _pair(tmp_path)
    spaced = json.dumps(_doc(case), indent=1).encode()
    result = _bundle(tmp_path / "b", case, "cps", handovers=spaced)
    assert _steps(result) == [("handover", "B14", None)]


# --- the property behind it ------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=70),
    data=st.data(),
)
def test_consistency_holds_for_an_extension_and_fails_for_any_change_in_the_old_part(
    n: int, data: st.DataObject
) -> None:
    leaves = [hashlib.sha256(b"record %d" % i).digest() for i in range(n)]
    m = data.draw(st.integers(min_value=1, max_value=n), label="old size")
    proof = consistency_proof(leaves, m)
    new_root = merkle_root(leaves)
    verify_consistency(m, n, merkle_root(leaves[:m]), new_root, proof)
    changed = data.draw(st.integers(min_value=0, max_value=m - 1), label="changed record")
    old = list(leaves[:m])
    old[changed] = hashlib.sha256(b"rewritten " + old[changed]).digest()
    with pytest.raises(ProofError):
        verify_consistency(m, n, merkle_root(old), new_root, proof)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    doc=st.one_of(
        _JSON,
        st.fixed_dictionaries(
            {
                "format": st.sampled_from(["casefile-handovers", "casefile-bundle"]),
                "version": st.integers(0, 2),
                "handovers": st.lists(
                    st.fixed_dictionaries(
                        {
                            "seq": st.integers(-1, 2**40),
                            "checkpoint": st.text(max_size=30),
                            "consistency": st.lists(
                                st.binary(min_size=31, max_size=33).map(
                                    lambda b: base64.b64encode(b).decode()
                                ),
                                max_size=3,
                            ),
                        }
                    ),
                    max_size=3,
                ),
            }
        ),
    ),
    junk=st.binary(max_size=40),
)
def test_handovers_json_of_any_shape_is_parsed_or_refused_with_a_handover_error(
    doc: Any, junk: bytes
) -> None:
    for data in (canonical_json(doc), junk):
        try:
            entries = parse_handovers(data)
        except HandoverError as exc:
            refused = exc.step
            assert refused == "B14"  # every input: parsed, or refused at its step
            continue
        # What parses is exactly a well-formed list, and writes back to the same bytes.
        again = {
            "format": "casefile-handovers",
            "handovers": [e.to_json() for e in entries],
            "version": 1,
        }
        assert canonical_json(again) == data


def test_plain_verification_keeps_no_record_hashes_and_check_extends_says_so(
    tmp_path: Path,
) -> None:
    # Memory stays flat unless a caller asks for what check_extends and prove_record need.
    case, first = _pair(tmp_path)
    _bundle(tmp_path / "b", case, "cps")
    plain = verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust)
    assert plain.verified
    assert plain.history is not None
    assert plain.history.hashes is None
    with pytest.raises(ValueError, match="keep_history=True"):
        check_extends(plain, first, trust=WORLD.trust, at=AT)
