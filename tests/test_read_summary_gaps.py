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


def test_a_gap_is_of_the_org_the_registry_names():
    """Regression (review): 汇总表's column 大宁 read as 大宁镇 while its gap stayed 大宁."""
    from check_helpers import ORGS_CSV
    from fulian_stats.orgs import parse_orgs

    sheet = coverage_sheet("报送情况（2016年第一季度）", ["1月", "2月", "3月"], ["大宁", "已报", "未报", "已报"])
    gaps, _findings = summary_gaps(sheet, "县汇总.xlsx", parse_orgs(ORGS_CSV, "orgs.csv"))
    assert gaps == [("大宁镇", 2016 * 12 + 1, "未报")]


def test_a_coverage_sheet_beside_no_summary_sheet_is_someone_elses(tmp_path):
    """A township's workbook with a 报送情况 sheet of its villages is no summary's gaps."""
    from conftest import form_rows, read, write_xlsx

    more = {"报送情况": [["报送情况（2016年第一季度）"], [], ["单位", "1月", "2月", "3月"], ["甲村", "已报", "未报", "已报"]]}
    result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(), "月报", more))
    assert result.gaps == [] and [f.code for f in result.findings] == []


def test_an_org_with_numbers_but_every_month_a_gap_is_said_to_be_edited():
    """Regression (trial): a 龙潭乡 column typed into a summary whose 报送情况 says it sent
    nothing was counted while the coverage called it 未报, and nothing said why."""
    sheet = coverage_sheet("报送情况（2016年第一季度）", ["1月", "2月", "3月"], ["龙潭乡", "未报", "未报", "未报"],
                           ["大宁镇", "已报", "未报", "已报"])
    _gaps, findings = summary_gaps(sheet, "县汇总.xlsx", summed={"龙潭乡", "大宁镇"})
    assert [f.message for f in findings] == [
        "汇总表中有龙潭乡的数，但据“报送情况”表，龙潭乡2016年第一季度各月都没有计入：汇总表可能在写出后被改过；"
        "汇总时这些月份不算已报，请核对",
        "据“报送情况”表，汇总表中大宁镇2016年第一季度的数不含2月（未报）；汇总时这些月份不算已报"]
    unsummed = summary_gaps(sheet, "县汇总.xlsx")[1][0].message
    assert unsummed == "据“报送情况”表，汇总表中龙潭乡2016年第一季度的数不含1-3月（未报）；汇总时这些月份不算已报"


def test_a_partly_counted_month_is_said_to_be_partly_counted_not_edited():
    # Regression (review): 部分有误 months counted as gaps, and a month counted in part was
    # "never counted, the summary edited".
    sheet = coverage_sheet("报送情况（2016年3月）", ["3月"], ["大宁镇", "部分有误"])
    gaps, findings = summary_gaps(sheet, "县汇总.xlsx", summed={"大宁镇"})
    assert gaps == [("大宁镇", 2016 * 12 + 2, "部分有误")]
    assert [f.message for f in findings] == [
        "据“报送情况”表，汇总表中大宁镇2016年3月的数中3月只含部分报表（部分有误），汇总时仍算部分有误"]
    both = coverage_sheet("报送情况（2016年第一季度）", ["1月", "2月", "3月"], ["大宁镇", "未报", "已报", "部分有误"])
    assert summary_gaps(both, "县汇总.xlsx")[1][0].message == (
        "据“报送情况”表，汇总表中大宁镇2016年第一季度的数不含1月（未报）；汇总时这些月份不算已报；"
        "3月只含部分报表（部分有误），汇总时仍算部分有误")
