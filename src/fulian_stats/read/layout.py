"""Layouts: where in a sheet the header, the names and the numbers are.

- form (表式): one org and period per sheet; rows of indicators, a 本月 column and
  optionally 本年累计 (header.py reads a header of several rows, merged cells, a 栏次
  row, a category column, side-by-side blocks).
- matrix: a form whose value columns are orgs, with a 合计 column; the summary
  workbook that `aggregate` writes is one, so it is a valid input for the level above.
- table (清单式): one row per org (and month); one column per indicator; 合计 and
  小计 rows.

Detection looks at the header and, where a header leaves it open, at the first rows
under it; for a sheet made from a known template it costs a few dozen cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from fulian_stats.catalog import Catalog
from fulian_stats.normalize import normalize_text
from fulian_stats.read.grid import Sheet
from fulian_stats.read.numbers import holds_number
from fulian_stats.read.table_header import groups_above, headings_down, measures_below
from fulian_stats.read.header import (
    CATEGORY,
    EMPTY,
    HEADER_SCAN_ROWS,
    IGNORED,
    MONTH,
    NAME,
    NAME_HEADERS,
    OTHER_PERIOD,
    PERSON_WORDS,
    SEQ,
    TOTAL,
    UNIT,
    UNKNOWN,
    YTD,
    Column,
    FormBlock,
    HeaderBand,
    SheetCells,
    band_bottom,
    header_band,
    header_key,
    heading_role,
    is_code_row,
)

ORG_HEADERS = {"单位", "单位名称", "填报单位", "乡镇", "乡镇(街道)", "乡镇街道", "镇街", "地区", "名称", "组织名称", "乡镇名称", "街道", "镇(街道)"}
PERIOD_HEADERS = {"月份", "报告期", "时间", "期间", "统计月份", "填报月份", "报告月份", "年月"}
# The first words of a footer row (below the table: not data) and of a 合计 or 小计 row.
FOOTER = re.compile(r"^(?:" + "|".join(PERSON_WORDS) + r"|填报日期|填表日期|报送日期|报出日期|日期|填报时间|报送时间|填表时间|制表时间"
                    r"|审核[:：]|制表[:：]|填表[:：]|注[:：]|说明[:：])")
# A group's own subtotal names the group first: 镇小计, 乡镇小计, 街道合计 (a kind of place,
# not an indicator: 贷款发放合计 is no total row, and its number must not go unread).
_GROUP = r"(?:镇|乡|村|乡镇|街道|社区|城区|农村|片区|其中)"
SUBTOTAL_ROW = re.compile(rf"^(?:小计|{_GROUP}(?:小计|合计)$)")
TOTAL_ROW = re.compile(rf"^(?:合计|总计|小计|汇总|共计|总合计|全[县区市镇乡旗](?:合计|总计|计)|(?:本月|本期|当月)合计"
                       rf"|{_GROUP}(?:小计|合计)$)")
# Rows of a table that are no org's and total nothing to check: another period's, an
# average, a breakdown (其中：街道). Their numbers are named, never summed as an org's.
NOT_AN_ORG_ROW = re.compile(rf"^(?:(?:本年|年度|全年)?累计|平均|{OTHER_PERIOD}|其中)")
# The header of a long table, one row per org and indicator: aggregate's CSV and a summary's
# 明细 sheet begin so (output.files, output.workbook). No submission's layout: named as such.
LONG_HEADER = ("单位", "报告期", "指标名称", "计量单位", "数值")
_NOT_UNDER_A_GROUP = ORG_HEADERS | PERIOD_HEADERS
# A sub-heading under an indicator that is the indicator itself, beside its 其中 columns.
_ITSELF = re.compile(r"^(?:本月|本期|本月数|本期数|当月|合计|总数|总计)$")  # not 人数: 技能培训班/人数 is no 期
NAME_SAMPLE_ROWS = 40  # rows under a header looked at to tell the name column from a category column


@dataclass
class Layout:
    kind: str  # "form", "matrix" or "table"
    header_row: int  # the header's first row (index into sheet.rows)
    header_bottom: int | None = None  # its last row; the same for a one-row header
    data_start: int | None = None  # the first row under the header (and its 栏次 or unit row)
    blocks: list[FormBlock] = field(default_factory=list)  # form and matrix: each form on the sheet
    columns: list[Column] = field(default_factory=list)  # every column under the header, for inspect
    code_row: int | None = None  # a 栏次 row under the header
    # table: column → indicator id, unit from the header, the org and period columns
    value_cols: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)
    ytd_cols: dict[int, str] = field(default_factory=dict)  # table: a 本年累计 column under its indicator's heading
    unknown_cols: list[int] = field(default_factory=list)  # table: headed columns that are no indicator
    org_col: int | None = None
    period_col: int | None = None
    unit_row: int | None = None
    groups: dict[int, str] = field(default_factory=dict)  # table: column → the group heading over it (创业担保贷款)
    more_org_cols: list[int] = field(default_factory=list)  # table: another 单位名称 column (a second list beside)
    declared: str | None = None  # the fulian.toml [[layout]] entry that gave it

    def __post_init__(self):
        if self.header_bottom is None:
            self.header_bottom = self.header_row
        if self.data_start is None:
            below = max(r for r in (self.header_bottom, self.code_row, self.unit_row) if r is not None)
            self.data_start = below + 1

    @cached_property
    def month_hint(self) -> Column | None:
        """The first value column whose heading names a month or a year (`3月`, `1-3月累计`,
        `2017年/本月`)."""
        return next((c for c in self.columns if (c.month is not None or c.year is not None) and c.role in (MONTH, YTD)),
                    None)

    # The first form's columns, by the names the row reader and the fast path use.
    @property
    def name_col(self) -> int | None:
        return self.blocks[0].name_col if self.blocks else None

    @property
    def unit_col(self) -> int | None:
        return self.blocks[0].unit_col if self.blocks else None

    @property
    def month_col(self) -> int | None:
        return self.blocks[0].month_col if self.blocks else None

    @property
    def ytd_col(self) -> int | None:
        return self.blocks[0].ytd_col if self.blocks else None

    @property
    def total_col(self) -> int | None:
        return self.blocks[0].total_col if self.blocks else None


def cell_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None or value == "":
        return ""
    return str(value)


def opens_footer(row: list) -> bool:
    """The row's first text is a footer's (填表人：…): the table has ended above it."""
    first = next((v for v in row if isinstance(v, str) and v.strip()), "")
    return bool(first) and _is_footer_text(first.lstrip()[:200])


@lru_cache(maxsize=65536)
def _is_footer_text(text: str) -> bool:
    return FOOTER.match(normalize_text(text)) is not None


def detect_layout(sheet: Sheet, catalog: Catalog) -> Layout | None:
    rows = sheet.rows
    scan = min(HEADER_SCAN_ROWS, len(rows))
    cells = SheetCells(sheet, scan + 3)
    for index in range(scan):
        row = rows[index]
        keys = cells.keys(index)
        if tuple(keys[:len(LONG_HEADER)]) == LONG_HEADER:
            return None  # a long table: diagnose says what it is
        if not NAME_HEADERS.isdisjoint(keys):
            layout = _form_layout(sheet, cells, index, catalog)
            if layout is not None:
                return layout
        groups = groups_above(cells, index, keys, _NOT_UNDER_A_GROUP) if index else {}
        if groups:
            row, keys = headings_down(cells, index, row, keys, groups)
        indicator_cols, units = _indicator_columns(row, keys, catalog, groups)
        # One indicator column is a table too when an org column stands beside it.
        if len(indicator_cols) >= 2 or (indicator_cols and any(k in ORG_HEADERS for k in keys)):
            below = cells.keys(index + 1) if index + 1 < scan else []
            if below and not _unit_row(below, catalog) and not any(holds_number(v) for v in rows[index + 1]) \
                    and groups_above(cells, index + 1, below, _NOT_UNDER_A_GROUP):  # sub-headings hold no figure
                continue  # a group heading stands in this row: the header ends on the row below
            layout = _table_layout(sheet, cells, index, keys, indicator_cols, units, catalog)
            layout.groups = {c: g for c, g in groups.items() if c < len(keys) and keys[c]}
            layout.columns = [replace(col, heading=f"{layout.groups[col.index]}/{col.heading}")
                              if col.index in layout.groups else col for col in layout.columns]
            return layout
    return None


def _unit_row(keys: list[str], catalog: Catalog) -> bool:
    """A row of units under a header (人 | 万元 | 人): part of the header, no sub-headings."""
    units = [k.strip("()[]【】") for k in keys if k]
    return bool(units) and all(u in catalog.units for u in units)


# -- forms ------------------------------------------------------------------------------


# Sheets made from one template have the same header: its layout is worked out once.
# (A header whose name column must be told from the cells under it is not kept.)
_known: dict[tuple, Layout | None] = {}
MAX_KNOWN = 1024


def _form_layout(sheet: Sheet, cells: SheetCells, top: int, catalog: Catalog) -> Layout | None:
    rows = sheet.rows
    bottom = band_bottom(cells, top)
    code_row = bottom + 1 < len(rows) and is_code_row(rows[bottom + 1])
    merged = tuple(m for m in sheet.merged if m[0] <= bottom + 1) if sheet.merged else ()
    key = (sheet.row_offset, sheet.col_offset, top, bottom, code_row, merged, *map(tuple, rows[top:bottom + 1]))
    if key in _known:
        return _known[key]
    band = header_band(cells, top, bottom)
    from_cells = any(len(run) > 1 for run in _name_runs(band.columns))  # the name column told by the rows under it
    blocks = form_blocks(band, sheet, catalog)
    layout = None
    if any(block.value_cols for block in blocks):
        layout = _layout_of("form", band, blocks)
    # A summary's org columns come with their 合计; without one, an unknown column is
    # more likely a value header we do not know than an org, and guessing would be wrong.
    elif len(blocks) == 1 and blocks[0].total_col is not None and blocks[0].unknown_cols:
        block = blocks[0]
        block.org_cols, block.unknown_cols = block.unknown_cols, []
        layout = _layout_of("matrix", band, blocks)
    if not from_cells:
        if len(_known) >= MAX_KNOWN:
            _known.clear()
        _known[key] = layout
    return layout


def _layout_of(kind: str, band: HeaderBand, blocks: list[FormBlock]) -> Layout:
    return Layout(kind, band.top, band.bottom, band.data_start, blocks, band.columns, band.code_row)


def form_blocks(band: HeaderBand, sheet: Sheet, catalog: Catalog) -> list[FormBlock]:
    """The forms under a header, one per name column (a sheet may hold two side by
    side), each with the columns from its own (or its category column) to the next's."""
    columns = band.columns
    starts: list[tuple[int, FormBlock]] = []
    for run in _name_runs(columns):
        block = _resolve_names(run, columns, sheet, band.data_start, catalog)
        first = block.category_col if block.category_col is not None else block.name_col
        starts.append((first, block))
    for i, (first, block) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(columns)
        begin = 0 if i == 0 else first
        _earlier_years_not_read(columns[begin:end])
        for column in columns[begin:end]:
            _assign(block, column)
    return [block for _first, block in starts]


