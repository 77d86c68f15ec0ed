"""Forms as townships really send them (issue 16): every shape read as a careful official
reads it, or refused at the cell.

Each test builds a real workbook (or text file) in tmp_path the way a clerk builds it in
Excel or WPS (merged cells with ws.merge_cells), reads it, and compares the exact
observations (org, period, indicator, value, cell) and the findings that must (or must
not) appear. The builders are in tests/form_shapes.py.

Where the finding for a new situation has no code yet, the code expected is one of the
constants below: the one place to align the names with the implementation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from check_helpers import CATALOG, RULES
from conftest import ORGS, read
from form_shapes import (
    CAREERS,
    ITEMS,
    RIGHTS,
    SECTIONS,
    TITLE,
    Item,
    SheetSpec,
    all_observations,
    describe,
    expect,
    findings_of,
    got,
    problems,
    with_code,
    write_book,
    write_text,
)

from fulian_stats.aggregate import aggregate_paths
from fulian_stats.checks import check_paths
from fulian_stats.periods import parse_period

# -- codes of findings that do not exist yet ------------------------------------------------

# info: 本月 blank, the month taken from 本年累计 (a stock's level, January's total, or the
# difference from the previous month's 本年累计), at the 本年累计 cell.
MONTH_FROM_YTD = "MONTH_DERIVED"
# error: a flow's 本月 blank and 本年累计 filled, and the previous month's file is not among the inputs.
MONTH_NOT_DERIVABLE = "MONTH_NOT_DERIVABLE"
# warning: the title names another period than the 报告期 cell (the existing code, severity warning).
TITLE_PERIOD_CONFLICT = "PERIOD_CONFLICT"
# error: a CSV row with more fields than the header.
CSV_EXTRA_FIELDS = "ROW_RAGGED"
# error: a CSV cut in the middle of its last row (message: 文件可能不完整).
FILE_TRUNCATED = "ROW_RAGGED"
# a value column whose heading is not understood (考核分) holds numbers: named at its header cell.
COLUMN_UNKNOWN = "COLUMN_UNKNOWN"
# error: a sheet with numbers and no recognisable header, named at the sheet and its first number.
SHEET_NOT_UNDERSTOOD = "LAYOUT_UNKNOWN"


def columns_read(result) -> set[str]:
    """The column letters of every observation, whatever its measure."""
    return {o[5].rstrip("0123456789") for o in all_observations(result)}


def rows_read(result) -> set[int]:
    return {int(o[5].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for o in all_observations(result)}


def assert_clean(result) -> None:
    assert problems(result) == [], describe(result)


# -- 1. headers of several rows -------------------------------------------------------------


def test_two_row_header_with_a_group_heading_over_month_and_ytd(tmp_path):
    """序号, 指标名称, 计量单位 merged down over rows 3-4; `数量` merged over D3:E3 above
    `本月 | 本年累计`. Section headings merged across the table, a footer."""
    s = SheetSpec()
    s.top()
    s.add("序号", "指标名称", "计量单位", "数量", None)
    s.add(None, None, None, "本月", "本年累计")
    s.merge("A3:A4", "B3:B4", "C3:C4", "D3:E3")
    rows_of = s.items(SECTIONS, heading_span="E")
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert got(result, "ytd") == expect(rows_of, ITEMS, "E", "ytd")
    assert rows_of["trainees"] == 7 and ("大宁镇", "2016-03", "trainees", 45.0, "D7") in got(result)
    assert_clean(result)


def test_three_row_header_year_then_quantity_then_month(tmp_path):
    """`2016年` over `数量` over `本月 | 本年累计` (D3:E3 and D4:E4 merged); the left
    headings merged down over three rows."""
    s = SheetSpec()
    s.top()
    s.add("序号", "指标名称", "计量单位", "2016年", None)
    s.add(None, None, None, "数量", None)
    s.add(None, None, None, "本月", "本年累计")
    s.merge("A3:A5", "B3:B5", "C3:C5", "D3:E3", "D4:E4")
    rows_of = s.items(SECTIONS)
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert got(result, "ytd") == expect(rows_of, ITEMS, "E", "ytd")
    assert_clean(result)


def last_year(item: Item) -> tuple[float, float]:
    """The same month and year to date of 2015: other figures than this year's."""
    return item.month + 10, item.ytd + 30


@pytest.mark.parametrize("this_year_first", [True, False], ids=["本年-then-上年同期", "上年同期-then-本年"])
def test_last_years_columns_under_a_group_heading_are_not_read(tmp_path, this_year_first):
    """`本年` merged over `本月 | 累计` beside `上年同期` merged over `本月 | 累计`: the
    sub-headings repeat, only the group says which year. Only 本年's columns are read."""
    s = SheetSpec()
    s.top(width="G")
    groups = ["本年", None, "上年同期", None] if this_year_first else ["上年同期", None, "本年", None]
    s.add("序号", "指标名称", "计量单位", *groups)
    s.add(None, None, None, "本月", "累计", "本月", "累计")
    s.merge("A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:G3")

    def line(number: int, item: Item) -> list:
        this, last = [item.month, item.ytd], list(last_year(item))
        return [number, item.name, item.unit, *(this + last if this_year_first else last + this)]

    rows_of = s.items(SECTIONS, line)
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    month, ytd = ("D", "E") if this_year_first else ("F", "G")
    assert got(result) == expect(rows_of, ITEMS, month)
    assert got(result, "ytd") == expect(rows_of, ITEMS, ytd, "ytd")
    assert columns_read(result) == {month, ytd}  # nothing at all from 上年同期
    assert_clean(result)


# -- 2. value columns headed by the month itself, in any order ------------------------------

MONTH_HEADINGS = {
    # id: (heading of D, heading of E, D is 本月)
    "3月|1-3月累计": ("3月", "1-3月累计", True),
    "本月|本月止累计": ("本月", "本月止累计", True),
    "本月|1-本月": ("本月", "1-本月", True),
    "本年累计|本月": ("本年累计", "本月", False),
    "1-3月|3月": ("1-3月", "3月", False),
}


