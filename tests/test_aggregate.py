"""Tests for fulian_stats.aggregate: flows summed, stocks at the last month reported,
rates as a ratio of sums, over periods and up the org hierarchy. Totals are computed
by hand; the property tests generate observation tables directly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agg_helpers import CATALOG, ORGS_CSV, QINGXI, SHIMEN, frame, totals, write_form, write_set
from fulian_stats.aggregate import aggregate, aggregate_paths, default_period, explain
from fulian_stats.catalog import load_rules
from fulian_stats.errors import UsageError
from fulian_stats.orgs import parse_orgs
from fulian_stats.periods import Period, parse_period

RULES = load_rules(CATALOG)
ORGS = parse_orgs(ORGS_CSV, "orgs.csv")
Q1 = parse_period("2016-Q1")


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """Both counties' township files, in one folder per county."""
    folder = tmp_path_factory.mktemp("city")
    write_set(folder / "青溪县", QINGXI)
    write_set(folder / "石门县", SHIMEN)
    return folder


def run(paths, period=None, by="total", orgs=None, level=None, region=None):
    """The hand-built files aggregated. 龙潭乡 does not report March (its stocks come from
    February): with the registry and a period that is a missing submission, their one
    error, which the run goes past as --skip-invalid does."""
    done = aggregate_paths([*paths] if isinstance(paths, list) else [paths], CATALOG, RULES, orgs,
                           parse_period(period) if period else None, by, level, region, skip_invalid=True)
    assert done.check.failed_files() == [], "the hand-built files must pass the checks"
    assert [(f.code, f.org) for f in done.blocking] in ([], [("MISSING_SUBMISSION", "龙潭乡")])
    return done.result


# -- hand-computed totals -------------------------------------------------------------

def test_flows_are_summed_over_months_and_orgs(qingxi):
    result = run(qingxi, "2016-Q1")
    assert result.value("trainees") == 10 + 20 + 30 + 5 + 0 + 7 + 8 + 9 == 89
    assert result.value("loan_applicants") == 7
    assert result.value("petitions") == 15
    assert result.value("petitions_handled") == 11
    assert result.region == "合计"
    assert result.period == Q1


def test_money_in_wan_yuan_is_exact_to_the_cent(qingxi):
    result = run(qingxi, "2016-Q1")
    # 0.1 + 0.2 + 12.34 + 0.7 + 2.05 + 5.55
    assert result.value("loan_amount") == 20.94
    jan_feb = run(qingxi, "2016-01..2016-02", by="org")
    assert jan_feb.value("loan_amount", "大宁镇") == 0.3  # 0.1 + 0.2, not 0.30000000000000004
    assert jan_feb.value("loan_amount") == 6.55  # 0.1 + 0.2 + 0.7 + 5.55


def test_stock_is_the_last_month_per_org_then_summed(qingxi):
    result = run(qingxi, "2016-Q1")
    # 大宁镇 March 4, 白沙镇 March 3, 龙潭乡 skipped March: its February 6
    assert result.value("poor_villages") == 4 + 3 + 6 == 13
    assert result.value("poor_villages_with_children_home") == 4 + 2 + 3 == 9
    assert result.value("children_homes_total") == 9 + 5 + 3 == 17
    # never the sum over months
    assert result.value("poor_villages") != sum(v["poor_villages"] for v in QINGXI.values())


def test_rates_are_a_ratio_of_sums(qingxi):
    result = run(qingxi, "2016-Q1", by="org")
    assert result.value("children_home_coverage") == 9 / 13 * 100
    assert result.value("petition_handling_rate") == 11 / 15 * 100
    # not the mean of the orgs' rates (100, 66.7, 50)
    assert result.value("children_home_coverage") != pytest.approx((100 + 2 / 3 * 100 + 50) / 3)
    assert result.value("children_home_coverage", "大宁镇") == 100.0
    assert result.value("children_home_coverage", "龙潭乡") == 50.0
    assert result.value("petition_handling_rate", "白沙镇") == 4 / 6 * 100


def test_rate_without_a_denominator_is_absent():
    data = frame([("甲镇", "2016-01", "petitions", 0), ("甲镇", "2016-01", "petitions_handled", 0)])
    result = aggregate(data, CATALOG, Q1)
    assert result.value("petitions") == 0
    assert result.value("petition_handling_rate") is None


