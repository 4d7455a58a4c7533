"""The record stream is read in chunks bounded by bytes as well as by count.

A record may be 16 MiB (docs/FORMAT.md V1); a chunk of 1024 such records held
before the first one is checked would be 16 GiB, so a hostile records.bin of
large elements could exhaust memory before any verdict.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.verifier import _pool
from casefile.verifier._pool import CHUNK_BYTES, CHUNK_SIZE, parse_stream


class _Counting:
    """Yields the same large (unparsable) record again and again, counting how many were taken."""

    def __init__(self, size: int, count: int) -> None:
        self.raw = b"\x00" * size
        self.count = count
        self.taken = 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.count):
            self.taken += 1
            yield self.raw


@pytest.mark.parametrize("workers", [1, 4])
def test_large_records_are_not_read_a_thousand_at_a_time(workers: int) -> None:
    source = _Counting(1 << 20, 3 * CHUNK_SIZE)
    results = parse_stream(source, {}, workers)
    _raw, first = next(results)
    assert len(first) == 3  # malformed: (problem, step, record hash)
    held = source.taken * len(source.raw)
    assert held <= CHUNK_BYTES + len(source.raw)
    results.close()


def test_large_records_in_worker_processes_are_held_a_bounded_number_of_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_pool, "PARALLEL_AFTER_CHUNKS", 0)
    workers = 2
    source = _Counting(1 << 20, 200)
    results = parse_stream(source, {}, workers)
    next(results)
    # The first chunk and at most 2 * workers chunks in flight, each bounded by bytes.
    chunk_records = CHUNK_BYTES // len(source.raw)
    assert source.taken <= (2 * workers + 1) * chunk_records
    assert sum(1 for _ in results) == 199


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2 * 1024 * 1024), max_size=24))
def test_every_record_comes_back_once_in_order_whatever_the_sizes(sizes: list[int]) -> None:
    records = [bytes([i % 251]) * size for i, size in enumerate(sizes)]
    out = [raw for raw, _result in parse_stream(iter(records), {}, 1)]
    assert [id(r) for r in out] == [id(r) for r in records]


# --- the pool ends early: nothing is lost, nothing escapes --------------------


def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pool, "CHUNK_SIZE", 64)
    monkeypatch.setattr(_pool, "PARALLEL_AFTER_CHUNKS", 1)


def _forking(monkeypatch: pytest.MonkeyPatch) -> None:
    # The forked pool is used only when no other thread runs; earlier tests
    # may have left one, so these tests of that pool choose it explicitly.
    import multiprocessing

    monkeypatch.setattr(_pool, "_fork_context", lambda: multiprocessing.get_context("fork"))


def _case(n: int) -> tuple[list[bytes], dict[bytes, bytes]]:
    from _casebuilder import World

    world = World()
    builder = world.case(n, personal=False)
    keys = {e.key_id: e.public_key.raw for e in world.trust.entries}
    return builder.records, keys


def test_pool_that_cannot_start_falls_back_to_verifying_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _small_chunks(monkeypatch)

    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("processes are not allowed here")

    _forking(monkeypatch)
    monkeypatch.setattr(_pool, "ProcessPoolExecutor", no_processes)
    records, keys = _case(400)
    results = list(parse_stream(records, keys, 2))
    assert [raw for raw, _ in results] == records
    assert all(item[-1] is True for _, item in results)


def test_worker_dying_midway_loses_no_record_and_raises_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A pool whose third chunk finds the pool broken, as when a worker is
    # killed or the caller's __main__ cannot be re-imported in a worker.
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    _small_chunks(monkeypatch)
    submitted: list[int] = []

    class DyingPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def submit(self, fn: object, chunk: list[bytes], with_data: bool) -> Future[object]:
            submitted.append(len(chunk))
            future: Future[object] = Future()
            if len(submitted) >= 3:
                future.set_exception(BrokenProcessPool("a worker died"))
            else:
                future.set_result(_pool.parse_chunk(chunk, keys, with_data))
            return future

        def shutdown(self, wait: bool, cancel_futures: bool) -> None:
            pass

    _forking(monkeypatch)
    monkeypatch.setattr(_pool, "ProcessPoolExecutor", DyingPool)
    records, keys = _case(600)
    results = list(parse_stream(records, keys, 2))
    assert len(submitted) >= 3
    assert [raw for raw, _ in results] == records
    assert all(item[-1] is True for _, item in results)


def test_script_without_a_main_guard_still_verifies_on_every_core(tmp_path: object) -> None:
    # Worker processes re-import the caller's __main__; a script that does its
    # work at module level must still get its verdict, not a broken pool.
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    script = Path(str(tmp_path)) / "unguarded.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(tests)!r})\n"
        "from _casebuilder import AT, World\n"
        "from casefile.verifier import _pool, verify_case\n"
        "_pool.CHUNK_SIZE = 64\n"
        "_pool.PARALLEL_AFTER_CHUNKS = 1\n"
        "world = World()\n"
        "case = world.case(300, personal=False)\n"
        "result = verify_case(case.records, trust=world.trust, at=AT, workers=2)\n"
        "print('verified', result.size)\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("verified 300") == 1


def test_script_without_a_main_guard_run_from_a_threaded_caller_runs_once(
    tmp_path: object,
) -> None:
    # A multi-threaded caller must not fork, and multiprocessing's other start
    # methods re-run the caller's __main__ in each worker: a script without a
    # guard would do its work again (here: append to the marker file) per worker.
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    folder = Path(str(tmp_path))
    marker = folder / "runs.txt"
    script = folder / "unguarded_threads.py"
    script.write_text(
        "import sys, threading\n"
        f"sys.path.insert(0, {str(tests)!r})\n"
        f"with open({str(marker)!r}, 'a') as f:\n"
        "    f.write('ran\\n')\n"
        "from _casebuilder import AT, World\n"
        "from casefile.verifier import _pool, _worker, verify_case\n"
        "_pool.CHUNK_SIZE = 64\n"
        "_pool.PARALLEL_AFTER_CHUNKS = 1\n"
        "started = []\n"
        "real_start = _worker._start\n"
        "def counting_start(workers, keys, payloads):\n"
        "    procs = real_start(workers, keys, payloads)\n"
        "    started.extend(procs)\n"
        "    return procs\n"
        "_worker._start = counting_start\n"
        "stop = threading.Event()\n"
        "threading.Thread(target=stop.wait, daemon=True).start()\n"
        "world = World()\n"
        "case = world.case(300, personal=False)\n"
        "result = verify_case(case.records, trust=world.trust, at=AT, workers=2)\n"
        "stop.set()\n"
        "print('verified', result.size, 'workers', len(started))\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("verified 300 workers 2") == 1, done.stdout
    assert marker.read_text(encoding="utf-8") == "ran\n"


def test_worker_interpreter_killed_midway_loses_no_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from casefile.verifier import _worker

    _small_chunks(monkeypatch)
    monkeypatch.setattr(_pool, "_fork_context", lambda: None)
    real_receive = _worker._receive
    received: list[int] = []

    def receive_then_kill(stream: object) -> object:
        received.append(1)
        if len(received) == 3:
            for proc in started:
                proc.kill()
        return real_receive(stream)  # type: ignore[arg-type]

    started: list[object] = []
    real_start = _worker._start

    def start(workers: int, keys: object, payloads: object) -> list[object]:
        procs = real_start(workers, keys, payloads)  # type: ignore[arg-type]
        started.extend(procs)
        return procs  # type: ignore[return-value]

    monkeypatch.setattr(_worker, "_start", start)
    monkeypatch.setattr(_worker, "_receive", receive_then_kill)
    records, keys = _case(600)
    results = list(parse_stream(records, keys, 2))
    assert len(started) == 2
    assert len(received) >= 3
    assert [raw for raw, _ in results] == records
    assert all(item[-1] is True for _, item in results)


def test_worker_interpreters_give_what_in_process_parsing_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _small_chunks(monkeypatch)
    monkeypatch.setattr(_pool, "_fork_context", lambda: None)
    records, keys = _case(300)
    records[150] = b"\xc1 malformed"
    assert list(parse_stream(records, keys, 2)) == list(parse_stream(records, keys, 1))


def test_a_huge_worker_count_is_held_to_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each worker holds up to two chunks: a count far above the cores would only
    # multiply processes and memory, never speed.
    from _casebuilder import AT, World
    from casefile import verifier

    asked: list[int] = []
    real = verifier.CaseVerification.run

    def run(self: object, *args: object, workers: int, **kw: object) -> object:
        asked.append(workers)
        return real(self, *args, workers=workers, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(verifier.CaseVerification, "run", run)
    world = World()
    verifier.verify_case(world.case(3).records, trust=world.trust, at=AT, workers=100_000)
    assert asked == [_pool.available_cores()]
