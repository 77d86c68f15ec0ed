"""Every finding code: a submission that triggers it (the exact finding: code, severity,
file, sheet, cell, org, period, indicator and Chinese message) and the corrected
submission that does not. Run through the library (`check_paths`); the command line
is tested in test_cli_check.py.

CASES is the one table: test_every_code_has_a_case keeps it in step with CODES.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from check_helpers import (
    CATALOG,
    HEADER,
    INDICATORS,
    ORGS_CSV,
    check,
    clean_folder,
    codes,
    form_cell,
    form_sheet,
    month_rows,
    only,
    problems,
    set_value,
    street_rows,
    write_encrypted,
    write_form,
    write_table,
)
from fulian_stats.findings import CODES, ERROR, INFO, WARNING

@dataclass
class Case:
    """`broken(tmp)` and `fixed(tmp)` write files under tmp and return check()'s
    arguments: {"paths": [...], "orgs": ..., "period": ...}. `expect` is the one
    finding of the code in the broken result; a re.Pattern message must fullmatch."""

    broken: Callable[[Path], dict]
    fixed: Callable[[Path], dict]
    expect: dict = field(default_factory=dict)


def _form(name: str, **kwargs) -> Callable[[Path], dict]:
    def build(tmp: Path) -> dict:
        return {"paths": [write_form(tmp / name, **kwargs)]}
    return build


def _beside_a_clean_form(org: str, **kwargs) -> Callable[[Path], dict]:
    """大宁镇's clean form and `org`'s form (written with `kwargs`), for the checks across files."""
    def build(tmp: Path) -> dict:
        return {"paths": [write_form(tmp / "大宁镇_2016-03.xlsx"), write_form(tmp / f"{org}_2016-03.xlsx",
                                                                             org=f"{org}妇联", **kwargs)]}
    return build


def _rows(change: Callable[[list], list], month: int = 3) -> list:
    return change(month_rows(month))


def _bytes(name: str, data: bytes) -> Callable[[Path], dict]:
    def build(tmp: Path) -> dict:
        (tmp / name).write_bytes(data)
        return {"paths": [tmp / name]}
    return build


def _encrypted(tmp: Path) -> dict:
    return {"paths": [write_encrypted(tmp / "大宁镇_2016-03.xlsx")]}


def _merged_over_two_rows(tmp: Path) -> dict:
    """大宁镇's form with 接待信访案件's 本月 (D13) merged down over 已处理信访案件's (D14)."""
    import openpyxl

    path = write_form(tmp / "大宁镇_2016-03.xlsx", rows=set_value(month_rows(3), "已处理信访案件", month=""))
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("D13:D14")
    book.save(path)
    return {"paths": [path]}


def _hidden_form(hidden: bool):
    """大宁镇's form, its only sheet hidden (or not)."""
    def build(tmp: Path) -> dict:
        import openpyxl

        path = write_form(tmp / "大宁镇_2016-03.xlsx", extra_sheets={"说明": [["本表按月报送"]]})
        book = openpyxl.load_workbook(path)
        book["月报"].sheet_state = "hidden" if hidden else "visible"
        book.active = 1
        book.save(path)
        return {"paths": [path]}
    return build