def test_by_org_rows(qingxi):
    result = run(qingxi, "2016-Q1", by="org")
    assert result.orgs == ["大宁镇", "白沙镇", "龙潭乡"]
    got = totals(result.rows)
    expected = {
        "大宁镇": dict(trainees=60, loan_amount=12.64, petitions=6, poor_villages=4, children_homes_total=9),
        "白沙镇": dict(trainees=12, loan_amount=2.75, petitions=6, poor_villages=3, children_homes_total=5),
        "龙潭乡": dict(trainees=17, loan_amount=5.55, petitions=3, poor_villages=6, children_homes_total=3),
    }
    for org, values in expected.items():
        for ind, value in values.items():
            assert got[(org, "2016-Q1", ind)] == value, (org, ind)
    # the region total comes first, then the orgs; every row has the spec's keys
    assert result.rows[0]["org"] == "合计"
    assert all(set(r) == {"org", "period", "indicator", "name", "unit", "value"} for r in result.rows)
    assert result.org_rows == [r for r in result.rows if r["org"] != "合计"]


def test_by_period_rows(qingxi):
    result = run(qingxi, "2016-Q1", by="period")
    got = totals(result.rows)
    assert got[("合计", "2016-01", "trainees")] == 23
    assert got[("合计", "2016-02", "trainees")] == 29
    assert got[("合计", "2016-03", "trainees")] == 37
    assert got[("合计", "2016-01", "poor_villages")] == 14
    assert got[("合计", "2016-03", "poor_villages")] == 7  # 龙潭乡 did not report March
    assert got[("合计", "2016-02", "loan_amount")] == 5.75
    assert got[("合计", "2016-01", "children_home_coverage")] == 4 / 14 * 100
    assert got[("合计", "2016-Q1", "trainees")] == 89
    months = [r["period"] for r in result.rows if r["period"] != "2016-Q1"]
    assert months == sorted(months)


def test_rows_follow_catalog_order(qingxi):
    result = run(qingxi, "2016-Q1")
    order = [ind.id for ind in CATALOG]
    ids = [r["indicator"] for r in result.rows]
    assert ids == sorted(ids, key=order.index)
    row = next(r for r in result.rows if r["indicator"] == "loan_amount")
    assert row == {"org": "合计", "period": "2016-Q1", "indicator": "loan_amount", "name": "创业担保贷款金额",
                   "unit": "万元", "value": 20.94}


# -- periods ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def year_set(tmp_path_factory) -> Path:
    """The Q1 set plus 大宁镇 in April and 白沙镇 in July and December 2015."""
    folder = tmp_path_factory.mktemp("year")
    write_set(folder, QINGXI)
    write_form(folder / "大宁镇_2016-04.xlsx", "大宁镇", "2016年4月",
               dict(trainees=100, poor_villages=3, poor_villages_with_children_home=3, children_homes_total=10))
    write_form(folder / "白沙镇_2016-07.xlsx", "白沙镇", "2016年7月",
               dict(trainees=1000, poor_villages=2, poor_villages_with_children_home=2, children_homes_total=6))
    write_form(folder / "白沙镇_2015-12.xlsx", "白沙镇", "2015年12月",
               dict(trainees=5000, poor_villages=9, poor_villages_with_children_home=0, children_homes_total=1))
    return folder


@pytest.mark.parametrize("period, trainees, villages, homes", [
    ("2016-03", 30 + 7, 4 + 3, 9 + 5),                        # one month: 龙潭乡 has nothing
    ("2016-Q1", 89, 13, 17),
    ("2016-Q2", 100, 3, 10),                                   # only 大宁镇 in April
    ("2016-H1", 189, 3 + 3 + 6, 10 + 5 + 3),                   # 大宁镇 April, 白沙镇 March, 龙潭乡 Feb
    ("2016-H2", 1000, 2, 6),
    ("2016", 1189, 3 + 2 + 6, 10 + 6 + 3),                     # 白沙镇 from July
    ("2016-02..2016-04", 20 + 30 + 100 + 0 + 7 + 9, 3 + 3 + 6, 10 + 5 + 3),
    ("2015-12..2016-01", 5000 + 23, 5 + 3 + 6, 7 + 4 + 2),     # a range across years
    ("2015", 5000, 9, 1),
])
def test_period_selects_its_months(year_set, period, trainees, villages, homes):
    result = run(year_set, period)
    assert result.period == parse_period(period)
    assert result.value("trainees") == trainees
    assert result.value("poor_villages") == villages
    assert result.value("children_homes_total") == homes


