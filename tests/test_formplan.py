"""The fast path for form sheets (read/formplan.py) gives exactly what reading row by
row gives, or declines: the same blocks and the same findings, whatever the cells hold."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CATALOG
from fulian_stats.observations import Block
from fulian_stats.read.formplan import read_form_columns
from fulian_stats.read.grid import Sheet
from fulian_stats.read.layout import detect_layout
from fulian_stats.read.sheet import SheetReader

# (name as written, unit as written): a catalog name, an alias with its unit in
# brackets, money in 万元, and a stock.
ROWS = [("参训妇女", "人"), ("提供就业岗位（个）", ""), ("创业担保贷款金额", "万元"), ("接待信访案件", "件"),
        ("已处理信访案件", "件"), ("儿童之家总数", "所"), ("新媒体阅读量", "次")]
HEADER = ["序号", "指标名称", "计量单位", "本月", "本年累计"]


def form(body: list[list], footer: bool = True, below: list[list] = ()) -> Sheet:
    rows = [["青溪县妇联工作统计月报表", "", "", "", ""],
            ["填报单位：大宁镇妇联", "", "", "报告期：2016年3月", ""],
            list(HEADER),
            ["一、创业就业", "", "", "", ""]]
    rows += body
    if footer:
        rows += [["", "", "", "", ""], ["填表人：赵敏", "", "审核人：王芳", "", "填报日期：2016年4月3日"], *below]
    return Sheet("月报", rows)


def clean_body() -> list[list]:
    return [[i, name, unit, float(10 * i), float(30 * i)] for i, (name, unit) in enumerate(ROWS, start=1)]


def both_ways(sheet: Sheet) -> tuple[SheetReader, SheetReader]:
    layout = detect_layout(sheet, CATALOG)
    fast = SheetReader(sheet, layout, CATALOG, None, "a.xlsx")
    fast.read()
    slow = SheetReader(sheet, layout, CATALOG, None, "a.xlsx")
    slow.read(fast=False)
    return fast, slow


def test_a_clean_form_is_read_by_its_plan_into_one_block_per_column():
    sheet = form(clean_body())
    blocks = read_form_columns(sheet, detect_layout(sheet, CATALOG), CATALOG)
    ids = ("trainees", "jobs_offered", "loan_amount", "petitions", "petitions_handled", "children_homes_total",
           "wechat_reads")
    assert blocks == [
        Block("", None, None, "month", "月报", ids, array("d", [10, 20, 30, 40, 50, 60, 70]),
              ("D5", "D6", "D7", "D8", "D9", "D10", "D11")),
        Block("", None, None, "ytd", "月报", ids, array("d", [30, 60, 90, 120, 150, 180, 210]),
              ("E5", "E6", "E7", "E8", "E9", "E10", "E11")),
    ]


def test_sheets_of_one_template_share_their_indicator_and_cell_tuples():
    first, second = form(clean_body()), form(clean_body())
    a = read_form_columns(first, detect_layout(first, CATALOG), CATALOG)
    b = read_form_columns(second, detect_layout(second, CATALOG), CATALOG)
    assert a[0].indicators is b[0].indicators and a[0].cells is b[0].cells


def test_blank_cells_leave_their_indicator_out_of_the_block():
    body = clean_body()
    body[1][3] = body[1][4] = ""
    body[5][4] = ""
    sheet = form(body)
    month, ytd = read_form_columns(sheet, detect_layout(sheet, CATALOG), CATALOG)
    assert "jobs_offered" not in month.indicators and month.cells[1] == "D7"
    assert "children_homes_total" not in ytd.indicators and len(ytd.values) == 5


def test_a_sheet_with_something_to_report_is_left_to_the_row_by_row_reader():
    cases = {
        "a repeated row": lambda body: body.append([8, "参训妇女", "人", 1.0, 1.0]),
        "a unit to convert": lambda body: body[2].__setitem__(2, "元"),
        "an estimate": lambda body: body[0].__setitem__(3, "300多"),
        "text": lambda body: body[0].__setitem__(3, "不详"),
        "numbers under a heading": lambda body: body.insert(0, ["二、宣传", "", "", 5.0, ""]),
        "numbers in a 合计 row": lambda body: body.append(["", "合计", "", 5.0, ""]),
        "a 本年累计 without its 本月": lambda body: body[0].__setitem__(3, ""),
    }
    for name, change in cases.items():
        body = clean_body()
        change(body)
        sheet = form(body)
        assert read_form_columns(sheet, detect_layout(sheet, CATALOG), CATALOG) is None, name
        fast, slow = both_ways(sheet)
        assert (fast.findings or any(b.measure == "derive" for b in fast.blocks)) and fast.findings == slow.findings, name
        assert fast.blocks == slow.blocks, name


def test_numbers_of_an_indicator_below_the_footer_are_left_to_the_row_by_row_reader():
    # Regression: a form stacked under another one, or rows added after 填表人, were
    # dropped without a word (the plan stopped at the footer).
    sheet = form(clean_body()[:3], below=[["", "", "", "", ""], [4, "接待信访案件", "件", 5.0, ""]])
    assert read_form_columns(sheet, detect_layout(sheet, CATALOG), CATALOG) is None
    fast, slow = both_ways(sheet)
    assert fast.blocks == slow.blocks and fast.findings == slow.findings
    assert [(f.code, f.cell, f.values) for f in fast.findings] == [
        ("DATA_AFTER_FOOTER", "D11", {"cells": ["D11"], "count": 1, "footer_row": 9})]
    phone_below = form(clean_body()[:3], below=[["联系电话：", "", "", 13812345678.0, ""], [4, "接待信访案件", "件", "", ""]])
    assert read_form_columns(phone_below, detect_layout(phone_below, CATALOG), CATALOG) is None
    fast, slow = both_ways(phone_below)
    assert fast.findings == slow.findings
    assert [(f.code, f.values["cells"]) for f in fast.findings] == [("NUMBER_OUTSIDE_TABLE", ["D10"])]
    text_below = form(clean_body()[:3], below=[["说明：本表截至3月31日", "", "", "", ""]])
    assert len(read_form_columns(text_below, detect_layout(text_below, CATALOG), CATALOG)) == 2


CELL = st.one_of(
    st.floats(min_value=-50, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(["", " ", "1,989", "１２", "—", "300多", "约20", "不详", "45人", "2.5万", "0"]),
    st.booleans(),
    st.none(),
)
NAME = st.sampled_from([name for name, _u in ROWS] + ["", "合计", "其中：不在目录的指标", "二、宣传"])
UNIT = st.sampled_from(["人", "个", "所", "万元", "元", "件", "次", "", "亩"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(NAME, UNIT, CELL, CELL), min_size=1, max_size=12), st.booleans(),
       st.lists(st.tuples(NAME, UNIT, CELL, CELL), max_size=3))
def test_the_fast_path_reads_any_form_exactly_as_row_by_row(rows, footer, below):
    body = [[i, name, unit, month, ytd] for i, (name, unit, month, ytd) in enumerate(rows, start=1)]
    fast, slow = both_ways(form(body, footer, [["", *row] for row in below] if footer else ()))
    assert fast.blocks == slow.blocks
    assert fast.findings == slow.findings


PLAIN = st.one_of(st.floats(min_value=0, max_value=1e7, allow_nan=False), st.integers(min_value=0, max_value=10**6),
                  st.sampled_from(["", " ", "1,989", "１２", "—", "0", "12.5"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ROWS), PLAIN, PLAIN), min_size=1, max_size=7, unique_by=lambda r: r[0]),
       st.one_of(st.none(), st.tuples(st.integers(0, 6), st.integers(3, 4), CELL)), st.booleans())
def test_the_fast_path_reads_template_forms_exactly_as_row_by_row(rows, disturbance, footer):
    """Forms as townships fill in a template, most of them clean (the fast path's own
    work), some with one odd cell."""
    body = [[i, name, unit, month, ytd] for i, ((name, unit), month, ytd) in enumerate(rows, start=1)]
    if disturbance is not None and disturbance[0] < len(body):
        body[disturbance[0]][disturbance[1]] = disturbance[2]
    fast, slow = both_ways(form(body, footer))
    assert fast.blocks == slow.blocks
    assert fast.findings == slow.findings


def test_a_name_ending_in_合计_is_no_total_row_unless_it_names_a_group():
    # Regression: 贷款发放合计 (no catalog name) was taken for a 合计 row, an info, and
    # its number left out of the totals; it is an unknown indicator with a number.
    body = clean_body()
    body[2][1] = "贷款发放合计"
    fast, slow = both_ways(form(body))
    assert fast.findings == slow.findings
    assert [f.code for f in fast.findings] == ["INDICATOR_UNKNOWN"]


def test_a_blank_merged_value_cell_and_a_split_date_above_the_header_say_nothing():
    sheet = form(clean_body())
    sheet.rows.insert(1, ["", "2016", "年", 3, "月"])
    sheet.merged = ((6, 3, 7, 3),)
    sheet.rows[6][3] = ""  # the merged D7:D8 is blank
    fast, slow = both_ways(sheet)
    assert fast.findings == slow.findings == []
