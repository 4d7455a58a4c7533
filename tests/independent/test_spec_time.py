"""B16 judged alike by the library and by OpenSSL's ``ts`` following docs/FORMAT.md alone."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from _bundlecase import replace_and_resign
from _casebuilder import CaseBuilder, World
from _tsa import retime_token, stamp, stamp_with_accuracy, with_tsa
from casefile.bundle import verify_bundle, write_bundle
from casefile.signing import TrustStore, dump_trust_store, timestamp_query
from independent._spec_verifier import verify_dir

NOW = time.time_ns()
DAY = 86_400 * 10**9
AT = NOW + 3 * DAY


def _bundle(dest: Path, world: World, *, start: int, token: Callable[[str], bytes] | None) -> Path:
    case = CaseBuilder(uuid.uuid4(), time_ns=start)
    for _ in range(3):
        case.add(world.alice)
    note = world.checkpoint(case)
    write_bundle(
        dest,
        case_id=case.case_id,
        records=iter(case.records),
        disclosures=iter(case.disclosures),
        trust=world.trust,
        checkpoint_note=note,
        signer=world.log,
        timestamp=None if token is None else token(note),
    )
    return dest


def _agree(bundle: Path, trust: TrustStore) -> tuple[list[Any], set[str]]:
    doc = dump_trust_store(trust).encode()
    theirs = verify_dir(bundle, doc, AT)
    mine = verify_bundle(bundle, at=AT, trust=trust, report=True)
    failures = sorted((e.step, e.kind, e.seq) for e in mine.errors)
    assert sorted(theirs.failures, key=str) == sorted(failures, key=str)
    timestamp = {f.kind for f in mine.findings if f.kind.startswith("timestamp")}
    assert {k for k in theirs.findings if k.startswith("timestamp")} == timestamp
    return failures, timestamp


def test_a_token_from_a_trusted_tsa_passes_in_both(tmp_path: Path, local_tsa: Any) -> None:
    world = World()
    path = _bundle(tmp_path / "b", world, start=NOW - DAY, token=lambda n: stamp(local_tsa, n))
    assert _agree(path, with_tsa(world.trust, local_tsa)) == ([], set())
    assert _agree(path, world.trust) == ([], {"timestamp_not_checked"})


@pytest.mark.parametrize("case", ["other checkpoint", "untrusted tsa", "late record", "required"])
def test_a_refused_token_is_refused_by_both(
    case: str, tmp_path: Path, local_tsa: Any, other_tsa: Any
) -> None:
    world = World()
    start = NOW + DAY if case == "late record" else NOW - DAY
    tsa = other_tsa if case == "untrusted tsa" else local_tsa
    token = None if case == "required" else (lambda n: stamp(tsa, n))
    path = _bundle(tmp_path / "b", world, start=start, token=token)
    if case == "other checkpoint":
        other = _bundle(tmp_path / "o", world, start=NOW - DAY, token=lambda n: stamp(tsa, n))
        replace_and_resign(path, "checkpoint.tsr", (other / "checkpoint.tsr").read_bytes(), world)
    trust = with_tsa(world.trust, local_tsa, required=case == "required")
    failures, _ = _agree(path, trust)
    assert failures == [("B16", "trusted_time", 3 if case == "late record" else None)]


def test_an_accuracy_in_milliseconds_widens_the_bound_in_both(
    tmp_path: Path, local_tsa: Any
) -> None:
    # B16 step 4: T is genTime plus the accuracy's seconds, millis and micros. The TSA
    # stamps whole seconds with an accuracy of 900 ms and no seconds; the last record is
    # half a second after the second it is stamped in, within the accuracy, with no skew.
    folder = local_tsa.folder
    config = (folder / "openssl.cnf").read_text("utf-8")
    (folder / "millis.cnf").write_text(config.replace("secs:1", "millisecs:900"), "utf-8")
    world = World()
    second = time.time_ns() // 10**9 + 2
    case = CaseBuilder(uuid.uuid4(), time_ns=(second - 60) * 10**9)
    for offset in (-2, -1, 0):
        case.add(world.alice, time_ns=second * 10**9 + offset * 10**9 + 500_000_000)
    note = world.checkpoint(case)
    query = tmp_path / "query.tsq"
    query.write_bytes(timestamp_query(note).der)
    time.sleep(max(0.0, second + 0.05 - time.time()))
    subprocess.run(
        ["openssl", "ts", "-reply", "-config", "millis.cnf", "-queryfile", query,
         "-out", tmp_path / "reply.tsr"],
        cwd=folder, check=True, capture_output=True,
    )  # fmt: skip
    path = tmp_path / "b"
    write_bundle(
        path,
        case_id=case.case_id,
        records=iter(case.records),
        disclosures=iter(case.disclosures),
        trust=world.trust,
        checkpoint_note=note,
        signer=world.log,
        timestamp=(tmp_path / "reply.tsr").read_bytes(),
    )
    assert _agree(path, with_tsa(world.trust, local_tsa, skew=0)) == ([], set())


@pytest.mark.parametrize(
    "case", ["huge accuracy", "a day and half a second", "token from the future"]
)
def test_a_token_that_proves_no_bound_is_refused_by_both(
    case: str, tmp_path: Path, local_tsa: Any
) -> None:
    world = World()
    work = tmp_path / "work"
    work.mkdir()
    if case == "huge accuracy":
        token = lambda n: stamp_with_accuracy(local_tsa, n, work, "secs:1000000000")  # noqa: E731
        start = NOW + 2 * DAY
    elif case == "a day and half a second":  # the bound counts the millis too
        accuracy = "secs:86400,millisecs:500"
        token = lambda n: stamp_with_accuracy(local_tsa, n, work, accuracy)  # noqa: E731
        start = NOW - DAY
    else:
        year = time.gmtime(AT / 10**9).tm_year + 2
        token = lambda n: retime_token(stamp(local_tsa, n), local_tsa, work, year)  # noqa: E731
        start = NOW - DAY
    path = _bundle(tmp_path / "b", world, start=start, token=token)
    failures, _ = _agree(path, with_tsa(world.trust, local_tsa))
    assert failures == [("B16", "trusted_time", None)]
