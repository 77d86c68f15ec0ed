"""Cells in: every supported file becomes sheets of rows of raw cell values.

Workbooks (.xlsx, .xlsm, .xls) are read with python-calamine, which never runs
macros, from the copy the guard vetted (read/guard/); CSV is decoded by a strict
BOM → UTF-8 → GB18030 cascade so that nothing is silently mis-decoded. A file that
cannot be read safely is a GridError; a sheet that cannot is a finding on that sheet,
and the other sheets are read.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path

from fulian_stats.findings import Finding, cell_index, join_cells
from fulian_stats.read.guard import (
    OLE_MAGIC,
    GridError,
    Vetted,
    damaged,
    encrypted,
    read_bytes,
    too_large,
    vet_workbook,
)
from fulian_stats.read.limits import LIMITS, Limits

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
# Delimited text: a CSV, or Excel's 文本文件(制表符分隔) and Unicode 文本 exports (.txt).
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED_SUFFIXES = WORKBOOK_SUFFIXES | CSV_SUFFIXES
READ_FORMATS = ".xlsx、.xlsm、.xls、.csv、.txt（制表符分隔）"  # what a user is told is read
# Spreadsheets saved in a format not read here: most likely a township's report, so
# each is that file's error (its numbers are not counted), not a note among skipped files.
OTHER_SPREADSHEETS = {".ods": "OpenDocument表格", ".fods": "OpenDocument表格", ".et": "WPS表格",
                      ".xlsb": "Excel二进制工作簿", ".numbers": "Numbers表格"}
LISTED_SUFFIXES = SUPPORTED_SUFFIXES | OTHER_SPREADSHEETS.keys()

__all__ = ["GridError", "Sheet", "load_sheets", "decode_csv", "SUPPORTED_SUFFIXES",
           "LISTED_SUFFIXES", "READ_FORMATS", "is_delimited_text"]


@dataclass
class TextLayout:
    """What a text file's rows were cut from: the physical line each row starts on
    (a quoted field may span lines), the delimiter, and whether the last line ended."""

    lines: list[int]
    delimiter: str = ","
    ends_with_newline: bool = True


@dataclass
class Sheet:
    """One sheet's cells; rows[0][0] is the cell at (row_offset, col_offset), 0-based."""

    name: str | None  # None for a CSV file, which has no sheets
    rows: list[list]
    row_offset: int = 0
    col_offset: int = 0
    findings: list[Finding] = field(default_factory=list)  # about the sheet itself, without the file
    # Merged ranges as (first row, first col, last row, last col), indexes into rows
    merged: tuple[tuple[int, int, int, int], ...] = ()
    text: TextLayout | None = None  # a text file's lines; None for a workbook's sheet
    formulas: frozenset[str] = frozenset()  # cells (A1) whose formula has no saved value: unknown, not blank
    hidden: bool = False  # a workbook's sheet hidden (or very hidden) in Excel
    # its hidden rows and columns, 0-based from A1 (not into rows): their values are read
    hidden_rows: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()

    def findings_for(self, file: str, org: str | None = None, period: str | None = None) -> list[Finding]:
        """The sheet's own findings, placed in the file (and the org and period, once known)."""
        return [replace(f, file=file, org=org, period=period) for f in self.findings]


def load_sheets(path: str | Path, limits: Limits = LIMITS) -> list[Sheet]:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in OTHER_SPREADSHEETS:
        raise GridError("FILE_FORMAT_UNSUPPORTED", f"这是{OTHER_SPREADSHEETS[suffix]}文件（{suffix}），无法读取，"
                        f"其中的数据未计入；本工具只读取 {READ_FORMATS}，请另存为 .xlsx 后重新报送")
    data = read_bytes(path, limits)
    # What the bytes are, not what the name says: a workbook saved as .csv is read as one.
    if suffix in CSV_SUFFIXES and not data.startswith((b"PK\x03\x04", OLE_MAGIC)):
        return [_csv_sheet(data, limits)]
    saved_as = None if data.startswith((b"PK\x03\x04", OLE_MAGIC)) else _text_saved_as_workbook(data)
    if saved_as is not None:
        raise GridError("FILE_UNREADABLE", f"这是{saved_as}，扩展名却是{suffix}（网上系统导出的报表常是这样），无法读取；"
                        "请在Excel或WPS中打开，另存为 .xlsx 后重新报送")
    return _workbook_sheets(vet_workbook(data, limits), limits)


