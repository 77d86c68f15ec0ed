"""One org and period reported twice, in two files or two rows of one table; a
period that overlaps another file's (a year summary beside its months); or, with the
registry, an org's own figures beside its townships' for the same months (a county's
form beside the forms it totals). Per run."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from fulian_stats.findings import ERROR, WARNING, Finding, show_number
from fulian_stats.orgs import is_above
from fulian_stats.periods import find_period

SCOPE = "run"


def _month_label(code: str) -> str:
    found = find_period(code)
    return found.label if found else code


def check(blocks, ctx) -> list[Finding]:
    """The same org and period reported twice, in two files or two rows; or a period
    reported that overlaps another file's (a year summary beside its months)."""
    index = ctx.index
    findings = []
    orgs_in = None
    for (org, period), positions in index.months.items():
        if len(positions) < 2:  # only an org and period with more than one block can hold a value twice
            continue
        copies = _copies(blocks, positions)
        if len(copies) < 2:
            continue
        orgs_in = orgs_in or _orgs_per_file(blocks)
        # The copy is the file that reports more orgs (a stray summary beside the
        # townships' own forms), so that --skip-invalid leaves out that one.
        ordered = sorted(copies, key=lambda copy: len(orgs_in[copy.file]))
        # The copies that repeat a figure of another: a part of the form sharing none is no copy.
        involved = [c for c in ordered if any(o is not c and _shares(c, o) for o in ordered)]
        files = list(dict.fromkeys(copy.file for copy in involved))
        for n, copy in enumerate(ordered[1:], 1):
            # Against the first earlier copy it shares a figure with: a third copy may share
            # none with the first (大宁镇_修改.xlsx beside 大宁镇.xlsx and 大宁.xlsx).
            first = next((c for c in ordered[:n] if _shares(copy, c)), None)
            if first is not None:
                shared = [ind for ind in copy.values if ind in first.values]
                alike = len(orgs_in[first.file]) == len(orgs_in[copy.file])
                findings += _twice(org, period, first, copy, shared, alike, ctx.catalog, len(involved), files)
    periods_by_org: dict[str, dict[str, tuple]] = defaultdict(dict)
    for (org, period), positions in index.months.items():
        block = blocks[positions[0]]
        periods_by_org[org].setdefault(period, (block.file, block.sheet, block.cells[0]))
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
    findings += _above_and_below(periods_by_org, ctx.orgs)
    return findings


@dataclass
class _Copy:
    """One copy of an org's period: the blocks of one sheet that hold each indicator once."""

    file: str
    sheet: str | None
    values: dict[str, tuple[float, str]]  # indicator → (value, cell)


def _shares(a: _Copy, b: _Copy) -> bool:
    return any(ind in b.values for ind in a.values)


def _copies(blocks, positions: list[int]) -> list[_Copy]:
    """The blocks of one org and period as copies, in reading order: a sheet's blocks
    are one copy (a form's parts) unless they hold an indicator twice (two rows of a table)."""
    copies: list[_Copy] = []
    for position in sorted(positions):
        block = blocks[position]
        copy = next((c for c in copies if (c.file, c.sheet) == (block.file, block.sheet)
                     and not any(ind in c.values for ind in block.indicators)), None)
        if copy is None:
            copy = _Copy(block.file, block.sheet, {})
            copies.append(copy)
        copy.values.update(zip(block.indicators, zip(block.values, block.cells)))
    return copies


