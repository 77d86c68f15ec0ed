"""Tests for fulian_stats.output.workbook: the summary workbook's sheets, layout, formats,
region and print setup, text never written as a formula, the workbook read back as an
input for the level above giving exactly the totals it was made from, and the sample
data's workbook printed by LibreOffice (when it is installed). Its charts:
test_output_charts.py."""

from __future__ import annotations

import errno
import zipfile
from pathlib import Path

import openpyxl
import pytest

from agg_helpers import CATALOG, ORGS_CSV, QINGXI, SHIMEN, frame, totals, write_set
from check_helpers import fulian
from fulian_stats.aggregate import aggregate, aggregate_paths
from fulian_stats.catalog import load_rules
from fulian_stats.errors import MachineError
from fulian_stats.orgs import parse_orgs
from fulian_stats.periods import parse_period
from fulian_stats.read import ReadContext, read_paths
from fulian_stats.output.workbook import period_text, write_workbook
from pdf_helpers import needs_soffice, page_count, sheet_pages, to_pdf

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules(CATALOG)
ORGS = parse_orgs(ORGS_CSV, "orgs.csv")
Q1 = parse_period("2016-Q1")
N_OBSERVATIONS = sum(len(values) for values in QINGXI.values())


def run(paths, period="2016-Q1", by="org", orgs=None, level=None, region=None):
    """The hand-built files aggregated, past 龙潭乡's missing March (see test_aggregate.run)."""
    period = parse_period(period) if period else None
    done = aggregate_paths(paths, CATALOG, RULES, orgs, period, by, level, region, skip_invalid=True)
    assert done.check.failed_files() == []
    assert [(f.code, f.org) for f in done.blocking] in ([], [("MISSING_SUBMISSION", "龙潭乡")])
    return done.result


@pytest.fixture(scope="module")
def summary(qingxi, tmp_path_factory):
    """青溪县's 2016-Q1 workbook and the result it was written from."""
    result = run([qingxi], orgs=ORGS, region="青溪县")
    path = tmp_path_factory.mktemp("out") / "青溪县_2016-Q1.xlsx"
    write_workbook(path, result, CATALOG)
    return path, result


def indicator_rows(ws) -> dict[str, int]:
    rows, parent = {}, None  # a `其中：…` row is part of the indicator above it
    for r in range(4, ws.max_row + 1):
        name = ws.cell(r, 2).value
        found = CATALOG.lookup_row(name, parent)[0] if isinstance(name, str) else None
        if found:
            rows[found] = r
            parent = found if CATALOG[found].parent is None else parent
    return rows


# -- structure ------------------------------------------------------------------------------

def test_sheets_and_summary_header(summary):
    path, _result = summary
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总表", "报送情况", "分月", "明细", "图表"]
    ws = book["汇总表"]
    assert ws["A1"].value == "青溪县妇联工作统计汇总表"
    assert ws["A2"].value == "填报单位：青溪县"
    assert ws["D2"].value == "报告期：2016年第一季度"
    assert [c.value for c in ws[3]] == ["序号", "指标名称", "计量单位", "合计", "大宁镇", "白沙镇", "龙潭乡"]
    assert ws.freeze_panes == "D4"
    assert book["分月"].freeze_panes == "C3"
    assert book["明细"].freeze_panes == "A2"
    assert "A1:G1" in {str(m) for m in ws.merged_cells.ranges}


def column_widths(ws) -> list[float]:
    """Each column's width as set (xlsxwriter stores 0.71 more, the cell's padding; one
    <col> element may cover several columns)."""
    widths = {}
    for dim in ws.column_dimensions.values():
        for col in range(dim.min, dim.max + 1):
            widths[col] = round(dim.width - 0.7109375, 2)
    return [widths[c] for c in sorted(widths)]


SECTION_OPENINGS = {f"{n}、" for n in "一二三四五六七八九十"}


def test_coverage_sheet_has_each_orgs_months(summary):
    ws = openpyxl.load_workbook(summary[0])["报送情况"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=3)] == [
        ["单位", "1月", "2月", "3月"], ["大宁镇", "已报", "已报", "已报"], ["白沙镇", "已报", "已报", "已报"],
        ["龙潭乡", "已报", "已报", "未报"]]
    assert ws["A1"].value == "报送情况（2016年第一季度）"
    assert ws["C6"].fill.fgColor.rgb == "FFE2EFDA" and ws["D6"].fill.fgColor.rgb == "FFF8CBAD"
    # The level above reads the workbook with a word about this sheet only for its gap.
    assert [f.code for f in read_paths([summary[0]], ReadContext(CATALOG, ORGS)).all_findings()] == [
        "SUMMARY_INCOMPLETE"]


