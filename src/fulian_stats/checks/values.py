"""Negative numbers anywhere; fractions where the unit counts whole things. Per file."""

from __future__ import annotations

from functools import lru_cache

from fulian_stats.findings import Finding, show_number

SCOPE = "file"


@lru_cache(maxsize=4096)
def _counted_positions(counted: frozenset[str], indicators: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(i for i, ind in enumerate(indicators) if ind in counted)


def check(blocks, ctx) -> list[Finding]:
    catalog = ctx.catalog
    counted = catalog.counted_ids
    findings = []
    for block in blocks:
        values = block.values
        # The common case, decided a block at a time without building anything.
        if min(values) >= 0 and all(map(float.is_integer, map(values.__getitem__,
                                                                _counted_positions(counted, block.indicators)))):
            continue
        for ind_id, value, cell in zip(block.indicators, values, block.cells):
            if value >= 0 and (value == int(value) or ind_id not in counted):
                continue
            ind = catalog[ind_id]
            where = dict(file=block.file, sheet=block.sheet, cell=cell, org=block.org, period=block.period,
                         indicator=ind_id)
            if value < 0:
                findings.append(Finding("NEGATIVE", f"“{ind.label}”为负数（{show_number(value)}）；统计数不能小于0，"
                                        "请核对", values={"value": value}, **where))
            else:
                findings.append(Finding("NOT_INTEGER", f"“{ind.label}”以“{ind.unit}”计，应为整数，却填了"
                                        f"{show_number(value)}；请核对", values={"value": value}, **where))
    return findings
