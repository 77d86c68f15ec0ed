"""Layouts: where in a sheet the header, the names and the numbers are.

- form (表式): one org and period per sheet; rows of indicators, a 本月 column and
  optionally 本年累计.
- matrix: a form whose value columns are orgs, with a 合计 column; the summary
  workbook that `aggregate` writes is one, so it is a valid input for the level above.
- table (清单式): one row per org (and month); one column per indicator; a 合计 row.

Detection looks at header words only, so it costs a few dozen cells per sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from fulian_stats.catalog import Catalog
from fulian_stats.normalize import normalize_name, normalize_text
from fulian_stats.read.grid import Sheet

NAME_HEADERS = {"指标名称", "指标", "项目", "指标项目", "项目名称", "统计指标", "指标名"}
MONTH_HEADERS = {"本月", "本期", "本月数", "本期数", "数值", "本月完成", "当月", "当月数", "本月值", "本期值", "数量", "完成数",
                 "本月完成数", "当月完成", "当月完成数", "本月实绩"}
YTD_HEADERS = {"本年累计", "累计", "本年累计数", "年度累计", "今年累计", "累计数", "1-本月累计"}
UNIT_HEADERS = {"计量单位", "单位", "计算单位"}
TOTAL_HEADERS = {"合计", "总计", "汇总", "全县合计", "全区合计", "全市合计"}
IGNORED_HEADERS = {"序号", "编号", "备注", "说明", "上年同期", "同比", "同比增长", "增长率", "上月", "环比", "去年同期",
                   "填报人", "填表人", "联系人", "联系电话", "电话", "手机"}
ORG_HEADERS = {"单位", "单位名称", "填报单位", "乡镇", "乡镇(街道)", "乡镇街道", "镇街", "地区", "名称", "组织名称", "乡镇名称", "街道", "镇(街道)"}
PERIOD_HEADERS = {"月份", "报告期", "时间", "期间", "统计月份", "填报月份", "报告月份", "年月"}
# The first words of a footer row (below the table: not data) and of a 合计 row.
FOOTER = re.compile(r"^(?:填表人|填报人|审核人|负责人|制表人|填报日期|填表日期|报送日期|日期|联系电话|单位负责人|统计人|分管领导|注[:：]|说明[:：])")
TOTAL_ROW = re.compile(r"^(?:合计|总计|小计|汇总|全[县区市镇]合?计)")
HEADER_SCAN_ROWS = 40
# Header words are short; a 5 MB cell must not be normalised whole just to learn it is none.
_LONGEST_HEADER = 200


@dataclass
class Layout:
    kind: str  # "form", "matrix" or "table"
    header_row: int  # index into sheet.rows
    name_col: int | None = None
    unit_col: int | None = None
    month_col: int | None = None
    ytd_col: int | None = None
    total_col: int | None = None
    org_col: int | None = None
    period_col: int | None = None
    # matrix: column → org text; table: column → indicator id
    value_cols: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)  # table: column → unit from header
    unknown_cols: list[int] = field(default_factory=list)  # table: headed columns that are no indicator
    unit_row: int | None = None


def cell_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None or value == "":
        return ""
    return str(value)


def opens_footer(row: list) -> bool:
    """The row's first text is a footer's (填表人：…): the table has ended above it."""
    first = next((v for v in row if isinstance(v, str) and v.strip()), "")
    return bool(first) and _is_footer_text(first.lstrip()[:_LONGEST_HEADER])


@lru_cache(maxsize=65536)
def _is_footer_text(text: str) -> bool:
    return FOOTER.match(normalize_text(text)) is not None


def header_key(value: object) -> str:
    return _text_key(value) if isinstance(value, str) else ""


@lru_cache(maxsize=65536)
def _text_key(text: str) -> str:
    return normalize_name(text[:_LONGEST_HEADER]).rstrip(":")


def detect_layout(sheet: Sheet, catalog: Catalog) -> Layout | None:
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        keys = [header_key(v) for v in row]
        if any(k in NAME_HEADERS for k in keys):
            layout = _form_columns(index, keys)
            if layout is not None:
                return layout
        indicator_cols = {}
        units = {}
        for col, value in enumerate(row):
            if isinstance(value, str) and keys[col]:
                found, unit = catalog.lookup(value)
                if found:
                    indicator_cols[col] = found
                    if unit:
                        units[col] = unit
        # One indicator column is a table too when an org column stands beside it.
        if len(indicator_cols) >= 2 or (indicator_cols and any(k in ORG_HEADERS for k in keys)):
            return _table_columns(sheet, index, keys, indicator_cols, units, catalog)
    return None


def _form_columns(index: int, keys: list[str]) -> Layout | None:
    layout = Layout("form", index)
    for col, key in enumerate(keys):
        if not key or key in IGNORED_HEADERS:
            continue
        if key in NAME_HEADERS and layout.name_col is None:
            layout.name_col = col
        elif key in UNIT_HEADERS:
            layout.unit_col = col
        elif key in MONTH_HEADERS:
            layout.month_col = col
        elif key in YTD_HEADERS:
            layout.ytd_col = col
        elif key in TOTAL_HEADERS:
            layout.total_col = col
        else:
            layout.value_cols[col] = key
    if layout.month_col is not None:
        layout.value_cols = {}
        return layout
    # A summary's org columns come with their 合计; without one, an unknown column is
    # more likely a value header we do not know than an org, and guessing would be wrong.
    if layout.value_cols and layout.total_col is not None:
        layout.kind = "matrix"
        return layout
    return None


def _table_columns(sheet: Sheet, index: int, keys: list[str], indicator_cols: dict[int, str],
                   units: dict[int, str], catalog: Catalog) -> Layout:
    layout = Layout("table", index, value_cols=indicator_cols, units=units)
    for col, key in enumerate(keys):
        if col in indicator_cols:
            continue
        if key in PERIOD_HEADERS and layout.period_col is None:
            layout.period_col = col
        elif key in ORG_HEADERS and layout.org_col is None:
            layout.org_col = col
        elif key and key not in IGNORED_HEADERS:
            layout.unknown_cols.append(col)
    if layout.org_col is None:
        # No recognised org header: the first column that is neither an indicator nor the period.
        layout.org_col = next(
            (c for c in range(len(keys)) if c not in indicator_cols and c != layout.period_col
             and keys[c] not in IGNORED_HEADERS),
            None,
        )
        if layout.org_col in layout.unknown_cols:
            layout.unknown_cols.remove(layout.org_col)
    # A row of units under the header (`人`, `万元`) belongs to the header.
    if index + 1 < len(sheet.rows):
        below = [header_key(sheet.rows[index + 1][c]) for c in indicator_cols if c < len(sheet.rows[index + 1])]
        filled = [u for u in below if u]
        if filled and all(u in catalog.units for u in filled):
            layout.unit_row = index + 1
            for col in indicator_cols:
                unit = header_key(sheet.rows[index + 1][col]) if col < len(sheet.rows[index + 1]) else ""
                if unit:
                    layout.units[col] = unit
    return layout