def test_chinese_period_spellings_are_the_same_periods(year_set):
    for code, spelled in [("2016-Q1", "2016年第一季度"), ("2016-H1", "2016年上半年"), ("2016", "2016年度"),
                          ("2016-01..2016-06", "2016年1-6月")]:
        assert run(year_set, spelled).value("trainees") == run(year_set, code).value("trainees")


def test_default_period_is_the_span_reported():
    data = frame([("甲镇", "2016-01", "trainees", 1), ("甲镇", "2016-12", "trainees", 2)])
    assert default_period(data).code == "2016"
    data = frame([("甲镇", "2016-02", "trainees", 1), ("甲镇", "2016-04", "trainees", 2)])
    assert default_period(data) == Period(2016 * 12 + 1, 2016 * 12 + 3)
    data = frame([("甲镇", "2015-11", "trainees", 1), ("甲镇", "2016-02", "trainees", 2)])
    assert default_period(data).code == "2015-11..2016-02"
    with pytest.raises(UsageError):
        default_period(frame([]))


def test_a_summary_crossing_the_period_is_left_out_with_a_note():
    data = frame([("甲镇", "2016", "trainees", 100), ("乙镇", "2016-03", "trainees", 7)])
    result = aggregate(data, CATALOG, Q1)
    assert result.value("trainees") == 7
    assert len(result.notes) == 1 and "2016年第一季度" in result.notes[0]


def test_ytd_and_total_measures_are_never_added():
    data = frame([("甲镇", "2016-03", "trainees", 5)])
    extra = pd.DataFrame([("甲镇", "2016-03", "trainees", 50.0, "月报", "E4", "ytd", "f.xlsx"),
                          (None, "2016-03", "trainees", 5.0, "月报", "D9", "total", "f.xlsx")],
                         columns=data.columns)
    result = aggregate(pd.concat([data, extra]), CATALOG, Q1)
    assert result.value("trainees") == 5


def test_reported_rates_are_recomputed_not_summed():
    data = frame([("甲镇", "2016-01", "petitions", 4), ("甲镇", "2016-01", "petitions_handled", 1),
                  ("甲镇", "2016-01", "petition_handling_rate", 25.0),
                  ("乙镇", "2016-01", "petitions", 1), ("乙镇", "2016-01", "petitions_handled", 1),
                  ("乙镇", "2016-01", "petition_handling_rate", 100.0)])
    result = aggregate(data, CATALOG, Q1)
    assert result.value("petition_handling_rate") == 2 / 5 * 100


# -- the hierarchy -------------------------------------------------------------------------

def test_level_county_gives_one_row_per_county(city):
    result = run(city, "2016-Q1", by="org", orgs=ORGS, level=1)
    assert result.orgs == ["青溪县", "石门县"]
    got = totals(result.rows)
    assert got[("青溪县", "2016-Q1", "trainees")] == 89
    assert got[("石门县", "2016-Q1", "trainees")] == 36 + 13
    assert got[("青溪县", "2016-Q1", "loan_amount")] == 20.94
    assert got[("石门县", "2016-Q1", "loan_amount")] == 4.79  # 1.01 + 3.33 + 0.45
    # stocks: each township's last month, summed within the county
    assert got[("青溪县", "2016-Q1", "poor_villages")] == 13
    assert got[("石门县", "2016-Q1", "poor_villages")] == 7 + 2
    assert got[("石门县", "2016-Q1", "children_homes_total")] == 12 + 2
    assert got[("青溪县", "2016-Q1", "children_home_coverage")] == 9 / 13 * 100
    assert got[("石门县", "2016-Q1", "children_home_coverage")] == (6 + 2) / 9 * 100
    assert result.region == "云州市"  # what the registry puts over both counties
    assert got[("云州市", "2016-Q1", "poor_villages")] == 22
    assert got[("云州市", "2016-Q1", "children_home_coverage")] == 17 / 22 * 100
    assert got[("云州市", "2016-Q1", "petition_handling_rate")] == (11 + 6 + 3) / (15 + 8 + 4) * 100
    # 明细 keeps the townships the numbers came from
    assert set(result.observations["org"]) == {"大宁镇", "白沙镇", "龙潭乡", "石门镇", "桃源乡"}


