"""`fulian-stats inspect`: how the reader understood a sheet, as text and as JSON, and
the library call behind it (read.inspect_paths)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from check_helpers import fulian
from conftest import CATALOG, write_csv
from fulian_stats.cli import app
from fulian_stats.read import ReadContext, inspect_paths


def two_row_form(path):
    """A form whose header spans rows 3-4 (数量 over 本月 | 本年累计), an ignored 上年同期
    column, a heading, a 其中 row, a row that names no indicator, and a footer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "3月"
    for row in (["大宁镇妇联2016年工作统计表"], ["填报单位（盖章）：大宁镇妇联"],
                ["序号", "指标名称", "计量单位", "数量", None, "上年同期"], [None, None, None, "本月", "本年累计", None],
                ["一、创业就业"], [1, "参训妇女", "人", 45, 120, 40], [2, "其中：贫困妇女", "人", 12, 30, 9],
                [3, "巾帼志愿服务", "人", 7, 20, None], ["填表人：赵敏"]):
        ws.append(row)
    for cells in ("A1:F1", "A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4", "A5:F5"):
        ws.merge_cells(cells)
    wb.save(path)
    return path


def test_inspect_shows_header_columns_sources_rows_and_cells_left_out(tmp_path):
    path = two_row_form(tmp_path / "大宁镇2016年.xlsx")
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{path} › 工作表“3月”",
        "  版式：表式（一个单位一张表）",
        "  表头：第3-4行，数据从第5行起",
        "  各列：",
        "    A   序号 → 序号",
        "    B   指标名称 → 指标名称",
        "    C   计量单位 → 计量单位",
        "    D   数量/本月 → 本月",
        "    E   数量/本年累计 → 本年累计",
        "    F   上年同期 → 不读取：“上年同期”不是本期数",
        "  填报单位：大宁镇（单元格 A2）",
        "  报告期：2016-03（工作表名）",
        "  各行：",
        "    第5行 一、创业就业（栏目标题）",
        "    第6行 参训妇女 → trainees（指标：参训妇女）",
        "    第7行 其中：贫困妇女 → trainees_poor（指标：参训妇女中的贫困妇女）",
        "    第8行 巾帼志愿服务（不在指标目录中）",
        "  未读取的单元格（4个）：",
        "    F6：“上年同期”列不读取",
        "    F7：“上年同期”列不读取",
        "    D8：本行没有可识别的指标",
        "    E8：本行没有可识别的指标",
        "  校验结果（2条）：",
        "    提示 F6：列F（表头“上年同期”）不是本期数，其中的2个数值（F6、F7）未读取 [COLUMN_NOT_READ]",
        "    错误 B8：指标“巾帼志愿服务”不在指标目录中，但填有数值（D8、E8）；请改用目录中的指标名称，"
        "或在指标目录中补充别名 [INDICATOR_UNKNOWN]",
    ]


