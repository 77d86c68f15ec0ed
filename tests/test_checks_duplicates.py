"""One org and period reported twice (checks/duplicates.py).

Real files where the layout matters, observation rows (check_helpers.obs) where it
does not."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
from check_helpers import (
    check,
    clean_folder,
    codes,
    month_rows,
    obs,
    only,
    run_check,
    set_value,
    street_rows,
    write_form,
    write_table,
)

from fulian_stats.checks import duplicates
from fulian_stats.observations import blocks_from_rows


def test_two_rows_for_one_org_in_a_table_name_both_cells(tmp):
    rows = street_rows(3)
    rows.append(list(rows[0]))
    result = check(write_table(tmp / "城区街道_2016-03.csv", rows))
    finding = only(result, "DUPLICATE_SUBMISSION")
    assert (finding.cell, finding.org) == ("B5", "河西街道")
    assert finding.message == "河西街道2016年3月的数据报送了两次：城区街道_2016-03.csv的B2单元格和B5单元格，两份数值相同；请删去重复的一份"
    # the 合计 row now totals four rows: it is right, no TOTAL_MISMATCH
    assert codes(result) == ["DUPLICATE_SUBMISSION"]


def test_three_rows_for_one_org_name_every_copy(tmp):
    """Regression: a third row of one township named only two of its cells."""
    rows = street_rows(3)
    rows += [list(rows[0]), [rows[0][0], *[v + 1 if isinstance(v, int) else v for v in rows[0][1:]]]]
    found = [f for f in check(write_table(tmp / "城区街道_2016-03.csv", rows)).findings
             if f.code == "DUPLICATE_SUBMISSION"]
    assert [(f.cell, f.values["cells"]) for f in found] == [("B5", ["B2", "B5"]), ("B6", ["B2", "B6"])]
    assert found[0].message.startswith("河西街道2016年3月的数据报送了3次：")
    assert found[1].message == ("河西街道2016年3月的数据报送了3次：城区街道_2016-03.csv的B2单元格和B6单元格，"
                                "两份有15项数值不同（如“新媒体推送信息”为16和17）；请核实后只保留正确的一份")


def test_two_files_with_different_figures_both_fail(tmp):
    """Which of two different figures is right nobody can tell: both files are in error,
    and --skip-invalid leaves both out, never one picked by its name."""
    first = write_form(tmp / "大宁镇_2016-03.xlsx")
    second = write_form(tmp / "大宁镇_2016-03(修改).xlsx", rows=set_value(month_rows(3), "参训妇女", month=45))
    result = check(first, second)
    found = [f for f in result.findings if f.code == "DUPLICATE_SUBMISSION"]
    assert [f.file for f in found] == ["大宁镇_2016-03(修改).xlsx", "大宁镇_2016-03.xlsx"]
    assert found[0].message == found[1].message == (
        "大宁镇2016年3月的数据报送了两次：大宁镇_2016-03.xlsx和大宁镇_2016-03(修改).xlsx，两份有1项数值不同"
        "（如“参训妇女”为43和45）；请核实后只保留正确的一份（--skip-invalid 汇总时两份都不计入）")
    assert found[0].values["differ"] == [{"indicator": "trainees", "values": [43.0, 45.0]}]
    assert sorted(result.failed_files()) == ["大宁镇_2016-03(修改).xlsx", "大宁镇_2016-03.xlsx"]


def test_a_third_file_sharing_no_figure_with_the_first_is_a_copy_too(tmp):
    # Regression (trial): 大宁镇_修改.xlsx shared no indicator with the first copy, 大宁.xlsx,
    # only with the second: it got no finding, and --skip-invalid counted it alone.
    rows = month_rows(3)
    first = write_form(tmp / "大宁_2016-03.xlsx", rows=[r for r in rows if r[0] == "技能培训班"])
    second = write_form(tmp / "大宁镇_2016-03.xlsx", rows=[r for r in rows if r[0] in ("技能培训班", "参训妇女")])
    third = write_form(tmp / "大宁镇_2016-03_修改.xlsx", rows=[["参训妇女", "人", 99, ""]])
    result = check(first, second, third)
    assert sorted(result.failed_files()) == sorted(p.name for p in (first, second, third))
    on_third = [f for f in result.findings if f.code == "DUPLICATE_SUBMISSION" and f.file == third.name]
    assert [f.message for f in on_third] == [
        "大宁镇2016年3月的数据报送了3次：大宁_2016-03.xlsx、大宁镇_2016-03.xlsx和大宁镇_2016-03_修改.xlsx，"
        "其中大宁镇_2016-03.xlsx与大宁镇_2016-03_修改.xlsx有2项数值不同（如“技能培训班”为2和空白）；"
        "请核实后只保留正确的一份（--skip-invalid 汇总时这两份都不计入）"]


def test_a_part_of_the_form_that_shares_no_figure_is_not_counted_among_the_copies(tmp):
    # Regression (review): two halves of a form and a copy of the second half were
    # "报送了3次", the first half named as one of the copies.
    rows = month_rows(3)
    write_form(tmp / "大宁镇_2016-03_一.xlsx", rows=rows[:5])
    second = write_form(tmp / "大宁镇_2016-03_二.xlsx", rows=rows[5:])
    copy = write_form(tmp / "大宁镇_2016-03_二(1).xlsx", rows=rows[5:])
    result = check(tmp / "大宁镇_2016-03_一.xlsx", second, copy)
    finding = only(result, "DUPLICATE_SUBMISSION")
    assert finding.message == ("大宁镇2016年3月的数据报送了两次：大宁镇_2016-03_二.xlsx和大宁镇_2016-03_二(1).xlsx，"
                               "两份数值相同；请删去重复的一份（--skip-invalid 汇总时只计入大宁镇_2016-03_二.xlsx）")


def test_a_figure_one_copy_left_blank_is_a_difference(tmp):
    """Regression: the copy without 参训妇女 was "两份数值相同", and --skip-invalid kept
    it: the figure was lost."""
    first = write_form(tmp / "大宁镇_2016-03.xlsx")
    second = write_form(tmp / "大宁镇_2016-03(1).xlsx", rows=set_value(month_rows(3), "参训妇女", month="", ytd=""))
    found = [f for f in check(first, second).findings if f.code == "DUPLICATE_SUBMISSION"]
    assert [f.file for f in found] == ["大宁镇_2016-03(1).xlsx", "大宁镇_2016-03.xlsx"]
    assert "两份有1项数值不同（如“参训妇女”为43和空白）" in found[0].message
    assert found[0].values["differ"] == [{"indicator": "trainees", "values": [43.0, None]}]


def test_a_stray_summary_with_other_figures_is_the_copy_and_says_which_one_counts():
    rows = [obs("大宁镇", "2016-03", "trainees", 5, "D5", file="大宁镇_2016-03.xlsx"),
            obs("大宁镇", "2016-03", "trainees", 6, "C2", file="县.xlsx"),
            obs("白沙镇", "2016-03", "trainees", 7, "C3", file="县.xlsx")]
    [finding] = run_check(duplicates, blocks_from_rows(rows))
    assert finding.file == "县.xlsx"
    assert finding.message == ("大宁镇2016年3月的数据报送了两次：大宁镇_2016-03.xlsx和县.xlsx，两份有1项数值不同（如“参训妇女”"
                               "为5和6）；请核实后只保留正确的一份（--skip-invalid 汇总时只计入大宁镇_2016-03.xlsx）")


def test_one_org_in_two_sheets_of_a_workbook(tmp):
    path = write_form(tmp / "大宁镇_2016-03.xlsx")
    wb = openpyxl.load_workbook(path)
    copy = wb.copy_worksheet(wb["月报"])
    copy.title = "月报(2)"
    wb.save(path)
    finding = only(check(path), "DUPLICATE_SUBMISSION")
    assert (finding.sheet, finding.cell) == ("月报(2)", None)
    assert finding.message == "大宁镇2016年3月的数据报送了两次：大宁镇_2016-03.xlsx的“月报”和“月报(2)”两个工作表，两份数值相同；请删去重复的一份"


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
    assert run_check(duplicates, blocks_from_rows(rows)) == []


def test_a_stray_summary_is_the_copy_not_the_townships_forms_it_repeats():
    # Regression: the finding went to whichever file came second, so --skip-invalid left
    # out 青溪镇's and 马岭乡's own forms (sorted after 青溪县.xlsx) with the summary.
    rows = [obs("大宁镇", "2016-03", "trainees", 5, "D5", file="大宁镇_2016-03.xlsx"),
            obs("大宁镇", "2016-03", "trainees", 5, "E5", file="县.xlsx"),
            obs("白沙镇", "2016-03", "trainees", 7, "F5", file="县.xlsx"),
            obs("白沙镇", "2016-03", "trainees", 7, "D5", file="白沙镇_2016-03.xlsx")]
    found = run_check(duplicates, blocks_from_rows(rows))
    assert sorted((f.file, f.org) for f in found) == [("县.xlsx", "大宁镇"), ("县.xlsx", "白沙镇")]


def test_a_countys_own_figures_beside_its_townships_forms_would_count_twice():
    # Regression: a county's form (填报单位：青溪县妇联) beside its townships' was summed
    # with them at --level county, doubling every total without a word.
    from fulian_stats.orgs import parse_orgs

    orgs = parse_orgs("name,parent\n青溪县,\n大宁镇,青溪县\n白沙镇,青溪县\n石门镇,青溪县\n", "orgs.csv")
    rows = [obs("青溪县", "2016-Q1", "trainees", 50, "D5", file="青溪县_2016-Q1.xlsx"),
            obs("大宁镇", "2016-03", "trainees", 30, "D5", file="大宁镇_2016-03.xlsx"),
            obs("白沙镇", "2016-02", "trainees", 20, "D5", file="白沙镇_2016-02.xlsx"),
            obs("石门镇", "2016-04", "trainees", 20, "D5", file="石门镇_2016-04.xlsx")]
    [finding] = run_check(duplicates, blocks_from_rows(rows), orgs=orgs)
    assert (finding.code, finding.file, finding.org, finding.values["below"]) == (
        "DUPLICATE_SUBMISSION", "青溪县_2016-Q1.xlsx", "青溪县", ["大宁镇", "白沙镇"])
    assert finding.message == ("青溪县2016年第一季度的数据（青溪县_2016-Q1.xlsx）与其下属单位大宁镇、白沙镇的报表同时读入，"
                               "按单位层级汇总时会重复计算；请只保留青溪县的汇总数或下属单位的报表其中一种")
    # Without the registry a 县 beside 镇s is only likely theirs (the regression: summed with no word).
    [warned] = run_check(duplicates, blocks_from_rows(rows))
    assert (warned.severity, warned.values["below"]) == ("warning", ["大宁镇", "白沙镇"])
    assert warned.message == ("青溪县2016年第一季度的数据（青溪县_2016-Q1.xlsx）与乡镇大宁镇、白沙镇的报表同时读入；"
                              "如这些乡镇属于青溪县，汇总时会重复计算：请只保留其中一种，或用 --orgs 给出单位名册")
    counties = [obs("青溪县", "2016-03", "trainees", 50, "D5", file="青溪县.xlsx"),
                obs("石门县", "2016-03", "trainees", 20, "D5", file="石门县.xlsx")]
    assert run_check(duplicates, blocks_from_rows(counties)) == []  # two counties: neither is above the other


def test_a_quarter_sheet_beside_its_month_sheets_in_one_workbook_overlaps(tmp):
    # Regression: a township's own 一季度合计 sheet was added to its 1月-3月 sheets (Q1 counted twice).
    path = write_form(tmp / "大宁镇2016年一季度.xlsx", period="2016年1月", sheet="1月", rows=month_rows(1, ytd=False))
    wb = openpyxl.load_workbook(path)
    for name, period in (("2月", "2016年2月"), ("一季度合计", "2016年第一季度")):
        sheet = wb.copy_worksheet(wb["1月"])
        sheet.title, sheet["D2"] = name, f"报告期：{period}"
    wb.save(path)
    found = [f for f in check(path).findings if f.code == "DUPLICATE_SUBMISSION"]
    assert [(f.sheet, f.message) for f in found] == [
        ("一季度合计", f"大宁镇的2016年第一季度数据（工作表“一季度合计”）与2016年{m}月数据（工作表“{m}月”）时间重叠，"
                  "汇总时会重复计算；请只保留其中一种") for m in (1, 2)]


def test_a_quarter_row_beside_the_month_rows_of_one_table_overlaps(tmp):
    # Regression: a 月份 column with 2016年1月…3月 rows and a 2016年第一季度 row for one org was summed twice.
    rows = [["河西街道", f"2016年{m}月", *street_rows(m)[0][1:]] for m in (1, 2, 3)]
    rows.append(["河西街道", "2016年第一季度", *street_rows(3)[0][1:]])
    result = check(write_table(tmp / "城区街道_2016年一季度.csv", rows, period_col=True, total=False))
    found = [f.message for f in result.findings if f.code == "DUPLICATE_SUBMISSION"]
    assert found == [f"河西街道的2016年第一季度数据（C5单元格）与2016年{m}月数据（C{m + 1}单元格）时间重叠，"
                     "汇总时会重复计算；请只保留其中一种" for m in (1, 2, 3)]
