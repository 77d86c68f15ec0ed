"""The reader: every layout and format to the same observations, each with its cell;
numbers, units, org and period as townships write them; bad files as findings."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import (
    EXPECTED,
    EXPECTED_YTD,
    FIGURES,
    FORM_HEADER,
    IDS,
    ORGS,
    OTHER,
    TOTALS,
    cells,
    context,
    csv_bytes,
    figure_rows,
    findings,
    form_rows,
    found,
    month_values,
    observations,
    only,
    read,
    table_header,
    table_rows,
    write_csv,
    write_xlsx,
)

from fulian_stats.findings import ERROR, INFO, WARNING
from fulian_stats.read import OBSERVATION_COLUMNS, read_paths
from fulian_stats.read.grid import OTHER_SPREADSHEETS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
# FIGURES of 大宁镇 and OTHER of 白沙镇: what a table or matrix of the two holds.
BOTH = EXPECTED | {("白沙镇", "2016-03", ind, float(OTHER[ind])) for ind in IDS}


def column_cells(column: str, first_row: int) -> dict[str, str]:
    """indicator → cell when FIGURES are written down `column` from `first_row`."""
    return {ind: f"{column}{first_row + i}" for i, ind in enumerate(IDS)}


def row_cells(row: int, first_column: str = "B") -> dict[str, str]:
    """indicator → cell when FIGURES are written across `row` from `first_column`."""
    return {ind: f"{chr(ord(first_column) + i)}{row}" for i, ind in enumerate(IDS)}


def no_problems(result) -> list:
    """Every error and warning (what a clean file must not have)."""
    return [(f.code, f.cell, f.message) for f in result.findings if f.severity in (ERROR, WARNING)]


# -- 1. every layout reads to the same observations ---------------------------------------


def form_plain(tmp: Path) -> tuple[Path, dict]:
    """(a) A form: title, 填报单位 / 报告期, 序号|指标名称|计量单位|本月|本年累计, five rows."""
    return write_xlsx(tmp / "form.xlsx", form_rows()), column_cells("D", 4)


FORM_VARIANT_BODY = [
    ["一、创业就业"],                               # row 4: a section heading
    [1, "参训人数", "人", 45, 120],                 # row 5: an alias
    [2, "贷款金额（万元）", None, 20.5, 61.25],      # row 6: alias, unit in brackets
    [3, "（三）就业岗位（个）", "", "1,989", 3010],  # row 7: numbering, unit in brackets
    ["二、巾帼维权", None, None, None, None],        # row 8
    [1, "其中：来信来访", "件", "３", 8],            # row 9: 其中：, full-width digit
    ["三、思想引领"],                               # row 10
    ["1.", " 阅读量 ", "次", 1520, 4560],           # row 11: spaces around the alias
]


def form_variant(tmp: Path) -> tuple[Path, dict]:
    """(b) The same figures as clerks vary the form: 本期数, section headings, aliases,
    units in brackets, numbering, a footer."""
    rows = form_rows(header=["序号", "指标名称", "计量单位", "本期数", "本年累计"], body=FORM_VARIANT_BODY,
                     footer=True)
    cells_ = {"trainees": "D5", "loan_amount": "D6", "jobs_offered": "D7", "petitions": "D9", "wechat_reads": "D11"}
    return write_xlsx(tmp / "form_variant.xlsx", rows), cells_


def table_xlsx(tmp: Path) -> tuple[Path, dict]:
    """(c) A table (清单式) workbook: a title with the period, one row per org, a 合计 row."""
    rows = [["青溪县妇联2016年3月工作统计表"], *table_rows(org="大宁镇妇联")]
    return write_xlsx(tmp / "table.xlsx", rows, sheet="Sheet1"), row_cells(3)


def table_csv(encoding: str):
    def build(tmp: Path) -> tuple[Path, dict]:
        """(d) A table CSV as Excel saves it; the period from the file name."""
        return write_csv(tmp / "城区_2016-03.csv", table_rows(), encoding), row_cells(2)
    return build


def table_months(tmp: Path) -> tuple[Path, dict]:
    """(e) A table with a 月份 column holding two months."""
    rows = [
        ["单位名称", "月份", *table_header()[1:]],
        ["大宁镇", "2016年3月", *[f[4] for f in FIGURES]],
        ["大宁镇", "2016-04", *[OTHER[i] for i in IDS]],
        ["合计", None, *[TOTALS[i] for i in IDS]],
    ]
    return write_xlsx(tmp / "大宁镇月报.xlsx", rows, sheet="Sheet1"), row_cells(2, "C")


def matrix(tmp: Path) -> tuple[Path, dict]:
    """(f) A summary sheet (as `aggregate` writes): indicator rows, 合计, one column per org."""
    rows = [["青溪县妇联工作统计汇总表"], ["填报单位：青溪县", None, None, "报告期：2016年3月"],
            ["序号", "指标名称", "计量单位", "合计", "大宁镇", "白沙镇"]]
    for number, (ind, name, _alias, unit, month, _ytd) in enumerate(FIGURES, start=1):
        rows.append([number, name, unit, TOTALS[ind], month, OTHER[ind]])
    return write_xlsx(tmp / "汇总.xlsx", rows, sheet="汇总表"), column_cells("E", 4)


LAYOUTS = {
    "form": form_plain,
    "form-variant": form_variant,
    "table-xlsx": table_xlsx,
    "table-csv-utf8": table_csv("utf-8"),
    "table-csv-utf8-bom": table_csv("utf-8-sig"),
    "table-csv-gbk": table_csv("gbk"),
    "table-csv-utf16": table_csv("utf-16"),
    "table-months": table_months,
    "matrix": matrix,
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("registry", [None, ORGS], ids=["no-registry", "registry"])
def test_every_layout_reads_to_the_same_observations(tmp_path, layout, registry):
    path, expected_cells = LAYOUTS[layout](tmp_path)
    result = read(path, orgs=registry)
    assert no_problems(result) == []
    march = {o for o in month_values(result) if o[0] == "大宁镇" and o[1] == "2016-03"}
    assert march == EXPECTED
    assert {o[2]: o[5] for o in observations(result) if o[:4] in EXPECTED and o[6] == "month"} == expected_cells


def test_form_cells_name_the_row_and_column(tmp_path):
    result = read(write_xlsx(tmp_path / "form.xlsx", form_rows()))
    # FIGURES start on row 4: jobs_offered (the third) is on row 6.
    assert cells(result)["jobs_offered"] == "D6"
    assert cells(result, "ytd")["jobs_offered"] == "E6"
    assert [o for o in result.observations if o[5] == "D6"] == [
        ("大宁镇", "2016-03", "jobs_offered", 1989.0, "月报", "D6", "month")]


def test_form_reads_the_year_to_date_column_as_ytd(tmp_path):
    for build in (form_plain, form_variant):
        result = read(build(tmp_path)[0])
        assert month_values(result, "ytd") == EXPECTED_YTD
    assert cells(read(form_plain(tmp_path)[0]), "ytd") == column_cells("E", 4)


def test_form_without_year_to_date_column(tmp_path):
    rows = form_rows(header=["序号", "指标名称", "计量单位", "本月数"], body=figure_rows(ytd=False))
    result = read(write_xlsx(tmp_path / "f.xlsx", rows))
    assert month_values(result) == EXPECTED
    assert month_values(result, "ytd") == set()


@pytest.mark.parametrize("header", ["本月", "本期", "本期数", "本月数", "数值"])
def test_form_month_column_spellings(tmp_path, header):
    rows = form_rows(header=["序号", "指标名称", "计量单位", header], body=figure_rows(ytd=False))
    result = read(write_xlsx(tmp_path / "f.xlsx", rows))
    assert month_values(result) == EXPECTED
    assert found(result) == []


def test_form_footer_and_headings_are_not_data(tmp_path):
    path, _ = form_variant(tmp_path)
    result = read(path)
    assert found(result) == []
    assert len(result.observations) == 10  # five 本期数 and five 本年累计, nothing else
    # The footer's date (row 13) and the headings are never read as numbers.
    assert {o[5][1:] for o in result.observations} == {"5", "6", "7", "9", "11"}


def test_form_stops_at_the_footer(tmp_path):
    """Rows under 填表人 (notes, a signature block, a telephone number) are not data: a
    number among them is named in a note."""
    rows = form_rows(footer=True) + [["说明：本表数据截至3月31日"], ["联系电话：", None, None, 13812345678]]
    result = read(write_xlsx(tmp_path / "f.xlsx", rows))
    assert month_values(result) == EXPECTED
    assert found(result) == [("NUMBER_OUTSIDE_TABLE", "D12")]


def test_an_indicators_number_below_the_footer_is_an_error_not_read(tmp_path):
    # Regression: it was dropped without a word (a second form stacked under the first).
    rows = form_rows(footer=True) + [[None, "参训妇女", "人", 999]]
    result = read(write_xlsx(tmp_path / "f.xlsx", rows))
    assert month_values(result) == EXPECTED
    assert found(result) == [("DATA_AFTER_FOOTER", "D11")]


@pytest.mark.parametrize("footer", [["审核：王芳", None, "制表：李红梅"], ["制表：李红梅"], ["经办人：赵敏"], ["统计员：赵敏"],
                                    ["联系人：赵敏", None, "13812345678"], ["报出日期：2016年4月3日"]])
def test_footers_without_人_end_the_form_too(tmp_path, footer):
    # Regression: 「审核：王芳 制表：李红梅」 was a section heading, and the form read on below it.
    rows = form_rows() + [[], footer, [None, "参训妇女", "人", 999]]
    result = read(write_xlsx(tmp_path / "f.xlsx", rows))
    assert month_values(result) == EXPECTED
    assert found(result) == [("DATA_AFTER_FOOTER", "D11")]


def read_with_rows_inserted(tmp_path, *inserted: list):
    """A form with `inserted` rows after its second indicator row (row 6 on), read."""
    body = figure_rows()
    return read(write_xlsx(tmp_path / "f.xlsx", form_rows(body=body[:2] + list(inserted) + body[2:], footer=True)))


@pytest.mark.parametrize("note", ["说明：以下为信访维权工作", "注：接待件数含来电来访", "注:金额以万元计"])
def test_a_note_row_between_a_forms_indicator_rows_does_not_end_it(tmp_path, note):
    # Regression: a 说明：/注： row inside the table was taken for the footer, and the rows
    # below it refused the whole form (DATA_AFTER_FOOTER).
    result = read_with_rows_inserted(tmp_path, [None, note])
    assert month_values(result) == EXPECTED
    assert month_values(result, "ytd") == EXPECTED_YTD
    assert found(result) == []


def test_a_note_row_with_figures_between_indicator_rows_is_named(tmp_path):
    result = read_with_rows_inserted(tmp_path, [None, "注：另有线上培训120人"])
    assert month_values(result) == EXPECTED
    assert found(result) == [("NOTE_NOT_READ", "B6")]


def test_a_note_above_a_second_form_that_repeats_the_indicators_still_ends_the_first(tmp_path):
    # The rows below the note name indicators the form above already has: a second
    # form stacked under the first, never read into it.
    rows = form_rows() + [["注：以下为上月数据"], [None, "参训妇女", "人", 999], [None, "接待信访案件", "件", 7]]
    result = read(write_xlsx(tmp_path / "f.xlsx", rows))
    assert month_values(result) == EXPECTED
    assert found(result) == [("DATA_AFTER_FOOTER", "D10")]
    assert only(result, "DATA_AFTER_FOOTER").values["count"] == 2


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_note_row_between_a_tables_org_rows_does_not_end_it(tmp_path, suffix):
    # Regression: 注：以下为街道 between org rows ended the table (its rows below were an
    # error), and in a CSV its one field was a ragged row.
    header, first, other, total = table_rows()
    rows = [header, first, ["注：以下为其他镇"], other, total]
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"t{suffix}", rows)
    result = read(path, ORGS, "2016-03")
    assert month_values(result) == BOTH
    assert found(result) == []


def test_a_note_row_above_rows_repeating_the_orgs_ends_the_table(tmp_path):
    header, first, other, total = table_rows()
    rows = [header, first, other, total, ["注：以下为上月"], first]
    result = read(write_csv(tmp_path / "t.csv", rows), ORGS, "2016-03")
    assert month_values(result) == BOTH
    assert found(result) == [("DATA_AFTER_FOOTER", "B6")]


@pytest.mark.parametrize("layout", ["form", "table"])
def test_figures_in_a_note_below_the_table_are_named(tmp_path, layout):
    # Regression: 说明：另有线上培训120人 under the footer was read by nobody, silently.
    note = ["说明：另有线上培训120人，咨询电话13812345678"]
    rows = form_rows(footer=True) + [note] if layout == "form" else table_rows() + [note]
    result = read(write_xlsx(tmp_path / "f.xlsx", rows), ORGS, "2016-03")
    assert month_values(result) == (EXPECTED if layout == "form" else BOTH)
    assert found(result) == [("NOTE_NOT_READ", "A11" if layout == "form" else "A5")]
    assert only(result, "NOTE_NOT_READ").message == (
        f"第{11 if layout == 'form' else 5}行的说明文字“说明：另有线上培训120人，咨询电话13812345678”中有数字，未读取；"
        "如是本期数据，请填入表中对应的栏目")


@pytest.mark.parametrize("note", ["注：如有疑问请联系13812345678", "说明：本表数据截至3月31日", "注：电话0571-88886666",
                                  "说明：1、本表由各乡镇妇联于每月5日前报送；2.（3）项填累计"])
def test_a_note_whose_only_digits_are_a_date_a_telephone_or_its_numbering_is_no_finding(tmp_path, note):
    result = read(write_xlsx(tmp_path / "f.xlsx", form_rows(footer=True) + [[note]]))
    assert found(result) == []


def test_the_header_written_again_over_a_second_part_of_the_form_is_no_data(tmp_path):
    # Regression (trial): the repeated 序号|指标名称|…|本月|本年累计 row was an unknown indicator
    # 指标名称 "with numbers" (the words 本月, 本年累计), and refused the whole form.
    result = read_with_rows_inserted(tmp_path, [], ["附表：其他工作"], list(FORM_HEADER))
    assert month_values(result) == EXPECTED
    assert month_values(result, "ytd") == EXPECTED_YTD
    assert found(result) == []


def test_a_second_header_with_its_columns_swapped_is_an_error(tmp_path):
    result = read_with_rows_inserted(tmp_path, ["序号", "指标名称", "计量单位", "本年累计", "本月"])
    assert found(result) == [("COLUMN_AMBIGUOUS", "D6")]
    assert only(result, "COLUMN_AMBIGUOUS").message == ("第6行又写了一次表头，但D6为“本年累计”，与上方表头的“本月”不同，"
                                                        "其下各行不知按哪个表头读；请把第二份表移到单独的工作表")


def test_table_total_row_is_kept_out_of_the_data(tmp_path):
    path, _ = table_xlsx(tmp_path)
    result = read(path)
    month = month_values(result)
    assert month == BOTH
    assert all(o[0] not in (None, "合计") for o in month)
    total = [o for o in result.observations if o[6] == "total"]
    assert {(o[0], o[1], o[2], o[3]) for o in total} == {(None, "2016-03", i, TOTALS[i]) for i in IDS}
    assert cells(result, "total", org=None) == row_cells(5)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_table_csv_encodings(tmp_path, encoding):
    path, _ = table_csv(encoding)(tmp_path)
    raw = path.read_bytes()
    if encoding == "gbk":
        assert b"\r\n" in raw and "大宁镇".encode("gbk") in raw
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    result = read(path)
    assert found(result) == []
    assert month_values(result) == BOTH
    assert {o[4] for o in result.observations} == {None}  # a CSV has no sheets
    assert cells(result, "total", org=None) == row_cells(4)


def test_gbk_csv_with_characters_outside_gb2312(tmp_path):
    """GB18030 decoding: 𠀀 is not in GBK at all; 镕 is GBK but not GB2312."""
    rows = [["单位名称", "参训妇女", "接待信访案件"], ["镕𠀀镇", 7, 1]]
    result = read(write_csv(tmp_path / "x_2016-03.csv", rows, "gb18030"))
    assert found(result) == []
    assert month_values(result) == {("镕𠀀镇", "2016-03", "trainees", 7.0), ("镕𠀀镇", "2016-03", "petitions", 1.0)}


def test_table_with_month_column(tmp_path):
    path, _ = table_months(tmp_path)
    result = read(path)
    assert month_values(result) == EXPECTED | {("大宁镇", "2016-04", i, float(OTHER[i])) for i in IDS}
    assert {o[2]: o[5] for o in result.observations if o[1] == "2016-03"} == row_cells(2, "C")
    assert {o[2]: o[5] for o in result.observations if o[1] == "2016-04"} == row_cells(3, "C")
    # The 合计 row, totalling both months, keeps no period.
    total = [o for o in result.observations if o[6] == "total"]
    assert {o[:4] for o in total} == {(None, None, i, TOTALS[i]) for i in IDS}


def test_table_with_unit_row_under_header(tmp_path):
    rows = [["单位名称", "参训妇女", "创业担保贷款金额"], [None, "人", "元"], ["大宁镇", 45, 205000]]
    result = read(write_csv(tmp_path / "t_2016-03.csv", rows))
    assert month_values(result) == {("大宁镇", "2016-03", "trainees", 45.0), ("大宁镇", "2016-03", "loan_amount", 20.5)}
    assert cells(result) == {"trainees": "B3", "loan_amount": "C3"}
    assert found(result) == [("UNIT_CONVERTED", "C1")]


def test_matrix_total_column_is_kept_out_of_the_data(tmp_path):
    path, _ = matrix(tmp_path)
    result = read(path, orgs=ORGS)
    assert month_values(result) == BOTH
    assert {o[:4] for o in result.observations if o[6] == "total"} == {(None, "2016-03", i, TOTALS[i]) for i in IDS}
    assert cells(result, "total", org=None) == column_cells("D", 4)
    assert cells(result, org="白沙镇") == column_cells("F", 4)


def test_matrix_org_columns_map_through_the_registry(tmp_path):
    rows = [["报告期：2016年3月"], ["指标名称", "合计", "大宁", "白沙镇妇联"], ["参训妇女", 55, 45, 10]]
    result = read(write_xlsx(tmp_path / "m.xlsx", rows), orgs=ORGS)
    assert month_values(result) == {("大宁镇", "2016-03", "trainees", 45.0), ("白沙镇", "2016-03", "trainees", 10.0)}


def test_matrix_org_column_not_in_registry(tmp_path):
    rows = [["报告期：2016年3月"], ["指标名称", "合计", "大宁镇", "黄河镇"], ["参训妇女", 55, 45, 10]]
    result = read(write_xlsx(tmp_path / "m.xlsx", rows), orgs=ORGS)
    assert found(result) == [("ORG_UNKNOWN", "D2")]
    assert only(result, "ORG_UNKNOWN").message == "单位“黄河镇”不在单位名册（orgs.csv）中；请核对名称，或在名册中补充别名"
    assert month_values(result) == {("大宁镇", "2016-03", "trainees", 45.0)}


def test_summary_workbook_details_sheet_is_never_data(tmp_path):
    """明细 repeats every number of the summary: reading it would count them twice."""
    path = write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(), more={
        "明细": table_rows(), "填报说明": [["请按月填报"]], "图表": [[1, 2]]})
    result = read(path)
    assert month_values(result) == EXPECTED
    assert found(result) == []


def test_other_sheet_that_is_not_a_report_is_noted(tmp_path):
    path = write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(), more={"备忘": [["下月交"]], "空白": []})
    result = read(path)
    assert month_values(result) == EXPECTED
    assert found(result) == [("SHEET_SKIPPED", None)]
    assert only(result, "SHEET_SKIPPED").sheet == "备忘"
    assert only(result, "SHEET_SKIPPED").severity == INFO


def test_two_form_sheets_in_one_workbook(tmp_path):
    """One sheet per org: each sheet's own 填报单位."""
    white = form_rows(org="白沙镇妇联", body=[[1, "参训妇女", "人", 10, 20]])
    path = write_xlsx(tmp_path / "2016年3月.xlsx", form_rows(), more={"白沙镇": white})
    result = read(path)
    assert month_values(result) == EXPECTED | {("白沙镇", "2016-03", "trainees", 10.0)}
    assert {o[4] for o in result.observations} == {"月报", "白沙镇"}


