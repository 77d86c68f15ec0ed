"""Findings: every problem in a submission is data, not an exception.

A finding has a stable code (documented in docs/findings.md, which a test keeps in
step with CODES), a severity, where it is (file, sheet, cell in A1 form, row) and a
Chinese message that says what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告", INFO: "提示"}

# code → (default severity, what it means). The one table of codes; docs/findings.md
# is checked against it by tests/test_findings.py.
CODES: dict[str, tuple[str, str]] = {
    "FILE_UNREADABLE": (ERROR, "文件无法打开或已损坏"),
    "FILE_EMPTY": (ERROR, "文件为空（0字节）"),
    "FILE_ENCRYPTED": (ERROR, "文件设置了打开密码"),
    "FILE_TOO_LARGE": (ERROR, "文件或工作表超出安全上限（疑似压缩炸弹或异常文件）"),
    "FILE_FORMAT_UNSUPPORTED": (ERROR, "表格文件的格式无法读取（如 .ods、.et），其中的数据未计入"),
    "FILES_SKIPPED": (INFO, "文件夹中不是报表格式的文件已跳过"),
    "ENCODING": (ERROR, "CSV文件的字符编码无法识别"),
    "LAYOUT_UNKNOWN": (ERROR, "没有找到可识别的报表（表式或清单式）"),
    "SUMMARY_INCOMPLETE": (WARNING, "汇总表中某单位的数不含部分月份（其“报送情况”表中为未报或有误）"),
    "CELLS_HIDDEN": (WARNING, "隐藏的行或列中有数值，也已读取（可能是旧数据或草稿）"),
    "SHEET_TOTAL": (INFO, "工作簿中一张工作表是其他各表的合计，只用于核对，不重复计入"),
    "SHEET_HIDDEN": (WARNING, "隐藏的工作表中有报表，其中的数值也已读取（可能是旧表或草稿）"),
    "SHEET_SKIPPED": (INFO, "工作簿中不是报表的工作表已跳过（表中有数值时为警告）"),
    "ORG_MISSING": (ERROR, "找不到填报单位"),
    "ORG_UNKNOWN": (ERROR, "填报单位不在单位名册中"),
    "ORG_CONFLICT": (ERROR, "填报单位在表内、工作表名、文件名中不一致"),
    "PERIOD_MISSING": (ERROR, "找不到报告期"),
    "PERIOD_CONFLICT": (ERROR, "表内报告期与文件名不一致"),
    "INDICATOR_UNKNOWN": (ERROR, "指标不在指标目录中，但填有数值"),
    "INDICATOR_DUPLICATE": (ERROR, "同一工作表中同一指标出现两次"),
    "COLUMN_UNKNOWN": (WARNING, "数值所在的列不是可识别的数值列（表头不是本月或本年累计），未读取"),
    "COLUMN_AMBIGUOUS": (ERROR, "一张表中有两列“本月”（或“本年累计”），不知哪一列是本期数，表中的数值均未读取"),
    "DATA_AFTER_FOOTER": (ERROR, "表尾（填表人等）之下还有填了数值的指标行，未读取"),
    "CELL_MERGED": (WARNING, "数值单元格合并跨了几个指标行，数只计入第一行"),
    "COLUMN_NOT_READ": (INFO, "按表头不读取的列（上年同期、增减、备注等）中的数值未计入"),
    "NOTE_NOT_READ": (INFO, "表中一行说明文字（备注：…）里的数字未读取"),
    "NUMBER_OUTSIDE_TABLE": (INFO, "表格以外（表头以上、表尾）的数值未读取"),
    "TOTAL_ROW_SKIPPED": (INFO, "表式报表中的合计、小计行不是指标，其中的数值未计入"),
    "ROW_NOT_READ": (INFO, "清单式报表中不是单位的行（平均、上年同期、累计、其中等），其中的数值未计入"),
    "ROW_RAGGED": (ERROR, "文本文件某行的字段数与表头不符（多出的值没有对应的列，或该行不完整）"),
    "TEXT_UNFINISHED": (WARNING, "文本文件的最后一行没有换行符，文件可能被截断"),
    "FORM_BLANK": (INFO, "报表中没有填任何数值（空白报表），按未报送处理"),
    "NO_DATA": (ERROR, "文本文件中有表头，但没有一行数值（文件可能被截断）"),
    "NUMBER_INVALID": (ERROR, "数值单元格中是无法识别的文字"),
    "NUMBER_IMPLAUSIBLE": (ERROR, "数值远超一个单位一个月可能的数（如人数超过10亿、金额超过1亿万元）"),
    "NUMBER_ESTIMATE": (WARNING, "数值是估计数（如“300多”“约300”），按整数读取"),
    "FORMULA_NO_VALUE": (WARNING, "公式没有保存计算结果"),
    "UNIT_CONVERTED": (INFO, "计量单位与指标目录不同，已按倍数换算"),
    "UNIT_UNKNOWN": (ERROR, "计量单位与指标目录不同且无法换算"),
    "NEGATIVE": (ERROR, "数值为负数"),
    "NOT_INTEGER": (ERROR, "按个数计的指标填了小数"),
    "RATE_MISMATCH": (WARNING, "所填的比率与其分子、分母算出的不符（比率不计入汇总，由分子、分母计算）"),
    "RATE_WITHOUT_PARTS": (WARNING, "填了比率而没有填它的分子、分母（比率不计入汇总）"),
    "RATE_PART_MISSING": (ERROR, "比率的分子、分母只填了一项，另一项为空，比率无法计算"),
    "RULE": (ERROR, "违反校验规则（rules.csv；严重程度由规则决定）"),
    "DUPLICATE_SUBMISSION": (ERROR, "同一单位同一报告期报送了两次"),
    "YTD_MISMATCH": (ERROR, "本年累计与各月数之和不符"),
    "MONTH_DERIVED": (INFO, "本月栏为空，本月数已由本年累计推算"),
    "MONTH_NOT_DERIVABLE": (ERROR, "本月栏为空而本年累计有数，无法推算本月数"),
    "TOTAL_MISMATCH": (ERROR, "合计与各行（列）之和不符"),
    "MISSING_SUBMISSION": (ERROR, "单位名册中的单位没有报送"),
    "OUTLIER": (WARNING, "数值与本单位以往各月相比异常"),
}


@dataclass
class Finding:
    code: str
    message: str
    severity: str = ""
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    org: str | None = None
    period: str | None = None
    indicator: str | None = None
    values: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code}")
        if not self.severity:
            self.severity = CODES[self.code][0]
        if self.row is None and self.cell:
            self.row = row_of_cell(self.cell)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        """`file › sheet › cell` as a person reads it."""
        parts = [p for p in (self.file, self.sheet) if p]
        if self.cell:
            parts.append(f"{self.cell}单元格")
        elif self.row:
            parts.append(f"第{self.row}行")
        return " › ".join(parts)

    def as_dict(self) -> dict:
        """The finding's fields by name (its `values` copied: they are the finding's own)."""
        return {"code": self.code, "message": self.message, "severity": self.severity, "file": self.file,
                "sheet": self.sheet, "cell": self.cell, "row": self.row, "org": self.org, "period": self.period,
                "indicator": self.indicator, "values": dict(self.values)}


_ROW = re.compile(r"[A-Z]+(\d+)$")


def row_of_cell(cell: str) -> int | None:
    match = _ROW.match(cell)
    return int(match.group(1)) if match else None


def column_letters(col: int) -> str:
    """0-based column index → `A`, `B`, …, `AA`."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based row and column → A1 address."""
    return f"{column_letters(col)}{row + 1}"


def column_index(letters: str) -> int:
    """`A`, `B`, …, `AA` → 0-based column index (column_letters' inverse)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


_A1 = re.compile(r"([A-Za-z]{1,3})([1-9]\d{0,6})")


def cell_index(cell: str | None) -> tuple[int, int] | None:
    """An A1 address → 0-based (row, column); None for anything else (a1's inverse)."""
    match = _A1.fullmatch(cell or "")
    return (int(match.group(2)) - 1, column_index(match.group(1))) if match else None


def join_cells(cells: list[str], most: int = 5) -> str:
    """`D5、D7、D9等12个单元格`: the first few cells of a list, and how many in all."""
    named = [c for c in cells if c]
    shown = "、".join(named[:most])
    return shown + (f"等{len(cells)}个单元格" if len(cells) > most else "")


def show_number(value: float) -> str:
    """A value as written in a message: `12`, `12.5`, `0.123456`; never `1e+06`."""
    if value == int(value):
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")
