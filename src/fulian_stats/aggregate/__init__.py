"""Aggregation: checked observations summed up the org hierarchy and over periods
(sums.py says how each kind of indicator adds up), with the notes that say what a
total leaves out or mixes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from fulian_stats.catalog import Catalog
from fulian_stats.checks import Report
from fulian_stats.config import DEFAULT_REGION
from fulian_stats.aggregate.coverage import Coverage, coverage_of, sent_by
from fulian_stats.aggregate.sums import clean_value, of_kind, rows_for, stock_latest_by, totals_by
from fulian_stats.errors import FulianError, UsageError
from fulian_stats.findings import CODES, WARNING
from fulian_stats.orgs import OrgRegistry
from fulian_stats.periods import Period, find_period
from fulian_stats.read import paused_gc

BY_CHOICES = ("total", "org", "period")


@dataclass
class Totals:
    """The totals of a period (and per org or month, by `by`), and what they are made of."""

    # what the region's rows are called: --region, else the registry org all the orgs
    # expected (or, with none expected, those that sent figures) sit under, else 合计
    region: str
    period: Period
    by: str
    rows: list[dict]  # {"org", "period", "indicator", "name", "unit", "value"}
    observations: object  # the DataFrame of observations the totals were made from
    orgs: list[str]  # the org columns, in order
    coverage: Coverage  # which orgs and months the totals are made of, and which are not in them
    notes: list[str] = field(default_factory=list)
    catalog: Catalog | None = field(default=None, repr=False)
    registry: OrgRegistry | None = field(default=None, repr=False)
    # the month observations of every file that passed, for the periods a report compares
    frame: object = field(default=None, repr=False)
    inputs: dict = field(default_factory=dict, repr=False)  # file read → its role: never an output
    templates: object = field(default=None, repr=False)  # the office's templates folder, for the report
    scope: str | None = None  # --region as given: the orgs the totals were chosen from (None: all)
    lacking: list = field(default_factory=list, repr=False)  # summary workbooks' gaps (coverage_of), for compare

    @property
    def place(self) -> str | None:
        """The region's name as a title says it: --region (or fulian.toml's), else the
        registry org every reporting org sits under; None when nothing says."""
        return self.region if self.region != DEFAULT_REGION else None

    @property
    def title(self) -> str:
        """`青溪县2017年`: the place and period a title names; 合计 for the place when
        nothing says which."""
        return f"{self.place or self.region}{self.period.label}"

    @property
    def skipped_files(self) -> list[str]:
        return self.coverage.skipped_files

    @cached_property
    def org_rows(self) -> list[dict]:
        """Per org over the whole period, in the columns' order: the workbook and the
        report show them whatever --by says (made when first asked for)."""
        rows = rows_for(totals_by(self.observations, self.catalog, ["group_org"]), self.catalog,
                         lambda g: g[0], lambda g: self.period.code)
        position = {name: i for i, name in enumerate(self.orgs)}
        rows.sort(key=lambda r: position[r["org"]])  # whatever order the files were read in
        return rows

    @cached_property
    def month_rows(self) -> list[dict]:
        """The region total of each month (made when first asked for). A value of a
        longer period (a county's quarter) belongs to no month: only in the total."""
        data = self.observations
        months = data["first"] == data["last"]
        rows = rows_for(totals_by(data if months.all() else data[months], self.catalog, ["period"]), self.catalog,
                         lambda g: self.region, lambda g: g[0])
        rows.sort(key=lambda r: r["period"])
        return rows

    def as_dict(self) -> dict:
        return {"region": self.region, "period": self.period.code, "rows": self.rows,
                "coverage": self.coverage.as_dict()}

    def value(self, indicator: str, org: str | None = None, period: str | None = None):
        """One aggregated value (the region total by default), or None when nothing was
        reported; an indicator the catalog does not have is an error, not a None."""
        indicator = self.catalog.indicator_named(indicator)
        org = org or self.region
        period = period or self.period.code
        return next((r["value"] for r in self.rows if r["indicator"] == indicator and r["org"] == org
                     and r["period"] == period), None)


def default_period(frame) -> Period:
    """Without --period: the span of the months reported (a calendar year when it fits)."""
    spans = [find_period(code) for code in frame["period"].dropna().unique()]
    spans = [s for s in spans if s is not None]
    if not spans:
        raise UsageError("没有可汇总的数据：所给文件中没有读到任何数值")
    first, last = min(s.first for s in spans), max(s.last for s in spans)
    if first // 12 == last // 12:
        return Period(first // 12 * 12, first // 12 * 12 + 11) if (first % 12, last % 12) == (0, 11) else Period(first, last)
    return Period(first, last, as_range=True)


def select(frame, period: Period, orgs: OrgRegistry | None, region: str | None):
    """The month values inside the period (and under --region), with each one's span."""
    month = frame["measure"] == "month"
    data = frame if month.all() else frame[month]
    spans = {code: find_period(code) for code in data["period"].unique()}
    data = data.assign(first=data["period"].map({c: s.first for c, s in spans.items()}).astype("int64"),
                       last=data["period"].map({c: s.last for c, s in spans.items()}).astype("int64"))
    inside = (data["first"] >= period.first) & (data["last"] <= period.last)
    crossing = ~inside & (data["first"] <= period.last) & (data["last"] >= period.first)
    notes = []
    if crossing.any():
        notes.append(f"{int(crossing.sum())}个数值的报告期跨越了{period.label}的边界（如 "
                     f"{data.loc[crossing, 'file'].iloc[0]}），未计入")
    if not inside.all():
        data = data[inside]
    if region and orgs is not None:
        region = orgs.region_named(region)
        data = data[data["org"].isin(_region_orgs(orgs, region))]
    return data, notes


def _region_orgs(orgs: OrgRegistry | None, region: str | None) -> set[str] | None:
    """--region and every org under it; None when the registry does not have it."""
    if orgs is None or region not in orgs.orgs:
        return None
    return set(orgs.descendants(region)) | {region}


def aggregate(frame, catalog: Catalog, period: Period | None = None, by: str = "total",
              orgs: OrgRegistry | None = None, level: int | None = None, region: str | None = None,
              skipped=(), lacking=(), copies=frozenset()) -> Totals:
    """Aggregate observations (a reader DataFrame of checked files); `skipped` are the
    FileResults of the files left out with their errors, `lacking` the months summary
    workbooks among the files lack and `copies` the files left out only as another's
    copy (coverage_of). With the registry and a period
    given, the coverage knows which org-months were expected."""
    if by not in BY_CHOICES:
        raise UsageError(f"--by 只能是 total、org 或 period，而不是 {by}")
    if level is not None and orgs is None:
        raise UsageError("--level 需要同时用 --orgs 指定单位名册")
    expected = period is not None
    period = period or default_period(frame)
    data, notes = select(frame, period, orgs, region)
    rates = of_kind(data, catalog, "rate")
    if rates.any():
        data = data[~rates]
    inside = _region_orgs(orgs, region)
    if inside is not None:
        lacking = [gap for gap in lacking if gap[1] in inside]
    coverage = coverage_of(data, period, orgs, region, expected, sent_by(skipped, orgs), [r.file for r in skipped],
                           lacking, copies)
    # `org` stays the submitting org (明细 and explain show it, and a stock's latest month
    # is per submitter); `group_org` is the column it is summed into: itself, or its ancestor
    # at --level.
    if level is not None:
        mapped = data["org"].map({o: orgs.ancestor_at(o, level) if o in orgs.orgs else None
                                  for o in data["org"].unique()})
        lost = data[mapped.isna()]
        if not lost.empty:
            notes.append(f"{lost['org'].nunique()}个单位不在第{level}层以下（如 {lost['org'].iloc[0]}），未计入")
        data = data.assign(group_org=mapped)[mapped.notna()]
    else:
        data = data.assign(group_org=data["org"])

    notes += _stale_stocks(data, catalog, period, coverage.expected)
    org_names = list(dict.fromkeys(sorted(data["group_org"].unique(), key=_org_order(orgs))))
    # Named for the orgs expected where the registry says (a county that sent nothing is
    # still in the city's total, as its gaps say), else for those that reported.
    submitters = coverage.orgs if coverage.expected else sorted(data["org"].unique())
    region_name = region or infer_region(orgs, submitters) or DEFAULT_REGION
    whole = period.code
    rows = rows_for(totals_by(data, catalog, []), catalog, lambda g: region_name, lambda g: whole)
    result = Totals(region_name, period, by, rows, data, org_names, coverage, notes, catalog, orgs, frame, scope=region,
                    lacking=list(lacking))
    if by == "org":
        # An org that is the region itself (--region 青溪县 --level county) is the total row.
        result.rows = rows + [r for r in result.org_rows if r["org"] != region_name]
    elif by == "period":
        result.rows = rows + result.month_rows
        spans = data[data["first"] != data["last"]]
        if len(spans):
            notes.append(f"{len(spans)}个数值的报告期长于一个月（如 {spans['file'].iloc[0]} 的"
                         f"{find_period(spans['period'].iloc[0]).label}），"
                         "只计入合计，不在分月数中")
    return result


def _stale_stocks(data, catalog: Catalog, period: Period, expected: bool) -> list[str]:
    """Notes naming the stocks taken from an earlier month than the latest: an org that
    left one blank in a month it reported (its total takes the month before), and,
    without the registry's gaps to say so, an org whose latest month is earlier than
    the others'. The total is right by the rule, but mixes months."""
    stocks = data.loc[of_kind(data, catalog, "stock"), ["org", "indicator", "last"]]
    if stocks.empty or period.first == period.last:
        return []
    org_latest = data.groupby("org", observed=True)["last"].max()
    newest_of = org_latest.to_dict()
    notes = []
    latest = stocks.groupby(["org", "indicator"], observed=True)["last"].max()
    stale = latest[latest.to_numpy() < latest.index.get_level_values(0).map(newest_of).to_numpy()]
    blank = [(org, ind, int(m)) for (org, ind), m in stale.items()]
    if blank:
        named = "、".join(f"{org}的{catalog[ind].label}取{Period(m, m).label}（"
                         f"{Period(int(newest_of[org]), int(newest_of[org])).label}未填）" for org, ind, m in blank[:5])
        notes.append(f"存量指标取各单位最后填报的一个月：{named}{'等' if len(blank) > 5 else ''}")
    newest = int(org_latest.max())
    early = org_latest[(org_latest < newest) & org_latest.index.isin(stocks["org"].unique())]  # no stock, no month taken
    if not expected and not early.empty:
        named = "、".join(f"{org}取{Period(int(m), int(m)).label}" for org, m in list(early.items())[:5])
        notes.append(f"存量指标取各单位报告期内最后报送的一个月：{named}{'等' if len(early) > 5 else ''}的数"
                     f"（其他单位为{Period(newest, newest).label}）")
    return notes


def _org_order(orgs: OrgRegistry | None):
    """Registry order when there is one (as the county lists its townships), else by name."""
    if orgs is None:
        return lambda name: (0, name)
    order = {name: i for i, name in enumerate(orgs.orgs)}
    return lambda name: (order.get(name, len(order)), name)


def blocking_findings(check: Report, orgs: OrgRegistry | None = None, region: str | None = None) -> list:
    """Errors that stop aggregation: every error of `check`, so that aggregate refuses
    exactly when check fails, a township that has not reported too (a total that
    silently lacks it is what this prevents), except one outside --region, which is
    no part of this total."""
    outside = set(orgs.orgs) - set(orgs.descendants(region)) if orgs is not None and region in orgs.orgs else set()
    return [f for f in check.findings if f.is_error and not (f.code == "MISSING_SUBMISSION" and f.org in outside)]


def explain(result: Totals, catalog: Catalog, indicator: str) -> list[dict]:
    """The observations behind one region total: every month of a flow, the last month per
    org of a stock, both parts of a rate."""
    if indicator not in catalog.by_id:
        raise UsageError(f"指标 {indicator} 不在指标目录中（fulian-stats indicators 可列出全部指标）")
    ind = catalog[indicator]
    parts = [ind.numerator, ind.denominator] if ind.kind == "rate" else [indicator]
    data = result.observations
    rows = []
    for part in parts:
        chosen = data[data["indicator"] == part]
        if catalog[part].kind == "stock":
            chosen = stock_latest_by(chosen, ["org"])
        chosen = chosen.sort_values(["org", "first"], kind="stable")
        for rec in chosen.itertuples(index=False):
            rows.append({"indicator": part, "org": rec.org, "period": rec.period, "value": clean_value(rec.value),
                         "file": rec.file, "sheet": rec.sheet if isinstance(rec.sheet, str) else None,
                         "cell": rec.cell})
    return rows


class DataErrors(FulianError):
    """Errors in the data stop aggregation (unless the failing files are left out):
    a total that silently lacks a township is what this prevents."""

    exit_code = 1

    def __init__(self, findings: list, files: list[str], checked: list | None = None):
        first = findings[0] if findings else None
        said = f"；第一个：{first.location() + '：' if first.location() else ''}{first.message}" if first else ""
        more = "（全部在 .findings 中）" if len(findings) > 1 else ""
        super().__init__(f"有{len(findings)}个错误，未汇总{said}{more}")
        self.findings, self.files = findings, files
        self.checked = findings if checked is None else checked  # every finding of the check, as check shows them


_IN_COVERAGE = {"SUMMARY_INCOMPLETE"}  # warnings the coverage's own notes already say


def aggregate_report(report: Report, period: Period | None = None, by: str = "total", level: int | None = None,
                     region: str | None = None, skip_invalid: bool = False) -> Totals:
    """The totals of a checked run. Its errors stop it (DataErrors), or with
    `skip_invalid` the files with errors are left out and every output says so."""
    orgs = report.orgs
    region = orgs.region_named(region) if orgs is not None else region
    blocking = blocking_findings(report, orgs, region)
    if blocking and not skip_invalid:
        stopping = set(map(id, blocking))  # and the warnings and notes, as check shows them
        raise DataErrors(blocking, report.files, [f for f in report.findings if not f.is_error or id(f) in stopping])
    bad = set(report.failed_files())
    # Totals are made of month values only; 本年累计 and 合计 were for checking.
    frame = report.read.frame(measures=("month",), skip_files=bad)
    skipped = [r for r in report.read.files if r.file in bad]
    if not len(frame) and skipped:
        raise UsageError(f"没有可汇总的数据：所给的{len(report.files)}个文件中，有数值的都有错误，已全部跳过")
    # A summary left out with its errors still lacks what its 报送情况 says: a township
    # it lists as 未报 was sent by nobody, not sent wrongly.
    lacking = [(r.file, *gap) for r in report.read.files for gap in r.gaps]
    # A file left out only as a copy of another (DUPLICATE_SUBMISSION) leaves its months
    # 已报; one left out for its own errors leaves them 部分有误 where other files count.
    errors: dict[str, set] = {}
    for finding in report.findings:
        if finding.is_error and finding.file in bad:
            errors.setdefault(finding.file, set()).add(finding.code)
    copies = frozenset(file for file, codes in errors.items() if codes == {"DUPLICATE_SUBMISSION"})
    totals = aggregate(frame, report.catalog, period or report.period, by, orgs, level, region, skipped, lacking, copies)
    if not totals.rows and len(frame):
        raise UsageError(f"没有可汇总的数据：所给文件中没有{totals.period.label}的数值"
                         f"（读到的数值在{default_period(frame).label}）；请核对 --period 和 --region")
    inside = _region_orgs(orgs, region)
    warned = Counter(f.code for f in report.findings if f.severity == WARNING and f.file not in bad
                     and f.code not in _IN_COVERAGE and (inside is None or f.org is None or f.org in inside))
    if warned:  # a warning does not stop the totals, but may mean a number is missing or estimated
        listed = "；".join(f"{CODES[code][1]}{count}条" for code, count in warned.most_common(3))
        totals.notes.append(f"校验有{sum(warned.values())}条警告（{listed}{'等' if len(warned) > 3 else ''}），"
                            "未阻止汇总，但其中的数可能未计入或不准确；请用 fulian-stats check 查看")
    return totals


@dataclass
class AggregateRun:
    """A whole `aggregate`: the check it starts with, and the totals when nothing blocks."""

    check: Report
    blocking: list
    result: Totals | None


@paused_gc()
def aggregate_paths(paths, catalog: Catalog, rules: list, orgs: OrgRegistry | None = None,
                    period: Period | None = None, by: str = "total", level: int | None = None,
                    region: str | None = None, skip_invalid: bool = False, exclude=frozenset(),
                    progress=None, layouts: tuple = ()) -> AggregateRun:
    """Check, then aggregate (aggregate_report), without raising on errors."""
    from fulian_stats.checks import check_paths

    checked = check_paths(paths, catalog, rules, orgs, period, exclude=exclude, progress=progress,
                          then_import=("pandas",), layouts=layouts)
    region = orgs.region_named(region) if orgs is not None else region
    try:
        return AggregateRun(checked, blocking_findings(checked, orgs, region),
                            aggregate_report(checked, period, by, level, region, skip_invalid))
    except DataErrors as stopped:
        return AggregateRun(checked, stopped.findings, None)


def infer_region(orgs: OrgRegistry | None, names: list[str]) -> str | None:
    """The registry org that every reporting org sits under (青溪县 for its townships)."""
    if orgs is None or not names:
        return None
    chains = []
    for name in names:
        chain, current = [], orgs.orgs[name].parent if name in orgs.orgs else None
        while current is not None:
            chain.append(current)
            current = orgs.orgs[current].parent
        chains.append(chain)
    common = [c for c in chains[0] if all(c in chain for chain in chains[1:])]
    return common[0] if common else None
