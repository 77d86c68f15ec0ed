"""Checks across cells, sheets and files: rules, duplicate submissions, 本年累计, 合计,
completeness and outliers. Real files where the layout matters, observation rows
`(org, period, indicator, value, sheet, cell, measure, file)` where it does not."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from check_helpers import (
    CATALOG,
    INDICATORS,
    NAMES,
    check,
    clean_folder,
    codes,
    month_rows,
    only,
    problems,
    set_value,
    street_rows,
    write_form,
    write_table,
)
from fulian_stats.catalog import parse_rules
from fulian_stats.check import check_rules, check_values, locate_findings
from fulian_stats.crosscheck import check_completeness, check_duplicates, check_totals
from fulian_stats.history import check_outliers, check_year_to_date
from fulian_stats.findings import ERROR, WARNING, Finding
from fulian_stats.observations import blocks_from_rows
from fulian_stats.orgs import parse_orgs
from fulian_stats.periods import parse_period


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def obs(org, period, ind, value, cell="D8", measure="month", file="a.xlsx", sheet="月报"):
    return (org, period, ind, float(value), sheet, cell, measure, file)


# ------------------------------------------------------------------ values


def test_negative_and_fractional_counts_in_a_table_name_their_cells(tmp):
    rows = street_rows(3)
    rows[1][NAMES.index("新媒体推送信息") + 1] = -15
    rows[2][NAMES.index("慰问困境妇女儿童老人") + 1] = 68.5
    result = check(write_table(tmp / "城区街道_2016-03.csv", rows, total=False))
    assert sorted((f.code, f.cell, f.org, f.period) for f in result.findings) == [
        ("NEGATIVE", "B3", "城东街道", "2016-03"), ("NOT_INTEGER", "Q4", "城南街道", "2016-03")]


def test_money_may_have_decimals_and_counts_may_be_whole_floats():
    rows = [obs("大宁镇", "2016-03", "loan_amount", 20.55), obs("大宁镇", "2016-03", "trainees", 43.0),
            obs("大宁镇", "2016-03", "funds_raised", 0.01)]
    assert check_values(blocks_from_rows(rows), CATALOG) == []


# ------------------------------------------------------------------ rules


def test_a_warning_rule_gives_a_warning_and_the_file_still_passes(tmp):
    rows = month_rows(3) + [["专题宣讲", "场", 0, 0], ["宣讲参与群众", "人", 120, 120]]
    result = check(write_form(tmp / "大宁镇_2016-03.xlsx", rows=rows))
    finding = only(result, "RULE")
    assert finding.severity == WARNING
    assert finding.cell == "D21"  # 专题宣讲, the indicator the rule checks
    assert finding.message == "有宣讲参与人数但宣讲场次为0（专题宣讲0，宣讲参与群众120）"
    assert finding.values["rule"] == "lecture_needs_events"
    assert result.exit_code() == 0 and result.exit_code(strict=True) == 1


def test_a_rule_on_a_blank_indicator_points_at_the_value_that_makes_it_apply(tmp):
    """有贷款金额但申请人数为0: 申请人数 is blank, so the cell is 贷款金额's."""
    rows = set_value(month_rows(3), "创业担保贷款申请人数", month="", ytd="")
    result = check(write_form(tmp / "大宁镇_2016-03.xlsx", rows=rows))
    needs, cap = sorted((f for f in result.findings if f.code == "RULE"), key=lambda f: f.values["rule"])
    assert (needs.values["rule"], cap.values["rule"]) == ("loan_amount_needs_applicants", "loan_per_person_cap")
    assert (needs.cell, needs.indicator, needs.severity) == ("D12", "loan_applicants", ERROR)
    assert needs.message == "有贷款金额但申请人数为0（创业担保贷款申请人数0，创业担保贷款金额20.5）"
    assert (cap.cell, cap.severity) == ("D12", WARNING)


def test_rules_judge_each_row_of_a_table_on_its_own(tmp):
    rows = street_rows(3)
    rows[2][NAMES.index("已处理信访案件") + 1] = 5  # 城南街道: 5 handled of 3 received
    result = check(write_table(tmp / "城区街道_2016-03.csv", rows))
    finding = only(result, "RULE")
    assert (finding.org, finding.cell, finding.values["rule"]) == ("城南街道", "K4", "handled_le_petitions")
    assert finding.message == "已处理信访案件不能超过接待信访案件（已处理信访案件5，接待信访案件3）"


