"""Which files a run reads: the files given, and the supported files under each folder."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from fulian_stats.errors import UsageError
from fulian_stats.read.grid import SUPPORTED_SUFFIXES

# Files that live beside submissions but are never one.
NOT_SUBMISSIONS = {"orgs.csv", "indicators.csv", "rules.csv"}


@dataclass
class FileList:
    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # unsupported files found in folders


def _is_candidate(path: Path) -> bool:
    name = path.name
    # `~$x.xlsx` is Excel's lock file; dot files are editors' and systems' own.
    return not (name.startswith("~$") or name.startswith(".")) and name.lower() not in NOT_SUBMISSIONS


def collect_files(paths: list[str | Path], exclude: set[Path] = frozenset()) -> FileList:
    """Files in the order given, folders walked in sorted order; each file once."""
    found = FileList()
    seen: set[Path] = set(p.resolve() for p in exclude)
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"找不到文件或文件夹：{raw}")
        if path.is_dir():
            for root, dirs, names in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    _add(Path(root) / name, found, seen, in_folder=True)
        else:
            _add(path, found, seen, in_folder=False)
    return found


def _add(path: Path, found: FileList, seen: set[Path], in_folder: bool) -> None:
    try:
        key = path.resolve()
    except (OSError, RuntimeError):  # a symbolic-link loop
        found.skipped.append(path)
        return
    if key in seen:
        return
    seen.add(key)
    if in_folder and not _is_candidate(path):
        return
    if path.suffix.lower() in SUPPORTED_SUFFIXES:
        found.files.append(path)
    elif in_folder:
        found.skipped.append(path)
    else:
        raise UsageError(f"不支持的文件类型：{path}（支持 .xlsx、.xlsm、.xls、.csv）")
