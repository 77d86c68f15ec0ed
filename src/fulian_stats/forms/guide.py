"""The 填报说明 sheet of a blank form: how to fill it in, every indicator with its unit
and kind, and the rules the county checks."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from fulian_stats.forms.style import BOLD, BORDER, HEADER_FILL, WRAP, protect, put, title_row
from fulian_stats.output.printing import PageSetup, row_height

KIND_TEXT = {"flow": "当月发生数，按月累加", "stock": "月末实有数，不累加"}
SEVERITY_TEXT = {"error": "错误", "warning": "提醒"}
GUIDE_SHEET = "填报说明"


def instructions(catalog, layout: str, example: str | None) -> list[str]:
    rates = [ind.label for ind in catalog if ind.kind == "rate"]
    stocks = [ind.label for ind in catalog if ind.kind == "stock"]
    lines = ["只在浅黄色单元格中填写；其他单元格已锁定。请勿修改指标名称、计量单位和表头，"
             "不要插入或删除行列，不要重命名或删除工作表。",
             "空白表示“未统计”，0表示“没有发生”：没有发生的请填0，不要留空，也不要填“无”“—”等文字。",
             "只填数字，不带单位和文字（不要写“约300”“300多”）。计量单位见表中：人数、场次等填整数；"
             "金额以万元为单位，可带小数。"]
    if layout == "form":
        lines.append("“本月”填当月发生数；“本年累计”填1月至本月的合计数。")
        lines.append("填报单位、报告期填在表头（如“大宁镇妇联”“2016年3月”）；已预先填好的请勿修改。")
    else:
        lines.append("每个单位每月一行；已预先填好的单位名称、月份请勿修改。月份写作“2016年3月”。")
    if stocks:
        lines.append(f"存量指标（{'、'.join(stocks)}）填月末实有数，不逐月累加"
                     + ("，其“本年累计”栏为灰色，不用填写。" if layout == "form" else "。"))
    if rates:
        lines.append(f"比率指标（{'、'.join(rates)}）不用填写，由系统按分子÷分母计算。")
    naming = f"本表请命名为“{example}”" if example else "文件命名为“单位名称_年-月.xlsx”，如“大宁镇_2016-03.xlsx”"
    lines.append(f"请保存为Excel工作簿（.xlsx）格式，{naming}。")
    lines.append("工作表已设置保护，但没有密码：确需修改时，在“审阅 → 撤销工作表保护”中直接撤销即可，"
                 "无需密码（WPS相同）。改动表格结构可能使系统无法读取，请慎用。")
    return lines


WIDTHS = (12, 36, 10, 44)


def write_guide(wb, catalog, rules, layout: str, example: str | None, region: str | None = None,
                period: str | None = None) -> None:
    """The sheet, every row as tall as its wrapped text (no program grows a merged row,
    LibreOffice none with a height set); `region` and `period` head its printed pages."""
    ws = wb.create_sheet(GUIDE_SHEET)
    widths = WIDTHS
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    title_row(ws, 1, "填报说明", 4)
    row = 2

    def wide(text: str, style: dict | None = None) -> None:
        nonlocal row
        put(ws, row, 1, text, {"alignment": WRAP, **(style or {})})
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        ws.row_dimensions[row].height = row_height((text, sum(widths)))
        row += 1

    def table_row(values, style: dict, spans: tuple[int, ...] = (1, 1, 1, 1)) -> None:
        """Cells of `values`, each over `spans` columns (a merged one holds its first value)."""
        nonlocal row
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value, {"border": BORDER, "alignment": WRAP, **style})
        cells, col = [], 0
        for value, span in zip(values, spans):
            cells.append((value, sum(widths[col:col + span])))
            col += span
        ws.row_dimensions[row].height = row_height(*cells)
        row += 1

    for n, text in enumerate(instructions(catalog, layout, example), start=1):
        wide(f"{n}. {text}")
    row += 1
    wide("指标一览", {"font": BOLD})
    header_style = {"font": BOLD, "fill": HEADER_FILL}
    table_row(["栏目", "指标名称", "计量单位", "类型"], header_style)
    names = {ind.id: ind.label for ind in catalog}
    for ind in catalog:
        kind = KIND_TEXT.get(ind.kind) or (f"比率：由系统按分子÷分母计算，不用填写（{names[ind.numerator]}"
                                           f"÷{names[ind.denominator]}×100%）")
        table_row([ind.section, ind.label, ind.unit, kind], {})
    if rules:
        row += 1
        wide("审核规则（报送后系统自动检查；“错误”必须改正，“提醒”请核实后确认）", {"font": BOLD})
        lines = [(["级别", "规则", None, None], header_style)]
        lines += [([SEVERITY_TEXT.get(r.severity, r.severity), r.message, None, None], {}) for r in rules]
        for values, style in lines:
            table_row(values, style, spans=(1, 3))
            ws.merge_cells(start_row=row - 1, start_column=2, end_row=row - 1, end_column=4)
    PageSetup(False, (0, 0), region, period).to_openpyxl(ws)
    protect(ws)