@pytest.mark.parametrize("headings", MONTH_HEADINGS)
def test_value_columns_headed_by_the_month_in_any_order(tmp_path, headings):
    """`3月` is this form's month and `1-3月累计`, `本月止累计`, `1-本月`, `1-3月` its year
    to date; the year-to-date column may stand left of the month's."""
    d, e, month_first = MONTH_HEADINGS[headings]
    s = SheetSpec()
    s.top()
    s.add("序号", "指标名称", "计量单位", d, e)

    def line(number: int, item: Item) -> list:
        values = [item.month, item.ytd] if month_first else [item.ytd, item.month]
        return [number, item.name, item.unit, *values]

    rows_of = s.items(SECTIONS, line)
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    month, ytd = ("D", "E") if month_first else ("E", "D")
    assert got(result) == expect(rows_of, ITEMS, month)
    assert got(result, "ytd") == expect(rows_of, ITEMS, ytd, "ytd")
    assert_clean(result)


@pytest.mark.parametrize("months", [("1月", "2月", "3月"), ("一月", "二月", "三月"), ("2016-01", "2016-02", "2016-03")])
def test_a_form_with_a_column_per_month_is_refused_whole(tmp_path, months):
    # Regression: under 报告期：2016年, the 1月 column was read as the whole year and
    # 2月, 3月 were only warnings: a wrong annual total that looked right; 一月 and
    # 2016-01 headings were read as townships of a summary.
    s = SheetSpec()
    s.add("填报单位：大宁镇妇联", "", "报告期：2016年")
    s.add("指标名称", "计量单位", *months, "合计")
    s.add("新媒体推送信息", "条", 13, 13, 13, 39)
    s.add("发放宣传资料", "份", 100, 200, 300, 600)
    result = read(write_book(tmp_path / "大宁镇.xlsx", s), orgs=ORGS)
    assert result.observations == []
    assert [(f.code, f.severity, f.cell, f.values) for f in result.findings] == [
        ("LAYOUT_UNKNOWN", "error", "C2", {"months": [1, 2, 3]})]
    assert result.findings[0].message == (
        f"工作表“月报”每月一列（C2“{months[0]}”、D2“{months[1]}”、E2“{months[2]}”），而一张表只能读一个报告期，"
        "表中的数值均未读取；请每月填一张表（每月一个工作表或文件），可用 fulian-stats template 生成模板")


# -- 3. the 栏次 row ------------------------------------------------------------------------


def test_column_number_row_under_the_header_is_not_data(tmp_path):
    """`甲 | 乙 | 丙 | 1 | 2` under the header numbers the columns: its 1 and 2 are not values."""
    s = SheetSpec()
    s.top()
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    s.add("甲", "乙", "丙", 1, 2)
    rows_of = s.items(SECTIONS)
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert got(result, "ytd") == expect(rows_of, ITEMS, "E", "ytd")
    assert 4 not in rows_read(result)
    assert_clean(result)


def test_column_number_row_under_a_two_row_header(tmp_path):
    """The 栏次 row under a merged two-row header (`数量` over `本月 | 本年累计`)."""
    s = SheetSpec()
    s.top()
    s.add("序号", "指标名称", "计量单位", "数量", None)
    s.add(None, None, None, "本月", "本年累计")
    s.merge("A3:A4", "B3:B4", "C3:C4", "D3:E3")
    s.add("甲", "乙", "丙", 1, 2)
    rows_of = s.items(SECTIONS)
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert got(result, "ytd") == expect(rows_of, ITEMS, "E", "ytd")
    assert 5 not in rows_read(result)
    assert_clean(result)


# -- 4. the name split into category and sub-item -------------------------------------------


def category_sheet(header: str, categories: list[tuple[str, list[Item]]]) -> tuple[SheetSpec, dict[str, int]]:
    """序号 | category | sub-item | 计量单位 | 本月 | 本年累计, each category merged down
    column B over its rows. header "项目": `项目` merged over B3:C3; "类别": `类别 | 指标名称`."""
    s = SheetSpec()
    s.top(width="F", period_col="E")
    if header == "项目":
        s.add("序号", "项目", None, "计量单位", "本月", "本年累计")
        s.merge("B3:C3")
    else:
        s.add("序号", "类别", "指标名称", "计量单位", "本月", "本年累计")
    rows_of: dict[str, int] = {}
    number = 0
    for category, items in categories:
        first = None
        for i, item in enumerate(items):
            number += 1
            r = s.add(number, category if i == 0 else None, item.name, item.unit, item.month, item.ytd)
            rows_of[item.id] = r
            first = first or r
        s.merge(f"B{first}:B{first + len(items) - 1}")
    s.footer()
    return s, rows_of


@pytest.mark.parametrize("header", ["项目", "类别"], ids=["项目-merged-B3:C3", "类别|指标名称"])
def test_category_column_merged_down_beside_the_sub_items(tmp_path, header):
    """`创业就业` merged down B4:B7 over its four sub-items in column C, `巾帼维权` over B8:B9."""
    careers = [item for item in CAREERS[1] if item.id != "trainings"]
    categories = [("创业就业", careers), ("巾帼维权", RIGHTS[1])]
    s, rows_of = category_sheet(header, categories)
    assert s.merges[-2:] == ["B4:B7", "B8:B9"]
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    items = careers + RIGHTS[1]
    assert got(result) == expect(rows_of, items, "E")
    assert got(result, "ytd") == expect(rows_of, items, "F", "ytd")
    assert_clean(result)


def test_category_and_sub_item_together_name_the_indicator(tmp_path):
    """`妇女之家 | 活动` is 妇女之家活动 and `儿童之家 | 活动` is 儿童之家活动: the sub-item
    alone (`活动`, `服务`) names no indicator, and the same sub-item under two categories
    is two indicators."""
    categories = [
        ("妇女之家", [Item("women_home_events", "活动", "场", 4, 12),
                  Item("women_home_served", "服务", "人次", 260, 790)]),
        ("儿童之家", [Item("children_home_events", "活动", "场", 3, 9),
                  Item("children_home_served", "服务", "人次", 150, 420)]),
    ]
    s, rows_of = category_sheet("项目", categories)
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    items = [item for _c, its in categories for item in its]
    assert got(result) == expect(rows_of, items, "E")
    assert got(result, "ytd") == expect(rows_of, items, "F", "ytd")
    assert_clean(result)


