"""合计 and 小计 against their rows (checks/totals.py).

Real files where the layout matters, observation rows (check_helpers.obs) where it
does not."""

from __future__ import annotations

from check_helpers import (
    NAMES,
    check,
    obs,
    only,
    problems,
    run_check,
    street_rows,
    write_table,
)

from fulian_stats.checks import totals
from fulian_stats.observations import blocks_from_rows


def test_a_correct_total_with_money_and_blanks_passes(tmp):
    rows = street_rows(3)
    rows[0][NAMES.index("创业担保贷款金额") + 1] = 12.21
    rows[1][NAMES.index("创业担保贷款金额") + 1] = ""
    assert problems(check(write_table(tmp / "城区街道_2016-03.csv", rows))) == []


def test_a_total_of_a_table_with_a_month_column_is_checked_per_month_or_overall(tmp):
    names = ["参训妇女", "慰问困境妇女儿童老人"]
    rows = [["河西街道", "2016年1月", 40, 60], ["河西街道", "2016年2月", 41, 61], ["城东街道", "2016年1月", 42, 62]]
    path = write_table(tmp / "城区街道_2016年1-2月.csv", rows, names=names, period_col=True,
                       total=["合计", "", 123, 180])
    result = check(path)
    finding = only(result, "TOTAL_MISMATCH")
    assert (finding.cell, finding.indicator, finding.period) == ("D5", "people_comforted", None)
    assert finding.message == "“慰问困境妇女儿童老人”的合计为180，但各单位之和为183；请核对合计或各行数据"


def test_a_total_of_a_rate_is_a_ratio_not_a_sum():
    rows = [obs("河西街道", "2016-03", "children_home_coverage", 50, file="t.csv"),
            obs("城东街道", "2016-03", "children_home_coverage", 100, file="t.csv"),
            obs(None, "2016-03", "children_home_coverage", 75, measure="total", file="t.csv")]
    assert run_check(totals, blocks_from_rows(rows)) == []


def test_a_groups_subtotal_named_for_the_group_is_checked_not_counted(tmp):
    # Regression: 镇小计 and 乡小计 were read as two more townships, doubling the total.
    names = ["参训妇女"]
    rows = [["大宁镇", 100], ["白沙镇", 50], ["镇小计", 150], ["龙潭乡", 80], ["乡小计", 80]]
    result = check(write_table(tmp / "清单_2016-03.csv", rows, names=names, total=False))
    assert problems(result) == []
    assert sorted((b.org, b.values[0]) for b in result.read.blocks() if b.measure == "month") == [
        ("大宁镇", 100.0), ("白沙镇", 50.0), ("龙潭乡", 80.0)]
    rows[2][1] = 151
    result = check(write_table(tmp / "清单_2016-03.csv", rows, names=names, total=False))
    assert problems(result) == [("TOTAL_MISMATCH", "清单_2016-03.csv", "B4")]


def test_a_total_row_at_the_top_totals_the_rows_below_it(tmp):
    # Regression: a 合计 right under the header was compared with the rows above it
    # (none): 「合计为230，但各单位之和为0」 on every column, and aggregate refused.
    names = ["参训妇女"]
    rows = [["合计", 230], ["大宁镇", 100], ["白沙镇", 50], ["龙潭乡", 80]]
    assert problems(check(write_table(tmp / "清单_2016-03.csv", rows, names=names, total=False))) == []
    rows[0][1] = 231
    result = check(write_table(tmp / "清单_2016-03.csv", rows, names=names, total=False))
    assert only(result, "TOTAL_MISMATCH").message == "“参训妇女”的合计为231，但各单位之和为230；请核对合计或各行数据"


def test_a_street_groups_合计_is_its_subtotal_and_the_countys_the_total(tmp):
    names = ["参训妇女"]
    rows = [["大宁镇", 10], ["白沙镇", 20], ["乡镇小计", 30], ["城东街道", 5], ["街道合计", 5], ["全县合计", 35]]
    assert problems(check(write_table(tmp / "青溪县2016年3月.csv", rows, names=names, total=False))) == []


def test_a_stock_s_total_over_several_months_is_each_org_s_latest_month():
    # Regression: 贫困村's 合计 10 (the March figures) was a TOTAL_MISMATCH against all months summed, 32.
    rows = [obs(org, f"2016-{m:02d}", "poor_villages", v, file="t.csv") for org, m, v in
            [("大宁镇", 1, 5), ("白沙镇", 1, 6), ("大宁镇", 2, 5), ("白沙镇", 2, 6), ("大宁镇", 3, 4), ("白沙镇", 3, 6)]]
    total = [obs(None, None, "poor_villages", 10, "D12", measure="total", file="t.csv")]
    assert run_check(totals, blocks_from_rows(rows + total)) == []
    total = [obs(None, None, "poor_villages", 11, "D12", measure="total", file="t.csv")]
    assert [(f.code, f.values) for f in run_check(totals, blocks_from_rows(rows + total))] == [
        ("TOTAL_MISMATCH", {"total": 11.0, "sum": 10.0})]
