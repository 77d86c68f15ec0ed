"""Checks across sheets and files: duplicate submissions, 本年累计 against the months,
合计 against its rows, completeness against the registry, and outliers against an
org's own history. Each takes (file, block) pairs (see observations.py) and returns
findings; `blocks_from_rows` makes them from observation tuples."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from operator import add, itemgetter, sub
from statistics import median

from fulian_stats.catalog import Catalog
from fulian_stats.findings import Finding, show_number
from fulian_stats.observations import MONTH, TOTAL, YTD, Block
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period, find_period

TOLERANCE = 1e-6  # a cent of 万元 is 1e-6; sums are compared to that
MIN_HISTORY = 6  # months of an org's own history before a value is judged an outlier
OUTLIER_MADS = 5.0  # how many (scaled) median absolute deviations count as far off

Sourced = list[tuple[str, Block]]  # (file, block) in reading order


def _month_label(code: str) -> str:
    found = find_period(code)
    return found.label if found else code


def _is_month(code: str | None) -> bool:
    return code is not None and len(code) == 7 and code[4] == "-" and code[5] in "01"


@dataclass
class Index:
    """One pass over the blocks, shared by the checks below (a province-year has a
    million observations: each check looping over them again is what costs)."""

    months: dict[tuple, list[int]]  # (org, period) → positions of its month blocks, in reading order
    ytd: list[int]  # positions of the 本年累计 blocks


def index_blocks(blocks: Sourced) -> Index:
    months: dict[tuple, list[int]] = {}
    ytd = []
    for position, (_file, block) in enumerate(blocks):
        if block.measure == MONTH:
            months.setdefault((block.org, block.period), []).append(position)
        elif block.measure == YTD:
            ytd.append(position)
    return Index(months, ytd)


def first_values(blocks: Sourced, positions: list[int]) -> dict[str, float]:
    """indicator → value of one org and period: the first value where it was reported twice."""
    values = dict(zip(blocks[positions[0]][1].indicators, blocks[positions[0]][1].values))
    for position in positions[1:]:
        block = blocks[position][1]
        for ind, value in zip(block.indicators, block.values):
            values.setdefault(ind, value)
    return values


def uniform(blocks: Sourced, positions_by_month: list[list[int]]) -> tuple[tuple, list] | None:
    """(indicators, [values of each month]) when each month is one block and all of them
    hold the same indicators, as sheets of one template do; else None. Checks then run
    over whole columns at C speed and look cell by cell only where something is off."""
    if any(len(positions) != 1 for positions in positions_by_month):
        return None
    ids = blocks[positions_by_month[0][0]][1].indicators
    found = [blocks[positions[0]][1] for positions in positions_by_month]
    if any(block.indicators != ids for block in found):
        return None
    return ids, [block.values for block in found]


def check_duplicates(blocks: Sourced, index: Index | None = None) -> list[Finding]:
    """The same org and period reported twice, in two files or two rows; or a period
    reported that overlaps another file's (a year summary beside its months)."""
    index = index or index_blocks(blocks)
    # Only an org and period with more than one block can hold a value twice: look at
    # those cell by cell, in reading order.
    twice = sorted(p for positions in index.months.values() if len(positions) > 1 for p in positions)
    first: dict[tuple, tuple] = {}
    sources: dict[tuple, list[tuple]] = {}
    for position in twice:
        file, block = blocks[position]
        org, period = block.org, block.period
        for ind_id, cell in zip(block.indicators, block.cells):
            key = (org, period, ind_id)
            if key not in first:
                first[key] = (file, block.sheet, cell)
                continue
            listed = sources.setdefault((org, period), [first[key]])
            if (file, block.sheet) not in {(f, s) for f, s, _c in listed} or len(listed) == 1:
                listed.append((file, block.sheet, cell))
    periods_by_org: dict[str, dict[str, tuple]] = defaultdict(dict)
    for (org, period), positions in index.months.items():
        file, block = blocks[positions[0]]
        periods_by_org[org].setdefault(period, (file, block.sheet, block.cells[0]))
    findings = []
    for (org, period), listed in sources.items():
        first, *others = listed
        for file, sheet, cell in others:
            at = cell
            if file != first[0]:  # two files: the whole second file is the copy
                where, at = f"{first[0]}和{file}", None
            elif sheet != first[1]:
                where, at = f"{file}的“{first[1]}”和“{sheet}”两个工作表", None
            else:  # two rows of one table
                where = f"{file}的{first[2]}单元格和{cell}单元格"
            findings.append(Finding(
                "DUPLICATE_SUBMISSION", f"{org}{_month_label(period)}的数据报送了两次：{where}；请删去重复的一份",
                file=file, sheet=sheet, cell=at, org=org, period=period,
                values={"files": [first[0], file], "sheets": [first[1], sheet], "cells": [first[2], cell]}))
    for org, by_period in periods_by_org.items():
        spans = sorted((find_period(p), p, src) for p, src in by_period.items() if find_period(p))
        for i, (a, a_code, a_src) in enumerate(spans):
            for b, b_code, b_src in spans[i + 1:]:
                if b.first > a.last:
                    break
                if a_src[0] != b_src[0] and (a.contains(b) or b.contains(a)):
                    # The finding belongs to the longer period (a quarter or year beside its months).
                    (outer, o_code, o_src), (inner, i_code, i_src) = (
                        ((a, a_code, a_src), (b, b_code, b_src)) if a.contains(b) else
                        ((b, b_code, b_src), (a, a_code, a_src)))
                    findings.append(Finding(
                        "DUPLICATE_SUBMISSION",
                        f"{org}的{outer.label}数据（{o_src[0]}）与{inner.label}数据（{i_src[0]}）时间重叠，"
                        "汇总时会重复计算；请只保留其中一种", file=o_src[0], sheet=o_src[1], org=org,
                        period=o_code, values={"files": [o_src[0], i_src[0]], "periods": [o_code, i_code]}))
    return findings


