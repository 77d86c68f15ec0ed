"""How each kind of indicator adds up, over orgs and months:

- flow: summed over months and orgs;
- stock: per org the value of the last month reported in the period, then summed
  over orgs (a stock is never summed over months);
- rate: numerator and denominator aggregated first, then their ratio × 100 (a
  township that fills in only one of them is an error: checks/rates.py).

Values are rounded to 6 decimals after summing: a cent of 万元, so the totals are
exact to the cent and free of binary noise.
"""

from __future__ import annotations

from fulian_stats.catalog import Catalog

DECIMALS = 6


def clean_value(value: float) -> float | int:
    """Rounded to a cent of 万元; whole numbers as int so JSON shows `12`, not `12.0`."""
    value = round(float(value), DECIMALS)
    return int(value) if value == int(value) and abs(value) < 2**53 else value


def of_kind(data, catalog: Catalog, kind: str):
    """A mask of the observations whose indicator is of `kind`, decided per category."""
    import numpy as np
    import pandas as pd

    column = data["indicator"]
    if not isinstance(column.dtype, pd.CategoricalDtype):  # a frame built by hand
        column = column.astype("category")
    indicator = column.cat
    wanted = np.array([catalog[name].kind == kind for name in indicator.categories] + [False])
    return wanted[indicator.codes.to_numpy()]  # code -1 (no indicator) takes the last: False


def totals_by(data, catalog: Catalog, keys: list[str]) -> dict[tuple, float]:
    """Flow sums and stock latest-then-sum, grouped by `keys` (+ indicator; no keys: the
    region total). A stock's latest month is taken per submitting org (the `org` column)
    inside each group, so a group of several orgs (a county under --level) sums their
    latest values."""
    # Only the columns the sums need: filtering all of them (cells, files) cost more than summing.
    flows = data.loc[of_kind(data, catalog, "flow"), [*keys, "indicator", "value"]]
    stocks = data.loc[of_kind(data, catalog, "stock"),
                      list(dict.fromkeys([*keys, "org", "first", "last", "indicator", "value"]))]
    result: dict[tuple, float] = {}
    for frame in (flows, stock_latest_by(stocks, keys)):
        if frame.empty:
            continue
        sums = frame.groupby(keys + ["indicator"], sort=False, observed=True)["value"].sum()
        for key, value in sums.items():
            result[key if isinstance(key, tuple) else (key,)] = value
    return result


def stock_latest_by(stocks, keys: list[str]):
    """Stocks: the latest month per submitting org within each group of `keys`."""
    if stocks.empty:
        return stocks
    group = [k for k in keys if k != "org"]
    ordered = stocks.sort_values(["last", "first"], kind="stable")
    return ordered.groupby(group + ["org", "indicator"], sort=False, observed=True).tail(1)


def rows_for(totals: dict[tuple, float], catalog: Catalog, org_of, period_of) -> list[dict]:
    """Catalog-ordered rows for each group found in `totals`, rates computed last."""
    groups = list(dict.fromkeys(key[:-1] for key in totals))
    rows = []
    for group in groups:
        for ind in catalog:
            if ind.kind == "rate":
                # The ratio of the totals as shown (rounded to a cent of 万元), so a rate is
                # exactly value(numerator) / value(denominator) × 100 whatever the order of
                # summing, and the level above computes the same one from this output.
                num, den = totals.get(group + (ind.numerator,)), totals.get(group + (ind.denominator,))
                num, den = (None if x is None else clean_value(x) for x in (num, den))
                value = None if num is None or not den else num / den * 100
            else:
                value = totals.get(group + (ind.id,))
            if value is None:
                continue
            rows.append({"org": org_of(group), "period": period_of(group), "indicator": ind.id,
                         "name": ind.label, "unit": ind.unit,
                         "value": float(value) if ind.kind == "rate" else clean_value(value)})
    return rows