def test_layout_unknown(tmp_path):
    path = write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", [["会议纪要"], ["2016年3月5日召开"]])
    result = read(path)
    assert found(result) == [("LAYOUT_UNKNOWN", None)]
    assert only(result, "LAYOUT_UNKNOWN").message == (
        "工作表“月报”中没有找到可识别的报表：表式报表需要“指标名称”列和“本月”（或“本年累计”）列，"
        "清单式报表需要以指标名称为列标题的表头；请使用 fulian-stats template 生成的模板填报")
    assert only(result, "LAYOUT_UNKNOWN").sheet == "月报"
    assert result.observations == []


def test_frame_has_the_observation_columns(tmp_path):
    form_plain(tmp_path)
    result = read_paths([tmp_path], context())
    frame = result.frame()
    assert list(frame.columns) == OBSERVATION_COLUMNS == [
        "org", "period", "indicator", "value", "sheet", "cell", "measure", "file"]
    row = frame[(frame.indicator == "loan_amount") & (frame.measure == "month")].iloc[0].to_dict()
    assert row == {"org": "大宁镇", "period": "2016-03", "indicator": "loan_amount", "value": 20.5,
                   "sheet": "月报", "cell": "D5", "measure": "month", "file": str(tmp_path / "form.xlsx")}


# -- 2. .xls and .xlsm ----------------------------------------------------------------------