# -- 5. a form folded into two blocks side by side ------------------------------------------


def test_form_folded_into_two_blocks_side_by_side(tmp_path):
    """`指标名称|计量单位|本月|本年累计|指标名称|计量单位|本月|本年累计`: the left block has
    four rows, the right three; each value is at its own block's columns (G7: the right
    block's third 本月)."""
    left = [item for item in CAREERS[1] if item.id != "trainings"]
    right = [Item("women_home_events", "妇女之家活动", "场", 4, 12),
             Item("women_home_served", "妇女之家服务", "人次", 260, 790),
             Item("children_homes_total", "儿童之家总数", "所", 11, None)]
    s = SheetSpec()
    s.top(width="H", period_col="G")
    s.add("指标名称", "计量单位", "本月", "本年累计", "指标名称", "计量单位", "本月", "本年累计")
    s.add("一、创业就业", None, None, None, "二、关爱帮扶")
    left_rows, right_rows = {}, {}
    for i in range(max(len(left), len(right))):
        a, b = (left[i] if i < len(left) else None), (right[i] if i < len(right) else None)
        r = s.add(*([a.name, a.unit, a.month, a.ytd] if a else [None] * 4),
                  *([b.name, b.unit, b.month, b.ytd] if b else []))
        if a:
            left_rows[a.id] = r
        if b:
            right_rows[b.id] = r
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    assert got(result) == expect(left_rows, left, "C") | expect(right_rows, right, "G")
    assert got(result, "ytd") == expect(left_rows, left, "D", "ytd") | expect(right_rows, right, "H", "ytd")
    assert ("大宁镇", "2016-03", "children_homes_total", 11.0, "G7") in got(result)
    assert_clean(result)


# -- 6. extra columns ------------------------------------------------------------------------


def test_extra_columns_last_year_growth_rate_and_remarks_are_ignored(tmp_path):
    """上年同期, 同比(%), 完成率, 备注 beside 本月 | 本年累计: numbers there are no observation
    and no error."""
    s = SheetSpec()
    s.top(width="I")
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计", "上年同期", "同比(%)", "完成率", "备注")

    def line(number: int, item: Item) -> list:
        last, _ = last_year(item)
        growth = round((item.month - last) / last * 100, 1)
        note = "含线上培训2期" if item.id == "trainings" else None
        return [number, item.name, item.unit, item.month, item.ytd, last, growth, "85%", note]

    rows_of = s.items(SECTIONS, line)
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert got(result, "ytd") == expect(rows_of, ITEMS, "E", "ytd")
    assert columns_read(result) == {"D", "E"}
    assert_clean(result)


# -- 7. 其中 rows belong to their parent row -------------------------------------------------

HOUSEKEEPING = [
    Item("housekeeping_events", "家政培训进村活动", "场", 2, 5),
    Item("housekeeping_participants", "家政培训参与群众", "人", 80, 200),
    Item("housekeeping_participants_poor", "其中：贫困妇女", "人", 20, 50),
    Item("trainings", "技能培训班", "期", 2, 5),
    Item("trainees", "参训妇女", "人", 45, 120),
    Item("trainees_poor", "其中：贫困妇女", "人", 12, 30),
]


def test_poor_women_rows_take_their_meaning_from_the_parent_row(tmp_path):
    """`其中：贫困妇女` under 家政培训参与群众 is housekeeping_participants_poor; the same
    words under 参训妇女 are trainees_poor. Two indicators, not a duplicate."""
    s = SheetSpec()
    s.top()
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    rows_of = s.items([("一、创业就业", HOUSEKEEPING)])
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    assert got(result) == expect(rows_of, HOUSEKEEPING, "D")
    assert got(result, "ytd") == expect(rows_of, HOUSEKEEPING, "E", "ytd")
    assert ("大宁镇", "2016-03", "housekeeping_participants_poor", 20.0, "D7") in got(result)
    assert ("大宁镇", "2016-03", "trainees_poor", 12.0, "D10") in got(result)
    assert_clean(result)


def test_poor_women_row_under_a_row_that_is_no_parent_is_unknown(tmp_path):
    """`其中：贫困妇女` under 接待信访案件 (no indicator has that parent) is
    INDICATOR_UNKNOWN at its name cell; it is neither trainees_poor nor
    housekeeping_participants_poor, and the other rows read."""
    careers = [Item("trainees", "参训妇女", "人", 45, 120), Item("trainees_poor", "其中：贫困妇女", "人", 12, 30)]
    rights = [Item("petitions", "接待信访案件", "件", 3, 8), Item("orphan", "其中：贫困妇女", "件", 1, 2),
              Item("petitions_handled", "已处理信访案件", "件", 3, 7)]
    s = SheetSpec()
    s.top()
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    rows_of = s.items([("一、创业就业", careers), ("二、巾帼维权", rights)])
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    known = careers + [rights[0], rights[2]]
    assert got(result) == expect(rows_of, known, "D")
    assert got(result, "ytd") == expect(rows_of, known, "E", "ytd")
    orphan_row = rows_of["orphan"]
    assert orphan_row not in rows_read(result)
    assert [(code, cell) for code, cell, _m in problems(result)] == [("INDICATOR_UNKNOWN", f"B{orphan_row}")]
    assert with_code(result, "INDICATOR_UNKNOWN")[0].severity == "error"


# -- 8. 小计 rows in a table -------------------------------------------------------------------

TOWNS = [("大宁镇", 45, 1989, 3), ("白沙镇", 10, 11, 1), ("青溪镇", 20, 100, 2), ("石门镇", 30, 50, 0)]
TABLE_IDS = ["trainees", "jobs_offered", "petitions"]


def table_with_subtotals(path: Path, second_subtotal_trainees: float = 50) -> Path:
    """A 清单式 sheet: two towns, 小计, two towns, 小计, 合计 (of the four towns)."""
    s = SheetSpec("Sheet1")
    s.add("青溪县各乡镇妇联2016年3月工作统计表")
    s.merge("A1:D1")
    s.add("单位名称", "参训妇女（人）", "提供就业岗位（个）", "接待信访案件（件）")
    for group in (TOWNS[:2], TOWNS[2:]):
        for town in group:
            s.add(*town)
        s.add("小计", *[sum(t[k] for t in group) for k in (1, 2, 3)])
    s.rows[-1][1] = second_subtotal_trainees
    s.add("合计", *[sum(t[k] for t in TOWNS) for k in (1, 2, 3)])
    return write_book(path, s)


