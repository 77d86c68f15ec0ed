"""Declared layouts: a county's template that no detection can guess, described in
`fulian.toml`.

    [[layout]]
    name = "白沙镇月报"            # how messages name the entry (else "第1个 [[layout]]")
    files = "*白沙镇*.xlsx"         # which files: a glob on the file name …
    title = "妇女工作情况统计表"    # … or a text in the sheet's first rows
    sheet = "月报"                  # only this sheet (optional)
    header_rows = "3-4"             # the header's rows: 3, "3-4" or [3, 4]
    data_start = 6                  # the first row of data (optional: after the header)
    name_column = "B"               # and category_column, unit_column (optional)
    month_column = "D"              # and/or ytd_column
    org_cell = "B2"                 # where the org and the period are written (optional)
    period_cell = "F2"

A declaration that cannot be used is a ConfigError naming the entry, before any file
is read; a declared cell that holds nothing usable is a finding naming the entry.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from fulian_stats.errors import ConfigError
from fulian_stats.findings import a1, column_index
from fulian_stats.normalize import normalize_text
from fulian_stats.periods import period_of_cell
from fulian_stats.read.header import (
    CATEGORY,
    EMPTY,
    IGNORED,
    MONTH,
    NAME,
    UNIT,
    YTD,
    Column,
    FormBlock,
    SheetCells,
    header_key,
)
from fulian_stats.read.meta import Found, labelled_values

KEYS = {"name", "files", "title", "sheet", "header_rows", "data_start", "name_column", "category_column",
        "unit_column", "month_column", "ytd_column", "org_cell", "period_cell"}
COLUMN_KEYS = {"name_column": NAME, "category_column": CATEGORY, "unit_column": UNIT, "month_column": MONTH,
               "ytd_column": YTD}
_COLUMN = re.compile(r"^[A-Za-z]{1,3}$")
_CELL = re.compile(r"^([A-Za-z]{1,3})([1-9]\d{0,6})$")
_ROWS = re.compile(r"^\s*([1-9]\d{0,5})\s*(?:[-~–—]\s*([1-9]\d{0,5}))?\s*$")
TITLE_ROWS = 10  # where a declared title is looked for


@dataclass(frozen=True)
class DeclaredLayout:
    label: str  # how messages name the entry
    files: str | None
    title: str | None
    sheet: str | None
    header_rows: tuple[int, int]  # 0-based, first and last
    data_start: int | None  # 0-based
    columns: tuple[tuple[str, int], ...]  # (role, 0-based column) for name, category, unit, month, ytd
    org_cell: tuple[int, int] | None  # 0-based (row, column)
    period_cell: tuple[int, int] | None

    def matches(self, file_name: str, sheet) -> bool:
        if self.sheet is not None and normalize_text(sheet.name or "") != normalize_text(self.sheet):
            return False
        if self.files is not None and not fnmatch.fnmatchcase(file_name, self.files):
            return False
        if self.title is not None:
            wanted = normalize_text(self.title)
            return any(isinstance(v, str) and wanted in normalize_text(v[:200])
                       for row in sheet.rows[:TITLE_ROWS] for v in row)
        return True

    def layout(self, sheet, catalog):
        from fulian_stats.read.layout import Layout

        top, left = sheet.row_offset, sheet.col_offset
        first, last = (max(0, r - top) for r in self.header_rows)
        role_of = {c - left: role for role, c in self.columns}
        cells = SheetCells(sheet, last + 3)
        width = max([len(row) for row in sheet.rows[first:last + 1]] + [max(role_of) + 1 if role_of else 0])
        columns = []
        for c in range(width):
            parts = []
            for r in range(first, min(last, len(sheet.rows) - 1) + 1):
                key = header_key(cells.value(r, c))
                if key and (not parts or parts[-1] != key):
                    parts.append(key)
            role = role_of.get(c, IGNORED if parts else EMPTY)
            columns.append(Column(c, "/".join(parts), role, a1(top + last, left + c),
                                  reason="布局声明中没有这一列" if c not in role_of else ""))
        block = FormBlock(**{f"{role}_col": c for c, role in role_of.items()})
        block.ignored_cols = [c for c in range(width) if c not in role_of]
        start = max(0, self.data_start - top) if self.data_start is not None else last + 1
        return Layout("form", first, last, start, [block], columns, declared=self.label)

    def meta(self, sheet, found_org: Found | None, found_period: Found | None, report):
        """(org, period, what was reported missing) from the declared cells (where
        declared), else as found."""
        org, period, missing = found_org, found_period, set()
        for key, at in (("org", self.org_cell), ("period", self.period_cell)):
            if at is None:
                continue
            r, c = at[0] - sheet.row_offset, at[1] - sheet.col_offset
            raw = sheet.rows[r][c] if 0 <= r < len(sheet.rows) and 0 <= c < len(sheet.rows[r]) else None
            text = raw.strip() if isinstance(raw, str) else raw
            if isinstance(text, str):
                pairs = labelled_values(text)
                text = pairs[0][1] if pairs and pairs[0][1] else text
            cell = a1(*at)
            if key == "org":
                if isinstance(text, str) and text:
                    org = Found(text, cell)
                else:
                    missing.add(key)
                    report("ORG_MISSING", f"按配置中的布局{self.label}，填报单位应写在{cell}单元格，但该单元格为空；"
                           "请填写填报单位，或改正布局声明", cell)
                continue
            found = period_of_cell(text) if text not in (None, "") else None
            if found is not None:
                period = Found(found.code, cell)
            else:
                missing.add(key)
                report("PERIOD_MISSING", f"按配置中的布局{self.label}，报告期应写在{cell}单元格，但该单元格"
                       f"{'为空' if text in (None, '') else '中的“' + str(text)[:20] + '”不是报告期'}；"
                       "请填写报告期（如2016年3月），或改正布局声明", cell)
        return org, period, missing


def declared_for(layouts, file_name: str, sheet) -> DeclaredLayout | None:
    return next((layout for layout in layouts if layout.matches(file_name, sheet)), None)


def parse_layouts(entries, source: str) -> tuple[DeclaredLayout, ...]:
    """`[[layout]]` entries of fulian.toml as DeclaredLayouts, or a ConfigError naming the entry."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"配置文件 {source} 中 layout 应写作一个或多个 [[layout]] 表")
    return tuple(_parse_one(entry, i, source) for i, entry in enumerate(entries, start=1))


