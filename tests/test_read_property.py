"""The invariant that keeps misreads from passing silently: whatever shape a form takes,
every number under its value columns becomes an observation, and every number the
reader cannot place is named in a finding.

Hypothesis draws the shape (header of one to three rows with merged group headings,
the order and spelling of 本月 and 本年累计, 序号, a 栏次 row, a category column, two
forms side by side, extra columns such as 上年同期, 其中 rows, a row naming no
indicator) and the figures; the sheet is written as a clerk builds it in Excel and read
back. The observations must be exactly the figures written, each at its own cell.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from conftest import read

# (id, name as the form writes it, unit); a 其中 row follows its parent.
POOL = [
    [("wechat_posts", "新媒体推送信息", "条"), ("lectures", "专题宣讲", "场")],
    [("trainees", "参训妇女", "人"), ("trainees_poor", "其中：贫困妇女", "人")],
    [("jobs_offered", "提供就业岗位", "个"), ("job_intents", "达成就业意向", "人")],
    [("petitions", "接待信访案件", "件"), ("petitions_handled", "已处理信访案件", "件")],
    [("children_homes_total", "儿童之家总数", "所"), ("women_home_served", "妇女之家服务", "人次")],
]
SECTION_NAMES = ["思想引领", "创业就业", "就业服务", "巾帼维权", "关爱帮扶"]
EXTRAS = ["上年同期", "同比(%)", "备注", "完成率"]
FIGURE = st.one_of(st.none(), st.integers(min_value=0, max_value=5000))


@st.composite
def form_shapes(draw):
    groups = draw(st.lists(st.sampled_from(range(len(POOL))), min_size=1, max_size=len(POOL), unique=True))
    blocks = draw(st.sampled_from([1, 2])) if len(groups) > 1 else 1
    shape = {
        "header_rows": draw(st.sampled_from([1, 2, 3])),
        "ytd_first": draw(st.booleans()),
        "month_word": draw(st.sampled_from(["本月", "3月", "本期", "当月数"])),
        "ytd_word": draw(st.sampled_from(["本年累计", "1-3月累计", "累计", "本月止累计", "1-本月"])),
        "seq": draw(st.booleans()),
        "extras": draw(st.lists(st.sampled_from(EXTRAS), unique=True, max_size=2)),
        "code_row": draw(st.booleans()),
        "category": draw(st.booleans()),
        "junk": draw(st.booleans()),
        "last_year": draw(st.booleans()),  # 上年同期 over a second 本月 | 本年累计 (headers of two rows or more)
        "blocks": [],
    }
    cut = (len(groups) + 1) // 2 if blocks == 2 else len(groups)
    for part in (groups[:cut], groups[cut:]) if blocks == 2 else (groups,):
        sections = []
        for g in part:
            rows = [(ind, name, unit, draw(FIGURE), draw(FIGURE), draw(FIGURE)) for ind, name, unit in POOL[g]]
            sections.append((SECTION_NAMES[g], rows))
        shape["blocks"].append(sections)
    return shape


def block_columns(shape) -> list[tuple[str, str]]:
    """(role, leaf heading) of one block's columns, left to right."""
    cols = [("seq", "序号")] if shape["seq"] else []
    if shape["category"]:
        cols.append(("category", "类别"))
    cols += [("name", "指标名称"), ("unit", "计量单位")]
    values = [("month", shape["month_word"]), ("ytd", shape["ytd_word"])]
    cols += values[::-1] if shape["ytd_first"] else values
    if shape["last_year"] and shape["header_rows"] > 1:
        cols += [("last_year", word) for _role, word in values]
    return cols + [("extra", e) for e in shape["extras"]]


