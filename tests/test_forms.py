"""Tests for fulian_stats.forms: blank workbooks that the reader reads back exactly."""

from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fulian_stats.catalog import load_catalog, load_rules
from fulian_stats.errors import UsageError
from fulian_stats.orgs import parse_orgs
from fulian_stats.periods import parse_period
from fulian_stats.read import ReadContext, read_paths
from pdf_helpers import needs_soffice, overlapping_lines, page_count, sheet_pages, to_pdf
from fulian_stats.forms import (
    cn_ordinal,
    filled_submissions,
    write_form_template,
    write_table_template,
    write_template,
    write_templates_for_orgs,
)

CATALOG = load_catalog()
RULES = load_rules(CATALOG)
ENTERED = [ind for ind in CATALOG if ind.kind != "rate"]
MARCH = parse_period("2016-03")
ORGS_CSV = """name,parent,aliases
青溪县,,青溪县妇联
大宁镇,青溪县,大宁
白沙镇,青溪县,白沙
龙潭乡,青溪县,龙潭
"""
ORGS = parse_orgs(ORGS_CSV, "orgs.csv")


def read(path, orgs=None, period=None):
    return read_paths([path], ReadContext(CATALOG, orgs, period))


def indicator_rows(ws) -> dict[str, int]:
    """Indicator id → row of a form, found the way the reader finds them: by name."""
    header = next(r for r in range(1, 20) if ws.cell(r, 2).value == "指标名称")
    assert [ws.cell(header, c).value for c in range(1, 6)] == ["序号", "指标名称", "计量单位", "本月", "本年累计"]
    rows, parent = {}, None  # a `其中：…` row is part of the indicator above it
    for r in range(header + 1, ws.max_row + 1):
        name = ws.cell(r, 2).value
        found = CATALOG.lookup_row(name, parent)[0] if isinstance(name, str) else None
        if found:
            rows[found] = r
            parent = found if CATALOG[found].parent is None else parent
    return rows


def label_row(ws, label: str) -> int:
    return next(r for r in range(1, 10) if ws.cell(r, 1).value == label)


def sample_values(seed: int = 0) -> dict[str, float]:
    return {ind.id: (i * 7 + seed + 1 if ind.is_count else i + seed + 0.25) for i, ind in enumerate(ENTERED)}


def fill_form(path: Path, values: dict, ytd: dict, org: str | None = None, period: str | None = None) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["月报"]
    if org:
        ws.cell(label_row(ws, "填报单位："), 3, org)
    if period:
        ws.cell(label_row(ws, "报告期："), 3, period)
    for ind_id, r in indicator_rows(ws).items():
        if ind_id in values:
            ws.cell(r, 4, values[ind_id])
        if ind_id in ytd:
            ws.cell(r, 5, ytd[ind_id])
    wb.save(path)


def observed(result, measure: str) -> dict[str, float]:
    frame = result.frame()
    part = frame[frame.measure == measure]
    return dict(zip(part.indicator, part.value))


# ---------------------------------------------------------------- form: round trip


@pytest.mark.parametrize("prefilled", [False, True])
def test_filled_form_reads_back_exactly(tmp_path, prefilled):
    path = tmp_path / "月报.xlsx"
    if prefilled:
        write_form_template(path, CATALOG, RULES, org="大宁镇", period=MARCH, region="青溪县")
    else:
        write_form_template(path, CATALOG, RULES)
    values = sample_values()
    ytd = {ind.id: values[ind.id] * 3 for ind in ENTERED if ind.kind == "flow"}
    fill_form(path, values, ytd, *(() if prefilled else ("大宁镇妇联", "2016年3月")))

    result = read(path, ORGS if prefilled else None)

    assert result.all_findings() == []
    assert observed(result, "month") == values
    assert observed(result, "ytd") == ytd
    frame = result.frame()
    assert set(frame.org) == {"大宁镇"}
    assert set(frame.period) == {"2016-03"}
    assert set(frame.sheet) == {"月报"}