def test_xls_written_by_xlwt(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("月报")
    for r, row in enumerate(form_rows(footer=True)):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    path = tmp_path / "大宁镇_2016-03.xls"
    book.save(str(path))
    assert path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # a real BIFF/OLE file
    result = read(path)
    assert found(result) == []
    assert month_values(result) == EXPECTED
    assert month_values(result, "ytd") == EXPECTED_YTD
    assert cells(result) == column_cells("D", 4)


def test_xlsm(tmp_path):
    path = write_xlsx(tmp_path / "大宁镇_2016-03.xlsm", form_rows())
    result = read_paths([tmp_path], context())  # a folder walk picks up .xlsm
    assert [Path(r.file).name for r in result.files] == ["大宁镇_2016-03.xlsm"]
    assert found(result) == []
    assert month_values(result) == EXPECTED
    assert cells(result) == column_cells("D", 4)
    assert path.exists()


# -- 4. numbers and units in the reader --------------------------------------------------------


def one_row(tmp_path, row: list, name: str = "大宁镇_2016-03.xlsx", header=None):
    """A form with the single indicator row `row` (on row 4)."""
    return read(write_xlsx(tmp_path / name, form_rows(body=[row], header=header)))


def test_estimate_is_read_with_a_warning_at_its_cell(tmp_path):
    result = one_row(tmp_path, [1, "参训妇女", "人", "300多", "约1000"])
    assert found(result) == [("NUMBER_ESTIMATE", "D4"), ("NUMBER_ESTIMATE", "E4")]
    first = [f for f in result.findings if f.cell == "D4"][0]
    assert first.severity == WARNING
    assert first.message == "“参训妇女”填的是估计数“300多”，已按300读取；请填写准确数字"
    assert (first.indicator, first.row, first.sheet, first.file) == ("trainees", 4, "月报", "大宁镇_2016-03.xlsx")
    assert month_values(result) == {("大宁镇", "2016-03", "trainees", 300.0)}
    assert month_values(result, "ytd") == {("大宁镇", "2016-03", "trainees", 1000.0)}


def test_invalid_text_is_an_error_at_its_cell_and_no_observation(tmp_path):
    result = one_row(tmp_path, [1, "参训妇女", "人", "见附表", 120])
    assert found(result) == [("NUMBER_INVALID", "D4")]
    finding = only(result, "NUMBER_INVALID")
    assert finding.severity == ERROR
    assert finding.message == "“参训妇女”的数值“见附表”无法识别；请只填数字，没有发生的填0，未统计的留空"
    assert finding.values == {"raw": "见附表"}
    assert [o[5] for o in result.observations] == ["E4"]


@pytest.mark.parametrize("raw, value", [
    ("1,989", 1989.0), ("１９８９", 1989.0), ("1989个", 1989.0), ("0.2万", 2000.0), ("—", 0.0), ("-", 0.0),
    ("/", 0.0), ("无", 0.0), (1989, 1989.0), (19.0, 19.0)])
def test_number_forms_in_a_cell(tmp_path, raw, value):
    result = one_row(tmp_path, [1, "提供就业岗位", "个", raw])
    assert found(result) == []
    assert month_values(result) == {("大宁镇", "2016-03", "jobs_offered", value)}


def test_blank_cell_is_no_observation(tmp_path):
    for blank in (None, "", "  "):
        result = one_row(tmp_path, [1, "参训妇女", "人", blank, 120])
        assert found(result) == []
        assert month_values(result) == set()
        assert month_values(result, "ytd") == {("大宁镇", "2016-03", "trainees", 120.0)}


def test_yuan_in_a_wan_yuan_row_is_converted(tmp_path):
    result = one_row(tmp_path, [1, "创业担保贷款金额", "元", 205000, 612500])
    assert found(result) == [("UNIT_CONVERTED", "C4")]
    finding = only(result, "UNIT_CONVERTED")
    assert finding.severity == INFO
    assert finding.message == "“创业担保贷款金额”按“元”填报，已换算为“万元”（×0.0001）"
    assert month_values(result) == {("大宁镇", "2016-03", "loan_amount", 20.5)}
    assert month_values(result, "ytd") == {("大宁镇", "2016-03", "loan_amount", 61.25)}
    assert cells(result) == {"loan_amount": "D4"}


def test_unit_in_brackets_of_the_row_name_is_converted(tmp_path):
    result = one_row(tmp_path, [1, "创业担保贷款金额（元）", None, 205000])
    assert found(result) == [("UNIT_CONVERTED", "B4")]
    assert month_values(result) == {("大宁镇", "2016-03", "loan_amount", 20.5)}


def test_wan_people_are_converted(tmp_path):
    result = one_row(tmp_path, [1, "新媒体阅读量", "万次", 1.52])
    assert found(result) == [("UNIT_CONVERTED", "C4")]
    assert month_values(result) == {("大宁镇", "2016-03", "wechat_reads", 15200.0)}


def test_unknown_unit_is_an_error_and_no_observation(tmp_path):
    result = one_row(tmp_path, [1, "参训妇女", "斤", 45, 120])
    assert found(result) == [("UNIT_UNKNOWN", "C4")]
    finding = only(result, "UNIT_UNKNOWN")
    assert finding.severity == ERROR
    assert finding.message == "“参训妇女”的计量单位是“斤”，指标目录要求“人”，两者无法换算；请改为目录中的单位"
    assert result.observations == []


def test_unit_written_in_the_value_cell(tmp_path):
    result = one_row(tmp_path, [1, "创业担保贷款金额", "万元", "205000元", "6.125万元"])
    assert found(result) == []
    assert month_values(result) == {("大宁镇", "2016-03", "loan_amount", 20.5)}
    assert month_values(result, "ytd") == {("大宁镇", "2016-03", "loan_amount", 6.125)}


@pytest.mark.parametrize("row_unit, month, ytd, expected_month, expected_ytd", [
    ("万元", "6.1万", "0.125亿", 6.1, 1250.0),  # regression: 6.1万 in a 万元 row was read as 61000万元
    ("元", "6.1万", "350万", 6.1, 350.0),
    ("元", "5万元", "61000元", 5.0, 6.1),  # regression: the cell's unit and then the row's were both applied
    (None, "6.1万", "12.5万元", 6.1, 12.5),
])
def test_a_scale_or_unit_written_in_the_cell_counts_whatever_the_rows_unit(
        tmp_path, row_unit, month, ytd, expected_month, expected_ytd):
    result = one_row(tmp_path, [1, "创业担保贷款金额", row_unit, month, ytd])
    assert [code for code, _cell in found(result)] == (["UNIT_CONVERTED"] if row_unit == "元" else [])
    assert month_values(result) == {("大宁镇", "2016-03", "loan_amount", expected_month)}
    assert month_values(result, "ytd") == {("大宁镇", "2016-03", "loan_amount", expected_ytd)}


def test_wan_written_in_a_count_row_is_ten_thousand(tmp_path):
    result = one_row(tmp_path, [1, "新媒体阅读量", "万次", "1.2万", "3万次"])
    assert month_values(result) == {("大宁镇", "2016-03", "wechat_reads", 12000.0)}
    assert month_values(result, "ytd") == {("大宁镇", "2016-03", "wechat_reads", 30000.0)}


def test_wrong_unit_written_in_the_value_cell(tmp_path):
    result = one_row(tmp_path, [1, "提供就业岗位", "个", "1989人"])
    assert found(result) == [("NUMBER_INVALID", "D4")]
    assert only(result, "NUMBER_INVALID").message == (
        "“提供就业岗位”的数值“1989人”带有单位“人”，与指标单位“个”不符；请只填数字")
    assert result.observations == []


def test_table_unit_from_header_bracket(tmp_path):
    rows = [["单位名称", "贷款金额（元）", "参训妇女（人）"], ["大宁镇", 205000, 45], ["白沙镇", "12,500", ""]]
    result = read(write_xlsx(tmp_path / "t_2016-03.xlsx", rows))
    assert found(result) == [("UNIT_CONVERTED", "B1")]
    assert only(result, "UNIT_CONVERTED").message == "“创业担保贷款金额”按“元”填报，已换算为“万元”（×0.0001）"
    assert month_values(result) == {("大宁镇", "2016-03", "loan_amount", 20.5), ("大宁镇", "2016-03", "trainees", 45.0),
                                    ("白沙镇", "2016-03", "loan_amount", 1.25)}
    assert cells(result, org="白沙镇") == {"loan_amount": "B3"}  # the blank C3 is no observation


def test_table_unknown_unit_in_header_is_not_dropped_silently(tmp_path):
    rows = [["单位名称", "参训妇女（斤）", "接待信访案件", "新媒体阅读量"], ["大宁镇", 45, 3, 1520]]
    result = read(write_xlsx(tmp_path / "t_2016-03.xlsx", rows))
    # `（斤）` is no unit the catalog knows, so it stays part of the name: not an indicator,
    # and a column of numbers under a name the catalog does not know is an error.
    assert found(result) == [("INDICATOR_UNKNOWN", "B1")]
    assert only(result, "INDICATOR_UNKNOWN").message == (
        "指标“参训妇女（斤）”不在指标目录中，但填有数值；请改用目录中的指标名称，或在指标目录中补充别名")
    assert month_values(result) == {("大宁镇", "2016-03", "petitions", 3.0), ("大宁镇", "2016-03", "wechat_reads", 1520.0)}


def test_table_unknown_column_with_values(tmp_path):
    rows = [["序号", "单位名称", "参训妇女", "不在目录的指标", "接待信访案件", "联系人", "联系电话", "备注"],
            [1, "大宁镇", 45, None, 3, "赵敏", "13800000000", "无"],
            [2, "白沙镇", 10, 7, 1, "王芳", "0771-1234567", "12"],
            [3, "青溪镇", 1, 8, 1, None, None, None]]
    result = read(write_csv(tmp_path / "t_2016-03.csv", rows))
    # once per column, at its header; the 联系电话 are no figures, the 备注 12 is named
    assert found(result) == [("COLUMN_NOT_READ", "H3"), ("INDICATOR_UNKNOWN", "D1")]
    assert only(result, "INDICATOR_UNKNOWN").values == {"name": "不在目录的指标"}
    assert {o[2] for o in result.observations} == {"trainees", "petitions"}
    assert cells(result, org="白沙镇") == {"trainees": "C3", "petitions": "E3"}


def test_table_unknown_column_without_values_is_no_error(tmp_path):
    rows = [["单位名称", "参训妇女", "接待信访案件", "工作亮点"], ["大宁镇", 45, 3, "开展三八节活动"], ["白沙镇", 1, 1, None]]
    result = read(write_csv(tmp_path / "t_2016-03.csv", rows))
    assert found(result) == []
    assert len(result.observations) == 4


def test_table_number_findings_name_their_cells(tmp_path):
    rows = [table_header(), ["大宁镇", 45, "约20", "1,989", "不详", 1520], ["白沙镇", "３", "", "-", "/", "无"]]
    result = read(write_csv(tmp_path / "t_2016-03.csv", rows))
    assert found(result) == [("NUMBER_ESTIMATE", "C2"), ("NUMBER_INVALID", "E2")]
    assert month_values(result) == {
        ("大宁镇", "2016-03", "trainees", 45.0), ("大宁镇", "2016-03", "loan_amount", 20.0),
        ("大宁镇", "2016-03", "jobs_offered", 1989.0), ("大宁镇", "2016-03", "wechat_reads", 1520.0),
        ("白沙镇", "2016-03", "trainees", 3.0), ("白沙镇", "2016-03", "jobs_offered", 0.0),
        ("白沙镇", "2016-03", "petitions", 0.0), ("白沙镇", "2016-03", "wechat_reads", 0.0)}


# -- 5. org and period ---------------------------------------------------------------------


@pytest.mark.parametrize("registry", [None, ORGS], ids=["no-registry", "registry"])
@pytest.mark.parametrize("name", ["大宁镇_2016-03.xlsx", "2016年3月大宁镇月报.xlsx", "大宁镇妇联2016年03月报表.xlsx"])
def test_org_and_period_from_the_file_name(tmp_path, name, registry):
    result = read(write_xlsx(tmp_path / name, form_rows(org=None, period=None)), orgs=registry)
    assert found(result) == []
    assert month_values(result) == EXPECTED


@pytest.mark.parametrize("cells_", [["报告期：2016年3月"], ["填报月份：2016-03"], ["统计月份:2016.3"],
                                     ["报告期", "2016年03月份"], ["报 告 期：", None, "201603"]])
def test_period_spellings_in_contents(tmp_path, cells_):
    rows = form_rows(period=None)
    rows[1][3:] = cells_
    result = read(write_xlsx(tmp_path / "大宁镇.xlsx", rows))
    assert found(result) == []
    assert month_values(result) == EXPECTED


def test_org_and_period_in_separate_cells(tmp_path):
    rows = form_rows(org=None, period=None)
    rows[1] = ["填报单位：", "大宁镇妇联", None, "报告期：", "2016年3月"]
    result = read(write_xlsx(tmp_path / "月报.xlsx", rows))
    assert found(result) == []
    assert month_values(result) == EXPECTED


def test_period_as_a_date_cell(tmp_path):
    import datetime as dt

    rows = form_rows(period=None)
    rows[1][3:] = ["报告期", dt.datetime(2016, 3, 1)]
    result = read(write_xlsx(tmp_path / "x.xlsx", rows))
    assert month_values(result) == EXPECTED


def test_period_from_the_title(tmp_path):
    rows = form_rows(period=None, title="大宁镇妇联2016年3月工作统计月报表")
    result = read(write_xlsx(tmp_path / "x.xlsx", rows))
    assert found(result) == []
    assert month_values(result) == EXPECTED


def test_period_from_the_command_line_when_nowhere_else(tmp_path):
    path = write_xlsx(tmp_path / "大宁镇月报.xlsx", form_rows(period=None))
    assert month_values(read(path, period="2016-03")) == EXPECTED
    # Contents and file name come first: --period is the last resort, not an override.
    named = write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(period=None))
    assert month_values(read(named, period="2016-05")) == EXPECTED
    assert month_values(read(write_xlsx(tmp_path / "y.xlsx", form_rows()), period="2016-05")) == EXPECTED


