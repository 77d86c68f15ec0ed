"""The gaps a summary workbook's 报送情况 sheet lists (read/summary_gaps.py); the
round trip through a written workbook is in test_output_workbook.py."""

from __future__ import annotations

import pytest

from fulian_stats.read.grid import Sheet
from fulian_stats.read.summary_gaps import summary_gaps


def coverage_sheet(title: str, headings: list[str], *rows: list[str]) -> Sheet:
    return Sheet("报送情况", [[title], ["已报：…"], ["单位", *headings], *rows, [], ["以下1个文件有错误，未计入汇总："]])


@pytest.mark.parametrize("title, headings, months", [
    ("报送情况（2016年11月至2017年2月）", ["2016年11月", "2016年12月", "2017年1月", "2017年2月"],
     [2016 * 12 + 10, 2016 * 12 + 11, 2017 * 12, 2017 * 12 + 1]),
    ("报送情况（2016年第一季度）", ["1月", "2月", "3月"], [2016 * 12, 2016 * 12 + 1, 2016 * 12 + 2]),
])
def test_every_month_of_the_title_s_period_is_read(title, headings, months):
    """Regression: a range's title read as its first month only, and the later columns' gaps were lost."""
    sheet = coverage_sheet(title, headings, ["甲镇", "已报", "未报", "有误", "已报"][:len(headings) + 1],
                           ["乙镇", *["已报"] * (len(headings) - 1), "未报"])
    gaps, findings = summary_gaps(sheet, "县汇总.xlsx")
    assert gaps == [("甲镇", months[1], "未报"), ("甲镇", months[2], "有误"), ("乙镇", months[-1], "未报")]
    assert [(f.code, f.org, f.cell) for f in findings] == [("SUMMARY_INCOMPLETE", "甲镇", "C4"),
                                                          ("SUMMARY_INCOMPLETE", "乙镇", f"{'DE'[len(headings) - 3]}5")]


def test_a_sheet_that_is_not_a_summary_s_coverage_gives_nothing():
    assert summary_gaps(Sheet("报送情况", [["乡镇报送情况说明"], ["单位", "1月"], ["甲镇", "未报"]]), "a.xlsx") == ([], [])
    assert summary_gaps(Sheet("报送情况", []), "a.xlsx") == ([], [])
