"""Negative numbers and fractions of counts (checks/values.py).

Real files where the layout matters, observation rows (check_helpers.obs) where it
does not."""

from __future__ import annotations

from check_helpers import (
    NAMES,
    check,
    obs,
    run_check,
    street_rows,
    write_table,
)

from fulian_stats.checks import values
from fulian_stats.observations import blocks_from_rows


def test_negative_and_fractional_counts_in_a_table_name_their_cells(tmp):
    rows = street_rows(3)
    rows[1][NAMES.index("新媒体推送信息") + 1] = -15
    rows[2][NAMES.index("慰问困境妇女儿童老人") + 1] = 68.5
    result = check(write_table(tmp / "城区街道_2016-03.csv", rows, total=False))
    assert sorted((f.code, f.cell, f.org, f.period) for f in result.findings) == [
        ("NEGATIVE", "B3", "城东街道", "2016-03"), ("NOT_INTEGER", "Q4", "城南街道", "2016-03")]


def test_money_may_have_decimals_and_counts_may_be_whole_floats():
    rows = [obs("大宁镇", "2016-03", "loan_amount", 20.55), obs("大宁镇", "2016-03", "trainees", 43.0),
            obs("大宁镇", "2016-03", "funds_raised", 0.01)]
    assert run_check(values, blocks_from_rows(rows)) == []
