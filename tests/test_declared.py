"""Declared layouts (fulian.toml [[layout]]): a template no detection can guess is read
by its declaration; a declaration that cannot be used is one Chinese error naming it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from check_helpers import RULES
from conftest import CATALOG
from fulian_stats.checks import check_paths
from fulian_stats.config import load_settings
from fulian_stats.errors import ConfigError
from fulian_stats.read import ReadContext, inspect_paths

DECLARED = """
[[layout]]
name = "白沙镇月报"
files = "白沙镇*.xlsx"
header_rows = "2-3"
name_column = "B"
unit_column = "C"
month_column = "E"
ytd_column = "D"
org_cell = "B1"
period_cell = "E1"
"""


def odd_form(path, period="2016年3月"):
    """A township's own form: nothing in its header says 指标名称 or 本月."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["单位", "白沙镇妇联", None, "月份", period], ["项", "工作内容", "计", "全年至今", "这个月"],
                [None, None, None, "甲", "乙"], [1, "参训妇女", "人", 120, 45], [2, "提供就业岗位", "个", 30, 11]):
        ws.append(row)
    wb.save(path)
    return path


def settings_with(tmp_path, text):
    (tmp_path / "fulian.toml").write_text(text, encoding="utf-8")
    return load_settings(tmp_path)


def test_a_declared_layout_reads_what_detection_cannot(tmp_path):
    path = odd_form(tmp_path / "白沙镇三月.xlsx")
    settings = settings_with(tmp_path, DECLARED)
    result = check_paths([path], CATALOG, RULES, layouts=settings.layouts)
    assert result.findings == []
    assert sorted((o[2], o[3], o[5], o[6]) for o in result.read.observation_rows()) == [
        ("jobs_offered", 11.0, "E5", "month"), ("jobs_offered", 30.0, "D5", "ytd"),
        ("trainees", 45.0, "E4", "month"), ("trainees", 120.0, "D4", "ytd")]
    assert {o[:2] for o in result.read.observation_rows()} == {("白沙镇", "2016-03")}


def test_without_the_declaration_the_same_file_is_refused(tmp_path):
    path = odd_form(tmp_path / "白沙镇三月.xlsx")
    result = check_paths([path], CATALOG, RULES)
    assert [f.code for f in result.findings] == ["LAYOUT_UNKNOWN"]


def test_a_declared_layout_applies_only_to_the_files_it_names(tmp_path):
    settings = settings_with(tmp_path, DECLARED)
    other = odd_form(tmp_path / "大宁镇三月.xlsx")
    assert [f.code for f in check_paths([other], CATALOG, RULES, layouts=settings.layouts).findings] == ["LAYOUT_UNKNOWN"]


def test_a_declared_period_cell_without_a_period_names_the_entry(tmp_path):
    path = odd_form(tmp_path / "白沙镇三月.xlsx", period="")
    settings = settings_with(tmp_path, DECLARED)
    result = check_paths([path], CATALOG, RULES, layouts=settings.layouts)
    [finding] = [f for f in result.findings if f.code == "PERIOD_MISSING"]
    assert (finding.cell, finding.message) == (
        "E1", "按配置中的布局“白沙镇月报”，报告期应写在E1单元格，但该单元格为空；请填写报告期（如2016年3月），或改正布局声明")


def test_inspect_names_the_declared_layout(tmp_path):
    path = odd_form(tmp_path / "白沙镇三月.xlsx")
    settings = settings_with(tmp_path, DECLARED)
    [found] = inspect_paths([path], ReadContext(CATALOG, layouts=settings.layouts))
    assert (found.kind, found.declared, found.header_rows, found.data_start) == ("form", "“白沙镇月报”", (2, 3), 4)
    assert [(c["column"], c["role"]) for c in found.columns] == [
        ("A", "ignored"), ("B", "name"), ("C", "unit"), ("D", "ytd"), ("E", "month")]


