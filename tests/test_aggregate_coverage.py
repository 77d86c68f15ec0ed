"""Tests for fulian_stats.aggregate.coverage: which orgs and months a total covers, which are
missing and which were sent but left out."""

from __future__ import annotations

import pandas as pd
import pytest

from agg_helpers import CATALOG, ORGS_CSV, frame
from fulian_stats.aggregate import aggregate, select
from fulian_stats.aggregate.coverage import INVALID, MISSING, PARTIAL, REPORTED, coverage_of
from fulian_stats.orgs import parse_orgs
from fulian_stats.periods import parse_period

ORGS = parse_orgs(ORGS_CSV, "orgs.csv")
Q1 = parse_period("2016-Q1")
MONTHS = {"2016-01": 2016 * 12, "2016-02": 2016 * 12 + 1, "2016-03": 2016 * 12 + 2}


def sent(*org_months: tuple[str, str]):
    return select(frame([(org, month, "trainees", 1) for org, month in org_months]), Q1, ORGS, None)[0]


def test_with_the_registry_every_expected_org_month_is_reported_invalid_or_missing():
    data = sent(("大宁镇", "2016-01"), ("大宁镇", "2016-02"), ("大宁镇", "2016-03"), ("白沙镇", "2016-01"),
                ("石门县", "2016-Q1"))  # a county's quarter covers its townships
    skipped = [("白沙镇_2016-02.xlsx", "白沙镇", "2016-02")]
    coverage = coverage_of(data, Q1, ORGS, "云州市", True, skipped, ["白沙镇_2016-02.xlsx"])
    assert coverage.orgs == ["大宁镇", "白沙镇", "龙潭乡", "石门镇", "桃源乡"]
    jan, feb, mar = MONTHS.values()
    assert [coverage.status("白沙镇", m) for m in (jan, feb, mar)] == [REPORTED, INVALID, MISSING]
    assert coverage.files("白沙镇", feb) == ("白沙镇_2016-02.xlsx",)
    assert coverage.files("桃源乡", mar) == ("石门县_2016-Q1.xlsx",)
    assert coverage.missing_text == "白沙镇 3月；龙潭乡 1-3月"
    assert coverage.invalid_text == "白沙镇 2月"
    assert coverage.complete_orgs == ["大宁镇", "石门镇", "桃源乡"] and not coverage.complete
    assert coverage.summary() == "5个单位中3个报送了全部月份"
    assert coverage.notes() == ["未报送：白沙镇 3月；龙潭乡 1-3月", "报表有误、未计入：白沙镇 2月",
                                "以下1个文件有错误，未计入汇总：白沙镇_2016-02.xlsx"]
    assert coverage.as_dict() == {
        "months": ["2016-01", "2016-02", "2016-03"], "orgs": ["大宁镇", "白沙镇", "龙潭乡", "石门镇", "桃源乡"],
        "expected": 15, "reported": 10,
        "missing": [{"org": "白沙镇", "months": ["2016-03"]}, {"org": "龙潭乡", "months": ["2016-01", "2016-02", "2016-03"]}],
        "invalid": [{"org": "白沙镇", "months": ["2016-02"], "files": ["白沙镇_2016-02.xlsx"]}], "partial": [],
        "skipped_files": ["白沙镇_2016-02.xlsx"]}


def test_a_region_expects_only_its_own_townships():
    coverage = coverage_of(sent(("石门镇", "2016-01")), Q1, ORGS, "石门县", True)
    assert coverage.orgs == ["石门镇", "桃源乡"]
    assert coverage.missing_text == "石门镇 2-3月；桃源乡 1-3月"


def test_a_reported_month_is_not_invalid_because_a_copy_was_left_out():
    coverage = coverage_of(sent(("大宁镇", "2016-01")), Q1, ORGS, None, True, [("副本.xlsx", "大宁镇", "2016-01")],
                           copies=frozenset({"副本.xlsx"}))
    assert coverage.status("大宁镇", MONTHS["2016-01"]) == REPORTED and coverage.invalid == coverage.partial == []


def test_a_reported_month_with_another_part_left_out_is_partial():
    # Regression (trial): 官塘镇 sent its 宣讲 in a CSV and the rest in an xlsx with errors;
    # the xlsx was left out and 报送情况 still said 已报 (数据已计入汇总).
    coverage = coverage_of(sent(("大宁镇", "2016-01")), Q1, ORGS, None, True, [("大宁镇其他.xlsx", "大宁镇", "2016-01")])
    jan = MONTHS["2016-01"]
    assert (coverage.status("大宁镇", jan), coverage.files("大宁镇", jan)) == (PARTIAL, ("大宁镇其他.xlsx",))
    assert coverage.partial_text == "大宁镇 1月" and coverage.invalid == []
    assert coverage.gaps()[-1] == "部分报表有误、未计入：大宁镇 1月"
    assert "大宁镇" in coverage.reporting_orgs and "大宁镇" not in coverage.complete_orgs
    assert coverage.as_dict()["partial"] == [{"org": "大宁镇", "months": ["2016-01"], "files": ["大宁镇其他.xlsx"]}]