def write_form(path: Path, shape) -> tuple[dict, set]:
    """The sheet; returns the observations a careful official reads from it
    ({measure: {(indicator, value, cell)}}) and the cells of the numbers in the row
    that names no indicator."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "月报"
    cols = block_columns(shape)
    width = len(cols) * len(shape["blocks"])
    ws.cell(1, 1, "青溪县妇联工作统计月报表")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, "填报单位：大宁镇妇联")
    ws.cell(2, width, "报告期：2016年3月")
    top, depth = 3, shape["header_rows"]
    groups = {3: ["2016年", "数量"], 2: ["数量"], 1: []}[depth]
    expected = {"month": set(), "ytd": set(), "derive": set()}
    junk = set()
    first_data = top + depth + (1 if shape["code_row"] else 0)
    last_row = first_data
    for b, sections in enumerate(shape["blocks"]):
        left = b * len(cols) + 1
        at = {role: left + i for i, (role, _w) in enumerate(cols) if role != "extra"}
        values = [left + i for i, (role, _w) in enumerate(cols) if role in ("month", "ytd")]
        last_year = [left + i for i, (role, _w) in enumerate(cols) if role == "last_year"]
        if last_year:  # the same leaf words as this year's, under a group that makes them last year's
            ws.cell(top, min(last_year), "上年同期")
            ws.merge_cells(start_row=top, start_column=min(last_year), end_row=top + depth - 2, end_column=max(last_year))
        for i, (role, word) in enumerate(cols):
            c = left + i
            if role in ("month", "ytd", "last_year"):
                ws.cell(top + depth - 1, c, word)
            else:
                ws.cell(top, c, word)
                if depth > 1:
                    ws.merge_cells(start_row=top, start_column=c, end_row=top + depth - 1, end_column=c)
        for level, word in enumerate(groups):  # group headings merged across the two value columns
            ws.cell(top + level, min(values), word)
            ws.merge_cells(start_row=top + level, start_column=min(values), end_row=top + level, end_column=max(values))
        if shape["code_row"]:
            stems, number = iter("甲乙丙丁戊己"), 1
            for i, (role, _w) in enumerate(cols):
                if role in ("month", "ytd", "extra", "last_year"):
                    ws.cell(top + depth, left + i, number)
                    number += 1
                else:
                    ws.cell(top + depth, left + i, next(stems))
        r = first_data
        for s, (section, rows) in enumerate(sections):
            if not shape["category"]:
                ws.cell(r, left, f"{'一二三四五'[s]}、{section}")
                ws.merge_cells(start_row=r, start_column=left, end_row=r, end_column=left + len(cols) - 1)
                r += 1
            else:
                ws.cell(r, at["category"], section)
                if len(rows) > 1:
                    ws.merge_cells(start_row=r, start_column=at["category"], end_row=r + len(rows) - 1,
                                   end_column=at["category"])
            for number, (ind, name, unit, month, ytd, extra) in enumerate(rows, start=1):
                if "seq" in at:
                    ws.cell(r, at["seq"], number)
                ws.cell(r, at["name"], name)
                ws.cell(r, at["unit"], unit)
                for role, value in (("month", month), ("ytd", ytd)):
                    if value is not None:
                        ws.cell(r, at[role], value)
                        expected[role].add((ind, float(value), f"{get_column_letter(at[role])}{r}"))
                if month is None and ytd is not None:
                    expected["derive"].add((ind, float(ytd), f"{get_column_letter(at['ytd'])}{r}"))
                for i, (role, _w) in enumerate(cols):
                    if role in ("extra", "last_year") and extra is not None:
                        ws.cell(r, left + i, extra)  # never data, whatever it holds
                r += 1
        if shape["junk"] and b == 0:
            ws.cell(r, at["name"], "巾帼志愿服务")
            ws.cell(r, at["month"], 7)
            junk.add(f"{get_column_letter(at['name'])}{r}")
            r += 1
        last_row = max(last_row, r)
    ws.cell(last_row + 1, 1, "填表人：赵敏")
    wb.save(path)
    return expected, junk


def as_text(book: Path) -> Path:
    """The sheet saved as a CSV (UTF-8 with BOM), as Excel saves one: merges gone, each
    merged text left in its first cell."""
    ws = openpyxl.load_workbook(book).active
    path = book.with_suffix(".csv")
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, lineterminator="\r\n").writerows(
            [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)])
    return path


# A nightly run may try many more: FULIAN_PROPERTY_EXAMPLES=2000.
EXAMPLES = int(os.environ.get("FULIAN_PROPERTY_EXAMPLES", "60"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form_shapes(), st.booleans())
def test_every_number_of_any_form_shape_is_read_or_named(shape, text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "大宁镇_2016-03.xlsx"
        expected, junk = write_form(path, shape)
        result = read(as_text(path) if text else path)
    got = {measure: {(o[2], o[3], o[5]) for o in result.observations if o[6] == measure}
           for measure in ("month", "ytd", "derive")}
    assert {o[:2] for o in result.observations} <= {("大宁镇", "2016-03")}
    assert got == expected, (shape, [(f.code, f.cell, f.message) for f in result.findings])
    problems = {(f.code, f.cell) for f in result.findings if f.severity != "info"}
    cut_short = {("NO_DATA", None)} if text and not any(expected.values()) and not junk else set()
    assert problems == {("INDICATOR_UNKNOWN", cell) for cell in junk} | cut_short, shape