def _far_cell(tmp: Path) -> dict:
    """大宁镇's form with a second sheet holding A1 and a stray cell at Z100000."""
    path = write_form(tmp / "大宁镇_2016-03.xlsx", extra_sheets={"附表": [["备注"]]})
    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    parts["xl/worksheets/sheet2.xml"] = parts["xl/worksheets/sheet2.xml"].replace(
        b"</sheetData>", b'<row r="100000"><c r="Z100000" t="n"><v>1</v></c></row></sheetData>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)
    return {"paths": [path]}


def _folder_with(*extra: str) -> Callable[[Path], dict]:
    def build(tmp: Path) -> dict:
        write_form(tmp / "subs" / "大宁镇_2016-03.xlsx")
        for name in extra:
            (tmp / "subs" / name).write_bytes(b"not a report")
        return {"paths": [tmp / "subs"]}
    return build


STREETS_CSV = "城区街道_2016-03.csv"


def _streets(tail: bytes = b"", total=True) -> Callable[[Path], dict]:
    def build(tmp: Path) -> dict:
        path = write_table(tmp / STREETS_CSV, street_rows(3), total=total)
        path.write_bytes(path.read_bytes() + tail)
        return {"paths": [path]}
    return build


def _streets_cut(end: bytes) -> Callable[[Path], dict]:
    """The 街道 table without its last line end, as a copy cut short after its last row."""
    def build(tmp: Path) -> dict:
        args = _streets()(tmp)
        path = args["paths"][0]
        path.write_bytes(path.read_bytes().removesuffix(end))
        return args
    return build


def _wrong_total(tmp: Path) -> dict:
    rows = street_rows(3)
    total = ["合计", *[sum(r[i] for r in rows) for i in range(1, len(rows[0]))]]
    total[4] = 140  # 参训妇女 (column E): 46 + 47 + 48 = 141
    return {"paths": [write_table(tmp / STREETS_CSV, rows, total=total)]}


def _streets_with_extra_field(tmp: Path) -> dict:
    rows = street_rows(3)
    path = write_table(tmp / STREETS_CSV, rows)
    lines = path.read_bytes().split(b"\r\n")
    lines[1] += b",99"  # 河西街道's row: one value more than the header has columns
    path.write_bytes(b"\r\n".join(lines))
    return {"paths": [path]}


def _with_extra(rows: list[list], name: str, plan) -> list[list]:
    """One more cell (a 考核分, a 备注) beside one indicator's 本月 and 本年累计."""
    return [row + [plan] if row[0] == name else row for row in rows]


def _summary_sheet(tmp: Path) -> dict:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "工作总结"
    for row in (["大宁镇妇联2016年3月工作总结"], ["填报单位：大宁镇妇联"], ["序号", "工作内容", "完成情况"],
                [1, "开展三八节系列活动", "已完成"], [2, "走访慰问困境妇女", "已完成"]):
        ws.append(row)
    wb.save(tmp / "大宁镇_2016-03.xlsx")
    return {"paths": [tmp / "大宁镇_2016-03.xlsx"]}


def _with_registry(org: str) -> Callable[[Path], dict]:
    def build(tmp: Path) -> dict:
        (tmp / "orgs.csv").write_text(ORGS_CSV, encoding="utf-8")
        return {"paths": [write_form(tmp / "月报_2016-03.xlsx", org=org)], "orgs": Path("orgs.csv")}
    return build


def _twice(tmp: Path) -> dict:
    first = write_form(tmp / "大宁镇_2016-03.xlsx")
    second = tmp / "大宁镇_2016-03(修改).xlsx"
    shutil.copy(first, second)
    return {"paths": [first, second]}


def _quarter(change: Callable[[list], list] | None = None) -> Callable[[Path], dict]:
    """大宁镇's January to March; `change` edits March's rows."""
    def build(tmp: Path) -> dict:
        for month in (1, 2, 3):
            rows = month_rows(month)
            if change is not None and month == 3:
                rows = change(rows)
            write_form(tmp / "subs" / f"大宁镇_2016-{month:02d}.xlsx", period=f"2016年{month}月", rows=rows)
        return {"paths": [tmp / "subs"]}
    return build


def _county_quarter(drop: str | None) -> Callable[[Path], dict]:
    def build(tmp: Path) -> dict:
        folder = clean_folder(tmp)
        if drop:
            (folder / drop).unlink()
        return {"paths": [folder], "orgs": Path("orgs.csv"), "period": "2016-Q1"}
    return build


def _nine_months(september_served: int) -> Callable[[Path], dict]:
    """大宁镇's January to September; 妇女之家服务 in September as given (usually 305)."""
    def build(tmp: Path) -> dict:
        for month in range(1, 10):
            rows = month_rows(month)
            if month == 9:
                ytd = sum(260 + 5 * m for m in range(1, 9)) + september_served
                rows = set_value(rows, "妇女之家服务", month=september_served, ytd=ytd)
            write_form(tmp / "subs" / f"大宁镇_2016-{month:02d}.xlsx", period=f"2016年{month}月", rows=rows)
        return {"paths": [tmp / "subs"]}
    return build


def _hidden_row(hidden: bool):
    """大宁镇's form, its row of 参训妇女 hidden (or not)."""
    def build(tmp: Path) -> dict:
        import openpyxl

        path = write_form(tmp / "大宁镇_2016-03.xlsx")
        book = openpyxl.load_workbook(path)
        book["月报"].row_dimensions[int(form_cell("参训妇女")[1:])].hidden = hidden
        book.save(path)
        return {"paths": [path]}
    return build


def _county_workbook(with_total: bool):
    """青溪县's workbook of a sheet per township, with a 全县合计 sheet of their sum (or not)."""
    def build(tmp: Path) -> dict:
        towns = {town: month_rows(3, k, ytd=False) for k, town in enumerate(("大宁镇", "白沙镇"))}
        total = [[name, unit, sum(rows[i][2] for rows in towns.values()), ""]
                 for i, (name, unit, *_v) in enumerate(towns["大宁镇"])]
        sheets = {town: form_sheet(None, rows=rows) for town, rows in towns.items()}
        if not with_total:
            first, *rest = sheets
            return {"paths": [write_form(tmp / "青溪县_2016-03.xlsx", org=None, rows=towns[first], sheet=first,
                                         extra_sheets={name: sheets[name] for name in rest})]}
        return {"paths": [write_form(tmp / "青溪县_2016-03.xlsx", org=None, rows=total, sheet="全县合计",
                                     extra_sheets=sheets)]}
    return build


def _county_summary(drop: str | None) -> Callable[[Path], dict]:
    """青溪县's 2016-Q1 summary workbook, written past a dropped township file."""
    def build(tmp: Path) -> dict:
        import fulian_stats.api as fs

        args = _county_quarter(drop)(tmp / "county")
        report = fs.check(args["paths"], orgs=tmp / "county" / "orgs.csv", period="2016-Q1")
        fs.write(fs.aggregate(report, region="青溪县", skip_invalid=True), tmp / "青溪县_2016-Q1.xlsx")
        return {"paths": [tmp / "青溪县_2016-Q1.xlsx"]}
    return build


CLEAN = _form("大宁镇_2016-03.xlsx")
HERE = {"org": "大宁镇", "period": "2016-03", "sheet": "月报"}  # a 大宁镇 March form's own place

CASES: dict[str, Case] = {
    "FILE_UNREADABLE": Case(
        _bytes("大宁镇_2016-03.xlsx", b"PK\x03\x04 saved half-way"), CLEAN,
        {"file": "大宁镇_2016-03.xlsx", "sheet": None, "cell": None,
         "message": re.compile(r"不是有效的Excel文件或文件已损坏（.+）；请在Excel或WPS中打开并另存后重新报送")}),
    "FILE_EMPTY": Case(
        _bytes("大宁镇_2016-03.xlsx", b""), CLEAN,
        {"file": "大宁镇_2016-03.xlsx", "message": "文件是空的（0字节），请重新导出后报送"}),
    "FILE_ENCRYPTED": Case(
        _encrypted, CLEAN,
        {"file": "大宁镇_2016-03.xlsx", "message": "工作簿设置了打开密码，无法读取；请取消密码后重新报送"}),
    "FILE_TOO_LARGE": Case(
        _far_cell, CLEAN,
        {"file": "大宁镇_2016-03.xlsx", "sheet": "附表", "cell": None,
         "values": {"rows": 100000, "cols": 26, "limit": 2000000},
         "message": "工作表“附表”的范围达100000行×26列，超过2000000个单元格的上限，已跳过；"
                    "请删去远处多余的内容（如误填在很远处的单元格）后重新报送"}),
    "FORMULA_NO_VALUE": Case(
        _form("大宁镇_2016-03.xlsx", rows=_rows(lambda r: set_value(r, "参训妇女", ytd="=D8+83"))), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "E8", "values": {"cells": ["E8"], "count": 1},
         "message": "E8的公式没有保存计算结果，读取时按空白（未填报）处理；请在Excel或WPS中打开此文件、保存后重新报送"}),
    "FILE_FORMAT_UNSUPPORTED": Case(
        _folder_with("白沙镇_2016-03.ods"), _folder_with("白沙镇_2016-03.docx"),
        {"file": "subs/白沙镇_2016-03.ods", "sheet": None, "cell": None,
         "message": "这是OpenDocument表格文件（.ods），无法读取，其中的数据未计入；"
                    "本工具只读取 .xlsx、.xlsm、.xls、.csv、.txt（制表符分隔），请另存为 .xlsx 后重新报送"}),
    "FILES_SKIPPED": Case(
        _folder_with("工作总结.docx"), _folder_with("~$大宁镇_2016-03.xlsx", ".DS_Store"),
        {"file": None, "values": {"count": 1, "files": ["subs/工作总结.docx"]},
         "message": "跳过了1个不是报表格式的文件（如 subs/工作总结.docx）；只读取 .xlsx、.xlsm、.xls、.csv、.txt（制表符分隔）"}),
    "ENCODING": Case(
        _streets(tail="说明：单位为人".encode("gbk") + b"\xff\r\n"), _streets(tail="".encode("gbk")),
        {"file": STREETS_CSV, "row": 6, "cell": None,
         "message": "第6行第15个字节处无法按UTF-8或GBK/GB18030解码；"
                    "请在Excel或WPS中另存为“CSV UTF-8”或GBK编码的CSV后重新报送"}),
    "LAYOUT_UNKNOWN": Case(
        _summary_sheet, CLEAN,
        {"file": "大宁镇_2016-03.xlsx", "sheet": "工作总结", "cell": None,
         "message": "工作表“工作总结”中没有找到可识别的报表：第3行像是表头（B3“工作内容”），却没有“本月”或“本年累计”列"
                    "（其余列为A3“序号”、C3“完成情况”）；表式报表需要“指标名称”列和“本月”（或“本年累计”）列，"
                    "清单式报表需要以指标名称为列标题的表头；请使用 fulian-stats template 生成的模板填报"}),
    "SHEET_SKIPPED": Case(
        _form("大宁镇_2016-03.xlsx", extra_sheets={"工作总结": [["三月份开展三八节系列活动12场"]]}), CLEAN,
        {"file": "大宁镇_2016-03.xlsx", "sheet": "工作总结", "message": "工作表“工作总结”不是报表，已跳过"}),
    "ORG_MISSING": Case(
        _form("月报_2016-03.xlsx", org=None), _form("月报_2016-03.xlsx"),
        {"file": "月报_2016-03.xlsx", "sheet": "月报", "cell": None,
         "message": "表内和文件名中都找不到填报单位；请在表头填写“填报单位：XX镇妇联”"}),
    "ORG_UNKNOWN": Case(
        _with_registry("长江镇妇联"), _with_registry("大宁镇妇联"),
        {"file": "月报_2016-03.xlsx", "sheet": "月报", "cell": "A2", "values": {"org": "长江镇妇联"},
         "message": "填报单位“长江镇妇联”不在单位名册（orgs.csv）中；请核对名称，或在名册中补充别名"}),
    "ORG_CONFLICT": Case(
        _form("白沙镇_2016-03.xlsx"), _form("大宁镇_2016-03.xlsx"),
        {"file": "白沙镇_2016-03.xlsx", "sheet": "月报", "cell": "A2",
         "values": {"contents": "大宁镇妇联", "file_name": "白沙镇"},
         "message": "表内填报单位为“大宁镇妇联”，文件名中为“白沙镇”，两者不一致；请核对后修改"}),
    "PERIOD_MISSING": Case(
        _form("大宁镇.xlsx", period=None), lambda tmp: {**_form("大宁镇.xlsx", period=None)(tmp), "period": "2016-03"},
        {"file": "大宁镇.xlsx", "sheet": "月报", "cell": None,
         "message": "表内和文件名中都找不到报告期；请在表头填写“报告期：2016年3月”，或用 --period 指定"}),
    "PERIOD_CONFLICT": Case(
        _form("大宁镇_2016-04.xlsx"), _form("大宁镇_2016-04.xlsx", period="2016年4月", rows=month_rows(4)),
        {"file": "大宁镇_2016-04.xlsx", "sheet": "月报", "cell": "D2",
         "values": {"contents": "2016-03", "file_name": "2016-04"},
         "message": "表内报告期为2016年3月，文件名中为2016年4月，两者不一致；请核对后修改表内报告期或文件名"}),
    "TEXT_UNFINISHED": Case(
        _streets_cut(b"\r\n"), _streets(),
        {"file": STREETS_CSV, "sheet": None, "cell": "A5", "row": 5, "values": {"line": 5},
         "message": "最后一行（第5行）后没有换行符：Excel和WPS保存的文件每行都以换行结束，这个文件可能在传输或复制时被截断；"
                    "请核对最后一行的数值，或重新导出后报送"}),
    "NO_DATA": Case(
        lambda tmp: {"paths": [write_table(tmp / STREETS_CSV, [], total=False)]}, _streets(),
        {"file": STREETS_CSV, "sheet": None, "cell": None,
         "message": "文件中有表头，但没有一行数值，可能在传输或复制时被截断；请重新导出完整的文件后报送"}),
    "INDICATOR_UNKNOWN": Case(
        _form("大宁镇_2016-03.xlsx", rows=month_rows(3) + [["巾帼志愿服务", "人", 12, 30]]),
        _form("大宁镇_2016-03.xlsx", rows=month_rows(3) + [["巾帼志愿服务", "人", "", ""]]),
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "B21", "indicator": None,
         "message": "指标“巾帼志愿服务”不在指标目录中，但填有数值（D21、E21）；请改用目录中的指标名称，或在指标目录中补充别名"}),
    "COLUMN_UNKNOWN": Case(
        _form("大宁镇_2016-03.xlsx", header=[*HEADER, "考核分"], rows=_rows(lambda r: _with_extra(r, "参训妇女", 50))),
        _form("大宁镇_2016-03.xlsx", header=[*HEADER, "考核分"]),
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "F3", "values": {"heading": "考核分", "cells": ["F8"], "count": 1},
         "message": "列F（表头“考核分”）不是可识别的数值列，其中的1个数值（F8）未读取；如是本期数据，"
                    "请把表头改为“本月”或“本年累计”，否则请删去"}),
    "COLUMN_NOT_READ": Case(
        _form("大宁镇_2016-03.xlsx", header=[*HEADER, "备注"], rows=_rows(lambda r: _with_extra(r, "参训妇女", "另有线上培训30人"))),
        _form("大宁镇_2016-03.xlsx", header=[*HEADER, "备注"], rows=_rows(lambda r: _with_extra(r, "参训妇女", "无"))),
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "F8", "values": {"heading": "备注", "cells": ["F8"], "count": 1},
         "message": "列F（表头“备注”）是说明栏，其中1个单元格写有数字（F8），未读取；如是本期数据，请填入表中对应的栏目"}),
    "COLUMN_AMBIGUOUS": Case(
        _form("大宁镇_2016-03.xlsx", header=[*HEADER, "本月"], rows=_rows(lambda r: _with_extra(r, "参训妇女", 50))),
        _form("大宁镇_2016-03.xlsx", header=[*HEADER, "本月"]),
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "F3", "values": {"columns": ["D3", "F3"], "headings": ["本月", "本月"]},
         "message": "列D（表头“本月”）和列F（表头“本月”）都是“本月”列，不知哪一列是本期数（或两列都是其中一部分），"
                    "表中的数值均未读取；请只保留本期的一列，其他列的表头写明“上年同期”“计划”等"}),
    "DATA_AFTER_FOOTER": Case(
        _form("大宁镇_2016-03.xlsx", below=[[], [1, "参训妇女", "人", 5, ""], [2, "专题宣讲", "场", "", 3]]),
        _form("大宁镇_2016-03.xlsx", below=[["说明：本表数据截至3月31日", "", "", 31]]),
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D24", "indicator": None,
         "values": {"cells": ["D24", "E25"], "count": 2, "footer_row": 22},
         "message": "第22行是表尾（“填表人：赵敏”），其下还有2个指标数值（D24、E25，如“参训妇女”），未读取；"
                    "一张工作表只填一份报表：请把另一份报表移到单独的工作表或文件，补填的数请填回表中对应的行"}),
    "CELL_MERGED": Case(
        _merged_over_two_rows, CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D13", "values": {"range": "D13:D14", "indicators": 2},
         "message": "D13:D14是合并单元格，跨了2个指标行（接待信访案件、已处理信访案件），其中的数只计入“接待信访案件”，"
                    "其余按未填报处理；请取消合并，每个指标分别填写"}),
    "NOTE_NOT_READ": Case(
        _form("大宁镇_2016-03.xlsx", rows=month_rows(3)[:2] + [["备注：另有线上培训120人", "", "", ""]] + month_rows(3)[2:]),
        _form("大宁镇_2016-03.xlsx", rows=month_rows(3)[:2] + [["备注：含线上培训", "", "", ""]] + month_rows(3)[2:]),
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "B7",
         "message": "第7行的说明文字“备注：另有线上培训120人”中有数字，未读取；如是本期数据，请填入表中对应的栏目"}),
    "NUMBER_OUTSIDE_TABLE": Case(
        _form("大宁镇_2016-03.xlsx", below=[["注：另有补报", "", "", 12, ""]]),
        _form("大宁镇_2016-03.xlsx", below=[["注：另有补报", "", "", "", ""]]),
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D23", "values": {"cells": ["D23"], "count": 1},
         "message": "表格以外的1个数值（D23）未读取；如是报表数据，请填入表中对应的行"}),
    "TOTAL_ROW_SKIPPED": Case(
        _form("大宁镇_2016-03.xlsx", rows=month_rows(3) + [["合计", "", 100, ""]]),
        _form("大宁镇_2016-03.xlsx", rows=month_rows(3) + [["合计", "", "", ""]]),
        {"file": "大宁镇_2016-03.xlsx", "sheet": "月报", "cell": "B21", "values": {"cells": ["D21"]},
         "message": "第21行“合计”不是指标，其中的数值（D21）未计入"}),
    "CELLS_HIDDEN": Case(
        _hidden_row(True), _hidden_row(False),
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": form_cell("参训妇女"),
         "message": f"第{form_cell('参训妇女')[1:]}行是隐藏的，其中的数值（{form_cell('参训妇女')}、"
                    f"{form_cell('参训妇女', 'E')}）也已读取；如是旧数据或草稿，请删去；如是报表数据，请取消隐藏"}),
    "SHEET_TOTAL": Case(
        _county_workbook(True), _county_workbook(False),
        {"file": "青溪县_2016-03.xlsx", "sheet": "全县合计", "cell": None, "org": "青溪县", "period": "2016-03",
         "message": "工作表“全县合计”（青溪县2016年3月）是其他各工作表的合计，只用于核对，不重复计入汇总"}),
    "SHEET_HIDDEN": Case(
        _hidden_form(True), _hidden_form(False),
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": None,
         "message": "工作表“月报”是隐藏的，其中的数值也已读取（2016年3月）；如是旧表或草稿，请删去；如是报表，请取消隐藏"}),
    "FORM_BLANK": Case(
        _form("大宁镇_2016-03.xlsx", rows=_rows(lambda r: [[name, unit, "", ""] for name, unit, *_ in r])), CLEAN,
        {"file": "大宁镇_2016-03.xlsx", "sheet": None, "cell": None,
         "message": "报表中没有填任何数值（空白报表），按未报送处理；请确认是否发错了文件"}),
    "ROW_NOT_READ": Case(
        _streets(("平均" + ",1" * len(INDICATORS) + "\r\n").encode("gb18030")), _streets(),
        {"file": STREETS_CSV, "sheet": None, "cell": "A6",
         "message": "第6行“平均”不是单位，其中的数值（B6、C6、D6、E6、F6等16个单元格）未计入"}),
    "ROW_RAGGED": Case(
        _streets_with_extra_field, _streets(),
        {"file": STREETS_CSV, "sheet": None, "cell": "R2", "row": 2,
         "values": {"line": 2, "fields": 18, "header_fields": 17, "extra": ["99"]},
         "message": "第2行有18个字段，而表头只有17个：多出的值（99）没有对应的列，本行未读取；请核对该行是否多了分隔符或错位"}),
    "INDICATOR_DUPLICATE": Case(
        _form("大宁镇_2016-03.xlsx", rows=month_rows(3) + [["参训妇女", "人", 43, 126]]), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "B21", "indicator": "trainees",
         "message": "“参训妇女”在第8行和第21行各出现一次；请删去重复的一行"}),
    "NUMBER_INVALID": Case(
        _form("大宁镇_2016-03.xlsx", rows=_rows(lambda r: set_value(r, "参训妇女", month="不详"))), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D8", "indicator": "trainees", "values": {"raw": "不详"},
         "message": "“参训妇女”的数值“不详”无法识别；请只填数字，没有发生的填0，未统计的留空"}),
    "NUMBER_IMPLAUSIBLE": Case(
        _form("大宁镇_2016-03.xlsx", rows=_rows(lambda r: set_value(r, "参训妇女", month=4.3e9, ytd=""))), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D8", "indicator": "trainees",
         "values": {"value": 4.3e9, "limit": 1e9},
         "message": "“参训妇女”为4300000000，远超一个单位一个月可能的数（上限1000000000人）；请核对是否多打了数字或填错了计量单位"}),
    "NUMBER_ESTIMATE": Case(
        _form("大宁镇_2016-03.xlsx", rows=_rows(lambda r: set_value(r, "妇女之家服务", month="300多"))), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D19", "indicator": "women_home_served",
         "values": {"raw": "300多", "value": 300.0},
         "message": "“妇女之家服务”填的是估计数“300多”，已按300读取；请填写准确数字"}),
    "UNIT_CONVERTED": Case(
        _form("大宁镇_2016-03.xlsx",
              rows=_rows(lambda r: set_value(r, "创业担保贷款金额", month=205000, ytd=615000, unit="元"))), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "C12", "indicator": "loan_amount",
         "message": "“创业担保贷款金额”按“元”填报，已换算为“万元”（×0.0001）"}),
    "UNIT_UNKNOWN": Case(
        _form("大宁镇_2016-03.xlsx", rows=_rows(lambda r: set_value(r, "参训妇女", unit="斤"))), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "C8", "indicator": "trainees",
         "values": {"unit": "斤", "expected": "人"},
         "message": "“参训妇女”的计量单位是“斤”，指标目录要求“人”，两者无法换算；请改为目录中的单位"}),
    "RATE_MISMATCH": Case(
        _form("大宁镇_2016-03.xlsx", rows=month_rows(3) + [["信访案件处理率", "%", 90, ""]]),
        _form("大宁镇_2016-03.xlsx", rows=month_rows(3) + [["信访案件处理率", "%", "100%", ""]]),
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D21", "indicator": "petition_handling_rate",
         "values": {"value": 90.0, "computed": 100.0},
         "message": "“信访案件处理率”填的是90%，而已处理信访案件÷接待信访案件（D14÷D13）为100%；"
                    "汇总时比率由分子、分母计算，所填的比率不计入；请核对"}),
    "RATE_WITHOUT_PARTS": Case(
        _form("大宁镇_2016-03.xlsx", rows=[r for r in month_rows(3) if "信访" not in r[0]]
              + [["信访案件处理率", "%", 90, ""]]),
        CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D19", "indicator": "petition_handling_rate",
         "values": {"value": 90.0, "missing": ["petitions_handled", "petitions"]},
         "message": "“信访案件处理率”填了90%，但本表没有填已处理信访案件和接待信访案件；"
                    "比率由已处理信访案件÷接待信访案件计算，所填的比率不计入汇总；请填写这两项"}),
    "RATE_PART_MISSING": Case(
        _beside_a_clean_form("白沙镇", rows=_rows(lambda r: set_value(r, "已处理信访案件", month="", ytd=""))),
        _beside_a_clean_form("白沙镇"),
        {"file": "白沙镇_2016-03.xlsx", "sheet": "月报", "org": "白沙镇", "period": "2016-03", "cell": "D13",
         "indicator": "petitions_handled",
         "values": {"rate": "petition_handling_rate", "filled": "petitions", "blank": "petitions_handled"},
         "message": "填了“接待信访案件”（D13为3），却没有填“已处理信访案件”，“信访案件处理率”无法按同样的单位计算；"
                    "请填写，没有的填0"}),
    "NEGATIVE": Case(
        _form("大宁镇_2016-03.xlsx", rows=_rows(lambda r: set_value(r, "慰问困境妇女儿童老人", month=-3, ytd=120))),
        CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D20", "indicator": "people_comforted",
         "values": {"value": -3.0}, "message": "“慰问困境妇女儿童老人”为负数（-3）；统计数不能小于0，请核对"}),
    "NOT_INTEGER": Case(
        _form("大宁镇_2016-03.xlsx", rows=_rows(lambda r: set_value(r, "慰问困境妇女儿童老人", month=2.5))), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D20", "indicator": "people_comforted",
         "values": {"value": 2.5}, "message": "“慰问困境妇女儿童老人”以“人”计，应为整数，却填了2.5；请核对"}),
    "RULE": Case(
        _form("大宁镇_2016-03.xlsx",
              rows=_rows(lambda r: set_value(r, "其中贫困妇女(技能培训)", month=50, ytd=70))), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "D9", "indicator": "trainees_poor", "severity": ERROR,
         "values": {"rule": "poor_le_trainees", "check": "trainees_poor <= trainees",
                    "trainees_poor": 50.0, "trainees": 43.0},
         "message": "其中贫困妇女人数不能超过参训妇女总人数（参训妇女中的贫困妇女50，参训妇女43）"}),
    "DUPLICATE_SUBMISSION": Case(
        _twice, CLEAN,
        {**HERE, "file": "大宁镇_2016-03(修改).xlsx", "cell": None,
         "values": {"files": ["大宁镇_2016-03.xlsx", "大宁镇_2016-03(修改).xlsx"], "sheets": ["月报", "月报"],
                    "cells": ["D5", "D5"], "differ": []},
         "message": "大宁镇2016年3月的数据报送了两次：大宁镇_2016-03.xlsx和大宁镇_2016-03(修改).xlsx，两份数值相同；"
                    "请删去重复的一份（--skip-invalid 汇总时只计入大宁镇_2016-03.xlsx）"}),
    "YTD_MISMATCH": Case(
        _quarter(lambda r: set_value(r, "参训妇女", ytd=999)), _quarter(),
        {**HERE, "file": "subs/大宁镇_2016-03.xlsx", "cell": "E8", "indicator": "trainees",
         "values": {"ytd": 999.0, "sum": 126.0, "months": ["2016-01", "2016-02", "2016-03"]},
         "message": "“参训妇女”本年累计为999，但已报各月之和为126（1月41、2月42、3月43）；请核对本年累计或各月数"}),
    "MONTH_DERIVED": Case(
        _form("大宁镇_2016-03.xlsx", rows=_rows(lambda r: set_value(r, "儿童之家总数", month="", ytd=11))), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "E17", "indicator": "children_homes_total",
         "values": {"ytd": 11.0, "value": 11.0},
         "message": "“儿童之家总数”本月栏为空，本年累计栏（E17）为11；存量指标取月末实有数，已按11计入本月"}),
    "MONTH_NOT_DERIVABLE": Case(
        _form("大宁镇_2016-03.xlsx", rows=_rows(lambda r: set_value(r, "参训妇女", month=""))), CLEAN,
        {**HERE, "file": "大宁镇_2016-03.xlsx", "cell": "E8", "indicator": "trainees", "values": {"ytd": 126.0},
         "message": "“参训妇女”本月栏为空而本年累计（E8）为126；没有同一单位2016年2月的本年累计，无法推算本月数；"
                    "请填写本月数"}),
    "TOTAL_MISMATCH": Case(
        _wrong_total, _streets(),
        {"file": STREETS_CSV, "sheet": None, "cell": "E5", "row": 5, "org": None, "period": "2016-03",
         "indicator": "trainees", "values": {"total": 140.0, "sum": 141.0},
         "message": "“参训妇女”的合计为140，但各单位之和为141；请核对合计或各行数据"}),
    "SUMMARY_INCOMPLETE": Case(
        _county_summary("2016-02/白沙镇_2016-02.xlsx"), _county_summary(None),
        {"file": "青溪县_2016-Q1.xlsx", "sheet": "报送情况", "cell": "C5", "org": "白沙镇", "period": "2016-Q1",
         "message": "据“报送情况”表，汇总表中白沙镇2016年第一季度的数不含2月（未报）；汇总时这些月份不算已报"}),
    "MISSING_SUBMISSION": Case(
        _county_quarter("2016-02/白沙镇_2016-02.xlsx"), _county_quarter(None),
        {"file": None, "org": "白沙镇", "period": "2016-Q1", "values": {"missing": ["2016-02"]},
         "message": "白沙镇没有报送2016年2月的报表；请催报或确认该单位是否已撤并"}),
    "OUTLIER": Case(
        _nine_months(3050), _nine_months(305),
        {"file": "subs/大宁镇_2016-09.xlsx", "sheet": "月报", "cell": "D19", "org": "大宁镇", "period": "2016-09",
         "indicator": "women_home_served",
         "values": {"value": 3050.0, "median": 282.5,
                    "history": [265.0, 270.0, 275.0, 280.0, 285.0, 290.0, 295.0, 300.0]},
         "message": "“妇女之家服务”为3050人次，明显高于本单位以往8个月的中位数282.5（以往最小265、最大300）；"
                    "请核实是否多填或少填了位数、单位是否有误"}),
}


