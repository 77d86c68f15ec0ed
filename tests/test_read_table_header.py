"""read/table_header.py: a table's header over two rows, as townships draw it: a group
heading over its columns (创业担保贷款 over 申请人数 | 金额), or an indicator over
本月 | 本年累计; merged in a workbook, written in the first column in a CSV."""

from __future__ import annotations

import openpyxl
import pytest

from conftest import CATALOG, found, month_values, only, read, write_csv
from fulian_stats.read import ReadContext, inspect_paths


def write_merged(path, rows, merges, title="3月"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for span in merges:
        sheet.merge_cells(span)
    book.save(path)
    return path


def write_either(suffix: str, tmp_path, rows, merges, name="城区_2016-03", title="3月"):
    """The rows as a CSV (which keeps no merges) or as a workbook with `merges`."""
    if suffix == ".csv":
        return write_csv(tmp_path / f"{name}.csv", rows)
    return write_merged(tmp_path / f"{name}.xlsx", rows, merges, title)


GROUPED = [["单位名称", "技能培训", None, "创业担保贷款", None],
           [None, "期数", "参训人数", "申请人数", "金额（万元）"],
           ["大宁镇", 1, 40, 2, 20.5], ["白沙镇", 2, 35, 1, 10], ["合计", 3, 75, 3, 30.5]]


def grouped(tmp_path, suffix):
    return write_either(suffix, tmp_path, GROUPED, ["A1:A2", "B1:C1", "D1:E1"])


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_group_heading_over_its_columns_names_them(tmp_path, suffix):
    # Regression: 创业担保贷款 merged over 申请人数 | 金额 left both columns unknown (an error each).
    result = read(grouped(tmp_path, suffix), period="2016-03")
    assert month_values(result) == {
        ("大宁镇", "2016-03", "trainees", 40.0), ("大宁镇", "2016-03", "loan_applicants", 2.0),
        ("大宁镇", "2016-03", "loan_amount", 20.5), ("白沙镇", "2016-03", "trainees", 35.0),
        ("白沙镇", "2016-03", "loan_applicants", 1.0), ("白沙镇", "2016-03", "loan_amount", 10.0)}
    # 期数 is no indicator of its own nor of its group's: named with the group, the alias to add
    assert found(result) == [("INDICATOR_UNKNOWN", "B2")]
    assert only(result, "INDICATOR_UNKNOWN").message == ("指标“技能培训/期数”不在指标目录中，但填有数值；"
                                                          "请改用目录中的指标名称，或在指标目录中补充别名")


def test_inspect_shows_a_grouped_columns_heading_whole(tmp_path):
    [sheet] = inspect_paths([grouped(tmp_path, ".xlsx")], ReadContext(CATALOG))
    assert [(c["column"], c["heading"], c["reason"]) for c in sheet.columns][3:] == [
        ("D", "创业担保贷款/申请人数", "loan_applicants（创业担保贷款申请人数）"),
        ("E", "创业担保贷款/金额(万元)", "loan_amount（创业担保贷款金额）")]


def test_a_title_across_the_table_is_no_group(tmp_path):
    rows = [["青溪县妇联2016年3月工作统计表", None, None], ["单位名称", "参训妇女", "期数"], ["大宁镇", 40, 1]]
    result = read(write_merged(tmp_path / "t.xlsx", rows, ["A1:C1"]))
    assert month_values(result) == {("大宁镇", "2016-03", "trainees", 40.0)}
    assert only(result, "INDICATOR_UNKNOWN").message.startswith("指标“期数”不在指标目录中")


MEASURED = [["单位名称", "参训妇女（人）", None, "接待信访案件（件）", None],
            [None, "本月", "本年累计", "本月", "本年累计"],
            ["大宁镇", 40, 41, 3, 3], ["白沙镇", 35, 35, 1, 1], ["合计", 75, 77, 4, 4]]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_indicator_over_its_month_and_ytd_columns_reads_both(tmp_path, suffix):
    # Regression: the 本月 | 本年累计 row was a row of data without an org (an error), and
    # the 本年累计 columns were no column at all.
    path = write_either(suffix, tmp_path, MEASURED, ["A1:A2", "B1:C1", "D1:E1"], "城区_2016-01", "1月")
    result = read(path)
    assert month_values(result) == {("大宁镇", "2016-01", "trainees", 40.0), ("大宁镇", "2016-01", "petitions", 3.0),
                                    ("白沙镇", "2016-01", "trainees", 35.0), ("白沙镇", "2016-01", "petitions", 1.0)}
    assert month_values(result, "ytd") == {
        ("大宁镇", "2016-01", "trainees", 41.0), ("大宁镇", "2016-01", "petitions", 3.0),
        ("白沙镇", "2016-01", "trainees", 35.0), ("白沙镇", "2016-01", "petitions", 1.0)}
    # the 合计's 本年累计 is checked against the rows' (its 本月 is checked with the other totals)
    assert found(result) == [("TOTAL_MISMATCH", "C5")]
    assert only(result, "TOTAL_MISMATCH").message == "“参训妇女”本年累计的合计为77，但各单位之和为76；请核对合计或各行数据"
    [sheet] = inspect_paths([path], ReadContext(CATALOG))
    assert [(c["heading"], c["reason"]) for c in sheet.columns][1:3] == [
        ("参训妇女(人)/本月", "trainees（参训妇女）"), ("参训妇女(人)/本年累计", "trainees（参训妇女，本年累计）")]


def test_a_last_year_column_under_an_indicator_is_named_not_read(tmp_path):
    # Regression (trial): 上年同期 under 参训妇女 was a column "without a heading", whose
    # advice (补上指标名称作表头) would have had last year's figures read as this month's.
    rows = [["单位名称", "参训妇女（人）", None, None], [None, "本月", "累计", "上年同期"],
            ["大宁镇", 40, 101, 88], ["白沙镇", 35, 80, 60]]
    result = read(write_merged(tmp_path / "城区_2016-03.xlsx", rows, ["A1:A2", "B1:D1"]))
    assert month_values(result) == {("大宁镇", "2016-03", "trainees", 40.0), ("白沙镇", "2016-03", "trainees", 35.0)}
    assert month_values(result, "ytd") == {("大宁镇", "2016-03", "trainees", 101.0), ("白沙镇", "2016-03", "trainees", 80.0)}
    assert found(result) == [("COLUMN_NOT_READ", "D3")]
    assert only(result, "COLUMN_NOT_READ").message == ("列D（表头“参训妇女(人)/上年同期”）不是本期数，"
                                                        "其中的2个数值（D3、D4）未读取")


MIXED = [["单位名称", "参训妇女", "创业担保贷款", None], [None, None, "申请人数", "金额（万元）"],
         ["大宁镇", 10, 2, 20.5], ["白沙镇", 20, 1, 10], ["合计", 30, 3, 30.5]]


@pytest.mark.parametrize("shape", ["merged", "not-merged", "csv"])
def test_a_group_beside_headings_that_stand_over_both_rows(tmp_path, shape):
    # Regression (review): 参训妇女 merged down beside 创业担保贷款 over 申请人数 | 金额 was a
    # one-row table: 创业担保贷款 an unknown indicator, 金额 a column without a heading.
    if shape == "csv":
        path = write_csv(tmp_path / "城区_2016-03.csv", MIXED)
    else:
        merges = ["A1:A2", "B1:B2", "C1:D1"] if shape == "merged" else ["C1:D1"]
        path = write_merged(tmp_path / "城区_2016-03.xlsx", MIXED, merges)
    result = read(path)
    assert month_values(result) == {
        ("大宁镇", "2016-03", "trainees", 10.0), ("大宁镇", "2016-03", "loan_applicants", 2.0),
        ("大宁镇", "2016-03", "loan_amount", 20.5), ("白沙镇", "2016-03", "trainees", 20.0),
        ("白沙镇", "2016-03", "loan_applicants", 1.0), ("白沙镇", "2016-03", "loan_amount", 10.0)}
    assert found(result) == []


def test_an_indicator_merged_down_beside_indicators_over_their_measures(tmp_path):
    # Regression (review): 技能培训班 merged over both header rows had its own name for a
    # measure heading, and was dropped (an unknown indicator).
    rows = [["单位名称", "技能培训班", "参训妇女", None], [None, None, "本月", "本年累计"], ["大宁镇", 3, 30, 90]]
    result = read(write_merged(tmp_path / "城区_2016-03.xlsx", rows, ["A1:A2", "B1:B2", "C1:D1"]))
    assert month_values(result) == {("大宁镇", "2016-03", "trainings", 3.0), ("大宁镇", "2016-03", "trainees", 30.0)}
    assert month_values(result, "ytd") == {("大宁镇", "2016-03", "trainees", 90.0)}
    assert found(result) == []


@pytest.mark.parametrize("line", [["填报单位：大宁镇妇联", None, "报告期：2016年3月", None], [None, None, "金额单位：万元", None]])
def test_a_line_of_the_form_above_the_header_is_no_group(tmp_path, line):
    # Regression (review): 报告期：2016年3月 over two columns named them 报告期：2016年3月/志愿者人数.
    rows = [line, ["单位名称", "参训妇女", "志愿者人数", "接待信访案件"], ["大宁镇", 10, 5, 2]]
    result = read(write_csv(tmp_path / "城区_2016-03.csv", rows))
    assert only(result, "INDICATOR_UNKNOWN").message.startswith("指标“志愿者人数”不在指标目录中")


def test_a_ytd_total_at_the_top_of_the_table_is_checked_against_every_row(tmp_path):
    # Regression (review): the 合计 row above the org rows was compared with nothing (0).
    rows = MEASURED[:2] + [MEASURED[4]] + MEASURED[2:4]
    assert found(read(write_csv(tmp_path / "城区_2016-01.csv", rows))) == [("TOTAL_MISMATCH", "C3")]
    rows[2] = ["合计", 75, 76, 4, 4]
    assert found(read(write_csv(tmp_path / "城区_2016-01.csv", rows))) == []


def test_a_csv_whose_header_is_shorter_than_the_measures_under_it(tmp_path):
    # Regression (review): 上年同期 past the header's last field crashed the reader (IndexError).
    rows = [["单位名称", "参训妇女"], ["", "本月", "上年同期"], ["大宁镇", 40, 38], ["白沙镇", 35, 30]]
    result = read(write_csv(tmp_path / "城区_2016-03.csv", rows))
    assert month_values(result) == {("大宁镇", "2016-03", "trainees", 40.0), ("白沙镇", "2016-03", "trainees", 35.0)}
    assert found(result) == [("COLUMN_NOT_READ", "C3")]


def test_the_header_written_again_in_a_table_is_no_row_of_data(tmp_path):
    # Regression (review): a repeated 单位名称|参训妇女 row was a row of numbers that were
    # words (NUMBER_INVALID), or an org called 单位名称.
    header = ["单位名称", "参训妇女", "接待信访案件"]
    rows = [header, ["大宁镇", 10, 2], ["注：以下为街道"], header, ["河西街道", 5, 1]]
    result = read(write_csv(tmp_path / "城区_2016-03.csv", rows))
    assert month_values(result) == {("大宁镇", "2016-03", "trainees", 10.0), ("大宁镇", "2016-03", "petitions", 2.0),
                                    ("河西街道", "2016-03", "trainees", 5.0), ("河西街道", "2016-03", "petitions", 1.0)}
    assert found(result) == []
    rows[3] = ["单位名称", "接待信访案件", "参训妇女"]
    swapped = read(write_csv(tmp_path / "城区_2016-03.csv", rows))
    assert only(swapped, "COLUMN_AMBIGUOUS").message == ("第4行又写了一次表头，但B4为“接待信访案件”，与上方表头的“参训妇女”"
                                                         "不同，其下各行不知按哪个表头读；请把第二份表移到单独的工作表")


THREE_ROWS = [["单位名称", "创业担保贷款", None, None, None], [None, "申请人数", None, "金额（万元）", None],
              [None, "本月", "累计", "本月", "累计"], ["大宁镇", 2, 5, 20, 50], ["白沙镇", 1, 3, 10, 30]]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_group_over_indicators_over_their_measures(tmp_path, suffix):
    path = write_either(suffix, tmp_path, THREE_ROWS, ["A1:A3", "B1:E1", "B2:C2", "D2:E2"])
    result = read(path)
    assert month_values(result) == {("大宁镇", "2016-03", "loan_applicants", 2.0), ("大宁镇", "2016-03", "loan_amount", 20.0),
                                    ("白沙镇", "2016-03", "loan_applicants", 1.0), ("白沙镇", "2016-03", "loan_amount", 10.0)}
    assert month_values(result, "ytd") == {
        ("大宁镇", "2016-03", "loan_applicants", 5.0), ("大宁镇", "2016-03", "loan_amount", 50.0),
        ("白沙镇", "2016-03", "loan_applicants", 3.0), ("白沙镇", "2016-03", "loan_amount", 30.0)}
    assert found(result) == []


def test_two_lists_of_orgs_side_by_side_are_refused_not_booked_to_the_left_hand_orgs(tmp_path):
    # Regression (trial): 河西街道's figures in E–F were read as 大宁镇's, without a word.
    rows = [["单位名称", "参训妇女", None, "单位名称", "接待信访案件"], ["大宁镇", 40, None, "河西街道", 3],
            ["白沙镇", 35, None, "城东街道", 1]]
    result = read(write_csv(tmp_path / "城区_2016-03.csv", rows))
    assert month_values(result) == set()
    assert found(result) == [("COLUMN_AMBIGUOUS", "D1")]
    assert only(result, "COLUMN_AMBIGUOUS").message == (
        "D1也是“单位名称”：一张工作表上左右并排了两份清单，右边各列的数不知属于哪个单位，整张表的4个数值"
        "（B2、E2、B3、E3）都未读取；请把右边的清单移到单独的工作表")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_row_of_units_under_a_grouped_header(tmp_path, suffix):
    # Regression (trial): 人 | 万元 | 人 under 申请人数 | 金额 was taken for sub-headings and the
    # whole sheet was unread (LAYOUT_UNKNOWN) in a CSV or an unmerged workbook.
    rows = [["单位名称", "创业担保贷款", None, "参训妇女"], [None, "申请人数", "金额（万元）", None],
            [None, "人", "万元", "人"], ["大宁镇", 2, 20.5, 40]]
    path = write_either(suffix, tmp_path, rows, [])
    result = read(path)
    assert month_values(result) == {("大宁镇", "2016-03", "loan_applicants", 2.0), ("大宁镇", "2016-03", "loan_amount", 20.5),
                                    ("大宁镇", "2016-03", "trainees", 40.0)}
    assert found(result) == []


@pytest.mark.parametrize("itself", ["本月", "合计", "总数"])
def test_an_indicator_over_itself_and_its_sub_item(tmp_path, itself):
    # Regression (trial): 参训妇女 over 本月 | 其中：贫困妇女 was "参训妇女/本月 不在指标目录中".
    rows = [["单位名称", "参训妇女", None, "技能培训班"], [None, itself, "其中：贫困妇女", None], ["大宁镇", 40, 5, 1]]
    result = read(write_merged(tmp_path / "城区_2016-03.xlsx", rows, ["A1:A2", "B1:C1", "D1:D2"]))
    assert month_values(result) == {("大宁镇", "2016-03", "trainees", 40.0), ("大宁镇", "2016-03", "trainees_poor", 5.0),
                                    ("大宁镇", "2016-03", "trainings", 1.0)}
    assert found(result) == []


def test_a_two_row_header_written_again_in_a_table(tmp_path):
    # Regression (trial): its second row (本月 | 本年累计) was "a row of numbers without an org".
    h1, h2 = MEASURED[0], MEASURED[1]
    rows = [h1, h2, MEASURED[2], h1, h2, MEASURED[3]]
    result = read(write_merged(tmp_path / "城区_2016-01.xlsx", rows, ["A1:A2", "B1:C1", "D1:E1", "A4:A5", "B4:C4", "D4:E4"],
                               "1月"))
    assert month_values(result, "ytd") == {
        ("大宁镇", "2016-01", "trainees", 41.0), ("大宁镇", "2016-01", "petitions", 3.0),
        ("白沙镇", "2016-01", "trainees", 35.0), ("白沙镇", "2016-01", "petitions", 1.0)}
    assert found(result) == []
    rows[4] = [None, "本年累计", "本月", "本月", "本年累计"]
    swapped = read(write_merged(tmp_path / "城区_2016-01.xlsx", rows, ["A1:A2", "B1:C1", "D1:E1"], "1月"))
    assert found(swapped) == [("COLUMN_AMBIGUOUS", "B5")]


def test_a_group_left_unmerged_beside_a_merged_one(tmp_path):
    # Regression (trial): 妇女之家 over 活动 | 服务, not merged beside a merged 创业担保贷款,
    # left 活动 and 服务 unknown (the same sheet as a CSV read them).
    rows = [["单位名称", "创业担保贷款", None, "妇女之家", None], [None, "申请人数", "金额（万元）", "活动", "服务"],
            ["大宁镇", 2, 20.5, 3, 120]]
    result = read(write_merged(tmp_path / "城区_2016-03.xlsx", rows, ["A1:A2", "B1:C1"]))
    assert month_values(result) == {
        ("大宁镇", "2016-03", "loan_applicants", 2.0), ("大宁镇", "2016-03", "loan_amount", 20.5),
        ("大宁镇", "2016-03", "women_home_events", 3.0), ("大宁镇", "2016-03", "women_home_served", 120.0)}
    assert found(result) == []


def test_an_org_heading_is_no_group_over_the_columns_right_of_it(tmp_path):
    # Regression (trial): 单位名称 spanned the empty cell right of it in a CSV: 单位名称/申请人数.
    rows = [["单位名称", None, "创业担保贷款", None], [None, "申请人数", "金额（万元）", "参训妇女"], ["大宁镇", 2, 20.5, 40]]
    result = read(write_csv(tmp_path / "城区_2016-03.csv", rows))
    assert only(result, "INDICATOR_UNKNOWN").message.startswith("指标“申请人数”不在指标目录中")


def test_review_regressions_of_one_row_tables_and_groups(tmp_path):
    # Regression (review): 备注 over an empty column with text under it in the first data
    # row was a "group" and the whole table was refused; 单位名称 repeated at the right edge
    # was "two lists side by side"; 技能培训班 over 期数 | 人数 read 人数 as 期.
    rows = [["单位名称", "参训妇女", "接待信访案件", "备注", None], ["大宁镇", 40, 3, "按时报送", None]]
    assert month_values(read(write_merged(tmp_path / "a_2016-03.xlsx", rows, ["D1:E1"]))) == {
        ("大宁镇", "2016-03", "trainees", 40.0), ("大宁镇", "2016-03", "petitions", 3.0)}
    edge = [["单位名称", "参训妇女", "接待信访案件", "单位名称"], ["大宁镇", 40, 3, "大宁镇"]]
    result = read(write_csv(tmp_path / "b_2016-03.csv", edge))
    assert found(result) == [] and len(month_values(result)) == 2
    people = [["单位名称", "技能培训班", None], [None, "期数", "人数"], ["大宁镇", 2, 40]]
    read_people = read(write_merged(tmp_path / "c_2016-03.xlsx", people, ["A1:A2", "B1:C1"]))
    assert ("大宁镇", "2016-03", "trainings", 40.0) not in month_values(read_people)