def test_without_the_registry_or_the_period_nothing_is_called_missing():
    data = sent(("白沙镇", "2016-01"), ("大宁镇", "2016-03"))
    for orgs, expected in ((None, True), (ORGS, False)):
        coverage = coverage_of(data, Q1, orgs, None, expected)
        assert coverage.orgs == ["大宁镇", "白沙镇"]
        assert coverage.status("白沙镇", MONTHS["2016-02"]) is None
        assert coverage.missing == [] and not coverage.complete
        assert coverage.as_dict()["expected"] is None and coverage.reported == 2
        assert coverage.summary() == "2个单位报送了数据" and coverage.notes() == []


def test_all_reported_is_complete():
    data = sent(*[(org, month) for org in ORGS.leaves("青溪县") for month in MONTHS])
    coverage = coverage_of(data, Q1, ORGS, "青溪县", True)
    assert coverage.complete and coverage.summary() == "3个单位全部报送" and coverage.notes() == []
    month = coverage_of(sent(("大宁镇", "2016-03")), parse_period("2016-03"), ORGS, "青溪县", True)
    assert month.summary() == "3个单位中1个报送了2016年3月"


@pytest.mark.parametrize(("period", "text"), [("2016-11..2017-02", "大宁镇 2016年11-12月、2017年1-2月"),
                                              ("2016", "大宁镇 1-12月")])
def test_months_are_listed_with_the_year_only_when_the_period_spans_two(period, text):
    coverage = coverage_of(sent(), parse_period(period), ORGS, "青溪县", True)
    assert coverage.missing[0][0] == "大宁镇" and coverage.missing_text.split("；")[0] == text


def test_every_aggregate_result_has_its_coverage():
    result = aggregate(frame([("大宁镇", "2016-01", "trainees", 3), ("大宁镇", "2016-02", "poor_villages", 2)]),
                       CATALOG, Q1, orgs=ORGS, region="青溪县")
    assert result.coverage.reported == 2 and result.coverage.missing_text == "大宁镇 3月；白沙镇 1-3月；龙潭乡 1-3月"
    assert result.as_dict()["coverage"] == result.coverage.as_dict()
    assert aggregate(frame([("大宁镇", "2016-01", "trainees", 3)]), CATALOG, orgs=ORGS).coverage.expected is False


def summary_rows(file: str, *orgs: str):
    return select(frame([(org, "2016-Q1", "trainees", 1, file) for org in orgs]), Q1, ORGS, None)[0]


def test_a_summary_workbook_covers_no_month_its_coverage_sheet_lacks():
    """A township summary read back: 大宁镇's quarter is one number, but its February was
    never sent and 白沙镇's March was left out with errors (their 报送情况)."""
    data = summary_rows("乡镇汇总.xlsx", "大宁镇", "白沙镇")
    jan, feb, mar = MONTHS.values()
    lacking = [("乡镇汇总.xlsx", "大宁镇", feb, "未报"), ("乡镇汇总.xlsx", "白沙镇", mar, "有误"),
               ("乡镇汇总.xlsx", "大宁镇", 2015 * 12, "未报")]  # outside the period: no row, no gap
    for orgs, expected in ((ORGS, True), (None, False)):
        coverage = coverage_of(data, Q1, orgs, "青溪县", expected, lacking=lacking)
        assert [coverage.status("大宁镇", m) for m in (jan, feb, mar)] == [REPORTED, MISSING, REPORTED]
        assert coverage.status("白沙镇", mar) == INVALID and coverage.files("白沙镇", mar) == ("乡镇汇总.xlsx",)
        assert coverage.invalid_text == "白沙镇 3月" and coverage.reported == 4
    assert coverage.orgs == ["大宁镇", "白沙镇"] and coverage.missing_text == "大宁镇 2月"
    assert coverage_of(data, Q1, ORGS, "青溪县", True, lacking=lacking).missing_text == "大宁镇 2月；龙潭乡 1-3月"


def test_a_county_column_does_not_cover_a_township_month_the_summary_lacks():
    data = summary_rows("青溪县.xlsx", "青溪县")
    mar = MONTHS["2016-03"]
    coverage = coverage_of(data, Q1, ORGS, "青溪县", True, lacking=[("青溪县.xlsx", "龙潭乡", mar, "未报")])
    assert coverage.missing_text == "龙潭乡 3月"
    assert coverage.status("大宁镇", mar) == REPORTED
    late = pd.concat([data, sent(("龙潭乡", "2016-03"))])  # its own March, sent straight up
    coverage = coverage_of(late, Q1, ORGS, "青溪县", True, lacking=[("青溪县.xlsx", "龙潭乡", mar, "未报")])
    assert coverage.complete and coverage.files("龙潭乡", mar) == ("龙潭乡_2016-03.xlsx",)
