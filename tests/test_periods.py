"""Report periods: every spelling of the spec, codes and labels, containment and order."""

from __future__ import annotations

import datetime as dt

import pytest

from fulian_stats.errors import UsageError
from fulian_stats.periods import Period, find_period, parse_period, period_from_code, period_of_cell


@pytest.mark.parametrize("text, code, label", [
    # months
    ("2016年3月", "2016-03", "2016年3月"),
    ("2016年03月", "2016-03", "2016年3月"),
    ("2016年3月份", "2016-03", "2016年3月"),
    ("2016 年 3 月", "2016-03", "2016年3月"),
    ("２０１６年３月", "2016-03", "2016年3月"),
    ("2016-03", "2016-03", "2016年3月"),
    ("2016-3", "2016-03", "2016年3月"),
    ("2016.3", "2016-03", "2016年3月"),
    ("2016/03", "2016-03", "2016年3月"),
    ("201603", "2016-03", "2016年3月"),
    ("2016年12月", "2016-12", "2016年12月"),
    # quarters
    ("2016年第一季度", "2016-Q1", "2016年第一季度"),
    ("2016年一季度", "2016-Q1", "2016年第一季度"),
    ("2016年第1季度", "2016-Q1", "2016年第一季度"),
    ("2016年第四季度", "2016-Q4", "2016年第四季度"),
    ("2016-Q2", "2016-Q2", "2016年第二季度"),
    ("2016q3", "2016-Q3", "2016年第三季度"),
    # half years
    ("2016年上半年", "2016-H1", "2016年上半年"),
    ("2016年下半年", "2016-H2", "2016年下半年"),
    ("2016-H1", "2016-H1", "2016年上半年"),
    # years
    ("2016年度", "2016", "2016年"),
    ("2016年", "2016", "2016年"),
    ("2016", "2016", "2016年"),
    # month ranges keep their spelling, though 1-6 is the first half year
    ("2016年1-6月", "2016-01..2016-06", "2016年1-6月"),
    ("2016年1—6月", "2016-01..2016-06", "2016年1-6月"),
    ("2016年1至3月", "2016-01..2016-03", "2016年1-3月"),
    ("2016年1~12月", "2016-01..2016-12", "2016年1-12月"),
    ("2016-01..2016-06", "2016-01..2016-06", "2016年1-6月"),
    ("2016-11..2017-02", "2016-11..2017-02", "2016年11月至2017年2月"),
])
def test_spellings(text, code, label):
    for period in (parse_period(text), period_from_code(text), find_period(text)):
        assert (period.code, period.label) == (code, label)
    assert parse_period(code).code == code  # a code reads back as itself


@pytest.mark.parametrize("text, code", [
    ("青溪县妇联2016年3月工作统计月报表", "2016-03"),
    ("大宁镇_2016-03", "2016-03"),
    ("2016年3月大宁镇月报", "2016-03"),
    ("大宁镇201603", "2016-03"),
    ("报告期:2016年第一季度", "2016-Q1"),
    ("2016年1-6月工作总结", "2016-01..2016-06"),  # not 2016年1月
    ("2016年度妇联工作综述", "2016"),
    ("青溪县妇联16年3月工作统计月报表", "2016-03"),  # a two-digit year is this century's
    ("2016年三月", "2016-03"),  # regression: these two were read as the whole year
    ("二〇一六年十二月工作统计", "2016-12"),
])
def test_find_period_in_free_text(text, code):
    assert find_period(text).code == code


@pytest.mark.parametrize("text", ["", "大宁镇", "3月", "2016-13", "1899年3月", "12345678", "第一季度", "116年3月", "16年"])
def test_find_period_finds_none(text):
    assert find_period(text) is None


@pytest.mark.parametrize("text", ["2016年13月", "2016-06..2016-01", "大宁镇2016年3月", "2016年6-1月", "三月", ""])
def test_period_from_code_is_strict(text):
    assert period_from_code(text) is None


