"""The template context of a report (public: users write their own templates; the
names are documented in docs/templates.md)."""

from __future__ import annotations

from collections.abc import Mapping

from fulian_stats.aggregate import Comparison
from fulian_stats.catalog import Catalog
from fulian_stats.errors import FulianError
from fulian_stats.periods import Period

LEADER_MIN_ORGS = 3  # naming the org that led means little among two
LEADER_MIN_SHARE = 0.3  # …or when it did not stand out: at least 30%,
LEADER_OVER_EQUAL = 2  # …and at least twice an equal share of the orgs that reported
LEADER_MIN_TOTAL = 10  # …or of a handful of things


class TemplateNameError(FulianError):
    """A template asked for an indicator that is not in the catalog."""


class IndicatorValues(Mapping):
    """`v.trainees` or `v["trainees"]`: the value, None when nothing was reported, and an
    error naming the indicator when the catalog has no such id."""

    def __init__(self, values: dict[str, float], catalog: Catalog):
        self._values = values
        self._catalog = catalog

    def __getitem__(self, key: str):
        if key not in self._catalog.by_id:
            raise TemplateNameError(f"模板中用到了指标目录中没有的指标“{key}”")
        return self._values.get(key)

    def __getattr__(self, key: str):
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __iter__(self):
        return iter(self._catalog.by_id)

    def __len__(self) -> int:
        return len(self._catalog.by_id)


def _totals(result) -> dict[str, float]:
    if result is None:
        return {}
    return {r["indicator"]: r["value"] for r in result.rows
            if r["org"] == result.region and r["period"] == result.period.code}


def build_context(data: Comparison, catalog: Catalog, region: str, theme: str | None = None) -> dict:
    """The public template context (documented in docs/templates.md)."""
    current = data.current
    by_org: dict[str, dict] = {}
    for row in current.org_rows:
        by_org.setdefault(row["org"], {})[row["indicator"]] = row["value"]

    def mapping(result):
        return IndicatorValues(_totals(result), catalog) if result is not None and result.rows else None

    v = IndicatorValues(_totals(current), catalog)

    def leader(indicator: str):
        """The org that contributed most to a total, when that is worth saying."""
        shares = [(values.get(indicator) or 0, org) for org, values in by_org.items()]
        total = v[indicator]
        reporting = len([s for s in shares if s[0]])
        if reporting < LEADER_MIN_ORGS or not total or total < LEADER_MIN_TOTAL:
            return None
        value, org = max(shares)
        if value / total < max(LEADER_MIN_SHARE, LEADER_OVER_EQUAL / reporting):
            return None
        return {"org": org, "value": value, "share": value / total * 100}

    return {
        "region": region,
        "theme": theme,
        "period": current.period,
        "v": v,
        "prev": mapping(data.previous),
        "year_ago": mapping(data.year_ago),
        "ytd": mapping(data.year_to_date),
        "by_org": {org: IndicatorValues(values, catalog) for org, values in by_org.items()},
        "indicators": list(catalog),
        "sections": [(section, catalog.in_section(section)) for section in catalog.sections],
        "orgs": list(current.orgs),
        "files": int(current.observations["file"].nunique()) if len(current.observations) else 0,
        "leader": leader,
        "coverage": coverage_context(current.coverage),
    }


def coverage_context(coverage) -> dict:
    """Which orgs and months the totals cover, for a template to say so (docs/templates.md)."""
    def gaps(listed):
        return [{"org": org, "months": coverage.months_text(months), "codes": [Period(m, m).code for m in months]}
                for org, months in listed]

    return {
        "expected_orgs": list(coverage.orgs) if coverage.expected else None,
        "reporting_orgs": coverage.reporting_orgs,
        "complete_orgs": coverage.complete_orgs,
        "is_complete": coverage.complete,
        "missing": gaps(coverage.missing),
        "invalid": gaps(coverage.invalid),
        "missing_text": coverage.missing_text,
        "invalid_text": coverage.invalid_text,
        "skipped_files": list(coverage.skipped_files),
    }
