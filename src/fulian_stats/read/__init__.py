"""Reading: files and folders in, one long table of observations out.

`read_paths` is the stage's one entry point. Each file is opened once; every problem
is a finding in the result, never an exception.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from fulian_stats.findings import Finding
from fulian_stats.read.files import collect_files
from fulian_stats.read.reader import FileResult, ReadContext, read_file

OBSERVATION_COLUMNS = ["org", "period", "indicator", "value", "sheet", "cell", "measure", "file"]

__all__ = ["OBSERVATION_COLUMNS", "ReadContext", "ReadResult", "read_file", "read_paths"]


@dataclass
class ReadResult:
    files: list[FileResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # about the run, not one file

    def all_findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings] + self.findings

    def observation_rows(self) -> list[tuple]:
        return [(*o, r.file) for r in self.files for o in r.observations]

    def frame(self):
        """All observations as a pandas DataFrame with OBSERVATION_COLUMNS."""
        import pandas as pd

        return pd.DataFrame(self.observation_rows(), columns=OBSERVATION_COLUMNS)


def display_name(path: Path) -> str:
    """The path as the user will recognise it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


PARALLEL_MIN_FILES = 64  # below this, starting worker processes costs more than it saves
_worker_ctx: ReadContext | None = None


def _init_worker(ctx: ReadContext) -> None:
    global _worker_ctx
    _worker_ctx = ctx


def _read_in_worker(job: tuple[Path, str]) -> FileResult:
    return read_file(job[0], _worker_ctx, job[1])


def _pool(ctx: ReadContext, jobs: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the loaded catalog and modules with the workers at no cost.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method),
                               initializer=_init_worker, initargs=(ctx,))


def read_paths(paths, ctx: ReadContext, exclude: set[Path] = frozenset(), progress=None,
               jobs: int | None = None) -> ReadResult:
    """Read every supported file under `paths`, each once, on every core when there are
    many. Results keep the order of the files. `progress(n_done, n_total)` is called as
    files finish."""
    listing = collect_files(list(paths), exclude)
    result = ReadResult()
    work = [(path, display_name(path)) for path in listing.files]
    total = len(work)
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and total >= PARALLEL_MIN_FILES:
        with _pool(ctx, jobs) as pool:
            chunk = max(1, min(64, total // (jobs * 8)))
            for done, file_result in enumerate(pool.map(_read_in_worker, work, chunksize=chunk), start=1):
                result.files.append(file_result)
                if progress is not None:
                    progress(done, total)
    else:
        for done, (path, display) in enumerate(work, start=1):
            result.files.append(read_file(path, ctx, display))
            if progress is not None:
                progress(done, total)
    if listing.skipped:
        examples = "、".join(display_name(p) for p in listing.skipped[:3])
        result.findings.append(Finding(
            "FILES_SKIPPED", f"跳过了{len(listing.skipped)}个不是报表格式的文件（如 {examples}）；"
            "只读取 .xlsx、.xlsm、.xls、.csv", values={"count": len(listing.skipped),
                                                    "files": [display_name(p) for p in listing.skipped[:20]]}))
    return result
