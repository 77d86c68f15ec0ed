"""An org's months side by side: 本年累计 against the months, and each month against
the org's own history (outliers).

Both need every org's month values in calendar order, so they share one dense array
[org, month, indicator] of the first value reported (NaN where nothing was) and decide
for a whole province at once with numpy; only the cells found off are then looked at
one by one, to say exactly what is wrong. Orgs are taken in batches, so the array
stays small whatever the span of the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import numpy as np

from fulian_stats.catalog import Catalog
from fulian_stats.crosscheck import TOLERANCE, Index, Sourced, index_blocks, is_month
from fulian_stats.findings import Finding, show_number
from fulian_stats.observations import Block, indicator_codes, values_of
from fulian_stats.periods import Period, find_period

MIN_HISTORY = 6  # months of an org's own history before a value is judged an outlier
OUTLIER_MADS = 5.0  # how many (scaled) median absolute deviations count as far off
BATCH_CELLS = 2_000_000  # floats in one batch of the array: 16 MB


@dataclass
class MonthGrid:
    """The first-reported month values of a batch of orgs."""

    orgs: list[str]
    years: list[str]  # each year is 12 slots: slot = year index × 12 + month − 1
    values: np.ndarray  # [org, slot, indicator (catalog order)]; NaN: not reported
    reported: np.ndarray  # [org, slot]: the org reported anything that month

    def slot(self, code: str) -> int:
        return self.years.index(code[:4]) * 12 + int(code[5:]) - 1

    def code(self, slot: int) -> str:
        return f"{self.years[slot // 12]}-{slot % 12 + 1:02d}"


def accumulate(ufunc, values: np.ndarray, axis: int, dtype=None) -> np.ndarray:
    """`ufunc.accumulate(values, axis)` (np.cumsum for np.add) along a short axis, the
    months, as one whole-array step per month: numpy's own ran 5 times slower along an
    inner axis of a province's grid (10 ms against 2). The same operations in the same
    order, so the same values to the bit."""
    out = np.array(values, dtype=dtype)  # a copy, summed into in place
    steps = np.moveaxis(out, axis, 0)
    for t in range(1, steps.shape[0]):
        ufunc(steps[t - 1], steps[t], out=steps[t])
    return out


def _month_keys(index: Index) -> dict[str, list[tuple[str, list[int]]]]:
    """org → [(month, positions of its month blocks)], months of calendar form only."""
    by_org: dict[str, list[tuple[str, list[int]]]] = {}
    for (org, code), positions in index.months.items():
        if is_month(code):
            by_org.setdefault(org, []).append((code, positions))
    return by_org


def _grid(blocks: Sourced, months_by_org: dict, orgs: list[str], years: list[str], ids: list[str]) -> MonthGrid:
    grid = MonthGrid(orgs, years, np.full((len(orgs), len(years) * 12, len(ids)), np.nan),
                     np.zeros((len(orgs), len(years) * 12), dtype=bool))
    year_of = {year: i * 12 - 1 for i, year in enumerate(years)}
    org_at, slot_at, once, twice = [], [], [], []
    for o, org in enumerate(orgs):
        for code, positions in months_by_org.get(org, ()):
            t = year_of[code[:4]] + int(code[5:])
            if len(positions) == 1:
                org_at.append(o)
                slot_at.append(t)
                once.append(blocks[positions[0]][1])
            else:
                twice.append((o, t, positions))
    # Most months are one block: all of them in one assignment.
    if once:
        lengths = [len(b.values) for b in once]
        rows = np.asarray(org_at) * grid.values.shape[1] + slot_at  # (org, slot) as one index
        flat = np.repeat(rows, lengths) * grid.values.shape[2] + indicator_codes(once, ids)
        grid.values.reshape(-1)[flat] = values_of(once)
        grid.reported.reshape(-1)[rows] = True
    for o, t, positions in twice:
        grid.reported[o, t] = True
        for position in reversed(positions):  # the first block written last: its values stand
            block = blocks[position][1]
            grid.values[o, t, indicator_codes([block], ids)] = block.values
    return grid


def check_history(blocks: Sourced, catalog: Catalog, period: Period | None = None,
                  index: Index | None = None) -> tuple[list[Finding], list[Finding]]:
    """(本年累计 findings, outlier findings), from one grid of the orgs' months."""
    index = index or index_blocks(blocks)
    months_by_org = _month_keys(index)
    ytd = [blocks[p] for p in index.ytd if is_month(blocks[p][1].period)]
    orgs = list(dict.fromkeys([b.org for _f, b in ytd] +
                              [org for org, months in months_by_org.items() if len(months) > MIN_HISTORY]))
    if not orgs:
        return [], []
    ids = [ind.id for ind in catalog]  # the grid's columns
    years = sorted({code[:4] for months in months_by_org.values() for code, _p in months} |
                   {b.period[:4] for _f, b in ytd})
    ytd_findings, outliers = [], []
    size = max(1, BATCH_CELLS // (len(years) * 12 * len(ids)))
    for start in range(0, len(orgs), size):
        batch = orgs[start:start + size]
        grid = _grid(blocks, months_by_org, batch, years, ids)
        in_batch = set(batch)
        ytd_findings += _year_to_date(grid, [(f, b) for f, b in ytd if b.org in in_batch], ids, catalog)
        outliers += _outliers(grid, blocks, index, ids, catalog, period)
    return ytd_findings, outliers


# -- 本年累计 ----------------------------------------------------------------------------


def check_year_to_date(blocks: Sourced, catalog: Catalog, index: Index | None = None) -> list[Finding]:
    """本年累计 of a flow equals the sum of the year's months so far (when all are
    here), and is never below the sum of the months that are here. A month submitted
    twice counts once (the copy is DUPLICATE_SUBMISSION's finding)."""
    return check_history(blocks, catalog, None, index)[0]


def _year_to_date(grid: MonthGrid, ytd: Sourced, ids: list[str], catalog: Catalog) -> list[Finding]:
    if not ytd:
        return []
    shape = (len(grid.orgs), len(grid.years), 12)
    # Running sums within each calendar year, and whether all its months so far are here.
    running = accumulate(np.add, np.nan_to_num(grid.values).reshape(*shape, -1), axis=2).reshape(grid.values.shape)
    complete = (np.cumsum(grid.reported.reshape(shape), axis=2) == np.arange(1, 13)).reshape(grid.reported.shape)
    org_of = {org: o for o, org in enumerate(grid.orgs)}
    slot_of = {code: grid.slot(code) for code in {b.period for _f, b in ytd}}
    lengths = [len(b.values) for _f, b in ytd]
    o = np.repeat([org_of[b.org] for _f, b in ytd], lengths)
    t = np.repeat([slot_of[b.period] for _f, b in ytd], lengths)
    k = indicator_codes([b for _f, b in ytd], ids)
    value = values_of([b for _f, b in ytd])
    flows = np.flatnonzero(np.array([ind.kind == "flow" for ind in catalog])[k])
    o, t, k, value = o[flows], t[flows], k[flows], value[flows]
    total = running[o, t, k]
    off = np.where(complete[o, t], np.abs(value - total) > TOLERANCE, value < total - TOLERANCE)
    starts = np.cumsum(lengths) - lengths
    findings = []
    for j in np.flatnonzero(off):
        i = flows[j]
        b = int(np.searchsorted(starts, i, side="right")) - 1
        file, block = ytd[b]
        findings.append(_ytd_finding(file, block, int(i - starts[b]), float(total[j]), grid, org_of[block.org],
                                     ids, catalog))
    return findings


def _ytd_finding(file: str, block: Block, at: int, total: float, grid: MonthGrid, o: int, ids: list[str],
                 catalog: Catalog) -> Finding:
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
        file=file, sheet=block.sheet, cell=cell, org=org, period=period, indicator=ind_id,
        values={"ytd": value, "sum": total, "months": codes_present})