def test_form_rows_follow_catalog_sections_without_rates(tmp_path):
    path = write_form_template(tmp_path / "t.xlsx", CATALOG, RULES, region="青溪县")
    ws = openpyxl.load_workbook(path)["月报"]
    assert ws["A1"].value == "青溪县妇联工作统计月报表"
    assert "A1:E1" in {str(m) for m in ws.merged_cells.ranges}
    assert ws["A1"].font.bold and ws["A1"].alignment.horizontal == "center"
    assert (ws["A2"].value, ws["A3"].value) == ("填报单位：", "报告期：")
    rows = indicator_rows(ws)
    assert list(rows) == [ind.id for ind in ENTERED]  # catalog order, rates left out
    assert ws.cell(rows["wechat_posts"] - 1, 1).value == "一、思想引领"
    assert ws.cell(rows["job_fairs"] - 1, 1).value == "二、创业就业"
    assert ws.cell(rows["projects_new"] - 1, 1).value == "七、招商引资"
    assert [ws.cell(rows["loan_amount"], c).value for c in (2, 3)] == ["创业担保贷款金额", "万元"]
    footer = [ws.cell(r, c).value for r in range(ws.max_row - 1, ws.max_row + 1) for c in range(1, 6)]
    assert [v for v in footer if v] == ["填表人：", "审核人：", "填报日期："]
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$4:$4"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "portrait"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.oddHeader.left.text, ws.oddHeader.center.text, ws.oddHeader.right.text) == ("青溪县", "&A", None)
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_prefilled_form_header(tmp_path):
    path = write_form_template(tmp_path / "t.xlsx", CATALOG, RULES, org="大宁镇", period=MARCH)
    ws = openpyxl.load_workbook(path)["月报"]
    assert (ws["A2"].value, ws["A3"].value) == ("填报单位：大宁镇妇联", "报告期：2016年3月")
    assert ws["A1"].value == "妇联工作统计月报表"
    guide = openpyxl.load_workbook(path)["填报说明"]
    for sheet in (ws, guide):  # the printed pages say whose month they are
        assert (sheet.oddHeader.left.text, sheet.oddHeader.right.text) == ("大宁镇妇联", "2016年3月")


# ---------------------------------------------------------------- validation and protection


def validations(ws) -> dict[str, object]:
    found = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            for row in ws[cell_range.coord] if ":" in cell_range.coord else [[ws[cell_range.coord]]]:
                for cell in row:
                    found[cell.coordinate] = dv
    return found


def test_every_number_input_is_validated_and_everything_else_locked(tmp_path):
    path = write_form_template(tmp_path / "t.xlsx", CATALOG, RULES)
    wb = openpyxl.load_workbook(path)
    ws = wb["月报"]
    dvs = validations(ws)
    meta_inputs = {"C2", "D2", "E2", "C3", "D3", "E3"}  # org and period: merged C:E right of the labels
    inputs = set(meta_inputs)
    for ind_id, r in indicator_rows(ws).items():
        ind = CATALOG[ind_id]
        cols = ["D", "E"] if ind.kind == "flow" else ["D"]
        for col in cols:
            dv = dvs[f"{col}{r}"]
            assert dv.type == ("whole" if ind.is_count else "decimal"), (ind_id, col)
            assert (dv.operator, dv.formula1) == ("greaterThanOrEqual", "0")
            assert dv.showErrorMessage and dv.errorStyle == "stop" and dv.allow_blank
            assert dv.error.startswith("只能填写不小于0的")
            assert dv.promptTitle == ("请填写整数（" if ind.is_count else "请填写数字（") + ind.unit + "）"
            assert "空白=未统计" in dv.prompt and "0=没有发生" in dv.prompt
            inputs.add(f"{col}{r}")
        if ind.kind == "stock":  # greyed, locked, no validation: nothing to type there
            assert f"E{r}" not in dvs and ws[f"E{r}"].protection.locked
            assert ws[f"E{r}"].fill.fgColor.rgb.endswith("BFBFBF")
    footer = ws.max_row - 1
    inputs |= {f"C{footer}", f"E{footer}", f"C{footer + 1}"}
    assert ws[f"D{footer}"].value == "审核人："
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=5):
        for cell in row:
            assert cell.protection.locked == (cell.coordinate not in inputs), cell.coordinate
    footer_inputs = {f"C{footer}", f"E{footer}", f"C{footer + 1}"}
    assert {c for c in dvs if dvs[c].type in ("whole", "decimal")} == inputs - meta_inputs - footer_inputs
    assert dvs["C2"].promptTitle == "填报单位" and dvs["C3"].promptTitle == "报告期"
    for sheet in (ws, wb["填报说明"]):
        assert sheet.protection.sheet is True
        assert not sheet.protection.password
        assert sheet.protection.formatColumns is False and sheet.protection.formatRows is False
        assert sheet.protection.selectLockedCells is False and sheet.protection.selectUnlockedCells is False
    assert wb.sheetnames == ["月报", "填报说明"]


