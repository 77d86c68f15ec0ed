"""A rate typed into a submission, against its numerator and denominator. Per file.

A rate is never added up: the aggregate divides the sums of its parts (the catalog's
numerator and denominator; rate_parts.py sees that they come from the same orgs). A
rate a township typed in is therefore not counted, and says so when it could mislead:
when it disagrees with its parts in the same column, or stands without them.
"""

from __future__ import annotations

from fulian_stats.findings import Finding, show_number
from fulian_stats.observations import MONTH, YTD

SCOPE = "file"


def check(blocks, ctx) -> list[Finding]:
    catalog = ctx.catalog
    rates = catalog.rate_ids
    if all(rates.isdisjoint(block.indicators) for block in blocks):
        return []
    findings = []
    for (file, sheet, org, period, _measure), at in column_values(blocks, (MONTH, YTD)).items():
        for ind_id in sorted(rates.intersection(at)):
            typed, cell = at[ind_id]
            ind = catalog[ind_id]
            where = dict(file=file, sheet=sheet, cell=cell, org=org, period=period, indicator=ind_id)
            parts = [catalog[ind.numerator], catalog[ind.denominator]]
            missing = [part.label for part in parts if part.id not in at]
            if missing:
                findings.append(Finding(
                    "RATE_WITHOUT_PARTS", f"“{ind.label}”填了{_typed(typed)}，但本表没有填{'和'.join(missing)}；"
                    f"比率由{parts[0].label}÷{parts[1].label}计算，所填的比率不计入汇总；请填写这两项",
                    values={"value": typed, "missing": [p.id for p in parts if p.id not in at]}, **where))
                continue
            (top, top_cell), (bottom, bottom_cell) = at[ind.numerator], at[ind.denominator]
            if bottom == 0 or _agrees(typed, top / bottom * 100):
                continue
            computed = round(top / bottom * 100, 2)
            findings.append(Finding(
                "RATE_MISMATCH", f"“{ind.label}”填的是{_typed(typed)}，而{parts[0].label}÷{parts[1].label}"
                f"（{top_cell}÷{bottom_cell}）为{show_number(computed)}%；汇总时比率由分子、分母计算，"
                "所填的比率不计入；请核对", values={"value": typed, "computed": computed}, **where))
    return findings


def column_values(blocks, measures: tuple[str, ...], only: set[str] | None = None) -> dict[tuple, dict]:
    """(file, sheet, org, period, measure) → indicator → (value, cell): an org's values in
    one column of a sheet, whichever block holds them (forms side by side); `only`
    those indicators."""
    values: dict[tuple, dict[str, tuple[float, str]]] = {}
    for block in blocks:
        if block.measure not in measures or only is not None and only.isdisjoint(block.indicators):
            continue
        at = values.setdefault((block.file, block.sheet, block.org, block.period, block.measure), {})
        for ind_id, value, cell in zip(block.indicators, block.values, block.cells):
            if only is None or ind_id in only:
                at.setdefault(ind_id, (value, cell))
    return values


def _typed(value: float) -> str:
    """A typed rate as the township sees it: 0.9 in a cell formatted as a percentage
    shows 90% (calamine gives the value, not the format)."""
    if 0 < value <= 1:
        return f"{show_number(value)}（单元格为百分比格式时显示为{show_number(round(value * 100, 6))}%）"
    return f"{show_number(value)}%"


def _agrees(typed: float, computed: float) -> bool:
    """The typed rate is the computed one as rounded to the decimals it was typed with,
    or the same as a fraction (a cell formatted as a percentage holds 0.75 for 75%)."""
    text = show_number(typed)
    decimals = len(text.partition(".")[2])
    tolerance = 0.5 * 10 ** -decimals + 1e-9
    return abs(typed - computed) <= tolerance or abs(typed * 100 - computed) <= tolerance * 100