def run(build: Callable[[Path], dict], tmp: Path):
    args = build(tmp)
    return check(*args["paths"], orgs=args.get("orgs"), period=args.get("period"))


def test_every_code_has_a_case():
    assert sorted(CASES) == sorted(CODES)


@pytest.mark.parametrize("code", list(CODES))
def test_a_broken_submission_gives_the_finding(code, tmp):
    case = CASES[code]
    result = run(case.broken, tmp)
    finding = only(result, code)
    expect = {"severity": CODES[code][0], **case.expect}
    for key, wanted in expect.items():
        got = getattr(finding, key)
        if isinstance(wanted, re.Pattern):
            assert wanted.fullmatch(got), f"{code}.{key}: {got!r}"
        else:
            assert got == wanted, f"{code}.{key}: {got!r} != {wanted!r}"
    if finding.severity == ERROR:
        assert result.exit_code() == 1
        assert finding.file is None or finding.file in result.failed_files()


@pytest.mark.parametrize("code", list(CODES))
def test_the_corrected_submission_does_not(code, tmp):
    result = run(CASES[code].fixed, tmp)
    assert code not in codes(result)
    assert problems(result) == []
    assert result.exit_code(strict=True) == 0


def test_running_out_of_memory_on_one_file_is_that_files_error(tmp, monkeypatch):
    """Besides the size limits, running out of memory on one file is that file's error."""
    import fulian_stats.read.reader as reader

    big = write_form(tmp / "白沙镇_2016-03.xlsx", org="白沙镇妇联")
    good = write_form(tmp / "大宁镇_2016-03.xlsx")
    load = reader.load_sheets

    def exhausting(path, limits):
        if Path(path).name == big.name:
            raise MemoryError
        return load(path, limits)

    monkeypatch.setattr(reader, "load_sheets", exhausting)
    result = check(big, good)
    finding = only(result, "FILE_TOO_LARGE")
    assert (finding.file, finding.severity, finding.values["reason"]) == ("白沙镇_2016-03.xlsx", ERROR, "memory")
    assert finding.message.startswith("读取此文件所需的内存超过上限（2048MB）：")
    assert result.failed_files() == ["白沙镇_2016-03.xlsx"] and len(result.read.observation_rows()) > 0


