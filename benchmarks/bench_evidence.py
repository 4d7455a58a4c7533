"""Evidence ingest benchmark: FileSystemBlobStore.put_path against raw hashlib, same run.

Prints two things, so that the machine's speed cancels out:
- throughput: raw SHA-256 of a file (1 MiB readinto chunks, file in page cache) vs ingesting
  the same file into a fresh store (hash + durable copy), median of --repeat runs; the ratio
  raw_time / ingest_time should be >= 0.9;
- memory: tracemalloc peak and ru_maxrss growth of a fresh process ingesting 1 MiB vs a large
  file (the --size file, or 2 GiB with --full): flat memory means the two are about equal.

Every file it writes lives in one temporary directory that is removed on exit.

Usage: python benchmarks/bench_evidence.py [--size MIB] [--full] [--repeat N] [--dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from casefile.evidence import CHUNK_SIZE, FileSystemBlobStore  # noqa: E402

MiB = 1 << 20


def write_test_file(path: Path, size: int) -> None:
    block = bytearray(os.urandom(MiB))
    with path.open("wb") as f:
        for i in range(0, size, MiB):
            # A counter per block keeps every block distinct.
            block[:8] = i.to_bytes(8, "big")
            f.write(memoryview(block)[: min(MiB, size - i)])


def warm(path: Path) -> None:
    """Read the file so that it is in the page cache (the host may reclaim it between runs)."""
    buffer = bytearray(CHUNK_SIZE)
    with path.open("rb", buffering=0) as f:
        while f.readinto(buffer):
            pass


def raw_hash(path: Path) -> bytes:
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(buffer):
            digest.update(view[:n])
    return digest.digest()


def machine_busy() -> tuple[int, int] | None:
    """(busy, total) CPU ticks of the whole machine so far (Linux), to show outside load."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    return sum(fields) - fields[3] - fields[4], sum(fields)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads: the writer thread counts
    return usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], bytes]) -> tuple[float, float, bytes]:
    """Wall and CPU seconds of ``fn``, and its digest."""
    cpu = cpu_seconds()
    start = time.perf_counter()
    digest = fn()
    return time.perf_counter() - start, cpu_seconds() - cpu, digest


def timed_raw(path: Path) -> tuple[float, float, bytes]:
    warm(path)
    return timed(lambda: raw_hash(path))


def timed_ingest(path: Path, work: Path) -> tuple[float, float, bytes]:
    store_root = work / "store"
    store = FileSystemBlobStore(store_root)
    warm(path)
    try:
        return timed(lambda: store.put_path(path).sha256)
    finally:
        shutil.rmtree(store_root)  # the stored blob goes, so every run really writes


def throughput(path: Path, work: Path, repeat: int) -> None:
    size = path.stat().st_size
    timed_raw(path)  # warm-up runs: first touches of fresh memory are slow in VMs
    timed_ingest(path, work)
    runs: dict[str, list[tuple[float, float]]] = {"raw": [], "ingest": []}
    busy_before = machine_busy()
    cpu_before = cpu_seconds()
    for _ in range(repeat):
        # Interleaved, so that drift in machine load hits both alike.
        t_raw, c_raw, d_raw = timed_raw(path)
        t_ingest, c_ingest, d_ingest = timed_ingest(path, work)
        if d_raw != d_ingest:
            raise SystemExit("ingest and raw hashing disagree: the benchmark is broken")
        runs["raw"].append((t_raw, c_raw))
        runs["ingest"].append((t_ingest, c_ingest))
    busy_after = machine_busy()
    ours = cpu_seconds() - cpu_before
    wall = {k: statistics.median(t for t, _ in v) for k, v in runs.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in runs.items()}
    print(f"file: {size / MiB:.0f} MiB, median of {repeat} (wall / CPU of this process)")
    for key, name in (("raw", "raw hashlib (1 MiB readinto + sha256)"), ("ingest", "put_path")):
        print(
            f"  {name:<38} {wall[key]:.3f} s  {size / wall[key] / 1e9:.2f} GB/s"
            f"  cpu {cpu[key]:.3f} s"
        )
    print(f"  ratio raw_time / ingest_time: {wall['raw'] / wall['ingest']:.2f}  (target >= 0.9)")
    print(
        f"  CPU ratio raw / ingest: {cpu['raw'] / cpu['ingest']:.2f}"
        " (the copy's extra CPU runs on a second core; when none is free, wall follows CPU)"
    )
    for key, values in runs.items():
        print(f"  {key} runs: {[round(t, 3) for t, _ in values]}")
    if busy_before is not None and busy_after is not None:
        ticks = busy_after[0] - busy_before[0]
        total = busy_after[1] - busy_before[1]
        ours_ticks = ours * os.sysconf("SC_CLK_TCK")
        cores = os.cpu_count() or 1
        print(
            f"  CPU used outside this process during the runs: "
            f"{100 * max(0, ticks - ours_ticks) / total:.0f}% of {cores} CPUs"
            " (kernel writeback of the copies, plus any other load)"
        )


def memory_child(path: Path, store_root: Path) -> None:
    """Run in a fresh process: ingest ``path`` and print the memory it took, as JSON."""
    store = FileSystemBlobStore(store_root)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    info = store.put_path(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in KiB on Linux.
    print(json.dumps({"size": info.size, "peak": peak, "rss_delta": (after - before) * 1024}))


def memory(files: list[Path], work: Path) -> None:
    print("memory of one ingest in a fresh process:")
    for path in files:
        store_root = work / "memory-store"
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--memory-child", str(path), str(store_root)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        finally:
            shutil.rmtree(store_root, ignore_errors=True)
        result = json.loads(out)
        print(
            f"  {result['size'] / MiB:7.0f} MiB: tracemalloc peak {result['peak'] / MiB:.2f} MiB,"
            f" ru_maxrss delta {result['rss_delta'] / MiB:.2f} MiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, help="test file size in MiB (512)")
    parser.add_argument("--full", action="store_true", help="memory check with a 2 GiB file")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side (3)")
    parser.add_argument("--dir", type=Path, default=None, help="where to put temporary files")
    parser.add_argument("--memory-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return

    work = Path(tempfile.mkdtemp(prefix="casefile-bench-evidence-", dir=args.dir))
    try:
        big = work / "big.bin"
        write_test_file(big, args.size * MiB)
        throughput(big, work, args.repeat)
        small = work / "small.bin"
        write_test_file(small, MiB)
        large = big
        if args.full:
            big.unlink()
            large = work / "full.bin"
            write_test_file(large, 2048 * MiB)
        memory([small, large], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
