"""A form's header: which rows it spans and what each column under it holds.

Real forms are made by hand in Excel or WPS from a county's template: a header of one
to three rows, group headings merged across the columns below them (`数量` over `本月 |
本年累计`), `指标名称` merged down, a 栏次 row (`甲 乙 丙 1 2`) under it, the indicator
name split into a category column and a sub-item column, sometimes two forms side by
side on one sheet. A column's full heading is the texts of the header rows above it, top
to bottom, a merged cell counting for every column it covers (`数量/本月`); its role
comes from the whole heading, so that `上年同期/本月` is never this month's figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from fulian_stats.findings import a1, show_number
from fulian_stats.normalize import normalize_name, normalize_text
from fulian_stats.periods import MONTH_NUMERAL, month_number

NAME_HEADERS = {"指标名称", "指标", "项目", "指标项目", "项目名称", "统计指标", "指标名", "工作项目",
                "统计项目", "主要指标", "工作内容"}
CATEGORY_HEADERS = {"类别", "分类", "栏目", "工作类别", "项目类别", "大类", "类型", "工作类型"}
UNIT_HEADERS = {"计量单位", "单位", "计算单位", "统计单位"}
SEQ_HEADERS = {"序号", "编号", "行次", "代码", "指标代码", "栏次"}
TOTAL_HEADERS = {"合计", "总计", "汇总", "全县合计", "全区合计", "全市合计"}
MONTH_HEADERS = {"本月", "本期", "本月数", "本期数", "数值", "本月完成", "当月", "当月数", "本月值", "本期值", "数量", "完成数",
                 "本月完成数", "当月完成", "当月完成数", "本月实绩", "本月发生数", "当月发生数", "本期完成"}
YTD_HEADERS = {"本年累计", "累计", "本年累计数", "年度累计", "今年累计", "累计数", "1-本月累计", "本年度累计", "累计完成",
               "累计完成数", "本年累计完成", "年累计", "全年累计"}
# Words that make a column no figure of this period, wherever they stand in its heading:
# another period's figures or ratios of them, notes, and who filled the form in.
# Another period's figures, or the change from one: a column's heading or a table row's label.
OTHER_PERIOD = r"上年|去年|同期|同比|环比|比上年|比去年|较上年|增减|增长|增幅"
_NOT_THIS_PERIOD = rf"(?:(?:19|20)\d\d年度?)?(?:{OTHER_PERIOD}|上月|比上月|完成率|占比|比重)"
# What was to be done, not what was: the whole heading word (任务完成情况 is what was done).
_PLAN = r"(?:全年|年度|本年|本月|当月)?(?:计划|目标|任务|目标任务|预计|预算|应完成)(?:数|数量|值|任务)?$"
# Who filled the form in: a footer's first words, a label that ends the org's value, a column of no figures.
PERSON_WORDS = ("单位负责人", "负责人", "填报人", "填表人", "制表人", "审核人", "统计人", "统计员", "经办人", "复核人",
                "核对人", "分管领导", "联系人", "联系电话", "电话", "手机")
_NOTE, _CONTACT = r"备注|说明", "|".join(PERSON_WORDS)
NOTE_WORDS, CONTACT_WORDS = re.compile(rf"^(?:{_NOTE})"), re.compile(rf"^(?:{_CONTACT})")
PLAN_WORDS = re.compile(rf"^{_PLAN}")
IGNORED_WORDS = re.compile(rf"^(?:{_NOT_THIS_PERIOD}|{_PLAN}|{_NOTE}|{_CONTACT})")
_HEADING_YEAR = re.compile(r"^((?:19|20)\d\d)(?:年|[-./]\d)")
# Headings that only say "the figure" and take their meaning from the group above them.
GENERIC_VALUE = {"数量", "数值", "完成数", "实绩", "数据", "完成情况", "完成", "数"}
_MONTH_HEADING = re.compile(rf"^(?:(?:19|20)\d\d年)?({MONTH_NUMERAL})月份?(?:数|完成数|完成|发生数)?$")
_YEAR_MONTH_HEADING = re.compile(r"^(?:19|20)\d\d[-./](\d{1,2})$")  # 2016-01: a month as a column heading
_YTD_HEADING = re.compile(r"^(?:(?:19|20)\d\d年)?(?:1|一)月?[-~—–至到](\d{1,2}|本)月份?(?:累计)?(?:数|完成数|完成)?$")
_YTD_TO_DATE = re.compile(r"^(?:本月止|至本月|截至本月|截止本月|截至目前|截止目前|年初至今|年初至本月)(?:累计)?(?:数|完成数|完成)?$")
# Spellings of the two beyond the lists: `本月实际数`, `当月完成情况`; `累计完成数量`.
_MONTH_WORDS = re.compile(r"^(?:本月|当月|本期)(?!.*累计)")
_YTD_WORDS = re.compile(r"^(?:本年|今年|年度|全年)?累计")
CODE_WORDS = frozenset("甲乙丙丁戊己庚辛壬癸") | {"栏次"}

NAME, CATEGORY, UNIT, SEQ, MONTH, YTD, TOTAL, IGNORED, UNKNOWN, EMPTY = (
    "name", "category", "unit", "seq", "month", "ytd", "total", "ignored", "unknown", "empty")
ROLE_LABELS = {NAME: "指标名称", CATEGORY: "类别", UNIT: "计量单位", SEQ: "序号", MONTH: "本月", YTD: "本年累计",
               TOTAL: "合计", IGNORED: "不读取", UNKNOWN: "无法识别", EMPTY: "无表头"}
HEADER_SCAN_ROWS = 40
MAX_HEADER_ROWS = 3
_LONGEST_HEADER = 200  # header words are short; a 5 MB cell must not be normalised whole


@lru_cache(maxsize=65536)
def _text_key(text: str) -> str:
    return normalize_name(text[:_LONGEST_HEADER]).rstrip(":")


def header_key(value: object) -> str:
    """A header cell's words as compared: normalised, no numbering, no colon."""
    return _text_key(value) if isinstance(value, str) else ""