def test_a_broken_value_is_one_finding_not_a_cascade(tmp):
    """An unreadable 参训妇女 is one NUMBER_INVALID: the rules naming it (贫困妇女 ≤ 参训妇女,
    证书 ≤ 参训妇女) cannot be judged, so they say nothing."""
    for change, code in ((lambda r: set_value(r, "参训妇女", month="不详"), "NUMBER_INVALID"),
                         (lambda r: set_value(r, "参训妇女", unit="斤"), "UNIT_UNKNOWN")):
        result = check(write_form(tmp / "大宁镇_2016-03.xlsx", rows=_rows(change)))
        assert codes(result) == [code]


def test_reading_findings_carry_the_org_and_period_of_their_sheet(tmp):
    rows = _rows(lambda r: set_value(set_value(r, "妇女之家服务", month="300多"), "创业担保贷款金额",
                                     month=205000, ytd=615000, unit="元"))
    result = check(write_form(tmp / "2016年3月大宁镇月报.xlsx", rows=rows))
    assert [(f.code, f.org, f.period) for f in result.findings] == [
        ("UNIT_CONVERTED", "大宁镇", "2016-03"), ("NUMBER_ESTIMATE", "大宁镇", "2016-03")]


def test_a_clean_county_quarter_passes(tmp):
    """Three towns in forms and three 街道 in one GBK table, January to March, with the
    registry and the quarter: no finding at all."""
    args = _county_quarter(None)(tmp)
    result = check(*args["paths"], orgs=args["orgs"], period=args["period"])
    assert result.findings == []
    assert len(result.files) == 12 and result.exit_code(strict=True) == 0


