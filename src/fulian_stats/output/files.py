"""Output files: written to a temporary file beside the target, then renamed, so a
failed run never leaves half a file; text is always written as text, never as a
formula, whatever it starts with."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path

from fulian_stats.errors import FulianError, MachineError, UsageError
from fulian_stats.read.layout import LONG_HEADER

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The columns of aggregate's CSV: Chinese headers, the indicator's id last for programs
# (JSON keeps the keys: org, period, indicator, name, unit, value).
ROW_COLUMNS = dict(zip((*LONG_HEADER, "指标编号"), ("org", "period", "name", "unit", "value", "indicator")))


def refuse_inputs(output: str | Path, inputs: Mapping[str | Path, str]) -> None:
    """An output must never be a file the run reads (`inputs`: each file → what it is
    to the run, 报表 or 单位名册…), whatever the spelling: a link, `..`, another case
    on a file system that ignores case, a hard link. Compared by the file itself (device
    and inode), so one stat a file."""
    try:
        target = os.stat(output)
    except OSError:
        return  # nothing there yet: no file can be lost
    if not stat.S_ISREG(target.st_mode):
        return  # a folder: atomic_path says so
    for given, role in inputs.items():
        try:
            same = os.path.samestat(target, os.stat(given))
        except OSError:
            continue
        if same:
            raise UsageError(f"输出文件 {output} 是输入文件之一（{role} {given}）；为防止覆盖，请换一个文件名或位置")


def refuse_folder(folder: str | Path, inputs: Mapping[str | Path, str], given: Iterable[str | Path] = ()) -> None:
    """A folder outputs go into (the marked-up copies of `check --annotate`) must not be
    an input (`inputs`: each file → its role; `given`: the files and folders the run
    was given), hold one, or lie inside a folder of submissions, where the next check
    would read the copies as submissions. Compared as real paths, through links and `..`."""
    real, given = Path(os.path.realpath(folder)), list(given)
    if real.exists() and not real.is_dir():
        role = next((r for p, r in inputs.items() if _same(p, real)), None)
        if role is None:
            raise UsageError(f"{folder} 是一个文件，不是文件夹；请给出存放标注副本的文件夹，如 反馈/")
    roles = {**{p: ("报表文件夹" if os.path.isdir(p) else "报表") for p in given}, **inputs}
    for path, role in roles.items():
        there = Path(os.path.realpath(path))
        if there == real or _same(path, real):
            raise UsageError(f"标注副本的文件夹 {folder} 就是输入（{role} {path}）；请另选一个文件夹，如 反馈/")
        if real in there.parents:
            raise UsageError(f"标注副本的文件夹 {folder} 中有本次读取的文件（{role} {path}）；"
                             "副本会与原件混在一起，请另选一个文件夹，如 反馈/")
    folders = {os.path.realpath(p): p for p in given if os.path.isdir(p)}
    for path, role in roles.items():
        if role == "报表":
            folders.setdefault(os.path.dirname(os.path.realpath(path)), os.path.dirname(path) or ".")
    for there, inside in sorted(folders.items()):
        if Path(there) in real.parents:
            raise UsageError(f"标注副本的文件夹 {folder} 在报表文件夹 {inside} 之中，下次校验时副本会被当作报表读入；"
                             "请另选报表文件夹以外的文件夹，如 反馈/")


def _same(path: str | Path, real: Path) -> bool:
    try:
        return os.path.samefile(path, real)
    except OSError:
        return False


def refuse_replacing(targets: list[Path], force: bool, kept: Callable[[list[Path]], list[str]],
                     replacement: str = "空白模板") -> None:
    """Files are only created, never replaced, unless `force`; and never, even with
    `force`, a file `kept(existing)` names (a filled submission). All targets are
    judged before any is written: a refused run writes none of them."""
    existing = [t for t in targets if Path(t).is_file()]
    if not existing:
        return
    keep = kept(existing)
    if keep:
        raise refused(f"{_listed(keep)} 是已填报的报表，不能用{replacement}替换（" "{force} 也不会替换）；请换一个文件名或文件夹")
    if not force:
        raise refused(f"{_listed(existing)} 已存在，为防止覆盖，没有生成任何文件；确认要替换时" "{force}")


def refused(message: str) -> UsageError:
    """A refusal to replace a file; `{force}` in `message` is how to insist: 加 --force on
    the command line, 传 force=True in Python."""
    return UsageError(message.replace("{force}", "传 force=True"), command_line=message.replace("{force}", "加 --force"))


def _listed(paths: list, shown: int = 5) -> str:
    names = "、".join(str(p) for p in paths[:shown])
    return names + (f" 等{len(paths)}个文件" if len(paths) > shown else "")


@contextmanager
def atomic_path(path: Path):
    """A temporary path in the target folder, renamed to `path` when the block succeeds.
    The temporary file exists only from the moment writing starts, and is removed on
    every way out (an error, Ctrl-C, SIGTERM): the target is left as it was. A machine
    error (no permission, disk full or read-only) is one Chinese line, exit 3; a missing
    folder is the user's (exit 2): outputs never create the folders they go in."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"输出文件夹不存在：{folder}")
    if path.is_dir():
        raise UsageError(f"输出路径 {path} 是一个文件夹；请给出文件名，如 {path / ('汇总' + (path.suffix or '.xlsx'))}")
    try:
        # The temporary name holds the stem, cut so that a target of the longest name still has one.
        fd, temp = tempfile.mkstemp(prefix=f".{shortened(path.stem, 100)}.", suffix=path.suffix, dir=folder)
    except OSError as exc:
        raise MachineError(f"无法在文件夹 {folder} 中写入输出文件：{machine_reason(exc)}") from exc
    os.close(fd)
    try:
        yield Path(temp)
        # mkstemp makes the file private; an output is meant to be shared like any other.
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        cause = os_error(exc)
        if cause is not None and not isinstance(exc, FulianError):
            raise MachineError(f"无法写入输出文件 {path}：{machine_reason(cause)}；原有文件未改动") from exc
        raise


