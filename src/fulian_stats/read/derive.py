"""本月 worked out from 本年累计, once every file is read.

A township that leaves 本月 blank and fills in 本年累计 has still reported the month:
for a stock, 本年累计 is the level at the month's end; for a flow, the month is its
本年累计 less the same org's 本年累计 of the month before (January: the 本年累计
itself). The reader keeps such values apart (measure DERIVE); here each becomes a
month value at the 本年累计 cell, noted as worked out, or an error at that cell when
it cannot be: never dropped.
"""

from __future__ import annotations

from array import array

from fulian_stats.catalog import Catalog
from fulian_stats.findings import Finding, show_number
from fulian_stats.observations import DERIVE, MONTH, TOLERANCE, YTD, Block
from fulian_stats.periods import find_period
from fulian_stats.read.numbers import without_noise



def has_pending(result) -> bool:
    """The file holds 本年累计 values whose month is still to be worked out."""
    return any(block.measure == DERIVE for block in result.blocks)


def derive_months(read, catalog: Catalog) -> list:
    """Turn every DERIVE block of the run into month values and findings (in place);
    the files changed, in reading order."""
    pending = [result for result in read.files if has_pending(result)]
    if not pending:
        return []
    ytd: dict[tuple, dict[str, tuple[float, str, str]]] = {}  # (org, month) → indicator → (value, file, cell)
    for result in read.files:
        for block in result.blocks:
            if block.measure == YTD:
                known = ytd.setdefault((block.org, block.period), {})
                for ind, value, cell in zip(block.indicators, block.values, block.cells):
                    known.setdefault(ind, (value, block.file, cell))
    for result in pending:
        kept = []
        for block in result.blocks:
            if block.measure != DERIVE:
                kept.append(block)
                continue
            derived = _derive_block(result, block, ytd, catalog)
            if derived is not None:
                kept.append(derived)
        result.blocks = kept
    return pending


def _derive_block(result, block: Block, ytd: dict, catalog: Catalog) -> Block | None:
    period = find_period(block.period) if block.period else None
    ids, values, cells = [], [], []
    for ind_id, total, cell in zip(block.indicators, block.values, block.cells):
        ind = catalog[ind_id]
        where = dict(file=result.file, sheet=block.sheet, cell=cell, org=block.org, period=block.period,
                     indicator=ind_id)
        shown = show_number(total)

        def refuse(why: str) -> None:
            result.findings.append(Finding(
                "MONTH_NOT_DERIVABLE", f"“{ind.label}”本月栏为空而本年累计（{cell}）为{shown}；{why}，无法推算本月数；"
                "请填写本月数", values={"ytd": total}, **where))

        if period is None or not period.is_month:
            refuse("报告期不是一个月")
            continue
        if ind.kind == "rate":
            refuse("比率指标的本月数不能由本年累计推算")
            continue
        month = period.first % 12 + 1
        if ind.kind == "stock" or month == 1:
            value = total
            how = (f"存量指标取月末实有数，已按{shown}计入本月" if ind.kind == "stock" else
                   f"1月的本月数即本年累计，已按{shown}计入本月")
            details = {"ytd": total}
        else:
            before = period.months()[0].previous()
            found = ytd.get((block.org, before.code), {}).get(ind_id)
            if found is None:
                refuse(f"没有同一单位{before.label}的本年累计")
                continue
            previous, file, previous_cell = found
            if total < previous - TOLERANCE:
                refuse(f"它小于{before.label}的本年累计{show_number(previous)}（{file} {previous_cell}）")
                continue
            value = without_noise(total - previous)
            how = (f"已按本年累计{shown}减去{before.label}的本年累计{show_number(previous)}"
                   f"（{file} {previous_cell}），推算本月为{show_number(value)}")
            details = {"ytd": total, "previous_ytd": previous, "previous_file": file, "previous_cell": previous_cell}
        result.findings.append(Finding("MONTH_DERIVED", f"“{ind.label}”本月栏为空，本年累计栏（{cell}）为{shown}；{how}",
                                       values={**details, "value": value}, **where))
        ids.append(ind_id)
        values.append(value)
        cells.append(cell)
    if not ids:
        return None
    return Block(block.file, block.org, block.period, MONTH, block.sheet, tuple(ids), array("d", values), tuple(cells))