def test_whole_number_validation_for_counts_decimal_for_money(tmp_path):
    path = write_form_template(tmp_path / "t.xlsx", CATALOG, RULES)
    ws = openpyxl.load_workbook(path)["月报"]
    dvs, rows = validations(ws), indicator_rows(ws)
    assert dvs[f"D{rows['trainees']}"].type == "whole"
    assert dvs[f"D{rows['loan_amount']}"].type == "decimal"
    assert dvs[f"D{rows['trainees']}"].error == "只能填写不小于0的整数（计量单位：人）"
    assert ws[f"D{rows['trainees']}"].number_format == "0"


# ---------------------------------------------------------------- guide sheet


def guide_text(path) -> list[list]:
    ws = openpyxl.load_workbook(path)["填报说明"]
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def test_guide_explains_filling_and_lists_indicators_and_rules(tmp_path):
    path = write_form_template(tmp_path / "t.xlsx", CATALOG, RULES)
    rows = guide_text(path)
    text = "\n".join(str(c) for row in rows for c in row if c)
    for phrase in ("空白表示“未统计”，0表示“没有发生”", "撤销工作表保护", "无需密码", ".xlsx",
                   "大宁镇_2016-03.xlsx", "信访案件处理率", "本年累计"):
        assert phrase in text
    assert ["栏目", "指标名称", "计量单位", "类型"] in rows
    assert ["思想引领", "新媒体推送信息", "条", "当月发生数，按月累加"] in rows
    assert ["关爱帮扶", "贫困村", "个", "月末实有数，不累加"] in rows
    rate = next(row for row in rows if row[1] == "信访案件处理率")
    assert rate[3].startswith("比率：由系统按分子÷分母计算，不用填写")
    assert "已处理信访案件÷接待信访案件" in rate[3]
    assert len([row for row in rows if row[0] in ("栏目",) or row[2] in ("条", "人", "万元", "%")]) > 0
    rule_rows = [row[:2] for row in rows if row[0] in ("错误", "提醒")]
    assert rule_rows == [["错误" if r.severity == "error" else "提醒", r.message] for r in RULES]


def test_guide_rows_are_as_tall_as_their_text(tmp_path):
    """The notes overflowed onto the rows next to them in LibreOffice (no row height): every
    row with text is given the height of its wrapped lines, 16 points a line and 2 more."""
    path = write_form_template(tmp_path / "t.xlsx", CATALOG, RULES)
    ws = openpyxl.load_workbook(path)["填报说明"]
    heights = {r: ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)}
    rows = {ws.cell(r, 2).value or str(ws.cell(r, 1).value)[:2]: r for r in heights}
    assert heights[1] == 32  # the title
    # the notes across the four columns (102 digits): the 1st, 3rd, 6th and 9th wrap once
    assert [heights[r] for r in range(2, 11)] == [34, 18, 34, 18, 18, 34, 18, 18, 34]
    assert heights[rows["指标名称"]] == 18
    assert heights[rows["新媒体推送信息"]] == 18
    # a rate's 类型 takes two lines of the 44 digits of its column
    assert heights[rows["信访案件处理率"]] == heights[rows["贫困村儿童之家覆盖率"]] == 34
    rules = [r for r in heights if ws.cell(r, 1).value in ("错误", "提醒")]
    assert len(rules) == len(RULES) and {heights[r] for r in rules} == {18}  # a rule spans three columns
    assert {r for r, h in heights.items() if h is None} == {11, rows["规则"] - 2}  # the blank rows only
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "portrait"


@needs_soffice
def test_the_blank_form_prints_without_text_running_over(tmp_path, soffice_profile):
    """Printed by LibreOffice, the form takes two pages and 填报说明 two, and no line of
    text is printed over another."""
    path = write_form_template(tmp_path / "t.xlsx", CATALOG, RULES)
    pdf = to_pdf(path, soffice_profile)
    assert page_count(pdf) == 4
    assert sheet_pages(pdf, ["月报", "填报说明"]) in (None, {"月报": 2, "填报说明": 2})
    assert overlapping_lines(pdf) in (None, [])


