"""Checks across sheets and files: duplicate submissions, 本年累计 against the months,
合计 against its rows, completeness against the registry, and outliers against an
org's own history. Each takes observation rows
`(org, period, indicator, value, sheet, cell, measure, file)` and returns findings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import median

from fulian_stats.catalog import Catalog
from fulian_stats.findings import Finding, show_number
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period, find_period

TOLERANCE = 1e-6  # a cent of 万元 is 1e-6; sums are compared to that
MIN_HISTORY = 6  # months of an org's own history before a value is judged an outlier
OUTLIER_MADS = 5.0  # how many (scaled) median absolute deviations count as far off


def _month_label(code: str) -> str:
    found = find_period(code)
    return found.label if found else code


def _is_month(code: str | None) -> bool:
    return code is not None and len(code) == 7 and code[4] == "-" and code[5] in "01"


@dataclass
class Index:
    """One pass over the observations, shared by the checks below (a province-year has
    over a million of them: each check looping over all of them again is what costs)."""

    first: dict[tuple, tuple]  # (org, period, indicator) → (value, file, sheet, cell), first seen
    again: list[tuple]  # month rows whose (org, period, indicator) was seen before
    ytd: list[tuple]  # 本年累计 rows
    totals: list[tuple]  # 合计 rows


def index_rows(rows: list[tuple]) -> Index:
    first: dict[tuple, tuple] = {}
    again, ytd, totals = [], [], []
    for row in rows:
        measure = row[6]
        if measure == "month":
            key = (row[0], row[1], row[2])
            if key in first:
                again.append(row)
            else:
                first[key] = (row[3], row[7], row[4], row[5])
        elif measure == "ytd":
            ytd.append(row)
        else:
            totals.append(row)
    return Index(first, again, ytd, totals)


def check_duplicates(rows: list[tuple], index: Index | None = None) -> list[Finding]:
    """The same org and period reported twice, in two files or two rows; or a period
    reported that overlaps another file's (a year summary beside its months)."""
    index = index or index_rows(rows)
    sources: dict[tuple, list[tuple]] = {}
    for org, period, ind_id, _value, sheet, cell, _measure, file in index.again:
        listed = sources.setdefault((org, period), [index.first[(org, period, ind_id)][1:]])
        if (file, sheet) not in {(f, s) for f, s, _c in listed} or len(listed) == 1:
            listed.append((file, sheet, cell))
    periods_by_org: dict[str, dict[str, tuple]] = defaultdict(dict)
    for (org, period, _ind), source in index.first.items():
        by_period = periods_by_org[org]
        if period not in by_period:
            by_period[period] = source[1:]
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


