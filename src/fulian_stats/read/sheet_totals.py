"""A county's workbook of one sheet per township and a sheet of their total.

The total sheet (全县合计, 汇总, or one filled in for 青溪县 itself) reads as a form of
the org above the others: summed with them, the county would count twice. A sheet
whose org has every other sheet's org of its period under it (by the registry, else
by their names) is therefore the workbook's 合计: only checked against the sum of the
other sheets (checks/totals.py), never counted; a note says so.
"""

from __future__ import annotations

from fulian_stats.findings import INFO, Finding
from fulian_stats.observations import DERIVE, MONTH, TOTAL, YTD, Block
from fulian_stats.orgs import OrgRegistry, is_above
from fulian_stats.periods import Period, find_period, parse_period

WHOLE_WORKBOOK = "*"  # a TOTAL block's sheet key in checks/totals.py: the sum of the file's other sheets


def workbook_totals(blocks: list[Block], registry: OrgRegistry | None, file: str) -> tuple[list[Block], list[Finding]]:
    """The file's blocks with a total sheet's month values made TOTAL (its 本年累计 left
    out, as the note says), and the notes."""
    # (sheet, period) → orgs of its month values (a 本月 worked out from 本年累计 too)
    orgs_of: dict[tuple[str | None, str | None], set] = {}
    for block in blocks:
        if block.measure in (MONTH, DERIVE):
            orgs_of.setdefault((block.sheet, block.period), set()).add(block.org)
    spans = {period: find_period(period) for _sheet, period in orgs_of}
    totals = set()
    for (sheet, period), orgs in orgs_of.items():
        if len(orgs) != 1 or None in orgs or spans[period] is None:
            continue  # a table of orgs, or no org: not one org's form
        (upper,) = orgs
        # the sheets of its period or of months within it (一季度合计 beside 大宁镇1月 …)
        below = {org for (s, p), o in orgs_of.items() if s != sheet and _within(spans[p], spans[period]) for org in o}
        if below and None not in below and all(is_above(upper, org, registry) for org in below):
            totals.add((sheet, period))
    if not totals:
        return blocks, []
    kept, dropped = [], set()
    for block in blocks:
        if (block.sheet, block.period) not in totals:
            kept.append(block)
        elif block.measure == MONTH:
            kept.append(block._replace(measure=TOTAL))
        elif block.measure in (YTD, DERIVE):
            dropped.add((block.sheet, block.period))
    notes = []
    for sheet, period in sorted(totals, key=lambda key: (key[0] or "", key[1] or "")):
        org = next(iter(orgs_of[(sheet, period)]))
        ytd = "；其本年累计列未核对，也不计入" if (sheet, period) in dropped else ""
        notes.append(Finding(
            "SHEET_TOTAL", f"工作表“{sheet}”（{org}{parse_period(period).label if period else ''}）是其他各工作表的合计，"
            f"只用于核对，不重复计入汇总{ytd}", severity=INFO, file=file, sheet=sheet, org=org, period=period))
    return kept, notes


def _within(inner: Period | None, outer: Period) -> bool:
    return inner is not None and outer.first <= inner.first and inner.last <= outer.last
