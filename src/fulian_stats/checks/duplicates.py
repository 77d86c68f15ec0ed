"""One org and period reported twice, in two files or two rows of one table; a
period that overlaps another file's (a year summary beside its months); or, with the
registry, an org's own figures beside its townships' for the same months (a county's
form beside the forms it totals). Per run."""

from __future__ import annotations

from collections import defaultdict

from fulian_stats.findings import Finding
from fulian_stats.periods import find_period

SCOPE = "run"


def _month_label(code: str) -> str:
    found = find_period(code)
    return found.label if found else code


def check(blocks, ctx) -> list[Finding]:
    """The same org and period reported twice, in two files or two rows; or a period
    reported that overlaps another file's (a year summary beside its months)."""
    index = ctx.index
    # Only an org and period with more than one block can hold a value twice: look at
    # those cell by cell, in reading order.
    twice = sorted(p for positions in index.months.values() if len(positions) > 1 for p in positions)
    first: dict[tuple, tuple] = {}
    sources: dict[tuple, list[tuple]] = {}
    for position in twice:
        block = blocks[position]
        file, org, period = block.file, block.org, block.period
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
        block = blocks[positions[0]]
        periods_by_org[org].setdefault(period, (block.file, block.sheet, block.cells[0]))
    findings = []
    orgs_in = _orgs_per_file(blocks) if sources else {}
    for (org, period), listed in sources.items():
        # The copy is the file that reports more orgs (a stray summary beside the
        # townships' own forms), so that --skip-invalid leaves out that one.
        first, *others = sorted(listed, key=lambda source: len(orgs_in[source[0]]))
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
                if a.contains(b) or b.contains(a):
                    # The finding belongs to the longer period (a quarter or year beside its months).
                    (outer, o_code, o_src), (inner, i_code, i_src) = (
                        ((a, a_code, a_src), (b, b_code, b_src)) if a.contains(b) else
                        ((b, b_code, b_src), (a, a_code, a_src)))
                    # Two files; one workbook's two sheets (一季度合计 beside 1月…3月); or one table's
                    # rows (a 一季度 row beside the months'): named by what tells them apart.
                    o_at, i_at = (o_src[0], i_src[0]) if o_src[0] != i_src[0] else \
                        (f"工作表“{o_src[1]}”", f"工作表“{i_src[1]}”") if o_src[1] != i_src[1] else \
                        (f"{o_src[2]}单元格", f"{i_src[2]}单元格")
                    findings.append(Finding(
                        "DUPLICATE_SUBMISSION",
                        f"{org}的{outer.label}数据（{o_at}）与{inner.label}数据（{i_at}）时间重叠，"
                        "汇总时会重复计算；请只保留其中一种", file=o_src[0], sheet=o_src[1], org=org,
                        period=o_code, values={"files": [o_src[0], i_src[0]], "periods": [o_code, i_code]}))
    if ctx.orgs is not None:
        findings += _above_and_below(periods_by_org, ctx.orgs)
    return findings


def _orgs_per_file(blocks) -> dict[str, set]:
    found: dict[str, set] = defaultdict(set)
    for block in blocks:
        found[block.file].add(block.org)
    return found


def _above_and_below(periods_by_org: dict[str, dict[str, tuple]], registry) -> list[Finding]:
    """An org with townships under it that reported figures of its own for months its
    townships reported too, from other files: summed up the hierarchy, those months
    would count twice."""
    findings = []
    for org, by_period in periods_by_org.items():
        if org not in registry.orgs or not registry.children.get(org):
            continue
        below = [o for o in registry.descendants(org) if o in periods_by_org]
        for code, (file, sheet, _cell) in by_period.items():
            period = find_period(code)
            if period is None:
                continue
            overlapping = sorted({o for o in below for c, (f, _s, _c) in periods_by_org[o].items()
                                  if f != file and (p := find_period(c)) is not None
                                  and p.first <= period.last and period.first <= p.last})
            if overlapping:
                named = "、".join(overlapping[:5]) + (f"等{len(overlapping)}个单位" if len(overlapping) > 5 else "")
                findings.append(Finding(
                    "DUPLICATE_SUBMISSION", f"{org}{period.label}的数据（{file}）与其下属单位{named}的报表同时读入，"
                    f"按单位层级汇总时会重复计算；请只保留{org}的汇总数或下属单位的报表其中一种",
                    file=file, sheet=sheet, org=org, period=code,
                    values={"files": [file], "below": overlapping}))
    return findings
