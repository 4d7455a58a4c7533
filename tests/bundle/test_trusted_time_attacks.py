"""B16 attacks by a sender who controls, or a TSA that misstates, what a token claims."""

from __future__ import annotations

import datetime
import time
import uuid
from pathlib import Path
from typing import Any

from _casebuilder import CaseBuilder, World
from _tsa import retime_token, stamp, stamp_with_accuracy, with_tsa
from casefile.bundle import verify_bundle, write_bundle
from casefile.signing import TrustStore

NOW = time.time_ns()
DAY = 86_400 * 10**9


def _bundle(dest: Path, world: World, case: CaseBuilder, note: str, token: bytes) -> Path:
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


def _case(world: World, start: int) -> tuple[CaseBuilder, str]:
    case = CaseBuilder(uuid.uuid4(), time_ns=start)
    for _ in range(2):
        case.add(world.alice)
    return case, world.checkpoint(case)


def _b16(path: Path, trust: TrustStore, at: int) -> list[str]:
    result = verify_bundle(path, at=at, trust=trust, report=True)
    return [e.message for e in result.errors if e.step == "B16"]


def test_huge_token_accuracy_cannot_make_the_skew_check_vacuous(
    tmp_path: Path, local_tsa: Any
) -> None:
    world = World()
    # The records claim a time a year after the token; the token claims an accuracy of
    # about 31 years, which would excuse any record time.
    case, note = _case(world, NOW + 365 * DAY)
    work = tmp_path / "work"
    work.mkdir()
    token = stamp_with_accuracy(local_tsa, note, work, "secs:1000000000")
    path = _bundle(tmp_path / "b", world, case, note, token)
    [problem] = _b16(path, with_tsa(world.trust, local_tsa), NOW + 400 * DAY)
    assert "accuracy" in problem


def test_token_accuracy_within_a_day_is_still_accepted(tmp_path: Path, local_tsa: Any) -> None:
    world = World()
    case, note = _case(world, NOW - DAY)
    work = tmp_path / "work"
    work.mkdir()
    token = stamp_with_accuracy(local_tsa, note, work, "secs:60")
    path = _bundle(tmp_path / "b", world, case, note, token)
    assert _b16(path, with_tsa(world.trust, local_tsa), NOW + DAY) == []


def test_token_time_after_the_verification_time_is_refused(tmp_path: Path, local_tsa: Any) -> None:
    world = World()
    # A trusted TSA whose clock runs years ahead stamps records made years ahead: the
    # skew check alone lets them through, but no token can come from the future.
    year = datetime.datetime.now(datetime.UTC).year
    ahead = int(datetime.datetime(year + 3, 1, 1, tzinfo=datetime.UTC).timestamp() * 10**9)
    case, note = _case(world, ahead)
    work = tmp_path / "work"
    work.mkdir()
    token = retime_token(stamp(local_tsa, note), local_tsa, work, year + 3)
    path = _bundle(tmp_path / "b", world, case, note, token)
    [problem] = _b16(path, with_tsa(world.trust, local_tsa), NOW)
    assert "after the verification time" in problem
    # Verified at a time after the token's, the same bundle holds.
    assert _b16(path, with_tsa(world.trust, local_tsa), ahead + 365 * DAY) == []