def test_an_unreadable_cell_silences_only_the_rules_of_its_own_row(tmp):
    rows = street_rows(3)
    rows[0][NAMES.index("参训妇女") + 1] = "见附表"  # 河西街道: unknown
    rows[1][NAMES.index("其中贫困妇女(技能培训)") + 1] = 99  # 城东街道: 99 poor of 47
    result = check(write_table(tmp / "城区街道_2016-03.csv", rows, total=False))
    assert sorted((f.code, f.org, f.cell) for f in result.findings) == [
        ("NUMBER_INVALID", "河西街道", "E2"), ("RULE", "城东街道", "F3")]


def test_a_unit_the_catalog_cannot_convert_silences_the_rules_on_that_column(tmp):
    path = tmp / "城区街道_2016-03.csv"
    path.write_text("单位名称,参训妇女（户）,其中贫困妇女(技能培训)\n河西街道,40,12\n城东街道,41,13\n", encoding="utf-8")
    result = check(path)
    assert codes(result) == ["UNIT_UNKNOWN"]  # not also 贫困妇女 > 参训妇女 (unknown) in each row
    assert only(result, "UNIT_UNKNOWN").cell == "B1"


def test_a_custom_rules_file_is_applied():
    rules = parse_rules("id,severity,check,when,message\nmany_trainees,warning,trainees <= 45,,参训人数偏多\n",
                        "my_rules.csv", CATALOG)
    rows = [obs("大宁镇", "2016-03", "trainees", 50, "D8")]
    finding, = check_rules(blocks_from_rows(rows), CATALOG, rules)
    assert (finding.code, finding.severity, finding.cell) == ("RULE", WARNING, "D8")
    assert finding.message == "参训人数偏多（参训妇女50）"


# ------------------------------------------------------------------ duplicates


def test_two_rows_for_one_org_in_a_table_name_both_cells(tmp):
    rows = street_rows(3)
    rows.append(list(rows[0]))
    result = check(write_table(tmp / "城区街道_2016-03.csv", rows))
    finding = only(result, "DUPLICATE_SUBMISSION")
    assert (finding.cell, finding.org) == ("B5", "河西街道")
    assert finding.message == "河西街道2016年3月的数据报送了两次：城区街道_2016-03.csv的B2单元格和B5单元格；请删去重复的一份"
    # the 合计 row now totals four rows: it is right, no TOTAL_MISMATCH
    assert codes(result) == ["DUPLICATE_SUBMISSION"]


def test_one_org_in_two_sheets_of_a_workbook(tmp):
    path = write_form(tmp / "大宁镇_2016-03.xlsx")
    wb = openpyxl.load_workbook(path)
    copy = wb.copy_worksheet(wb["月报"])
    copy.title = "月报(2)"
    wb.save(path)
    finding = only(check(path), "DUPLICATE_SUBMISSION")
    assert (finding.sheet, finding.cell) == ("月报(2)", None)
    assert finding.message == "大宁镇2016年3月的数据报送了两次：大宁镇_2016-03.xlsx的“月报”和“月报(2)”两个工作表；请删去重复的一份"


def test_a_copy_is_one_finding_and_no_year_to_date_noise(tmp):
    """A second copy of March beside January and February: one DUPLICATE_SUBMISSION,
    not a YTD_MISMATCH for every indicator of both files (the copy is not counted twice)."""
    folder = clean_folder(tmp)
    march = folder / "2016-03" / "大宁镇_2016-03.xlsx"
    shutil.copy(march, folder / "2016-03" / "大宁镇_2016-03 - 副本.xlsx")
    result = check(folder, orgs=Path("orgs.csv"), period="2016-Q1")
    assert codes(result) == ["DUPLICATE_SUBMISSION"]
    assert only(result, "DUPLICATE_SUBMISSION").values["files"] == [
        "submissions/2016-03/大宁镇_2016-03 - 副本.xlsx", "submissions/2016-03/大宁镇_2016-03.xlsx"]