def test_level_city_and_township(city):
    up = run(city, "2016-Q1", by="org", orgs=ORGS, level=2)
    assert up.orgs == ["云州市"]
    assert up.value("poor_villages", "云州市") == 22
    assert up.value("trainees", "云州市") == 138
    down = run(city, "2016-Q1", by="org", orgs=ORGS, level=0)
    assert down.orgs == ["大宁镇", "白沙镇", "龙潭乡", "石门镇", "桃源乡"]  # registry order
    assert down.value("poor_villages", "龙潭乡") == 6


def test_region_restricts_to_its_townships_and_names_the_total(city):
    result = run(city, "2016-Q1", by="org", orgs=ORGS, region="石门县")
    assert result.region == "石门县"
    assert result.orgs == ["石门镇", "桃源乡"]
    assert result.value("trainees") == 49
    assert result.value("poor_villages") == 9
    assert result.value("trainees", "石门县") == 49
    assert not any(r["org"] == "合计" for r in result.rows)
    assert set(result.observations["org"]) == {"石门镇", "桃源乡"}


def test_a_region_at_the_level_is_one_row_not_two(city):
    result = run(city, "2016-Q1", by="org", orgs=ORGS, level=1, region="石门县")
    assert result.orgs == ["石门县"]
    keys = [(r["org"], r["period"], r["indicator"]) for r in result.rows]
    assert len(keys) == len(set(keys))
    assert result.value("poor_villages") == 9
    assert [r["org"] for r in result.org_rows] == ["石门县"] * len(result.org_rows)  # the workbook's column


def test_region_without_registry_only_names_the_total(qingxi):
    result = run(qingxi, "2016-Q1", region="青溪县")
    assert result.value("trainees", "青溪县") == 89


def test_unknown_region_and_level_without_registry_are_usage_errors(city):
    data = frame([("大宁镇", "2016-01", "trainees", 1)])
    with pytest.raises(UsageError, match="不在单位名册"):
        aggregate(data, CATALOG, Q1, orgs=ORGS, region="火星县")
    with pytest.raises(UsageError, match="--orgs"):
        aggregate(data, CATALOG, Q1, level=1)
    with pytest.raises(UsageError, match="--by"):
        aggregate(data, CATALOG, Q1, by="month")


def test_orgs_outside_the_level_are_left_out_with_a_note():
    data = frame([("大宁镇", "2016-01", "trainees", 1), ("外地镇", "2016-01", "trainees", 100)])
    result = aggregate(data, CATALOG, Q1, "org", ORGS, level=1)
    assert result.value("trainees") == 1
    assert result.orgs == ["青溪县"]
    assert any("外地镇" in note for note in result.notes)


# -- explain ------------------------------------------------------------------------------

def test_explain_lists_the_cells_behind_a_total(qingxi):
    result = run(qingxi, "2016-Q1")
    stock = explain(result, CATALOG, "poor_villages")
    assert [(r["org"], r["period"], r["value"]) for r in stock] == [
        ("大宁镇", "2016-03", 4), ("白沙镇", "2016-03", 3), ("龙潭乡", "2016-02", 6)]
    assert sum(r["value"] for r in stock) == result.value("poor_villages")
    assert all(r["file"].endswith(".xlsx") and r["sheet"] == "月报" and r["cell"].startswith("D") for r in stock)
    flow = explain(result, CATALOG, "trainees")
    assert len(flow) == 8 and sum(r["value"] for r in flow) == 89
    rate = explain(result, CATALOG, "petition_handling_rate")
    assert {r["indicator"] for r in rate} == {"petitions", "petitions_handled"}
    with pytest.raises(UsageError):
        explain(result, CATALOG, "no_such_indicator")


# -- property tests -----------------------------------------------------------------------