def _text_saved_as_workbook(data: bytes) -> str | None:
    """What a text file named as a workbook is: a web page, or Excel 2003's XML."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "网页（HTML）文件"
    if head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "“XML表格2003”文件"
    return None


def _workbook_sheets(vetted: Vetted, limits: Limits) -> list[Sheet]:
    """The worksheets' cells, as calamine reads the copy the guard vetted. A sheet whose
    block of rows × columns is beyond limits.sheet_cells is skipped with a finding (its
    far corner is a stray cell, or the sheet is not a form); all of them together beyond
    limits.workbook_cells refuse the file. What calamine may do on the way there (allocate
    a huge block, parse one part for many sheets) is bounded by the worker's memory and
    time (read/pool.py), not predicted."""
    import python_calamine as calamine

    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(vetted.workbook))
        vetted.workbook = b""  # calamine holds its own copy
    except calamine.PasswordError:
        raise encrypted() from None
    except BaseException as exc:  # noqa: BLE001 - calamine's errors and Rust panics alike
        _reraise_if_not_calamine(exc)
        raise damaged("工作簿的结构无法解析", detail=_detail(exc)) from None
    may_hold_long_text = vetted.largest_part > limits.cell_chars
    sheets = []
    cells = 0  # in the blocks calamine has built so far
    try:
        for meta in workbook.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet"):
                continue  # chart sheets and macro sheets hold no cells
            sheet = workbook.get_sheet_by_name(meta.name)
            if sheet.height * sheet.width > limits.sheet_cells:
                sheets.append(_refused(meta.name, sheet.height, sheet.width, limits))
                continue
            cells += sheet.height * sheet.width
            if cells > limits.workbook_cells:
                raise too_large(f"各工作表合计超过{limits.workbook_cells}个单元格的上限，远大于一份报表，已拒绝读取；"
                                "请确认文件是否正确", limit=limits.workbook_cells)
            start = sheet.start or (0, 0)
            rows = sheet.to_python(skip_empty_area=True)
            facts = vetted.facts(meta.name)
            if facts is not None and not vetted.empty_strings:
                _all_values_read(meta.name, rows, facts.values)
            _clean_cells(rows, limits.cell_chars if may_hold_long_text else None)
            if facts is not None and facts.errors:
                _show_errors(rows, start, facts.errors)
            loaded = Sheet(meta.name, rows, start[0], start[1], merged=_merged(sheet, start),
                           hidden=str(meta.visible) not in ("SheetVisibleEnum.Visible", "Visible"))
            if facts is not None:
                loaded.hidden_rows, loaded.hidden_columns = facts.hidden_rows, facts.hidden_columns
            if facts is not None and facts.formulas:
                loaded.findings.append(_formula_finding(meta.name, facts.formulas))
                loaded.formulas = frozenset(facts.formulas)
            sheets.append(loaded)
    except BaseException as exc:  # noqa: BLE001
        if isinstance(exc, GridError):
            raise
        _reraise_if_not_calamine(exc)
        raise GridError("FILE_UNREADABLE", "工作簿内容已损坏，无法读出；请在Excel或WPS中打开并另存后重新报送",
                        values={"detail": _detail(exc)}) from None
    finally:
        workbook.close()
    if sheets and all(s.findings and s.findings[0].code == "FILE_TOO_LARGE" for s in sheets):
        raise too_large(sheets[0].findings[0].message)
    if vetted.unplaced_formulas and sheets:
        sheets[0].findings.append(_formula_finding(None, vetted.unplaced_formulas))
    return sheets


def _merged(sheet, start: tuple[int, int]) -> tuple[tuple[int, int, int, int], ...]:
    """The sheet's merged ranges as indexes into its rows (calamine gives them from A1)."""
    ranges = sheet.merged_cell_ranges
    if not ranges:
        return ()
    top, left = start
    return tuple((max(0, r1 - top), max(0, c1 - left), r2 - top, c2 - left) for (r1, c1), (r2, c2) in ranges
                 if r2 >= top and c2 >= left)