def test_one_bad_file_does_not_stop_the_others(tmp):
    folder = clean_folder(tmp)
    (folder / "2016-02" / "白沙镇_2016-02.xlsx").write_bytes(b"\x00" * 100)
    (folder / "2016-03" / "石门镇_2016-03.xlsx").unlink()
    result = check(folder, orgs=Path("orgs.csv"), period="2016-Q1")
    assert len(result.files) == 11
    assert result.failed_files() == ["submissions/2016-02/白沙镇_2016-02.xlsx"]
    assert sorted((f.code, f.file or f.org) for f in result.findings) == [
        ("FILE_UNREADABLE", "submissions/2016-02/白沙镇_2016-02.xlsx"), ("MISSING_SUBMISSION", "石门镇")]


def test_a_truncated_workbook_is_not_also_a_missing_submission(tmp):
    """A truncated workbook was reported twice: unreadable, and its org as not having sent it."""
    folder = clean_folder(tmp)
    named = folder / "2016-02" / "白沙镇_2016-02.xlsx"
    named.write_bytes(named.read_bytes()[:600])
    unnamed = folder / "2016-03" / "石门镇_2016-03.xlsx"
    unnamed.write_bytes(unnamed.read_bytes()[:600])
    unnamed.rename(folder / "2016-03" / "新建工作表.xlsx")  # a name that tells neither org nor month
    result = check(folder, orgs=Path("orgs.csv"), period="2016-Q1")
    assert sorted((f.code, f.file or f.org) for f in result.findings) == [
        ("FILE_UNREADABLE", "submissions/2016-02/白沙镇_2016-02.xlsx"),
        ("FILE_UNREADABLE", "submissions/2016-03/新建工作表.xlsx"), ("MISSING_SUBMISSION", "石门镇")]
    assert only(result, "MISSING_SUBMISSION").message == "石门镇没有报送2016年3月的报表；请催报或确认该单位是否已撤并"


