"""Which files a run reads: the files given, and the supported files under each folder.

Folders are walked in sorted order, following links to folders, but never into a
folder already on the way (a link to itself or to a parent would go round for ever).
A link that leads nowhere (to itself, in a loop, to a missing file) is set aside with
the other files that are not read, and the run says so once.
"""

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
    files: list[str] = field(default_factory=list)  # paths as given or found: no Path per file here
    skipped: list[Path] = field(default_factory=list)  # unsupported files found in folders
    links: list[Path] = field(default_factory=list)  # links in folders that lead nowhere or round in a loop


def _is_candidate(name: str) -> bool:
    # `~$x.xlsx` is Excel's lock file; dot files are editors' and systems' own.
    return not (name.startswith("~$") or name.startswith(".")) and name.lower() not in NOT_SUBMISSIONS


def collect_files(paths: list[str | Path], exclude: set[Path] = frozenset()) -> FileList:
    """Files in the order given, folders walked in sorted order; each file once."""
    found = FileList()
    seen: set = set(str(p.resolve()) for p in exclude)
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"找不到文件或文件夹：{raw}")
        if path.is_dir():
            _walk(path, found, seen)
        elif os.path.splitext(path)[1].lower() not in SUPPORTED_SUFFIXES:
            raise UsageError(f"不支持的文件类型：{path}（支持 .xlsx、.xlsm、.xls、.csv）")
        else:
            _add(path, found, seen, in_folder=False)
    return found


def _walk(top: Path, found: FileList, seen: set) -> None:
    # os.scandir, not os.walk: an entry tells whether it is a link without a call to
    # the system per file (14,400 of them in a province).
    walked: set[str] = set()
    pending = [os.fspath(top)]
    while pending:
        folder = pending.pop()
        real = os.path.realpath(folder)
        if real in walked:  # reached again through another link
            continue
        walked.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_name)
        except OSError:  # unreadable: skipped, as os.walk does
            continue
        folders, files = [], []
        for entry in entries:
            (folders if _is_folder(entry) else files).append(entry)
        subfolders = []
        for entry in folders:  # before the files, so that links are listed as os.walk met them
            if entry.name.startswith("."):
                continue
            if entry.is_symlink() and _is_inside(os.path.realpath(entry.path), real):
                found.links.append(Path(entry.path))  # a link to this folder or one above it
            else:
                subfolders.append(entry.path)
        for entry in files:
            name = entry.name
            if not _is_candidate(name):
                continue
            if os.path.splitext(name)[1].lower() not in SUPPORTED_SUFFIXES:
                # Not resolved: thousands of unrelated files cost a list entry each.
                key = (real, name)
                if key not in seen:
                    seen.add(key)
                    found.skipped.append(Path(entry.path))
                continue
            # Inside a resolved folder a file that is no link resolves to itself: no
            # lookup of every component per file (it cost a second on a province).
            _add(entry.path, found, seen, in_folder=True,
                 key=None if entry.is_symlink() else os.path.join(real, name))
        pending.extend(reversed(subfolders))  # depth first, in sorted order


def _name(entry: os.DirEntry) -> str:
    return entry.name


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # follows links, as os.walk(followlinks=True) does
    except OSError:
        return False


def _is_inside(target: str, folder: str) -> bool:
    return folder == target or folder.startswith(target.rstrip(os.sep) + os.sep)


def _add(path: str | Path, found: FileList, seen: set, in_folder: bool, key: str | None = None) -> None:
    """Add a supported file once; `key` is its resolved path where the caller knows it already."""
    if key is None:
        try:
            key = str(Path(path).resolve(strict=True))
        except (OSError, RuntimeError):  # a link to itself, a loop of links, a link to nothing
            if not in_folder:
                raise UsageError(f"无法打开 {path}：链接指向自身或不存在的文件") from None
            found.links.append(Path(path))
            return
    if key in seen:
        return
    seen.add(key)
    found.files.append(os.fspath(path))