def _all_values_read(sheet: str, rows: list[list], written: int) -> None:
    """calamine gives back every value the sheet's XML writes, or the file is damaged:
    two cells with one address (the later would win), a value outside any cell (it
    would vanish). A wrong total that looks right is the worst outcome."""
    read = sum(len(row) for row in rows) - sum(row.count("") for row in rows)
    if read < written:
        raise GridError("FILE_UNREADABLE", f"文件已损坏：工作表“{sheet}”中有{written}个单元格写有内容，但只能读出{read}个"
                        "（可能有地址重复的单元格，或有内容不在任何单元格中）；请在Excel或WPS中打开并另存后重新报送",
                        sheet=sheet, values={"written": written, "read": read})


def _show_errors(rows: list[list], start: tuple[int, int], errors: dict[str, str]) -> None:
    """Put back the `#DIV/0!` calamine reads as "" into its cell, as Excel shows it and
    a CSV saved from it holds it: a value cell with it is then no number, not a blank."""
    for ref, error in errors.items():
        r, c = cell_index(ref)
        r, c = r - start[0], c - start[1]
        if 0 <= r < len(rows) and 0 <= c < len(rows[r]) and rows[r][c] == "":
            rows[r][c] = error


def _refused(name: str, rows: int, cols: int, limits: Limits) -> Sheet:
    return Sheet(name, [], findings=[Finding(
        "FILE_TOO_LARGE", f"工作表“{name}”的范围达{rows}行×{cols}列，超过{limits.sheet_cells}个单元格的上限，已跳过；"
        "请删去远处多余的内容（如误填在很远处的单元格）后重新报送", sheet=name,
        values={"rows": rows, "cols": cols, "limit": limits.sheet_cells})])


def _formula_finding(sheet: str | None, cells: list[str]) -> Finding:
    named = [c for c in cells if c]
    where = join_cells(cells) if named else f"{len(cells)}个单元格"
    return Finding(
        "FORMULA_NO_VALUE", f"{where}的公式没有保存计算结果，读取时按空白（未填报）处理；"
        "请在Excel或WPS中打开此文件、保存后重新报送", sheet=sheet, cell=named[0] if named else None,
        values={"cells": cells[:100], "count": len(cells)})


def _clean_cells(rows: list[list], cut_at: int | None) -> None:
    """Drop control characters (a NUL in a name would reach reports and Word files,
    which cannot hold it) and cut text longer than Excel allows in a cell (`cut_at`;
    None where no text can be that long), so that no later step normalises megabytes
    of it."""
    if cut_at is None:
        # The usual sheet has nothing to clean: ask all its text at once, at C speed.
        text = "".join(filter(str.__instancecheck__, chain.from_iterable(rows)))
        if _CONTROL.search(text) is None:
            return
    for row in rows:
        for i, value in enumerate(row):
            if type(value) is str and ((cut_at and len(value) > cut_at) or not value.isprintable()):
                row[i] = _CONTROL.sub("", value[:cut_at])


def _reraise_if_not_calamine(exc: BaseException) -> None:
    """calamine raises its own errors, and a bug in it a pyo3 PanicException (a
    BaseException): both are the file's problem. Anything else goes on up."""
    if isinstance(exc, MemoryError) or not (isinstance(exc, Exception) or type(exc).__name__ == "PanicException"):
        raise exc


def _detail(exc: BaseException) -> str:
    """calamine's own words, for --debug and JSON: never the Chinese message's."""
    return (f"{type(exc).__name__}: {exc}".strip())[:200]


# -- CSV ------------------------------------------------------------------------------------

# Control characters other than tab and line ends carry nothing in a cell.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _csv_sheet(data: bytes, limits: Limits) -> Sheet:
    text = decode_csv(data)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    delimiter = detect_delimiter(text)
    rows, lines = _csv_rows(text, delimiter, limits)
    if len(text) > limits.cell_chars:
        _clean_cells(rows, limits.cell_chars)
    return Sheet(None, rows, text=TextLayout(lines, delimiter, text.endswith(("\n", "\r"))))


DELIMITERS = (",", "\t", ";")  # comma; tab (Excel's "Unicode 文本" export); semicolon (Excel set to a European locale)
_SAMPLE_LINES = 40