def check_year_to_date(blocks: Sourced, catalog: Catalog, index: Index | None = None) -> list[Finding]:
    """本年累计 of a flow equals the sum of the year's months so far (when all are
    here), and is never below the sum of the months that are here. A month submitted
    twice counts once (the copy is DUPLICATE_SUBMISSION's finding)."""
    index = index or index_blocks(blocks)
    flows = {ind.id for ind in catalog if ind.kind == "flow"}
    # Per org and year: months in order, a running sum per indicator, and each month's
    # 本年累计 compared with the running sum once that month is added.
    ytd_by_org_year: dict[tuple, dict[int, list[tuple[str, Block]]]] = defaultdict(lambda: defaultdict(list))
    for position in index.ytd:
        file, block = blocks[position]
        if _is_month(block.period):
            ytd_by_org_year[(block.org, block.period[:4])][int(block.period[5:])].append((file, block))
    if not ytd_by_org_year:
        return []
    findings = []
    pickers: dict = {}
    for (org, year), ytd_by_month in ytd_by_org_year.items():
        if _year_agrees(blocks, index, org, year, ytd_by_month, flows, pickers):
            continue
        month_values = {(org, f"{year}-{m:02d}"): first_values(blocks, index.months[(org, f"{year}-{m:02d}")])
                        for m in range(1, 13) if (org, f"{year}-{m:02d}") in index.months}
        months = {int(period[5:]) for _org, period in month_values}
        running: dict[str, float] = {}
        present: list[int] = []
        for month in range(1, 13):
            if month in months:
                present.append(month)
                for ind_id, value in month_values[(org, f"{year}-{month:02d}")].items():
                    running[ind_id] = running.get(ind_id, 0.0) + value
            complete = len(present) == month
            for file, block in ytd_by_month.get(month, ()):
                for ind_id, value, cell in zip(block.indicators, block.values, block.cells):
                    if ind_id not in flows:
                        continue
                    total = running.get(ind_id, 0.0)
                    if (abs(value - total) > TOLERANCE) if complete else (value < total - TOLERANCE):
                        findings.append(_ytd_finding(file, block, ind_id, value, cell, total, present, month,
                                                     month_values, catalog))
    return findings


def _year_agrees(blocks: Sourced, index: Index, org: str, year: str, ytd_by_month: dict,
                 flows: set[str], pickers: dict) -> bool:
    """True when every 本年累计 of the org's year agrees with its months, decided a
    column at a time; False when it may not (or the months are not of one template),
    and the year is then gone through value by value."""
    reported = [m for m in range(1, 13) if (org, f"{year}-{m:02d}") in index.months]
    found = uniform(blocks, [index.months[(org, f"{year}-{m:02d}")] for m in reported])
    if found is None:
        return False
    ids, values_by_month = found
    running = [0.0] * (len(ids) + 1)  # the last stays 0: for an indicator no month reported
    months = dict(zip(reported, values_by_month))
    count = 0
    for month in range(1, 13):
        if month in months:
            count += 1
            running[:-1] = map(add, running, months[month])
        for _file, block in ytd_by_month.get(month, ()):
            key = (id(ids), id(block.indicators))
            if key not in pickers:
                keep = [i for i, ind in enumerate(block.indicators) if ind in flows]
                slot = {ind: i for i, ind in enumerate(ids)}
                pickers[key] = (_picker(keep), _picker([slot.get(block.indicators[i], len(ids)) for i in keep]),
                                ids, block.indicators)  # the tuples stay alive while their ids are keys
            pick_ytd, pick_running, _ids, _ytd_ids = pickers[key]
            diffs = list(map(sub, pick_ytd(block.values), pick_running(running)))
            if diffs and ((max(map(abs, diffs)) > TOLERANCE) if count == month else (min(diffs) < -TOLERANCE)):
                return False
    return True


