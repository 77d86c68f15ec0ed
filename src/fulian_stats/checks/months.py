"""An org's months side by side, shared by the checks that line them up (ytd.py,
outliers.py) and by the duplicates check: one pass over the blocks (the Index), and
dense arrays [org, month, indicator] of the first value reported (NaN where nothing
was), so that a whole province is decided at once with numpy and only the cells found
off are looked at one by one. Orgs are taken in batches, so an array stays small
whatever the span of the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fulian_stats.observations import MONTH, YTD, indicator_codes, values_of

MIN_HISTORY = 6  # months of an org's own history before a value is judged an outlier
BATCH_CELLS = 2_000_000  # floats in one batch of an array: 16 MB


def is_month(code: str | None) -> bool:
    """A month's code (2016-03), not a quarter, half year, year or range."""
    return code is not None and len(code) == 7 and code[4] == "-" and code[5] in "01"


@dataclass
class Index:
    """One pass over the blocks, shared by the checks across files (a province-year
    has a million observations: each check looping over them again is what costs)."""

    months: dict[tuple, list[int]]  # (org, period) → positions of its month blocks, in reading order
    ytd: list[int]  # positions of the 本年累计 blocks


def index_blocks(blocks) -> Index:
    months: dict[tuple, list[int]] = {}
    ytd = []
    for position, block in enumerate(blocks):
        if block.measure == MONTH:
            months.setdefault((block.org, block.period), []).append(position)
        elif block.measure == YTD:
            ytd.append(position)
    return Index(months, ytd)


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


def _grid(blocks, months_by_org: dict, orgs: list[str], years: list[str], ids: list[str]) -> MonthGrid:
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
                once.append(blocks[positions[0]])
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
            block = blocks[position]
            grid.values[o, t, indicator_codes([block], ids)] = block.values
    return grid


def month_grids(blocks, index: Index, catalog) -> list[MonthGrid]:
    """The grids of the orgs that have 本年累计 to check or a history to judge, in
    batches; empty when there are none."""
    months_by_org = _month_keys(index)
    ytd_orgs = [blocks[p].org for p in index.ytd if is_month(blocks[p].period)]
    orgs = list(dict.fromkeys(ytd_orgs + [org for org, found in months_by_org.items() if len(found) > MIN_HISTORY]))
    if not orgs:
        return []
    ids = [ind.id for ind in catalog]  # the grid's columns
    years = sorted({code[:4] for found in months_by_org.values() for code, _p in found} |
                   {blocks[p].period[:4] for p in index.ytd if is_month(blocks[p].period)})
    size = max(1, BATCH_CELLS // (len(years) * 12 * len(ids)))
    return [_grid(blocks, months_by_org, orgs[start:start + size], years, ids) for start in range(0, len(orgs), size)]
