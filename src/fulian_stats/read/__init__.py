"""Reading: files and folders in, one long table of observations out.

`read_paths` is the stage's one entry point. Each file is opened once; every problem
is a finding in the result, never an exception.
"""

from __future__ import annotations

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


def read_paths(paths, ctx: ReadContext, exclude: set[Path] = frozenset(), progress=None) -> ReadResult:
    """Read every supported file under `paths`. `progress(n_done, n_total)` is called as files finish."""
    listing = collect_files(list(paths), exclude)
    result = ReadResult()
    total = len(listing.files)
    for done, path in enumerate(listing.files, start=1):
        result.files.append(read_file(path, ctx, display_name(path)))
        if progress is not None:
            progress(done, total)
    if listing.skipped:
        examples = "、".join(display_name(p) for p in listing.skipped[:3])
        result.findings.append(Finding(
            "FILES_SKIPPED", f"跳过了{len(listing.skipped)}个不是报表格式的文件（如 {examples}）；"
            "只读取 .xlsx、.xlsm、.xls、.csv", values={"count": len(listing.skipped),
                                                    "files": [display_name(p) for p in listing.skipped[:20]]}))
    return result
