"""How long printing a run's findings takes: text (digested, and --verbose), JSON and
GitHub annotations, for a check that reports tens of thousands of them.

The benchmark's files pass every rule, so this checks them against the default rules
plus K rules that every sheet breaks (`x > x`, each on its own indicator, half of them
warnings): files × K findings with real file names, cells and messages. The check
runs once, in this process; each output is then built and written to a file as the
command does (one string, one write), `--repeat` times, and the best time is printed.

    python benchmarks/bench.py --skip-openpyxl              # makes /tmp/fulian-bench once
    python benchmarks/findings_bench.py                     # 14,400 files x 6 rules: 86,400 findings
    python benchmarks/findings_bench.py --files 2000 --rules 40
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import fulian_stats.api as fs
from fulian_stats.catalog import load_catalog
from fulian_stats.output.machine import github_text, report_json
from fulian_stats.output.terminal import findings_text

RULES_HEAD = "id,severity,check,when,message\n"


def broken_rules(count: int, default: str) -> str:
    """The default rules and `count` rules every sheet breaks, one indicator each."""
    flows = [ind for ind in load_catalog() if ind.kind == "flow"][:count]
    extra = [f"always_{i},{'error' if i % 2 == 0 else 'warning'},{ind.id} > {ind.id},,"
             f"{ind.label}不应大于自身（基准测试用）" for i, ind in enumerate(flows)]
    return default.rstrip("\n") + "\n" + "\n".join(extra) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/fulian-bench"))
    parser.add_argument("--files", type=int, default=0, help="the first N files only (default: all)")
    parser.add_argument("--rules", type=int, default=6, help="rules every sheet breaks (default 6)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = sorted(str(p) for p in args.dir.rglob("*.xlsx"))
    if not files:
        parser.error(f"no .xlsx under {args.dir}: run benchmarks/bench.py first")
    files = files[:args.files] if args.files else files
    default = (Path(fs.__file__).parent / "data" / "rules.csv").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp, "rules.csv")
        rules.write_text(broken_rules(args.rules, default), encoding="utf-8")
        start = time.perf_counter()
        report = fs.check(files, rules=str(rules), folder=tmp)
        print(f"checked {len(files):,} files in {time.perf_counter() - start:.1f} s: {len(report.findings):,} findings "
              f"({report.errors:,} errors, {report.warnings:,} warnings)", flush=True)
        for f in (f for f in report.findings if f.code != "RULE"):  # the files themselves raise none
            print(f"  besides the rules: {f.code} {f.file}: {f.message} {f.values}", flush=True)
        outputs = {
            "text": lambda: findings_text(report.findings, len(report.files)),
            "text --verbose": lambda: findings_text(report.findings, len(report.files), verbose=True),
            "json": lambda: report_json(report),
            "github": lambda: github_text(report),
        }
        out = Path(tmp, "out.txt")
        print(f"{'output':16s} {'best s':>8s} {'lines':>9s} {'MB':>6s}   (built and written, best of {args.repeat})")
        for name, build in outputs.items():
            times = []
            for _ in range(args.repeat):
                begin = time.perf_counter()
                text = build()
                with open(out, "w", encoding="utf-8") as stream:
                    stream.write(text)
                times.append(time.perf_counter() - begin)
            print(f"{name:16s} {min(times):8.3f} {text.count(chr(10)):9,} {os.path.getsize(out) / 1e6:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
