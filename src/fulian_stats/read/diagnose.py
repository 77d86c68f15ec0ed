"""Why no layout was found on a sheet, in words a township's clerk can act on: the
first cell holding a number, and what the reader looked for above it."""

from __future__ import annotations

from fulian_stats.catalog import Catalog
from fulian_stats.findings import a1
from fulian_stats.read.grid import Sheet
from fulian_stats.read.layout import LONG_HEADER
from fulian_stats.read.header import (
    HEADER_SCAN_ROWS,
    MONTH,
    NAME,
    NAME_HEADERS,
    SEQ,
    YTD,
    SheetCells,
    header_band,
    header_key,
)
from fulian_stats.read.numbers import ESTIMATE, OK, parse_number

_WANTED = ("表式报表需要“指标名称”列和“本月”（或“本年累计”）列，清单式报表需要以指标名称为列标题的表头；"
           "请使用 fulian-stats template 生成的模板填报")


def layout_problem(sheet: Sheet, catalog: Catalog) -> tuple[str, str | None, bool] | None:
    """(message, the first cell holding a number, whether there is one), or None for a
    sheet with nothing in it. Numbers under a 序号 heading are no figures."""
    rows = sheet.rows
    if not any(v not in ("", None) for row in rows for v in row):
        return None
    long = next((r for r, row in enumerate(rows[:HEADER_SCAN_ROWS])
                 if tuple(header_key(v) for v in row[:len(LONG_HEADER)]) == LONG_HEADER), None)
    if long is not None:
        return ("这是汇总结果的明细（每行一个单位的一个指标，如 fulian-stats aggregate 写出的 .csv），不是报表，未读取；"
                "汇总结果请用 aggregate 写出的 .xlsx 汇总表作为上一级的输入"), None, False
    near, serials = _near_miss(sheet, catalog)
    serials |= _counting_columns(rows)
    first = next(((r, c) for r, row in enumerate(rows) for c, v in enumerate(row)
                  if v not in ("", None) and c not in serials and parse_number(v).status in (OK, ESTIMATE)), None)
    cell = a1(sheet.row_offset + first[0], sheet.col_offset + first[1]) if first else None
    found = f"{cell}单元格有数值，但{near or '找不到表头'}" if cell else near
    return "；".join(part for part in (found, _WANTED) if part), cell, first is not None


def _counting_columns(rows: list[list]) -> set[int]:
    """Columns whose numbers count 1, 2, 3 … down the sheet: a 序号 however it is headed."""
    numbers: dict[int, list] = {}
    for row in rows:
        for c, value in enumerate(row):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                numbers.setdefault(c, []).append(value)
    return {c for c, found in numbers.items() if len(found) > 1 and found == list(range(1, len(found) + 1))}


def _near_miss(sheet: Sheet, catalog: Catalog) -> tuple[str | None, set[int]]:
    """What a header-like row lacks (the name column without a value column, or one
    indicator column alone), and the columns it heads 序号."""
    rows = sheet.rows
    scan = min(HEADER_SCAN_ROWS, len(rows))
    cells = SheetCells(sheet, scan + 3)
    for r in range(scan):
        keys = [header_key(cells.value(r, c)) for c in range(len(rows[r]))]
        if any(k in NAME_HEADERS for k in keys):
            band = header_band(cells, r)
            name = next(c for c in band.columns if c.role == NAME)
            if any(c.role in (MONTH, YTD) for c in band.columns):
                continue  # a form header after all, whose rows gave nothing to read
            others = [f"{c.cell}“{c.heading}”" for c in band.columns if c.heading and c.role not in (NAME,)][:4]
            listed = f"（其余列为{'、'.join(others)}）" if others else ""
            return (f"第{sheet.row_offset + r + 1}行像是表头（{name.cell}“{name.heading}”），却没有“本月”或“本年累计”列{listed}",
                    {c.index for c in band.columns if c.role == SEQ})
        named = [(c, v) for c, v in enumerate(rows[r]) if isinstance(v, str) and keys[c] and catalog.lookup(v)[0]]
        if len(named) == 1:
            c, value = named[0]
            return (f"第{sheet.row_offset + r + 1}行只有{a1(sheet.row_offset + r, sheet.col_offset + c)}“{value.strip()}”"
                    "一列是指标目录中的指标，不像清单式报表的表头"), set()
    return None, set()