def _earlier_years_not_read(columns: list[Column]) -> None:
    """Of 本月 (or 本年累计) columns headed for different years (`2016年/本月`,
    `2017年/本月`), the latest year's is this period's: the others are last year's."""
    for role in (MONTH, YTD):
        dated = [col for col in columns if col.role == role and col.year is not None]
        years = {col.year for col in dated}
        if len(years) < 2 or len({col.month for col in dated}) > 1:
            continue  # 2016-12 | 2017-01: a column per month, which sheet.py refuses
        for col in dated:
            if col.year < max(years):
                col.role, col.reason, col.month = IGNORED, f"“{col.year}年”不是本期数", None


def _name_runs(columns: list[Column]) -> list[list[int]]:
    """Runs of adjacent name columns (one header merged across them), each with the
    category column just before it and an unheaded column just after it: the names
    may stand in any of them."""
    runs: list[list[int]] = []
    for column in columns:
        if column.role != NAME:
            continue
        if runs and runs[-1][-1] == column.index - 1 and columns[column.index - 1].role == NAME:
            runs[-1].append(column.index)
        else:
            runs.append([column.index])
    for run in runs:
        after = run[-1] + 1
        if after < len(columns) and columns[after].role == EMPTY:
            run.append(after)
        if run[0] > 0 and columns[run[0] - 1].role == CATEGORY:
            run.insert(0, run[0] - 1)
    return runs