def test_a_title_naming_some_months_is_not_narrowed_by_the_command_line(tmp_path):
    # Regression (trial): 2016年1-3月 in the title was read as whatever month --period said,
    # a quarter's figures summed as March's; a title naming only the year (a monthly
    # template's) still takes the month from --period.
    quarter = write_xlsx(tmp_path / "大宁镇月报.xlsx", form_rows(period=None, title="大宁镇妇联2016年1-3月工作统计表"))
    assert {o[1] for o in observations(read(quarter, period="2016-03"))} == {"2016-01..2016-03"}
    year = write_xlsx(tmp_path / "大宁镇报表.xlsx", form_rows(period=None, title="大宁镇妇联2016年度工作统计月报表"))
    assert month_values(read(year, period="2016-03")) == EXPECTED


def test_period_conflict_between_contents_and_file_name(tmp_path):
    result = read(write_xlsx(tmp_path / "大宁镇_2016-04.xlsx", form_rows()))
    assert found(result) == [("PERIOD_CONFLICT", "D2")]
    finding = only(result, "PERIOD_CONFLICT")
    assert finding.severity == ERROR
    assert finding.message == "表内报告期为2016年3月，文件名中为2016年4月，两者不一致；请核对后修改表内报告期或文件名"
    assert finding.values == {"contents": "2016-03", "file_name": "2016-04"}


def test_period_conflict_with_a_title_names_the_title_cell(tmp_path):
    rows = form_rows(period=None, title="大宁镇妇联2016年3月工作统计月报表")
    result = read(write_xlsx(tmp_path / "大宁镇_2016-04.xlsx", rows))
    assert found(result) == [("PERIOD_CONFLICT", "A1")]


@pytest.mark.parametrize("registry", [None, ORGS], ids=["no-registry", "registry"])
def test_org_conflict_between_contents_and_file_name(tmp_path, registry):
    result = read(write_xlsx(tmp_path / "白沙镇_2016-03.xlsx", form_rows()), orgs=registry)
    assert found(result) == [("ORG_CONFLICT", "A2")]
    finding = only(result, "ORG_CONFLICT")
    assert finding.severity == ERROR
    assert finding.message == "表内填报单位为“大宁镇妇联”，文件名中为“白沙镇”，两者不一致；请核对后修改"