ORG_NAMES = ["甲镇", "乙镇", "丙乡", "丁乡", "戊街道"]
MONTHS = [f"2016-{m:02d}" for m in range(1, 13)]
FLOWS = ["trainees", "loan_amount", "petitions", "petitions_handled"]
STOCKS = ["poor_villages", "poor_villages_with_children_home", "children_homes_total"]
RATES = ["children_home_coverage", "petition_handling_rate"]
YEAR = parse_period("2016")
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _value(indicator: str, raw: int) -> float:
    return raw / 100 if CATALOG[indicator].unit == "万元" else raw  # money to the cent


observations = st.dictionaries(
    st.tuples(st.sampled_from(ORG_NAMES), st.sampled_from(MONTHS), st.sampled_from(FLOWS + STOCKS)),
    st.integers(min_value=0, max_value=10**7),
    min_size=1, max_size=40,
).map(lambda found: frame([(o, m, i, _value(i, v)) for (o, m, i), v in sorted(found.items())]))


@FAST
@given(observations, st.randoms(use_true_random=False), st.sampled_from(["2016", "2016-Q2", "2016-H1", "2016-03..2016-09"]))
def test_order_of_rows_and_files_changes_no_total(data, rnd, period):
    period = parse_period(period)
    order = list(range(len(data)))
    rnd.shuffle(order)
    shuffled = data.iloc[order].reset_index(drop=True)
    for by in ("org", "period"):
        # the same rows in the same order
        assert aggregate(shuffled, CATALOG, period, by).rows == aggregate(data, CATALOG, period, by).rows


def _as_input(rows: list[dict], period: Period, file: str) -> pd.DataFrame:
    """An aggregate's per-org rows as the level above reads them back (rates included:
    the summary sheet has them and the aggregation must ignore them)."""
    return frame([(r["org"], period.code, r["indicator"], r["value"], file) for r in rows])


@FAST
@given(observations, st.lists(st.integers(0, 2), min_size=len(ORG_NAMES), max_size=len(ORG_NAMES)),
       st.sampled_from(["2016", "2016-Q3", "2016-H1"]))
def test_aggregating_groups_then_their_outputs_equals_aggregating_everything(data, group_of, period):
    """Counties (groups of townships) aggregate theirs; the city aggregates the counties'
    outputs, and gets what it gets from all the townships' files."""
    period = parse_period(period)
    groups = {org: group_of[i] for i, org in enumerate(ORG_NAMES)}
    outputs = []
    for g in range(3):
        part = data[data["org"].map(groups) == g]
        if part.empty:
            continue
        outputs.append(_as_input(aggregate(part, CATALOG, period, "org").org_rows, period, f"县{g}.xlsx"))
    whole = aggregate(data, CATALOG, period, "org")
    if not outputs:
        return
    combined = aggregate(pd.concat(outputs, ignore_index=True), CATALOG, period, "org")
    assert totals(combined.rows) == totals(whole.rows)
    assert combined.orgs == whole.orgs


@FAST
@given(observations)
def test_a_stock_for_the_year_is_its_last_month(data):
    result = aggregate(data, CATALOG, YEAR, "org")
    for stock in STOCKS:
        mine = data[data["indicator"] == stock]
        if mine.empty:
            assert result.value(stock) is None
            continue
        last = mine.sort_values("period").groupby("org")["value"].last()
        for org, value in last.items():
            assert result.value(stock, org) == value
            month = mine[mine["org"] == org]["period"].max()
            assert aggregate(data[data["org"] == org], CATALOG, parse_period(month)).value(stock) == value
        assert result.value(stock) == round(float(last.sum()), 6)


@FAST
@given(observations)
def test_flows_add_up_over_periods(data):
    year = aggregate(data, CATALOG, YEAR)
    halves = [aggregate(data, CATALOG, parse_period(p)) for p in ("2016-H1", "2016-H2")]
    for flow in FLOWS:
        parts = [h.value(flow) for h in halves if h.value(flow) is not None]
        assert year.value(flow) == (round(sum(parts), 6) if parts else None)


@FAST
@given(observations, st.sampled_from(["2016", "2016-Q1", "2016-06"]))
def test_a_rate_is_the_ratio_of_the_sums(data, period):
    result = aggregate(data, CATALOG, parse_period(period), "org")
    for org in [result.region, *result.orgs]:
        for rate in RATES:
            ind = CATALOG[rate]
            num, den = result.value(ind.numerator, org), result.value(ind.denominator, org)
            if num is None or not den:
                assert result.value(rate, org) is None
            else:
                assert result.value(rate, org) == num / den * 100