def _resolve_names(run: list[int], columns: list[Column], sheet: Sheet, start: int, catalog: Catalog) -> FormBlock:
    """The block of one name header: its name column is the column of the run whose
    cells under it name the most indicators; when none names any by itself (sub-items
    such as `活动` under a category `妇女之家`), the rightmost one holding text. A column
    of text before it is the category; the others (numbering, blanks) are left out."""
    if len(run) == 1:
        return FormBlock(run[0])
    rows = sheet.rows[start:start + NAME_SAMPLE_ROWS]

    def texts(c: int) -> list[str]:
        return [row[c] for row in rows if c < len(row) and isinstance(row[c], str) and row[c].strip()
                and not _is_numbering(row[c])]

    named = {c: sum(1 for text in texts(c) if catalog.lookup(text)[0] is not None) for c in run}
    written = [c for c in run if texts(c)]
    if any(named.values()):
        name_col = max(run, key=lambda c: (named[c], c))
    elif written:
        name_col = written[-1]
    else:  # nothing to go by: the column headed as the name
        name_col = next(c for c in run if columns[c].role == NAME)
    block = FormBlock(name_col)
    before = [c for c in written if c < name_col]
    if before:
        block.category_col = before[-1]
    for c in run:
        if c not in (block.name_col, block.category_col):
            columns[c].role, columns[c].reason = SEQ, "序号或空白列"
    return block