def town_observations() -> set[tuple]:
    rows = {"大宁镇": 3, "白沙镇": 4, "青溪镇": 6, "石门镇": 7}
    return {(town, "2016-03", ind, float(values[k]), f"{'BCD'[k]}{rows[town]}")
            for town, *values in TOWNS for k, ind in enumerate(TABLE_IDS)}


def check_file(path: Path, period: str | None = None):
    return check_paths([path], CATALOG, RULES, None, parse_period(period) if period else None)


def test_table_subtotals_checked_against_the_rows_since_the_previous_subtotal(tmp_path):
    """Each 小计 is the sum of the rows since the previous 小计 (or the start), 合计 of all
    the towns: right ones give no finding, and none of the three rows is data."""
    result = check_file(table_with_subtotals(tmp_path / "各乡镇月报.xlsx"))
    assert got(result) == town_observations()
    assert not {5, 8, 9} & {int(o[5][1:]) for o in all_observations(result) if o[6] == "month"}
    assert problems(result) == [], describe(result)


def test_wrong_subtotal_is_a_total_mismatch_at_that_subtotal(tmp_path):
    """The second 小计 says 60 参训妇女 where its two towns have 50: TOTAL_MISMATCH at B8,
    and nothing else (the first 小计 and the 合计 are right)."""
    result = check_file(table_with_subtotals(tmp_path / "各乡镇月报.xlsx", second_subtotal_trainees=60))
    assert got(result) == town_observations()
    assert [(code, cell) for code, cell, _m in problems(result)] == [("TOTAL_MISMATCH", "B8")], describe(result)
    message = with_code(result, "TOTAL_MISMATCH")[0].message
    assert "60" in message and "50" in message


# -- 9. org labels with decorations ----------------------------------------------------------


@pytest.mark.parametrize("label", ["填报单位（盖章）：大宁镇妇联", "单位（公章）：大宁镇", "填报单位名称：大宁镇妇联",
                                   "填报单位(盖章):大宁镇妇联"])
@pytest.mark.parametrize("registry", [None, ORGS], ids=["no-registry", "registry"])
def test_org_label_with_a_decoration_gives_the_org(tmp_path, label, registry):
    """`（盖章）`, `（公章）`, `名称` belong to the label: the org is 大宁镇."""
    s = SheetSpec()
    s.top(org_line=label)
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    rows_of = s.items(SECTIONS)
    s.footer()
    result = read(write_book(tmp_path / "月报.xlsx", s), orgs=registry)
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert_clean(result)


@pytest.mark.parametrize("line", ["填报单位：大宁镇妇联　　填报人：李红梅　　联系电话：13800001111",
                                  "填报单位：大宁镇妇联 负责人：张三", "填报单位：大宁镇妇联（盖章）    2016年3月"])
def test_the_org_ends_where_the_next_label_or_the_period_begins(tmp_path, line):
    # Regression: the org was 大宁镇妇联填报人:李红梅联系电话:13800001111, a false ORG_CONFLICT.
    s = SheetSpec()
    s.top(org_line=line, period_line=None)
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    rows_of = s.items(SECTIONS)
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s))
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert_clean(result)


# -- 10. a filing date is not the period -----------------------------------------------------


def dated_form(path: Path, label: str, at_top: bool) -> tuple[Path, dict[str, int]]:
    """A form without 报告期, with `{label}：2016年4月3日` top right (D2) or in the footer."""
    s = SheetSpec()
    s.top(period_line=f"{label}：2016年4月3日" if at_top else None)
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    rows_of = s.items(SECTIONS)
    s.footer(["填表人：赵敏", None, "审核人：王芳", None, None if at_top else f"{label}：2016年4月3日"])
    return write_book(path, s), rows_of


