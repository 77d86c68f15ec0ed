"""Two installs of fulian-stats (a change and the code before it) on the benchmark's
files, in the same rounds: each round the parallel bare read (bench.py's (b)), then
check and aggregate of both installs in an order that turns each round. A machine
whose speed drifts, or that others share, then slows both alike, and each round's
ratios compare them; the medians are printed, wall and CPU time (all processes).

    python -m venv /tmp/before/.venv && /tmp/before/.venv/bin/pip install -e /tmp/before   # a worktree of main
    python benchmarks/compare.py /tmp/before/.venv/bin/fulian-stats .venv/bin/fulian-stats --rounds 5
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import YEAR, list_xlsx, run_command, time_calamine_parallel  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the fulian-stats executable of the code before")
    parser.add_argument("after", help="the fulian-stats executable of the change")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/fulian-bench"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="bare read processes (default: every core)")
    args = parser.parse_args()
    files = list_xlsx(args.dir)
    if not files:
        parser.error(f"no .xlsx under {args.dir}: run benchmarks/bench.py first")
    jobs = args.jobs or os.cpu_count() or 1
    commands = {}
    for who in ("before", "after"):
        exe = getattr(args, who)
        commands[f"check {who}"] = [exe, "check", str(args.dir), "--quiet", "--format", "json"]
        commands[f"aggregate {who}"] = [exe, "aggregate", str(args.dir), "--quiet", "--period", str(YEAR),
                                        "--format", "json"]
    keys = list(commands)
    wall = {key: [] for key in ["bare", *keys]}
    cpu = {key: [] for key in ["bare", *keys]}
    for r in range(args.rounds):
        start = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, _cells = time_calamine_parallel(files, jobs)
        end = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall["bare"].append(seconds)
        cpu["bare"].append(end.ru_utime - start.ru_utime + end.ru_stime - start.ru_stime)
        shown = [f"bare {seconds:.2f}"]
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:
            run = run_command(commands[key], args.dir.parent, sample=False)
            wall[key].append(run["seconds"])
            cpu[key].append(run["cpu_s"])
            shown.append(f"{key} {run['seconds']:.2f}" + ("" if run["exit_code"] == 0 else f" (exit {run['exit_code']})"))
            if run["exit_code"] != 0:  # the files raise no finding: show what a round found
                print(f"  {key} ended {run['exit_code']}: {run['stdout'][:1500].decode(errors='replace')}", flush=True)
        print(f"round {r + 1}: " + ", ".join(shown), flush=True)

    def median(over, key, base):
        return statistics.median(x / b for x, b in zip(over[key], over[base]))

    print(f"\n{len(files)} files, {args.rounds} rounds; medians of each round's ratio (wall; CPU of all processes)")
    for who in ("before", "after"):
        c, a = f"check {who}", f"aggregate {who}"
        print(f"  {who:6s}  check/bare {median(wall, c, 'bare'):.2f} ({median(cpu, c, 'bare'):.2f})  "
              f"aggregate/bare {median(wall, a, 'bare'):.2f} ({median(cpu, a, 'bare'):.2f})  "
              f"aggregate/check {median(wall, a, c):.3f} ({median(cpu, a, c):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