@pytest.mark.parametrize("registry", [None, ORGS], ids=["no-registry", "registry"])
def test_county_workbook_of_one_sheet_per_township_takes_each_sheets_org(tmp_path, registry):
    """Regression: a county's workbook of sheets named 大宁镇, 白沙镇 without 填报单位 gave
    every sheet the file name's 青溪县 (and a DUPLICATE_SUBMISSION for each)."""
    rows = form_rows(org=None)
    path = write_xlsx(tmp_path / "青溪县_2016-03.xlsx", rows, "大宁镇", {"白沙镇妇联": rows})
    result = read(path, orgs=registry)
    assert found(result) == []
    assert {o[0] for o in observations(result)} == {"大宁镇", "白沙镇"}
    assert {o[:4] for o in observations(result) if o[4] == "大宁镇" and o[6] == "month"} == EXPECTED


@pytest.mark.parametrize("sheet", ["3月白沙镇", "白沙镇3月份", "十二月白沙镇", "白沙镇（3月）"])
def test_a_sheet_named_for_its_month_and_township_is_the_townships(tmp_path, sheet):
    """Regression: without a registry, a sheet named 3月白沙镇 was an org of that name,
    and so no copy of 白沙镇's own file."""
    rows = form_rows(org=None)
    result = read(write_xlsx(tmp_path / "青溪县_2016-03.xlsx", rows, "大宁镇", {sheet: rows}))
    assert {o[0] for o in observations(result)} == {"大宁镇", "白沙镇"}


def test_a_lone_county_character_names_no_org(tmp_path):
    result = read(write_xlsx(tmp_path / "县汇总含分表.xlsx", form_rows(org=None, period="2016年3月")))
    assert [f.code for f in findings(result)] == ["ORG_MISSING"]


@pytest.mark.parametrize("registry", [None, ORGS], ids=["no-registry", "registry"])
def test_sheet_named_for_another_township_than_the_file_is_a_conflict(tmp_path, registry):
    result = read(write_xlsx(tmp_path / "白沙镇_2016-03.xlsx", form_rows(org=None), "大宁镇"), orgs=registry)
    finding = only(result, "ORG_CONFLICT")
    assert finding.message == "工作表名中的单位为“大宁镇”，文件名中为“白沙镇”，两者不一致；请核对后修改"
    assert observations(result) == []
    contents = read(write_xlsx(tmp_path / "2016-03.xlsx", form_rows(), "白沙镇"), orgs=registry)
    assert only(contents, "ORG_CONFLICT").message == (
        "表内填报单位为“大宁镇妇联”，工作表名中为“白沙镇”，两者不一致；请核对后修改")


@pytest.mark.parametrize("registry", [None, ORGS], ids=["no-registry", "registry"])
def test_a_sheet_name_never_contradicts_the_cell_and_file_name(tmp_path, registry):
    """Regression (review): the cell and file name said 大宁镇 and a sheet named 白沙镇 made
    two ORG_CONFLICTs; a township's form in its county's workbook was one."""
    agreed = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(), "白沙镇"), orgs=registry)
    assert found(agreed) == [] and month_values(agreed) == EXPECTED
    in_county = read(write_xlsx(tmp_path / "青溪县_2016-03.xlsx", form_rows(), "Sheet1"), orgs=registry)
    assert found(in_county) == [] and month_values(in_county) == EXPECTED


def test_a_sheet_named_for_the_county_in_a_file_naming_no_org_is_no_org(tmp_path):
    """A template's sheet name (青溪县月报) is not who filled the form in: the cell is, or nobody."""
    for registry in (None, ORGS):
        named = read(write_xlsx(tmp_path / "2016年3月报表.xlsx", form_rows(), "青溪县月报"), orgs=registry)
        assert found(named) == [] and month_values(named) == EXPECTED
        nobody = read(write_xlsx(tmp_path / "2016年3月报表.xlsx", form_rows(org=None), "青溪县月报"), orgs=registry)
        assert [f.code for f in findings(nobody)] == ["ORG_MISSING"]


def test_township_file_whose_sheet_is_named_for_its_county_is_the_townships(tmp_path):
    for registry in (None, ORGS):
        result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(org=None), "青溪县"), orgs=registry)
        assert found(result) == [] and month_values(result) == EXPECTED


def test_values_in_hidden_rows_and_columns_are_read_and_named(tmp_path):
    path = write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows())
    book = openpyxl.load_workbook(path)
    book["月报"].row_dimensions[4].hidden = True
    book["月报"].column_dimensions["E"].hidden = True
    book.save(path)
    result = read(path)
    assert month_values(result) == EXPECTED and month_values(result, "ytd") == EXPECTED_YTD
    finding = only(result, "CELLS_HIDDEN")
    assert (finding.severity, finding.cell, finding.org, finding.period) == (WARNING, "D4", "大宁镇", "2016-03")
    ytd_cells = [f"E{4 + i}" for i in range(len(EXPECTED_YTD))]
    assert finding.values == {"cells": ["D4", *ytd_cells]}
    assert finding.message == (f"第4行、E列是隐藏的，其中的数值（D4、{'、'.join(ytd_cells[:4])}等{1 + len(ytd_cells)}个单元格）"
                               "也已读取；如是旧数据或草稿，请删去；如是报表数据，请取消隐藏")


def test_short_name_in_contents_is_no_conflict(tmp_path):
    """`填报单位：大宁` in 大宁镇_2016-03.xlsx: one org, with or without a registry."""
    for registry in (None, ORGS):
        result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(org="大宁")), orgs=registry)
        assert found(result) == []
        assert month_values(result) == EXPECTED


def test_county_title_on_a_township_form_is_no_conflict(tmp_path):
    """The county's name in the title of the form it sends out names who issued the form,
    not who fills it in: the file name's township is the org."""
    rows = form_rows(org=None, title="青溪县妇联工作统计月报表")
    result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", rows), orgs=ORGS)
    assert found(result) == []
    assert month_values(result) == EXPECTED


def test_org_from_title_with_registry(tmp_path):
    rows = form_rows(org=None, title="大宁镇妇联工作统计月报表")
    assert month_values(read(write_xlsx(tmp_path / "2016-03.xlsx", rows), orgs=ORGS)) == EXPECTED
    conflict = read(write_xlsx(tmp_path / "白沙镇_2016-03.xlsx", rows), orgs=ORGS)
    assert found(conflict) == [("ORG_CONFLICT", "A1")]


def test_nothing_at_all_is_missing_org_and_period(tmp_path):
    result = read(write_xlsx(tmp_path / "月报.xlsx", form_rows(org=None, period=None, title=None)))
    assert found(result) == [("ORG_MISSING", None), ("PERIOD_MISSING", None)]
    assert only(result, "ORG_MISSING").message == "表内和文件名中都找不到填报单位；请在表头填写“填报单位：XX镇妇联”"
    assert only(result, "PERIOD_MISSING").message == (
        "表内和文件名中都找不到报告期；请在表头填写“报告期：2016年3月”，或用 --period 指定")
    assert result.observations == []


def test_table_without_period_is_missing_period(tmp_path):
    result = read(write_csv(tmp_path / "城区.csv", table_rows()))
    assert found(result) == [("PERIOD_MISSING", None)]
    assert result.observations == []
    assert month_values(read(write_csv(tmp_path / "城区.csv", table_rows()), period="2016-03")) == BOTH


def test_registry_alias_maps_to_the_canonical_name(tmp_path):
    result = read(write_xlsx(tmp_path / "x_2016-03.xlsx", form_rows(org="大宁")), orgs=ORGS)
    assert found(result) == []
    assert month_values(result) == EXPECTED
    table = read(write_csv(tmp_path / "t_2016-03.csv", table_rows(org="大宁", other="白沙镇妇联")), orgs=ORGS)
    assert found(table) == []
    assert {o[0] for o in month_values(table)} == {"大宁镇", "白沙镇"}


def test_org_not_in_registry(tmp_path):
    result = read(write_xlsx(tmp_path / "x_2016-03.xlsx", form_rows(org="黄河镇妇联")), orgs=ORGS)
    assert found(result) == [("ORG_UNKNOWN", "A2")]
    assert only(result, "ORG_UNKNOWN").message == (
        "填报单位“黄河镇妇联”不在单位名册（orgs.csv）中；请核对名称，或在名册中补充别名")
    assert result.observations == []


def test_table_row_of_an_org_not_in_registry(tmp_path):
    result = read(write_csv(tmp_path / "t_2016-03.csv", table_rows(other="黄河镇")), orgs=ORGS)
    assert found(result) == [("ORG_UNKNOWN", "A3")]
    assert only(result, "ORG_UNKNOWN").values == {"org": "黄河镇"}
    assert month_values(result) == EXPECTED  # the other rows are still read


def test_table_row_without_org(tmp_path):
    result = read(write_csv(tmp_path / "t_2016-03.csv", table_rows(other="")))
    assert found(result) == [("ORG_MISSING", "A3")]
    assert only(result, "ORG_MISSING").message == "第3行有数值但没有填报单位名称"
    assert month_values(result) == EXPECTED


# -- 6. robustness ------------------------------------------------------------------------------


