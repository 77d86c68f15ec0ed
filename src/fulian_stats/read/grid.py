"""Cells in: every supported file becomes sheets of rows of raw cell values.

Workbooks (.xlsx, .xlsm, .xls) are read with python-calamine, which never runs
macros; CSV is decoded by a strict BOM → UTF-8 → GB18030 cascade so that nothing is
silently mis-decoded.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
CSV_SUFFIXES = {".csv"}
SUPPORTED_SUFFIXES = WORKBOOK_SUFFIXES | CSV_SUFFIXES


@dataclass
class Sheet:
    """One sheet's cells; rows[0][0] is the cell at (row_offset, col_offset), 0-based."""

    name: str | None  # None for a CSV file, which has no sheets
    rows: list[list]
    row_offset: int = 0
    col_offset: int = 0


class GridError(Exception):
    """A file that cannot be turned into cells; carries a finding code and message."""

    def __init__(self, code: str, message: str, row: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.row = row


def load_sheets(path: Path) -> list[Sheet]:
    suffix = path.suffix.lower()
    data = path.read_bytes() if suffix in CSV_SUFFIXES else None
    if data is not None:
        if not data:
            raise GridError("FILE_EMPTY", "文件是空的（0字节），请重新导出后报送")
        return [Sheet(None, _csv_rows(decode_csv(data)))]
    if path.stat().st_size == 0:
        raise GridError("FILE_EMPTY", "文件是空的（0字节），请重新导出后报送")
    return _workbook_sheets(path)


def _workbook_sheets(path: Path) -> list[Sheet]:
    import python_calamine as calamine

    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise GridError("FILE_ENCRYPTED", "工作簿设置了打开密码，无法读取；请取消密码后重新报送") from None
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, ValueError) as exc:
        raise GridError("FILE_UNREADABLE", f"不是有效的Excel文件或文件已损坏（{_reason(exc)}）；请在Excel或WPS中打开并另存后重新报送") from None
    sheets = []
    try:
        for meta in workbook.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet"):
                continue  # chart sheets and macro sheets hold no cells
            sheet = workbook.get_sheet_by_name(meta.name)
            start = sheet.start or (0, 0)
            sheets.append(Sheet(meta.name, sheet.to_python(skip_empty_area=True), start[0], start[1]))
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, ValueError) as exc:
        raise GridError("FILE_UNREADABLE", f"工作簿内容已损坏（{_reason(exc)}）；请在Excel或WPS中打开并另存后重新报送") from None
    finally:
        workbook.close()
    return sheets


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_csv(data: bytes) -> str:
    """BOM first, then strict UTF-8, then strict GB18030 (a superset of GBK and GB2312)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, "带BOM的" + ("UTF-8" if "8" in encoding else "UTF-16"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        # The encoding that read further is the file's: its error is where the bad byte is
        # (GB18030 stumbles early on UTF-8 text, far from a stray byte on a later line).
        raise _encoding_error(data, max(utf8_error, exc, key=lambda e: e.start), "UTF-8或GBK/GB18030") from None


def _strict(data: bytes, encoding: str, label: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _encoding_error(data, exc, label) from None


def _encoding_error(data: bytes, exc: UnicodeDecodeError, label: str) -> GridError:
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - data.rfind(b"\n", 0, exc.start)
    return GridError(
        "ENCODING",
        f"第{line}行第{column}个字节处无法按{label}解码；"
        "请在Excel或WPS中另存为“CSV UTF-8”或GBK编码的CSV后重新报送",
        row=line,
    )


def _csv_rows(text: str) -> list[list]:
    # Excel writes CRLF; csv handles quoted newlines inside cells too.
    return [row for row in csv.reader(io.StringIO(text, newline=""))]
