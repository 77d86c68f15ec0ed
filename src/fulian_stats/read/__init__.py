"""Reading: files and folders in, one long table of observations out.

`read_paths` is the stage's one entry point. Each file is opened once; every problem
is a finding in the result, never an exception.
"""

from __future__ import annotations

import gc
import os
import traceback
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from pathlib import Path

from fulian_stats.findings import Finding
from fulian_stats.observations import Block, indicator_codes, values_of
from fulian_stats.read.files import stream_files
from fulian_stats.read.grid import READ_FORMATS
from fulian_stats.read.inspection import SheetInspection
from fulian_stats.read.limits import MB, Limits
from fulian_stats.read.pool import FORK_LOCK, PARALLEL_MIN_FILES, map_files
from fulian_stats.read.workers import DETAIL_BYTES
from fulian_stats.signals import Interrupted
from fulian_stats.read.reader import FileResult, ReadContext, read_file

OBSERVATION_COLUMNS = ["org", "period", "indicator", "value", "sheet", "cell", "measure", "file"]

__all__ = ["OBSERVATION_COLUMNS", "PARALLEL_MIN_FILES", "FileResult", "Interrupted", "ReadContext", "ReadResult",
           "inspect_paths", "paused_gc", "read_file", "read_paths"]


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


def _collect_own_garbage() -> None:
    """A worker's start. Forked while the parent paused collection: it collects its own
    garbage, but never walks what it inherited (modules, the catalog), which stays as
    long as it does."""
    gc.freeze()
    gc.enable()


def _read_one(path: str, ctx: ReadContext, cwd: Path, after, limits: Limits) -> FileResult:
    """One file read and checked where it is read; whatever goes wrong is its finding."""
    display = display_name(path, cwd)
    try:
        result = read_file(path, ctx, display)
        if after is not None:
            after(result)
        return result
    except MemoryError:  # under the worker's address-space cap: the file asked for too much
        return _failed(display, limits, "memory", traceback.format_exc()[-DETAIL_BYTES:])
    except Exception as exc:  # a bug met on this file: the others are still read
        return FileResult(display, findings=[Finding(
            "FILE_UNREADABLE", f"读取此文件时程序出错（{type(exc).__name__}），其余文件照常读取；请报告此问题",
            file=display, values={"reason": "error", "detail": traceback.format_exc()[-2000:]})])


def _failed(display: str, limits: Limits, reason: str, detail: str) -> FileResult:
    """The result of a file whose worker died, ran out of memory or of time on it."""
    if reason == "memory":
        code, message = "FILE_TOO_LARGE", (f"读取此文件所需的内存超过上限（{limits.memory_bytes // MB}MB）：文件可能异常庞大、"
                                           "有内容误填在很远处的单元格（使表格范围达上百万行或上万列），或已损坏；"
                                           "请删去多余的内容，或在Excel或WPS中另存后重新报送")
    elif reason == "timeout":
        code, message = "FILE_TOO_LARGE", (f"读取此文件超过{limits.seconds_per_file:g}秒仍未完成，已停止读取；"
                                           "文件可能异常庞大或已损坏，请在Excel或WPS中另存后重新报送")
    else:
        code, message = "FILE_UNREADABLE", ("读取此文件时读取程序异常退出（文件可能已损坏或被恶意构造）；"
                                            "请在Excel或WPS中打开并另存后重新报送")
    return FileResult(display, findings=[Finding(code, message, file=display,
                                                 values={"reason": reason, "detail": detail})])


def _import_in_background(modules: tuple[str, ...]) -> None:
    """Import heavy modules (numpy, pandas: a few tenths of a second) in a thread of
    this process, which has little to do while the workers read. Each import holds the
    pool's FORK_LOCK: the pool forks a fresh worker whenever one dies, and a fork in the
    middle of an import would leave its lock held in the child for ever."""
    if not modules:
        return
    import importlib
    import threading

    def load() -> None:
        for name in modules:
            try:
                with FORK_LOCK:
                    importlib.import_module(name)
            except Exception:  # noqa: BLE001 - MemoryError too: the caller's own import then says what failed
                return

    threading.Thread(target=load, name="fulian-imports", daemon=True).start()