def detect_delimiter(text: str) -> str:
    """The delimiter that cuts the first lines into the most rows of more than one
    field, of the fewest distinct widths (a form's title lines have one field each)."""
    sample = text[:16_384].splitlines()[:_SAMPLE_LINES]

    def score(delimiter: str) -> tuple[int, int]:
        try:
            widths = [len(row) for row in csv.reader(sample, delimiter=delimiter) if len(row) > 1]
        except csv.Error:
            return 0, 0
        return len(widths), -len(set(widths))

    best = max(DELIMITERS, key=score)  # max keeps the first of equals: the comma
    return best if score(best)[0] else ","


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_csv(data: bytes) -> str:
    """BOM first, then UTF-16 without a BOM (told by its NUL bytes), then strict UTF-8,
    then strict GB18030 (a superset of GBK and GB2312), which must read as Chinese."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, "带BOM的" + ("UTF-8" if "8" in encoding else "UTF-16"))
    text = _utf16_without_bom(data)
    if text is not None:
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        # The encoding that read further is the file's: its error is where the bad byte is
        # (GB18030 stumbles early on UTF-8 text, far from a stray byte on a later line).
        raise _encoding_error(data, max(utf8_error, exc, key=lambda e: e.start), "UTF-8或GBK/GB18030") from None
    if _looks_misdecoded(text):
        raise GridError("ENCODING", "文件不是UTF-8或GBK编码：按GBK读出的文字是乱码（可能是繁体Big5、日文Shift-JIS等编码）；"
                        "请在Excel或WPS中另存为“CSV UTF-8”后重新报送")
    return text


def is_delimited_text(path: str) -> bool:
    """A .txt found in a folder is read only when it is a table exported as text: two
    of its first lines cut by tabs (a note beside the submissions, 说明.txt, is none)."""
    try:
        with open(path, "rb") as file:
            head = file.read(8192)
    except OSError:
        return True  # reading it will say what is wrong
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = _utf16_without_bom(head[:len(head) & ~1]) or head.decode("gb18030", errors="ignore")
    lines = [line for line in text.splitlines()[:10] if line.strip()]
    return sum("\t" in line.strip("\t") for line in lines) >= 2


def _utf16_without_bom(data: bytes) -> str | None:
    """Text saved as UTF-16 without a BOM has a NUL beside every ASCII character (the
    commas, digits and line ends of a CSV), all on one side; other encodings have none."""
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    quarter = len(sample) // 8  # a quarter of the sample's characters
    if odd >= quarter and even * 8 <= odd:
        encoding = "utf-16-le"
    elif even >= quarter and odd * 8 <= even:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


# What Chinese text decoded right is made of, besides ASCII: punctuation, circled
# numbers, CJK punctuation, full-width forms and ideographs (the GB2312 ones, below).
_NOT_CHINESE = re.compile("[^\x00-\x7f\u2000-\u206f\u2460-\u24ff\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_IDEOGRAPHS = re.compile("[\u4e00-\u9fff]+")
MISDECODED_SHARE = 1 / 3  # real GBK files: under 15% rare characters; Big5 read as GBK: 60%


def _looks_misdecoded(text: str) -> bool:
    """GB18030 accepts almost any bytes: Big5 or Shift-JIS text read as GB18030 comes
    out as kana, bopomofo and rare ideographs instead of everyday Chinese."""
    sample = text[:20_000]
    foreign = len(sample) - len(sample.encode("ascii", "ignore"))
    if foreign < 8:
        return False
    ideographs = "".join(_IDEOGRAPHS.findall(sample))
    rare = len(ideographs) - len(ideographs.encode("gb2312", "ignore")) // 2
    return len(_NOT_CHINESE.findall(sample)) + rare > foreign * MISDECODED_SHARE


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


def _csv_rows(text: str, delimiter: str, limits: Limits) -> tuple[list[list], list[int]]:
    """The rows, and the line each starts on."""
    # Excel writes CRLF; csv handles quoted newlines inside cells too. A long cell is
    # read (and cut later); the file's size already bounds it.
    csv.field_size_limit(limits.file_bytes)
    rows, lines, cells, start = [], [], 0, 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            cells += len(row)
            if cells > limits.text_cells:
                raise too_large(f"CSV文件超过{limits.text_cells}个单元格的上限，远大于一份报表，已拒绝读取；请确认文件是否正确",
                                limit=limits.text_cells)
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise GridError("FILE_UNREADABLE", f"CSV文件格式有误（{exc}）；请在Excel或WPS中另存为CSV后重新报送") from None
    return rows, lines
