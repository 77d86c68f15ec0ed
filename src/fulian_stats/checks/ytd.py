"""本年累计 of a flow against the months of the year so far: equal when every month is
here, never below the sum of the months that are. A month submitted twice counts
once (the copy is the duplicates check's finding). Per run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fulian_stats.findings import Finding, show_number
from fulian_stats.observations import TOLERANCE, indicator_codes, values_of

if TYPE_CHECKING:
    from fulian_stats.checks.months import MonthGrid

SCOPE = "run"


def check(blocks, ctx) -> list[Finding]:
    from fulian_stats.checks.months import is_month

    ytd = [blocks[p] for p in ctx.index.ytd if is_month(blocks[p].period)]
    findings = []
    ids = [ind.id for ind in ctx.catalog]
    for grid in ctx.month_grids:
        in_batch = set(grid.orgs)
        findings += _year_to_date(grid, [b for b in ytd if b.org in in_batch], ids, ctx.catalog)
    return findings


def _year_to_date(grid: MonthGrid, ytd: list, ids: list[str], catalog) -> list[Finding]:
    # numpy and the grids only once the files are read: imported meanwhile (checks/__init__.py)
    import numpy as np

    from fulian_stats.checks.months import accumulate

    if not ytd:
        return []
    shape = (len(grid.orgs), len(grid.years), 12)
    # Running sums within each calendar year, and whether all its months so far are here.
    running = accumulate(np.add, np.nan_to_num(grid.values).reshape(*shape, -1), axis=2).reshape(grid.values.shape)
    complete = (np.cumsum(grid.reported.reshape(shape), axis=2) == np.arange(1, 13)).reshape(grid.reported.shape)
    org_of = {org: o for o, org in enumerate(grid.orgs)}
    slot_of = {code: grid.slot(code) for code in {b.period for b in ytd}}
    lengths = [len(b.values) for b in ytd]
    o = np.repeat([org_of[b.org] for b in ytd], lengths)
    t = np.repeat([slot_of[b.period] for b in ytd], lengths)
    k = indicator_codes(ytd, ids)
    value = values_of(ytd)
    flows = np.flatnonzero(np.array([ind.kind == "flow" for ind in catalog])[k])
    o, t, k, value = o[flows], t[flows], k[flows], value[flows]
    total = running[o, t, k]
    off = np.where(complete[o, t], np.abs(value - total) > TOLERANCE, value < total - TOLERANCE)
    starts = np.cumsum(lengths) - lengths
    findings = []
    for j in np.flatnonzero(off):
        i = flows[j]
        b = int(np.searchsorted(starts, i, side="right")) - 1
        block = ytd[b]
        findings.append(_ytd_finding(block, int(i - starts[b]), float(total[j]), grid, org_of[block.org], ids, catalog))
    return findings


def _ytd_finding(block, at: int, total: float, grid: MonthGrid, o: int, ids: list[str], catalog) -> Finding:
    """YTD_MISMATCH for a 本年累计 that disagrees with the months present."""
    org, period = block.org, block.period
    ind_id, value, cell = block.indicators[at], block.values[at], block.cells[at]
    month = int(period[5:])
    first = grid.slot(period) - month + 1
    present = [m for m in range(1, month + 1) if grid.reported[o, first + m - 1]]
    complete = len(present) == month
    k = ids.index(ind_id)
    codes_present = [f"{period[:4]}-{m:02d}" for m in present]
    parts = "、".join(f"{m}月{show_number(_or_zero(grid.values[o, first + m - 1, k]))}" for m in present)
    missing = "" if complete else f"（缺{month - len(present)}个月的报表，累计数不应小于已报各月之和）"
    ind = catalog[ind_id]
    return Finding(
        "YTD_MISMATCH", f"“{ind.label}”本年累计为{show_number(value)}，但已报各月之和为"
        f"{show_number(total)}（{parts}）{missing}；请核对本年累计或各月数",
        file=block.file, sheet=block.sheet, cell=cell, org=org, period=period, indicator=ind_id,
        values={"ytd": value, "sum": total, "months": codes_present})


def _or_zero(value: float) -> float:
    return 0.0 if value != value else float(value)