@pytest.mark.parametrize("entry, problem", [
    ('files = "*.xlsx"\nheader_rows = 3\nname_column = "B"\nmonth_column = "D"\ncolour = "red"',
     "第1个 [[layout]]：有未知的设置项 colour（可用：category_column、data_start、files、header_rows、month_column、"
     "name、name_column、org_cell、period_cell、sheet、title、unit_column、ytd_column）"),
    ('name = "县模板"\nheader_rows = 3\nname_column = "B"\nmonth_column = "D"',
     "“县模板”：需要 files（文件名通配符，如 \"*白沙镇*.xlsx\"）或 title（表头上方的标题文字）说明用于哪些报表"),
    ('files = "*.xlsx"\nheader_rows = 3\nmonth_column = "D"', "第1个 [[layout]]：缺少 name_column（指标名称所在的列）"),
    ('files = "*.xlsx"\nheader_rows = 3\nname_column = "B"', "第1个 [[layout]]：需要 month_column（本月）或 ytd_column（本年累计）"),
    ('files = "*.xlsx"\nheader_rows = 3\nname_column = "2"\nmonth_column = "D"',
     "第1个 [[layout]]：name_column 应为列的字母（如 \"B\"），而不是“2”"),
    ('files = "*.xlsx"\nheader_rows = "三"\nname_column = "B"\nmonth_column = "D"',
     "第1个 [[layout]]：header_rows 应为行号，如 3、\"3-4\" 或 [3, 4]，而不是“三”"),
    ('files = "*.xlsx"\nname_column = "B"\nmonth_column = "D"',
     "第1个 [[layout]]：缺少 header_rows（表头所在的行，如 3 或 \"3-4\"）"),
    ('files = "*.xlsx"\nheader_rows = "4-3"\nname_column = "B"\nmonth_column = "D"',
     "第1个 [[layout]]：header_rows 的行号无效（4至3）：应从1起，首行不大于末行，最多6行"),
    ('files = "*.xlsx"\nheader_rows = 3\nname_column = "B"\nmonth_column = "B"', "第1个 [[layout]]：有两个角色声明在同一列"),
    ('files = "*.xlsx"\nheader_rows = 3\nname_column = "B"\nmonth_column = "D"\nperiod_cell = "E"',
     "第1个 [[layout]]：period_cell 应为单元格地址（如 \"B2\"），而不是“E”"),
    ('files = "*.xlsx"\nheader_rows = 3\nname_column = "B"\nmonth_column = "D"\ndata_start = 3',
     "第1个 [[layout]]：data_start 应为表头之后的行号（大于3）"),
])
def test_a_declaration_that_cannot_be_used_is_one_error_naming_the_entry(tmp_path, entry, problem):
    with pytest.raises(ConfigError) as caught:
        settings_with(tmp_path, f"[[layout]]\n{entry}\n")
    assert str(caught.value) == f"配置文件 {tmp_path / 'fulian.toml'} 中的布局{problem}"


def test_layout_must_be_a_table_of_entries(tmp_path):
    with pytest.raises(ConfigError) as caught:
        settings_with(tmp_path, 'layout = "B"\n')
    assert str(caught.value) == f"配置文件 {tmp_path / 'fulian.toml'} 中 layout 应写作一个或多个 [[layout]] 表"


def test_the_worked_example_of_docs_layouts_reads_as_documented(tmp_path):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "layouts.md").read_text(encoding="utf-8")
    declaration = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    refused = doc.split("```text\n", 1)[1].split("……", 1)[0]
    path = odd_form(tmp_path / "白沙镇三月.xlsx")
    [finding] = check_paths([path], CATALOG, RULES).findings
    assert f"错误 {finding.sheet} › {finding.cell}：{finding.message}".startswith(refused)
    settings = settings_with(tmp_path, declaration)
    result = check_paths([path], CATALOG, RULES, layouts=settings.layouts)
    assert result.findings == [] and len(result.read.observation_rows()) == 4
