"""Output files: written to a temporary file beside the target, then renamed, so a
failed run never leaves half a file; text is always written as text, never as a
formula, whatever it starts with."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from fulian_stats.errors import FulianError, UsageError

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROW_COLUMNS = ["org", "period", "indicator", "name", "unit", "value"]


def refuse_inputs(output: Path, inputs: list[str | Path]) -> None:
    """`-o` must never point at a file that is read: inputs are never written."""
    target = Path(output).resolve()
    if any(target == Path(given).resolve() for given in inputs):
        raise UsageError(f"输出文件 {output} 是输入文件之一；为防止覆盖原始报表，请换一个文件名或位置")


@contextmanager
def atomic_path(path: Path):
    """A temporary path in the target folder, renamed to `path` when the block succeeds.
    A file system error (no permission, disk full) is one Chinese line, and the target
    is left as it was."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"输出文件夹不存在：{folder}")
    if path.is_dir():
        raise UsageError(f"输出路径 {path} 是一个文件夹；请给出文件名，如 {path / ('汇总' + (path.suffix or '.xlsx'))}")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=folder)
    except OSError as exc:
        raise FulianError(f"无法在文件夹 {folder} 中写入输出文件：{exc.strerror or exc}") from exc
    os.close(fd)
    try:
        yield Path(temp)
        # mkstemp makes the file private; an output is meant to be shared like any other.
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise FulianError(f"无法写入输出文件 {path}：{exc.strerror or exc}") from exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


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


def rows_csv(rows: list[dict], columns: list[str] = ROW_COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_safe("" if row.get(c) is None else row.get(c)) for c in columns])
    return buffer.getvalue()


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_path(path) as temp:
        temp.write_text(text, encoding=encoding)


def write_rows(path: Path, data: dict) -> None:
    """Aggregate rows as .csv (UTF-8 with BOM, so Excel and WPS open it right) or .json."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        write_text(path, rows_csv(data["rows"]), encoding="utf-8-sig")
    elif suffix == ".json":
        write_text(path, json.dumps(data, ensure_ascii=False, indent=2))
    else:
        raise UsageError(f"不支持的输出格式：{path}（可用 .xlsx、.csv、.json）")