def test_a_quarter_report_beside_its_months_overlaps(tmp):
    for month in (1, 2):
        write_form(tmp / f"大宁镇_2016-{month:02d}.xlsx", period=f"2016年{month}月", rows=month_rows(month, ytd=False))
    write_form(tmp / "大宁镇_2016年第一季度.xlsx", period="2016年第一季度", rows=month_rows(3, ytd=False))
    result = check(tmp / "大宁镇_2016-01.xlsx", tmp / "大宁镇_2016-02.xlsx", tmp / "大宁镇_2016年第一季度.xlsx")
    found = [f for f in result.findings if f.code == "DUPLICATE_SUBMISSION"]
    assert [f.message for f in found] == [
        "大宁镇的2016年第一季度数据（大宁镇_2016年第一季度.xlsx）与2016年1月数据（大宁镇_2016-01.xlsx）时间重叠，"
        "汇总时会重复计算；请只保留其中一种",
        "大宁镇的2016年第一季度数据（大宁镇_2016年第一季度.xlsx）与2016年2月数据（大宁镇_2016-02.xlsx）时间重叠，"
        "汇总时会重复计算；请只保留其中一种"]
    # the finding belongs to the quarter, whichever order the files come in
    assert [(f.file, f.period, f.values["periods"]) for f in found] == [
        ("大宁镇_2016年第一季度.xlsx", "2016-Q1", ["2016-Q1", "2016-01"]),
        ("大宁镇_2016年第一季度.xlsx", "2016-Q1", ["2016-Q1", "2016-02"])]


def test_different_orgs_or_months_are_not_duplicates():
    rows = [obs("大宁镇", "2016-03", "trainees", 1, file="a.xlsx"), obs("白沙镇", "2016-03", "trainees", 1, file="b.xlsx"),
            obs("大宁镇", "2016-04", "trainees", 1, file="c.xlsx"),
            obs("大宁镇", "2016-03", "trainees", 4, measure="ytd", cell="E8", file="a.xlsx")]
    assert check_duplicates(blocks_from_rows(rows)) == []


# ------------------------------------------------------------------ 本年累计


def test_year_to_date_with_missing_months_may_exceed_but_not_undercut_the_months_present(tmp):
    # February alone: its 本年累计 includes January, which is not here: fine.
    assert problems(check(write_form(tmp / "大宁镇_2016-02.xlsx", period="2016年2月", rows=month_rows(2)))) == []
    rows = set_value(month_rows(2), "参训妇女", ytd=30)  # below February's own 42
    finding = only(check(write_form(tmp / "大宁镇_2016-02.xlsx", period="2016年2月", rows=rows)), "YTD_MISMATCH")
    assert finding.cell == "E8"
    assert finding.message == ("“参训妇女”本年累计为30，但已报各月之和为42（2月42）（缺1个月的报表，累计数不应小于已报各月之和）；"
                               "请核对本年累计或各月数")


def test_year_to_date_counts_each_year_on_its_own():
    rows = [obs("大宁镇", "2016-12", "trainees", 500, cell="D8"), obs("大宁镇", "2017-01", "trainees", 40, cell="D8"),
            obs("大宁镇", "2017-01", "trainees", 40, cell="E8", measure="ytd")]
    assert check_year_to_date(blocks_from_rows(rows), CATALOG) == []


def test_year_to_date_of_stocks_and_rates_is_not_a_sum():
    rows = [obs("大宁镇", f"2016-{m:02d}", "poor_villages", 8) for m in (1, 2)]
    rows.append(obs("大宁镇", "2016-02", "poor_villages", 8, cell="E15", measure="ytd"))
    assert check_year_to_date(blocks_from_rows(rows), CATALOG) == []


def test_year_to_date_in_money_tolerates_float_sums():
    months = [11.74, 12.21, 0.07]
    rows = [obs("大宁镇", f"2016-{m:02d}", "funds_raised", v) for m, v in enumerate(months, start=1)]
    rows.append(obs("大宁镇", "2016-03", "funds_raised", 24.02, cell="E22", measure="ytd"))
    assert check_year_to_date(blocks_from_rows(rows), CATALOG) == []


# ------------------------------------------------------------------ 合计


def test_a_correct_total_with_money_and_blanks_passes(tmp):
    rows = street_rows(3)
    rows[0][NAMES.index("创业担保贷款金额") + 1] = 12.21
    rows[1][NAMES.index("创业担保贷款金额") + 1] = ""
    assert problems(check(write_table(tmp / "城区街道_2016-03.csv", rows))) == []


