"""What a report compares a total with: the period before, the same period a year
earlier, and a month's year to date, aggregated from the same files, each only where
it covers what the total covers."""

from __future__ import annotations

from dataclasses import dataclass

from fulian_stats.aggregate import Totals, aggregate
from fulian_stats.config import DEFAULT_REGION
from fulian_stats.aggregate.coverage import REPORTED
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
    month of last year, or fewer townships, a change would be an artefact. The year to
    date is left out unless it holds every month from January for each org reporting."""
    period = totals.period
    region = totals.region if totals.region != DEFAULT_REGION else None
    reported = _reported(totals.coverage)

    def other(p: Period) -> Totals | None:
        found = aggregate(totals.frame, totals.catalog, p, "total", totals.registry, None, region)
        return found if found.rows else None

    def comparable(p: Period) -> Totals | None:
        found = other(p)
        shift = period.first - p.first
        return found if found is not None and {(o, m + shift) for o, m in _reported(found.coverage)} == reported \
            else None

    ytd = None
    if period.is_month and (found := other(period.year_to_date())) is not None:
        year = range(period.first - period.first % 12, period.first + 1)
        ytd = found if {(o, m) for o, _m in reported for m in year} <= _reported(found.coverage) else None
    return Comparison(totals, comparable(period.previous()), comparable(period.year_before()), ytd)


def _reported(coverage) -> set[tuple[str, int]]:
    """(org, month) whose data are in a total."""
    return {key for key, (status, _files) in coverage.cells.items() if status == REPORTED}