_NUMBERING = re.compile(r"^[(（]?[一二三四五六七八九十\d]+[)）.、]?$")


def _is_numbering(text: str) -> bool:
    return _NUMBERING.match(normalize_text(text)) is not None


def _assign(block: FormBlock, column: Column) -> None:
    c, role = column.index, column.role
    if c in (block.name_col, block.category_col):
        column.role = NAME if c == block.name_col else CATEGORY
        return
    if role == MONTH and column.month is not None:
        block.months[c] = column.month  # several months across one form: sheet.py refuses it
    if role == UNIT and block.unit_col is None:
        block.unit_col = c
    elif role == MONTH and block.month_col is None:
        block.month_col = c
    elif role == YTD and block.ytd_col is None:
        block.ytd_col = c
    elif role == TOTAL and block.total_col is None:
        block.total_col = c
    elif role in (IGNORED, SEQ):
        block.ignored_cols.append(c)
    elif role in (MONTH, YTD, UNIT, TOTAL):  # a second one in one form: which is meant is not known
        column.role, column.reason = UNKNOWN, f"同一张表中第二个“{column.heading}”列"
        block.unknown_cols.append(c)
        if role != UNIT:
            block.rivals[c] = {MONTH: block.month_col, YTD: block.ytd_col, TOTAL: block.total_col}[role]
    elif role in (UNKNOWN, EMPTY, NAME, CATEGORY):
        if role in (NAME, CATEGORY):
            column.role, column.reason = UNKNOWN, f"同一张表中第二个“{column.heading}”列"
        block.unknown_cols.append(c)


# -- tables -----------------------------------------------------------------------------


