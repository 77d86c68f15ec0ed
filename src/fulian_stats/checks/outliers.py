"""A month far from the median of the org's own earlier months (median and MAD, so one
wild month cannot hide itself by inflating the spread), in the period checked. First-
reported values only: a duplicate submission is not history of its own. Per run."""

from __future__ import annotations

from statistics import median
from typing import TYPE_CHECKING

from fulian_stats.findings import Finding, show_number
from fulian_stats.periods import Period, find_period

if TYPE_CHECKING:
    from fulian_stats.checks.months import Index, MonthGrid

SCOPE = "run"
OUTLIER_MADS = 5.0  # how many (scaled) median absolute deviations count as far off


def check(blocks, ctx) -> list[Finding]:
    ids = [ind.id for ind in ctx.catalog]
    findings = []
    for grid in ctx.month_grids:
        findings += _outliers(grid, blocks, ctx.index, ids, ctx.catalog, ctx.period)
    return findings


def _outliers(grid: MonthGrid, blocks, index: Index, ids: list[str], catalog, period: Period | None) -> list[Finding]:
    # numpy and the grids only once the files are read: imported meanwhile (checks/__init__.py)
    import numpy as np

    from fulian_stats.checks.months import MIN_HISTORY, accumulate

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


def _outlier(blocks, index: Index, org: str, ind_id: str, points: list[tuple[str, float]], i: int,
             catalog) -> Finding | None:
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
    block = next(blocks[p] for p in index.months[(org, code)] if ind_id in blocks[p].indicators)
    ind = catalog[ind_id]
    direction = "高" if value > center else "低"
    return Finding(
        "OUTLIER", f"“{ind.label}”为{show_number(value)}{ind.unit}，明显{direction}于本单位以往"
        f"{len(history)}个月的中位数{show_number(center)}（以往最小{show_number(min(history))}、"
        f"最大{show_number(max(history))}）；请核实是否多填或少填了位数、单位是否有误",
        file=block.file, sheet=block.sheet, cell=block.cell_of(ind_id), org=org, period=code, indicator=ind_id,
        values={"value": value, "median": center, "history": history})