# ---------------------------------------------------------------- what a report compares with


def _months(orgs, year, months, value=10.0):
    return [(org, f"{year}-{m:02d}", "trainees", value) for org in orgs for m in months]


def _compared(rows, period):
    from fulian_stats.aggregate.compare import compare

    return compare(aggregate(frame(rows), CATALOG, parse_period(period), "total"))


def test_a_year_is_compared_with_the_year_before_only_when_that_covers_the_same_months():
    # Regression: a 2017 review given December 2016 alone wrote 比上年增长1213.1%.
    both = ["大宁镇", "白沙镇"]
    this_year = _months(both, 2017, range(1, 13))
    partial = _compared(this_year + _months(both, 2016, [12]), "2017")
    assert (partial.previous, partial.year_ago) == (None, None)
    fewer = _compared(this_year + _months(["大宁镇"], 2016, range(1, 13)), "2017")
    assert fewer.year_ago is None
    whole = _compared(this_year + _months(both, 2016, range(1, 13), 5.0), "2017")
    assert [r["value"] for r in whole.year_ago.rows] == [120.0]
    assert whole.previous.period.code == "2016"


def test_a_year_before_read_from_a_summary_lacking_a_month_is_not_compared():
    """Regression (review): the comparison's aggregate of 2016 left out the summary's gaps,
    so a 2016 summary without 大宁镇's March counted as like-for-like."""
    from fulian_stats.aggregate.compare import compare

    both = ["大宁镇", "白沙镇"]
    rows = [(org, str(year), "trainees", 100.0, f"县{year}.xlsx") for org in both for year in (2016, 2017)]
    whole = compare(aggregate(frame(rows), CATALOG, parse_period("2017"), "total"))
    assert whole.year_ago is not None
    lacking = [("县2016.xlsx", "大宁镇", 2016 * 12 + 2, "未报")]
    gap = compare(aggregate(frame(rows), CATALOG, parse_period("2017"), "total", lacking=lacking))
    assert gap.year_ago is None


def test_gaps_outside_the_region_are_no_part_of_its_coverage():
    """Regression (review): without a period, --region 青溪县 listed 石门县's 桃源乡 as 未报."""
    rows = [("大宁镇", "2016-Q1", "trainees", 5, "县.xlsx")]
    lacking = [("县.xlsx", "大宁镇", 2016 * 12 + 1, "未报"), ("县.xlsx", "桃源乡", 2016 * 12 + 2, "未报")]
    result = aggregate(frame(rows), CATALOG, None, "total", ORGS, None, "青溪县", lacking=lacking)
    assert result.coverage.missing_text == "大宁镇 2月"


def test_the_region_is_named_for_the_orgs_that_sent_figures_at_any_level():
    """Regression (review): with --level and no period the name came from the group
    columns (青溪县 → 云州市), with a period from the townships (青溪县)."""
    rows = [(org, "2016-03", "trainees", 1) for org in ("大宁镇", "白沙镇")]
    assert aggregate(frame(rows), CATALOG, None, "org", ORGS, 1).region == "青溪县"
    assert aggregate(frame(rows), CATALOG, None, "org", ORGS).region == "青溪县"


def test_a_months_year_to_date_needs_every_month_since_january():
    # Regression: a brief of March read from March's folder alone showed 本年累计 = 本月.
    both = ["大宁镇", "白沙镇"]
    assert _compared(_months(both, 2017, [3]), "2017-03").year_to_date is None
    assert _compared(_months(both, 2017, [1, 3]), "2017-03").year_to_date is None
    found = _compared(_months(both, 2017, [1, 2, 3]), "2017-03")
    assert [r["value"] for r in found.year_to_date.rows] == [60.0]
    assert [r["value"] for r in found.previous.rows] == [20.0]


