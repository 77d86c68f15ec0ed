"""How a blank form looks: borders, fills, fonts, input cells and their validation and
protection, shared by the form, the table and the 填报说明 sheet (their print setup:
output/printing.py)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
INPUT_FILL = PatternFill("solid", fgColor="FFF9DB")  # the light yellow 填报说明 points to
LOCKED_FILL = PatternFill("solid", fgColor="BFBFBF")  # cells that must stay empty
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
_DIGITS = "零一二三四五六七八九"


def cn_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三: section numbering `一、思想引领`."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones or not head else "")


def put(ws, row: int, col: int, value, style: dict | None = None):
    """Write a cell; text is always text, so `=…` from a catalog or registry never becomes a formula."""
    cell = ws.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"
    for name, setting in (style or {}).items():
        setattr(cell, name, setting)
    return cell


def as_input(cell, number_format: str = "General") -> None:
    cell.protection, cell.fill, cell.border = Protection(locked=False), INPUT_FILL, BORDER
    cell.number_format = number_format


class Validations:
    """One DataValidation per distinct rule and prompt; Excel stores each once with its cells."""

    def __init__(self, ws):
        self.ws = ws
        self.made: dict[tuple, DataValidation] = {}

    def _get(self, key: tuple, **settings) -> DataValidation:
        if key not in self.made:
            dv = DataValidation(allow_blank=True, showInputMessage=True, **settings)
            self.ws.add_data_validation(dv)
            self.made[key] = dv
        return self.made[key]

    def number(self, cell, ind, note: str) -> None:
        """An unlocked number cell: whole numbers ≥ 0 for counts, decimals ≥ 0 for money."""
        as_input(cell, "0" if ind.is_count else "General")
        kind, what = ("whole", "整数") if ind.is_count else ("decimal", "数字")
        title = f"请填写{what}（{ind.unit}）"[:32]  # Excel's limit for titles
        prompt = f"{note}。空白=未统计，0=没有发生；只填数字，不带单位和文字。"
        error = "只能填写不小于0的整数" if ind.is_count else "只能填写不小于0的数字，可带小数"
        self._get((kind, title, prompt), type=kind, operator="greaterThanOrEqual", formula1="0",
                  promptTitle=title, prompt=prompt[:255], showErrorMessage=True, errorStyle="stop",
                  errorTitle="填写有误", error=f"{error}（计量单位：{ind.unit}）"[:225]).add(cell)

    def text(self, cell, title: str, prompt: str) -> None:
        self._get(("text", title, prompt), type=None, promptTitle=title, prompt=prompt).add(cell)


def protect(ws) -> None:
    """No password; formatting rows/columns and selecting any cell stay allowed (False = allowed)."""
    ws.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False,
                                    selectLockedCells=False, selectUnlockedCells=False)


def title_row(ws, row: int, text: str, last_col: int) -> None:
    put(ws, row, 1, text, {"font": Font(bold=True, size=16), "alignment": CENTER})
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    ws.row_dimensions[row].height = 32