def check_year_to_date(rows: list[tuple], catalog: Catalog, index: Index | None = None) -> list[Finding]:
    """本年累计 of a flow equals the sum of the year's months so far (when all are
    here), and is never below the sum of the months that are here. A month submitted
    twice counts once (the copy is DUPLICATE_SUBMISSION's finding)."""
    index = index or index_rows(rows)
    kinds = {ind.id: ind.kind for ind in catalog}
    ytd_rows = [row for row in index.ytd if kinds[row[2]] == "flow" and _is_month(row[1])]
    if not ytd_rows:
        return []
    # Per org and year: months in order, a running sum per indicator, and each month's
    # 本年累计 compared with the running sum once that month is added.
    ytd_by_org_year: dict[tuple, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for row in ytd_rows:
        ytd_by_org_year[(row[0], row[1][:4])][int(row[1][5:])].append(row)
    month_values: dict[tuple, dict[str, float]] = defaultdict(dict)  # (org, period) → indicator → value
    for (org, period, ind_id), source in index.first.items():
        if (org, period[:4]) in ytd_by_org_year and _is_month(period):
            month_values[(org, period)][ind_id] = source[0]
    months_of: dict[tuple, set[int]] = defaultdict(set)  # (org, year) → months reported
    for org, period in month_values:
        months_of[(org, period[:4])].add(int(period[5:]))
    findings = []
    for (org, year), ytd_by_month in ytd_by_org_year.items():
        months = months_of[(org, year)]
        running: dict[str, float] = defaultdict(float)
        present: list[int] = []
        for month in range(1, 13):
            if month in months:
                present.append(month)
                for ind_id, value in month_values[(org, f"{year}-{month:02d}")].items():
                    running[ind_id] += value
            for row in ytd_by_month.get(month, ()):
                finding = _ytd_finding(row, running.get(row[2], 0.0), present, month, month_values, catalog)
                if finding is not None:
                    findings.append(finding)
    return findings


def _ytd_finding(row: tuple, total: float, present: list[int], month: int,
                 month_values: dict[tuple, dict[str, float]], catalog: Catalog) -> Finding | None:
    """YTD_MISMATCH for one 本年累计, or None when it agrees with the months present."""
    org, period, ind_id, value, sheet, cell, _measure, file = row
    complete = len(present) == month
    if not ((complete and abs(value - total) > TOLERANCE) or (not complete and value < total - TOLERANCE)):
        return None
    ind = catalog[ind_id]
    codes = [f"{period[:4]}-{m:02d}" for m in present]
    parts = "、".join(f"{m}月{show_number(month_values[(org, c)].get(ind_id, 0.0))}" for m, c in zip(present, codes))
    missing = "" if complete else f"（缺{month - len(present)}个月的报表，累计数不应小于已报各月之和）"
    return Finding(
        "YTD_MISMATCH", f"“{ind.name}”本年累计为{show_number(value)}，但已报各月之和为"
        f"{show_number(total)}（{parts}）{missing}；请核对本年累计或各月数",
        file=file, sheet=sheet, cell=cell, org=org, period=period, indicator=ind_id,
        values={"ytd": value, "sum": total, "months": codes})


def check_totals(rows: list[tuple], catalog: Catalog, index: Index | None = None) -> list[Finding]:
    """A 合计 row or column equals the sum of the rows or columns it totals.

    Rates are skipped: their total is a ratio of sums, not a sum."""
    index = index or index_rows(rows)
    totals = [row for row in index.totals if catalog[row[2]].kind != "rate"]
    if not totals:
        return []
    sheets = {(row[7], row[4]) for row in totals}
    sums: dict[tuple, float] = defaultdict(float)
    any_period: dict[tuple, float] = defaultdict(float)
    for _org, period, ind_id, value, sheet, _cell, measure, file in rows:
        if measure == "month" and (file, sheet) in sheets:
            sums[(file, sheet, period, ind_id)] += value
            any_period[(file, sheet, ind_id)] += value
    findings = []
    for _org, period, ind_id, value, sheet, cell, _measure, file in totals:
        expected = sums.get((file, sheet, period, ind_id), 0.0) if period else any_period.get((file, sheet, ind_id), 0.0)
        if abs(value - expected) > TOLERANCE * max(1.0, abs(expected)):
            findings.append(Finding(
                "TOTAL_MISMATCH", f"“{catalog[ind_id].name}”的合计为{show_number(value)}，但各单位之和为"
                f"{show_number(round(expected, 6))}；请核对合计或各行数据",
                file=file, sheet=sheet, cell=cell, period=period, indicator=ind_id,
                values={"total": value, "sum": round(expected, 6)}))
    return findings


def check_completeness(rows: list[tuple], orgs: OrgRegistry, period: Period) -> list[Finding]:
    """Every org expected by the registry reported every month of the period (an org
    is covered when it, or an org above it, reported a period that includes the month)."""
    covered: dict[str, set[int]] = defaultdict(set)
    for org, code in {(row[0], row[1]) for row in rows}:  # each org and period once
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


def check_outliers(rows: list[tuple], catalog: Catalog, period: Period | None = None,
                   index: Index | None = None) -> list[Finding]:
    """A month far from the median of the org's own earlier months (median and MAD, so
    one wild month cannot hide itself by inflating the spread)."""
    index = index or index_rows(rows)
    kinds = {ind.id: ind.kind for ind in catalog}
    series: dict[tuple, list[tuple]] = defaultdict(list)
    # First-seen values only: a duplicate submission is not history of its own.
    for (org, code, ind_id), source in index.first.items():
        if kinds[ind_id] != "rate" and _is_month(code):
            series[(org, ind_id)].append((code, source[0]))
    in_period = {}
    findings = []
    for (org, ind_id), points in series.items():
        if len(points) <= MIN_HISTORY:
            continue
        points.sort()
        low = min(p[1] for p in points[:MIN_HISTORY])
        high = max(p[1] for p in points[:MIN_HISTORY])
        for i in range(MIN_HISTORY, len(points)):
            code, value = points[i]
            # Seasonal peaks (慰问 at the Spring Festival) recur: a value within twice the
            # range already seen is the org's own pattern, not a typo. Checked first: it
            # is cheap, and it rules out almost every value before any median is taken.
            beyond = value > 2 * high or value < low / 2
            low, high = min(low, value), max(high, value)
            if not beyond:
                continue
            if period is not None:
                if code not in in_period:
                    in_period[code] = period.contains(find_period(code))
                if not in_period[code]:
                    continue
            history = [p[1] for p in points[:i]]
            center = median(history)
            spread = median(abs(h - center) for h in history) * 1.4826
            distance = abs(value - center)
            if spread > 0:
                wild = distance > OUTLIER_MADS * spread and distance > 0.5 * abs(center)
            else:
                wild = center > 0 and distance > max(2 * center, 10)
            if wild:
                _value, file, sheet, cell = index.first[(org, code, ind_id)]
                ind = catalog[ind_id]
                direction = "高" if value > center else "低"
                findings.append(Finding(
                    "OUTLIER", f"“{ind.name}”为{show_number(value)}{ind.unit}，明显{direction}于本单位以往"
                    f"{len(history)}个月的中位数{show_number(center)}（以往最小{show_number(min(history))}、"
                    f"最大{show_number(max(history))}）；请核实是否多填或少填了位数、单位是否有误",
                    file=file, sheet=sheet, cell=cell, org=org, period=code, indicator=ind_id,
                    values={"value": value, "median": center, "history": history}))
    return findings