def _parse_one(entry: dict, number: int, source: str) -> DeclaredLayout:
    label = f"“{entry['name']}”" if isinstance(entry.get("name"), str) and entry["name"].strip() else f"第{number}个 [[layout]]"

    def fail(problem: str) -> ConfigError:
        return ConfigError(f"配置文件 {source} 中的布局{label}：{problem}")

    unknown = sorted(set(entry) - KEYS)
    if unknown:
        raise fail(f"有未知的设置项 {'、'.join(unknown)}（可用：{'、'.join(sorted(KEYS))}）")
    for key in ("name", "files", "title", "sheet", *COLUMN_KEYS, "org_cell", "period_cell"):
        if key in entry and not (isinstance(entry[key], str) and entry[key].strip()):
            raise fail(f"{key} 应为非空文字")
    if "files" not in entry and "title" not in entry:
        raise fail("需要 files（文件名通配符，如 \"*白沙镇*.xlsx\"）或 title（表头上方的标题文字）说明用于哪些报表")
    columns = []
    for key, role in COLUMN_KEYS.items():
        if key in entry:
            if not _COLUMN.match(entry[key].strip()):
                raise fail(f"{key} 应为列的字母（如 \"B\"），而不是“{entry[key]}”")
            columns.append((role, column_index(entry[key].strip())))
    roles = dict(columns)
    if NAME not in roles:
        raise fail("缺少 name_column（指标名称所在的列）")
    if MONTH not in roles and YTD not in roles:
        raise fail("需要 month_column（本月）或 ytd_column（本年累计）")
    used = [c for _r, c in columns]
    if len(set(used)) < len(used):
        raise fail("有两个角色声明在同一列")
    header = _rows(entry.get("header_rows"), fail)
    data_start = entry.get("data_start")
    if data_start is not None and (not isinstance(data_start, int) or isinstance(data_start, bool)
                                   or data_start <= header[1] + 1):
        raise fail(f"data_start 应为表头之后的行号（大于{header[1] + 1}）")
    cells = {}
    for key in ("org_cell", "period_cell"):
        if key in entry:
            match = _CELL.match(entry[key].strip())
            if match is None:
                raise fail(f"{key} 应为单元格地址（如 \"B2\"），而不是“{entry[key]}”")
            cells[key] = (int(match.group(2)) - 1, column_index(match.group(1)))
    return DeclaredLayout(label, entry.get("files"), entry.get("title"), entry.get("sheet"), header,
                          data_start - 1 if data_start is not None else None, tuple(columns),
                          cells.get("org_cell"), cells.get("period_cell"))


def _rows(value, fail) -> tuple[int, int]:
    """header_rows as (first, last), 0-based."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        first = last = value
    elif isinstance(value, list) and len(value) in (1, 2) and all(isinstance(v, int) and not isinstance(v, bool)
                                                                  for v in value):
        first, last = value[0], value[-1]
    elif isinstance(value, str) and _ROWS.match(value):
        match = _ROWS.match(value)
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    else:
        raise fail("缺少 header_rows（表头所在的行，如 3 或 \"3-4\"）" if value is None else
                   f"header_rows 应为行号，如 3、\"3-4\" 或 [3, 4]，而不是“{value}”")
    if not 1 <= first <= last or last - first >= 5:
        raise fail(f"header_rows 的行号无效（{first}至{last}）：应从1起，首行不大于末行，最多6行")
    return first - 1, last - 1