@pytest.mark.parametrize("at_top", [True, False], ids=["top-right", "footer"])
@pytest.mark.parametrize("label", ["填报日期", "报送日期", "填表日期", "填报时间", "报送时间", "制表时间"])
def test_filing_date_is_not_the_period_the_file_name_is(tmp_path, label, at_top):
    """No 报告期 line, filed 2016年4月3日, file 大宁镇_2016-03.xlsx: the period is 2016-03,
    and the April date is no conflict with it."""
    path, rows_of = dated_form(tmp_path / "大宁镇_2016-03.xlsx", label, at_top)
    result = read(path, orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert_clean(result)


@pytest.mark.parametrize("label", ["填报日期", "报送日期", "填表日期", "填报时间", "报送时间", "制表时间"])
def test_filing_date_alone_is_no_period(tmp_path, label):
    """No period in the sheet, the file name (大宁镇月报.xlsx) or --period, only
    `填报日期：2016年4月3日`: PERIOD_MISSING, never 2016-04."""
    path, _rows = dated_form(tmp_path / "大宁镇月报.xlsx", label, at_top=True)
    result = read(path, orgs=ORGS)
    assert all_observations(result) == []
    assert [code for code, _c, _m in problems(result)] == ["PERIOD_MISSING"], describe(result)


# -- 11. sheet names give the period ---------------------------------------------------------

MONTHLY = {  # month → [(item, 本月, 本年累计)] of one town's first quarter
    1: [("trainees", 40, 40), ("petitions", 2, 2)],
    2: [("trainees", 42, 82), ("petitions", 1, 3)],
    3: [("trainees", 45, 127), ("petitions", 3, 6)],
}
NAMES = {"trainees": ("参训妇女", "人"), "petitions": ("接待信访案件", "件")}


def month_sheet(name: str, month: int, title: str = TITLE) -> tuple[SheetSpec, dict[str, int]]:
    """A form without 报告期 (the sheet's name says the month)."""
    s = SheetSpec(name)
    s.top(title=title, period_line=None)
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    items = [Item(ind, *NAMES[ind], m, y) for ind, m, y in MONTHLY[month]]
    rows_of = s.items([("一、工作情况", items)])
    s.footer()
    return s, rows_of


def test_sheets_named_by_month_in_a_year_workbook(tmp_path):
    """大宁镇2016年.xlsx with sheets 1月, 2月, 3月: three months of 2016, each from its sheet."""
    sheets = [month_sheet(f"{m}月", m) for m in (1, 2, 3)]
    result = read(write_book(tmp_path / "大宁镇2016年.xlsx", *[s for s, _r in sheets]), orgs=ORGS)
    expected = {("大宁镇", f"2016-{m:02d}", ind, float(month), f"{m}月", f"D{rows_of[ind]}")
                for m, (_s, rows_of) in zip((1, 2, 3), sheets) for ind, month, _y in MONTHLY[m]}
    assert {(o[0], o[1], o[2], o[3], o[4], o[5]) for o in all_observations(result) if o[6] == "month"} == expected
    assert {o[1] for o in all_observations(result)} == {"2016-01", "2016-02", "2016-03"}
    assert_clean(result)


@pytest.mark.parametrize("file, title, sheet, period", [
    ("大宁镇月报.xlsx", TITLE, "2016.03", "2016-03"),
    ("大宁镇2016年月报.xlsx", TITLE, "3月份", "2016-03"),
    ("大宁镇2017年月报.xlsx", TITLE, "3月", "2017-03"),
    ("大宁镇月报.xlsx", "青溪县妇联2016年工作统计月报表", "3月", "2016-03"),
], ids=["2016.03", "3月份+year-in-file", "3月+2017-in-file", "3月+year-in-title"])
def test_sheet_name_gives_the_month_and_file_or_title_the_year(tmp_path, file, title, sheet, period):
    """A sheet named `2016.03`, `3月份` or `3月`; the year, where the sheet has none, from
    the file name or the title (a month in the sheet and a year in the file name agree)."""
    s, rows_of = month_sheet(sheet, 3, title)
    result = read(write_book(tmp_path / file, s), orgs=ORGS)
    items = [Item(ind, *NAMES[ind], m, y) for ind, m, y in MONTHLY[3]]
    assert got(result) == expect(rows_of, items, "D", period=period)
    assert_clean(result)


@pytest.mark.parametrize("file, title, period_line, period", [
    ("大宁镇2016年月报.xlsx", TITLE, "报告期：三月份", "2016-03"),
    ("大宁镇月报.xlsx", "青溪县妇联2016年度工作统计月报表", "填报月份：3月", "2016-03"),
    ("大宁镇月报.xlsx", TITLE, "报告期：16年3月", "2016-03"),
], ids=["三月份+year-in-file", "3月+year-in-title", "16年3月"])
def test_a_period_cell_with_the_month_alone_takes_the_year_from_elsewhere(tmp_path, file, title, period_line, period):
    # Regression: the month without its year was not read, so a March form became the
    # whole year's (from the file name or the title) and aggregated as the annual figure.
    s = SheetSpec()
    s.top(title=title, period_line=period_line)
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    rows_of = s.items(SECTIONS)
    s.footer()
    result = read(write_book(tmp_path / file, s), orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "D", period=period)
    assert_clean(result)


@pytest.mark.parametrize("title, org", [
    ("大宁镇妇联2016年3月工作统计月报表", "大宁镇"),
    ("青溪县大宁镇妇联2016年3月工作统计月报表", "大宁镇"),  # the county first, then the township
    (TITLE, None),  # regression: 青溪县 (the county that issued the form) was taken, silencing 12 missing townships
])
def test_only_a_township_is_taken_from_the_title(tmp_path, title, org):
    s = SheetSpec()
    s.top(title=title, org_line=None)
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    s.items(SECTIONS)
    s.footer()
    result = read(write_book(tmp_path / "月报2016-03.xlsx", s), orgs=ORGS)
    assert {o[0] for o in all_observations(result)} == ({org} if org else set())
    assert [f.code for f in findings_of(result) if f.severity == "error"] == ([] if org else ["ORG_MISSING"])


# -- 12. the title names another period than the 报告期 cell --------------------------------


def test_title_naming_another_month_than_the_period_cell_is_a_warning(tmp_path):
    """Title `青溪县妇联2016年2月工作统计月报表` (A1), `报告期：2016年3月` (D2): read as
    2016-03, with a warning that names both cells."""
    s = SheetSpec()
    s.top(title="青溪县妇联2016年2月工作统计月报表")
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    rows_of = s.items(SECTIONS)
    s.footer()
    result = read(write_book(tmp_path / "月报.xlsx", s), orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert [(f.code, f.severity) for f in findings_of(result) if f.severity in ("error", "warning")] == [
        (TITLE_PERIOD_CONFLICT, "warning")], describe(result)
    message = with_code(result, TITLE_PERIOD_CONFLICT)[0].message
    assert "A1" in message and "D2" in message


# -- 13. 本月 blank, 本年累计 filled ---------------------------------------------------------


def month_form(path: Path, month: int, items: list[Item]) -> tuple[Path, dict[str, int]]:
    """大宁镇's form for 2016年{month}月 with `items` in one section."""
    s = SheetSpec()
    s.top(period_line=f"报告期：2016年{month}月")
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    rows_of = s.items([("一、创业就业", items)])
    s.footer()
    return write_book(path, s), rows_of


def month_blocks(result, file_name: str) -> set[tuple]:
    """(org, period, indicator, value, cell) of the month blocks of one file of a check."""
    return {(b.org, b.period, ind, value, cell) for b in result.read.blocks(("month",))
            if Path(b.file).name == file_name for ind, value, cell in zip(b.indicators, b.values, b.cells)}


def the_note(result, cell: str, file_name: str):
    notes = [f for f in with_code(result, MONTH_FROM_YTD) if f.cell == cell and Path(f.file).name == file_name]
    assert len(notes) == 1, describe(result)
    return notes[0]


def total(paths: list[Path], period: str, indicator: str):
    run = aggregate_paths(paths, CATALOG, RULES, None, parse_period(period))
    assert run.result is not None, [(f.code, f.cell, f.message) for f in run.blocking]
    return run.result.value(indicator)


def test_stock_with_only_the_year_to_date_filled_is_that_level(tmp_path):
    """儿童之家总数 (a stock) with 本月 blank and 本年累计 11: the level is 11, a month
    value at the 本年累计 cell, noted (info)."""
    items = [Item("poor_villages", "贫困村", "个", 8, None),
             Item("poor_villages_with_children_home", "建有儿童之家的贫困村", "个", 6, None),
             Item("children_homes_new", "新建儿童之家", "所", 1, 3),
             Item("children_homes_total", "儿童之家总数", "所", None, 11)]
    path, rows_of = month_form(tmp_path / "大宁镇_2016-03.xlsx", 3, items)
    result = check_file(path)
    cell = f"E{rows_of['children_homes_total']}"
    assert month_blocks(result, path.name) == expect(rows_of, items[:3], "D") | {
        ("大宁镇", "2016-03", "children_homes_total", 11.0, cell)}
    assert the_note(result, cell, path.name).severity == "info"
    assert problems(result) == [], describe(result)
    assert total([path], "2016-03", "children_homes_total") == 11


FEBRUARY = [Item("trainings", "技能培训班", "期", 1, 2), Item("trainees", "参训妇女", "人", 40, 85),
            Item("trainees_certified", "取得资格证书", "人", 28, 58)]
MARCH_YTD_ONLY = [Item("trainings", "技能培训班", "期", 1, 3), Item("trainees", "参训妇女", "人", None, 130),
                  Item("trainees_certified", "取得资格证书", "人", 30, 88)]


def test_flow_in_january_with_only_the_year_to_date_filled_is_the_month(tmp_path):
    """January: 参训妇女 本月 blank, 本年累计 45: the month is 45, at the 本年累计 cell, noted."""
    items = [Item("trainings", "技能培训班", "期", 1, 1), Item("trainees", "参训妇女", "人", None, 45),
             Item("trainees_certified", "取得资格证书", "人", 30, 30)]
    path, rows_of = month_form(tmp_path / "大宁镇_2016-01.xlsx", 1, items)
    result = check_file(path)
    cell = f"E{rows_of['trainees']}"
    assert month_blocks(result, path.name) == expect(rows_of, [items[0], items[2]], "D", period="2016-01") | {
        ("大宁镇", "2016-01", "trainees", 45.0, cell)}
    assert the_note(result, cell, path.name).severity == "info"
    assert problems(result) == [], describe(result)
    assert total([path], "2016-01", "trainees") == 45


def test_flow_with_only_the_year_to_date_is_the_difference_from_last_months_file(tmp_path):
    """March: 参训妇女 本月 blank, 本年累计 130; February's file (本年累计 85) is among the
    inputs: March's month is 130 − 85 = 45, at March's 本年累计 cell, noted; the totals use it."""
    folder = tmp_path / "submissions"
    month_form(folder / "大宁镇_2016-02.xlsx", 2, FEBRUARY)
    march, rows_of = month_form(folder / "大宁镇_2016-03.xlsx", 3, MARCH_YTD_ONLY)
    result = check_paths([folder], CATALOG, RULES, None, None)
    cell = f"E{rows_of['trainees']}"
    assert month_blocks(result, march.name) == expect(rows_of, [MARCH_YTD_ONLY[0], MARCH_YTD_ONLY[2]], "D") | {
        ("大宁镇", "2016-03", "trainees", 45.0, cell)}
    note = the_note(result, cell, march.name)
    assert note.severity == "info" and "45" in note.message
    assert problems(result) == [], describe(result)
    assert total([folder], "2016-03", "trainees") == 45
    assert total([folder], "2016-Q1", "trainees") == 85  # February's 40 and March's 45


def test_flow_with_only_the_year_to_date_and_no_previous_month_is_an_error_at_the_cell(tmp_path):
    """March alone, 参训妇女 本月 blank and 本年累计 130: the month cannot be known. An
    error at the 本年累计 cell, no month value, and no total published without it."""
    march, rows_of = month_form(tmp_path / "大宁镇_2016-03.xlsx", 3, MARCH_YTD_ONLY)
    result = check_paths([march], CATALOG, RULES, None, None)
    cell = f"E{rows_of['trainees']}"
    assert month_blocks(result, march.name) == expect(rows_of, [MARCH_YTD_ONLY[0], MARCH_YTD_ONLY[2]], "D")
    errors = [f for f in with_code(result, MONTH_NOT_DERIVABLE) if f.cell == cell]
    assert len(errors) == 1 and errors[0].severity == "error", describe(result)
    assert with_code(result, MONTH_FROM_YTD) == []
    run = aggregate_paths([march], CATALOG, RULES, None, parse_period("2016-03"))
    assert run.result is None and MONTH_NOT_DERIVABLE in {f.code for f in run.blocking}


# -- 14. text files ----------------------------------------------------------------------------

TABLE_HEADER = ["单位名称", "参训妇女（人）", "提供就业岗位（个）", "接待信访案件（件）"]
TABLE_ROWS = [["大宁镇", 45, 1989, 3], ["白沙镇", 10, 11, 1]]


def table_expected(rows: list[list], first_row: int = 2) -> set[tuple]:
    return {(row[0], "2016-03", ind, float(row[1 + k]), f"{'BCD'[k]}{first_row + i}")
            for i, row in enumerate(rows) for k, ind in enumerate(TABLE_IDS)}


@pytest.mark.parametrize("delimiter, encoding", [("\t", "utf-16"), (";", "utf-8")],
                         ids=["unicode-text-utf16-tab", "utf8-semicolon"])
def test_text_table_with_tab_or_semicolon_delimiter(tmp_path, delimiter, encoding):
    """Excel's "Unicode 文本" export (UTF-16 with a BOM, tabs) and a semicolon CSV of a
    清单式 table with its 合计 row: the delimiter is detected."""
    rows = [TABLE_HEADER, *TABLE_ROWS, ["合计", 55, 2000, 4]]
    result = read(write_text(tmp_path / "城区_2016-03.csv", rows, delimiter, encoding), orgs=ORGS)
    assert got(result) == table_expected(TABLE_ROWS)
    assert {(o[2], o[3], o[5]) for o in all_observations(result) if o[6] == "total"} == {
        ("trainees", 55.0, "B4"), ("jobs_offered", 2000.0, "C4"), ("petitions", 4.0, "D4")}
    assert_clean(result)


def form_text_rows() -> tuple[list[list], dict[str, int]]:
    """A form as rows of text: title, `填报单位：…,,,报告期：…`, header, sections, footer."""
    s = SheetSpec()
    s.top()
    s.add("序号", "指标名称", "计量单位", "本月", "本年累计")
    rows_of = s.items(SECTIONS)
    s.footer()
    width = max(len(row) for row in s.rows)  # Excel writes every line as wide as the sheet
    return [row + [None] * (width - len(row)) for row in s.rows], rows_of


@pytest.mark.parametrize("delimiter, encoding", [(",", "utf-8-sig"), (",", "gb18030"), ("\t", "utf-16")],
                         ids=["csv-utf8-bom", "csv-gbk", "unicode-text-utf16-tab"])
def test_text_file_with_title_and_org_line_reads_like_a_form(tmp_path, delimiter, encoding):
    """A CSV whose first lines are the title and `填报单位：大宁镇妇联,,,报告期：2016年3月`
    above the header is a form: org and period from those lines, cells as in the sheet."""
    rows, rows_of = form_text_rows()
    result = read(write_text(tmp_path / "月报.csv", rows, delimiter, encoding), orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert got(result, "ytd") == expect(rows_of, ITEMS, "E", "ytd")
    assert_clean(result)


def test_csv_row_with_more_fields_than_the_header_is_an_error_naming_the_extra_values(tmp_path):
    """`贺街镇,1,200,99,7` under a three-column header (an unquoted `1,200`?): an error at
    row 3 naming 99 and 7; the row gives no value, the other rows read."""
    lines = "单位名称,参训妇女（人）,提供就业岗位（个）\r\n大宁镇,45,1989\r\n贺街镇,1,200,99,7\r\n白沙镇,10,11\r\n"
    path = tmp_path / "城区_2016-03.csv"
    path.write_bytes(lines.encode("utf-8"))
    result = read(path)
    assert got(result) == {("大宁镇", "2016-03", "trainees", 45.0, "B2"), ("大宁镇", "2016-03", "jobs_offered", 1989.0, "C2"),
                           ("白沙镇", "2016-03", "trainees", 10.0, "B4"), ("白沙镇", "2016-03", "jobs_offered", 11.0, "C4")}
    errors = [f for f in findings_of(result) if f.severity == "error"]
    assert [(f.code, f.row) for f in errors] == [(CSV_EXTRA_FIELDS, 3)], describe(result)
    assert "99" in errors[0].message and "7" in errors[0].message


def test_csv_row_longer_than_the_others_by_empty_fields_is_an_error(tmp_path):
    """`贺街镇,1,,200,` (a delimiter too many: 200 moved from 提供就业岗位 into 接待信访案件's
    column, and the row ends in an empty field) beside rows as wide as the header: its
    values cannot be trusted to be under their headings; the row gives no value."""
    lines = ("单位名称,参训妇女（人）,提供就业岗位（个）,接待信访案件（件）\r\n大宁镇,45,1989,3\r\n"
             "贺街镇,1,,200,\r\n白沙镇,10,11,1\r\n")
    path = tmp_path / "城区_2016-03.csv"
    path.write_bytes(lines.encode("utf-8"))
    result = read(path)
    assert got(result) == table_expected(TABLE_ROWS[:1]) | table_expected(TABLE_ROWS[1:], first_row=4)
    errors = [f for f in findings_of(result) if f.severity == "error"]
    assert [(f.code, f.row, f.message) for f in errors] == [(CSV_EXTRA_FIELDS, 3, (
        "第3行有5个字段，比其他各行（4个）多：多出的虽是空字段，但可能是多了分隔符，数值错位到了别的列，本行未读取；"
        "请核对该行的分隔符（行尾多余的逗号可以删去）"))], describe(result)


def test_csv_rows_all_ending_with_the_same_empty_fields_read_as_they_are(tmp_path):
    """A writer that ends every row with a delimiter the header does not have moves nothing."""
    lines = "\r\n".join(",".join(map(str, row)) + ("," if i else "") for i, row in enumerate([TABLE_HEADER, *TABLE_ROWS]))
    path = tmp_path / "城区_2016-03.csv"
    path.write_bytes((lines + "\r\n").encode("utf-8"))
    result = read(path)
    assert got(result) == table_expected(TABLE_ROWS)
    assert [f for f in findings_of(result) if f.severity == "error"] == []


def test_csv_cut_in_the_middle_of_its_last_row_is_an_error(tmp_path):
    """The last row `白沙镇,10,11,1` cut to `白沙镇,10` (no line end, fields missing): an
    error saying 文件可能不完整; the cut row gives no value."""
    data = "\r\n".join(",".join(map(str, row)) for row in [TABLE_HEADER, *TABLE_ROWS]).encode("utf-8") + b"\r\n"
    cut = data[:data.rindex("白沙镇,10".encode()) + len("白沙镇,10".encode())]
    assert cut.endswith("白沙镇,10".encode())
    path = tmp_path / "城区_2016-03.csv"
    path.write_bytes(cut)
    result = read(path)
    assert got(result) == table_expected(TABLE_ROWS[:1])
    errors = [f for f in findings_of(result) if f.severity == "error"]
    assert [f.code for f in errors] == [FILE_TRUNCATED], describe(result)
    assert "文件可能不完整" in errors[0].message
    assert errors[0].row == 3


# -- 15. names in column B under a 指标名称 merged over A:B -----------------------------------


def test_names_in_column_b_under_a_name_heading_merged_over_a_and_b(tmp_path):
    """`指标名称` merged over A3:B3, section headings in A, names in B: read right; a row
    with a number and no name is named at B (where its name belongs), not A."""
    s = SheetSpec()
    s.top()
    s.add("指标名称", None, "计量单位", "本月", "本年累计")
    s.merge("A3:B3")
    rows_of: dict[str, int] = {}
    nameless = None
    for heading, items in SECTIONS:
        s.add(heading)
        for item in items:
            rows_of[item.id] = s.add(None, item.name, item.unit, item.month, item.ytd)
            if item.id == "trainees":
                nameless = s.add(None, None, "人", 15, 40)
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "D")
    assert got(result, "ytd") == expect(rows_of, ITEMS, "E", "ytd")
    found = problems(result)
    assert [(code, cell) for code, cell, _m in found] == [("INDICATOR_UNKNOWN", f"B{nameless}")], describe(result)
    assert f"A{nameless}" not in found[0][2]


# -- 16. numbers the reader cannot place ---------------------------------------------------------


def test_numbers_under_an_unknown_value_column_are_named_at_its_header(tmp_path):
    """`考核分` between 计量单位 and 本月 holds numbers: 本月 and 本年累计 read, and one
    finding (error or warning) names the header cell D3; nothing from column D."""
    s = SheetSpec()
    s.top(width="F", period_col="E")
    s.add("序号", "指标名称", "计量单位", "考核分", "本月", "本年累计")
    rows_of = s.items(SECTIONS, lambda n, it: [n, it.name, it.unit, it.ytd * 4, it.month, it.ytd])
    s.footer()
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    assert got(result) == expect(rows_of, ITEMS, "E")
    assert got(result, "ytd") == expect(rows_of, ITEMS, "F", "ytd")
    assert "D" not in columns_read(result)
    named = with_code(result, COLUMN_UNKNOWN)
    assert [(f.cell, f.severity in ("error", "warning")) for f in named] == [("D3", True)], describe(result)
    assert "考核分" in named[0].message


def test_sheet_with_numbers_and_no_recognisable_header_is_an_error_at_its_first_number(tmp_path):
    """A free-form sheet `工作情况` (活动 | 次数 | 参与人数, no indicator header): an error
    naming the sheet and B3, the first cell holding a number; nothing read."""
    s = SheetSpec("工作情况")
    s.add("大宁镇妇联2016年3月工作开展情况")
    s.add("开展活动", "次数", "参与人数")
    s.add("三八节座谈会", 2, 60)
    s.add("巾帼志愿服务", 5, 120)
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s), orgs=ORGS)
    assert all_observations(result) == []
    errors = [f for f in findings_of(result) if f.severity == "error"]
    assert [(f.code, f.sheet, f.cell) for f in errors] == [(SHEET_NOT_UNDERSTOOD, "工作情况", "B3")], describe(result)