def _picker(indexes: list[int]):
    """A function from a list to the tuple of its items at `indexes`."""
    if len(indexes) == 1:
        only = indexes[0]
        return lambda items: (items[only],)
    return itemgetter(*indexes) if indexes else (lambda items: ())


def _ytd_finding(file: str, block: Block, ind_id: str, value: float, cell: str, total: float,
                 present: list[int], month: int, month_values: dict[tuple, dict[str, float]],
                 catalog: Catalog) -> Finding:
    """YTD_MISMATCH for a 本年累计 that disagrees with the months present."""
    org, period = block.org, block.period
    complete = len(present) == month
    ind = catalog[ind_id]
    codes = [f"{period[:4]}-{m:02d}" for m in present]
    parts = "、".join(f"{m}月{show_number(month_values[(org, c)].get(ind_id, 0.0))}" for m, c in zip(present, codes))
    missing = "" if complete else f"（缺{month - len(present)}个月的报表，累计数不应小于已报各月之和）"
    return Finding(
        "YTD_MISMATCH", f"“{ind.name}”本年累计为{show_number(value)}，但已报各月之和为"
        f"{show_number(total)}（{parts}）{missing}；请核对本年累计或各月数",
        file=file, sheet=block.sheet, cell=cell, org=org, period=period, indicator=ind_id,
        values={"ytd": value, "sum": total, "months": codes})


def check_totals(blocks: Sourced, catalog: Catalog) -> list[Finding]:
    """A 合计 row or column equals the sum of the rows or columns it totals (within
    its sheet: run on each file where it is read).

    Rates are skipped: their total is a ratio of sums, not a sum."""
    totals = [(file, block) for file, block in blocks if block.measure == TOTAL]
    if not totals:
        return []
    sheets = {(file, block.sheet) for file, block in totals}
    sums: dict[tuple, float] = defaultdict(float)
    any_period: dict[tuple, float] = defaultdict(float)
    for file, block in blocks:
        if block.measure == MONTH and (file, block.sheet) in sheets:
            for ind_id, value in zip(block.indicators, block.values):
                sums[(file, block.sheet, block.period, ind_id)] += value
                any_period[(file, block.sheet, ind_id)] += value
    findings = []
    for file, block in totals:
        period, sheet = block.period, block.sheet
        for ind_id, value, cell in zip(block.indicators, block.values, block.cells):
            if catalog[ind_id].kind == "rate":
                continue
            expected = sums.get((file, sheet, period, ind_id), 0.0) if period else any_period.get((file, sheet, ind_id), 0.0)
            if abs(value - expected) > TOLERANCE * max(1.0, abs(expected)):
                findings.append(Finding(
                    "TOTAL_MISMATCH", f"“{catalog[ind_id].name}”的合计为{show_number(value)}，但各单位之和为"
                    f"{show_number(round(expected, 6))}；请核对合计或各行数据",
                    file=file, sheet=sheet, cell=cell, period=period, indicator=ind_id,
                    values={"total": value, "sum": round(expected, 6)}))
    return findings


def check_completeness(blocks: Sourced, orgs: OrgRegistry, period: Period) -> list[Finding]:
    """Every org expected by the registry reported every month of the period (an org
    is covered when it, or an org above it, reported a period that includes the month)."""
    covered: dict[str, set[int]] = defaultdict(set)
    for org, code in {(b.org, b.period) for _f, b in blocks}:  # each org and period once
        found = find_period(code) if code else None
        if org is not None and found is not None:
            covered[org].update(range(found.first, found.last + 1))
    wanted = set(range(period.first, period.last + 1))
    findings = []
    for org in orgs.leaves():
        have: set[int] = set()
        current: str | None = org
        while current is not None:
            have |= covered.get(current, set())
            current = orgs.orgs[current].parent
        missing = sorted(wanted - have)
        if missing:
            labels = "、".join(Period(m, m).label for m in missing)
            findings.append(Finding(
                "MISSING_SUBMISSION", f"{org}没有报送{labels}的报表；请催报或确认该单位是否已撤并",
                org=org, period=period.code, values={"missing": [Period(m, m).code for m in missing]}))
    return findings