def test_a_file_left_out_is_named_on_the_sheet_and_in_the_note(tmp_path):
    """With --skip-invalid the workbook said “12个单位” and did not name the file it left out."""
    write_set(tmp_path / "in", QINGXI)
    bad = tmp_path / "in" / "白沙镇_2016-02.xlsx"
    bad.write_bytes(bad.read_bytes()[:600])  # truncated: its name still says whose month it is
    result = aggregate_paths([tmp_path / "in"], CATALOG, RULES, ORGS, Q1, "org", None, "青溪县", True).result
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    ws = book["报送情况"]
    assert [c.value for c in ws[5]] == ["白沙镇", "已报", "有误", "已报"]
    assert ws["C5"].comment.text == f"有错误，未计入汇总：{bad}"
    assert [ws.cell(r, 1).value for r in (8, 9)] == ["以下1个文件有错误，未计入汇总：", str(bad)]
    note = [c.value for row in book["汇总表"].iter_rows() for c in row if str(c.value).startswith("注：")]
    assert note == ["注：存量指标取报告期内最后一个月的数，比率由汇总后的分子、分母计算。共汇总7个文件，3个单位中1个报送了"
                    "全部月份；未报送：龙潭乡 3月；报表有误、未计入：白沙镇 2月（详见“报送情况”表）。有错误、未计入汇总的文件："
                    f"{bad}。"]


def test_without_the_registry_the_sheet_does_not_call_anything_missing(tmp_path):
    result = aggregate(frame([("甲镇", "2016-01", "trainees", 3), ("乙镇", "2016-03", "trainees", 1)]), CATALOG, Q1)
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    ws = book["报送情况"]
    assert ws["A2"].value == "未同时给出单位名册和报告期，不知哪些单位应报送：空白处没有数据，不一定是未报。"
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=4)] == [["乙镇", None, None, "已报"],
                                                                           ["甲镇", "已报", None, None]]
    note = [c.value for row in book["汇总表"].iter_rows() for c in row if str(c.value).startswith("注：")][0]
    assert note.endswith("共汇总2个文件，2个单位报送了数据（未同时给出单位名册和报告期，不知哪些单位应报送）。")


