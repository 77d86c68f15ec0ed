"""Checks across sheets and files: duplicate submissions, 本年累计 against the months,
合计 against its rows, completeness against the registry, and outliers against an
org's own history. Each takes observation rows
`(org, period, indicator, value, sheet, cell, measure, file)` and returns findings."""

from __future__ import annotations

from collections import defaultdict
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
    return code is not None and len(code) == 7 and code[4] == "-"


def check_duplicates(rows: list[tuple]) -> list[Finding]:
    """The same org and period reported twice, in two files or two rows; or a period
    reported that overlaps another file's (a year summary beside its months)."""
    first_seen: dict[tuple, tuple] = {}
    sources: dict[tuple, list[tuple]] = {}
    periods_by_org: dict[str, dict[str, tuple]] = defaultdict(dict)
    for org, period, ind_id, _value, sheet, cell, measure, file in rows:
        if measure != "month":
            continue
        key = (org, period, ind_id)
        source = (file, sheet, cell)
        if key in first_seen:
            listed = sources.setdefault((org, period), [first_seen[key]])
            if (file, sheet) not in {(f, s) for f, s, _c in listed} or len(listed) == 1:
                listed.append(source)
        else:
            first_seen[key] = source
        periods_by_org[org].setdefault(period, source)
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


def check_year_to_date(rows: list[tuple], catalog: Catalog) -> list[Finding]:
    """本年累计 of a flow equals the sum of the year's months so far (when all are
    here), and is never below the sum of the months that are here."""
    month_values: dict[tuple, float] = {}
    months_of_org: dict[str, set[str]] = defaultdict(set)
    ytd_rows = []
    for row in rows:
        org, period, ind_id, value, _sheet, _cell, measure, _file = row
        if not _is_month(period):
            continue
        if measure == "month":
            # A month submitted twice is DUPLICATE_SUBMISSION's finding; counting it
            # twice here would add a YTD_MISMATCH for every indicator of the copy.
            month_values.setdefault((org, period, ind_id), value)
            months_of_org[org].add(period)
        elif measure == "ytd" and catalog[ind_id].kind == "flow":
            ytd_rows.append(row)
    findings = []
    for org, period, ind_id, value, sheet, cell, _measure, file in ytd_rows:
        year, month = period[:4], int(period[5:])
        codes = [f"{year}-{m:02d}" for m in range(1, month + 1)]
        present = [c for c in codes if c in months_of_org[org]]
        total = sum(month_values.get((org, c, ind_id), 0.0) for c in present)
        complete = len(present) == len(codes)
        if (complete and abs(value - total) > TOLERANCE) or (not complete and value < total - TOLERANCE):
            ind = catalog[ind_id]
            parts = "、".join(f"{int(c[5:])}月{show_number(month_values.get((org, c, ind_id), 0.0))}" for c in present)
            missing = "" if complete else f"（缺{len(codes) - len(present)}个月的报表，累计数不应小于已报各月之和）"
            findings.append(Finding(
                "YTD_MISMATCH", f"“{ind.name}”本年累计为{show_number(value)}，但已报各月之和为"
                f"{show_number(total)}（{parts}）{missing}；请核对本年累计或各月数",
                file=file, sheet=sheet, cell=cell, org=org, period=period, indicator=ind_id,
                values={"ytd": value, "sum": total, "months": present}))
    return findings


def check_totals(rows: list[tuple], catalog: Catalog) -> list[Finding]:
    """A 合计 row or column equals the sum of the rows or columns it totals.

    Rates are skipped: their total is a ratio of sums, not a sum."""
    sums: dict[tuple, float] = defaultdict(float)
    any_period: dict[tuple, float] = defaultdict(float)
    totals = []
    for row in rows:
        org, period, ind_id, value, sheet, cell, measure, file = row
        if measure == "month":
            sums[(file, sheet, period, ind_id)] += value
            any_period[(file, sheet, ind_id)] += value
        elif measure == "total" and catalog[ind_id].kind != "rate":
            totals.append(row)
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
    for org, code, *_rest in rows:
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


def check_outliers(rows: list[tuple], catalog: Catalog, period: Period | None = None) -> list[Finding]:
    """A month far from the median of the org's own earlier months (median and MAD, so
    one wild month cannot hide itself by inflating the spread)."""
    series: dict[tuple, list[tuple]] = defaultdict(list)
    seen: set[tuple] = set()
    for org, code, ind_id, value, sheet, cell, measure, file in rows:
        if measure == "month" and _is_month(code) and catalog[ind_id].kind != "rate":
            if (org, code, ind_id) in seen:
                continue  # a duplicate submission is not history of its own
            seen.add((org, code, ind_id))
            series[(org, ind_id)].append((code, value, file, sheet, cell))
    findings = []
    for (org, ind_id), points in series.items():
        if len(points) <= MIN_HISTORY:
            continue
        points.sort()
        for i in range(MIN_HISTORY, len(points)):
            code, value, file, sheet, cell = points[i]
            if period is not None and not period.contains(find_period(code)):
                continue
            history = [p[1] for p in points[:i]]
            center = median(history)
            spread = median(abs(h - center) for h in history) * 1.4826
            distance = abs(value - center)
            if spread > 0:
                wild = distance > OUTLIER_MADS * spread and distance > 0.5 * abs(center)
            else:
                wild = center > 0 and distance > max(2 * center, 10)
            # Seasonal peaks (慰问 at the Spring Festival) recur: a value within twice the
            # range already seen is the org's own pattern, not a typo.
            wild = wild and (value > 2 * max(history) or value < min(history) / 2)
            if wild:
                ind = catalog[ind_id]
                direction = "高" if value > center else "低"
                findings.append(Finding(
                    "OUTLIER", f"“{ind.name}”为{show_number(value)}{ind.unit}，明显{direction}于本单位以往"
                    f"{len(history)}个月的中位数{show_number(center)}（以往最小{show_number(min(history))}、"
                    f"最大{show_number(max(history))}）；请核实是否多填或少填了位数、单位是否有误",
                    file=file, sheet=sheet, cell=cell, org=org, period=code, indicator=ind_id,
                    values={"value": value, "median": center, "history": history}))
    return findings
