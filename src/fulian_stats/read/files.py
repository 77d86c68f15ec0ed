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
from typing import Iterator

from fulian_stats.errors import UsageError
from fulian_stats.read.grid import LISTED_SUFFIXES, READ_FORMATS, is_delimited_text

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
    found, files = stream_files(paths, exclude)
    for _ in files:  # each lands in found.files
        pass
    return found


def stream_files(paths: list[str | Path], exclude: set[Path] = frozenset()) -> tuple[FileList, Iterator[str]]:
    """The files of collect_files, one at a time as the folders are walked, so that
    reading can start before a province's folders are listed. Every path given is
    checked at once (a UsageError before any file is read); the FileList fills in as
    the iterator goes and is complete when it is."""
    found = FileList()
    seen: set = set(str(p.resolve()) for p in exclude)
    given = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"找不到文件或文件夹：{raw}")
        if path.is_dir():
            given.append((path, None))
        elif os.path.splitext(path)[1].lower() not in LISTED_SUFFIXES:
            raise UsageError(f"不支持的文件类型：{path}（支持 {READ_FORMATS}）")
        else:
            given.append((path, _resolved_or_refused(path)))

    def files() -> Iterator[str]:
        for path, key in given:
            if key is None:
                yield from _walk(path, found, seen)
            elif _add(path, found, seen, key):
                yield found.files[-1]

    return found, files()


def _walk(top: Path, found: FileList, seen: set) -> Iterator[str]:
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
            suffix = os.path.splitext(name)[1].lower()
            if suffix not in LISTED_SUFFIXES or suffix == ".txt" and not is_delimited_text(entry.path):
                # Not resolved: thousands of unrelated files cost a list entry each.
                key = (real, name)
                if key not in seen:
                    seen.add(key)
                    found.skipped.append(Path(entry.path))
                continue
            # Inside a resolved folder a file that is no link resolves to itself: no
            # lookup of every component per file (it cost a second on a province).
            key = os.path.join(real, name) if not entry.is_symlink() else _resolved(entry.path)
            if key is None:
                found.links.append(Path(entry.path))
            elif _add(entry.path, found, seen, key):
                yield entry.path
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


def _resolved(path: str | Path) -> str | None:
    """The file's real path; None for a link to itself, a loop of links, a link to nothing."""
    try:
        return str(Path(path).resolve(strict=True))
    except (OSError, RuntimeError):
        return None


def _resolved_or_refused(path: Path) -> str:
    key = _resolved(path)
    if key is None:
        raise UsageError(f"无法打开 {path}：链接指向自身或不存在的文件")
    return key


def _add(path: str | Path, found: FileList, seen: set, key: str) -> bool:
    """Add a supported file once (`key`: its resolved path); False when it was already there."""
    if key in seen:
        return False
    seen.add(key)
    found.files.append(os.fspath(path))
    return True