def test_section_rows_group_the_indicators_in_catalog_order(summary):
    path, _result = summary
    ws = openpyxl.load_workbook(path)["汇总表"]
    sections = [(r, ws.cell(r, 1).value) for r in range(4, ws.max_row + 1)
                if isinstance(ws.cell(r, 1).value, str) and ws.cell(r, 1).value[:2] in SECTION_OPENINGS]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert [text for _r, text in sections] == [f"{n}、{s}" for n, s in zip("一二三四五六七", CATALOG.sections)]
    assert sections[0][0] == 4
    rows = indicator_rows(ws)
    assert list(rows) == [ind.id for ind in CATALOG]  # every indicator, in catalog order
    note = next(r for r in range(4, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("注："))
    assert ws.cell(note, 1).value == ("注：存量指标取报告期内最后一个月的数，比率由汇总后的分子、分母计算。共汇总8个文件，"
                                      "3个单位中2个报送了全部月份；未报送：龙潭乡 3月（详见“报送情况”表）。")
    for (start, section), (end, _next) in zip(sections, sections[1:] + [(note, None)]):
        inside = [i for i, r in rows.items() if start < r < end]
        assert inside == [ind.id for ind in CATALOG.in_section(section.split("、", 1)[1])]
        assert [ws.cell(rows[i], 1).value for i in inside] == list(range(1, len(inside) + 1))
        assert f"A{start}:G{start}" in merged


def test_total_and_org_columns_hold_the_aggregates(summary):
    path, result = summary
    ws = openpyxl.load_workbook(path)["汇总表"]
    rows = indicator_rows(ws)

    def line(ind):
        return [ws.cell(rows[ind], c).value for c in range(3, 8)]

    assert line("trainees") == ["人", 89, 60, 12, 17]
    assert line("loan_amount") == ["万元", 20.94, 12.64, 2.75, 5.55]
    assert line("poor_villages") == ["个", 13, 4, 3, 6]
    assert line("children_homes_total") == ["所", 17, 9, 5, 3]
    assert line("children_home_coverage") == ["%", 9 / 13 * 100, 100, 2 / 3 * 100, 50]
    assert line("petition_handling_rate") == ["%", 11 / 15 * 100, 5 / 6 * 100, 4 / 6 * 100, 2 / 3 * 100]
    assert line("wechat_posts") == ["条", None, None, None, None]  # nothing reported: blank, not 0
    # the 合计 column is what the JSON says
    for ind, r in rows.items():
        assert ws.cell(r, 4).value == result.value(ind), ind


def test_number_formats(summary):
    path, _result = summary
    book = openpyxl.load_workbook(path)
    ws = book["汇总表"]
    rows = indicator_rows(ws)
    assert ws.cell(rows["trainees"], 4).number_format == "#,##0"
    assert ws.cell(rows["loan_amount"], 5).number_format == "#,##0.00"
    assert ws.cell(rows["children_home_coverage"], 4).number_format == "0.0"
    details = book["明细"]
    formats = {details.cell(r, 9).value: details.cell(r, 5).number_format for r in range(2, details.max_row + 1)}
    assert formats["loan_amount"] == "#,##0.00" and formats["trainees"] == "#,##0"


def test_months_sheet_has_a_row_an_indicator_and_a_column_a_month(summary):
    """As 汇总表 has a column an org: one page wide, not 15 pages of five-column strips."""
    ws = openpyxl.load_workbook(summary[0])["分月"]
    assert ws["A1"].value == "分月情况（2016年第一季度）"
    assert [c.value for c in ws[2]] == ["指标名称", "计量单位", "1月", "2月", "3月"]
    lines = {row[0]: row[1:] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert lines["参训妇女"] == ("人", 23, 29, 37)
    assert lines["贫困村"] == ("个", 14, 14, 7)
    assert lines["创业担保贷款金额"] == ("万元", 0.8, 5.75, 14.39)
    assert ws.cell(3, 3).number_format == "#,##0"


def test_months_across_years_name_the_year(tmp_path):
    result = aggregate(frame([("甲镇", "2015-12", "trainees", 3), ("甲镇", "2016-01", "trainees", 4)]), CATALOG,
                       parse_period("2015-12..2016-01"))
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["分月"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [
        ["指标名称", "计量单位", "2015年12月", "2016年1月"], ["参训妇女", "人", 3, 4]]


def test_details_list_every_observation_with_its_source(summary):
    path, result = summary
    ws = openpyxl.load_workbook(path)["明细"]
    assert [c.value for c in ws[1]] == ["单位", "报告期", "指标名称", "计量单位", "数值", "文件", "工作表", "单元格",
                                        "指标编号"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == N_OBSERVATIONS == len(result.observations)
    assert ws.auto_filter.ref == f"A1:I{N_OBSERVATIONS + 1}"
    sources = {}
    for org, period, name, unit, value, file, sheet, cell, ind in rows:
        assert (name, unit) == (CATALOG[ind].label, CATALOG[ind].unit)
        assert sheet == "月报" and cell
        assert Path(file).name == f"{org}_{period}.xlsx"
        sources.setdefault(file, []).append((cell, value))
        month = int(period[5:])
        assert QINGXI[(org, month)][ind] == value
    # the cell named holds the number in the township's own file
    for file, cells in sources.items():
        source = openpyxl.load_workbook(file)["月报"]
        for cell, value in cells:
            assert source[cell].value == value


def test_detail_columns_fit_their_longest_value(tmp_path):
    """`housekeeping_participants_poo` was cut off by a fixed width: each column is as wide as
    its longest value or header (a Chinese character counts two), with a margin, at most 50."""
    long_file = "报表/" + "很长的文件夹名称" * 4 + "/城东街道_2016-01.xlsx"
    result = aggregate(frame([("城东街道", "2016-01", "housekeeping_participants_poor", 1234567, long_file),
                              ("甲镇", "2016-02", "trainees", 3)]), CATALOG, Q1)
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["明细"]
    widths = column_widths(ws)[:9]
    # 城东街道 8; 2016-01 7; 家政培训参与群众中的贫困妇女 28; 计量单位 8; 1,234,567.00 12; the file 50 at most;
    # 工作表 6; 单元格 6; housekeeping_participants_poor 30: each and 2
    assert widths == [10, 9, 30, 10, 14, 50, 8, 8, 32]
    assert ws["I2"].value == "housekeeping_participants_poor"


def test_every_sheet_prints_on_a4_one_page_wide_with_the_region_and_period(summary):
    """A4, landscape where the sheet is wider than tall, one page wide and as many down as
    needed, the header rows on every page, the region, sheet and period in the page header,
    the page numbers in the footer."""
    book = openpyxl.load_workbook(summary[0])
    setups = {ws.title: (ws.page_setup.orientation, ws.print_title_rows) for ws in book}
    assert setups == {"汇总表": ("portrait", "$3:$3"),    # three townships: taller than wide
                      "报送情况": ("landscape", "$3:$3"),  # three orgs, three months
                      "分月": ("landscape", "$2:$2"), "明细": ("portrait", "$1:$1"), "图表": ("portrait", None)}
    for ws in book:
        assert ws.page_setup.paperSize == 9, ws.title
        # one page wide (fitToWidth's default, 1), as many pages down as needed
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1), ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        header = (ws.oddHeader.left.text, ws.oddHeader.center.text, ws.oddHeader.right.text)
        assert header == ("青溪县", "&A", "2016年第一季度"), ws.title
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", ws.title


def test_many_orgs_print_the_summary_landscape(tmp_path):
    rows = [(f"{n}号镇", "2016-01", "trainees", n) for n in range(1, 15)]
    result = aggregate(frame(rows), CATALOG, Q1, "org")
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book["汇总表"].page_setup.orientation == "landscape"
    assert book["报送情况"].page_setup.orientation == "portrait"  # 14 orgs by 3 months


def test_the_region_the_registry_infers_titles_the_workbook(qingxi, tmp_path):
    """Without --region the workbook said 合计 where the registry knows 青溪县; so do the
    rows (JSON and CSV)."""
    def unnamed(paths):  # no period: nobody expected (with it, 石门县's townships are: 云州市)
        return aggregate_paths(paths, CATALOG, RULES, ORGS, None, "org", skip_invalid=True).result

    result = unnamed([qingxi])
    assert (result.region, result.place, result.title) == ("青溪县", "青溪县", "青溪县2016年第一季度")
    assert result.value("trainees") == 89 and result.rows[0]["org"] == "青溪县"
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    ws = book["汇总表"]
    assert (ws["A1"].value, ws["A2"].value) == ("青溪县妇联工作统计汇总表", "填报单位：青溪县")
    assert [c.value for c in ws[3]][3] == "合计"
    assert book["图表"]["A1"].value == "青溪县2016年第一季度主要指标（人数最多的2项）"
    assert {ws.oddHeader.left.text for ws in book} == {"青溪县"}
    assert totals(unnamed([tmp_path / "out.xlsx"]).rows) == totals(result.rows)


def test_default_region_has_no_org_line(tmp_path):
    """Nothing says which region: no 填报单位, and the charts call the total 合计."""
    result = aggregate(frame([("甲镇", "2016-01", "trainees", 3)]), CATALOG, Q1)
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    ws = book["汇总表"]
    assert ws["A1"].value == "妇联工作统计汇总表"
    assert ws["A2"].value is None
    assert ws["D2"].value == "报告期：2016年第一季度"
    assert book["图表"]["A1"].value == "合计2016年第一季度主要指标（人数最多的1项）"
    assert (ws.oddHeader.left.text, ws.oddHeader.right.text) == (None, "2016年第一季度")


def test_empty_result_still_writes_a_readable_workbook(tmp_path):
    result = aggregate(frame([("甲镇", "2017-01", "trainees", 3)]), CATALOG, Q1)  # nothing in Q1
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["汇总表"]
    assert [c.value for c in ws[3]] == ["序号", "指标名称", "计量单位", "合计"]


# -- printed ------------------------------------------------------------------------------------

@needs_soffice
def test_the_sample_datas_first_quarter_prints_one_page_wide_on_24_pages(tmp_path, soffice_profile):
    """Printed on A4, a year's 分月 came out as 15 portrait pages of five-column strips and 明细 as
    166 pages, none with a page number. Now each sheet is one page wide and longer sheets go on
    downwards, their header rows repeated: for the first quarter (the page setup is the year's;
    a year takes LibreOffice three times as long) 汇总表 two pages, 报送情况 one, 分月 two, 明细's
    rows 17 (about 120 a page) and 图表 one a unit (人, 人次)."""
    out = tmp_path / "汇总.xlsx"
    assert fulian("aggregate", "sample_data", "--orgs", "sample_data/orgs.csv", "--period", "2017-Q1", "-o", out,
                  "-q", cwd=ROOT).returncode == 0
    pdf = to_pdf(out, soffice_profile)
    assert page_count(pdf) == 24
    pages = sheet_pages(pdf, ["汇总表", "报送情况", "分月", "明细", "图表"])
    if pages is not None:  # pdftotext is there to read the page headers
        assert pages == {"汇总表": 2, "报送情况": 1, "分月": 2, "明细": 17, "图表": 2}


# -- text stays text ---------------------------------------------------------------------------

HOSTILE = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\")"]


def test_submission_text_is_written_as_text_never_a_formula(tmp_path):
    data = frame([(org, "2016-01", "trainees", i + 1, f"{org}.xlsx") for i, org in enumerate(HOSTILE)])
    data["sheet"] = "=SUM(1)"
    data["cell"] = "D4"
    result = aggregate(data, CATALOG, Q1, "org")
    write_workbook(tmp_path / "out.xlsx", result, CATALOG)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    header = book["汇总表"][3]
    assert sorted(c.value for c in header[4:]) == sorted(HOSTILE)
    assert all(c.data_type == "s" for c in header)
    details = book["明细"]
    for row in details.iter_rows(min_row=2):
        assert row[0].value in HOSTILE and row[0].data_type == "s"
        assert row[5].value == f"{row[0].value}.xlsx" and row[5].data_type == "s"
        assert row[6].value == "=SUM(1)" and row[6].data_type == "s"
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode() for n in sheets)


# -- read back as the level above's input -----------------------------------------------------------

def test_the_workbook_reads_back_to_the_same_totals(summary):
    path, result = summary
    again = run([path], orgs=ORGS, region="青溪县")
    assert totals(again.rows) == totals(result.rows)
    assert again.orgs == result.orgs
    without_registry = run([path], region="青溪县")
    assert totals(without_registry.rows) == totals(result.rows)


def test_coverage_gap_survives_a_summary_read_back(summary, tmp_path):
    """Regression: 龙潭乡's March, never sent, became complete once the workbook was
    read back (its 汇总表 has one Q1 number per org); the 报送情况 sheet says it is not."""
    path, result = summary
    assert result.coverage.missing_text == "龙潭乡 3月"
    for orgs in (ORGS, None):
        again = run([path], orgs=orgs, region="青溪县")
        assert again.coverage.missing_text == "龙潭乡 3月" and not again.coverage.complete
    read = read_paths([path], ReadContext(CATALOG, ORGS))
    assert read.files[0].gaps == [("龙潭乡", 2016 * 12 + 2, "未报")]
    assert [(f.code, f.sheet, f.cell, f.org) for f in read.all_findings()] == [
        ("SUMMARY_INCOMPLETE", "报送情况", "D6", "龙潭乡")]
    # written again from the read-back, the gap is still there for the level above that
    write_workbook(tmp_path / "again.xlsx", again, CATALOG)
    assert run([tmp_path / "again.xlsx"], orgs=ORGS, region="青溪县").coverage.missing_text == "龙潭乡 3月"


def test_the_workbook_reads_back_without_a_period_given(summary):
    path, result = summary
    again = run([path], period=None, orgs=ORGS, region="青溪县")
    assert again.period == Q1
    assert totals(again.rows) == totals(result.rows)


def test_groups_written_and_read_back_equal_everything(tmp_path):
    """Townships split into two groups that are not counties: each group's workbook, read
    back together, gives every total of aggregating all the files (a fixed example of the
    frame-level property in test_aggregate)."""
    write_set(tmp_path / "all", {**QINGXI, **SHIMEN})
    groups = {"g1": {"大宁镇", "石门镇"}, "g2": {"白沙镇", "龙潭乡", "桃源乡"}}
    outputs = []
    for name, members in groups.items():
        files = [p for p in sorted((tmp_path / "all").iterdir()) if p.name.split("_")[0] in members]
        result = run(files)
        outputs.append(tmp_path / f"{name}.xlsx")
        write_workbook(outputs[-1], result, CATALOG)
    direct = run([tmp_path / "all"])
    combined = run(outputs)
    assert totals(combined.rows) == totals(direct.rows)
    assert direct.value("poor_villages") == 13 + 9
    by_county = run(outputs, orgs=ORGS, level=1)
    assert totals(by_county.rows) == totals(run([tmp_path / "all"], orgs=ORGS, level=1).rows)


def test_a_county_level_workbook_reads_back_at_the_city(tmp_path):
    write_set(tmp_path / "all", {**QINGXI, **SHIMEN})
    counties = run([tmp_path / "all"], orgs=ORGS, level=1, region="云州市")
    write_workbook(tmp_path / "云州市.xlsx", counties, CATALOG)
    ws = openpyxl.load_workbook(tmp_path / "云州市.xlsx")["汇总表"]
    assert [c.value for c in ws[3]][3:] == ["合计", "青溪县", "石门县"]
    again = run([tmp_path / "云州市.xlsx"], orgs=ORGS, level=1, region="云州市")
    assert totals(again.rows) == totals(counties.rows)
    # the county's column does not cover the township month the city's workbook lacks
    assert again.coverage.missing_text == counties.coverage.missing_text == "龙潭乡 3月"
    assert again.value("poor_villages", "石门县") == 9


def test_a_county_workbook_left_out_with_errors_keeps_its_townships_that_sent_nothing_missing(summary, tmp_path):
    """Regression: a county's workbook left out with its errors marked every township
    under it 有误, 龙潭乡's March too, which its 报送情况 says nobody sent."""
    path, _result = summary
    edited = tmp_path / "青溪县_2016-Q1.xlsx"
    book = openpyxl.load_workbook(path)
    ws = book["汇总表"]
    row = indicator_rows(ws)["trainees"]
    ws.cell(row, 5).value += 7  # 大宁镇's 参训妇女: the 合计 no longer adds up
    book.save(edited)
    write_set(tmp_path / "石门县", SHIMEN)
    done = aggregate_paths([edited, tmp_path / "石门县"], CATALOG, RULES, ORGS, Q1, "org", 1, "云州市", skip_invalid=True)
    assert done.check.failed_files() == [str(edited)]
    assert [f.code for f in done.blocking] == ["TOTAL_MISMATCH"]
    coverage = done.result.coverage
    assert coverage.missing_text == "龙潭乡 3月"
    assert coverage.invalid_text == "大宁镇 1-3月；白沙镇 1-3月；龙潭乡 1-2月"


@pytest.mark.parametrize("code", ["2016-01..2016-05", "2015-11..2016-02", "2016-H2", "2016-07"])
def test_every_kind_of_period_reads_back_as_itself(tmp_path, code):
    period = parse_period(code)
    months = [p.code for p in period.months()]
    rows = [(org, m, "trainees", 1 + i) for i, m in enumerate(months) for org in ("甲镇", "乙镇")]
    rows += [(org, m, "poor_villages", 10 + i) for i, m in enumerate(months) for org in ("甲镇", "乙镇")]
    result = aggregate(frame(rows), CATALOG, period, "org")
    path = tmp_path / "out.xlsx"
    write_workbook(path, result, CATALOG)
    assert openpyxl.load_workbook(path)["汇总表"]["D2"].value == f"报告期：{period_text(period)}"
    for given in (code, None):
        again = run([path], period=given)
        assert again.period == period
        assert totals(again.rows) == totals(result.rows)


def test_period_text_reads_back():
    from fulian_stats.periods import find_period

    for code in ["2016", "2016-Q3", "2016-H1", "2016-03", "2016-01..2016-06", "2016-02..2016-04",
                 "2015-11..2016-02"]:
        period = parse_period(code)
        assert find_period(period_text(period)) == period
    assert period_text(parse_period("2016-Q1")) == "2016年第一季度"


def test_writing_never_leaves_a_temporary_file(tmp_path, monkeypatch):
    import tempfile

    import xlsxwriter

    system_temp = tmp_path / "system-temp"  # where xlsxwriter's row files would go
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    result = aggregate(frame([("甲镇", "2016-01", "trainees", 3)]), CATALOG, Q1)
    target = tmp_path / "out" / "out.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"previous")

    real_close = xlsxwriter.Workbook.close

    def broken(self):
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:  # as xlsxwriter raises it
            raise xlsxwriter.exceptions.FileCreateError(exc) from None

    monkeypatch.setattr(xlsxwriter.Workbook, "close", broken)
    with pytest.raises(MachineError) as failed:
        write_workbook(target, result, CATALOG)
    assert (str(failed.value), failed.value.exit_code) == (f"无法写入输出文件 {target}：磁盘空间不足；原有文件未改动", 3)
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.xlsx"]
    assert list(system_temp.iterdir()) == []
    monkeypatch.setattr(xlsxwriter.Workbook, "close", real_close)
    write_workbook(target, result, CATALOG)
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.xlsx"]
    assert list(system_temp.iterdir()) == []
    assert openpyxl.load_workbook(target).sheetnames[0] == "汇总表"