def test_a_total_of_a_table_with_a_month_column_is_checked_per_month_or_overall(tmp):
    names = ["参训妇女", "慰问困境妇女儿童老人"]
    rows = [["河西街道", "2016年1月", 40, 60], ["河西街道", "2016年2月", 41, 61], ["城东街道", "2016年1月", 42, 62]]
    path = write_table(tmp / "城区街道_2016年1-2月.csv", rows, names=names, period_col=True,
                       total=["合计", "", 123, 180])
    result = check(path)
    finding = only(result, "TOTAL_MISMATCH")
    assert (finding.cell, finding.indicator, finding.period) == ("D5", "people_comforted", None)
    assert finding.message == "“慰问困境妇女儿童老人”的合计为180，但各单位之和为183；请核对合计或各行数据"


def test_a_total_of_a_rate_is_a_ratio_not_a_sum():
    rows = [obs("河西街道", "2016-03", "children_home_coverage", 50, file="t.csv"),
            obs("城东街道", "2016-03", "children_home_coverage", 100, file="t.csv"),
            obs(None, "2016-03", "children_home_coverage", 75, measure="total", file="t.csv")]
    assert check_totals(blocks_from_rows(rows), CATALOG) == []


# ------------------------------------------------------------------ completeness

REGISTRY = parse_orgs("name,parent,aliases\n青溪县,,\n大宁镇,青溪县,\n白沙镇,青溪县,\n城区,青溪县,\n河西街道,城区,\n", "orgs.csv")


def test_every_leaf_of_the_registry_reports_every_month_of_the_period():
    rows = [obs(org, f"2016-{m:02d}", "trainees", 1) for org in ("大宁镇", "河西街道") for m in (1, 2, 3)]
    rows += [obs("白沙镇", "2016-01", "trainees", 1)]
    found = check_completeness(blocks_from_rows(rows), REGISTRY, parse_period("2016-Q1"))
    assert [(f.org, f.message, f.values) for f in found] == [
        ("白沙镇", "白沙镇没有报送2016年2月、2016年3月的报表；请催报或确认该单位是否已撤并",
         {"missing": ["2016-02", "2016-03"]})]
    assert all(f.severity == ERROR and f.file is None and f.period == "2016-Q1" for f in found)


def test_a_report_of_a_parent_or_a_longer_period_covers_its_months():
    rows = [obs("大宁镇", "2016-Q1", "trainees", 1), obs("白沙镇", "2016-01..2016-03", "trainees", 1),
            obs("城区", "2016-02", "trainees", 1), obs("城区", "2016-03", "trainees", 1),
            obs("河西街道", "2016-01", "trainees", 1)]
    assert check_completeness(blocks_from_rows(rows), REGISTRY, parse_period("2016-Q1")) == []


def test_completeness_needs_the_registry_and_the_period(tmp):
    folder = clean_folder(tmp)
    (folder / "2016-02" / "白沙镇_2016-02.xlsx").unlink()
    assert problems(check(folder, orgs=Path("orgs.csv"))) == []
    assert problems(check(folder, period="2016-Q1")) == []


# ------------------------------------------------------------------ outliers


def series(values, ind="women_home_served", org="大宁镇", year=2016):
    return blocks_from_rows(series_rows(values, ind, org, year))


def series_rows(values, ind="women_home_served", org="大宁镇", year=2016):
    return [obs(org, f"{year + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", ind, v, cell=f"D{m}")
            for m, v in enumerate(values, start=1)]


def test_an_outlier_needs_six_months_of_history():
    assert check_outliers(series([265, 270, 275, 280, 285, 2900]), CATALOG) == []
    assert len(check_outliers(series([265, 270, 275, 280, 285, 290, 2900]), CATALOG)) == 1


def test_a_low_outlier_is_a_warning_too():
    finding, = check_outliers(series([265, 270, 275, 280, 285, 290, 27]), CATALOG)
    assert finding.severity == WARNING
    assert finding.message == ("“妇女之家服务”为27人次，明显低于本单位以往6个月的中位数277.5（以往最小265、最大290）；"
                               "请核实是否多填或少填了位数、单位是否有误")


def test_a_seasonal_peak_seen_before_is_not_an_outlier():
    """慰问 peaks at the Spring Festival every year: a peak no more than twice the
    largest month already seen is the org's own pattern."""
    year = [300, 20, 18, 22, 19, 21, 20, 18, 23, 20, 22, 150]
    assert check_outliers(series(year + [320, 21, 19], ind="people_comforted"), CATALOG) == []


def test_a_flat_history_flags_only_a_big_jump():
    assert check_outliers(series([3] * 8 + [5]), CATALOG) == []
    assert len(check_outliers(series([3] * 8 + [30]), CATALOG)) == 1
    assert check_outliers(series([0] * 8 + [4]), CATALOG) == []  # nothing before: a first event, not a typo