def unit_cell(value: object) -> str:
    """The unit written in a 计量单位 cell. A number typed there stays a number: a unit
    no indicator has (UNIT_UNKNOWN), not a blank that leaves the catalog's unit."""
    if isinstance(value, str):
        return header_key(value)
    return show_number(value) if type(value) in (int, float) else ""


@lru_cache(maxsize=16384)
def heading_role(key: str) -> tuple[str | None, int | None]:
    """(role, month it names) of one heading word; role None for a word that says
    nothing by itself (a group heading such as `2016年`)."""
    if not key:
        return EMPTY, None
    if IGNORED_WORDS.match(key):
        return IGNORED, None
    for role, words in ((NAME, NAME_HEADERS), (CATEGORY, CATEGORY_HEADERS), (UNIT, UNIT_HEADERS), (SEQ, SEQ_HEADERS),
                        (TOTAL, TOTAL_HEADERS), (YTD, YTD_HEADERS), (MONTH, MONTH_HEADERS)):
        if key in words:
            return role, None
    match = _MONTH_HEADING.match(key) or _YEAR_MONTH_HEADING.match(key)
    month = month_number(match.group(1)) if match else None
    if month is not None:
        return MONTH, month
    match = _YTD_HEADING.match(key)
    if match:
        end = match.group(1)
        return YTD, (int(end) if end.isdigit() and 1 <= int(end) <= 12 else None)
    if _YTD_TO_DATE.match(key) or _YTD_WORDS.match(key):
        return YTD, None
    if _MONTH_WORDS.match(key):
        return MONTH, None
    return None, None


@dataclass
class Column:
    """One column under a header: its full heading, its role and the header cell that
    says so (A1, for messages)."""

    index: int
    heading: str  # the heading's words top to bottom, `/` between: `数量/本月`
    role: str
    cell: str | None = None
    month: int | None = None  # the month the heading names: 3 for `3月` or `1-3月累计`
    reason: str = ""  # why a column is not read (for inspect)
    year: int | None = None  # the year the heading names: 2016 for `2016年/本月`


def ignored_reason(part: str) -> str:
    """Why a column headed `part` (an IGNORED_WORDS heading) is not read: 不是本期数…"""
    return "是说明栏" if NOTE_WORDS.match(part) else "是填报人信息" if CONTACT_WORDS.match(part) else \
        "是计划数，不是完成数" if PLAN_WORDS.match(part) else "不是本期数"


def heading_year(parts: list[str]) -> int | None:
    """The year a column's heading names (`2016年/本月`, `2017年3月`, `2016-03`), if any."""
    return next((int(m.group(1)) for part in parts if (m := _HEADING_YEAR.match(part))), None)