def _indicator_columns(row: list, keys: list[str], catalog: Catalog,
                       groups: dict[int, str] = {}) -> tuple[dict[int, str], dict[int, str]]:
    """Column → indicator id (and → unit in its heading) of a table header row; a
    `其中…` column is a sub-item of the indicator column before it. Under a group heading
    the column is first its group's (创业担保贷款 + 金额: 创业担保贷款金额), then its own."""
    found, units, parent = {}, {}, None
    for col, value in enumerate(row):
        if not (isinstance(value, str) and keys[col]):
            continue
        ind, unit = catalog.lookup_row(groups[col] + value, parent) if col in groups else (None, None)
        if ind is None and col in groups and _ITSELF.match(keys[col]):
            ind, unit = catalog.lookup(groups[col])  # 参训妇女 over 本月 | 其中：贫困妇女: 本月 is 参训妇女 itself
        if ind is None:
            ind, unit = catalog.lookup_row(value, parent)
        if ind:
            found[col] = ind
            if unit:
                units[col] = unit
            if catalog[ind].parent is None:
                parent = ind
    return found, units


def _table_layout(sheet: Sheet, cells: SheetCells, index: int, keys: list[str], indicator_cols: dict[int, str],
                  units: dict[int, str], catalog: Catalog) -> Layout:
    measures = measures_below(cells, index, indicator_cols, units)
    if measures is None:
        layout = Layout("table", index, value_cols=indicator_cols, units=units)
    else:  # 参训妇女 over 本月 | 本年累计: the header is two rows
        layout = Layout("table", index, index + 1, value_cols=measures.month, units=measures.units, ytd_cols=measures.ytd)
    taken = set(layout.value_cols) | set(layout.ytd_cols)
    ignored = list(measures.ignored) if measures is not None else []  # 参训妇女/上年同期
    for col, key in enumerate(keys):
        if col in taken or col in ignored:
            continue
        if key in PERIOD_HEADERS and layout.period_col is None:
            layout.period_col = col
        elif key in ORG_HEADERS and layout.org_col is None:
            layout.org_col = col
        elif key in ORG_HEADERS:
            layout.more_org_cols.append(col)  # a second list of orgs beside the first: read_table refuses
        elif key and heading_role(key)[0] in (SEQ, IGNORED):
            ignored.append(col)
        else:
            layout.unknown_cols.append(col)  # headed or not: a number under it has no indicator
    if layout.org_col is None and layout.unknown_cols:
        # No recognised org header: the first column that is neither an indicator, the period nor 序号.
        layout.org_col = layout.unknown_cols.pop(0)
    rows = sheet.rows
    below = layout.header_bottom + 1
    if below < len(rows) and is_code_row(rows[below]):
        layout.code_row = below
        below += 1
    # A row of units under the header (`人`, `万元`) belongs to the header.
    if below < len(rows):
        unit_keys = {c: header_key(rows[below][c]).strip("()[]【】") for c in taken if c < len(rows[below])}
        filled = [u for u in unit_keys.values() if u]
        if filled and all(u in catalog.units for u in filled):
            layout.unit_row = below
            layout.units.update({c: u for c, u in unit_keys.items() if u})
    layout.data_start = max(r for r in (layout.header_bottom, layout.code_row, layout.unit_row) if r is not None) + 1
    roles = {layout.org_col: "org", layout.period_col: "period"}
    leaves = measures.leaves if measures is not None else {}

    def indicator_column(c: int) -> Column:
        ind = layout.value_cols.get(c) or layout.ytd_cols[c]
        heading = f"{keys[measures.owners[c]]}/{leaves[c]}" if leaves.get(c) else keys[c]
        return Column(c, heading, "indicator",
                      reason=f"{ind}（{catalog[ind].label}{'，本年累计' if c in layout.ytd_cols else ''}）")

    under = {c: f"{keys[measures.owners[c]]}/{leaf}" for c, leaf in measures.ignored.items()} if measures else {}
    layout.columns = [indicator_column(c) if c in taken else
                      Column(c, under.get(c) or (keys[c] if c < len(keys) else ""),
                             roles.get(c) or (IGNORED if c in ignored else
                                              (UNKNOWN if c < len(keys) and keys[c] else EMPTY)))
                      for c in range(max(len(keys), max(taken | set(ignored), default=-1) + 1))]
    return layout
