"""Reading: files and folders in, one long table of observations out.

`read_paths` is the stage's one entry point. Each file is opened once; every problem
is a finding in the result, never an exception.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from pathlib import Path

from fulian_stats.findings import Finding
from fulian_stats.observations import Block, indicator_codes, values_of
from fulian_stats.read.files import stream_files
from fulian_stats.read.inspection import SheetInspection
from fulian_stats.read.reader import FileResult, ReadContext, read_file

OBSERVATION_COLUMNS = ["org", "period", "indicator", "value", "sheet", "cell", "measure", "file"]

__all__ = ["OBSERVATION_COLUMNS", "FileResult", "ReadContext", "ReadResult", "inspect_paths", "paused_gc", "read_file",
           "read_paths"]


@contextmanager
def paused_gc():
    """No cyclic garbage collection while a run's results are built and checked (also
    a decorator). They are a few hundred thousand objects without cycles, which every
    full collection walked: 0.2-0.4 s of a province's run, half of it after the last
    file was read. Nested uses leave it to the outermost."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class ReadResult:
    files: list[FileResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # about the run, not one file

    def all_findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings] + self.findings

    def blocks(self, measures: tuple[str, ...] | None = None, skip_files: set[str] = frozenset()) -> list[Block]:
        """Every block read, in reading order (of the given measures, outside `skip_files`)."""
        return [b for r in self.files if r.file not in skip_files for b in r.blocks
                if measures is None or b.measure in measures]

    def observation_rows(self) -> list[tuple]:
        return [(*o, block.file) for block in self.blocks() for o in block.rows()]

    def frame(self, measures: tuple[str, ...] | None = None, skip_files: set[str] = frozenset()):
        """The observations (of the given measures, outside `skip_files`) as a pandas
        DataFrame with OBSERVATION_COLUMNS; all but value and cell as categories (few
        distinct values, repeated a million times: grouping, filtering and mapping then
        work on the distinct values only). Built a column at a time from the blocks."""
        return frame_of_blocks(self.blocks(measures, skip_files))


def frame_of_blocks(blocks: list[Block]):
    import numpy as np
    import pandas as pd

    lengths = np.fromiter((len(b.values) for b in blocks), dtype=np.int64, count=len(blocks))
    total = int(lengths.sum())

    def per_block(values: list):
        names = sorted({v for v in values if v is not None})
        code = {name: i for i, name in enumerate(names)}
        codes = np.fromiter((code.get(v, -1) for v in values), dtype=np.int32, count=len(values))
        return pd.Categorical.from_codes(np.repeat(codes, lengths), categories=names)

    # Blocks of one template share their tuple of indicators: look at each tuple once.
    distinct = {id(b.indicators): b.indicators for b in blocks}
    indicator_names = sorted(set().union(*distinct.values()))
    columns = {
        "org": per_block([b.org for b in blocks]),
        "period": per_block([b.period for b in blocks]),
        "indicator": pd.Categorical.from_codes(indicator_codes(blocks, indicator_names), categories=indicator_names),
        "value": values_of(blocks),
        "sheet": per_block([b.sheet for b in blocks]),
        "cell": np.fromiter(chain.from_iterable(b.cells for b in blocks), dtype=object, count=total),
        "measure": per_block([b.measure for b in blocks]),
        "file": per_block([b.file for b in blocks]),
    }
    return pd.DataFrame(columns, columns=OBSERVATION_COLUMNS)