def test_a_stock_taken_from_before_the_periods_last_month_is_noted():
    # Regression: 白沙镇 sent no March, its February 贫困村 went into the quarter with no word.
    rows = [("大宁镇", f"2016-{m:02d}", "poor_villages", 3) for m in (1, 2, 3)] + \
           [("白沙镇", f"2016-{m:02d}", "poor_villages", 2) for m in (1, 2)]
    result = aggregate(frame(rows), CATALOG, parse_period("2016-Q1"))
    assert result.value("poor_villages") == 5
    assert result.notes == ["存量指标取各单位报告期内最后报送的一个月：白沙镇取2016年2月的数（其他单位为2016年3月）"]
    whole = aggregate(frame(rows[:3]), CATALOG, parse_period("2016-Q1"))
    assert whole.notes == []
    # Regression (trial): an org that reported no stock at all was named as taken from its last month.
    flows_only = rows[:3] + [("龙潭乡", f"2016-{m:02d}", "trainees", 5) for m in (1, 2)]
    assert aggregate(frame(flows_only), CATALOG, parse_period("2016-Q1")).notes == []


def test_by_period_a_quarters_value_is_in_the_total_not_in_a_month():
    # Regression: a county's quarter beside a township's months made a second 合计 row
    # for the quarter (60 beside the right 66), which the table showed.
    rows = [("大宁镇", "2016-Q1", "trainees", 60, "县Q1.xlsx")] + \
           [("甲镇", f"2016-{m:02d}", "trainees", m) for m in (1, 2, 3)]
    result = aggregate(frame(rows), CATALOG, parse_period("2016-Q1"), "period")
    assert [(r["period"], r["value"]) for r in result.rows] == [
        ("2016-Q1", 66), ("2016-01", 1), ("2016-02", 2), ("2016-03", 3)]
    assert result.notes == ["1个数值的报告期长于一个月（如 县Q1.xlsx 的2016年第一季度），只计入合计，不在分月数中"]


def test_an_indicator_one_township_left_blank_in_one_period_is_not_compared():
    # Regression: 丙乡 left 新媒体推送信息 blank in December 2017: 912 vs 882 (丙乡's 40 in it) read 增长3.4%.
    both = ["大宁镇", "白沙镇"]
    rows = _months(both, 2017, [12]) + _months(both, 2016, [12], 5.0)
    rows += [(org, f"{y}-12", "wechat_posts", 20.0) for org in both for y in (2016, 2017)]
    rows += [("白沙镇", "2016-12", "wechat_reads", 7.0)] + [("大宁镇", f"{y}-12", "wechat_reads", 9.0) for y in (2016, 2017)]
    found = _compared(rows, "2017-12")
    assert {r["indicator"]: r["value"] for r in found.year_ago.rows} == {"trainees": 10.0, "wechat_posts": 40.0}


def test_a_year_to_date_is_shown_only_for_the_orgs_of_the_month():
    # Regression: with 白沙镇's March missing, 本年累计 still held its January and February.
    rows = _months(["大宁镇"], 2017, [1, 2, 3]) + _months(["白沙镇"], 2017, [1, 2])
    rows += [(org, f"2017-{m:02d}", "poor_villages", 3.0) for org in ("大宁镇", "白沙镇") for m in (1, 2)]
    rows += [("大宁镇", "2017-03", "poor_villages", 4.0)]
    assert _compared(rows, "2017-03").year_to_date is None
    rows = _months(["大宁镇", "白沙镇"], 2017, [1, 2, 3]) + [("大宁镇", f"2017-{m:02d}", "poor_villages", m) for m in (1, 3)]
    ytd = _compared(rows, "2017-03").year_to_date
    assert {r["indicator"]: r["value"] for r in ytd.rows} == {"trainees": 60.0, "poor_villages": 3}


def test_a_stock_left_blank_in_a_month_the_org_reported_is_noted():
    # Regression: 丙乡's November 儿童之家总数 went into December's year without a word.
    rows = [(org, f"2016-{m:02d}", "children_homes_total", 5.0) for org in ("大宁镇", "白沙镇") for m in (11, 12)]
    rows = [r for r in rows if r[:2] != ("白沙镇", "2016-12")] + [("白沙镇", "2016-12", "trainees", 3.0)]
    result = aggregate(frame(rows), CATALOG, parse_period("2016-Q4"))
    assert result.value("children_homes_total") == 10
    assert result.notes == ["存量指标取各单位最后填报的一个月：白沙镇的儿童之家总数取2016年11月（2016年12月未填）"]
