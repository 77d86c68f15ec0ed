"""Checks across sheets and files: duplicate submissions, 合计 against its rows and
completeness against the registry (本年累计 and outliers, which line an org's months
up, are in history.py). Each takes (file, block) pairs (see observations.py) and
returns findings; `blocks_from_rows` makes them from observation tuples."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from fulian_stats.catalog import Catalog
from fulian_stats.findings import Finding, show_number
from fulian_stats.observations import MONTH, SUBTOTAL, TOTAL, YTD, Block
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period, find_period

TOLERANCE = 1e-6  # a cent of 万元 is 1e-6; sums are compared to that

Sourced = list[tuple[str, Block]]  # (file, block) in reading order


def _month_label(code: str) -> str:
    found = find_period(code)
    return found.label if found else code


def is_month(code: str | None) -> bool:
    """A month's code (2016-03), not a quarter, half year, year or range."""
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


def check_totals(blocks: Sourced, catalog: Catalog) -> list[Finding]:
    """A 合计 row or column equals the sum of the rows or columns it totals, a 小计 row
    the sum of the rows since the previous 小计 (or the first row), within its sheet
    (run on each file where it is read).

    Rates are skipped: their total is a ratio of sums, not a sum."""
    if not any(block.measure in (TOTAL, SUBTOTAL) for _f, block in blocks):
        return []
    sheets = {(file, block.sheet) for file, block in blocks if block.measure in (TOTAL, SUBTOTAL)}
    sums: dict[tuple, float] = defaultdict(float)  # (file, sheet, period, indicator) → sum of all rows
    any_period: dict[tuple, float] = defaultdict(float)  # (file, sheet, indicator)
    since: dict[tuple, float] = defaultdict(float)  # the same since the sheet's last 小计
    findings = []
    for file, block in blocks:  # in reading order: a 小计 comes after the rows it totals
        where = (file, block.sheet)
        if where not in sheets:
            continue
        if block.measure == MONTH:
            for ind_id, value in zip(block.indicators, block.values):
                sums[(*where, block.period, ind_id)] += value
                any_period[(*where, ind_id)] += value
                since[(*where, ind_id)] += value
        elif block.measure in (TOTAL, SUBTOTAL):
            for ind_id, value, cell in zip(block.indicators, block.values, block.cells):
                if catalog[ind_id].kind == "rate":
                    continue
                if block.measure == SUBTOTAL:
                    expected = since.get((*where, ind_id), 0.0)
                elif block.period:
                    expected = sums.get((*where, block.period, ind_id), 0.0)
                else:
                    expected = any_period.get((*where, ind_id), 0.0)
                if abs(value - expected) > TOLERANCE * max(1.0, abs(expected)):
                    rows = "小计以上各行（至上一个小计）" if block.measure == SUBTOTAL else "各单位"
                    findings.append(Finding(
                        "TOTAL_MISMATCH", f"“{catalog[ind_id].label}”的{'小计' if block.measure == SUBTOTAL else '合计'}"
                        f"为{show_number(value)}，但{rows}之和为{show_number(round(expected, 6))}；请核对"
                        f"{'小计' if block.measure == SUBTOTAL else '合计'}或各行数据",
                        file=file, sheet=block.sheet, cell=cell, period=block.period, indicator=ind_id,
                        values={"total": value, "sum": round(expected, 6)}))
            if block.measure == SUBTOTAL:
                for key in [k for k in since if k[:2] == where]:
                    del since[key]
    return findings


def failed_submissions(files, orgs: OrgRegistry | None) -> list[tuple[str, str, str]]:
    """(file, org, period) of each file that gave no observations because of its own
    errors (unreadable, a conflict, no layout), when its name tells the org and the
    period: that org sent that month, wrongly; it is not also missing. `files` are
    the reader's FileResults."""
    import os

    from fulian_stats.read.meta import org_from_file_name

    claims = []
    for result in files:
        if result.blocks or not any(f.is_error for f in result.findings):
            continue
        stem = os.path.splitext(os.path.basename(result.file))[0]
        org, period = org_from_file_name(stem, orgs), find_period(stem)
        if org is not None and period is not None:
            claims.append((result.file, org, period.code))
    return claims


def check_completeness(blocks: Sourced, orgs: OrgRegistry, period: Period,
                       failed: list[tuple[str, str, str]] = ()) -> list[Finding]:
    """Every org expected by the registry reported every month of the period (an org
    is covered when it, or an org above it, reported a period that includes the month,
    or sent a file for it that could not be used: `failed`, see failed_submissions)."""
    covered: dict[str, set[int]] = defaultdict(set)
    reported = {(b.org, b.period) for _f, b in blocks} | {(org, code) for _file, org, code in failed}
    for org, code in reported:  # each org and period once
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