def display_name(path: str | Path, cwd: Path | None = None) -> str:
    """The path as the user will recognise it: relative to the working folder when inside it."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        return text
    inside = os.path.join(str(cwd or Path.cwd()), "")  # with its trailing separator
    return text[len(inside):] if text.startswith(inside) and len(text) > len(inside) else text


# Below this, one worker process where forking is cheap (a crash then costs a file, not
# the run), and the files read in this process where it is not (spawning costs more).
PARALLEL_MIN_FILES = 64
MAX_CHUNK = 64  # files a worker takes at a time: few round trips, and all workers busy to the end
_worker: tuple | None = None  # (ctx, cwd, after) of a worker process


def _init_worker(ctx: ReadContext, cwd: Path, after) -> None:
    global _worker
    _worker = (ctx, cwd, after)
    # Forked while the parent paused collection: a worker collects its own garbage, but
    # never walks what it inherited (modules, the catalog), which stays as long as it does.
    gc.freeze()
    gc.enable()


def _read_one(path: str, ctx: ReadContext, cwd: Path, after) -> FileResult:
    result = read_file(path, ctx, display_name(path, cwd))
    if after is not None:
        after(result)
    return result


def _read_in_worker(path: str) -> FileResult:
    return _read_one(path, *_worker)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _pool(ctx: ReadContext, cwd: Path, jobs: int, after):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the loaded catalog and modules with the workers at no cost.
    method = "fork" if _can_fork() else "spawn"
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method),
                               initializer=_init_worker, initargs=(ctx, cwd, after))


def _crashed(path: str, cwd: Path) -> FileResult:
    display = display_name(path, cwd)
    return FileResult(display, findings=[Finding(
        "FILE_UNREADABLE", "读取此文件时读取程序异常退出（文件可能已损坏或被恶意构造）；"
        "请在Excel或WPS中打开并另存后重新报送", file=display)])


def _read_after_a_crash(paths: list[str], ctx: ReadContext, cwd: Path, jobs: int, after):
    """The results of `paths`, in order, after a worker died on one of them (calamine
    aborts the process on some damaged files, past every check made before it): the
    first unfinished file is read alone, in a process of its own, and is the one
    that crashed if that process dies too; the others go on in a fresh pool."""
    from concurrent.futures.process import BrokenProcessPool

    while paths:
        try:
            with _pool(ctx, cwd, 1, after) as alone:
                yield alone.submit(_read_in_worker, paths[0]).result()
        except BrokenProcessPool:
            yield _crashed(paths[0], cwd)
        paths = paths[1:]
        done = 0
        try:
            with _pool(ctx, cwd, jobs, after) as pool:
                for file_result in pool.map(_read_in_worker, paths, chunksize=1):
                    done += 1
                    yield file_result
        except BrokenProcessPool:
            pass
        paths = paths[done:]


def _import_in_background(modules: tuple[str, ...]) -> None:
    """Import heavy modules (numpy, pandas: a few tenths of a second) in a thread of
    this process, which has little to do while the workers read. Only once the workers
    exist: a fork in the middle of an import would leave its locks held in the child."""
    if not modules:
        return
    import importlib
    import threading

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except ImportError:
                pass  # the caller's own import then says what is missing

    threading.Thread(target=load, name="fulian-imports", daemon=True).start()


@paused_gc()
def read_paths(paths, ctx: ReadContext, exclude: set[Path] = frozenset(), progress=None,
               jobs: int | None = None, after=None, meanwhile: tuple[str, ...] = ()) -> ReadResult:
    """Read every supported file under `paths`, each once, on every core when there are
    many. Results keep the order of the files. `progress(n_done, n_total)` is called as
    files finish; `after(file_result)`, a picklable callable, runs on each file where it
    was read (the checks that need one file only). All per-file work, down to the name
    shown for a file, happens in the workers. `meanwhile` names modules the caller
    will need next: they are imported while the workers read. A worker that dies on
    a file (calamine aborts on some damaged files) costs that file a FILE_UNREADABLE
    finding; the others are read on."""
    listing, files = stream_files(list(paths), exclude)
    result = ReadResult()
    cwd = Path.cwd()
    jobs = jobs or os.cpu_count() or 1
    # Listing a province's folders takes a tenth of a second or (on a network share)
    # far more: the workers start reading as soon as the first files are found.
    # Enough are listed first to choose the chunk size as for a known total.
    first = list(islice(files, jobs * 8 * MAX_CHUNK)) if jobs > 1 else []

    def add(file_result: FileResult) -> None:
        result.files.append(file_result)
        if progress is not None:
            progress(len(result.files), len(listing.files))

    # In worker processes whenever forking is cheap: a file that makes calamine abort
    # then costs its own result, not the run.
    if len(first) >= PARALLEL_MIN_FILES or (first and _can_fork()):
        from concurrent.futures.process import BrokenProcessPool

        submitted: list[str] = []  # map() submits every file before it returns
        jobs = jobs if len(first) >= PARALLEL_MIN_FILES else 1  # a few files: one worker, for the isolation
        try:
            with _pool(ctx, cwd, jobs, after) as pool:
                chunk = max(1, min(MAX_CHUNK, len(first) // (jobs * 8)))
                listed = (submitted.append(path) or path for path in chain(first, files))
                results = pool.map(_read_in_worker, listed, chunksize=chunk)  # submits as it lists
                _import_in_background(meanwhile)  # after map(): every worker is forked by now
                for file_result in results:
                    add(file_result)
        except BrokenProcessPool:
            for file_result in _read_after_a_crash(submitted[len(result.files):], ctx, cwd, jobs, after):
                add(file_result)
    else:
        for path in [*first, *files]:  # listed whole first, so the total is known
            add(_read_one(path, ctx, cwd, after))
    if listing.skipped:
        examples = "、".join(display_name(p) for p in listing.skipped[:3])
        result.findings.append(Finding(
            "FILES_SKIPPED", f"跳过了{len(listing.skipped)}个不是报表格式的文件（如 {examples}）；"
            "只读取 .xlsx、.xlsm、.xls、.csv", values={"count": len(listing.skipped),
                                                    "files": [display_name(p) for p in listing.skipped[:20]]}))
    if listing.links:
        names = [display_name(p) for p in listing.links[:20]]
        result.findings.append(Finding(
            "FILES_SKIPPED", f"跳过了{len(listing.links)}个打不开的链接（指向自身、绕成循环或目标不存在，如 "
            f"{'、'.join(names[:3])}）；请改为链接到实际的文件或文件夹", values={"count": len(listing.links), "files": names}))
    return result


def inspect_paths(paths, ctx: ReadContext, sheet: str | None = None,
                  exclude: set[Path] = frozenset()) -> list[SheetInspection]:
    """How the reader understands each sheet of each file (only `sheet`, when given),
    read one file at a time in this process: `fulian-stats inspect` is run on a few."""
    ctx = replace(ctx, inspect=True)
    _listing, files = stream_files(list(paths), exclude)
    found = []
    for path in files:
        result = read_file(path, ctx, display_name(path))
        inspections = result.inspections
        if not inspections:  # the file itself could not be read
            whole = SheetInspection(result.file, None, findings=result.findings)
            whole.problem = next((f.message for f in result.findings if f.is_error), None)
            inspections = [whole]
        found += [i for i in inspections if sheet is None or i.sheet == sheet]
    return found