def check_outliers(blocks: Sourced, catalog: Catalog, period: Period | None = None,
                   index: Index | None = None) -> list[Finding]:
    """A month far from the median of the org's own earlier months (median and MAD, so
    one wild month cannot hide itself by inflating the spread)."""
    index = index or index_blocks(blocks)
    rates = {ind.id for ind in catalog if ind.kind == "rate"}
    # org → [(month, indicator → value)]; first-seen values only: a duplicate
    # submission is not history of its own.
    months_by_org: dict[str, list[tuple[str, list[int]]]] = defaultdict(list)
    for (org, code), positions in index.months.items():
        if _is_month(code):
            months_by_org[org].append((code, positions))
    in_period = {}
    findings = []
    for org, months in months_by_org.items():
        if len(months) <= MIN_HISTORY:
            continue  # no series of this org is long enough
        months.sort()
        for ind_id, points in _series(blocks, months, rates):
            for i in _far_from_range(points):
                code, value = points[i]
                if period is not None:
                    if code not in in_period:
                        in_period[code] = period.contains(find_period(code))
                    if not in_period[code]:
                        continue
                finding = _outlier(blocks, months, org, ind_id, points, i, catalog)
                if finding is not None:
                    findings.append(finding)
    return findings


def _series(blocks: Sourced, months: list[tuple[str, list[int]]], rates: set[str]):
    """(indicator, [(month, value)]) of one org, months in order, for the indicators
    reported in more than MIN_HISTORY months that may hold an outlier.

    When the months are of one template this is decided a column at a time: a value
    beyond twice the range of the values before it is needed, and a column none of
    whose later values reaches beyond twice the range of its first MIN_HISTORY has none."""
    codes = [code for code, _positions in months]
    found = uniform(blocks, [positions for _code, positions in months])
    if found is not None:
        ids, rows = found
        first, rest = rows[:MIN_HISTORY], rows[MIN_HISTORY:]
        highs, lows = map(max, *first), map(min, *first)
        later_highs, later_lows = (map(max, *rest), map(min, *rest)) if len(rest) > 1 else (rest[0], rest[0])
        uneven = [i for i, (high, low, later_high, later_low) in enumerate(zip(highs, lows, later_highs, later_lows))
                  if later_high > 2 * high or later_low < low / 2]
        return [(ids[i], list(zip(codes, [row[i] for row in rows]))) for i in uneven if ids[i] not in rates]
    series: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for code, positions in months:
        for ind_id, value in first_values(blocks, positions).items():
            series[ind_id].append((code, value))
    return [(ind_id, points) for ind_id, points in series.items()
            if len(points) > MIN_HISTORY and ind_id not in rates]


def _far_from_range(points: list[tuple[str, float]]) -> list[int]:
    """The points beyond twice the range of the points before them. Seasonal peaks
    (慰问 at the Spring Festival) recur: a value within twice the range already seen is
    the org's own pattern, not a typo. Cheap, and it rules out almost every value
    before any median is taken."""
    values = [p[1] for p in points]
    low, high = min(values[:MIN_HISTORY]), max(values[:MIN_HISTORY])
    found = []
    for i in range(MIN_HISTORY, len(values)):
        value = values[i]
        if value > 2 * high or value < low / 2:
            found.append(i)
        if value < low:
            low = value
        elif value > high:
            high = value
    return found


def _outlier(blocks: Sourced, months, org: str, ind_id: str, points: list[tuple[str, float]], i: int,
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
    file, block = next(blocks[p] for c, positions in months if c == code for p in positions
                       if ind_id in blocks[p][1].indicators)
    ind = catalog[ind_id]
    direction = "高" if value > center else "低"
    return Finding(
        "OUTLIER", f"“{ind.name}”为{show_number(value)}{ind.unit}，明显{direction}于本单位以往"
        f"{len(history)}个月的中位数{show_number(center)}（以往最小{show_number(min(history))}、"
        f"最大{show_number(max(history))}）；请核实是否多填或少填了位数、单位是否有误",
        file=file, sheet=block.sheet, cell=block.cell_of(ind_id), org=org, period=code, indicator=ind_id,
        values={"value": value, "median": center, "history": history})