def test_bad_files_are_one_finding_each_and_the_others_still_read(tmp_path):
    folder = tmp_path / "2016-03"
    good = write_xlsx(folder / "大宁镇_2016-03.xlsx", form_rows())
    data = good.read_bytes()
    (folder / "损坏.xlsx").write_bytes(bytes(random.Random(7).randrange(256) for _ in range(4096)))
    (folder / "截断.xlsx").write_bytes(data[: len(data) // 2])
    (folder / "文字.xlsx").write_text("这不是Excel文件，是文本\n", encoding="utf-8")
    (folder / "空.xlsx").write_bytes(b"")
    (folder / "空.csv").write_bytes(b"")
    (folder / "乱码.csv").write_bytes(csv_bytes(table_rows()[:2]) + b"\xff\xfe,1\r\n")
    write_csv(folder / "白沙镇_2016-03.csv", [["单位名称", "参训妇女", "接待信访案件"], ["白沙镇", 10, None]], "gbk")

    result = read_paths([folder], context())
    by_file = {Path(r.file).name: [(f.code, f.row) for f in r.findings] for r in result.files}
    assert by_file == {
        "乱码.csv": [("ENCODING", 3)],
        "大宁镇_2016-03.xlsx": [],
        "截断.xlsx": [("FILE_UNREADABLE", None)],
        "损坏.xlsx": [("FILE_UNREADABLE", None)],
        "文字.xlsx": [("FILE_UNREADABLE", None)],
        "白沙镇_2016-03.csv": [],
        "空.csv": [("FILE_EMPTY", None)],
        "空.xlsx": [("FILE_EMPTY", None)],
    }
    assert month_values(result) == EXPECTED | {("白沙镇", "2016-03", "trainees", 10.0)}
    messages = {Path(f.file).name: f.message for f in result.all_findings()}
    assert messages["空.xlsx"] == messages["空.csv"] == "文件是空的（0字节），请重新导出后报送"
    assert messages["乱码.csv"] == ("第3行第1个字节处无法按UTF-8或GBK/GB18030解码；"
                                  "请在Excel或WPS中另存为“CSV UTF-8”或GBK编码的CSV后重新报送")
    for name in ("截断.xlsx", "损坏.xlsx", "文字.xlsx"):
        assert messages[name].startswith("不是有效的Excel文件或文件已损坏（")
        assert messages[name].endswith("）；请在Excel或WPS中打开并另存后重新报送")
    assert all(f.severity == ERROR for f in result.all_findings())


def test_encoding_error_names_the_line_of_a_gbk_file(tmp_path):
    data = csv_bytes([["单位名称", "参训妇女"], ["大宁镇", 45], ["白沙镇", 10]], "gbk")
    bad = data.replace("白沙镇".encode("gbk"), b"\x81\x20")  # a lead byte with no trail byte
    (tmp_path / "x.csv").write_bytes(bad)
    result = read(tmp_path / "x.csv")
    assert [(f.code, f.row) for f in result.findings] == [("ENCODING", 3)]
    assert result.findings[0].message.startswith("第3行第1个字节处")


def test_xlsx_named_xls_is_read_for_what_it_is(tmp_path):
    """The format is told from the file's bytes, not its extension: an .xlsx renamed .xls reads."""
    path = write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows())
    expected = read(path).observations
    renamed = path.rename(tmp_path / "大宁镇_2016-03.xls")
    result = read(renamed)
    assert result.findings == [] and result.observations == expected


def test_indicator_unknown(tmp_path):
    body = [*figure_rows(), [6, "不在目录的指标", "人", 5, 9], [7, "另一个未知指标", "人", None, None]]
    result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(body=body)))
    assert found(result) == [("INDICATOR_UNKNOWN", "B9")]  # the empty unknown row is no error
    finding = only(result, "INDICATOR_UNKNOWN")
    assert finding.severity == ERROR
    assert finding.message == ("指标“不在目录的指标”不在指标目录中，但填有数值（D9、E9）；请改用目录中的指标名称，"
                               "或在指标目录中补充别名")
    assert month_values(result) == EXPECTED


def test_value_without_indicator_name(tmp_path):
    body = [*figure_rows(), [6, None, "人", 5]]
    result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(body=body)))
    assert found(result) == [("INDICATOR_UNKNOWN", "B9")]  # the name is what is missing
    assert only(result, "INDICATOR_UNKNOWN").message == "第9行有数值（D9）但没有指标名称（B9为空）；请补上指标名称或删去数值"


def test_indicator_duplicate_row(tmp_path):
    body = [*figure_rows(), [6, "参训人数", "人", 46, 121]]  # 参训妇女 again, by its alias
    result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(body=body)))
    assert found(result) == [("INDICATOR_DUPLICATE", "B9")]
    finding = only(result, "INDICATOR_DUPLICATE")
    assert finding.message == "“参训妇女”在第4行和第9行各出现一次；请删去重复的一行"
    assert finding.indicator == "trainees"
    assert month_values(result) == EXPECTED  # the first row counts, the repeat does not


def test_indicator_duplicate_column(tmp_path):
    rows = [["单位名称", "参训妇女", "接待信访案件", "参训人数"], ["大宁镇", 45, 3, 46]]
    result = read(write_csv(tmp_path / "t_2016-03.csv", rows))
    assert found(result) == [("INDICATOR_DUPLICATE", "D1")]
    assert only(result, "INDICATOR_DUPLICATE").message == "“参训妇女”有两列（B1和D1）；请删去重复的一列"
    assert month_values(result) == {("大宁镇", "2016-03", "trainees", 45.0), ("大宁镇", "2016-03", "petitions", 3.0)}


def test_files_are_never_written(tmp_path):
    path, _ = form_variant(tmp_path)
    before = path.read_bytes(), path.stat().st_mtime_ns
    read_paths([tmp_path], context(ORGS))
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# -- 9. the sample data ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    from fulian_stats.orgs import load_orgs

    return read_paths([SAMPLE], context(load_orgs(SAMPLE / "orgs.csv")))


def test_sample_data_reads_without_errors(sample):
    assert [(f.code, f.file, f.cell, f.message) for f in sample.all_findings() if f.severity in (ERROR, WARNING)] == []
    frame = sample.frame()
    month = frame[frame.measure == "month"]
    assert month.org.nunique() == 12
    per_org = month.groupby("org").period.nunique()
    assert per_org.to_dict() == {org: 24 for org in per_org.index}
    assert set(month.period) == {f"{y}-{m:02d}" for y in (2016, 2017) for m in range(1, 13)}
    assert len(sample.files) == 24 * 10
    # The 合计 rows of the 街道 tables are totals, never an org.
    assert set(frame[frame.measure == "total"].org.isna()) == {True}


def test_sample_data_values_match_the_workbook_cells(sample):
    path = SAMPLE / "2016" / "03" / "大宁镇_2016-03.xlsx"
    sheet = openpyxl.load_workbook(path)["月报"]
    rows = [o for r in sample.files if Path(r.file).resolve() == path.resolve() for o in r.observations]
    assert len(rows) > 50
    for org, period, _ind, value, _sheet, cell, _measure in rows:
        assert (org, period) == ("大宁镇", "2016-03")
        raw = sheet[cell].value
        if isinstance(raw, str):  # the quirks of the sample: `１２`, `1,989`, `—`
            raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789")).replace(",", "")
            raw = 0 if raw in ("—", "-") else raw
        expected = float(raw)
        assert value == expected, cell
    # One spot check: 新媒体阅读量 of 大宁镇 in March 2016, cell D6.
    assert ("大宁镇", "2016-03", "wechat_reads", float(sheet["D6"].value), "月报", "D6", "month") in rows


def test_sample_data_loans_in_yuan_are_converted(sample):
    path = SAMPLE / "2016" / "03" / "官塘镇_2016-03.xlsx"
    sheet = openpyxl.load_workbook(path).worksheets[0]
    row = next(r for r in sheet.iter_rows() if r[1].value in ("创业担保贷款金额", "贷款金额"))
    assert row[2].value == "元"
    frame = sample.frame()
    loan = frame[(frame.org == "官塘镇") & (frame.period == "2016-03") & (frame.indicator == "loan_amount")
                 & (frame.measure == "month")]
    assert loan.value.tolist() == [pytest.approx(float(row[3].value) / 10000, abs=1e-9)]
    assert loan.cell.tolist() == [row[3].coordinate]


def test_conflicting_sheet_contributes_no_numbers(tmp_path):
    # Regression: a September file still saying 2016年3月 was booked to March anyway,
    # which then looked like a duplicate March and a wrong 本年累计 for every indicator.
    org_conflict = read(write_xlsx(tmp_path / "白沙镇_2016-03.xlsx", form_rows()))
    period_conflict = read(write_xlsx(tmp_path / "大宁镇_2016-09.xlsx", form_rows()))
    assert observations(org_conflict) == [] and found(org_conflict) == [("ORG_CONFLICT", "A2")]
    assert observations(period_conflict) == [] and found(period_conflict) == [("PERIOD_CONFLICT", "D2")]


def test_unknown_value_header_is_not_taken_for_an_org_column(tmp_path):
    # Regression: a header that is no known value word was read as the column of an org
    # called by it, and the numbers passed silently.
    rows = [[v if v != "本月" else "完成情况" for v in row[:4]] for row in form_rows()]
    result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", rows))
    assert observations(result) == []
    assert found(result) == [("LAYOUT_UNKNOWN", "D4")]
    assert only(result, "LAYOUT_UNKNOWN").message.startswith(
        "工作表“月报”中没有找到可识别的报表：D4单元格有数值，但第3行像是表头（B3“指标名称”），却没有“本月”或“本年累计”列"
        "（其余列为A3“序号”、C3“计量单位”、D3“完成情况”）")