def test_outliers_are_judged_only_inside_the_period_but_on_all_the_history():
    rows = series_rows([265, 270, 275, 280, 285, 290, 295, 2900, 300])
    assert [f.period for f in check_outliers(blocks_from_rows(rows), CATALOG)] == ["2016-08"]
    assert check_outliers(blocks_from_rows(rows), CATALOG, parse_period("2016-09")) == []
    assert len(check_outliers(blocks_from_rows(rows), CATALOG, parse_period("2016-H2"))) == 1


def test_rates_are_never_outliers():
    assert check_outliers(series([50] * 8 + [100], ind="children_home_coverage"), CATALOG) == []


# ------------------------------------------------------------------ where findings are


def test_reading_findings_of_a_table_get_the_org_of_their_row():
    rows = [obs("河西街道", "2016-03", "trainees", 40, cell="E2", file="t.csv", sheet=None),
            obs("城东街道", "2016-03", "trainees", 41, cell="E3", file="t.csv", sheet=None),
            obs("城东街道", "2016-03", "wechat_posts", 9, cell="B3", file="t.csv", sheet=None)]
    invalid = Finding("NUMBER_INVALID", "x", file="t.csv", cell="C3", indicator="wechat_reads")
    header = Finding("UNIT_UNKNOWN", "x", file="t.csv", cell="C1", indicator="wechat_reads")
    unknown = Finding("ORG_UNKNOWN", "x", file="t.csv", cell="A4")
    locate_findings([invalid, header, unknown], blocks_from_rows(rows))
    assert (invalid.org, invalid.period) == ("城东街道", "2016-03")
    assert (header.org, header.period) == (None, None)
    assert (unknown.org, unknown.period) == (None, None)


def test_indicators_in_the_helpers_are_catalog_names():
    for name, unit, kind, _value in INDICATORS:
        ind_id, _ = CATALOG.lookup(name)
        assert ind_id is not None and CATALOG[ind_id].unit == unit and CATALOG[ind_id].kind == kind


def test_orgs_checked_in_batches_give_the_same_findings_as_all_at_once(monkeypatch):
    """history.py takes orgs in batches to bound its array; one org a batch must find
    exactly what one batch for all finds (here a 本年累计 off and an outlier, in two of
    three orgs, with the year before as history)."""
    import fulian_stats.history as history

    rows = []
    for k, org in enumerate(["大宁镇", "白沙镇", "石门镇"]):
        values = [265 + 5 * m for m in range(12)]
        if k == 1:
            values[9] = 2900  # an outlier in October
        rows += [obs(org, f"2016-{m:02d}", "women_home_served", v, cell="D20") for m, v in enumerate(values, 1)]
        rows += [obs(org, f"2016-{m:02d}", "trainees", 10, cell="D8") for m in range(1, 4)]
        rows.append(obs(org, "2016-03", "trainees", 30 if k != 2 else 31, cell="E8", measure="ytd"))
    blocks = blocks_from_rows(rows)
    together = history.check_history(blocks, CATALOG)
    monkeypatch.setattr(history, "BATCH_CELLS", 1)
    apart = history.check_history(blocks, CATALOG)
    assert together == apart
    assert [(f.code, f.org, f.period) for f in together[0] + together[1]] == [
        ("YTD_MISMATCH", "石门镇", "2016-03"), ("OUTLIER", "白沙镇", "2016-10")]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 14), st.integers(1, 4), st.integers(0, 2), st.integers(0, 2**32 - 1))
def test_accumulating_month_by_month_gives_numpys_values_to_the_bit(orgs, months, indicators, axis, seed):
    import numpy as np

    from fulian_stats.history import accumulate

    rng = np.random.default_rng(seed)
    values = rng.random((orgs, months, indicators)) * 10.0 ** rng.integers(-3, 7)
    values[rng.random(values.shape) < 0.3] = np.nan
    for ufunc in (np.fmax, np.fmin):
        assert np.array_equal(accumulate(ufunc, values, axis), ufunc.accumulate(values, axis=axis), equal_nan=True)
    filled = np.nan_to_num(values)
    assert np.array_equal(accumulate(np.add, filled, axis), np.cumsum(filled, axis=axis))
    here = ~np.isnan(values)
    assert np.array_equal(accumulate(np.add, here, axis, dtype=np.int32), np.cumsum(here, axis=axis, dtype=np.int32))