def _or_zero(value: float) -> float:
    return 0.0 if value != value else float(value)


# -- outliers ----------------------------------------------------------------------------


def check_outliers(blocks: Sourced, catalog: Catalog, period: Period | None = None,
                   index: Index | None = None) -> list[Finding]:
    """A month far from the median of the org's own earlier months (median and MAD, so
    one wild month cannot hide itself by inflating the spread). First-reported values
    only: a duplicate submission is not history of its own."""
    return check_history(blocks, catalog, period, index)[1]


def _outliers(grid: MonthGrid, blocks: Sourced, index: Index, ids: list[str], catalog: Catalog,
              period: Period | None) -> list[Finding]:
    values = grid.values.copy()
    values[:, :, [ind.kind == "rate" for ind in catalog]] = np.nan
    here = ~np.isnan(values)
    before = accumulate(np.add, here, axis=1, dtype=np.int32) - here  # points before each month
    # The range of the points before each month. Seasonal peaks (慰问 at the Spring
    # Festival) recur: a value within twice the range already seen is the org's own
    # pattern, not a typo. It rules out almost every value before any median is taken.
    high = np.full_like(values, np.nan)
    low = np.full_like(values, np.nan)
    high[:, 1:] = accumulate(np.fmax, values, axis=1)[:, :-1]
    low[:, 1:] = accumulate(np.fmin, values, axis=1)[:, :-1]
    beyond = here & (before >= MIN_HISTORY) & ((values > 2 * high) | (values < low / 2))
    findings = []
    slot_codes = [grid.code(slot) for slot in range(values.shape[1])]
    for o, k, t in sorted(zip(*np.nonzero(beyond.transpose(0, 2, 1)))):
        code = slot_codes[t]
        if period is not None and not period.contains(find_period(code)):
            continue
        slots = np.flatnonzero(here[o, :, k])
        points = list(zip([slot_codes[s] for s in slots], values[o, slots, k].tolist()))
        finding = _outlier(blocks, index, grid.orgs[o], ids[k], points, int(before[o, t, k]), catalog)
        if finding is not None:
            findings.append(finding)
    return findings


def _outlier(blocks: Sourced, index: Index, org: str, ind_id: str, points: list[tuple[str, float]], i: int,
             catalog: Catalog) -> Finding | None:
    """OUTLIER for point i when it is far from the median of the points before it."""
    code, value = points[i]
    history = [p[1] for p in points[:i]]
    center = median(history)
    spread = median(abs(h - center) for h in history) * 1.4826
    distance = abs(value - center)
    if spread > 0:
        wild = distance > OUTLIER_MADS * spread and distance > 0.5 * abs(center)
    else:
        wild = center > 0 and distance > max(2 * center, 10)
    if not wild:
        return None
    file, block = next(blocks[p] for p in index.months[(org, code)] if ind_id in blocks[p][1].indicators)
    ind = catalog[ind_id]
    direction = "高" if value > center else "低"
    return Finding(
        "OUTLIER", f"“{ind.label}”为{show_number(value)}{ind.unit}，明显{direction}于本单位以往"
        f"{len(history)}个月的中位数{show_number(center)}（以往最小{show_number(min(history))}、"
        f"最大{show_number(max(history))}）；请核实是否多填或少填了位数、单位是否有误",
        file=file, sheet=block.sheet, cell=block.cell_of(ind_id), org=org, period=code, indicator=ind_id,
        values={"value": value, "median": center, "history": history})