@pytest.mark.parametrize("heading", ["本月实际数", "当月完成情况", "本期完成数量"])
def test_a_month_column_spelt_beyond_the_list_is_the_month(tmp_path, heading):
    rows = [[v if v != "本月" else heading for v in row] for row in form_rows()]
    assert month_values(read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", rows))) == EXPECTED


def test_default_excel_file_name_is_no_org(tmp_path):
    # Regression: without a registry, `新建 Microsoft Excel 工作表.xlsx` gave the org
    # "新建MicrosoftExcel" and a false ORG_CONFLICT with the sheet's own 大宁镇.
    result = read(write_xlsx(tmp_path / "新建 Microsoft Excel 工作表.xlsx", form_rows()))
    assert found(result) == []
    assert month_values(result) == EXPECTED


def test_table_with_one_indicator_column_beside_an_org_column(tmp_path):
    # Regression: a table needed two known indicator columns, so a one-indicator CSV was
    # LAYOUT_UNKNOWN.
    path = write_csv(tmp_path / "培训_2016-03.csv", [["单位名称", "参训妇女（人）"], ["大宁镇", "12"], ["白沙镇", "7"]])
    result = read(path)
    assert found(result) == []
    assert observations(result) == [("大宁镇", "2016-03", "trainees", 12.0, None, "B2", "month"),
                                    ("白沙镇", "2016-03", "trainees", 7.0, None, "B3", "month")]


# ---------------------------------------------------------------- listing


def test_files_are_listed_as_the_folders_are_walked(tmp_path):
    from fulian_stats.read.files import stream_files

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    (tmp_path / "a" / "1.csv").write_text("x")
    found, files = stream_files([tmp_path])
    assert next(files) == str(tmp_path / "a" / "1.csv")
    (tmp_path / "b" / "2.csv").write_text("x")  # b is not walked yet: its new file is found
    assert list(files) == [str(tmp_path / "b" / "2.csv")]
    assert found.files == [str(tmp_path / "a" / "1.csv"), str(tmp_path / "b" / "2.csv")]


@pytest.mark.parametrize("suffix", [".ods", ".fods", ".et", ".xlsb", ".numbers", ".ODS"])
def test_a_spreadsheet_in_another_format_is_its_files_error_not_a_skipped_file(tmp_path, suffix):
    # Regression: such a file (a township's report saved by WPS or LibreOffice) was one
    # name among the skipped files in a note, and its numbers were silently not counted.
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / f"白沙镇_2016-03{suffix}").write_bytes(b"PK\x03\x04 whatever is inside")
    (folder / "工作总结.docx").write_bytes(b"PK\x03\x04")
    for given in ([folder], [folder / f"白沙镇_2016-03{suffix}"]):
        result = read_paths(given, context(), jobs=1)
        assert [(Path(r.file).name, [(f.code, f.severity) for f in r.findings]) for r in result.files] == [
            (f"白沙镇_2016-03{suffix}", [("FILE_FORMAT_UNSUPPORTED", ERROR)])]
        assert result.files[0].findings[0].message.startswith(f"这是{OTHER_SPREADSHEETS[suffix.lower()]}文件（{suffix.lower()}）")
    listed = read_paths([folder], context(), jobs=1)
    assert [(f.code, f.values["files"]) for f in listed.findings if f.severity == INFO] == [
        ("FILES_SKIPPED", [str(folder / "工作总结.docx")])]


def tab_text(rows: list[list]) -> str:
    return "".join("\t".join(str(v) for v in row) + "\r\n" for row in rows)


@pytest.mark.parametrize("encoding", ["utf-16", "gbk"])
def test_a_tab_delimited_text_export_is_read_as_a_table(tmp_path, encoding):
    # Regression: Excel's Unicode 文本 and 文本文件(制表符分隔) exports (.txt) were skipped
    # files, their numbers counted nowhere.
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "城区_2016-03.txt").write_bytes(tab_text(table_rows()).encode(encoding))
    (folder / "说明.txt").write_text("本文件夹为2016年3月各镇报表。\n联系人：赵敏\t13812345678\n", encoding="utf-8")
    result = read_paths([folder], context(period="2016-03"), jobs=1)
    assert [Path(r.file).name for r in result.files] == ["城区_2016-03.txt"]
    assert month_values(result) == BOTH
    assert [(f.code, f.values["files"]) for f in result.findings] == [("FILES_SKIPPED", [str(folder / "说明.txt")])]
    assert result.findings[0].message == (f"跳过了1个不是报表格式的文件（如 {folder / '说明.txt'}）；"
                                          "只读取 .xlsx、.xlsm、.xls、.csv、.txt（制表符分隔）")


def test_a_txt_given_by_name_is_read_whatever_it_holds(tmp_path):
    path = tmp_path / "说明.txt"
    path.write_text("本文件夹为2016年3月各镇报表。\n", encoding="utf-8")
    result = read_paths([path], context(), jobs=1)
    assert [(f.code, f.file) for f in result.all_findings()] == [("LAYOUT_UNKNOWN", str(path))]


def test_aggregates_own_csv_read_as_input_is_named_for_what_it_is(tmp_path):
    # Regression (trial): read back as a form, its 单位 column was "the unit 青溪县" of each row.
    path = write_csv(tmp_path / "汇总.csv", [["单位", "报告期", "指标名称", "计量单位", "数值", "指标编号"],
                                           ["青溪县", "2016-03", "专题宣讲", "场", 2, "lectures"]])
    result = read(path)
    assert [(f.code, f.cell) for f in result.findings] == [("LAYOUT_UNKNOWN", None)]
    assert result.findings[0].message == (
        "没有找到可识别的报表：这是汇总结果的明细（每行一个单位的一个指标，如 fulian-stats aggregate 写出的 .csv），"
        "不是报表，未读取；汇总结果请用 aggregate 写出的 .xlsx 汇总表作为上一级的输入")


def test_a_missing_path_is_refused_before_any_file_is_listed(tmp_path):
    from fulian_stats.errors import UsageError
    from fulian_stats.read.files import stream_files

    (tmp_path / "1.csv").write_text("x")
    with pytest.raises(UsageError, match="找不到文件或文件夹：无此文件夹"):
        stream_files([tmp_path, "无此文件夹"])


def test_collection_is_paused_while_a_run_is_read_and_restored_after(tmp_path):
    import gc

    from fulian_stats.read import paused_gc

    (tmp_path / "a.csv").write_text("x")
    states = []  # in this process, as each file's result arrives (the file is read in a worker)
    read_paths([tmp_path], context(), jobs=1, progress=lambda done, total: states.append(gc.isenabled()))
    assert states == [False] and gc.isenabled()
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()  # the inner one leaves it to the outer
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), paused_gc():
        1 / 0
    assert gc.isenabled()


def test_reading_findings_of_a_table_are_born_with_the_org_of_their_row(tmp_path):
    rows = [table_header(), ["大宁镇", 45, 20.5, 1989, 3, 1520], ["白沙镇", 10, 1.25, "不详", 1, 100]]
    result = read(write_csv(tmp_path / "城区_2016-03.csv", rows))
    invalid = only(result, "NUMBER_INVALID")
    assert (invalid.cell, invalid.org, invalid.period) == ("D3", "白沙镇", "2016-03")


def test_a_workbook_named_csv_is_read_by_what_its_bytes_are(tmp_path):
    # Regression: an .xlsx saved as .csv was reported as text no encoding could decode.
    xlsx = write_xlsx(tmp_path / "a" / "大宁镇_2016-03.xlsx", form_rows())
    csv = tmp_path / "大宁镇_2016-03.csv"
    csv.write_bytes(xlsx.read_bytes())
    assert month_values(read(csv)) == month_values(read(xlsx)) == EXPECTED


@pytest.mark.parametrize("head, what", [
    ('<html><head><meta charset="utf-8"></head><body><table><tr><td>1</td></tr></table></body></html>', "网页（HTML）文件"),
    ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
     "“XML表格2003”文件"),
])
def test_a_web_page_or_xml_saved_as_xls_says_what_it_is(tmp_path, head, what):
    # Regression: a web system's export (.xls holding HTML) was only 「既不是xlsx也不是xls格式」.
    path = tmp_path / "龙潭乡_2017-03.xls"
    path.write_text(head, encoding="utf-8")
    assert [(f.code, f.message) for f in read(path).findings] == [
        ("FILE_UNREADABLE", f"这是{what}，扩展名却是.xls（网上系统导出的报表常是这样），无法读取；"
                            "请在Excel或WPS中打开，另存为 .xlsx 后重新报送")]


def test_rows_of_months_a_file_named_for_another_month_does_not_hold_are_an_error(tmp_path):
    # Regression: 大宁镇_2016-03.xlsx holding January and February rows was read silently.
    path = write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", [["乡镇", "月份", "参训妇女（人）"], ["大宁镇", "2016年1月", 10],
                                                        ["大宁镇", "2016年2月", 20]])
    result = read(path)
    assert [(f.code, f.severity, f.cell, f.values) for f in result.findings] == [
        ("PERIOD_CONFLICT", "error", "C2", {"contents": "2016-03", "rows": ["2016-01", "2016-02"]})]
    assert result.findings[0].message == ("表中各行的月份（2016年1月、2016年2月）不在本表的报告期2016年3月（表内报告期或文件名）之内；"
                                          "请核对月份列或文件名")
    named_for_the_year = write_xlsx(tmp_path / "大宁镇_2016.xlsx", [["乡镇", "月份", "参训妇女（人）"], ["大宁镇", "2016年1月", 10]])
    assert read(named_for_the_year).findings == []


def test_a_month_column_of_months_alone_takes_the_year_of_the_sheet(tmp_path):
    # Regression: 月份 written 1月, 2月 under a title giving 2016 was PERIOD_MISSING on every row.
    path = write_xlsx(tmp_path / "清单.xlsx", [["青溪县2016年各乡镇月报"], ["乡镇", "月份", "参训妇女（人）"],
                                              ["大宁镇", "1月", 10], ["大宁镇", "二月", 20]])
    result = read(path)
    assert result.findings == []
    assert sorted((o[1], o[3]) for o in observations(result)) == [("2016-01", 10.0), ("2016-02", 20.0)]


