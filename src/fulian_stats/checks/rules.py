"""The rules of rules.csv (their language: expression.py) on each sheet's, or table
row's, own values for one org and period. Per file.

A blank value counts as 0; a value that could not be read (already an error) makes
every rule naming it unknown, so the rule stays silent: one broken cell is one
finding, not a cascade."""

from __future__ import annotations

import re
from collections import defaultdict

from fulian_stats.findings import Finding, show_number
from fulian_stats.observations import MONTH, YTD

SCOPE = "file"
# Reading findings after which a value is unknown, not absent.
# Values no rule judges: unread, or read but already an error of their own (a negative
# count is no 0 to say 场次为0 of).
UNREADABLE_VALUE = {"NUMBER_INVALID", "NUMBER_IMPLAUSIBLE", "UNIT_UNKNOWN", "MONTH_NOT_DERIVABLE", "NEGATIVE"}


def unreadable_cells(findings) -> dict[tuple, list[tuple]]:
    """(file, sheet) → [(indicator, org, period)] of values that could not be read; org
    and period are None when a whole column is unreadable (a table's unit in its header)."""
    found: dict[tuple, list[tuple]] = defaultdict(list)
    for f in findings:
        if f.code in UNREADABLE_VALUE and f.indicator:
            found[(f.file, f.sheet)].append((f.indicator, f.org, f.period))
    return found


def _in_order(expr) -> list[str]:
    """The indicator ids of an expression in the order they are written (whole words:
    `trainees` is not found inside `trainees_poor`)."""
    def position(name: str) -> int:
        match = re.search(rf"(?<![a-z0-9_]){name}(?![a-z0-9_])", expr.text)
        return match.start() if match else len(expr.text)
    return sorted(expr.names, key=lambda n: (position(n), n))


def check(blocks, ctx) -> list[Finding]:
    catalog, rules = ctx.catalog, ctx.rules
    unreadable = unreadable_cells(ctx.findings)
    groups: dict[tuple, list] = {}
    for block in blocks:
        if block.measure in (MONTH, YTD):
            groups.setdefault((block.file, block.sheet, block.org, block.period, block.measure), []).append(block)
    findings = []
    broken = set()  # (file, sheet, org, period, rule) a month's values broke: its 本年累计 is not said again
    for (file, sheet, org, period, measure), found in sorted(groups.items(), key=lambda item: item[0][4] != MONTH):
        values = dict(zip(found[0].indicators, found[0].values))
        for later in found[1:]:  # two rows for one org: the first value counts
            for ind, value in zip(later.indicators, later.values):
                values.setdefault(ind, value)
        unknown = {ind for ind, o, p in unreadable[(file, sheet)] if (o, p) in ((org, period), (None, None))} \
            if (file, sheet) in unreadable else frozenset()
        keys = values.keys()
        for rule in rules:
            if keys.isdisjoint(rule.names) or not unknown.isdisjoint(rule.names):
                continue
            if measure == YTD and not _judged_on_ytd(rule, values, catalog, broken, (file, sheet, org, period)):
                continue
            if not rule.violated(values):
                continue
            broken.add((file, sheet, org, period, rule.id))
            named = _in_order(rule.check)
            if rule.when is not None:
                named += [n for n in _in_order(rule.when) if n not in named]
            cell = next((b.cell_of(n) for n in named if n in values for b in found if n in b.indicators), None)
            # A blank counts as 0 in a rule (未填报 is what `x > 0` rules catch) but is shown as what it
            # is, and as the 0 the rule's own words (申请人数为0) took it for.
            shown = "，".join(f"{catalog[n].label}{show_number(values[n]) if n in values else '未填报（按0计）'}"
                             for n in named)
            findings.append(Finding(
                "RULE", f"{rule.message}（{'本年累计：' if measure == YTD else ''}{shown}）", severity=rule.severity,
                file=file, sheet=sheet,
                cell=cell, org=org, period=period, indicator=named[0] if named else None,
                values={"rule": rule.id, "check": rule.check.text, **{n: values.get(n) for n in rule.names}}))
    return findings


def _judged_on_ytd(rule, values: dict, catalog, broken: set, where: tuple) -> bool:
    """A rule holds of the 本年累计 column too (其中 ≤ 总数 summed over the months) when
    every value it names is a flow and filled in (a blank 本年累计 is a column left out,
    no 0), and the month's values did not already break it."""
    return (where + (rule.id,)) not in broken and all(
        n in values and catalog[n].kind == "flow" for n in rule.names)