# -- two candidate 本月 columns ----------------------------------------------------------------


@pytest.mark.parametrize("groups, read_col", [(("计划", "实际完成"), "F"), (("2016年", "2017年"), "F")])
def test_of_a_plan_or_last_year_beside_this_period_the_period_s_columns_are_read(tmp_path, groups, read_col):
    # Regression: 计划/本月 (or 2016年/本月), the first 本月 column, was read as the month.
    s = SheetSpec()
    s.top(width="G", period_line="报告期：2017年3月")
    s.add("序号", "指标名称", "计量单位", groups[0], None, groups[1], None)
    s.add(None, None, None, "本月", "本年累计", "本月", "本年累计")
    for cells in ("A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:G3"):
        s.merge(cells)
    s.add(1, "参训妇女", "人", 50, 150, 45, 120)
    result = read(write_book(tmp_path / "大宁镇_2017-03.xlsx", s))
    assert {(o[2], o[3], o[5], o[6]) for o in all_observations(result)} == {
        ("trainees", 45.0, f"{read_col}5", "month"), ("trainees", 120.0, "G5", "ytd")}
    assert [(f.code, f.cell) for f in findings_of(result)] == [("COLUMN_NOT_READ", "D5"), ("COLUMN_NOT_READ", "E5")]


def test_two_month_columns_neither_heading_tells_apart_are_refused(tmp_path):
    # Regression: of 城镇/本月 and 农村/本月 only the first was read: a wrong total that looked right.
    s = SheetSpec()
    s.top(width="E")
    s.add("序号", "指标名称", "计量单位", "城镇", "农村")
    s.add(None, None, None, "本月", "本月")
    s.add(1, "参训妇女", "人", 20, 25)
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s))
    assert all_observations(result) == []
    assert [(f.code, f.severity, f.cell, f.message) for f in findings_of(result)] == [
        ("COLUMN_AMBIGUOUS", "error", "E4", "列D（表头“城镇/本月”）和列E（表头“农村/本月”）都是“本月”列，不知哪一列是本期数"
         "（或两列都是其中一部分），表中的数值均未读取；请只保留本期的一列，其他列的表头写明“上年同期”“计划”等")]


