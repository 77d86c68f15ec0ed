"""Tests for fulian_stats.output.charts: the 图表 sheet of the summary workbook, native charts
drawn from 汇总表 and 分月, one unit per axis, titled with the region."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from agg_helpers import CATALOG, frame
from fulian_stats.aggregate import aggregate
from fulian_stats.output.charts import by_unit, main_indicators
from fulian_stats.output.workbook import write_workbook
from fulian_stats.periods import parse_period

Q1 = parse_period("2016-Q1")


def people(region=None):
    """Two townships' quarter: people (人) and attendances (人次) counted, and money."""
    rows = []
    for m, month in enumerate(("2016-01", "2016-02", "2016-03"), start=1):
        rows += [("甲镇", month, "trainees", 10 * m), ("乙镇", month, "trainees", 5 * m),
                 ("甲镇", month, "women_home_served", 100 * m), ("乙镇", month, "women_home_served", 50),
                 ("甲镇", month, "lecture_attendees", 20), ("甲镇", month, "loan_amount", 1.5)]
    return aggregate(frame(rows), CATALOG, Q1, "org", region=region)


def charts_of(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        names = sorted((n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)),
                       key=lambda n: int(re.search(r"\d+", n).group()))
        return [z.read(n).decode() for n in names]


def texts(xml: str) -> list[str]:
    return re.findall(r"<a:t>([^<]*)</a:t>", xml)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("charts") / "out.xlsx"
    write_workbook(path, people("青溪县"), CATALOG)
    return path


def test_main_indicators_are_the_largest_people_counts_and_split_by_unit():
    result = people()
    assert main_indicators(result, CATALOG) == ["women_home_served", "trainees", "lecture_attendees"]
    assert by_unit(main_indicators(result, CATALOG), CATALOG) == {
        "人": ["trainees", "lecture_attendees"], "人次": ["women_home_served"]}


def test_one_unit_per_axis_and_the_region_in_every_title(written):
    """An axis read `人（人次）`: people and attendances now have charts of their own."""
    charts = charts_of(written)
    assert [texts(xml) for xml in charts] == [
        ["青溪县2016年第一季度主要指标分单位情况（人）", "人"],
        ["青溪县2016年第一季度主要指标月度走势（人）", "人"],
        ["青溪县2016年第一季度主要指标分单位情况（人次）", "人次"],
        ["青溪县2016年第一季度主要指标月度走势（人次）", "人次"],
    ]
    assert ["<c:barChart>" in xml for xml in charts] == [True, False, True, False]
    assert ["<c:lineChart>" in xml for xml in charts] == [False, True, False, True]


def test_series_point_at_the_summary_and_the_months(written):
    book = openpyxl.load_workbook(written)
    summary, months = book["汇总表"], book["分月"]
    by_org, trend = charts_of(written)[:2]
    rows = {summary.cell(r, 2).value: r for r in range(4, summary.max_row + 1)}
    assert re.findall(r"<c:f>([^<]*)</c:f>", by_org) == [
        f"汇总表!$B${rows['参训妇女']}", "汇总表!$E$3:$F$3", f"汇总表!$E${rows['参训妇女']}:$F${rows['参训妇女']}",
        f"汇总表!$B${rows['宣讲参与群众']}", "汇总表!$E$3:$F$3",
        f"汇总表!$E${rows['宣讲参与群众']}:$F${rows['宣讲参与群众']}"]
    assert [summary.cell(3, c).value for c in (5, 6)] == ["乙镇", "甲镇"]
    month_rows = {months.cell(r, 1).value: r for r in range(3, months.max_row + 1)}
    r = month_rows["参训妇女"]
    assert re.findall(r"<c:f>([^<]*)</c:f>", trend)[:3] == [f"分月!$A${r}", "分月!$C$2:$E$2", f"分月!$C${r}:$E${r}"]
    assert [months.cell(r, c).value for c in range(1, 6)] == ["参训妇女", "人", 15, 30, 45]


def test_the_sheet_prints_a_unit_a_page(written):
    ws = openpyxl.load_workbook(written)["图表"]
    assert ws["A1"].value == "青溪县2016年第一季度主要指标（人数最多的3项）"
    assert [b.id for b in ws.row_breaks.brk] == [47]  # 人次 starts on a page of its own
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "portrait")
    assert ws.print_area == "'图表'!$A$1:$L$94"


def test_without_a_region_the_total_is_called_hexi(tmp_path):
    write_workbook(tmp_path / "out.xlsx", people(), CATALOG)
    assert texts(charts_of(tmp_path / "out.xlsx")[0])[0] == "合计2016年第一季度主要指标分单位情况（人）"


def test_one_month_has_no_trend(tmp_path):
    result = aggregate(frame([("甲镇", "2016-01", "trainees", 3), ("乙镇", "2016-01", "trainees", 4)]), CATALOG,
                       parse_period("2016-01"), "org")
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    assert [texts(xml)[0] for xml in charts_of(tmp_path / "out.xlsx")] == ["合计2016年1月主要指标分单位情况（人）"]


def test_no_chart_sheet_without_people_counts(tmp_path):
    result = aggregate(frame([("甲镇", "2016-01", "loan_amount", 1.5)]), CATALOG, Q1)
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").sheetnames == ["汇总表", "报送情况", "分月", "明细"]
