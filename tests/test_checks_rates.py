"""A rate typed into a submission against its numerator and denominator (checks/rates.py)."""

from __future__ import annotations

import pytest
from check_helpers import obs, run_check

from fulian_stats.checks import rate_parts, rates
from fulian_stats.observations import blocks_from_rows


def petitions(handled, received, rate, measure="month"):
    return blocks_from_rows([obs("大宁镇", "2016-03", "petitions", received, "D13", measure),
                             obs("大宁镇", "2016-03", "petitions_handled", handled, "D14", measure),
                             obs("大宁镇", "2016-03", "petition_handling_rate", rate, "D21", measure)])


@pytest.mark.parametrize("rate", [66.67, 66.7, 67, 0.67, 0.6667])
def test_a_rate_as_rounded_or_as_a_fraction_agrees_with_its_parts(rate):
    assert run_check(rates, petitions(2, 3, rate)) == []


@pytest.mark.parametrize("rate", [66.6, 66, 0.66, 90])
def test_a_rate_off_by_more_than_its_rounding_is_named(rate):
    found = run_check(rates, petitions(2, 3, rate))
    assert [(f.code, f.cell, f.values) for f in found] == [
        ("RATE_MISMATCH", "D21", {"value": float(rate), "computed": 66.67})]


def test_a_fraction_is_said_as_the_percentage_a_formatted_cell_shows():
    """Regression: 0.9 in a cell formatted 0% (it shows 90%) was said as 填的是0.9%."""
    found = run_check(rates, petitions(2, 3, 0.9))
    assert found[0].message == ("“信访案件处理率”填的是0.9（单元格为百分比格式时显示为90%），而已处理信访案件÷接待信访案件"
                                "（D14÷D13）为66.67%；汇总时比率由分子、分母计算，所填的比率不计入；请核对")
    assert "填的是90%" in run_check(rates, petitions(2, 3, 90))[0].message


def test_a_rate_over_no_cases_and_a_total_column_are_left_alone():
    assert run_check(rates, petitions(0, 0, 100)) == []
    assert run_check(rates, petitions(2, 3, 90, measure="total")) == []


def test_a_rate_without_one_of_its_parts_is_named():
    blocks = blocks_from_rows([obs("大宁镇", "2016-03", "petitions", 3, "D13"),
                               obs("大宁镇", "2016-03", "petition_handling_rate", 75, "D21")])
    found = run_check(rates, blocks)
    assert [(f.code, f.values["missing"]) for f in found] == [("RATE_WITHOUT_PARTS", ["petitions_handled"])]
    assert found[0].message == ("“信访案件处理率”填了75%，但本表没有填已处理信访案件；比率由已处理信访案件÷接待信访案件计算，"
                                "所填的比率不计入汇总；请填写这两项")


def test_the_parts_of_a_rate_may_stand_in_the_form_beside_it():
    # Regression: with two forms side by side (two blocks), a rate on the right had its
    # parts on the left and was 「本表没有填…」.
    from array import array

    from fulian_stats.observations import Block

    left = Block("a.xlsx", "大宁镇", "2016-03", "month", "月报", ("petitions", "petitions_handled"),
                 array("d", [4, 3]), ("D5", "D6"))
    right = Block("a.xlsx", "大宁镇", "2016-03", "month", "月报", ("petition_handling_rate",), array("d", [90]), ("I5",))
    assert [(f.code, f.values) for f in run_check(rates, [left, right])] == [
        ("RATE_MISMATCH", {"value": 90.0, "computed": 75.0})]


# -- rate_parts: both parts from the same orgs ------------------------------------------------


def villages(*orgs_parts):
    """(org, 贫困村 or None, 建有儿童之家的贫困村 or None) → blocks, one file per org."""
    rows = []
    for org, total, covered in orgs_parts:
        file = f"{org}_2016-03.xlsx"
        rows += [obs(org, "2016-03", "poor_villages", total, "D47", file=file)] if total is not None else []
        rows += [obs(org, "2016-03", "poor_villages_with_children_home", covered, "D48", file=file)] \
            if covered is not None else []
    return blocks_from_rows(rows)


def test_a_rate_part_left_blank_where_others_filled_both_is_an_error():
    # Regression: 丙乡's 贫困村 without its 建有儿童之家的贫困村 made the coverage 9/18 = 50%, not 9/12 = 75%.
    found = run_check(rate_parts, villages(("甲镇", 6, 5), ("乙镇", 6, 4), ("丙乡", 6, None)))
    assert [(f.code, f.severity, f.file, f.cell, f.org, f.indicator, f.message) for f in found] == [
        ("RATE_PART_MISSING", "error", "丙乡_2016-03.xlsx", "D47", "丙乡", "poor_villages_with_children_home",
         "填了“贫困村”（D47为6），却没有填“建有儿童之家的贫困村”，“贫困村儿童之家覆盖率”无法按同样的单位计算；请填写，没有的填0")]


def test_a_rate_nobody_reports_both_parts_of_or_a_zero_beside_a_blank_is_no_error():
    assert run_check(rate_parts, villages(("甲镇", 6, None), ("乙镇", 6, None))) == []
    assert run_check(rate_parts, villages(("甲镇", 6, 5), ("乙镇", 0, None), ("丙乡", None, 0))) == []