@pytest.mark.parametrize("headings, said", [(("本月", "2016年1-3月"), "表头（E3）为2016年3月"),
                                            (("2016年3月", "本年累计"), "表头（D3）为2016年3月")])
def test_a_heading_naming_another_year_than_the_period_is_a_conflict(tmp_path, headings, said):
    # Regression: 2016年1-3月 in a form for 2017年3月 was read as 2017's 本年累计 without a word.
    s = SheetSpec()
    s.top(period_line="报告期：2017年3月")
    s.add("序号", "指标名称", "计量单位", *headings)
    s.add(1, "参训妇女", "人", 45, 120)
    result = read(write_book(tmp_path / "大宁镇_2017-03.xlsx", s))
    [conflict] = findings_of(result)
    assert (conflict.code, conflict.severity, conflict.message) == (
        "PERIOD_CONFLICT", "error", f"表内报告期为2017年3月，{said}，两者不一致；请核对后修改其中写错的一处")


def test_the_latest_year_s_columns_against_another_period_are_a_conflict(tmp_path):
    s = SheetSpec()
    s.top(width="G", period_line="报告期：2016年3月")
    s.add("序号", "指标名称", "计量单位", "2016年", None, "2017年", None)
    s.add(None, None, None, "本月", "本年累计", "本月", "本年累计")
    for cells in ("A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:G3"):
        s.merge(cells)
    s.add(1, "参训妇女", "人", 50, 150, 45, 120)
    result = read(write_book(tmp_path / "大宁镇_2016-03.xlsx", s))
    assert [(f.code, f.severity, f.message) for f in findings_of(result) if f.code == "PERIOD_CONFLICT"] == [
        ("PERIOD_CONFLICT", "error", "表内报告期为2016年3月，表头（F4）为2017年，两者不一致；请核对后修改其中写错的一处")]
