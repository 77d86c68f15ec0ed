"""Instructions per file of each stage of reading and checking, counted by valgrind.

Wall-clock times on a shared machine swing by a fifth from one run to the next;
instruction counts do not. This runs the per-file path on the first N files of the
benchmark folder once per stage, under `valgrind --tool=callgrind`, and prints the
instructions each stage adds per file, beside a bare python-calamine read of the same
files:

    python benchmarks/bench.py --files 1200 --skip-openpyxl   # makes the files once
    python benchmarks/stages.py --files 100                     # about two minutes
    python benchmarks/stages.py --time --files 2000 --repeat 3  # CPU time instead
    python benchmarks/stages.py --profile --files 1500 --repeat 4   # where the time goes

Stages: `bare` (calamine alone, as bench.py's (b)) and `scan` (reading the bytes and
the guard's checks, alone); then each of `load` (scan + calamine + cleaning the
cells), `read` (+ layout, names, org and period: a FileResult), `check` (+ the per-file
checks) and `pickle` (+ the results sent to the main process and back, MAX_CHUNK files
at a time as the pool sends them) includes the one before. The main process's checks
across files are not per file and not counted here.

Instructions understate Python against calamine: its Rust does more per cycle than the
interpreter does. `--time` gives CPU time per file of each stage instead, in this one
process: in each of `--repeat` rounds the stages take turns file by file, so that the
machine's drift slows them alike; it prints the best round's times and the median of
the rounds' ratios to the bare read. Read those ratios beside the counts.

`--profile` samples where the time of the whole per-file path goes (read and check),
`--repeat` times over the files: a timer signal every 0.3 ms of CPU (or the kernel's
tick, often 4 ms: repeat more for more samples) notes the Python line running, so
calamine's calls show as the lines that make them. cProfile is no use here: it adds
more per call than most of these functions cost.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

STAGES = ("bare", "scan", "load", "read", "check", "pickle")


class Stages:
    """Runs one stage on one file; what every stage needs is loaded once."""

    def __init__(self) -> None:
        import pickle

        import python_calamine

        from fulian_stats.catalog import load_catalog, load_rules
        from fulian_stats.checks import check_file
        from fulian_stats.read.pool import MAX_CHUNK
        from fulian_stats.read.grid import load_sheets
        from fulian_stats.read.guard import read_bytes, vet_workbook
        from fulian_stats.read.reader import ReadContext, read_file

        self.calamine, self.pickle, self.max_chunk = python_calamine, pickle, MAX_CHUNK
        self.check_file, self.read_bytes, self.load_sheets = check_file, read_bytes, load_sheets
        self.read_file, self.vet_workbook = read_file, vet_workbook
        self.catalog = load_catalog()
        self.rules = load_rules(self.catalog)
        self.ctx = ReadContext(self.catalog)
        self.chunk = []  # results crossing to the main process as a pool sends them: MAX_CHUNK files at a time

    def run(self, stage: str, path: str) -> None:
        if stage == "bare":
            workbook = self.calamine.CalamineWorkbook.from_path(path)  # as bench.py's (b)
            for name in workbook.sheet_names:
                workbook.get_sheet_by_name(name).to_python()
        elif stage == "scan":
            self.vet_workbook(self.read_bytes(path))
        elif stage == "load":
            self.load_sheets(path)
        else:
            result = self.read_file(path, self.ctx, path)
            if stage != "read":
                self.check_file(result, self.catalog, self.rules)
            if stage == "pickle":
                self.chunk.append(result)
                if len(self.chunk) == self.max_chunk:
                    self.flush()

    def flush(self) -> None:
        if self.chunk:
            self.pickle.loads(self.pickle.dumps(self.chunk))
            self.chunk = []


def run_stage(stage: str, files: list[str]) -> None:
    stages = Stages()
    for path in files:
        stages.run(stage, path)
    stages.flush()


def count(stage: str, n: int, folder: Path) -> int:
    """Instructions of this script running `stage` on the first n files."""
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
         "--run", stage, "--files", str(n), "--dir", str(folder)],
        capture_output=True, text=True, check=True)
    found = re.search(r"refs:\s+([\d,]+)", out.stderr)
    if found is None:
        sys.exit(f"valgrind gave no count:\n{out.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def cpu_times(files: list[str], repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """CPU seconds per file of each stage: the best round's, and the median over the
    rounds of each stage's time over the bare read's in that round. Within a round the
    stages take turns file by file, each file starting with the next stage, so that a
    machine whose speed drifts (a fifth within a minute here) slows every stage alike."""
    import statistics

    stages = Stages()
    for path in files[:10]:
        stages.run("check", path)  # imports and the template's plan, not timed
    clock = time.process_time
    rounds = []
    for _ in range(repeat):
        spent = dict.fromkeys(STAGES, 0.0)
        for i, path in enumerate(files):
            for k in range(len(STAGES)):
                stage = STAGES[(i + k) % len(STAGES)]
                start = clock()
                stages.run(stage, path)
                spent[stage] += clock() - start
        stages.flush()
        rounds.append({stage: seconds / len(files) for stage, seconds in spent.items()})
    best = {stage: min(r[stage] for r in rounds) for stage in STAGES}
    ratios = {stage: statistics.median(r[stage] / r["bare"] for r in rounds) for stage in STAGES}
    return best, ratios


def profile(files: list[str], repeat: int, top: int = 25) -> None:
    """Share of samples per function (inclusive) and per line (where the time is spent)."""
    import collections
    import signal

    from fulian_stats.catalog import load_catalog, load_rules
    from fulian_stats.checks import check_file
    from fulian_stats.read.reader import ReadContext, read_file

    catalog = load_catalog()
    rules = load_rules(catalog)
    ctx = ReadContext(catalog)
    functions, lines, total = collections.Counter(), collections.Counter(), 0

    def sample(_signum, frame) -> None:
        nonlocal total
        total += 1
        lines[f"{_where(frame)}:{frame.f_lineno}"] += 1
        for name in {_where(f) for f in _stack(frame) if f.f_code.co_filename != __file__}:
            functions[name] += 1

    def run() -> None:
        for path in files:
            check_file(read_file(path, ctx, path), catalog, rules)

    run()  # imports, the catalog, the template's plan: not sampled
    signal.signal(signal.SIGPROF, sample)
    signal.setitimer(signal.ITIMER_PROF, 0.0003, 0.0003)
    try:
        for _ in range(repeat):
            run()
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
    print(f"{total} samples; functions (time inside, callees included):")
    for name, n in functions.most_common(top):
        print(f"  {n / total:6.1%}  {name}")
    print("lines (time on the line itself, calls into C included):")
    for name, n in lines.most_common(top):
        print(f"  {n / total:6.1%}  {name}")


def _stack(frame):
    while frame is not None:
        yield frame
        frame = frame.f_back


def _where(frame) -> str:
    code = frame.f_code
    return f"{code.co_filename.rsplit('site-packages/', 1)[-1].rsplit('src/', 1)[-1]}:{code.co_name}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/fulian-bench"))
    parser.add_argument("--time", action="store_true", help="CPU time per stage instead of instructions")
    parser.add_argument("--profile", action="store_true", help="sample where the per-file time goes")
    parser.add_argument("--repeat", type=int, default=5, help="rounds for --time (the best is kept)")
    parser.add_argument("--run", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    files = sorted(str(p) for p in args.dir.rglob("*.xlsx"))[:args.files]
    if args.run:
        run_stage(args.run, files)
        return 0
    if len(files) < args.files:
        sys.exit(f"{args.dir} has {len(files)} files; make them with benchmarks/bench.py first")
    if args.profile:
        profile(files, args.repeat)
        return 0
    if args.time:
        best, ratios = cpu_times(files, args.repeat)
        print(f"{'stage':8s} {'CPU us/file':>12s}  {'× bare':>7s}   (best round; × bare: median of the rounds)")
        for stage, seconds in best.items():
            print(f"{stage:8s} {seconds * 1e6:12.0f}  {ratios[stage]:7.2f}")
        return 0
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    os.environ.setdefault("PYTHONHASHSEED", "0")  # the same run twice gives the same count
    base = count("read", 0, args.dir)  # start-up and imports, no file
    bare = None
    print(f"{'stage':8s} {'instructions/file':>18s}  {'× bare':>7s}")
    for stage in STAGES:
        per_file = (count(stage, args.files, args.dir) - base) / args.files
        bare = bare or per_file
        print(f"{stage:8s} {per_file:18,.0f}  {per_file / bare:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