def column_role(parts: list[str]) -> tuple[str, int | None, str]:
    """(role, month named, reason) of a column from its heading's words, top to bottom."""
    if not parts:
        return EMPTY, None, "没有表头"
    for part in parts:
        if IGNORED_WORDS.match(part):
            return IGNORED, None, f"“{part}”{ignored_reason(part)}"
    role, month = heading_role(parts[-1])
    if role is None or (role == MONTH and parts[-1] in GENERIC_VALUE):
        # A leaf that only says "the figure" (or says nothing) takes the meaning of its group.
        for part in reversed(parts[:-1]):
            group, group_month = heading_role(part)
            if group in (MONTH, YTD):
                return group, group_month, ""
    if role is None:
        return UNKNOWN, None, f"表头“{'/'.join(parts)}”不是可识别的列"
    return role, month, ""


class Merges:
    """Each merged range's text for every cell it covers, in the rows a header may hold."""

    def __init__(self, merged, last_row: int, width: int):
        self.cover: dict[tuple[int, int], tuple[int, int]] = {}
        self.extent: dict[tuple[int, int], tuple[int, int]] = {}
        self.rows: set[int] = set()  # rows with a cell covered by a merge
        self.tops: set[int] = set()  # rows a merge starts on
        self.wide_ends: set[int] = set()  # rows a merge across columns ends on (a group heading's)
        for r1, c1, r2, c2 in merged:
            if r1 > last_row or c1 >= width:
                continue
            self.extent[(r1, c1)] = (r2, c2)
            self.tops.add(r1)
            if c2 > c1:
                self.wide_ends.add(r2)
            for r in range(r1, min(r2, last_row) + 1):
                for c in range(c1, min(c2, width - 1) + 1):
                    if (r, c) != (r1, c1):
                        self.cover[(r, c)] = (r1, c1)
                        self.rows.add(r)

    def source(self, r: int, c: int) -> tuple[int, int]:
        return self.cover.get((r, c), (r, c))


@dataclass
class HeaderBand:
    """The header rows of a form (indexes into sheet.rows) and its columns."""

    top: int
    bottom: int
    columns: list[Column]
    code_row: int | None = None  # the 栏次 row under the header
    merged: bool = False  # the header was read with the sheet's merged ranges

    @property
    def data_start(self) -> int:
        return (self.code_row if self.code_row is not None else self.bottom) + 1


@dataclass
class FormBlock:
    """One form on a sheet (a sheet may hold two side by side): its columns by role."""

    name_col: int
    category_col: int | None = None
    unit_col: int | None = None
    month_col: int | None = None
    ytd_col: int | None = None
    total_col: int | None = None
    org_cols: list[int] = field(default_factory=list)  # a summary's org columns (matrix)
    unknown_cols: list[int] = field(default_factory=list)  # headed (or not) but no known role
    ignored_cols: list[int] = field(default_factory=list)  # 序号, 上年同期, 备注…: never data
    months: dict[int, int] = field(default_factory=dict)  # column → the month its 本月-like heading names (`3月`)
    rivals: dict[int, int] = field(default_factory=dict)  # a second 本月 (本年累计, 合计) column → the first

    @property
    def value_cols(self) -> list[int]:
        return [c for c in (self.month_col, self.ytd_col) if c is not None]


class SheetCells:
    """The cells of a sheet's first rows as a header reads them: merged text filled in."""

    def __init__(self, sheet, last_row: int):
        self.rows = sheet.rows
        self.sheet = sheet
        self.merges = None
        if sheet.merged:
            self.merges = Merges(sheet.merged, last_row, max(map(len, self.rows[:last_row + 1]), default=0))

    def keys(self, r: int) -> list[str]:
        """The header words of row r's cells, merged text filled in."""
        row = self.rows[r]
        if self.merges is None or r not in self.merges.rows:
            return [header_key(v) for v in row]
        return [header_key(self.value(r, c)) for c in range(len(row))]

    def value(self, r: int, c: int):
        if self.merges is not None:
            r, c = self.merges.source(r, c)
        row = self.rows[r]
        return row[c] if c < len(row) else None

    def is_own(self, r: int, c: int) -> bool:
        """The cell holds its own value (it is no part of a merge but its first cell)."""
        return self.merges is None or (r, c) not in self.merges.cover

    def cell(self, r: int, c: int) -> str:
        if self.merges is not None:
            r, c = self.merges.source(r, c)
        return a1(self.sheet.row_offset + r, self.sheet.col_offset + c)

    def merged_down_to(self, r: int, c: int) -> int:
        """The last row a merged range starting at (r, c) covers; r when none does."""
        if self.merges is None:
            return r
        return self.merges.extent.get((r, c), (r, c))[0]