def test_where_the_seal_goes_is_no_org(tmp_path):
    # Regression: 填报单位：（盖章） made an org named (盖章) with its own column of totals.
    rows = form_rows()
    rows[1] = ["填报单位：（盖章）", None, None, "报告期：2016年3月"]
    result = read(write_xlsx(tmp_path / "月报.xlsx", rows))
    assert [f.code for f in result.findings] == ["ORG_MISSING"] and observations(result) == []


def test_a_tables_rows_below_its_footer_are_an_error_not_lost(tmp_path):
    # Regression: township rows added below 填表人 in a 清单式 sheet disappeared.
    path = write_csv(tmp_path / "清单_2016-03.csv", [["单位名称", "参训妇女（人）"], ["大宁镇", 12], ["填表人：李红梅", ""],
                                                     ["联系电话：", 13812345678], ["白沙镇", 7]])
    result = read(path)
    assert [(f.code, f.cell, f.values["cells"]) for f in result.findings] == [("DATA_AFTER_FOOTER", "B5", ["B5"])]
    assert observations(result) == [("大宁镇", "2016-03", "trainees", 12.0, None, "B2", "month")]


def test_numbers_in_a_note_or_last_year_column_are_named_and_contacts_are_not(tmp_path):
    # Regression: a 30 written in 备注 (or a whole 上年同期 column) was dropped without a word.
    header = [*FORM_HEADER, "上年同期", "备注", "联系电话"]
    body = [row + [None, None, None] for row in figure_rows()]
    body[0][5:8] = [40, "另有线上培训30人", "13800000000"]
    body[1][5:8] = [None, "无", None]
    body[2][5:8] = [3, 12, None]
    result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(header=header, body=body)))
    assert [(f.code, f.cell, f.severity, f.message) for f in findings(result)] == [
        ("COLUMN_NOT_READ", "F4", "info", "列F（表头“上年同期”）不是本期数，其中的2个数值（F4、F6）未读取"),
        ("COLUMN_NOT_READ", "G4", "info", "列G（表头“备注”）是说明栏，其中2个单元格写有数字（G4、G6），未读取；"
                                          "如是本期数据，请填入表中对应的栏目")]
    assert len(result.observations) == 2 * len(FIGURES)


def test_a_number_in_the_unit_column_is_named_not_taken_for_no_unit(tmp_path):
    # Regression: 150 typed in 计量单位 left the catalog's unit and the row read as not reported.
    body = figure_rows()
    body[2][2:4] = [150, None]  # 提供就业岗位: the figure one cell to the left
    result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(body=body)))
    assert [(f.code, f.cell, f.message) for f in findings(result)] == [
        ("UNIT_UNKNOWN", "C6", "“提供就业岗位”的计量单位是“150”，指标目录要求“个”，两者无法换算；请改为目录中的单位")]
    assert "jobs_offered" not in {o[2] for o in result.observations}


@pytest.mark.parametrize("written, bracketed", [("元", "万元"), ("万元", "元")])
def test_a_unit_cell_that_disagrees_with_the_name_s_unit_is_refused(tmp_path, written, bracketed):
    # Regression: 创业担保贷款金额（万元） with 元 in 计量单位 and 30000 was read as 3 万元.
    body = figure_rows()
    body[1][1:4] = [f"创业担保贷款金额（{bracketed}）", written, 30000]
    result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(body=body)))
    assert [(f.code, f.cell, f.message) for f in findings(result)] == [
        ("UNIT_UNKNOWN", "C5", f"“创业担保贷款金额”的名称写明单位是“{bracketed}”，计量单位栏却写“{written}”，"
                               "不知数值按哪个单位填写；请改正其中一处")]
    assert "loan_amount" not in {o[2] for o in result.observations}


def test_a_formula_error_in_a_value_cell_is_named_not_read_as_blank(tmp_path):
    # Regression: calamine reads #DIV/0! as "": the indicator looked not reported, the total short.
    body = figure_rows()
    body[2][3] = "#DIV/0!"  # openpyxl saves an error text as an error cell (t="e")
    body[3][3] = "#REF!"
    body.append([6, "信访案件处理率", "%", "#DIV/0!", None])  # =已处理/接待 over no case: rightly, and no finding
    path = write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(body=body))
    assert b't="e"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    result = read(path)
    assert [(f.code, f.cell, f.message) for f in findings(result)] == [
        ("NUMBER_INVALID", "D6", "“提供就业岗位”的公式出错（#DIV/0!），没有算出数值；请改正公式，或直接填数"),
        ("NUMBER_INVALID", "D7", "“接待信访案件”的公式出错（#REF!），没有算出数值；请改正公式，或直接填数")]


@pytest.mark.parametrize("label", ["全县总计", "本月合计", "共计"])
def test_more_spellings_of_a_table_s_total_row_total_and_are_not_an_org(tmp_path, label):
    # Regression: 全县总计 was summed in as a township, doubling the county's total.
    rows = table_rows()
    rows[3][0] = label
    result = read(write_xlsx(tmp_path / "t_2016-03.xlsx", rows))
    assert found(result) == []
    assert {o[0] for o in result.observations if o[6] == "month"} == {"大宁镇", "白沙镇"}
    assert {o[0] for o in result.observations if o[6] == "total"} == {None}


@pytest.mark.parametrize("label", ["平均数", "累计", "上年同期", "其中：街道"])
def test_a_table_row_that_is_no_org_is_named_not_summed(tmp_path, label):
    # Regression: 平均, 上年同期 and 其中：街道 rows were read as townships without a registry.
    rows = table_rows(total=False) + [[label, *[1] * len(FIGURES)]]
    result = read(write_xlsx(tmp_path / "t_2016-03.xlsx", rows))
    assert [(f.code, f.cell, f.severity, f.message) for f in findings(result)] == [
        ("ROW_NOT_READ", "A4", "info", f"第4行“{label}”不是单位，其中的数值（B4、C4、D4、E4、F4）未计入")]
    assert {o[0] for o in result.observations} == {"大宁镇", "白沙镇"}


def test_a_total_written_in_the_number_column_is_the_table_s_total(tmp_path):
    # Regression: 合计 in 序号 (or merged across 序号 and 单位) was ORG_MISSING, the file refused.
    rows = [["序号", *table_header()], *[[i, *row] for i, row in enumerate(table_rows()[1:3], 1)],
            ["合计", None, *[TOTALS[i] for i in IDS]]]
    result = read(write_xlsx(tmp_path / "t_2016-03.xlsx", rows))
    assert found(result) == []
    assert month_values(result) >= EXPECTED
    assert cells(result, "total", org=None)["trainees"] == "C4"


def test_a_row_of_bracketed_units_under_a_table_s_header_belongs_to_the_header(tmp_path):
    # Regression: a units row （人）（万元） under the header was a row without an org: ORG_MISSING.
    rows = table_rows()
    rows[0] = ["单位名称", *[name for _i, name, *_ in FIGURES]]
    rows.insert(1, [None, *[f"（{unit}）" for *_, unit, _m, _y in FIGURES]])
    result = read(write_xlsx(tmp_path / "t_2016-03.xlsx", rows))
    assert found(result) == []
    assert cells(result)["trainees"] == "B3"


def test_a_hidden_sheet_with_a_form_is_read_and_named(tmp_path):
    # Regression: a leftover hidden February sheet in a March workbook was summed in without a word.
    book = openpyxl.Workbook()
    for sheet, period in ((book.active, "2016年3月"), (book.create_sheet("Sheet1"), "2016年2月")):
        for row in form_rows(period=period):
            sheet.append(row)
    book["Sheet1"].sheet_state = "hidden"
    book.active.title = "3月"
    book.save(tmp_path / "大宁镇.xlsx")
    result = read(tmp_path / "大宁镇.xlsx")
    assert [(f.code, f.severity, f.sheet, f.period, f.message) for f in findings(result)] == [
        ("SHEET_HIDDEN", "warning", "Sheet1", "2016-02",
         "工作表“Sheet1”是隐藏的，其中的数值也已读取（2016年2月）；如是旧表或草稿，请删去；如是报表，请取消隐藏")]
    assert {o[1] for o in result.observations} == {"2016-02", "2016-03"}


@pytest.mark.parametrize("name", ["大宁镇3月报表.xlsx", "大宁镇三月份.xlsx"])
def test_a_month_in_the_file_name_without_a_year_is_checked_against_the_sheet(tmp_path, name):
    # Regression: 大宁镇3月报表.xlsx still saying 报告期：2016年2月 was counted as February without a word.
    result = read(write_xlsx(tmp_path / name, form_rows(period="2016年2月")))
    # a warning: a month in a file name may be decoration (五月村 is excluded, 4月3日报送 too)
    assert [(f.code, f.severity) for f in findings(result)] == [("PERIOD_CONFLICT", "warning")]
    assert {o[1] for o in result.observations} == {"2016-02"}
    assert month_values(read(write_xlsx(tmp_path / "3月" / name, form_rows(period="2016年3月")))) == EXPECTED
    assert findings(read(write_xlsx(tmp_path / "大宁镇月报4月3日报送.xlsx", form_rows(period="2016年3月")))) == []


def test_a_sub_item_with_no_indicator_above_it_says_so_plainly(tmp_path):
    # Regression: the message ran two clauses together (但上方没有它所属的指标在指标目录中没有这一分项).
    body = [[1, "其中：贫困妇女", "人", 12, 30], *figure_rows()]
    result = read(write_xlsx(tmp_path / "大宁镇_2016-03.xlsx", form_rows(body=body)))
    assert [(f.code, f.cell, f.message) for f in findings(result)] == [
        ("INDICATOR_UNKNOWN", "B4", "“其中：贫困妇女”是其中项，但上方没有它所属的指标，而本行填有数值（D4、E4）；"
                                    "请核对它所属的指标，或在指标目录中补充（parent 列）")]