def test_as_dict_counts_match_the_findings(tmp):
    args = _folder_with("工作总结.docx")(tmp)
    write_form(tmp / "subs" / "白沙镇_2016-03.xlsx", org="白沙镇妇联",
               rows=_rows(lambda r: set_value(set_value(r, "慰问困境妇女儿童老人", month=-3, ytd=120),
                                              "妇女之家服务", month="300多")))
    (tmp / "subs" / "坏.xlsx").write_bytes(b"")
    data = check(*args["paths"]).as_dict()
    severities = [f["severity"] for f in data["findings"]]
    assert data["files"] == 3
    assert (data["errors"], data["warnings"], data["notes"]) == (
        severities.count(ERROR), severities.count(WARNING), severities.count(INFO)) == (2, 1, 1)


def test_indicators_in_the_helpers_are_catalog_names():
    for name, unit, kind, _value in INDICATORS:
        ind_id, _ = CATALOG.lookup(name)
        assert ind_id is not None and CATALOG[ind_id].unit == unit and CATALOG[ind_id].kind == kind


def test_each_check_says_whether_it_runs_per_file_or_per_run():
    from fulian_stats.checks import CHECKS, PER_FILE, PER_RUN

    assert {check.__name__.rsplit(".", 1)[-1]: check.SCOPE for check in CHECKS} == {
        "values": PER_FILE, "rates": PER_FILE, "rules": PER_FILE, "totals": PER_FILE, "duplicates": PER_RUN,
        "rate_parts": PER_RUN, "ytd": PER_RUN, "outliers": PER_RUN, "completeness": PER_RUN}