def test_inspect_as_json_keeps_stable_keys(tmp_path):
    path = two_row_form(tmp_path / "大宁镇2016年.xlsx")
    result = CliRunner().invoke(app, ["inspect", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    [sheet] = json.loads(result.output)
    assert (sheet["layout"], sheet["header_rows"], sheet["data_start"], sheet["blocks"]) == ("form", [3, 4], 5, 1)
    assert [(c["column"], c["heading"], c["role"]) for c in sheet["columns"]] == [
        ("A", "序号", "seq"), ("B", "指标名称", "name"), ("C", "计量单位", "unit"), ("D", "数量/本月", "month"),
        ("E", "数量/本年累计", "ytd"), ("F", "上年同期", "ignored")]
    assert sheet["org"] == {"value": "大宁镇", "origin": "单元格", "cell": "A2"}
    assert sheet["period"] == {"value": "2016-03", "origin": "工作表名", "cell": None}
    assert [(r["row"], r["indicator"]) for r in sheet["rows"]] == [(5, None), (6, "trainees"), (7, "trainees_poor"),
                                                                   (8, None)]
    assert sheet["left_out"] == [{"cell": "F6", "why": "“上年同期”列不读取"}, {"cell": "F7", "why": "“上年同期”列不读取"},
                                 {"cell": "D8", "why": "本行没有可识别的指标"}, {"cell": "E8", "why": "本行没有可识别的指标"}]
    assert [f["code"] for f in sheet["findings"]] == ["COLUMN_NOT_READ", "INDICATOR_UNKNOWN"]


def test_inspect_a_sheet_no_layout_was_found_for_says_why(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "工作情况"
    for row in (["三月工作情况"], ["项目", "完成"], ["培训", 45]):
        ws.append(row)
    wb.save(tmp_path / "大宁镇_2016-03.xlsx")
    [found] = inspect_paths([tmp_path / "大宁镇_2016-03.xlsx"], ReadContext(CATALOG))
    assert found.kind is None
    assert found.problem == ("B3单元格有数值，但第2行像是表头（A2“项目”），却没有“本月”或“本年累计”列（其余列为B2“完成”）；"
                             "表式报表需要“指标名称”列和“本月”（或“本年累计”）列，清单式报表需要以指标名称为列标题的表头；"
                             "请使用 fulian-stats template 生成的模板填报")
    assert [(f.code, f.sheet, f.cell) for f in found.findings] == [("LAYOUT_UNKNOWN", "工作情况", "B3")]


def test_inspect_one_sheet_of_a_workbook_and_an_unreadable_file(tmp_path):
    path = two_row_form(tmp_path / "大宁镇2016年.xlsx")
    broken = tmp_path / "坏_2016-03.xlsx"
    broken.write_bytes(b"PK\x03\x04 cut")
    found = inspect_paths([path, broken], ReadContext(CATALOG), sheet="3月")
    assert [(i.file, i.sheet) for i in found] == [(str(path), "3月")]
    [whole] = inspect_paths([broken], ReadContext(CATALOG))
    assert (whole.sheet, whole.kind, whole.findings[0].code) == (None, None, "FILE_UNREADABLE")
    assert whole.problem.startswith("不是有效的Excel文件或文件已损坏")
    # Regression: a sheet that is not there exited 0, as if it had been looked at.
    done = fulian("inspect", path, "--sheet", "4月")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "错误：没有名为“4月”的工作表；文件中的工作表有：“3月”\n"


def test_inspect_a_table_names_each_column_s_indicator(tmp_path):
    path = write_csv(tmp_path / "城区_2016-03.csv", [["单位名称", "参训妇女（人）", "其中贫困妇女（人）", "备注"],
                                                     ["大宁镇", 45, 12, ""], ["小计", 45, 12, ""]])
    [found] = inspect_paths([path], ReadContext(CATALOG))
    assert [(c["column"], c["role"], c["reason"]) for c in found.columns] == [
        ("A", "org", ""), ("B", "indicator", "trainees（参训妇女）"),
        ("C", "indicator", "trainees_poor（参训妇女中的贫困妇女）"), ("D", "ignored", "")]
    assert found.rows == [(2, "大宁镇", None, "单位"), (3, "小计", None, "小计行，只用于核对")]


def test_the_readme_shows_what_inspect_prints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "报表").mkdir()
    two_row_form(tmp_path / "报表" / "大宁镇2016年.xlsx")
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    command, _, rest = readme.partition("$ fulian-stats inspect ")[2].partition("\n")
    shown = rest.split("```")[0].rstrip("\n").splitlines()
    result = CliRunner().invoke(app, ["inspect", *command.split()])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == shown


def test_inspect_a_summary_names_its_org_columns(tmp_path):
    # Regression: a county's 汇总表 showed each township's column as 无法识别.
    path = write_csv(tmp_path / "青溪县_2016-03.csv", [["指标名称", "计量单位", "合计", "大宁镇", "白沙镇"],
                                                    ["参训妇女", "人", 57, 45, 12]])
    [found] = inspect_paths([path], ReadContext(CATALOG))
    assert found.kind == "matrix"
    assert [(c["column"], c["role"], c["role_label"], c["reason"]) for c in found.columns][3:] == [
        ("D", "org", "填报单位", ""), ("E", "org", "填报单位", "")]
