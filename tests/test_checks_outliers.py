"""A month against the org's own history (checks/outliers.py).

Real files where the layout matters, observation rows (check_helpers.obs) where it
does not."""

from __future__ import annotations

from check_helpers import (
    obs,
    run_check,
)

from fulian_stats.checks import outliers
from fulian_stats.findings import WARNING
from fulian_stats.observations import blocks_from_rows
from fulian_stats.periods import parse_period


def series(values, ind="women_home_served", org="大宁镇", year=2016):
    return blocks_from_rows(series_rows(values, ind, org, year))


def series_rows(values, ind="women_home_served", org="大宁镇", year=2016):
    return [obs(org, f"{year + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", ind, v, cell=f"D{m}")
            for m, v in enumerate(values, start=1)]


def test_an_outlier_needs_six_months_of_history():
    assert run_check(outliers, series([265, 270, 275, 280, 285, 2900])) == []
    assert len(run_check(outliers, series([265, 270, 275, 280, 285, 290, 2900]))) == 1


def test_a_low_outlier_is_a_warning_too():
    finding, = run_check(outliers, series([265, 270, 275, 280, 285, 290, 27]))
    assert finding.severity == WARNING
    assert finding.message == ("“妇女之家服务”为27人次，明显低于本单位以往6个月的中位数277.5（以往最小265、最大290）；"
                               "请核实是否多填或少填了位数、单位是否有误")


def test_a_seasonal_peak_seen_before_is_not_an_outlier():
    """慰问 peaks at the Spring Festival every year: a peak no more than twice the
    largest month already seen is the org's own pattern."""
    year = [300, 20, 18, 22, 19, 21, 20, 18, 23, 20, 22, 150]
    assert run_check(outliers, series(year + [320, 21, 19], ind="people_comforted")) == []


def test_a_flat_history_flags_only_a_big_jump():
    assert run_check(outliers, series([3] * 8 + [5])) == []
    assert len(run_check(outliers, series([3] * 8 + [30]))) == 1
    assert run_check(outliers, series([0] * 8 + [4])) == []  # nothing before: a first event, not a typo


def test_outliers_are_judged_only_inside_the_period_but_on_all_the_history():
    rows = series_rows([265, 270, 275, 280, 285, 290, 295, 2900, 300])
    assert [f.period for f in run_check(outliers, blocks_from_rows(rows))] == ["2016-08"]
    assert run_check(outliers, blocks_from_rows(rows), period=parse_period("2016-09")) == []
    assert len(run_check(outliers, blocks_from_rows(rows), period=parse_period("2016-H2"))) == 1


def test_rates_are_never_outliers():
    assert run_check(outliers, series([50] * 8 + [100], ind="children_home_coverage")) == []
