"""A 合计 row or column against the rows or columns it totals; a 小计 row against the
rows since the previous 小计. Per file: both are within one sheet."""

from __future__ import annotations

from collections import defaultdict

from fulian_stats.findings import Finding, show_number
from fulian_stats.observations import MONTH, SUBTOTAL, TOTAL, sums_differ
from fulian_stats.periods import find_period
from fulian_stats.read.sheet_totals import WHOLE_WORKBOOK

SCOPE = "file"


def check(blocks, ctx) -> list[Finding]:
    """A 合计 row or column equals the sum of the rows or columns it totals, a 小计 row
    the sum of the rows since the previous 小计 (or the first row), within its sheet
    (run on each file where it is read).

    Rates are skipped: their total is a ratio of sums, not a sum. A stock's 合计 over
    several months is each org's latest month, summed over orgs."""
    if not any(block.measure in (TOTAL, SUBTOTAL) for block in blocks):
        return []
    catalog = ctx.catalog
    # A sheet with rows refused (ROW_RAGGED) cannot be totalled: its 合计 would disagree for that alone.
    refused = {(f.file, f.sheet) for f in ctx.findings if f.code == "ROW_RAGGED"}
    sheets = {(block.file, block.sheet) for block in blocks if block.measure in (TOTAL, SUBTOTAL)} - refused
    # A total sheet of a workbook (read/sheet_totals.py) has no rows of its own: it totals the other sheets.
    own_rows = {(block.file, block.sheet) for block in blocks if block.measure == MONTH}
    whole = {file for file, sheet in sheets if (file, sheet) not in own_rows}
    sums: dict[tuple, float] = defaultdict(float)  # (file, sheet, period, indicator) → sum of all rows
    any_period: dict[tuple, float] = defaultdict(float)  # (file, sheet, indicator)
    # A stock's 合计 over several months is the sum of each org's latest month, never of all months.
    latest: dict[tuple, dict[str, tuple[int, float]]] = defaultdict(dict)  # (file, sheet, indicator) → org → (month, value)
    since: dict[tuple, float] = defaultdict(float)  # the same since the sheet's last 小计
    # A total sheet of a quarter beside its months' sheets: (file, indicator) → (period, org, value) of every sheet's
    parts: dict[tuple, list] = defaultdict(list)
    findings = []
    for block in blocks:  # a 合计 totals every row of its sheet, above it or below (at the top, as often)
        if block.measure != MONTH:
            continue
        last = _last_month(block.period)
        for sheet, totalled in ((block.sheet, (block.file, block.sheet) in sheets),
                                (WHOLE_WORKBOOK, block.file in whole)):
            if not totalled:
                continue
            for ind_id, value in zip(block.indicators, block.values):
                sums[(block.file, sheet, block.period, ind_id)] += value
                any_period[(block.file, sheet, ind_id)] += value
                if sheet == WHOLE_WORKBOOK:
                    parts[(block.file, ind_id)].append((block.period, block.org, value))
                if catalog[ind_id].kind == "stock":
                    by_org = latest[(block.file, sheet, ind_id)]
                    if block.org not in by_org or by_org[block.org][0] <= last:
                        by_org[block.org] = (last, value)
    # (file, period, indicator) the other sheets of a total sheet have: one of a longer period sums several
    sheet_periods = {(f, period, ind) for f, sheet, period, ind in sums if sheet == WHOLE_WORKBOOK}
    for block in blocks:  # in reading order: a 小计 comes after the rows it totals
        file = block.file
        where = (file, block.sheet)
        if where not in sheets:
            continue
        if block.measure == MONTH:
            for ind_id, value in zip(block.indicators, block.values):
                since[(*where, ind_id)] += value
        elif block.measure in (TOTAL, SUBTOTAL):
            of_sheets = block.measure == TOTAL and where not in own_rows
            summed = (file, WHOLE_WORKBOOK) if of_sheets else where
            for ind_id, value, cell in zip(block.indicators, block.values, block.cells):
                if catalog[ind_id].kind == "rate":
                    continue
                if block.measure == SUBTOTAL:
                    expected = since.get((*where, ind_id), 0.0)
                elif of_sheets and block.period and (file, block.period, ind_id) not in sheet_periods:
                    expected = _within(parts[(file, ind_id)], block.period, catalog[ind_id].kind)
                elif block.period:
                    expected = sums.get((*summed, block.period, ind_id), 0.0)
                elif catalog[ind_id].kind == "stock":
                    expected = sum(value for _m, value in latest.get((*summed, ind_id), {}).values())
                else:
                    expected = any_period.get((*summed, ind_id), 0.0)
                if sums_differ(value, expected):
                    rows = "小计以上各行（至上一个小计）" if block.measure == SUBTOTAL else \
                        "其他各工作表" if of_sheets else \
                        "各单位（存量取各自最后一个月）" if not block.period and catalog[ind_id].kind == "stock" else "各单位"
                    fix = ("合计表或各工作表的数据（如这张表是某个单位的报表，请把工作表名改为该单位的名称）" if of_sheets
                           else f"{'小计' if block.measure == SUBTOTAL else '合计'}或各行数据")
                    findings.append(Finding(
                        "TOTAL_MISMATCH", f"“{catalog[ind_id].label}”的{'小计' if block.measure == SUBTOTAL else '合计'}"
                        f"为{show_number(value)}，但{rows}之和为{show_number(round(expected, 6))}；请核对{fix}",
                        file=file, sheet=block.sheet, cell=cell, period=block.period, indicator=ind_id,
                        values={"total": value, "sum": round(expected, 6)}))
            if block.measure == SUBTOTAL:
                for key in [k for k in since if k[:2] == where]:
                    del since[key]
    return findings


def _last_month(code: str | None) -> int:
    found = find_period(code) if code else None
    return found.last if found is not None else -1


def _within(parts: list, period: str, kind: str) -> float:
    """What a total sheet of `period` (a quarter) should hold: its months' sheets summed,
    a stock as each org's last month."""
    span = find_period(period)
    latest: dict = {}
    total = 0.0
    for code, org, value in parts:
        found = find_period(code) if code else None
        if found is None or not (span.first <= found.first and found.last <= span.last):
            continue
        if kind == "stock":
            if org not in latest or latest[org][0] <= found.last:
                latest[org] = (found.last, value)
        else:
            total += value
    return sum(value for _m, value in latest.values()) if kind == "stock" else total
