"""The reading pool (fulian_stats.read.pool.map_files) against a plain fork
ProcessPoolExecutor, the one bench.py's parallel bare read uses, on the same files
and the same work: a bare python-calamine read of every cell.

Rounds are interleaved (pool, executor, executor, pool, ...) so that the machine's drift
over minutes moves both alike; each round's ratio is pool / executor, and the median of
the ratios is the figure to quote.

    python benchmarks/bench.py --files 2400 --skip-openpyxl   # makes /tmp/fulian-bench once
    python benchmarks/pool_bench.py --rounds 8
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import calamine_read, list_xlsx  # noqa: E402

from fulian_stats.read.limits import Limits  # noqa: E402
from fulian_stats.read.pool import MAX_CHUNK, map_files  # noqa: E402


def with_executor(files: list[str], workers: int) -> tuple[float, int]:
    chunk = max(1, min(MAX_CHUNK, len(files) // (workers * 8)))  # as bench.py and the tool choose it
    start = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as executor:
        cells = sum(executor.map(calamine_read, files, chunksize=chunk))
    return time.perf_counter() - start, cells


def with_pool(files: list[str], workers: int) -> tuple[float, int]:
    start = time.perf_counter()
    cells = sum(map_files(calamine_read, files, jobs=workers, limits=Limits(), failed=lambda *failure: 0))
    return time.perf_counter() - start, cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/fulian-bench"))
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    files = [str(p) for p in list_xlsx(args.dir)]
    if not files:
        parser.error(f"no .xlsx under {args.dir}: run benchmarks/bench.py --files 2400 --skip-openpyxl first")
    sum(calamine_read(p) for p in files)  # page cache and imports warm for both
    runs = {"pool": [], "executor": []}
    for round_ in range(args.rounds):
        order = ("pool", "executor") if round_ % 2 == 0 else ("executor", "pool")
        for name in order:
            seconds, cells = (with_pool if name == "pool" else with_executor)(files, args.jobs)
            runs[name].append(seconds)
            print(f"round {round_ + 1}: {name:8} {seconds:6.3f} s  {cells:,} cells", flush=True)
    ratios = [p / e for p, e in zip(runs["pool"], runs["executor"])]
    print(f"\n{len(files)} files, {args.jobs} workers, {args.rounds} interleaved rounds")
    for name, times in runs.items():
        print(f"  {name:8} median {statistics.median(times):.3f} s  best {min(times):.3f} s  "
              f"all {' '.join(f'{t:.3f}' for t in times)}")
    print(f"  pool / executor, each round: {' '.join(f'{r:.3f}' for r in ratios)}")
    print(f"  median ratio {statistics.median(ratios):.3f}  (below 1: the pool is faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
