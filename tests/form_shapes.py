"""Builders for tests/test_read_forms.py: sheets shaped as township clerks really build
them in Excel or WPS from a county's template, merged cells and all.

- `SheetSpec`: a sheet built row by row from row 1 (`add`), with merged ranges
  (`merge`), the usual top (`top`: title merged across, `填报单位` / `报告期`), section
  headings and a row per `Item` (`items`), and the footer (`footer`).
- `write_book(path, *sheets)`: the workbook, saved by openpyxl with `ws.merge_cells`
  exactly as Excel keeps a merge: the value in the top-left cell, the others empty.
- `write_text(path, rows, delimiter, encoding)`: a text export (CSV, Excel's
  "Unicode 文本", a semicolon CSV) with CRLF line ends.
- `expect(rows_of, items, column)`: the observations a careful official reads from the
  rows `items` wrote, as (org, period, indicator, value, cell).
- `got(result)`, `problems(result)`, `findings_of(result)`: what a FileResult, a
  ReadResult or a CheckResult holds, in the same comparable shape.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Callable, NamedTuple

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

ORG = "大宁镇"
PERIOD = "2016-03"
TITLE = "青溪县妇联工作统计月报表"
ORG_LINE = "填报单位：大宁镇妇联"
PERIOD_LINE = "报告期：2016年3月"
FOOTER = ["填表人：赵敏", None, "审核人：王芳", None, "填报日期：2016年4月3日"]


class Item(NamedTuple):
    """One indicator row of a form: catalog id, the name as the form spells it, unit,
    本月 and 本年累计 (None: the cell is left blank)."""

    id: str
    name: str
    unit: str
    month: float | None
    ytd: float | None


# The two sections most forms open with; figures pass every default rule.
CAREERS = ("一、创业就业", [
    Item("trainings", "技能培训班", "期", 2, 5),
    Item("trainees", "参训妇女", "人", 45, 120),
    Item("trainees_certified", "取得资格证书", "人", 30, 88),
    Item("loan_applicants", "创业担保贷款申请人数", "人", 2, 6),
    Item("loan_amount", "创业担保贷款金额", "万元", 20.5, 61.25),
])
RIGHTS = ("二、巾帼维权", [
    Item("petitions", "接待信访案件", "件", 3, 8),
    Item("petitions_handled", "已处理信访案件", "件", 3, 7),
])
SECTIONS = [CAREERS, RIGHTS]
ITEMS = [item for _heading, items in SECTIONS for item in items]

Line = Callable[[int, Item], list]


def standard_line(number: int, item: Item) -> list:
    """序号 | 指标名称 | 计量单位 | 本月 | 本年累计."""
    return [number, item.name, item.unit, item.month, item.ytd]


class SheetSpec:
    """A sheet being built from row 1 down, with its merged ranges."""

    def __init__(self, name: str = "月报"):
        self.name = name
        self.rows: list[list] = []
        self.merges: list[str] = []

    def add(self, *cells) -> int:
        """Append a row (None: an empty cell); returns its row number (1-based)."""
        self.rows.append(list(cells))
        return len(self.rows)

    def merge(self, *ranges: str) -> None:
        self.merges.extend(ranges)

    def top(self, width: str = "E", title: str | None = TITLE, org_line: str | None = ORG_LINE,
            period_line: str | None = PERIOD_LINE, period_col: str = "D") -> None:
        """Row 1: the title merged across A:width; row 2: `填报单位：…` in A and
        `报告期：…` in `period_col` (None leaves that part out, the row keeps its place)."""
        self.add(title)
        if title:
            self.merge(f"A1:{width}1")
        meta = [None] * column_index_from_string(period_col)
        meta[0] = org_line
        meta[-1] = period_line
        self.add(*meta)

    def items(self, sections, line: Line = standard_line, heading_span: str | None = None) -> dict[str, int]:
        """A heading row per section (merged A:heading_span when given) and a row per
        item (`line(number, item)` gives its cells); returns indicator id → row number."""
        rows_of: dict[str, int] = {}
        for heading, items in sections:
            if heading:
                r = self.add(heading)
                if heading_span:
                    self.merge(f"A{r}:{heading_span}{r}")
            for number, item in enumerate(items, start=1):
                rows_of[item.id] = self.add(*line(number, item))
        return rows_of

    def footer(self, cells: list | None = None) -> int:
        """An empty row, then `填表人：… 审核人：… 填报日期：…`."""
        self.add()
        return self.add(*(FOOTER if cells is None else cells))


def write_book(path: Path, *sheets: SheetSpec) -> Path:
    """The workbook of `sheets`, in order. A merge over a cell that holds a value is a
    mistake of the test (Excel would drop the value): refused here."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in sheets:
        ws = book.create_sheet(spec.name)
        for row in spec.rows:
            ws.append(row)
        for ref in spec.merges:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    if (r, c) != (min_row, min_col):
                        value = ws.cell(r, c).value
                        assert value is None, f"{spec.name}!{get_column_letter(c)}{r} holds {value!r} under merge {ref}"
            ws.merge_cells(ref)
    book.save(path)
    return path


def text_bytes(rows: list[list], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """Rows as a text export writes them: CRLF line ends, `delimiter` between fields."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(
        [["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def write_text(path: Path, rows: list[list], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text_bytes(rows, delimiter, encoding))
    return path


def expect(rows_of: dict[str, int], items, column: str, measure: str = "month", org: str = ORG,
           period: str = PERIOD) -> set[tuple]:
    """(org, period, indicator, value, cell) of every filled `measure` cell of `items`,
    written in `column` on the rows `rows_of` gives."""
    out = set()
    for item in items:
        value = item.month if measure == "month" else item.ytd
        if value is not None:
            out.add((org, period, item.id, float(value), f"{column}{rows_of[item.id]}"))
    return out


def _file_results(result) -> list:
    """The FileResults of a FileResult, a ReadResult or a CheckResult."""
    if hasattr(result, "read") and hasattr(result, "exit_code"):  # CheckResult
        result = result.read
    return list(result.files) if hasattr(result, "files") else [result]


def all_observations(result) -> list[tuple]:
    """(org, period, indicator, value, sheet, cell, measure) of everything read."""
    return [o for r in _file_results(result) for o in r.observations]


def got(result, measure: str = "month") -> set[tuple]:
    """(org, period, indicator, value, cell) of the observations with `measure`."""
    return {(o[0], o[1], o[2], o[3], o[5]) for o in all_observations(result) if o[6] == measure}


def findings_of(result) -> list:
    if hasattr(result, "exit_code"):  # CheckResult: the checks' findings too
        return list(result.findings)
    if hasattr(result, "all_findings"):
        return result.all_findings()
    return list(result.findings)


def problems(result) -> list[tuple[str, str | None, str]]:
    """(code, cell, message) of every error and warning: what a clean sheet must not have."""
    return [(f.code, f.cell, f.message) for f in findings_of(result) if f.severity in ("error", "warning")]


def with_code(result, code: str) -> list:
    return [f for f in findings_of(result) if f.code == code]


def describe(result) -> list[tuple]:
    """Every finding in a readable shape, for assertion messages."""
    return [(f.code, f.severity, f.sheet, f.cell, f.row, f.message) for f in findings_of(result)]