def _twice(org: str, period: str, first: _Copy, copy: _Copy, shared: list[str], alike: bool, catalog,
           copies: int, files: list[str]) -> list[Finding]:
    """The finding on the copy (of `copies`, in `files`); on both files when they differ
    and neither is more likely the copy (--skip-invalid must not pick one of two
    different figures)."""
    cell, first_cell = copy.values[shared[0]][1], first.values[shared[0]][1]
    at = cell
    if copy.file != first.file:  # two files: the whole second file is the copy
        named = files if len(files) > 2 else [first.file, copy.file]
        where, at = "、".join(named[:-1]) + f"和{named[-1]}", None
    elif copy.sheet != first.sheet:
        where, at = f"{copy.file}的“{first.sheet}”和“{copy.sheet}”两个工作表", None
    else:  # two rows of one table
        where = f"{copy.file}的{first_cell}单元格和{cell}单元格"
    # A figure one copy has and the other left blank differs too: keeping the blank
    # one would lose it.
    differ = [ind for ind in dict.fromkeys([*first.values, *copy.values])
              if _value(first, ind) != _value(copy, ind) and (ind in shared or _value(first, ind) or _value(copy, ind))]
    # Of three copies or more, the two this finding compares.
    pair = f"其中{first.file}与{copy.file}" if len(files) > 2 and copy.file != first.file else "两份"
    if differ:
        ind = differ[0]
        values = f"{_shown(first, ind)}和{_shown(copy, ind)}"
        said = (f"{pair}有{len(differ)}项数值不同（如“{catalog[ind].label}”为{values}）；请核实后只保留正确的一份"
                + ("" if copy.file == first.file else
                   f"（--skip-invalid 汇总时{'两份' if copies == 2 else '这两份'}都不计入）" if alike
                   else f"（--skip-invalid 汇总时只计入{first.file}）" if copies == 2 else ""))
    else:
        # with a third copy another finding may leave out the first too: no promise then
        said = f"{pair}数值相同；请删去重复的一份" + (f"（--skip-invalid 汇总时只计入{first.file}）"
                                               if copy.file != first.file and copies == 2 else "")
    values = {"files": [first.file, copy.file], "sheets": [first.sheet, copy.sheet], "cells": [first_cell, cell],
              "differ": [{"indicator": ind, "values": [_value(first, ind), _value(copy, ind)]} for ind in differ]}
    times = "两" if copies == 2 else copies
    found = [Finding("DUPLICATE_SUBMISSION", f"{org}{_month_label(period)}的数据报送了{times}次：{where}，{said}",
                     file=copy.file, sheet=copy.sheet, cell=at, org=org, period=period, values=values)]
    if differ and alike and copy.file != first.file:
        found.append(replace(found[0], file=first.file, sheet=first.sheet))
    return found


def _value(copy: _Copy, indicator: str) -> float | None:
    found = copy.values.get(indicator)
    return found[0] if found is not None else None


def _shown(copy: _Copy, indicator: str) -> str:
    value = _value(copy, indicator)
    return "空白" if value is None else show_number(value)


def _orgs_per_file(blocks) -> dict[str, set]:
    found: dict[str, set] = defaultdict(set)
    for block in blocks:
        found[block.file].add(block.org)
    return found


def _above_and_below(periods_by_org: dict[str, dict[str, tuple]], registry) -> list[Finding]:
    """An org with townships under it that reported figures of its own for months its
    townships reported too, from other files: summed up the hierarchy, those months
    would count twice. Without the registry, a 县 beside 镇s is only likely to be
    theirs: a warning."""
    findings = []
    for org, by_period in periods_by_org.items():
        if registry is not None and (org not in registry.orgs or not registry.children.get(org)):
            continue
        below = [o for o in (registry.descendants(org) if registry is not None else periods_by_org)
                 if o in periods_by_org and o is not None and (registry is not None or is_above(org, o, None))]
        if not below:
            continue
        for code, (file, sheet, _cell) in by_period.items():
            period = find_period(code)
            if period is None:
                continue
            overlapping = sorted({o for o in below for c, (f, _s, _c) in periods_by_org[o].items()
                                  if f != file and (p := find_period(c)) is not None
                                  and p.first <= period.last and period.first <= p.last})
            if not overlapping:
                continue
            named = "、".join(overlapping[:5]) + (f"等{len(overlapping)}个单位" if len(overlapping) > 5 else "")
            if registry is not None:
                message = (f"{org}{period.label}的数据（{file}）与其下属单位{named}的报表同时读入，"
                           f"按单位层级汇总时会重复计算；请只保留{org}的汇总数或下属单位的报表其中一种")
            else:
                message = (f"{org}{period.label}的数据（{file}）与乡镇{named}的报表同时读入；如这些乡镇属于{org}，"
                           f"汇总时会重复计算：请只保留其中一种，或用 --orgs 给出单位名册")
            findings.append(Finding("DUPLICATE_SUBMISSION", message, severity=ERROR if registry is not None else WARNING,
                                    file=file, sheet=sheet, org=org, period=code,
                                    values={"files": [file], "below": overlapping}))
    return findings