def test_guide_names_the_file_for_a_prefilled_form(tmp_path):
    path = write_form_template(tmp_path / "t.xlsx", CATALOG, RULES, org="白沙镇", period=MARCH)
    text = "".join(str(c) for row in guide_text(path) for c in row if c)
    assert "本表请命名为“白沙镇_2016-03.xlsx”" in text


# ---------------------------------------------------------------- table layout


def fill_table(path: Path, per_org: dict[str, dict]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["清单"]
    header = {ws.cell(2, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(3, ws.max_row + 1):
        values = per_org.get(ws.cell(r, 1).value)
        for ind in ENTERED if values else ():
            ws.cell(r, header[f"{ind.label}（{ind.unit}）"], values[ind.id])
    wb.save(path)


def test_table_template_filled_for_three_orgs_reads_back_per_org(tmp_path):
    path = write_table_template(tmp_path / "清单.xlsx", CATALOG, ORGS, MARCH, region="青溪县", rules=RULES)
    ws = openpyxl.load_workbook(path)["清单"]
    assert ws["A1"].value == "青溪县妇联工作统计月报清单（2016年3月）"
    assert [ws.cell(2, c).value for c in range(1, 4)] == ["单位名称", "月份", "新媒体推送信息（条）"]
    assert ws.cell(2, ws.max_column).value == "新引进项目投资额（万元）"
    assert ws.max_column == 2 + len(ENTERED)
    assert [[ws.cell(r, c).value for c in (1, 2)] for r in range(3, ws.max_row + 1)] == [
        ["大宁镇", "2016年3月"], ["白沙镇", "2016年3月"], ["龙潭乡", "2016年3月"]]
    assert ws.freeze_panes == "B3"
    assert ws["A3"].protection.locked and not ws["C3"].protection.locked
    dvs = validations(ws)
    loan_col = 3 + [ind.id for ind in ENTERED].index("loan_amount")
    assert dvs[ws.cell(3, loan_col).coordinate].type == "decimal"
    assert dvs["C5"].type == "whole" and dvs["C5"].operator == "greaterThanOrEqual"
    assert ws.protection.sheet and not ws.protection.password

    per_org = {org: sample_values(seed) for seed, org in enumerate(["大宁镇", "白沙镇", "龙潭乡"])}
    fill_table(path, per_org)
    result = read(path, ORGS)

    assert result.all_findings() == []
    frame = result.frame()
    assert set(frame.measure) == {"month"} and set(frame.period) == {"2016-03"}
    for org, values in per_org.items():
        part = frame[frame.org == org]
        assert dict(zip(part.indicator, part.value)) == values


def test_table_template_for_a_quarter_has_a_row_per_org_and_month(tmp_path):
    path = write_table_template(tmp_path / "q.xlsx", CATALOG, ORGS, parse_period("2016-Q1"))
    ws = openpyxl.load_workbook(path)["清单"]
    assert ws["A1"].value == "妇联工作统计月报清单"  # a quarter in the title would pass for a month
    assert [ws.cell(r, 2).value for r in range(3, 6)] == ["2016年1月", "2016年2月", "2016年3月"]
    assert ws.max_row == 2 + 3 * 3


def test_table_template_without_registry_has_blank_input_rows(tmp_path):
    path = write_table_template(tmp_path / "t.xlsx", CATALOG)
    wb = openpyxl.load_workbook(path)
    ws = wb["清单"]
    assert not ws["A3"].protection.locked and not ws["B3"].protection.locked
    assert ws["A3"].value is None
    assert wb.sheetnames == ["清单", "填报说明"]
    ws["A3"], ws["B3"], ws["C3"], ws["D3"] = "大宁镇", "2016年4月", 5, 600
    wb.save(path)
    frame = read(path).frame()
    assert sorted(zip(frame.org, frame.period, frame.indicator, frame.value)) == [
        ("大宁镇", "2016-04", "wechat_posts", 5), ("大宁镇", "2016-04", "wechat_reads", 600)]


# ---------------------------------------------------------------- one form per org


def test_templates_for_orgs_one_file_per_leaf(tmp_path):
    folder = tmp_path / "2016-03"  # made, in a folder that exists
    paths = write_templates_for_orgs(folder, CATALOG, RULES, ORGS, MARCH, region="青溪县")
    assert [p.name for p in paths] == ["大宁镇_2016-03.xlsx", "白沙镇_2016-03.xlsx", "龙潭乡_2016-03.xlsx"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths)  # no temp files left
    ws = openpyxl.load_workbook(paths[1])["月报"]
    assert (ws["A2"].value, ws["A3"].value) == ("填报单位：白沙镇妇联", "报告期：2016年3月")
    values = sample_values(5)
    fill_form(paths[1], values, {})
    result = read(folder, ORGS)
    assert {f.code for f in result.all_findings()} == {"FORM_BLANK"}  # the other orgs' blank forms
    frame = result.frame()
    assert set(zip(frame.org, frame.period)) == {("白沙镇", "2016-03")}
    assert dict(zip(frame.indicator, frame.value)) == values


def test_templates_for_orgs_refuses_impossible_requests(tmp_path):
    a_file = tmp_path / "x.xlsx"
    a_file.write_bytes(b"")
    with pytest.raises(UsageError, match="是一个文件"):
        write_templates_for_orgs(a_file, CATALOG, RULES, ORGS, MARCH)
    with pytest.raises(UsageError, match="必须是一个月份"):
        write_templates_for_orgs(tmp_path / "q", CATALOG, RULES, ORGS, parse_period("2016-Q1"))
    with pytest.raises(UsageError, match="--period"):
        write_templates_for_orgs(tmp_path / "q", CATALOG, RULES, ORGS, None)
    assert not (tmp_path / "q").exists()


def test_filled_submissions_are_files_someone_filled_in(tmp_path):
    blank = write_form_template(tmp_path / "空白.xlsx", CATALOG, RULES, org="大宁镇", period=MARCH)
    filled = write_form_template(tmp_path / "大宁镇_2016-03.xlsx", CATALOG, RULES)
    fill_form(filled, {"trainees": 12}, {}, org="大宁镇", period="2016年3月")
    # No observations, but a finding about what was filled in: 白沙镇 in a file named for 大宁镇.
    conflict = write_form_template(tmp_path / "大宁镇_2016-04.xlsx", CATALOG, RULES)
    fill_form(conflict, {"trainees": 3}, {}, org="白沙镇", period="2016年4月")
    junk = tmp_path / "坏.xlsx"
    junk.write_bytes(b"not a workbook")
    paths = [blank, filled, conflict, junk]
    assert filled_submissions(paths, CATALOG, ORGS) == [str(filled), str(conflict)]


# ---------------------------------------------------------------- blank templates


@pytest.mark.parametrize("make", [
    lambda p: write_form_template(p, CATALOG, RULES),
    lambda p: write_form_template(p, CATALOG, RULES, org="大宁镇", period=MARCH, region="青溪县"),
    lambda p: write_table_template(p, CATALOG, ORGS, MARCH, rules=RULES),
    lambda p: write_table_template(p, CATALOG),
])
def test_blank_template_reads_as_a_blank_form_only(tmp_path, make):
    path = make(tmp_path / "空白.xlsx")
    result = read(path, ORGS)
    assert [(f.code, f.severity, f.message) for f in result.all_findings()] == [
        ("FORM_BLANK", "info", "报表中没有填任何数值（空白报表），按未报送处理；请确认是否发错了文件")]
    assert result.frame().empty


# ---------------------------------------------------------------- options and saving


def test_write_template_checks_options(tmp_path):
    with pytest.raises(UsageError, match="form 或 table"):
        write_template(tmp_path / "t.xlsx", CATALOG, RULES, layout="list")
    with pytest.raises(UsageError, match="必须是一个月份"):
        write_template(tmp_path / "t.xlsx", CATALOG, RULES, period="2016")
    with pytest.raises(UsageError, match="不在单位名册"):
        write_template(tmp_path / "t.xlsx", CATALOG, RULES, org="火星镇", orgs=ORGS)
    with pytest.raises(UsageError, match="--org"):
        write_template(tmp_path / "t.xlsx", CATALOG, RULES, layout="table", org="大宁镇")
    with pytest.raises(UsageError, match=".xlsx"):
        write_template(tmp_path / "t.xls", CATALOG, RULES)
    with pytest.raises(UsageError, match="文件夹"):
        write_template(tmp_path, CATALOG, RULES)
    assert list(tmp_path.iterdir()) == []
    path = write_template(tmp_path / "t.xlsx", CATALOG, RULES, org="大宁", period="2016年3月", orgs=ORGS)
    assert openpyxl.load_workbook(path)["月报"]["A2"].value == "填报单位：大宁镇妇联"
    table = write_template(tmp_path / "c.xlsx", CATALOG, RULES, layout="table", orgs=ORGS)
    assert openpyxl.load_workbook(table).sheetnames == ["清单", "填报说明"]


def test_a_missing_output_folder_is_refused_as_for_every_output(tmp_path):
    """Outputs never make the folders they go in (a mistyped path would leave a stray
    tree): a form, a folder of forms and aggregate's workbook say the same."""
    from fulian_stats.output.files import atomic_path

    with pytest.raises(UsageError) as form:
        write_template(tmp_path / "无此文件夹" / "t.xlsx", CATALOG, RULES)
    with pytest.raises(UsageError) as forms:
        write_templates_for_orgs(tmp_path / "无此文件夹" / "2016-03", CATALOG, RULES, ORGS, MARCH)
    with pytest.raises(UsageError) as summary, atomic_path(tmp_path / "无此文件夹" / "汇总.xlsx"):
        pass
    assert str(form.value) == str(forms.value) == str(summary.value) == f"输出文件夹不存在：{tmp_path / '无此文件夹'}"
    assert list(tmp_path.iterdir()) == []


def test_failed_save_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"old")

    def broken_save(self, filename):
        Path(filename).write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(RuntimeError):
        write_form_template(path, CATALOG, RULES)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_text_from_user_files_is_never_a_formula(tmp_path):
    path = write_form_template(tmp_path / "t.xlsx", CATALOG, RULES, org="=HYPERLINK(\"x\")", region="=1+1")
    ws = openpyxl.load_workbook(path)["月报"]
    assert ws["A1"].value == "=1+1妇联工作统计月报表"
    assert ws["A1"].data_type == "s"
    assert ws["A2"].data_type == "s"


def test_cn_ordinal():
    assert [cn_ordinal(n) for n in (1, 8, 10, 11, 20, 23)] == ["一", "八", "十", "十一", "二十", "二十三"]


# ---------------------------------------------------------------- property: any valid entry reads back


@pytest.fixture(scope="module")
def blank_march_form(tmp_path_factory) -> bytes:  # written once: openpyxl takes 0.1 s a form
    path = tmp_path_factory.mktemp("blank") / "大宁镇_2016-03.xlsx"
    write_form_template(path, CATALOG, RULES, org="大宁镇", period=MARCH)
    return path.read_bytes()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_valid_entries_read_back(tmp_path_factory, blank_march_form, data):
    path = tmp_path_factory.mktemp("h") / "大宁镇_2016-03.xlsx"
    path.write_bytes(blank_march_form)
    chosen = data.draw(st.lists(st.sampled_from(ENTERED), unique_by=lambda i: i.id, max_size=12))
    values = {ind.id: data.draw(st.integers(0, 10**7) if ind.is_count
                                else st.decimals(0, 10**5, places=2).map(float)) for ind in chosen}
    fill_form(path, values, {})
    result = read(path)
    assert [f.code for f in result.all_findings()] == ([] if values else ["FORM_BLANK"])
    assert observed(result, "month") == values


# ---------------------------------------------------------------- filled in as a township would


def consistent_values(scale: int) -> dict[str, float]:
    """A township's month that satisfies every default rule: every count `scale`, every
    amount in 万元 `scale` + 0.25 (under 30 万元 per loan applicant)."""
    return {ind.id: (scale if ind.is_count else scale + 0.25) for ind in ENTERED}


def test_filled_templates_pass_check_and_aggregate_to_their_sums(tmp_path):
    from fulian_stats.aggregate import aggregate_paths
    from fulian_stats.checks import check_paths

    written = write_templates_for_orgs(tmp_path / "forms", CATALOG, RULES, ORGS, MARCH)
    flows = {ind.id for ind in ENTERED if ind.kind == "flow"}
    for scale, path in enumerate(written, start=2):
        values = consistent_values(scale)
        fill_form(path, values, {i: v for i, v in values.items() if i in flows})
    checked = check_paths([tmp_path / "forms"], CATALOG, RULES, ORGS, MARCH)
    assert checked.findings == []
    run = aggregate_paths([tmp_path / "forms"], CATALOG, RULES, ORGS, MARCH)
    assert run.result.value("trainees") == 2 + 3 + 4
    assert run.result.value("loan_amount") == 2.25 + 3.25 + 4.25
    assert run.result.value("children_homes_total") == 9  # a stock: one month, summed over orgs
    assert run.result.value("petition_handling_rate") == 100.0
