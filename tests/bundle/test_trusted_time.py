"""B16 Trusted time: an RFC 3161 token over the checkpoint, from a TSA the auditor trusts."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from _bundlecase import replace_and_resign
from _casebuilder import CaseBuilder, World
from _tsa import resign_token, stamp, with_tsa
from casefile.bundle import verify_bundle, write_bundle
from casefile.bundle._layout import check_member_name
from casefile.errors import TrustedTimeError
from casefile.signing import TrustStore

NOW = time.time_ns()
DAY = 86_400 * 10**9


def _case(world: World, *, start: int, n: int = 3) -> tuple[CaseBuilder, str]:
    case = CaseBuilder(uuid.uuid4(), time_ns=start)
    for _ in range(n):
        case.add(world.alice)
    return case, world.checkpoint(case)


def _write(dest: Path, world: World, case: CaseBuilder, note: str, token: bytes | None) -> Path:
    write_bundle(
        dest,
        case_id=case.case_id,
        records=iter(case.records),
        disclosures=iter(case.disclosures),
        trust=world.trust,
        checkpoint_note=note,
        signer=world.log,
        timestamp=token,
    )
    return dest


@pytest.fixture
def stamped(tmp_path: Path, local_tsa: Any) -> tuple[Path, World, str]:
    world = World()
    case, note = _case(world, start=NOW - DAY)
    return _write(tmp_path / "b", world, case, note, stamp(local_tsa, note)), world, note


def _verify(path: Path, trust: TrustStore, at: int = NOW + DAY) -> Any:
    return verify_bundle(path, at=at, trust=trust, report=True)


def _b16(result: Any) -> list[Any]:
    return [e for e in result.errors if e.step == "B16"]


def test_token_from_a_trusted_tsa_proves_the_checkpoint_time(
    stamped: tuple[Path, World, str], local_tsa: Any
) -> None:
    path, world, _ = stamped
    result = _verify(path, with_tsa(world.trust, local_tsa))
    assert result.verified, result.errors
    proven = result.trusted_time
    assert proven is not None
    # openssl stamps whole seconds: the time lies within a few seconds of the request.
    assert NOW - 10 * 10**9 <= proven.time <= time.time_ns() + 10**9
    assert "CN=Test TSA" in proven.tsa
    shown = result.to_json()["trusted_time"]
    assert shown["tsa"] == proven.tsa
    assert shown["time"].endswith("Z")


def test_token_over_another_checkpoint_is_refused(
    stamped: tuple[Path, World, str], local_tsa: Any
) -> None:
    path, world, _ = stamped
    _, other_note = _case(world, start=NOW - DAY, n=4)
    # The sender re-signs the manifest over a token for another checkpoint (B4 passes).
    replace_and_resign(path, "checkpoint.tsr", stamp(local_tsa, other_note), world)
    result = _verify(path, with_tsa(world.trust, local_tsa))
    assert not result.verified
    [error] = _b16(result)
    assert isinstance(error, TrustedTimeError)
    assert "stamps another checkpoint" in error.message
    assert result.trusted_time is None


def test_token_from_untrusted_tsa_is_refused(
    tmp_path: Path, local_tsa: Any, other_tsa: Any
) -> None:
    world = World()
    case, note = _case(world, start=NOW - DAY)
    path = _write(tmp_path / "b", world, case, note, stamp(other_tsa, note))
    result = _verify(path, with_tsa(world.trust, local_tsa))
    [error] = _b16(result)
    assert "not signed by a time-stamping authority the trust store names" in error.message
    assert not result.verified
    # The same token verifies for an auditor who does trust that TSA.
    assert _verify(path, with_tsa(world.trust, other_tsa)).verified


def test_token_whose_tsa_certificate_lacks_timestamping_usage_is_refused(
    tmp_path: Path, local_tsa: Any, other_tsa: Any
) -> None:
    world = World()
    case, note = _case(world, start=NOW - DAY)
    # Signed by a certificate under the trusted CA that may not stamp time: the
    # CA's own (no timeStamping extended key usage).
    work = tmp_path / "forge"
    work.mkdir()
    signer = tmp_path / "ca-as-signer"
    signer.mkdir()
    (signer / "tsa.crt").write_bytes((local_tsa.folder / "ca.crt").read_bytes())
    (signer / "tsa.key").write_bytes((local_tsa.folder / "ca.key").read_bytes())
    forged = resign_token(stamp(local_tsa, note), signer, work)
    path = _write(tmp_path / "b", world, case, note, forged)
    result = _verify(path, with_tsa(world.trust, local_tsa))
    [error] = _b16(result)
    assert "not signed by a time-stamping authority" in error.message
    assert not result.verified


def test_record_time_after_token_plus_skew_is_refused(tmp_path: Path, local_tsa: Any) -> None:
    world = World()
    # The device claims its records were made tomorrow; the TSA says the checkpoint
    # over them existed today.
    case, note = _case(world, start=NOW + DAY)
    path = _write(tmp_path / "b", world, case, note, stamp(local_tsa, note))
    result = _verify(path, with_tsa(world.trust, local_tsa, skew=300), at=NOW + 3 * DAY)
    [error] = _b16(result)
    assert error.seq == 3  # the latest record is named
    assert "later than the timestamp of its checkpoint" in error.message
    assert result.trusted_time is not None  # the token itself is sound
    assert not result.verified


def test_record_time_within_skew_is_accepted(tmp_path: Path, local_tsa: Any) -> None:
    world = World()
    # Two minutes ahead of the TSA, with five minutes of skew allowed.
    case, note = _case(world, start=time.time_ns() + 60 * 10**9, n=1)
    path = _write(tmp_path / "b", world, case, note, stamp(local_tsa, note))
    assert _verify(path, with_tsa(world.trust, local_tsa, skew=300)).verified
    # With no skew allowed, the same bundle is refused.
    assert _b16(_verify(path, with_tsa(world.trust, local_tsa, skew=0)))


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[: len(t) // 2],
        lambda t: b"",
        lambda t: b"\x30\x05\x30\x03\x02\x01\x02",
        lambda t: b"x" * 64,
    ],
    ids=["truncated", "empty", "rejection-status", "garbage"],
)
def test_truncated_or_garbage_token_is_refused(
    stamped: tuple[Path, World, str], local_tsa: Any, damage: Any
) -> None:
    path, world, _ = stamped
    replace_and_resign(
        path, "checkpoint.tsr", damage((path / "checkpoint.tsr").read_bytes()), world
    )
    result = _verify(path, with_tsa(world.trust, local_tsa))
    [error] = _b16(result)
    assert error.message.startswith("checkpoint.tsr: ")
    assert not result.verified


def test_changed_token_fails_the_manifest_not_only_b16(
    stamped: tuple[Path, World, str], local_tsa: Any
) -> None:
    path, world, _ = stamped
    data = bytearray((path / "checkpoint.tsr").read_bytes())
    data[-1] ^= 1
    (path / "checkpoint.tsr").write_bytes(bytes(data))
    result = _verify(path, with_tsa(world.trust, local_tsa))
    steps = {e.step for e in result.errors}
    assert "B4" in steps
    assert "B16" not in steps  # a changed file is not read again


def test_missing_token_is_refused_when_the_trust_store_requires_one(
    tmp_path: Path, local_tsa: Any
) -> None:
    world = World()
    case, note = _case(world, start=NOW - DAY)
    path = _write(tmp_path / "b", world, case, note, None)
    assert _verify(path, with_tsa(world.trust, local_tsa)).verified
    result = _verify(path, with_tsa(world.trust, local_tsa, required=True))
    [error] = _b16(result)
    assert "requires a timestamp" in error.message


def test_token_unchecked_without_anchors_is_a_finding(
    stamped: tuple[Path, World, str],
) -> None:
    path, world, _ = stamped
    result = _verify(path, world.trust)
    assert result.verified
    assert result.trusted_time is None
    assert [f.kind for f in result.findings if f.kind.startswith("timestamp")] == [
        "timestamp_not_checked"
    ]


def test_removed_token_is_refused_by_the_manifest(
    stamped: tuple[Path, World, str], local_tsa: Any
) -> None:
    path, world, _ = stamped
    (path / "checkpoint.tsr").unlink()
    result = _verify(path, with_tsa(world.trust, local_tsa))
    assert any(e.step == "B4" and "checkpoint.tsr" in e.message for e in result.errors)


def test_writer_refuses_a_token_over_another_checkpoint(tmp_path: Path, local_tsa: Any) -> None:
    world = World()
    case, note = _case(world, start=NOW - DAY)
    _, other = _case(world, start=NOW - DAY, n=2)
    with pytest.raises(TrustedTimeError, match="another checkpoint"):
        _write(tmp_path / "b", world, case, note, stamp(local_tsa, other))
    assert not (tmp_path / "b").exists()


def test_timestamp_is_a_file_of_the_layout() -> None:
    assert check_member_name("checkpoint.tsr") == "checkpoint.tsr"


def test_report_json_has_trusted_time_null_without_token(tmp_path: Path) -> None:
    world = World()
    case, note = _case(world, start=NOW - DAY)
    path = _write(tmp_path / "b", world, case, note, None)
    shown = _verify(path, world.trust).to_json()
    assert shown["trusted_time"] is None
    json.dumps(shown)