def make_output_folder(folder: Path) -> None:
    """An output that is a folder (one form per township, the marked-up copies) is made
    when missing; the folder it goes in must exist, as for an output file."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"输出位置“{folder}”是一个文件，请指定一个文件夹")
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"输出文件夹不存在：{parent}")
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise MachineError(f"无法创建文件夹 {folder}：{machine_reason(exc)}") from exc


def os_error(exc: BaseException) -> OSError | None:
    """The OSError behind `exc` (itself, or what a library raised it from)."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


_REASONS = {errno.ENOSPC: "磁盘空间不足", errno.EROFS: "磁盘为只读", errno.EACCES: "没有写入权限",
            errno.EPERM: "没有写入权限", getattr(errno, "EDQUOT", -1): "磁盘配额已用完",
            errno.ENAMETOOLONG: "文件名太长", errno.EISDIR: "同名的是一个文件夹"}
NAME_BYTES = 255  # the longest file name most file systems take, in bytes (ext4, NTFS in UTF-16 units)


def machine_reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno) or f"系统拒绝写入（{errno.errorcode.get(exc.errno, exc.errno)}）"


def shortened(stem: str, limit: int) -> str:
    """`stem` cut at a character so that it takes at most `limit` bytes of UTF-8."""
    data = stem.encode("utf-8")
    return stem if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def csv_safe(value):
    """Spreadsheet programs run a CSV cell that starts with = + - @ as a formula;
    a leading apostrophe keeps it text. Numbers pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def rows_csv(rows: list[dict], columns: Mapping[str, str] = ROW_COLUMNS) -> str:
    """`rows` as CSV, a column for each header of `columns` (header → the rows' key)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_safe("" if row.get(key) is None else row.get(key)) for key in columns.values()])
    return buffer.getvalue()


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_path(path) as temp:
        temp.write_text(text, encoding=encoding, newline="")  # "\n" as written, on Windows too


def write_rows(path: Path, data: dict) -> None:
    """Aggregate rows as .csv (UTF-8 with BOM, so Excel and WPS open it right) or .json."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        write_text(path, rows_csv(data["rows"]), encoding="utf-8-sig")
    elif suffix == ".json":
        write_text(path, json.dumps(data, ensure_ascii=False, indent=2))
    else:
        raise UsageError(f"不支持的输出格式：{path}（可用 .xlsx、.csv、.json）")