def band_bottom(cells: SheetCells, top: int) -> int:
    """The last row of the header that starts at row `top`: as deep as the merges from
    that row reach, plus rows below whose cells are only leaf headings (`本月`, `累计`),
    at most MAX_HEADER_ROWS."""
    rows = cells.rows
    bottom = top
    if cells.merges is not None and top in cells.merges.tops:
        for c in range(len(rows[top])):
            bottom = max(bottom, cells.merged_down_to(top, c))
    bottom = min(bottom, top + MAX_HEADER_ROWS - 1, len(rows) - 1)
    while bottom + 1 < len(rows) and bottom - top + 1 < MAX_HEADER_ROWS and is_leaf_row(cells, bottom + 1):
        bottom += 1
    return bottom


def header_band(cells: SheetCells, top: int, bottom: int | None = None) -> HeaderBand:
    """The header from row `top` to `bottom` (band_bottom's by default), its columns'
    full headings and roles, and a 栏次 row, if one follows."""
    rows = cells.rows
    if bottom is None:
        bottom = band_bottom(cells, top)
    columns = []
    width = max(len(rows[r]) for r in range(top, bottom + 1))
    spread = _spread_groups(cells, top, bottom, width) if cells.merges is None and bottom > top else {}
    for c in range(width):
        parts, cell = [], None
        for r in range(top, bottom + 1):
            key = spread.get((r, c)) or header_key(cells.value(r, c))
            if key and (not parts or parts[-1] != key):
                parts.append(key)
                cell = cells.cell(r, c)
        role, month, reason = column_role(parts)
        year = heading_year(parts) if role in (MONTH, YTD) else None
        columns.append(Column(c, "/".join(parts), role, cell or cells.cell(bottom, c), month, reason, year))
    code_row = bottom + 1 if bottom + 1 < len(rows) and is_code_row(rows[bottom + 1]) else None
    return HeaderBand(top, bottom, columns, code_row, cells.merges is not None)


def _spread_groups(cells: SheetCells, top: int, bottom: int, width: int) -> dict[tuple[int, int], str]:
    """Without merged ranges (a CSV keeps none), a group heading stands in its first
    column only: it covers the empty cells to its right that have a heading below
    them, as a merge across them would."""
    spread = {}
    for r in range(top, bottom):
        group = ""
        for c in range(width):
            key = header_key(cells.value(r, c))
            below = any(header_key(cells.value(b, c)) for b in range(r + 1, bottom + 1))
            if key:
                group = key if below else ""
            elif group and below:
                spread[(r, c)] = group
            else:
                group = ""
    return spread


def is_leaf_row(cells: SheetCells, r: int) -> bool:
    """A row under a header's first row that still belongs to it: every value of its own
    is a heading word with a role of a value column, and there is one at least."""
    found = False
    for c, value in enumerate(cells.rows[r]):
        if value is None or value == "" or not cells.is_own(r, c):
            continue
        if not isinstance(value, str):
            return False
        role, _month = heading_role(header_key(value))
        if role not in (MONTH, YTD, UNIT, TOTAL, IGNORED, SEQ):
            return False
        found = found or role in (MONTH, YTD)
    return found


def is_code_row(row: list) -> bool:
    """A 栏次 row: `甲 乙 丙 1 2 3` (stems for the text columns, 1, 2, … for the values;
    two forms side by side may each count from 1). Numbers alone must count 1, 2, 3 …
    one after another: else they could be a row of data."""
    texts = [v for v in row if v is not None and v != "" and not (isinstance(v, str) and not v.strip())]
    if len(texts) < 2:
        return False
    numbers, stems = [], 0
    for value in texts:
        if isinstance(value, str):
            key = normalize_text(value)
            if key in CODE_WORDS:
                stems += 1
                continue
            if not key.isdigit():
                return False
            value = int(key)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
            value = int(value)
        else:
            return False
        numbers.append(value)
    if stems:
        return all(0 < n < 100 for n in numbers)
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))