@pytest.mark.parametrize("text", ["2016年13月", "三月", "", "  ", "2016-06..2016-01", "下个月"])
def test_parse_period_refuses_with_a_chinese_message(text):
    with pytest.raises(UsageError) as err:
        parse_period(text)
    assert str(err.value) == (f"无法识别的报告期：{text}（可写作 2016-03、2016-Q1、2016-H1、2016、"
                              "2016-01..2016-06 或 2016年3月）")
    assert err.value.exit_code == 2


def test_period_of_cell():
    assert period_of_cell(dt.datetime(2016, 3, 15)).code == "2016-03"
    assert period_of_cell(dt.date(2016, 12, 1)).code == "2016-12"
    assert period_of_cell("2016年3月").code == "2016-03"
    assert period_of_cell(201603.0) is None  # a number is not read as a period
    assert period_of_cell(None) is None


def test_months_and_kinds():
    q1 = parse_period("2016-Q1")
    assert [m.code for m in q1.months()] == ["2016-01", "2016-02", "2016-03"]
    assert parse_period("2016-03").is_month
    assert not q1.is_month
    assert q1.year == 2016
    assert len(parse_period("2016").months()) == 12
    assert [m.code for m in parse_period("2016-11..2017-02").months()] == ["2016-11", "2016-12", "2017-01", "2017-02"]


def test_equality_ignores_the_range_spelling():
    """2016年1-6月 and 2016年上半年 are the same months; only the label differs."""
    assert parse_period("2016年1-6月") == parse_period("2016-H1")
    assert parse_period("2016-01..2016-03") == parse_period("2016-Q1")
    assert parse_period("2016-H1").code == "2016-H1"


def test_contains():
    year = parse_period("2016")
    assert year.contains(parse_period("2016-03"))
    assert year.contains(parse_period("2016-Q4"))
    assert year.contains(year)
    assert not year.contains(parse_period("2017-01"))
    assert not parse_period("2016-H1").contains(parse_period("2016-07"))
    assert parse_period("2016-H1").contains(parse_period("2016-Q2"))
    assert not parse_period("2016-Q1").contains(parse_period("2016-H1"))
    assert parse_period("2016-11..2017-02").contains(parse_period("2017-01"))
    assert not parse_period("2016-03").contains(parse_period("2016-Q1"))


@pytest.mark.parametrize("text, previous", [
    ("2016-03", "2016-02"),
    ("2016-01", "2015-12"),     # across the year
    ("2016-Q1", "2015-Q1"),     # longer periods: the same period a year back
    ("2016-H2", "2015-H2"),
    ("2016", "2015"),
    ("2016年1-6月", "2015-01..2015-06"),
])
def test_previous(text, previous):
    assert parse_period(text).previous().code == previous


def test_year_before_and_year_to_date():
    assert parse_period("2016-03").year_before().code == "2015-03"
    assert parse_period("2016-03").year_to_date() == parse_period("2016-Q1")
    assert parse_period("2016-01").year_to_date().code == "2016-01"
    assert parse_period("2016-07").year_to_date().code == "2016-01..2016-07"


def test_order_and_str():
    months = [parse_period(t) for t in ("2016-03", "2015-12", "2016-01")]
    assert [str(p) for p in sorted(months)] == ["2015-12", "2016-01", "2016-03"]
    assert Period.month(2016, 3) == parse_period("2016年3月")
    assert f"{Period.month(2016, 3)}" == "2016-03"


def test_year_before_keeps_the_spelling():
    assert parse_period("2016年1-6月").year_before().label == "2015年1-6月"
    assert parse_period("2016年上半年").year_before().label == "2015年上半年"


def test_impossible_month_is_no_period_rather_than_the_year():
    # Regression: `2016年13月` (a typo) was read as the whole year 2016.
    assert find_period("报告期：2016年13月") is None
    assert find_period("2016年度工作统计") == find_period("2016")
