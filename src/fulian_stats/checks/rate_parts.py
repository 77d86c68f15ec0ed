"""A rate's numerator or denominator filled in by an org that left the other blank,
where other orgs filled in both. Per run.

The aggregate divides the sum of a rate's numerator by the sum of its denominator.
One township with 贫困村 and no 建有儿童之家的贫困村 makes that 9 of 18 villages
where 9 of 12 is true: a rate that looks right and is not. When no org reports one
of the parts, the rate is not computed at all, and nothing is wrong.
"""

from __future__ import annotations

from fulian_stats.checks.rates import column_values
from fulian_stats.findings import Finding, show_number
from fulian_stats.observations import MONTH

SCOPE = "run"


def check(blocks, ctx) -> list[Finding]:
    catalog = ctx.catalog
    rates = [catalog[r] for r in sorted(catalog.rate_ids)]
    parts = {p for rate in rates for p in (rate.numerator, rate.denominator)}
    months = column_values(blocks, (MONTH,), parts)  # per org and month of a sheet: its rate parts
    findings = []
    for rate in rates:
        if not any(rate.numerator in at and rate.denominator in at for at in months.values()):
            continue  # nobody reported both: the rate is not computed
        for (file, sheet, org, period, _measure), at in months.items():
            for filled, blank in ((rate.numerator, rate.denominator), (rate.denominator, rate.numerator)):
                if filled in at and blank not in at and at[filled][0] != 0:
                    value, cell = at[filled]
                    findings.append(Finding(
                        "RATE_PART_MISSING", f"填了“{catalog[filled].label}”（{cell}为{show_number(value)}），却没有填"
                        f"“{catalog[blank].label}”，“{rate.label}”无法按同样的单位计算；请填写，没有的填0",
                        file=file, sheet=sheet, cell=cell, org=org, period=period, indicator=blank,
                        values={"rate": rate.id, "filled": filled, "blank": blank}))
    return findings
