"""What a report compares a total with: the period before, the same period a year
earlier, and a month's year to date, aggregated from the same files, each only where
it covers what the total covers: the same orgs and months, and, indicator by
indicator, the same cells filled in."""

from __future__ import annotations

from dataclasses import dataclass

from fulian_stats.aggregate import Totals, aggregate
from fulian_stats.aggregate.coverage import IN_TOTAL
from fulian_stats.aggregate.sums import of_kind, stock_latest_by
from fulian_stats.periods import Period


@dataclass
class Comparison:
    """The aggregates a report compares: the period, the one before, a year earlier,
    and the year to date (for a month)."""

    current: Totals
    previous: Totals | None = None
    year_ago: Totals | None = None
    year_to_date: Totals | None = None


def compare(totals: Totals) -> Comparison:
    """Aggregate the periods around the totals' period from the same files (the year
    before is there when its files were among the paths). A period to compare with is
    left out unless the same orgs reported for the same months of it: against one
    month of last year, or fewer townships, a change would be an artefact. Of one that
    is kept, an indicator is left out where other cells went into it (a township that
    left it blank in one of the two). The year to date is kept, indicator by
    indicator, where each org in the total reported it every month from January."""
    period = totals.period
    reported = _reported(totals.coverage)
    made_of = contributions(totals)

    def other(p: Period) -> Totals | None:
        found = aggregate(totals.frame, totals.catalog, p, "total", totals.registry, None, totals.scope,
                          lacking=totals.lacking)
        return found if found.rows else None

    def comparable(p: Period) -> Totals | None:
        found = other(p)
        shift = period.first - p.first
        if found is None or {(o, m + shift) for o, m in _reported(found.coverage)} != reported:
            return None
        theirs = contributions(found)
        return _keep(found, {ind for ind, cells in made_of.items()
                             if {(o, m + shift) for o, m in theirs.get(ind, ())} == cells})

    ytd = None
    if period.is_month and (found := other(period.year_to_date())) is not None:
        year = range(period.first - period.first % 12, period.first + 1)
        theirs = contributions(found)
        stocks = {ind.id for ind in totals.catalog if ind.kind == "stock"}
        ytd = _keep(found, {ind for ind, cells in made_of.items() if theirs.get(ind) == (
            cells if ind in stocks else {(o, m) for o, _m in cells for m in year})})
    return Comparison(totals, comparable(period.previous()), comparable(period.year_before()), ytd)


def contributions(totals: Totals) -> dict[str, frozenset[tuple[str, int]]]:
    """Indicator → the (org, month) whose values went into its total: every month of a
    flow, each org's latest of a stock."""
    data, catalog = totals.observations, totals.catalog
    if not len(data):
        return {}
    flows = data.loc[of_kind(data, catalog, "flow"), ["org", "indicator", "first"]]
    stocks = stock_latest_by(data.loc[of_kind(data, catalog, "stock"), ["org", "indicator", "first", "last", "value"]],
                             [])
    found: dict[str, set] = {}
    for frame in (flows, stocks):
        for org, ind, first in zip(frame["org"], frame["indicator"], frame["first"]):
            found.setdefault(ind, set()).add((org, int(first)))
    return {ind: frozenset(cells) for ind, cells in found.items()}


def _keep(found: Totals, indicators: set[str]) -> Totals | None:
    """`found` with only the rows of `indicators` (a rate's when both its parts are)."""
    catalog = found.catalog

    def kept(ind_id: str) -> bool:
        ind = catalog[ind_id]
        return ind.numerator in indicators and ind.denominator in indicators if ind.kind == "rate" \
            else ind_id in indicators

    found.rows = [row for row in found.rows if kept(row["indicator"])]
    return found if found.rows else None


def _reported(coverage) -> set[tuple[str, int]]:
    """(org, month) whose data are in a total."""
    return {key for key, (status, _files) in coverage.cells.items() if status in IN_TOTAL}
