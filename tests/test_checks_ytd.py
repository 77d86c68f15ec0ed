"""本年累计 against the months (checks/ytd.py).

Real files where the layout matters, observation rows (check_helpers.obs) where it
does not."""

from __future__ import annotations

from check_helpers import (
    check,
    month_rows,
    obs,
    only,
    problems,
    run_check,
    set_value,
    write_form,
)

from fulian_stats.checks import ytd
from fulian_stats.observations import blocks_from_rows


def test_year_to_date_with_missing_months_may_exceed_but_not_undercut_the_months_present(tmp):
    # February alone: its 本年累计 includes January, which is not here: fine.
    assert problems(check(write_form(tmp / "大宁镇_2016-02.xlsx", period="2016年2月", rows=month_rows(2)))) == []
    rows = set_value(month_rows(2), "参训妇女", ytd=30)  # below February's own 42
    finding = only(check(write_form(tmp / "大宁镇_2016-02.xlsx", period="2016年2月", rows=rows)), "YTD_MISMATCH")
    assert finding.cell == "E8"
    assert finding.message == ("“参训妇女”本年累计为30，但已报各月之和为42（2月42）（缺1个月的报表，累计数不应小于已报各月之和）；"
                               "请核对本年累计或各月数")


def test_year_to_date_counts_each_year_on_its_own():
    rows = [obs("大宁镇", "2016-12", "trainees", 500, cell="D8"), obs("大宁镇", "2017-01", "trainees", 40, cell="D8"),
            obs("大宁镇", "2017-01", "trainees", 40, cell="E8", measure="ytd")]
    assert run_check(ytd, blocks_from_rows(rows)) == []


def test_year_to_date_of_stocks_and_rates_is_not_a_sum():
    rows = [obs("大宁镇", f"2016-{m:02d}", "poor_villages", 8) for m in (1, 2)]
    rows.append(obs("大宁镇", "2016-02", "poor_villages", 8, cell="E15", measure="ytd"))
    assert run_check(ytd, blocks_from_rows(rows)) == []


def test_year_to_date_in_money_tolerates_float_sums():
    months = [11.74, 12.21, 0.07]
    rows = [obs("大宁镇", f"2016-{m:02d}", "funds_raised", v) for m, v in enumerate(months, start=1)]
    rows.append(obs("大宁镇", "2016-03", "funds_raised", 24.02, cell="E22", measure="ytd"))
    assert run_check(ytd, blocks_from_rows(rows)) == []