@paused_gc()
def read_paths(paths, ctx: ReadContext, exclude: set[Path] = frozenset(), progress=None,
               jobs: int | None = None, after=None, meanwhile: tuple[str, ...] = ()) -> ReadResult:
    """Read every supported file under `paths`, each once, on every core when there are
    many. Results keep the order of the files. `progress(n_done, n_total)` is called as
    files finish; `after(file_result)` runs on each file where it was read (the checks
    that need one file only). All per-file work, down to the name shown for a file,
    happens in worker processes (read/pool.py) held to ctx.limits (with the environment's):
    a file whose worker dies, runs out of memory or of time costs that file one finding
    (FILE_UNREADABLE or FILE_TOO_LARGE), and an exception met on a file is that file's
    FILE_UNREADABLE; the others are read on. `meanwhile` names modules the caller will
    need next: they are imported while the workers read. SIGTERM and SIGHUP raise
    Interrupted, with every worker gone."""
    listing, files = stream_files(list(paths), exclude)
    result = ReadResult()
    # Listing a province's folders takes a tenth of a second or (on a network share)
    # far more: the workers start reading as soon as the first files are found.
    reading = _contained(files, ctx, jobs or os.cpu_count() or 1, after)
    with closing(reading):  # on any way out, the workers go before this returns
        for file_result in reading:
            result.files.append(file_result)
            if progress is not None:
                progress(len(result.files), len(listing.files))
            if len(result.files) == 1:  # every first worker is forked by now
                _import_in_background(meanwhile)
    if listing.skipped:
        examples = "、".join(display_name(p) for p in listing.skipped[:3])
        result.findings.append(Finding(
            "FILES_SKIPPED", f"跳过了{len(listing.skipped)}个不是报表格式的文件（如 {examples}）；"
            f"只读取 {READ_FORMATS}", values={"count": len(listing.skipped),
                                                    "files": [display_name(p) for p in listing.skipped[:20]]}))
    if listing.links:
        names = [display_name(p) for p in listing.links[:20]]
        result.findings.append(Finding(
            "FILES_SKIPPED", f"跳过了{len(listing.links)}个打不开的链接（指向自身、绕成循环或目标不存在，如 "
            f"{'、'.join(names[:3])}）；请改为链接到实际的文件或文件夹", values={"count": len(listing.links), "files": names}))
    return result


def _contained(files, ctx: ReadContext, jobs: int, after=None):
    """Each file's FileResult, in order, read in workers held to ctx.limits."""
    cwd = Path.cwd()
    limits = ctx.limits.with_environment()
    return map_files(partial(_read_one, ctx=replace(ctx, limits=limits), cwd=cwd, after=after, limits=limits), files,
                     jobs=jobs, limits=limits, initializer=_collect_own_garbage,
                     failed=lambda path, reason, detail: _failed(display_name(path, cwd), limits, reason, detail))


def inspect_paths(paths, ctx: ReadContext, sheet: str | None = None,
                  exclude: set[Path] = frozenset()) -> list[SheetInspection]:
    """How the reader understands each sheet of each file (only `sheet`, when given),
    read one file at a time (`fulian-stats inspect` is run on a few), in a worker held
    to the same bounds as every read."""
    _listing, files = stream_files(list(paths), exclude)
    found = []
    reading = _contained(files, replace(ctx, inspect=True), jobs=1)
    with closing(reading):
        results = list(reading)
    for result in results:
        inspections = result.inspections
        if not inspections:  # the file itself could not be read
            whole = SheetInspection(result.file, None, findings=result.findings)
            whole.problem = next((f.message for f in result.findings if f.is_error), None)
            inspections = [whole]
        found += [i for i in inspections if sheet is None or i.sheet == sheet]
    return found
